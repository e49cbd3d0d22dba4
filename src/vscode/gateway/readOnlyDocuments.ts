// Read-only documents for what Hearth shows but nobody should edit: the exact payload in a
// consent prompt, a dry run, the usage table. A content provider on its own scheme makes
// VS Code open them read-only; each shown text gets its own URI so an open tab keeps its text.
import * as vscode from "vscode";

export const READ_ONLY_SCHEME = "hearth-readonly";

export class ReadOnlyDocuments implements vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private readonly closing: vscode.Disposable;
  private sequence = 0;

  constructor(private readonly scheme = READ_ONLY_SCHEME) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, {
      // undefined for URIs this instance did not make, so another instance (a test's) can answer them.
      provideTextDocumentContent: (uri) => this.texts.get(uri.toString()),
    });
    this.closing = vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === this.scheme) this.texts.delete(document.uri.toString());
    });
  }

  /** Opens `text` read-only, named like `payload-3.json`, and shows it in an editor. */
  async show(name: string, text: string, options: { preview?: boolean; language?: string } = {}): Promise<vscode.TextDocument> {
    const document = await this.open(name, text, options);
    await vscode.window.showTextDocument(document, { preview: options.preview ?? true });
    return document;
  }

  /** Opens `text` read-only without showing it (e.g. for a Markdown preview). */
  async open(name: string, text: string, options: { language?: string } = {}): Promise<vscode.TextDocument> {
    const dot = name.lastIndexOf(".");
    const file = dot > 0 ? `${name.slice(0, dot)}-${++this.sequence}${name.slice(dot)}` : `${name}-${++this.sequence}`;
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${file}` });
    this.texts.set(uri.toString(), text);
    const document = await vscode.workspace.openTextDocument(uri);
    return options.language !== undefined && document.languageId !== options.language ? vscode.languages.setTextDocumentLanguage(document, options.language) : document;
  }

  dispose(): void {
    this.registration.dispose();
    this.closing.dispose();
    this.texts.clear();
  }
}
