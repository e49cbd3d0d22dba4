// The golden case format for completion post-processing, one case per
// `*.case` file in this folder:
//
//   # What the case shows (the first comment line is the test's title).
//   language: typescript        VS Code language id (required)
//   tabSize: 4                  optional
//   insertSpaces: true          optional
//   eol: crlf                   optional: every "\n" in the sections becomes "\r\n"
//   rules: bracket, block-end   optional: rules that must fire (see PostprocessRule)
//   --- prefix
//   …text before the cursor…
//   --- suffix
//   …text after the cursor…
//   --- completion
//   …the model's raw output…
//   --- expected                or `--- expected nothing` (no suggestion), with no lines under it
//   …what the editor should show…
//
// A section's text is its lines joined by "\n"; the line break before the
// next header (or the end of the file) is not part of it. A `¶` ending the
// last line marks where the text ends, and is required when the text ends in
// a space, a tab or a line break (write a last empty line as `¶` alone), so
// that no editor can change a case by trimming invisible whitespace. Tabs
// are literal tabs.

import { tracePostprocess, type PostprocessInput } from "../../../../../src/core/complete/postprocess";

export interface GoldenCase {
  readonly file: string;
  readonly title: string;
  readonly input: PostprocessInput;
  /** undefined: the right answer is no suggestion. */
  readonly expected: string | undefined;
  readonly rules: readonly string[];
}

const SECTIONS = ["prefix", "suffix", "completion", "expected", "expected nothing"] as const;
type Section = (typeof SECTIONS)[number];
const END_MARK = "¶";

export function parseGoldenCase(file: string, raw: string): GoldenCase {
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  const lines = raw.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the file's own final newline

  const headers = new Map<string, string>();
  let title = "";
  let k = 0;
  for (; k < lines.length && !(lines[k] ?? "").startsWith("--- "); k++) {
    const line = (lines[k] ?? "").trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      if (title === "") title = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) fail(`header line "${line}" is not "key: value"`);
    const key = line.slice(0, colon).trim();
    if (!["language", "tabSize", "insertSpaces", "eol", "rules"].includes(key)) fail(`unknown header "${key}"`);
    if (headers.has(key)) fail(`header "${key}" appears twice`);
    headers.set(key, line.slice(colon + 1).trim());
  }

  const sections = new Map<Section, string[]>();
  let current: string[] | undefined;
  for (; k < lines.length; k++) {
    const line = lines[k] ?? "";
    if (line.startsWith("--- ")) {
      const name = line.slice(4).trim();
      if (!(SECTIONS as readonly string[]).includes(name)) fail(`unknown section "--- ${name}"`);
      const section = name as Section;
      if (sections.has(section)) fail(`section "--- ${name}" appears twice`);
      current = [];
      sections.set(section, current);
    } else {
      current?.push(line);
    }
  }

  const eol = headers.get("eol") ?? "lf";
  if (eol !== "lf" && eol !== "crlf") fail(`eol must be lf or crlf, not "${eol}"`);
  const text = (section: Section): string => {
    const body = sections.get(section);
    if (body === undefined) return fail(`missing section "--- ${section}"`);
    let joined = body.join("\n");
    if (joined.endsWith(END_MARK)) joined = joined.slice(0, -END_MARK.length);
    else if (/[ \t\n]$/.test(joined)) fail(`section "--- ${section}" ends in whitespace; end its last line with ${END_MARK}`);
    if (joined.includes(END_MARK)) fail(`${END_MARK} may only end a section ("--- ${section}")`);
    return eol === "crlf" ? joined.replace(/\n/g, "\r\n") : joined;
  };

  const language = headers.get("language");
  if (language === undefined || language === "") return fail("missing header \"language\"");
  const nothing = sections.get("expected nothing");
  if (nothing !== undefined && nothing.some((line) => line.trim() !== "")) fail("\"--- expected nothing\" must have no text");
  if (nothing !== undefined && sections.has("expected")) fail("a case expects either text or nothing, not both");
  if (nothing === undefined && !sections.has("expected")) fail("missing section \"--- expected\" (or \"--- expected nothing\")");

  const tabSize = headers.get("tabSize");
  const insertSpaces = headers.get("insertSpaces");
  if (tabSize !== undefined && !/^[1-9][0-9]?$/.test(tabSize)) fail(`tabSize must be a number, not "${tabSize}"`);
  if (insertSpaces !== undefined && insertSpaces !== "true" && insertSpaces !== "false") fail(`insertSpaces must be true or false`);

  return {
    file,
    title: title || file,
    input: {
      prefix: text("prefix"),
      suffix: text("suffix"),
      completion: text("completion"),
      languageId: language,
      ...(tabSize !== undefined ? { tabSize: Number(tabSize) } : {}),
      ...(insertSpaces !== undefined ? { insertSpaces: insertSpaces === "true" } : {}),
    },
    expected: nothing !== undefined ? undefined : text("expected"),
    rules: (headers.get("rules") ?? "").split(",").map((rule) => rule.trim()).filter((rule) => rule !== ""),
  };
}

/** Runs a case; returns why it failed, or undefined when it passed. */
export function checkGoldenCase(c: GoldenCase): string | undefined {
  const trace = tracePostprocess(c.input);
  const show = (text: string | undefined): string => (text === undefined ? "nothing" : JSON.stringify(text));
  if (trace.text !== c.expected) {
    return `${c.file}: expected ${show(c.expected)}, got ${show(trace.text)} (rules: ${trace.rules.join(", ") || "none"})`;
  }
  const missing = c.rules.filter((rule) => !(trace.rules as readonly string[]).includes(rule));
  if (missing.length > 0) return `${c.file}: rules ${missing.join(", ")} did not fire (fired: ${trace.rules.join(", ") || "none"})`;
  return undefined;
}
