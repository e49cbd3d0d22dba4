// Context files: which ones are already part of the prompt (and so cannot be dropped), and
// how the others are laid into it. A neverSend file pasted into the chat box is still a
// neverSend file: content found inside the prompt counts as embedded, so the route check
// sees it, whatever the caller said.
import type { ChatMessage } from "../providers";
import type { ContextFile, GatewayRequest } from "./gatewayTypes";

/** Lines shorter than this are too common ("}", "import os") to tell that a file was pasted. */
const DISTINCTIVE_LINE = 16;

/** All the text the caller wrote into the request itself. */
export function promptText(request: GatewayRequest): string {
  const parts = (request.messages ?? []).map((m) => m.content);
  if (request.messages === undefined && request.prompt !== undefined) parts.push(request.prompt.text, request.prompt.suffix ?? "");
  return parts.join("\n");
}

/**
 * Files whose content is in the prompt already: declared `embedded`, every file of a raw
 * prompt (there is nowhere to add it), and any file whose content, or a distinctive line of
 * it, appears in the text.
 */
export function embeddedFiles(request: GatewayRequest): Set<ContextFile> {
  const files = request.files ?? [];
  const raw = request.messages === undefined;
  const text = promptText(request);
  return new Set(files.filter((f) => f.embedded === true || raw || appearsIn(f.content, text)));
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

/** Context files as a block the model can tell apart from the question. */
export function renderContextBlock(files: readonly { path: string; content: string }[]): string {
  return files.map((f) => `<file path=${JSON.stringify(f.path)}>\n${f.content}${f.content.endsWith("\n") ? "" : "\n"}</file>`).join("\n\n");
}

/** Adds the block in front of the last user message (or as a new one), so it sits next to the question it serves. */
export function withContext(messages: readonly ChatMessage[], block: string): ChatMessage[] {
  if (block === "") return [...messages];
  const out = [...messages];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i].role === "user") {
      out[i] = { role: "user", content: `${block}\n\n${out[i].content}` };
      return out;
    }
  }
  out.push({ role: "user", content: block });
  return out;
}
