// The messages for each edit command: a system message that sets the rules (only the
// replacement, in one fenced block), and a user message with the file's name and language,
// the surrounding code for context, the target inside a fence long enough to hold it, and
// what to do. Thinking stays off: these answers are rewrites, not puzzles, and a thought
// block would only delay the first visible line.
import type { ChatMessage } from "../model";
import { EDIT_KINDS, type EditKind } from "./editKinds";
import { fenceFor } from "./extract";
import type { CodeLanguage } from "./languages";

export interface EditPromptInput {
  readonly kind: EditKind;
  /** VS Code language id of the document. */
  readonly languageId: string;
  /** Workspace-relative path (or file name) of the document. */
  readonly path: string;
  /** The text to work on. */
  readonly target: string;
  /** True when the target is the whole file (no surrounding context to show). */
  readonly wholeFile: boolean;
  /** Code just before and after the target, for context only. */
  readonly before?: string;
  readonly after?: string;
  /** Refactor: what the user asked for. */
  readonly instruction?: string;
  /** Fix: the diagnostics on the target, one per line ("line 3: error: …"). */
  readonly diagnostics?: readonly string[];
  /** Translations: the target natural language's English name ("Japanese"). */
  readonly targetLanguage?: string;
  /** Translate code: the target programming language. */
  readonly codeLanguage?: CodeLanguage;
  /** Glossary rules from the guards module (already in words for the model). */
  readonly glossary?: string;
}

/** Lines of context on each side of a partial target, and their size limit. */
export const CONTEXT_LINES = 30;
export const CONTEXT_CHARS = 2400;

const RULES = [
  "You are Hearth, a careful coding assistant inside the user's editor.",
  "Answer with ONLY the requested text inside ONE fenced code block, using exactly the fence the user's message shows.",
  "No explanation, no notes, nothing before or after the block.",
];

export function buildEditMessages(input: EditPromptInput): ChatMessage[] {
  const fence = fenceFor(`${input.target}\n${input.before ?? ""}\n${input.after ?? ""}`);
  const info = fenceInfo(input.languageId);
  const parts: string[] = [`File: ${input.path} (${input.languageId})`];
  if (!input.wholeFile && (input.before ?? "").trim() !== "") parts.push(`Code before the part to work on (context only, do not repeat it):\n${fence}${info}\n${input.before}\n${fence}`);
  if (!input.wholeFile && (input.after ?? "").trim() !== "") parts.push(`Code after the part to work on (context only, do not repeat it):\n${fence}${info}\n${input.after}\n${fence}`);
  parts.push(`${input.wholeFile ? "The whole file" : "The part to work on"}:\n${fence}${info}\n${input.target}\n${fence}`);
  parts.push(task(input, fence));
  if (input.glossary !== undefined && input.glossary.trim() !== "") parts.push(`Glossary (follow it exactly):\n${input.glossary.trim()}`);
  return [
    { role: "system", content: [...RULES, ...systemExtra(input.kind)].join("\n") },
    { role: "user", content: parts.join("\n\n") },
  ];
}

/** Explain answers in prose (Markdown), so it has its own rules. */
export function buildExplainMessages(input: Omit<EditPromptInput, "kind">): ChatMessage[] {
  const fence = fenceFor(input.target);
  const language = input.targetLanguage ?? "English";
  return [
    {
      role: "system",
      content: `You are Hearth, a careful coding assistant inside the user's editor. Explain code clearly and briefly in ${language}, in Markdown: what it does, how, and anything surprising or risky.`,
    },
    {
      role: "user",
      content: [
        `File: ${input.path} (${input.languageId})`,
        `${input.wholeFile ? "The whole file" : "The code to explain"}:\n${fence}${fenceInfo(input.languageId)}\n${input.target}\n${fence}`,
        "Explain this code.",
      ].join("\n\n"),
    },
  ];
}

