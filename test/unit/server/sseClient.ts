// A small SSE client for the server tests: it sees every chunk the server sends, Hearth's
// `hearth.progress` ones included, which an SDK would hide or choke on.
import type { RunningServer } from "../../support/serverProcess";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  hearth?: { disk_tokens: number; timings: Record<"prepare_ms" | "queue_ms" | "restore_ms" | "prefill_ms" | "first_token_ms" | "generation_ms", number> };
}

export interface Progress {
  evaluated: number;
  total: number;
  cached: number;
  loading?: { step: "checking" | "loading"; bytes: number; totalBytes: number };
}

export interface StreamResult {
  status: number;
  headers: Headers;
  text: string;
  usage?: Usage;
  /** Every chunk in arrival order, as `progress`, `content` or `other`. */
  order: Array<"progress" | "content" | "other">;
  progress: Progress[];
  body: string;
}

export interface ChatBody {
  messages: Array<{ role: "system" | "user" | "assistant"; content: string }>;
  max_tokens?: number;
  hearth?: { role?: "chat" | "repo" | "completion"; progress?: boolean; persist?: boolean; repo?: string };
}

/** Streams a chat completion; `onProgress` may abort the request through `controller`. */
export async function streamChat(server: RunningServer, body: ChatBody, options: { controller?: AbortController; onProgress?: (progress: Progress) => void } = {}): Promise<StreamResult> {
  const response = await fetch(`${server.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify({ temperature: 0, seed: 1, max_tokens: 8, ...body, stream: true }),
    signal: options.controller?.signal,
  });
  const result: StreamResult = { status: response.status, headers: response.headers, text: "", order: [], progress: [], body: "" };
  if (!response.ok || response.body === null) {
    result.body = await response.text();
    return result;
  }
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      result.body += `${event}\n\n`;
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const chunk = JSON.parse(event.slice(6)) as { object?: string; hearth?: Progress; usage?: Usage; choices?: Array<{ delta?: { content?: string } }> };
      if (chunk.object === "hearth.progress" && chunk.hearth) {
        result.order.push("progress");
        result.progress.push(chunk.hearth);
        options.onProgress?.(chunk.hearth);
        continue;
      }
      const content = chunk.choices?.[0]?.delta?.content;
      if (content) {
        result.order.push("content");
        result.text += content;
      } else {
        result.order.push("other");
      }
      if (chunk.usage) result.usage = chunk.usage;
    }
  }
  return result;
}

export async function getJson<T>(server: RunningServer, path: string, method = "GET"): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${server.token}` } });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function tokenCount(server: RunningServer, content: string, role: "chat" | "repo" = "chat", parseSpecial = false): Promise<number> {
  const response = await fetch(`${server.baseUrl}/tokenize`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify({ content, role, parse_special: parseSpecial }),
  });
  return ((await response.json()) as { tokens: number[] }).tokens.length;
}
