// The runner's loopback control server: how a suite in the extension host asks for a
// browser action (a screenshot, the browser-driven tests). JSON over POST /<action>,
// guarded by a per-run token.
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { CONTROL_TOKEN_HEADER } from "./protocol";

export type ControlHandler = (body: unknown) => Promise<unknown>;

export class ControlServer {
  readonly token = randomUUID();
  private readonly handlers = new Map<string, ControlHandler>();
  private readonly server = http.createServer((req, res) => void this.serve(req, res));

  /** Listens on a free loopback port; returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets (or replaces) the handler for POST /<action>. */
  handle(action: string, handler: ControlHandler): void {
    this.handlers.set(action, handler);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || req.headers[CONTROL_TOKEN_HEADER] !== this.token) return reply(403, { error: "forbidden" });
    const handler = this.handlers.get((req.url ?? "").replace(/^\//, ""));
    if (!handler) return reply(404, { error: `no such action: ${req.url}` });
    try {
      let raw = "";
      for await (const chunk of req) raw += String(chunk);
      reply(200, await handler(raw ? (JSON.parse(raw) as unknown) : {}));
    } catch (err) {
      reply(500, { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
