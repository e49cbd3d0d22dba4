// A GET that honours npm's proxy settings: plain-HTTP targets go through the proxy with an
// absolute URI, HTTPS targets through a CONNECT tunnel (TLS end to end with the registry).
// Redirects are followed (registries send tarballs to CDNs); the caller reads the body.
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import * as tls from "node:tls";
import { authTokenFor, proxyFor, type NpmSettings } from "./npmConfig.js";

export type ProxySettings = Pick<NpmSettings, "httpsProxy" | "httpProxy" | "noProxy" | "ca" | "strictSsl" | "authTokens">;

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  proxy?: ProxySettings;
  maxRedirects?: number;
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` };
}

function tlsOptions(target: URL, settings: ProxySettings | undefined): tls.ConnectionOptions {
  return {
    ...(isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
    ...(settings?.ca ? { ca: settings.ca } : {}),
    // npm's strict-ssl=false is not honoured here: what arrives is native code the server loads,
    // and its sha512 comes from the same connection. A private CA goes in npm's `cafile`.
  };
}

/**
 * A connection the binary and its hash may come over: TLS, or plain HTTP to this machine only.
 * Narrower than shared/loopback.s isLoopbackHost on purpose: `*.localhost` names go through the
 * resolver, and 0.0.0.0 is no registry address; only the literal loopback forms count here.
 */
function transportAllowed(url: URL): boolean {
  if (url.protocol === "https:") return true;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return url.protocol === "http:" && (host === "localhost" || host === "::1" || /^127\./.test(host));
}

function tunnel(proxy: URL, target: URL, settings: ProxySettings | undefined, signal: AbortSignal | undefined): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const port = target.port || "443";
    const request = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: "CONNECT",
      path: `${target.hostname}:${port}`,
      headers: { host: `${target.hostname}:${port}`, ...proxyAuthorization(proxy) },
      signal,
    });
    request.once("connect", (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`The proxy ${proxy.host} refused a tunnel to ${target.host} (HTTP ${response.statusCode}). Check https-proxy in ~/.npmrc or HTTPS_PROXY.`));
        return;
      }
      const secure = tls.connect({ socket, host: target.hostname, ...tlsOptions(target, settings) });
      secure.once("secureConnect", () => resolve(secure));
      secure.once("error", reject);
    });
    request.once("error", reject);
    request.end();
  });
}

function requestOnce(url: URL, options: GetOptions): Promise<http.IncomingMessage> {
  const proxy = options.proxy ? proxyFor(url, options.proxy) : undefined;
  // npm's rule: a registry token goes only to URLs under its //host/path/ (not to a CDN a redirect names).
  const token = options.proxy ? authTokenFor(url, options.proxy) : undefined;
  const headers = { "user-agent": "hearth-vscode (node-llama-cpp binary fetch)", ...options.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return new Promise((resolve, reject) => {
    const onResponse = (response: http.IncomingMessage): void => resolve(response);
    if (proxy && url.protocol === "http:") {
      const request = http.request({ host: proxy.hostname, port: proxy.port || 80, path: url.href, headers: { ...headers, host: url.host, ...proxyAuthorization(proxy) }, signal: options.signal }, onResponse);
      request.once("error", reject);
      request.end();
      return;
    }
    if (proxy) {
      tunnel(proxy, url, options.proxy, options.signal).then((socket) => {
        // An agent of its own whose only connection is the tunnel (a request's createConnection
        // option is ignored while an agent is in play).
        const agent = new https.Agent({ keepAlive: false });
        agent.createConnection = () => socket;
        const request = https.request(url, { headers, signal: options.signal, agent }, onResponse);
        request.once("error", reject);
        request.end();
      }, reject);
      return;
    }
    const request = url.protocol === "https:"
      ? https.request(url, { headers, signal: options.signal, ...tlsOptions(url, options.proxy) }, onResponse)
      : http.request(url, { headers, signal: options.signal }, onResponse);
    request.once("error", reject);
    request.end();
  });
}

/** GETs `url`, following up to `maxRedirects` redirects; the response is unread. */
export async function httpGet(url: string | URL, options: GetOptions = {}): Promise<{ response: http.IncomingMessage; url: URL }> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== "http:" && current.protocol !== "https:") throw new Error(`Refusing to fetch ${current.href}: only http and https are supported.`);
    // Also every redirect: an https registry that redirects to http would hand both the tarball and its hash to whoever is on the path.
    if (!transportAllowed(current)) throw new Error(`Refusing to fetch ${current.href} over plain HTTP: GPU binaries come only over HTTPS (or from this machine). Point npm's registry at an https:// address.`);
    const response = await requestOnce(current, options);
    const location = response.headers.location;
    if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400 && location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 5)) throw new Error(`Too many redirects fetching ${url.toString()}.`);
      current = new URL(location, current);
      continue;
    }
    return { response, url: current };
  }
}

/** Reads a whole (small) response body, refusing more than `maxBytes`. */
export async function readBody(response: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.destroy();
      throw new Error(`Response larger than ${maxBytes} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
