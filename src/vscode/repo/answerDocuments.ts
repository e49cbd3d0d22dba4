// Read-only Markdown documents for repo answers and pack reports, on their own scheme so
// that VS Code opens them read-only and the citation link provider knows which documents
// are ours. Unlike the gateway's read-only documents, these change while the answer
// streams: the provider fires onDidChange, throttled so a fast stream does not re-render
// the editor for every token.
import * as vscode from "vscode";

export const REPO_ANSWER_SCHEME = "hearth-repo";

/** Which folder a document's citations point into, and which of its files exist. */
export interface CitationScope {
  readonly folder: vscode.Uri;
  isFile(path: string): boolean;
}

interface Entry {
  text: string;
  readonly scope: CitationScope;
}

const REFRESH_MS = 100;

export class AnswerDocuments implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[];
  private sequence = 0;

  constructor() {
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(REPO_ANSWER_SCHEME, {
        onDidChange: this.changed.event,
        provideTextDocumentContent: (uri) => this.entries.get(uri.toString())?.text,
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === REPO_ANSWER_SCHEME) this.entries.delete(document.uri.toString());
      }),
    ];
  }

  /** Opens a new document (`answer-3.md`) beside the current editor and returns its URI. */
  async show(name: string, text: string, scope: CitationScope): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: REPO_ANSWER_SCHEME, path: `/${name}-${++this.sequence}.md` });
    this.entries.set(uri.toString(), { text, scope });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    return uri;
  }

  /** Replaces the text; the editor shows it shortly (throttled), or at once with `now`. */
  update(uri: vscode.Uri, text: string, now = false): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    if (entry === undefined) return; // closed meanwhile: nothing to show
    entry.text = text;
    if (now) {
      clearTimeout(this.pending.get(key));
      this.pending.delete(key);
      this.changed.fire(uri);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.changed.fire(uri);
      }, REFRESH_MS),
    );
  }

  scopeOf(uri: vscode.Uri): CitationScope | undefined {
    return this.entries.get(uri.toString())?.scope;
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
    this.entries.clear();
  }
}
