// What the webview accepts from the extension, checked by hand: the protocol's zod schemas
// (src/shared/chatProtocol.ts) would bring zod's 450 KB into the webview for six message
// kinds. The extension validates with zod what it receives; this checks the shape the
// renderer relies on (types of every field it reads) and drops anything else.
import type { Chat, ChatTurn, ToWebview } from "../../src/shared/chatProtocol";
import { WEBVIEW_STRING_KEYS } from "../../src/shared/webviewStringKeys";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const optStr = (v: unknown): boolean => v === undefined || isStr(v);

function isTurn(v: unknown): v is ChatTurn {
  if (!isObj(v) || !isStr(v.id) || (v.role !== "user" && v.role !== "assistant") || !isStr(v.text) || !optStr(v.reasoning) || !optStr(v.error)) return false;
  if (v.stopped !== undefined && typeof v.stopped !== "boolean") return false;
  if (v.attachments !== undefined && !(Array.isArray(v.attachments) && v.attachments.every(isStr))) return false;
  if (v.meta !== undefined) {
    const m = v.meta;
    if (!isObj(m) || !["local", "selfHosted", "cloud"].includes(m.route as string) || !isStr(m.provider) || !isStr(m.model) || !optStr(m.auditId) || !optStr(m.reason)) return false;
  }
  return true;
}

function isChat(v: unknown): v is Chat {
  return isObj(v) && isStr(v.id) && isStr(v.title) && typeof v.thinking === "boolean" && Array.isArray(v.turns) && v.turns.every(isTurn);
}

export function parseToWebview(v: unknown): ToWebview | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case "init":
      return isObj(v.strings) && WEBVIEW_STRING_KEYS.every((k) => isStr((v.strings as Obj)[k])) && isStr(v.language) ? (v as ToWebview) : undefined;
    case "state": {
      const historyOk = Array.isArray(v.history) && v.history.every((h) => isObj(h) && isStr(h.id) && isStr(h.title));
      const chipsOk = Array.isArray(v.attachments) && v.attachments.every((a) => isObj(a) && isStr(a.id) && isStr(a.label) && ["selection", "file", "repo"].includes(a.kind as string) && (a.tokens === undefined || typeof a.tokens === "number") && optStr(a.problem));
      return isChat(v.chat) && historyOk && chipsOk && typeof v.busy === "boolean" ? (v as ToWebview) : undefined;
    }
    case "delta":
    case "reasoning":
      return isStr(v.turnId) && isStr(v.text) ? (v as ToWebview) : undefined;
    case "notice":
      return isStr(v.message) && (v.level === "info" || v.level === "error") ? (v as ToWebview) : undefined;
    case "focusInput":
      return v as ToWebview;
    default:
      return undefined;
  }
}
