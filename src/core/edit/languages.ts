// The languages Hearth translates into: natural languages for prose (comments, docs,
// documents) and programming languages for code translation, each with the VS Code
// language id its new document opens in.

export interface NaturalLanguage {
  /** BCP 47 tag, also the value of hearth.translate.defaultLanguage. */
  readonly tag: string;
  /** English name, used in prompts (the model reads English instructions best). */
  readonly english: string;
  /** The language's own name, shown next to the English one in the pick list. */
  readonly native: string;
}

export const NATURAL_LANGUAGES: readonly NaturalLanguage[] = [
  { tag: "en", english: "English", native: "English" },
  { tag: "ja", english: "Japanese", native: "日本語" },
  { tag: "zh-CN", english: "Simplified Chinese", native: "简体中文" },
  { tag: "ko", english: "Korean", native: "한국어" },
  { tag: "es", english: "Spanish", native: "Español" },
  { tag: "fr", english: "French", native: "Français" },
  { tag: "de", english: "German", native: "Deutsch" },
  { tag: "zh-TW", english: "Traditional Chinese", native: "繁體中文" },
  { tag: "pt-BR", english: "Brazilian Portuguese", native: "Português (Brasil)" },
  { tag: "it", english: "Italian", native: "Italiano" },
];

export interface CodeLanguage {
  readonly languageId: string;
  readonly name: string;
  /** The info string of a Markdown fence for this language. */
  readonly fence: string;
}

export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  { languageId: "typescript", name: "TypeScript", fence: "ts" },
  { languageId: "javascript", name: "JavaScript", fence: "js" },
  { languageId: "python", name: "Python", fence: "python" },
  { languageId: "go", name: "Go", fence: "go" },
  { languageId: "rust", name: "Rust", fence: "rust" },
  { languageId: "java", name: "Java", fence: "java" },
  { languageId: "csharp", name: "C#", fence: "csharp" },
];

/** By tag ("ja", "zh-cn", VS Code's display language "ja-JP" too) or English name. */
export function naturalLanguage(tag: string): NaturalLanguage | undefined {
  const lower = tag.toLowerCase();
  const exact = NATURAL_LANGUAGES.find((l) => l.tag.toLowerCase() === lower || l.english.toLowerCase() === lower);
  if (exact !== undefined || lower.startsWith("zh")) return exact;
  const primary = lower.split("-")[0];
  return NATURAL_LANGUAGES.find((l) => l.tag.toLowerCase() === primary);
}

export function codeLanguage(idOrName: string): CodeLanguage | undefined {
  const lower = idOrName.toLowerCase();
  return CODE_LANGUAGES.find((l) => l.languageId === lower || l.name.toLowerCase() === lower || l.fence === lower);
}

/** Languages in pick order: the recently used first (most recent first), then the default, then the rest. */
export function languagePickOrder(defaultTag: string | undefined, recent: readonly string[]): NaturalLanguage[] {
  const order: NaturalLanguage[] = [];
  const add = (language: NaturalLanguage | undefined): void => {
    if (language !== undefined && !order.includes(language)) order.push(language);
  };
  for (const tag of recent) add(naturalLanguage(tag));
  if (defaultTag !== undefined) add(naturalLanguage(defaultTag));
  for (const language of NATURAL_LANGUAGES) add(language);
  return order;
}

/** A most-recently-used list: `item` first, no duplicates, at most `limit` entries. */
export function remember(list: readonly string[], item: string, limit: number): string[] {
  const trimmed = item.trim();
  if (trimmed === "") return [...list].slice(0, limit);
  return [trimmed, ...list.filter((x) => x !== trimmed)].slice(0, limit);
}
