// VS Code's message parts and tools in Hearth's plain words (src/core/lm), and Hearth's
// answer back as VS Code's parts. Parts are recognised by class, and by shape where the
// class is not this VS Code's own (a part another extension built from a copy of the API).
import * as vscode from "vscode";
import type { LmMessage, LmPart, LmToolCall } from "../../core/lm";
import type { ToolSpec } from "../../core/model";
import type { LanguageModelChatRequestMessage, LanguageModelResponsePart } from "./chatProviderApi";

/** VS Code's proposed System role (3): finalised VS Code has only User (1) and Assistant (2). */
const SYSTEM_ROLE = 3;

export function toLmMessage(message: LanguageModelChatRequestMessage): LmMessage {
  const role = message.role === vscode.LanguageModelChatMessageRole.Assistant ? "assistant" : (message.role as number) === SYSTEM_ROLE ? "system" : "user";
  return { role, parts: message.content.flatMap((part): LmPart[] => toLmPart(part)) };
}

function toLmPart(part: unknown): LmPart[] {
  if (part instanceof vscode.LanguageModelTextPart) return [{ kind: "text", text: part.value }];
  if (part instanceof vscode.LanguageModelToolCallPart) return [{ kind: "toolCall", callId: part.callId, name: part.name, input: part.input }];
  if (part instanceof vscode.LanguageModelToolResultPart) return [{ kind: "toolResult", callId: part.callId, text: resultText(part.content) }];
  const shape = part as { value?: unknown; callId?: unknown; name?: unknown; input?: unknown; content?: unknown } | null;
  if (typeof shape !== "object" || shape === null) return [];
  if (typeof shape.callId === "string" && typeof shape.name === "string") return [{ kind: "toolCall", callId: shape.callId, name: shape.name, input: shape.input }];
  if (typeof shape.callId === "string" && Array.isArray(shape.content)) return [{ kind: "toolResult", callId: shape.callId, text: resultText(shape.content) }];
  if (typeof shape.value === "string") return [{ kind: "text", text: shape.value }];
  // Images and other data the model cannot read are left out.
  return [];
}

/** A tool's result as the model reads it: its text parts, text and JSON data decoded; other data left out. */
export function resultText(content: readonly unknown[]): string {
  const texts: string[] = [];
  for (const item of content) {
    if (item instanceof vscode.LanguageModelTextPart) texts.push(item.value);
    else if (item instanceof vscode.LanguageModelPromptTsxPart) texts.push(JSON.stringify(item.value));
    else {
      const data = item as { value?: unknown; mimeType?: unknown; data?: unknown } | null;
      if (typeof data?.value === "string") texts.push(data.value);
      else if (typeof data?.mimeType === "string" && data.data instanceof Uint8Array && /^text\/|json/.test(data.mimeType)) texts.push(new TextDecoder().decode(data.data));
    }
  }
  return texts.join("");
}

/** The caller's tools; a schema that is not an object is left out (the tool then takes no arguments). */
export function toToolSpecs(tools: readonly vscode.LanguageModelChatTool[] | undefined): ToolSpec[] {
  return (tools ?? []).map((tool) => {
    const schema = tool.inputSchema;
    const parameters = typeof schema === "object" && schema !== null && !Array.isArray(schema) ? (schema as Record<string, unknown>) : undefined;
    return { name: tool.name, description: tool.description ?? "", ...(parameters !== undefined ? { parameters } : {}) };
  });
}

export function textPart(text: string): LanguageModelResponsePart {
  return new vscode.LanguageModelTextPart(text);
}

export function toolCallPart(call: LmToolCall): LanguageModelResponsePart {
  return new vscode.LanguageModelToolCallPart(call.callId, call.name, call.input);
}
