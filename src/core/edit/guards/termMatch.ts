// Finds a glossary term in text, as whole words where words have edges. Latin-script words
// need a boundary ("gateway" is not in "gateways"), but Japanese, Chinese and Korean text
// runs words together ("Hearthは", "プルリクエストを"), so a CJK neighbour is a boundary and
// a CJK term needs none. A term written with a capital letter is a name and matches its exact
// case; an all-lower-case term matches any case ("Gateway" at a sentence start). Any run of
// whitespace in a term matches any whitespace, line breaks included.

const CJK = String.raw`\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}`;
/** A character that continues a non-CJK word. */
const WORD_CHAR = String.raw`(?:(?![${CJK}])[\p{L}\p{M}\p{N}_])`;
const WORD_CHAR_TEST = new RegExp(`^${WORD_CHAR}$`, "u");

const cache = new Map<string, RegExp>();

export function termPattern(term: string): RegExp {
  let pattern = cache.get(term);
  if (pattern === undefined) {
    const normalized = term.normalize("NFC").trim();
    const body = normalized
      .split(/\s+/u)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(String.raw`\s+`);
    const chars = [...normalized];
    const before = WORD_CHAR_TEST.test(chars[0] ?? "") ? `(?<!${WORD_CHAR})` : "";
    const after = WORD_CHAR_TEST.test(chars[chars.length - 1] ?? "") ? `(?!${WORD_CHAR})` : "";
    const caseSensitive = /\p{Lu}|\p{Lt}/u.test(normalized);
    pattern = new RegExp(`${before}${body}${after}`, caseSensitive ? "gu" : "giu");
    cache.set(term, pattern);
  }
  return pattern;
}

/** Offsets (in `text` normalized to NFC) of every occurrence of `term`. */
export function findTerm(text: string, term: string): number[] {
  const offsets: number[] = [];
  if (term.trim() === "") return offsets;
  for (const match of text.normalize("NFC").matchAll(termPattern(term))) offsets.push(match.index ?? 0);
  return offsets;
}
