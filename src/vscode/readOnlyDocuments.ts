// Documents Hearth shows but nobody should edit: a proposal beside its file in a diff, the
// exact payload of a consent prompt, a dry run, the usage table, a repository answer, a
// guard report. A content provider on Hearth's own scheme makes VS Code open them read-only;
// each text gets its own URI (`/3/name.ext`, so the language follows from the name and an
// open tab keeps its text). A text may change while it is shown (an answer streaming in):
// open editors follow, at most every `refreshMs` unless asked to at once.
//
// Memory stays bounded: a text goes when its document closes, unless its owner keeps it (a
// proposal lives as long as its edit session and goes with `forget`), and past `cap` texts
// the oldest not on screen go first.
import * as vscode from "vscode";

/** Hearth's read-only schemes, one registration each (package.json's editor buttons test for `hearth-proposal`). */
export const READ_ONLY_SCHEMES = {
  /** An edit's proposal, beside its file in the diff (Accept / Reject), and its checks' report. */
  proposal: "hearth-proposal",
  /** A chat code block applied to a file, in the diff before "Apply". */
  chatProposal: "hearth-chat-proposal",
  /** The gateway's payloads, dry runs and usage table. */
  shown: "hearth-readonly",
  /** Repository answers and pack reports, whose citations are links. */
  repoAnswer: "hearth-repo",
} as const;

export interface ReadOnlyDocumentsOptions {
  /** How often an open editor re-reads a text that keeps changing. */
  readonly refreshMs?: number;
  /** How many texts are kept at most (texts their owner keeps are never dropped for room). */
  readonly cap?: number;
}

export interface CreateOptions<Data> {
  /** Whatever the owner needs to know about the document later (`dataOf`). */
  readonly data?: Data;
  /** The owner calls `forget` when done; closing the document does not drop the text. */
  readonly keep?: boolean;
}

export interface OpenOptions {
  /** Language id when the name's extension does not say. */
  readonly language?: string;
}

export interface ShowOptions<Data> extends CreateOptions<Data>, OpenOptions {
  readonly preview?: boolean;
  /** Beside the current editor rather than in its place. */
  readonly beside?: boolean;
  /** The current editor keeps the focus. */
  readonly preserveFocus?: boolean;
}

interface Entry<Data> {
  text: string;
  readonly data: Data | undefined;
  readonly keep: boolean;
}

const DEFAULT_REFRESH_MS = 80;
const DEFAULT_CAP = 64;

export class ReadOnlyDocuments<Data = undefined> implements vscode.Disposable {
  /** In the order they were made: the first are the first to go past the cap. */
  private readonly entries = new Map<string, Entry<Data>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[];
  private readonly refreshMs: number;
  private readonly cap: number;
  private sequence = 0;

  constructor(
    readonly scheme: string,
    options: ReadOnlyDocumentsOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.cap = options.cap ?? DEFAULT_CAP;
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(scheme, {
        onDidChange: this.changed.event,
        // undefined for URIs this instance did not make, so another provider of the scheme (a test's) can answer them.
        provideTextDocumentContent: (uri) => this.entries.get(uri.toString())?.text,
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        const key = document.uri.toString();
        if (document.uri.scheme === scheme && this.entries.get(key)?.keep === false) this.drop(key);
      }),
    ];
  }

  /** A new URI ending in `name` (so the language follows from its extension), holding `text`. */
  create(name: string, text: string, options: CreateOptions<Data> = {}): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${++this.sequence}/${name}` });
    this.entries.set(uri.toString(), { text, data: options.data, keep: options.keep === true });
    this.makeRoom();
    return uri;
  }

  /** Opens a new read-only document without showing it (e.g. for a Markdown preview). */
  async open(name: string, text: string, options: CreateOptions<Data> & OpenOptions = {}): Promise<vscode.TextDocument> {
    const document = await vscode.workspace.openTextDocument(this.create(name, text, options));
    return options.language !== undefined && document.languageId !== options.language ? vscode.languages.setTextDocumentLanguage(document, options.language) : document;
  }

  /** Opens a new read-only document and shows it in an editor. */
  async show(name: string, text: string, options: ShowOptions<Data> = {}): Promise<vscode.TextDocument> {
    const document = await this.open(name, text, options);
    await vscode.window.showTextDocument(document, {
      preview: options.preview ?? true,
      ...(options.beside === true ? { viewColumn: vscode.ViewColumn.Beside } : {}),
      ...(options.preserveFocus === true ? { preserveFocus: true } : {}),
    });
    return document;
  }

  text(uri: vscode.Uri): string | undefined {
    return this.entries.get(uri.toString())?.text;
  }

  dataOf(uri: vscode.Uri): Data | undefined {
    return this.entries.get(uri.toString())?.data;
  }

  /** Replaces the text; open editors show it within `refreshMs`, or at once with `now`. A text no longer kept is not brought back. */
  update(uri: vscode.Uri, text: string, options: { readonly now?: boolean } = {}): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    if (entry === undefined || entry.text === text) {
      if (options.now === true) this.fireNow(uri);
      return;
    }
    entry.text = text;
    if (options.now === true) {
      this.fireNow(uri);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.changed.fire(uri);
      }, this.refreshMs),
    );
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
      return open === undefined || open.getText() === this.entries.get(key)?.text;
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
    this.drop(uri.toString());
  }

  /** How many texts are held (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const disposable of this.disposables) disposable.dispose();
    this.entries.clear();
  }

  private fireNow(uri: vscode.Uri): void {
    clearTimeout(this.pending.get(uri.toString()));
    this.pending.delete(uri.toString());
    if (this.entries.has(uri.toString())) this.changed.fire(uri);
  }

  private drop(key: string): void {
    clearTimeout(this.pending.get(key));
    this.pending.delete(key);
    this.entries.delete(key);
  }

  /** Past the cap, the oldest texts not kept go: first those not open in any editor, then the others. */
  private makeRoom(): void {
    if (this.entries.size <= this.cap) return;
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const droppable = [...this.entries].filter(([, entry]) => !entry.keep).map(([key]) => key);
    const order = [...droppable.filter((key) => !open.has(key)), ...droppable.filter((key) => open.has(key))];
    for (const key of order) {
      if (this.entries.size <= this.cap) return;
      this.drop(key);
    }
  }
}
