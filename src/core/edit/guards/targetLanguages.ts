// The natural languages Hearth translates into, by BCP-47-ish tag, and how a glossary's
// language keys are matched to a target: exact tag first, then the same primary language
// ("zh" serves "zh-CN"; "ja-JP" serves "ja").

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

export function languageName(tag: string): string {
  const known = Object.keys(LANGUAGE_NAMES).find((k) => k.toLowerCase() === tag.toLowerCase());
  return known === undefined ? tag : `${LANGUAGE_NAMES[known]} (${known})`;
}

/** The value for `target` among per-language values, or undefined. */
export function pickForLanguage(values: ReadonlyMap<string, string>, target: string): string | undefined {
  const wanted = target.toLowerCase();
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
