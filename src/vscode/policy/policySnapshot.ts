// What the policy service tells the UI, commands and tests about the policy of one folder,
// and about changes to it.
import type * as vscode from "vscode";
import type { EffectivePolicy, PolicyDiagnostic, PolicyFileState } from "../../core/policy/index.js";

export type { PolicyFileState };

/** Where the folder stands with the user's consent to its file's loosenings. */
export type PolicyConsentState = "notNeeded" | "pending" | "allowed" | "kept";

/** A description of the policy that applies to one folder (or to files outside any folder). */
export interface PolicySnapshot {
  readonly trusted: boolean;
  /** Absent for files outside every workspace folder (and for an empty window). */
  readonly folder?: { readonly uri: vscode.Uri; readonly name: string };
  readonly file?: vscode.Uri;
  /** The file as named in messages: `.hearth/policy.json`, prefixed by the folder name in a multi-root workspace. */
  readonly fileLabel?: string;
  readonly fileState: PolicyFileState;
  readonly contentHash?: string;
  /** Problems in the file as last read from disk. */
  readonly diagnostics: readonly PolicyDiagnostic[];
  readonly consent: PolicyConsentState;
  /** Problems in the user's `hearth.policy` setting. */
  readonly settingProblems: readonly PolicyDiagnostic[];
  readonly effective: EffectivePolicy;
}

export interface PolicyChangeEvent {
  /** The folder whose policy changed; undefined when every folder's may have (settings, trust). */
  readonly folder?: vscode.Uri;
}
