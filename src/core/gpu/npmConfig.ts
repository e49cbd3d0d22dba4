// Which npm registry and proxy this machine's npm uses, read the way npm reads them:
// environment (`npm_config_*`, any case) over the user's npmrc (`~/.npmrc`, or the file
// `npm_config_userconfig` names) over npm's default. The scope registry
// `@node-llama-cpp:registry` wins over `registry`. A workspace's own `.npmrc` is not read on
// purpose: the package is native code for the whole machine, and a repository should not be
// able to choose where it comes from (the integrity check trusts the registry's packument).
import { readFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";

export interface NpmSettings {
  /** Registry URL, always ending in "/". */
  registry: string;
  /** Where the registry came from, for messages ("~/.npmrc", "npm_config_registry", "default"). */
  registryFrom: string;
  httpsProxy?: string;
  httpProxy?: string;
  /** Comma-separated hosts (or .suffixes) that bypass the proxy. */
  noProxy?: string;
  /** Certificate authorities from npm's `cafile` (PEM), replacing Node's defaults as npm does. */
  ca?: string;
  /** npm's `strict-ssl=false`, as read; the GPU download still verifies certificates (httpGet.ts). */
  strictSsl?: boolean;
  /** `//host/path/:_authToken=…` lines: the token goes only to URLs under that host and path. */
  authTokens?: { prefix: string; token: string }[];
}

export interface NpmConfigSources {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  readTextFile(file: string): Promise<string | undefined>;
}

const SYSTEM: NpmConfigSources = {
  env: process.env,
  homeDir: os.homedir(),
  readTextFile: (file) => readFile(file, "utf8").catch(() => undefined),
};

/** Parses npmrc text (ini-like `key = value` lines) with `${VAR}` expansion from `env`. */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const values = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#") || line.startsWith("[")) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    let value = line.slice(equals + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    value = value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? "");
    values.set(key, value);
  }
  return values;
}

function envValue(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    for (const key of [name, name.toUpperCase(), name.toLowerCase()]) {
      const value = env[key];
      if (value !== undefined && value !== "") return value;
    }
  }
  return undefined;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

export async function readNpmSettings(sources: Partial<NpmConfigSources> = {}, scope = "@node-llama-cpp"): Promise<NpmSettings> {
  const { env, homeDir, readTextFile } = { ...SYSTEM, ...sources };
  const userConfig = envValue(env, "npm_config_userconfig") ?? path.join(homeDir, ".npmrc");
  const text = await readTextFile(userConfig);
  const rc = text === undefined ? new Map<string, string>() : parseNpmrc(text, env);
  const rcName = userConfig === path.join(homeDir, ".npmrc") ? "~/.npmrc" : userConfig;
  const pick = (key: string): { value: string; from: string } | undefined => {
    const fromEnv = envValue(env, `npm_config_${key.replace(/-/g, "_")}`, `npm_config_${key}`);
    if (fromEnv !== undefined) return { value: fromEnv, from: `npm_config_${key.replace(/-/g, "_")}` };
    const fromRc = rc.get(key);
    return fromRc !== undefined && fromRc !== "" ? { value: fromRc, from: rcName } : undefined;
  };
  const registry = pick(`${scope}:registry`) ?? pick("registry") ?? { value: DEFAULT_REGISTRY, from: "default" };
  const httpsProxy = pick("https-proxy")?.value ?? envValue(env, "https_proxy");
  const httpProxy = pick("proxy")?.value ?? envValue(env, "http_proxy");
  const noProxy = pick("noproxy")?.value ?? envValue(env, "no_proxy");
  const cafile = pick("cafile")?.value;
  const ca = cafile ? await readTextFile(cafile.startsWith("~/") ? path.join(homeDir, cafile.slice(2)) : cafile) : undefined;
  const strictSsl = pick("strict-ssl")?.value;
  const authTokens = [...rc].filter(([key, value]) => key.startsWith("//") && key.endsWith(":_authToken") && value !== "").map(([key, token]) => ({ prefix: key.slice(0, -":_authToken".length), token }));
  return {
    registry: withSlash(registry.value),
    registryFrom: registry.from,
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(httpProxy ? { httpProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
    ...(ca ? { ca } : {}),
    ...(strictSsl === "false" ? { strictSsl: false } : {}),
    ...(authTokens.length > 0 ? { authTokens } : {}),
  };
}

/** The bearer token npm would send to `url` (the longest matching `//host/path/` entry), if any. */
export function authTokenFor(url: URL, settings: Pick<NpmSettings, "authTokens">): string | undefined {
  const nerfed = `//${url.host}${url.pathname}`;
  let best: { prefix: string; token: string } | undefined;
  for (const entry of settings.authTokens ?? []) {
    const prefix = entry.prefix.endsWith("/") ? entry.prefix : `${entry.prefix}/`;
    if (nerfed.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { prefix, token: entry.token };
  }
  return best?.token;
}

/** The proxy for `url` under these settings, or undefined for a direct connection. */
export function proxyFor(url: URL, settings: Pick<NpmSettings, "httpsProxy" | "httpProxy" | "noProxy">): URL | undefined {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  for (const rawEntry of (settings.noProxy ?? "").split(/[,\s]+/)) {
    const entry = rawEntry.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return undefined;
    const [entryHost, entryPort] = entry.split(":");
    if (entryPort && entryPort !== (url.port || (url.protocol === "https:" ? "443" : "80"))) continue;
    const bare = entryHost!.replace(/^\*?\./, "");
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  const proxy = url.protocol === "https:" ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
  if (!proxy) return undefined;
  return new URL(proxy.includes("://") ? proxy : `http://${proxy}`);
}
