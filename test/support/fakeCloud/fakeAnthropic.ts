// A loopback server in Anthropic's Messages wire format: `POST /v1/messages` with
// the key (`x-api-key`, or a bearer token as SDK 1.x sends it) and `anthropic-version`, streamed as typed SSE events
// (message_start, content_block_start, ping, content_block_delta…, content_block_stop,
// message_delta, message_stop), errors as `{"type": "error", "error": {type, message}}`.
import type { IncomingHttpHeaders } from "node:http";
import { FakeCloudServer, type RecordedRequest, type StreamFrames } from "./fakeCloudServer";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export class FakeAnthropic extends FakeCloudServer {
  readonly vendor = "Anthropic";
  private sequence = 0;

  get baseUrl(): string {
    return this.address;
  }

  protected isKnownRoute(method: string, path: string): boolean {
    return method === "POST" && path === "/v1/messages";
  }

  protected isAuthorized(headers: IncomingHttpHeaders): boolean {
    if (typeof headers["anthropic-version"] !== "string") return false;
    // SDK 1.x sends the key as a bearer token; older clients send x-api-key. The API takes either.
    return this.apiKey === undefined || headers["x-api-key"] === this.apiKey || headers.authorization === `Bearer ${this.apiKey}`;
  }

  protected errorBody(status: number, message: string): object {
    return { type: "error", error: { type: ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"), message } };
  }

  protected streamFrames(request: RecordedRequest, usage: { promptTokens: number; completionTokens: number }): StreamFrames {
    const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    return {
      head: [
        event("message_start", {
          message: { id: `msg_fake${++this.sequence}`, type: "message", role: "assistant", content: [], model: modelOf(request), stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.promptTokens, output_tokens: 1 } },
        }),
        event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        event("ping", {}),
      ],
      piece: (text) => event("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
      tail: [
        event("content_block_stop", { index: 0 }),
        event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: usage.completionTokens } }),
        event("message_stop", {}),
      ],
      error: (message, errorType) => event("error", { error: { type: errorType ?? "overloaded_error", message } }),
    };
  }

  protected wholeAnswer(request: RecordedRequest, text: string, usage: { promptTokens: number; completionTokens: number }): object {
    return {
      id: `msg_fake${++this.sequence}`,
      type: "message",
      role: "assistant",
      model: modelOf(request),
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
    };
  }
}

function modelOf(request: RecordedRequest): string {
  const model = (request.json as { model?: unknown } | undefined)?.model;
  return typeof model === "string" ? model : "claude-fake";
}
