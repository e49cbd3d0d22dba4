// A loopback server in OpenAI's wire format: `POST /v1/chat/completions` and
// `POST /v1/completions`, streamed as `data: {chunk}` lines in OpenAI's chunk shape
// (a role chunk, content deltas, a finish chunk, a usage chunk when asked, then
// `data: [DONE]`), errors as `{"error": {message, type, param, code}}`. It stands in for
// OpenAI, for a self-hosted vLLM / llama-server, and for a local server in tests.
import type { IncomingHttpHeaders } from "node:http";
import { FakeCloudServer, type RecordedRequest, type StreamFrames } from "./fakeCloudServer";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  403: "permission_error",
  404: "invalid_request_error",
  429: "rate_limit_exceeded",
};

export class FakeOpenAi extends FakeCloudServer {
  readonly vendor = "OpenAI";
  private sequence = 0;
  /** Thought text streamed as `delta.reasoning_content` before the answer (what Hearth's server sends with thinking on). */
  reasoning: string | ((request: RecordedRequest) => string | undefined) | undefined;

  get baseUrl(): string {
    return `${this.address}/v1`;
  }

  protected isKnownRoute(method: string, path: string): boolean {
    return method === "POST" && (path === "/v1/chat/completions" || path === "/v1/completions");
  }

  protected isAuthorized(headers: IncomingHttpHeaders): boolean {
    return this.apiKey === undefined || headers.authorization === `Bearer ${this.apiKey}`;
  }

  protected errorBody(status: number, message: string, code?: string): object {
    return { error: { message, type: ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"), param: null, code: code ?? null } };
  }

  protected streamFrames(request: RecordedRequest, usage: { promptTokens: number; completionTokens: number }): StreamFrames {
    const chat = request.path.endsWith("/chat/completions");
    const id = `${chat ? "chatcmpl" : "cmpl"}-fake${++this.sequence}`;
    const model = modelOf(request);
    const created = Math.floor(Date.now() / 1000);
    const object = chat ? "chat.completion.chunk" : "text_completion";
    const data = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
    const choice = (delta: { content?: string; role?: string }, finish: string | null): object =>
      chat ? { index: 0, delta, logprobs: null, finish_reason: finish } : { index: 0, text: delta.content ?? "", logprobs: null, finish_reason: finish };
    const thoughts = (typeof this.reasoning === "function" ? this.reasoning(request) : this.reasoning) ?? "";
    const wantsUsage = (request.json as { stream_options?: { include_usage?: boolean } } | undefined)?.stream_options?.include_usage === true;
    const usageBody = { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
    return {
      head: chat
        ? [
            data({ id, object, created, model, choices: [choice({ role: "assistant", content: "" }, null)] }),
            ...(thoughts.match(/\s*\S+/g) ?? []).map((piece) => data({ id, object, created, model, choices: [{ index: 0, delta: { reasoning_content: piece }, logprobs: null, finish_reason: null }] })),
          ]
        : [],
      piece: (text) => data({ id, object, created, model, choices: [choice({ content: text }, null)] }),
      tail: [
        data({ id, object, created, model, choices: [choice({}, "stop")] }),
        ...(wantsUsage ? [data({ id, object, created, model, choices: [], usage: usageBody })] : []),
        "data: [DONE]\n\n",
      ],
      error: (message, errorType) => data({ error: { message, type: errorType ?? "server_error", param: null, code: null } }),
    };
  }

  protected wholeAnswer(request: RecordedRequest, text: string, usage: { promptTokens: number; completionTokens: number }): object {
    const chat = request.path.endsWith("/chat/completions");
    return {
      id: `${chat ? "chatcmpl" : "cmpl"}-fake${++this.sequence}`,
      object: chat ? "chat.completion" : "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: modelOf(request),
      choices: [chat ? { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null } : { index: 0, text, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
    };
  }
}

function modelOf(request: RecordedRequest): string {
  const model = (request.json as { model?: unknown } | undefined)?.model;
  return typeof model === "string" ? model : "fake-model";
}
