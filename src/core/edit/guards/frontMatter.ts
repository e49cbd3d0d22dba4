// Front matter: YAML between a `---` first line and the next `---` or `...` line (or TOML
// between `+++` lines).
// markdown-it knows nothing of it (it would read a setext heading or a rule), so it is cut
// off here and compared byte for byte; the caller blanks it out before parsing.

export interface FrontMatter {
  /** The block's text, both fence lines included. */
  readonly text: string;
  /** Number of lines it spans. */
  readonly lineCount: number;
}

export function findFrontMatter(text: string): FrontMatter | undefined {
  const lines = text.split("\n");
  const fence = stripCr(lines[0]).replace(/^\uFEFF/, "");
  // YAML opens with --- and closes with --- or ...; TOML (Hugo) opens and closes with +++.
  const closers = fence === "---" ? ["---", "..."] : fence === "+++" ? ["+++"] : undefined;
  if (lines.length < 2 || closers === undefined) return undefined;
  for (let i = 1; i < lines.length; i++) {
    if (closers.includes(stripCr(lines[i]))) return { text: lines.slice(0, i + 1).join("\n"), lineCount: i + 1 };
  }
  return undefined;
}

/** The text with the front matter's lines emptied, so markdown-it's line numbers stay those of the file. */
export function blankFrontMatter(text: string, frontMatter: FrontMatter | undefined): string {
  if (frontMatter === undefined) return text;
  return "\n".repeat(frontMatter.lineCount - 1) + text.slice(frontMatter.text.length);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
