// The natural languages Hearth translates into, by BCP-47-ish tag, and how a glossary's
// language keys are matched to a target: exact tag first, then the same primary language
// ("zh" serves "zh-CN"; "ja-JP" serves "ja"). Callers may name the target by tag or by its
// English name ("Japanese"), which is what the language picker shows.

export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: "English",
  ja: "Japanese",
  "zh-CN": "Simplified Chinese",
  ko: "Korean",
  es: "Spanish",
  fr: "French",
  de: "German",
};

/** A language tag as glossaries may write it: "ja", "zh-CN", "pt-BR", "zh-Hans". */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** Other ways callers name a target, e.g. the English name a language picker shows. */
const ALIASES: Readonly<Record<string, string>> = { chinese: "zh-CN", "chinese (simplified)": "zh-CN", zh: "zh-CN", "zh-hans": "zh-CN" };

/** "ja", "JA", "Japanese" → "ja"; an unknown tag is returned as given. */
export function toLanguageTag(target: string): string {
  const lower = target.trim().toLowerCase();
  for (const [tag, name] of Object.entries(LANGUAGE_NAMES)) if (tag.toLowerCase() === lower || name.toLowerCase() === lower) return tag;
  return ALIASES[lower] ?? target.trim();
}

export function languageName(target: string): string {
  const tag = toLanguageTag(target);
  return tag in LANGUAGE_NAMES ? `${LANGUAGE_NAMES[tag]} (${tag})` : target;
}

/** The value for `target` (a tag, or an English name) among per-language values, or undefined. */
export function pickForLanguage(values: ReadonlyMap<string, string>, target: string): string | undefined {
  const wanted = toLanguageTag(target).toLowerCase();
  const primary = wanted.split("-")[0];
  let samePrimary: string | undefined;
  let bare: string | undefined;
  for (const [tag, value] of values) {
    const lower = tag.toLowerCase();
    if (lower === wanted) return value;
    if (lower === primary) bare ??= value;
    else if (lower.split("-")[0] === primary) samePrimary ??= value;
  }
  return bare ?? samePrimary;
}
