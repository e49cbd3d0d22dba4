import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** An error that becomes an OpenAI-shaped HTTP error response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorBody(error: HttpError): { error: { message: string; type: string; param: string | null; code: string | null } } {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, error.status, errorBody(error));
}

/** Reads a JSON body, refusing it with 413 as soon as it passes the limit. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limitBytes) throw new HttpError(413, `Request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes.`, "invalid_request_error", null, "body_too_large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new HttpError(413, `Request body exceeds the limit of ${limitBytes} bytes.`, "invalid_request_error", null, "body_too_large");
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function tokensMatch(expected: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The `Host` header must name the address the server is bound to. A web page that
 * rebinds its own DNS name to 127.0.0.1 still sends its own name here, so this refuses
 * DNS-rebinding requests even before the token check.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (!hostHeader) return false;
  const lastColon = hostHeader.lastIndexOf(":");
  const name = lastColon > hostHeader.lastIndexOf("]") ? hostHeader.slice(0, lastColon) : hostHeader;
  const headerPort = lastColon > hostHeader.lastIndexOf("]") ? hostHeader.slice(lastColon + 1) : "80";
  if (headerPort !== String(port)) return false;
  if (boundHost === "0.0.0.0" || boundHost === "::") return true;
  if (LOOPBACK_HOSTS.has(boundHost)) return LOOPBACK_HOSTS.has(name.toLowerCase());
  return name.toLowerCase() === boundHost.toLowerCase();
}
