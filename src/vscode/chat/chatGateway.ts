// The part of the Gateway the chat uses. countTokens/routeFor/thinking/onReasoning are the
// lead's gateway additions (briefs/gateway-api.md); until they are on this branch they are
// optional here and the chat falls back to an estimate / no context check.
import type { Feature, Route, RouteProvider } from "../../core/policy";
import type { GatewayRequest, GatewayResult } from "../../core/gateway";

export interface ChatGatewayRequest extends GatewayRequest {
  readonly thinking?: boolean;
  readonly onReasoning?: (text: string) => void;
}

export type RouteForResult =
  | { ok: true; route: Route; provider: RouteProvider; model: string; contextTokens: number | undefined; needsAsk: boolean }
  | { ok: false; code: string; reason: string };

export interface ChatGateway {
  request(request: GatewayRequest): Promise<GatewayResult>;
  countTokens?(texts: readonly string[], options: { feature: Feature; signal?: AbortSignal }): Promise<{ counts: number[]; exact: boolean }>;
  routeFor?(feature: Feature, preferred?: { route?: Route; model?: string }): Promise<RouteForResult>;
}

const CHARS_PER_TOKEN = 4;

/** Token counts with the model's tokenizer when the gateway can, else ~4 characters a token (exact: false). */
export async function countTokens(gateway: ChatGateway, texts: readonly string[], signal?: AbortSignal): Promise<{ counts: number[]; exact: boolean }> {
  if (gateway.countTokens !== undefined) return gateway.countTokens(texts, { feature: "chat", signal });
  return { counts: texts.map((text) => Math.ceil(text.length / CHARS_PER_TOKEN)), exact: false };
}
