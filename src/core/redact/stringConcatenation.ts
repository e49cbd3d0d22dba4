// A key split across string literals ("AKIA" + "2X3Y..." in JS/Java/Go, "AKIA" "2X3Y..." in
// Python/C, 'ghp_' . '...' in PHP, "a" .. "b" in Lua, ["ghp_", "…"].join("") in JS,
// "".join(["ghp_", "…"]) in Python, `${"ghp_"}…` in a template literal) hides from every
// pattern that reads the text as written. Adjacent literals are joined, the joined text is
// scanned with the same detectors, and each piece that carries part of a match is redacted.
import type { RedactionFinding } from "./findings";

const LITERAL = String.raw`"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'`;
// Between two pieces: spacing (line breaks, "\" continuations) and at most one operator.
// Written so that no two parts can match the same characters: no backtracking blow-up.
const SPACE = String.raw`(?:\s|\\(?=\r?\n))*`;
const JOINER = `${SPACE}(?:(?:\\+|\\.\\.?)${SPACE})?`;
const SEQUENCE = new RegExp(`(?:${LITERAL})(?:${JOINER}(?:${LITERAL}))+`, "g");
const PIECE = new RegExp(LITERAL, "g");
// A list of literals joined with nothing between: JS `[…].join("")`, Python `"".join([…])`.
const LIST = String.raw`\s*(?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))+\s*(?:,\s*)?`;
const EMPTY = String.raw`(?:""|''|\`\`)`;
const JOINED_LIST = new RegExp(String.raw`\[(?<list>${LIST})\]\s*\.join\(\s*${EMPTY}\s*\)|${EMPTY}\s*\.join\(\s*[[(](?<list2>${LIST})[\])]\s*\)`, "dg");
// A template literal whose every interpolation is a string literal (`${'ghp_ab'}cd…`).
const TEMPLATE_TEXT = String.raw`(?:[^\`\\$]|\\[\s\S]|\$(?!\{))*`;
const TEMPLATE = new RegExp(String.raw`\`${TEMPLATE_TEXT}(?:\$\{\s*(?:${LITERAL})\s*\}${TEMPLATE_TEXT})+\``, "g");
const TEMPLATE_PART = new RegExp(String.raw`\$\{\s*(?<literal>${LITERAL})\s*\}|(?<text>(?:[^\`\\$]|\\[\s\S]|\$(?!\{))+)`, "dg");

interface Piece {
  /** Offset of the piece's content (inside the quotes) in the original text. */
  readonly start: number;
  readonly content: string;
}

/** Runs `detect` over each joined concatenation and maps what it finds back onto the pieces. */
export function findInConcatenations(text: string, detect: (joined: string) => readonly RedactionFinding[]): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const pieces of concatenations(text)) {
    if (pieces.length < 2) continue;
    const joined = pieces.map((p) => p.content).join("");
    for (const hit of detect(joined)) {
      if (!spansPieces(pieces, hit)) continue;
      findings.push(...mapBack(pieces, hit));
    }
  }
  return findings;
}

function* concatenations(text: string): Generator<Piece[]> {
  for (const sequence of text.matchAll(SEQUENCE)) yield piecesOf(sequence[0], sequence.index);
  for (const joined of text.matchAll(JOINED_LIST)) {
    const list = joined.indices?.groups?.list ?? joined.indices?.groups?.list2;
    if (list !== undefined) yield piecesOf(text.slice(list[0], list[1]), list[0]);
  }
  for (const template of text.matchAll(TEMPLATE)) yield templatePieces(template[0].slice(1, -1), template.index + 1);
}

/** The text between interpolations and the content of each interpolated literal, in order. */
function templatePieces(content: string, offset: number): Piece[] {
  const pieces: Piece[] = [];
  for (const part of content.matchAll(TEMPLATE_PART)) {
    const literal = part.indices?.groups?.literal;
    if (literal !== undefined) pieces.push({ start: offset + literal[0] + 1, content: content.slice(literal[0] + 1, literal[1] - 1) });
    else pieces.push({ start: offset + part.index, content: part[0] });
  }
  return pieces;
}

function piecesOf(sequence: string, offset: number): Piece[] {
  const pieces: Piece[] = [];
  PIECE.lastIndex = 0;
  for (const match of sequence.matchAll(PIECE)) {
    pieces.push({ start: offset + match.index + 1, content: match[0].slice(1, -1) });
  }
  return pieces;
}

/** Only matches that need more than one piece are this layer's business; the rest are found in place. */
function spansPieces(pieces: readonly Piece[], hit: RedactionFinding): boolean {
  let at = 0;
  for (const piece of pieces) {
    const end = at + piece.content.length;
    if (hit.start >= at && hit.end <= end) return false;
    at = end;
  }
  return true;
}

function mapBack(pieces: readonly Piece[], hit: RedactionFinding): RedactionFinding[] {
  const out: RedactionFinding[] = [];
  let at = 0;
  for (const piece of pieces) {
    const end = at + piece.content.length;
    const from = Math.max(hit.start, at);
    const to = Math.min(hit.end, end);
    if (from < to) out.push({ kind: hit.kind, start: piece.start + (from - at), end: piece.start + (to - at) });
    at = end;
  }
  return out;
}
