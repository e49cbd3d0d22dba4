// Context files: which ones are already part of the prompt (and so cannot be dropped), and
// how the others are laid into it. A neverSend file pasted into the chat box is still a
// neverSend file: content found inside the prompt counts as embedded, so the route check
// sees it, whatever the caller said.
import type { ChatMessage } from "../model";
import type { ContextFile, GatewayRequest } from "./gatewayTypes";

/** Lines shorter than this are too common ("}", "import os") to tell that a file was pasted. */
const DISTINCTIVE_LINE = 16;

/** All the text the caller wrote into the request itself. */
export function promptText(request: GatewayRequest, separator = "\n"): string {
  const parts = (request.messages ?? []).map((m) => m.content);
  if (request.messages === undefined && request.prompt !== undefined) parts.push(request.prompt.text, request.prompt.suffix ?? "");
  return parts.join(separator);
}

/**
 * Files whose content is in the prompt already: declared `embedded`, every file of a raw
 * prompt (there is nowhere to add it), and any file whose content, or a distinctive line of
 * it, appears in the text.
 */
export function embeddedFiles(request: GatewayRequest): Set<ContextFile> {
  const files = request.files ?? [];
  const raw = request.messages === undefined;
  // Also joined without a break: a file pasted across two messages reads whole only so.
  const text = promptText(request);
  const joined = promptText(request, "");
  return new Set(files.filter((f) => f.embedded === true || raw || appearsIn(f.content, text) || appearsIn(f.content, joined)));
}

export function appearsIn(content: string, text: string): boolean {
  const whole = content.trim();
  if (whole === "" || text === "") return false;
  if (text.includes(whole)) return true;
  return content.split(/\r?\n/).some((line) => {
    const trimmed = line.trim();
    return trimmed.length >= DISTINCTIVE_LINE && text.includes(trimmed);
  });
}

/** One piece of a message: caller text or file content (`content`), or Hearth's wrapping around it. */
export interface MessagePart {
  readonly text: string;
  readonly content: boolean;
  /** The file a piece of content comes from: the redactor's hint for it. */
  readonly fileName?: string;
}

export interface PartedMessage {
  readonly role: ChatMessage["role"];
  readonly parts: readonly MessagePart[];
}

/**
 * Context files as a block the model can tell apart from the question, in parts: a file's
 * tag (with `shownPath`, the path as it may be shown) apart from its content.
 */
export function contextBlockParts(files: readonly { path: string; shownPath: string; content: string }[]): MessagePart[] {
  const parts: MessagePart[] = [];
  files.forEach((f, i) => {
    parts.push({ text: `${i > 0 ? "\n\n" : ""}<file path=${JSON.stringify(f.shownPath)}>\n`, content: false });
    parts.push({ text: f.content, content: true, fileName: f.path });
    parts.push({ text: `${f.content.endsWith("\n") ? "" : "\n"}</file>`, content: false });
  });
  return parts;
}

/** Adds the block in front of the last user message (or as a new one), so it sits next to the question it serves. */
export function withContextParts(messages: readonly PartedMessage[], block: readonly MessagePart[]): PartedMessage[] {
  if (block.length === 0) return [...messages];
  const out = [...messages];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i].role === "user") {
      out[i] = { role: "user", parts: [...block, { text: "\n\n", content: false }, ...out[i].parts] };
      return out;
    }
  }
  out.push({ role: "user", parts: block });
  return out;
}
