// Read-only documents whose text changes while an answer streams in: the proposal shown on
// the right of the diff, and an explanation. A content provider on Hearth's own scheme makes
// VS Code open them read-only; `update` fires onDidChange so an open editor follows along.
import * as vscode from "vscode";

export const PROPOSAL_SCHEME = "hearth-proposal";

export class ProposalDocuments implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;
  /** Texts nobody else tracks (explanations, check reports): dropped when their document closes. */
  private readonly untilClosed = new Set<string>();
  private readonly closing: vscode.Disposable;
  private sequence = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
      onDidChange: this.changed.event,
      provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? "",
    });
    this.closing = vscode.workspace.onDidCloseTextDocument((document) => {
      const key = document.uri.toString();
      if (this.untilClosed.delete(key)) this.texts.delete(key);
    });
  }

  /**
   * A new URI ending in `fileName` (so the language follows from its extension), holding `text`.
   * A proposal's text lives until its session calls `forget`; `untilClosed` ones until their document closes.
   */
  create(fileName: string, text: string, options: { untilClosed?: boolean } = {}): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${++this.sequence}/${fileName}` });
    this.texts.set(uri.toString(), text);
    if (options.untilClosed === true) this.untilClosed.add(uri.toString());
    return uri;
  }

  text(uri: vscode.Uri): string | undefined {
    return this.texts.get(uri.toString());
  }

  update(uri: vscode.Uri, text: string): void {
    if (this.texts.get(uri.toString()) === text) return;
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  /**
   * Resolves once an open document for `uri` shows the latest text (VS Code re-reads a
   * provider's content asynchronously after onDidChange), or after `timeoutMs`; so a
   * command that returns after its final update leaves the editor showing that text.
   */
  async settled(uri: vscode.Uri, timeoutMs = 3000): Promise<void> {
    const key = uri.toString();
    const shows = (): boolean => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      return open === undefined || open.getText() === this.texts.get(key);
    };
    if (shows()) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const listener = vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === key && shows()) done();
      });
    });
  }

  forget(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  dispose(): void {
    this.closing.dispose();
    this.untilClosed.clear();
    this.registration.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}

/** Calls `flush` at most every `ms` while updates keep coming, and once more at the end. */
export class Throttle {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly ms: number,
    private readonly flush: () => void,
  ) {}

  poke(): void {
    this.pending = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.now();
    }, this.ms);
  }

  now(): void {
    this.pending = false;
    this.flush();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
