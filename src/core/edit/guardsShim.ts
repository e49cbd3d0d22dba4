// TEMPORARY SHIM — the lead replaces this file's body with `export * from "./guards"` when the
// "guards" helper's src/core/edit/guards/** is merged. Same names and shapes as that API; every
// check answers "not-checked" so the UI says plainly that nothing was verified.

export interface GuardIssue {
  readonly message: string;
  readonly originalLine?: number;
  readonly proposalLine?: number;
}

export interface GuardReport {
  readonly guard: "code-unchanged" | "markdown-structure" | "glossary";
  readonly status: "ok" | "violations" | "not-checked";
  readonly summary: string;
  readonly issues: readonly GuardIssue[];
}

/** Opaque here; the real type comes from the guards module. */
export interface Glossary {
  readonly terms: readonly unknown[];
}

const NOT_BUILT = "the guards are not built into this version of Hearth yet";

export function codeGuardLanguages(): readonly string[] {
  return [];
}

export function checkCodeUnchanged(languageId: string, original: string, proposal: string): GuardReport {
  void original;
  void proposal;
  return { guard: "code-unchanged", status: "not-checked", summary: `Code not checked for ${languageId}: ${NOT_BUILT}.`, issues: [] };
}

export function checkMarkdownStructure(original: string, proposal: string): GuardReport {
  void original;
  void proposal;
  return { guard: "markdown-structure", status: "not-checked", summary: `Markdown structure not checked: ${NOT_BUILT}.`, issues: [] };
}

export function parseGlossary(text: string): { ok: true; glossary: Glossary } | { ok: false; errors: { message: string; offset: number; length: number }[] } {
  void text;
  return { ok: true, glossary: { terms: [] } };
}

export function glossaryInstructions(glossary: Glossary, targetLanguage: string): string {
  void glossary;
  void targetLanguage;
  return "";
}

export function checkGlossary(glossary: Glossary, source: string, proposal: string, targetLanguage: string): GuardReport {
  void glossary;
  void source;
  void proposal;
  return { guard: "glossary", status: "not-checked", summary: `Glossary not checked (${targetLanguage}): ${NOT_BUILT}.`, issues: [] };
}
