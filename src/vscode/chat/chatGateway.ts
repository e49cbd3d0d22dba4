// The part of the Gateway the chat uses: narrow, so the session can be built on any gateway
// (the extension's, or one a test builds with createGateway).
import type { Gateway } from "../../core/gateway";

export type ChatGateway = Pick<Gateway, "request" | "countTokens" | "routeFor">;

/** Token counts with the model's tokenizer when the local server can, else an estimate (exact: false). */
export function countTokens(gateway: ChatGateway, texts: readonly string[], signal?: AbortSignal): Promise<{ counts: number[]; exact: boolean }> {
  return gateway.countTokens(texts, { feature: "chat", signal });
}
