// The anchor a renderer gives a heading that has no explicit id, GitHub's way (VS Code's
// preview does the same): lower-case, drop punctuation, spaces to hyphens, and -1, -2... for
// repeats. Letters of every script stay, so a Japanese heading gets a Japanese anchor, which
// is exactly why translating a linked heading breaks its links.

export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Slugs for headings in document order, made unique the way GitHub does. */
export function uniqueSlugs(texts: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return texts.map((text) => {
    const base = slugify(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}
