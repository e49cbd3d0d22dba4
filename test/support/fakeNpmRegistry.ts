// A loopback npm registry for the GPU package downloader: serves packuments and .tgz
// tarballs (built here with a small tar writer, laid out like node-llama-cpp's binary
// packages) with Range support, and misbehaves on request: 404, a cut-off body, a body that
// stalls until the test releases it, a server that ignores Range. It also offers a
// forwarding HTTP proxy that counts what passed through it.
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

export interface TarEntry {
  path: string;
  content?: Buffer | string;
  /** "0" file (default), "5" folder, "2" symlink, "1" hard link. */
  type?: "0" | "5" | "2" | "1";
  linkName?: string;
  mode?: number;
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

/** A ustar archive of `entries`, ending in two zero blocks. */
export function makeTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.content === undefined ? Buffer.alloc(0) : Buffer.from(entry.content);
    const header = Buffer.alloc(512);
    header.write(entry.path, 0, 100, "utf8");
    header.write(octal(entry.mode ?? (entry.type === "5" ? 0o755 : 0o644), 8), 100, "ascii");
    header.write(octal(0, 8), 108, "ascii");
    header.write(octal(0, 8), 116, "ascii");
    header.write(octal(content.length, 12), 124, "ascii");
    header.write(octal(0, 12), 136, "ascii");
    header.write("        ", 148, "ascii");
    header.write(entry.type ?? "0", 156, "ascii");
    if (entry.linkName) header.write(entry.linkName, 157, 100, "utf8");
    header.write("ustar\0", 257, "ascii");
    header.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(octal(sum, 7) + " ", 148, "ascii");
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function sri(data: Buffer): string {
  return `sha512-${createHash("sha512").update(data).digest("base64")}`;
}

/** A tarball laid out like `@node-llama-cpp/linux-x64-cuda`: package.json, dist/, bins/<folder>/. */
/** Incompressible bytes from a fixed seed (xorshift32), so a tarball's size is its content's. */
export function binaryContent(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export function binaryPackageTarball(name: string, version: string, folder: string, binaryBytes = 200_000): Buffer {
  const binary = binaryContent(binaryBytes);
  return gzipSync(makeTar([
    { path: "package/package.json", content: JSON.stringify({ name, version, main: "dist/index.js", type: "module" }) },
    { path: "package/dist/index.js", content: "export function getBinsDir() { return {}; }\n" },
    { path: "package/bins/", type: "5" },
    { path: `package/bins/${folder}/_nlcBuildMetadata.json`, content: JSON.stringify({ buildOptions: { gpu: "cuda" } }) },
    { path: `package/bins/${folder}/llama-addon.node`, content: binary, mode: 0o755 },
  ]));
}

export type TarballBehaviour =
  | { kind: "ok" }
  | { kind: "missing" }
  /** Announces the full length, sends `afterBytes`, then drops the connection. */
  | { kind: "truncate"; afterBytes: number }
  /** Sends `afterBytes`, then waits until `release()` (or the client leaves). */
  | { kind: "stall"; afterBytes: number }
  /** Answers every request with the whole file (200), ignoring Range. */
  | { kind: "ignoreRange" };

interface Published {
  name: string;
  version: string;
  tarball: Buffer;
  integrity: string;
  unpackedSize?: number;
  behaviour: TarballBehaviour;
}

export interface RequestRecord {
  url: string;
  range?: string;
  status: number;
  bytesSent: number;
}

export class FakeNpmRegistry {
  readonly requests: RequestRecord[] = [];
  private readonly packages = new Map<string, Published>();
  private readonly stalled = new Set<() => void>();
  /** When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  requiredToken?: string;
  private server?: http.Server;
  private base = "";

  get url(): string {
    return this.base;
  }

  publish(name: string, version: string, tarball: Buffer, options: { integrity?: string; unpackedSize?: number; behaviour?: TarballBehaviour } = {}): void {
    this.packages.set(name, { name, version, tarball, integrity: options.integrity ?? sri(tarball), unpackedSize: options.unpackedSize, behaviour: options.behaviour ?? { kind: "ok" } });
  }

  setBehaviour(name: string, behaviour: TarballBehaviour): void {
    this.packages.get(name)!.behaviour = behaviour;
  }

  tarballPath(name: string, version: string): string {
    return `/tarballs/${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
  }

  /** Lets every stalled response finish. */
  release(): void {
    for (const resume of [...this.stalled]) resume();
  }

  /** Listens on loopback; with `tls` (PEM key and certificate) it serves HTTPS. */
  async start(tls?: { key: string; cert: string }): Promise<void> {
    const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => this.handle(request, response);
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `${tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = decodeURIComponent(request.url ?? "/");
    const record: RequestRecord = { url: request.url ?? "/", ...(request.headers.range ? { range: request.headers.range } : {}), status: 0, bytesSent: 0 };
    this.requests.push(record);
    const reply = (status: number, body: string | Buffer, headers: Record<string, string | number> = {}): void => {
      record.status = status;
      record.bytesSent = Buffer.byteLength(body);
      response.writeHead(status, headers).end(body);
    };
    if (this.requiredToken !== undefined && request.headers.authorization !== `Bearer ${this.requiredToken}`) {
      reply(401, JSON.stringify({ error: "authentication required" }), { "content-type": "application/json" });
      return;
    }
    const byPackument = this.packages.get(url.slice(1));
    if (byPackument) {
      const versions = { [byPackument.version]: { name: byPackument.name, version: byPackument.version, dist: { tarball: new URL(this.tarballPath(byPackument.name, byPackument.version), this.base).href, integrity: byPackument.integrity, ...(byPackument.unpackedSize ? { unpackedSize: byPackument.unpackedSize } : {}) } } };
      reply(200, JSON.stringify({ name: byPackument.name, "dist-tags": { latest: byPackument.version }, versions }), { "content-type": "application/json" });
      return;
    }
    const published = [...this.packages.values()].find((entry) => this.tarballPath(entry.name, entry.version) === url);
    if (!published || published.behaviour.kind === "missing") {
      reply(404, JSON.stringify({ error: "Not found" }), { "content-type": "application/json" });
      return;
    }
    const data = published.tarball;
    const behaviour = published.behaviour;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    let start = 0;
    if (range && behaviour.kind !== "ignoreRange") {
      start = Number(range[1]);
      if (start >= data.length) {
        reply(416, "", { "content-range": `bytes */${data.length}` });
        return;
      }
      record.status = 206;
      response.writeHead(206, { "content-type": "application/octet-stream", "content-length": data.length - start, "content-range": `bytes ${start}-${data.length - 1}/${data.length}` });
    } else {
      record.status = 200;
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": data.length });
    }
    const body = data.subarray(start);
    if (behaviour.kind === "truncate") {
      const first = body.subarray(0, Math.max(0, behaviour.afterBytes - start));
      record.bytesSent = first.length;
      response.write(first, () => response.destroy());
      return;
    }
    if (behaviour.kind === "stall") {
      const first = body.subarray(0, Math.max(0, behaviour.afterBytes - start));
      record.bytesSent = first.length;
      response.write(first);
      const resume = (): void => {
        this.stalled.delete(resume);
        record.bytesSent = body.length;
        response.end(body.subarray(first.length));
      };
      this.stalled.add(resume);
      response.once("close", () => this.stalled.delete(resume));
      return;
    }
    record.bytesSent = body.length;
    response.end(body);
  }
}

/** A forwarding HTTP proxy on loopback (absolute-URI requests and CONNECT tunnels) that records what passed. */
export class FakeProxy {
  readonly forwarded: string[] = [];
  readonly tunnels: string[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server?: http.Server;
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      this.forwarded.push(request.url ?? "");
      const target = new URL(request.url ?? "");
      const upstream = http.request(target, { method: request.method, headers: { ...request.headers, host: target.host } }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.once("error", () => response.destroy());
      request.pipe(upstream);
    });
    this.server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.tunnels.push(request.url ?? "");
      const [host, port] = (request.url ?? "").split(":");
      const upstream = net.connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
        socket.once("error", () => socket.destroy());
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
