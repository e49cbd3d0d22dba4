import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LIMITS } from "../core/wire/hearthProtocol.js";

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

/**
 * Reads a JSON body, refusing it with 413 as soon as it passes the limit, and checking its
 * shape while it arrives (see JsonShapeScanner), so a hostile body is refused before the
 * parser spends seconds on it.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limitBytes) throw new HttpError(413, `Request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes (--max-body-mb).`, "invalid_request_error", null, "body_too_large");
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const scanner = new JsonShapeScanner();
    let size = 0;
    let settled = false;
    // Listeners, not `for await`: leaving that loop early destroys the request, and with it
    // the socket the refusal must go out on. A refused body keeps flowing, unread, until its
    // end or the server's request timeout.
    const stop = (error: unknown): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      req.off("data", onData);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) return stop(new HttpError(413, `Request body exceeds the limit of ${limitBytes} bytes (--max-body-mb).`, "invalid_request_error", null, "body_too_large"));
      try {
        scanner.push(chunk);
      } catch (error) {
        return stop(error);
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    // A client that leaves mid-body: the caller sees the request destroyed and logs it as such.
    req.on("error", stop);
    req.once("close", () => stop(new Error("client disconnected")));
  });
  if (text.trim() === "") throw new HttpError(400, "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Follows a JSON body byte by byte as it arrives, without parsing it: how deep its arrays
 * and objects nest, how many values they hold, and how many characters its strings have
 * (as JavaScript counts them). Each chunk is checked on arrival, so the limits hold before
 * JSON.parse runs: 15 MB of nested empty arrays took 5.8 s to parse on a loaded 2-core
 * machine, blocking every other request. Malformed JSON is left to JSON.parse.
 */
export class JsonShapeScanner {
  private depth = 0;
  private values = 0;
  private stringChars = 0;
  private inString = false;
  private escaped = false;
  private hexLeft = 0;

  constructor(private readonly limits: { depth: number; values: number; stringChars: number } = { depth: LIMITS.jsonDepth, values: LIMITS.jsonValues, stringChars: LIMITS.textChars + LIMITS.jsonValues * 8 }) {}

  push(bytes: Uint8Array): void {
    let { depth, values, stringChars, inString, escaped, hexLeft } = this;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (inString) {
        if (hexLeft > 0) hexLeft--;
        else if (escaped) {
          escaped = false;
          if (byte === 0x75) hexLeft = 4; // \uXXXX: one UTF-16 unit, counted at the backslash.
        } else if (byte === 0x5c) {
          escaped = true;
          stringChars++;
        } else if (byte === 0x22) inString = false;
        else if (byte < 0x80 || (byte >= 0xc0 && byte < 0xf0)) stringChars++;
        else if (byte >= 0xf0) stringChars += 2; // A 4-byte sequence is a surrogate pair.
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x5b || byte === 0x7b) {
        values++;
        if (++depth > this.limits.depth) throw new HttpError(400, `The request body nests arrays and objects deeper than ${this.limits.depth} levels (the server's limit); no request needs that.`, "invalid_request_error", null, "json_too_deep");
      } else if (byte === 0x5d || byte === 0x7d) depth--;
      else if (byte === 0x2c) values++;
    }
    if (values > this.limits.values) throw new HttpError(413, `The request body holds more than ${this.limits.values} JSON values (the server's limit); send fewer items.`, "invalid_request_error", null, "too_many_values");
    if (stringChars > this.limits.stringChars) throw new HttpError(413, `The request body's strings hold more than ${this.limits.stringChars} characters (the server's limit); send less text.`, "invalid_request_error", null, "text_too_long");
    this.depth = depth;
    this.values = values;
    this.stringChars = stringChars;
    this.inString = inString;
    this.escaped = escaped;
    this.hexLeft = hexLeft;
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
