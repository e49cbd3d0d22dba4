// What one workspace folder's policy file turned out to be when it was last read, and what
// follows from that: the state the UI shows and the workspace half of the effective policy.
// A file that could not be read at all is "unreadable": one error at its top, so it is
// reported and handled like any parse error (the folder runs local-only).
import type { PolicyParseResult } from "./parsePolicy";
import type { WorkspacePolicy } from "./policyModel";

export type FolderPolicyRead =
  | { readonly kind: "absent" }
  | { readonly kind: "parsed"; readonly contentHash: string; readonly result: PolicyParseResult }
  | { readonly kind: "unreadable"; readonly result: PolicyParseResult };

/** What Hearth knows about one folder's policy file. */
export type PolicyFileState = "loading" | "absent" | "valid" | "invalid";

/** `read` undefined: never read yet. `reading`: a read is in progress (the file may have changed). */
export function policyFileState(read: FolderPolicyRead | undefined, reading: boolean): PolicyFileState {
  if (read === undefined || reading) return "loading";
  if (read.kind === "absent") return "absent";
  return read.result.localOnly ? "invalid" : "valid";
}

/**
 * The `workspace` input of resolveEffectivePolicy: undefined when there is no file; a file
 * not read yet, or unreadable, has no policy and so makes the folder local-only.
 */
export function workspacePolicyOf(read: FolderPolicyRead | undefined): { readonly policy: WorkspacePolicy | undefined; readonly contentHash: string } | undefined {
  if (read === undefined) return { policy: undefined, contentHash: "" };
  if (read.kind === "absent") return undefined;
  return read.kind === "parsed" ? { policy: read.result.policy, contentHash: read.contentHash } : { policy: undefined, contentHash: "" };
}

/** A parse result with one error at the top of the file, for problems found before parsing. */
export function policyProblem(file: string, code: string, message: string): PolicyParseResult {
  const at = { line: 0, character: 0 };
  return { localOnly: true, diagnostics: [{ file, severity: "error", code, message, path: "", offset: 0, length: 0, start: at, end: at }] };
}
