// The edit/translate guards: code that checks, after the model answers, that it changed only
// what it was asked to. Pure TypeScript (no vscode), so the edit commands and the tests share
// one implementation.
//
// - checkCodeUnchanged: "translate comments and docs" left the code tokens alone (Lezer parse
//   per language; comments and JSX text free, strings free in text but not in number, place
//   or format placeholders). Unknown language → "not-checked", never "ok".
// - checkMarkdownStructure: code, HTML, link targets, front matter and anchors byte-identical.
// - parseGlossary / glossaryInstructions / checkGlossary: `.hearth/glossary.json`, see glossary.ts.
//
// Issues carry 1-based lines. For code added or removed, the side without it points at the
// line of its next code token (its last one at the end of the file): where the change sits.
// A target language is a tag ("ja", "zh-CN") or its English name ("Japanese").
// Messages are English, plain text, with code quoted in backticks.
export type { GuardIssue, GuardName, GuardReport, GuardStatus } from "./types";
export { checkCodeUnchanged, codeGuardLanguages } from "./codeGuard";
export { checkMarkdownStructure } from "./markdownGuard";
export { parseGlossary, type Glossary, type GlossaryError, type GlossaryParse } from "./glossary";
export { checkGlossary, glossaryInstructions } from "./glossaryGuard";
export { LANGUAGE_NAMES } from "./targetLanguages";
