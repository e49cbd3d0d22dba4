import assert from "node:assert/strict";
import * as path from "node:path";
import { DEFAULT_REGISTRY, parseNpmrc, proxyFor, readNpmSettings } from "../../../../src/core/gpu/npmConfig";

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