function task(input: EditPromptInput, fence: string): string {
  const answerAs = (info: string): string => `Answer with the result in one block: its first line is ${fence}${info} and its last line is ${fence}`;
  const same = answerAs(fenceInfo(input.languageId));
  const keep = "Keep the indentation style and line structure of the original where you can.";
  switch (input.kind) {
    case "refactor":
      return `Rewrite the part to work on as follows: ${input.instruction?.trim() || "improve it"}.\nChange only what that asks for; keep its behaviour otherwise. ${keep}\n${same}`;
    case "document":
      return `Add documentation comments (the usual doc-comment style of ${input.languageId}) to the functions, classes and non-obvious parts, and return the part with them added. Do not change any code. ${keep}\n${same}`;
    case "fix": {
      const problems = (input.diagnostics ?? []).length > 0 ? `The editor reports:\n${(input.diagnostics ?? []).map((d) => `- ${d}`).join("\n")}` : "The editor reports no problem here; fix any bug you can see.";
      return `${problems}\nFix these problems in the part to work on, changing as little as possible. ${keep}\n${same}`;
    }
    case "tests":
      return `Write unit tests for the part to work on, in ${input.languageId}, with the test framework this kind of project most likely uses. Return a complete test file.\n${same}`;
    case "translateComments":
      return `Translate every comment and documentation comment in the part to work on into ${input.targetLanguage ?? "English"}. Leave all code, identifiers, string literals and whitespace exactly as they are: change comment text only.\n${same}`;
    case "translateCode": {
      const target = input.codeLanguage;
      const name = target?.name ?? "TypeScript";
      return `Translate this ${input.languageId} code into idiomatic ${name} that does the same thing. Keep names recognisable and keep the comments (translated into ${name} comment syntax).\n${answerAs(target?.fence ?? "")}`;
    }
    case "translateDocument":
      return [
        `Translate the prose of this document into ${input.targetLanguage ?? "English"}.`,
        "Keep byte-identical: code blocks and inline code, link and image targets (URLs), front matter, HTML tags, and the Markdown structure (headings, lists, tables, blank lines).",
        "Keep product names and identifiers as they are.",
        same,
      ].join("\n");
    case "explain":
      return "Explain this code.";
  }
}

function systemExtra(kind: EditKind): string[] {
  if (kind === "translateComments" || kind === "translateDocument") return ["You are also a professional technical translator: natural, accurate, consistent terminology."];
  return [`Task: ${EDIT_KINDS[kind].title}.`];
}

const FENCE_INFO: Readonly<Record<string, string>> = {
  typescript: "ts",
  typescriptreact: "tsx",
  javascript: "js",
  javascriptreact: "jsx",
  plaintext: "text",
};

function fenceInfo(languageId: string): string {
  return FENCE_INFO[languageId] ?? languageId;
}

/** The context lines around a target: at most CONTEXT_LINES lines and CONTEXT_CHARS characters each side. */
export function surroundings(text: string, start: number, end: number): { before: string; after: string } {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const beforeLines = text.slice(0, lineStart).split("\n");
  if (beforeLines[beforeLines.length - 1] === "") beforeLines.pop();
  let before = beforeLines.slice(-CONTEXT_LINES).join("\n");
  if (before.length > CONTEXT_CHARS) before = before.slice(before.length - CONTEXT_CHARS).replace(/^[^\n]*\n/, "");
  const nextNewline = text.indexOf("\n", end);
  const afterText = nextNewline < 0 ? "" : text.slice(nextNewline + 1);
  let after = afterText.split("\n").slice(0, CONTEXT_LINES).join("\n");
  if (after.length > CONTEXT_CHARS) after = after.slice(0, CONTEXT_CHARS).replace(/\n[^\n]*$/, "");
  return { before, after };
}

/** A generous answer budget: room to rewrite the target with additions, bounded for small contexts. */
export function answerTokenBudget(kind: EditKind, target: string): number {
  const estimate = Math.ceil(target.length / 3);
  const factor = kind === "document" || kind === "tests" ? 2 : 1.3;
  return Math.min(8192, Math.max(256, Math.ceil(estimate * factor) + 128));
}
