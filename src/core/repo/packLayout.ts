// The text of a repo pack. With a model that has Qwen's repo-level tokens:
//   <|repo_name|>{name}\n  then per file  <|file_sep|>{path}\n{content}\n
// otherwise plain headers  === {path} ===\n{content}\n. A part of a file is headed
// `{path}#L{a}-L{b}` so the model can still cite real line numbers. The server parses
// special tokens in the repo system message, so a file that itself contains `<|im_end|>`
// or `<|file_sep|>` (a tokenizer test, this very project) would cut the pack open: such
// spellings get a zero-width space after the `<` and stay literal text.

export type PackLayout = "qwenRepo" | "plain";

export interface PackSection {
  readonly path: string;
  readonly content: string;
  /** 1-based inclusive line range when only part of the file is included. */
  readonly lines?: { readonly start: number; readonly end: number };
}

const SPECIAL_TOKEN = /<(\|[A-Za-z_]+\|>)/g;
const ZERO_WIDTH_SPACE = "\u200b";

export function neutraliseSpecialTokens(text: string): string {
  return text.replace(SPECIAL_TOKEN, `<${ZERO_WIDTH_SPACE}$1`);
}

export function renderHeader(name: string, layout: PackLayout): string {
  return layout === "qwenRepo" ? `<|repo_name|>${neutraliseSpecialTokens(name)}\n` : `Repository: ${name}\n`;
}

export function sectionLabel(section: Pick<PackSection, "path" | "lines">): string {
  return section.lines === undefined ? section.path : `${section.path}#L${section.lines.start}-L${section.lines.end}`;
}

export function renderSection(section: PackSection, layout: PackLayout): string {
  const body = neutraliseSpecialTokens(section.content.endsWith("\n") ? section.content.slice(0, -1) : section.content);
  const label = neutraliseSpecialTokens(sectionLabel(section));
  return layout === "qwenRepo" ? `<|file_sep|>${label}\n${body}\n` : `=== ${label} ===\n${body}\n`;
}

/** Lines `start`..`end` (1-based, inclusive) of a text. */
export function sliceLines(text: string, start: number, end: number): string {
  return text
    .split("\n")
    .slice(start - 1, end)
    .join("\n");
}

/** The system message's opening words, before the pack: what the files are and how to cite them. */
export function repoInstructions(name: string, layout: PackLayout): string {
  const heading = layout === "qwenRepo" ? "Each file starts with <|file_sep|> and its path." : "Each file starts with a line === path ===.";
  return [
    `You answer questions about the repository "${name}". Its files follow. ${heading}`,
    "A part of a file is headed path#La-Lb and starts at line a. Answer from these files.",
    "When you refer to code, cite it as path:line (lines count from 1). Some files may be left out; if the answer is not in the files shown, say so.",
  ].join("\n");
}
