// The part every fake vendor shares: a loopback HTTP server that records each request
// exactly as it arrived (raw body bytes included, to compare with the audit log's hash),
// checks the API key, and plays the scripted faults, one per request, in order. The vendor
// subclasses supply their wire format: error bodies and SSE frames.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Fault } from "./faults";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received (UTF-8). */
  readonly body: string;
  /** The body parsed, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** The SSE frames of one streamed answer, in the vendor's format. */
export interface StreamFrames {
  readonly head: readonly string[];
  piece(text: string): string;
  readonly tail: readonly string[];
  error(message: string, errorType?: string): string;
}

export abstract class FakeCloudServer {
  /** Every request received, in order, faulted ones included. */
  readonly requests: RecordedRequest[] = [];
  /** The answer's text; it is streamed in word-sized pieces. */
  answer: string | ((request: RecordedRequest) => string) = "Hello from the fake cloud, streamed in pieces.";
  /** The key a request must carry; undefined accepts any. */
  apiKey: string | undefined;
  /** Responses the client walked away from before they were finished (cancelled, timed out). */
  disconnects = 0;
  /** Pause between streamed pieces, so a client sees them as separate chunks. */
  pieceDelayMs = 1;
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private server: Server | undefined;
  private origin = "";

  /** The vendor's name, for messages. */
  abstract readonly vendor: string;
  /** The base URL an SDK is given (`http://127.0.0.1:port/v1` for OpenAI's shape). */
  abstract get baseUrl(): string;
  protected abstract isKnownRoute(method: string, path: string): boolean;
  protected abstract isAuthorized(headers: IncomingHttpHeaders): boolean;
  protected abstract errorBody(status: number, message: string, code?: string): object;
  protected abstract streamFrames(request: RecordedRequest, usage: { promptTokens: number; completionTokens: number }): StreamFrames;
  protected abstract wholeAnswer(request: RecordedRequest, text: string, usage: { promptTokens: number; completionTokens: number }): object;

  get address(): string {
    return this.origin;
  }

  /** `port` 0 picks a free one; a test that "restarts" a server passes the port it had. */
  async start(port = 0): Promise<this> {
    this.stopping = false;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket) => {
      if (this.stopping) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * Stops listening and cuts every connection, including one accepted while stopping (a
   * client retrying at that moment would otherwise keep `close` waiting for ever).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    const closed = new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
    for (const socket of this.sockets) socket.destroy();
    this.server?.closeAllConnections();
    await closed;
  }

  /** The next requests meet these faults, one each, in order; later requests are answered normally. */
  failNext(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  /** Forgets recorded requests and pending faults. */
  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.disconnects = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const request: RecordedRequest = { method: req.method ?? "", path: (req.url ?? "/").split("?")[0], headers: req.headers, body, json: parseJson(body) };
    this.requests.push(request);

    if (!this.isKnownRoute(request.method, request.path)) return this.sendError(res, 404, `Unknown route ${request.method} ${request.path}`);
    if (!this.isAuthorized(req.headers)) return this.sendError(res, 401, `Incorrect API key provided to the fake ${this.vendor}`, "invalid_api_key");

    const fault = this.faults.shift();
    if (fault?.kind === "status") return this.sendError(res, fault.status, fault.message ?? `HTTP ${fault.status}`, fault.code, fault.headers);
    if (fault?.kind === "hangUp") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow" && !(await this.wait(fault.ms, res))) return;

    const text = typeof this.answer === "function" ? this.answer(request) : this.answer;
    const pieces = text.match(/\s*\S+/g) ?? [];
    const usage = { promptTokens: Math.ceil(body.length / 4), completionTokens: pieces.length };
    const streaming = typeof request.json === "object" && request.json !== null && (request.json as { stream?: unknown }).stream === true;
    if (!streaming) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(this.wholeAnswer(request, text, usage)));
      return;
    }

    const frames = this.streamFrames(request, usage);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    for (const frame of frames.head) res.write(frame);
    const stopAt = fault !== undefined && "afterPieces" in fault ? fault.afterPieces : Infinity;
    for (let i = 0; i < pieces.length; i++) {
      if (i === stopAt) break;
      res.write(frames.piece(pieces[i]));
      if (this.pieceDelayMs > 0 && !(await this.wait(this.pieceDelayMs, res))) return;
    }
    switch (fault?.kind) {
      case "drop":
        // Let the pieces already written reach the client, then cut the connection mid-response.
        if (await this.wait(20, res)) res.socket?.destroy();
        return;
      case "endEarly":
        res.end();
        return;
      case "stall":
        if (await this.wait(fault.ms, res)) res.end();
        return;
      case "streamError":
        res.end(frames.error(fault.message, fault.errorType));
        return;
      default:
        for (const frame of frames.tail) res.write(frame);
        res.end();
    }
  }

  private sendError(res: ServerResponse, status: number, message: string, code?: string, headers: Readonly<Record<string, string>> = {}): void {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(this.errorBody(status, message, code)));
  }

  /** Waits, unless the client goes away first; resolves whether the response is still wanted. */
  private wait(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = (): void => {
        this.disconnects++;
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        res.off("close", onClose);
        resolve(!res.destroyed);
      }, ms);
      this.timers.add(timer);
      res.once("close", onClose);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
