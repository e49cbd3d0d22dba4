import assert from "node:assert/strict";
import * as path from "node:path";
import { detectGpuDrivers } from "../../../../src/core/gpu/gpuDrivers";
import { authTokenFor, DEFAULT_REGISTRY, parseNpmrc, proxyFor, readNpmSettings } from "../../../../src/core/gpu/npmConfig";

function sources(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return { env, homeDir: "/home/u", readTextFile: async (file: string) => files[file] };
}

describe("npm registry and proxy settings", () => {
  it("uses npm's default registry when nothing is configured", async () => {
    const settings = await readNpmSettings(sources({}));
    assert.equal(settings.registry, DEFAULT_REGISTRY);
    assert.equal(settings.registryFrom, "default");
    assert.equal(settings.httpsProxy, undefined);
  });

  it("reads registry and proxies from ~/.npmrc, expanding ${VAR}", async () => {
    const rc = "; comment\nregistry = https://npm.corp.example/repo\nhttps-proxy=http://${PROXY_HOST}:3128\nnoproxy=localhost,.corp.example\n";
    const settings = await readNpmSettings(sources({ [path.join("/home/u", ".npmrc")]: rc }, { PROXY_HOST: "proxy.corp" }));
    assert.equal(settings.registry, "https://npm.corp.example/repo/");
    assert.equal(settings.registryFrom, "~/.npmrc");
    assert.equal(settings.httpsProxy, "http://proxy.corp:3128");
    assert.equal(settings.noProxy, "localhost,.corp.example");
  });

  it("prefers the @node-llama-cpp scope registry, and the environment over the file", async () => {
    const rc = "registry=https://a.example/\n@node-llama-cpp:registry=https://b.example/\n";
    assert.equal((await readNpmSettings(sources({ [path.join("/home/u", ".npmrc")]: rc }))).registry, "https://b.example/");
    const fromEnv = await readNpmSettings(sources({ [path.join("/home/u", ".npmrc")]: "registry=https://a.example/\n" }, { NPM_CONFIG_REGISTRY: "https://c.example", HTTPS_PROXY: "http://p:1" }));
    assert.equal(fromEnv.registry, "https://c.example/");
    assert.equal(fromEnv.registryFrom, "npm_config_registry");
    assert.equal(fromEnv.httpsProxy, "http://p:1");
  });

  it("reads the user config file npm_config_userconfig names", async () => {
    const settings = await readNpmSettings(sources({ "/etc/custom-npmrc": "registry=https://d.example/" }, { npm_config_userconfig: "/etc/custom-npmrc" }));
    assert.equal(settings.registry, "https://d.example/");
    assert.equal(settings.registryFrom, "/etc/custom-npmrc");
  });

  it("reads the CA bundle npm's cafile names (~ expanded) and strict-ssl=false", async () => {
    const files = { [path.join("/home/u", ".npmrc")]: "cafile=~/certs/corp.pem\nstrict-ssl=false\n", [path.join("/home/u", "certs/corp.pem")]: "-----BEGIN CERTIFICATE-----" };
    const settings = await readNpmSettings(sources(files));
    assert.equal(settings.ca, "-----BEGIN CERTIFICATE-----");
    assert.equal(settings.strictSsl, false);
  });

  it("keeps //host/path/:_authToken lines and matches them to URLs by host and path", async () => {
    const rc = "//npm.corp.example/repo/:_authToken=${NPM_TOKEN}\n//other.example/:_authToken=x\n";
    const settings = await readNpmSettings(sources({ [path.join("/home/u", ".npmrc")]: rc }, { NPM_TOKEN: "t0k" }));
    assert.equal(authTokenFor(new URL("https://npm.corp.example/repo/@node-llama-cpp%2flinux-x64-cuda"), settings), "t0k");
    assert.equal(authTokenFor(new URL("https://npm.corp.example/other/x.tgz"), settings), undefined);
    assert.equal(authTokenFor(new URL("https://cdn.example/x.tgz"), settings), undefined);
  });

  it("parses quoted values and skips sections and comments", () => {
    const values = parseNpmrc('# c\n[section]\nkey="quoted value"\nbad line\n', {});
    assert.deepEqual([...values], [["key", "quoted value"]]);
  });

  it("chooses the proxy by scheme and honours no_proxy by host, suffix, port and *", () => {
    const settings = { httpsProxy: "http://secure:1", httpProxy: "plain:2", noProxy: ".internal, 10.0.0.1:8080" };
    assert.equal(proxyFor(new URL("https://registry.npmjs.org/x"), settings)?.host, "secure:1");
    assert.equal(proxyFor(new URL("http://registry.example/x"), settings)?.href, "http://plain:2/");
    assert.equal(proxyFor(new URL("https://npm.internal/x"), settings), undefined);
    assert.equal(proxyFor(new URL("http://10.0.0.1:8080/x"), settings), undefined);
    assert.equal(proxyFor(new URL("http://10.0.0.1:9090/x"), settings)?.host, "plain:2");
    assert.equal(proxyFor(new URL("https://any.example/"), { httpsProxy: "http://p:1", noProxy: "*" }), undefined);
  });
});

describe("GPU driver detection", () => {
  const machine = (platform: string, files: string[]) => ({ platform, env: {}, exists: async (file: string) => files.includes(file) });

  it("finds NVIDIA's driver and a Vulkan GPU on Linux, CUDA first", async () => {
    const found = await detectGpuDrivers(machine("linux", ["/dev/nvidia0", "/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/dev/dri/renderD128"]));
    assert.deepEqual(found.map((f) => f.backend), ["cuda", "vulkan"]);
  });

  it("does not take a bare Vulkan loader (no render node) for a GPU", async () => {
    assert.deepEqual(await detectGpuDrivers(machine("linux", ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1"])), []);
  });

  it("reads System32 on Windows and finds nothing on macOS (Metal is built in)", async () => {
    assert.deepEqual((await detectGpuDrivers(machine("win32", ["C:\\Windows\\System32\\vulkan-1.dll"]))).map((f) => f.backend), ["vulkan"]);
    assert.deepEqual(await detectGpuDrivers(machine("darwin", ["/dev/nvidia0"])), []);
  });
});
