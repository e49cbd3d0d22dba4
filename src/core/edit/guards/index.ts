// The edit/translate guards: code that checks, after the model answers, that it changed only
// what it was asked to. Pure TypeScript (no vscode), so the edit commands, the tests and any
// future CLI share one implementation.
export type { GuardIssue, GuardName, GuardReport, GuardStatus } from "./types";
export { checkCodeUnchanged, codeGuardLanguages } from "./codeGuard";
export { checkMarkdownStructure } from "./markdownGuard";
export { parseGlossary, type Glossary, type GlossaryError, type GlossaryParse } from "./glossary";
export { checkGlossary, glossaryInstructions } from "./glossaryGuard";
export { LANGUAGE_NAMES } from "./targetLanguages";
