// The user's answers to "this workspace's policy asks for more than your settings allow".
// Kept in VS Code's global state (outside the workspace, so a repository cannot pre-answer
// for the user), keyed by workspace folder and the SHA-256 of the exact file text: any
// edit to the file is a new question.
import type * as vscode from "vscode";

export type ConsentDecision = "allow" | "keep";

interface StoredConsent {
  readonly decision: ConsentDecision;
  /** ISO time of the answer; the oldest answers are dropped first when the store is full. */
  readonly at: string;
}

type StoredConsents = Record<string, StoredConsent>;

const STATE_KEY = "hearth.policy.consents";
/** A few hundred answers is years of policy edits; the cap keeps global state small. */
const MAX_ENTRIES = 500;

export class ConsentStore {
  constructor(private readonly state: vscode.Memento) {}

  /** The user's answer for this folder and file content, if they gave one. */
  decision(folder: vscode.Uri, contentHash: string): ConsentDecision | undefined {
    const entry = this.read()[key(folder, contentHash)];
    return entry?.decision === "allow" || entry?.decision === "keep" ? entry.decision : undefined;
  }

  isAllowed(folder: vscode.Uri, contentHash: string): boolean {
    return this.decision(folder, contentHash) === "allow";
  }

  async record(folder: vscode.Uri, contentHash: string, decision: ConsentDecision): Promise<void> {
    const entries = { ...this.read(), [key(folder, contentHash)]: { decision, at: new Date().toISOString() } };
    const names = Object.keys(entries);
    if (names.length > MAX_ENTRIES) {
      names.sort((a, b) => entries[a].at.localeCompare(entries[b].at));
      for (const name of names.slice(0, names.length - MAX_ENTRIES)) delete entries[name];
    }
    await this.state.update(STATE_KEY, entries);
  }

  /** Forgets every answer for a folder (all versions of its file). */
  async forget(folder: vscode.Uri): Promise<void> {
    const prefix = `${folder.toString()}#`;
    const entries = Object.fromEntries(Object.entries(this.read()).filter(([name]) => !name.startsWith(prefix)));
    await this.state.update(STATE_KEY, entries);
  }

  private read(): StoredConsents {
    const value = this.state.get<unknown>(STATE_KEY);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as StoredConsents) : {};
  }
}

function key(folder: vscode.Uri, contentHash: string): string {
  return `${folder.toString()}#${contentHash}`;
}
