// A loopback stand-in for the Hugging Face endpoints node-llama-cpp's downloader uses (point
// HF_ENDPOINT at it): the v2 manifest that resolves `hf:<owner>/<repo>:<quant>` to a file, and
// `resolve/main/<file>` with HEAD and Range support (what a resumed download needs). It can
// stall a response part way, so a test cancels at a byte count decided by events, not time.
// It can also say a file's SHA-256 (right or wrong) in `x-linked-etag`, as the real hub does,
// optionally on a 302 to a `/cdn/` URL that serves the bytes.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HubFile {
  /** "hearth/Tiny-GGUF". */
  readonly repo: string;
  /** The tag in the URI ("F32" in hf:hearth/Tiny-GGUF:F32). */
  readonly quant: string;
  readonly fileName: string;
  readonly bytes: Buffer;
}

export interface FakeModelHub {
  readonly endpoint: string;
  /** "GET /path bytes=0-" per request, in order. */
  readonly requests: string[];
  /**
   * A response for a range starting below `stallBelow` sends its first `stallAfter` bytes and
   * then nothing until the client goes away.
   */
  stallAfter: number;
  stallBelow: number;
  /**
   * While set, a GET with a Range header (the downloader's body requests, not its probe)
   * waits for it before answering: a download holds part way until the test says go on.
   */
  gate: Promise<void> | undefined;
  /**
   * What `x-linked-etag` says on HEAD and GET of a file's resolve URL: undefined (the default)
   * sends none; "sha256" sends the file's SHA-256 in quotes; any other text is sent as it is.
   */
  linkedEtag: string | undefined;
  /**
   * Resolve URLs answer 302 to `/cdn/<repo>/<file>` (which serves the bytes, without the
   * header), as the real hub does for LFS files; `x-linked-etag` comes on the 302 only.
   */
  redirectToCdn: boolean;
  /** A Content-Disposition for the file's responses (a server naming the file it sends). */
  contentDisposition: string | undefined;
  /** Responses held open by a stall, to end when the hub closes. */
  close(): Promise<void>;
}

export async function startFakeModelHub(files: readonly HubFile[]): Promise<FakeModelHub> {
  const hub = {
    endpoint: "",
    requests: [] as string[],
    stallAfter: Infinity,
    stallBelow: 0,
    gate: undefined as Promise<void> | undefined,
    linkedEtag: undefined as string | undefined,
    redirectToCdn: false,
    contentDisposition: undefined as string | undefined,
    close: async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    hub.requests.push(`${req.method} ${req.url} ${req.headers.range ?? ""}`.trim());
    const url = new URL(req.url ?? "/", "http://x");
    const manifest = files.find((file) => url.pathname === `/v2/${file.repo}/manifests/${file.quant}`);
    if (manifest) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ggufFile: { rfilename: manifest.fileName, size: manifest.bytes.length } }));
      return;
    }
    const resolved = files.find((candidate) => url.pathname === `/${candidate.repo}/resolve/main/${candidate.fileName}`);
    const file = resolved ?? (hub.redirectToCdn ? files.find((candidate) => url.pathname === `/cdn/${candidate.repo}/${candidate.fileName}`) : undefined);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const linkedEtag: Record<string, string> = resolved && hub.linkedEtag !== undefined ? { "x-linked-etag": hub.linkedEtag === "sha256" ? `"${createHash("sha256").update(file.bytes).digest("hex")}"` : hub.linkedEtag } : {};
    if (resolved && hub.redirectToCdn) {
      res.writeHead(302, { location: `/cdn/${file.repo}/${file.fileName}`, ...linkedEtag }).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    if (hub.gate !== undefined && range && req.method === "GET") void hub.gate.then(() => serveFile(req, res, file, range, linkedEtag));
    else serveFile(req, res, file, range, linkedEtag);
  });
  const serveFile = (req: IncomingMessage, res: ServerResponse, file: HubFile, range: RegExpExecArray | null, extraHeaders: Record<string, string>): void => {
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : file.bytes.length - 1;
    const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes", "content-length": String(end - start + 1), etag: `"${file.fileName}-1"`, ...(hub.contentDisposition !== undefined ? { "content-disposition": hub.contentDisposition } : {}), ...extraHeaders };
    res.writeHead(range ? 206 : 200, range ? { ...headers, "content-range": `bytes ${start}-${end}/${file.bytes.length}` } : headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const body = file.bytes.subarray(start, end + 1);
    if (start >= hub.stallBelow || body.length <= hub.stallAfter) {
      res.end(body);
      return;
    }
    // Left open on purpose: the client's cancel (or the hub's close) ends it.
    res.write(body.subarray(0, hub.stallAfter));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return hub;
}

/** `size` bytes that differ everywhere (so a chunk written at the wrong offset shows). */
export function patternedBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  return bytes;
}
