// What the user can ask for, and which gateway feature each is: `translate` for prose
// translation (comments/docs, whole documents), `edit` for everything else that reads code.
import type { Feature } from "../policy";

export type EditKind = "refactor" | "explain" | "document" | "fix" | "tests" | "translateComments" | "translateCode" | "translateDocument";

/** Where the answer goes: a diff against the file, a new untitled document, or a read-only explanation. */
export type EditOutput = "diff" | "newDocument" | "explanation";

export interface EditKindInfo {
  readonly feature: Feature;
  readonly output: EditOutput;
  /** Shown in progress and titles. */
  readonly title: string;
}

export const EDIT_KINDS: Readonly<Record<EditKind, EditKindInfo>> = {
  refactor: { feature: "edit", output: "diff", title: "Refactor" },
  explain: { feature: "edit", output: "explanation", title: "Explain" },
  document: { feature: "edit", output: "diff", title: "Add documentation" },
  fix: { feature: "edit", output: "diff", title: "Fix" },
  tests: { feature: "edit", output: "newDocument", title: "Generate tests" },
  translateComments: { feature: "translate", output: "diff", title: "Translate comments and docs" },
  translateCode: { feature: "edit", output: "newDocument", title: "Translate code" },
  translateDocument: { feature: "translate", output: "diff", title: "Translate document" },
};

/** Presets offered in Refactor's input box, under the last few instructions used. */
export const REFACTOR_PRESETS: readonly string[] = [
  "Simplify this code without changing what it does",
  "Make the names clearer",
  "Extract the repeated logic into a helper function",
  "Convert to async/await",
  "Add error handling",
  "Make it more efficient",
  "Remove dead code and unused variables",
];
