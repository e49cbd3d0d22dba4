// The context a question carries: the selection, the current file, files picked with `@`,
// and @repo. Each is counted in tokens once when attached; the files go to the gateway as
// ContextFile (it adds them to the last user message and applies neverSend/redaction).
import * as vscode from "vscode";
import type { AttachmentView, ChatRepoAnswerer } from "../../core/chat";
import type { ContextFile } from "../../core/gateway";
import { requestFolders } from "../policy/requestFolders";
import { countTokens, type ChatGateway } from "./chatGateway";

interface Attachment {
  readonly id: string;
  readonly kind: "selection" | "file" | "repo";
  readonly label: string;
  readonly file?: ContextFile;
  /** The document it came from: the request names its workspace folder, so that folder's policy applies. */
  readonly uri?: vscode.Uri;
  tokens?: number;
  exact?: boolean;
}

/** Files larger than this are not attached (they would not fit any local context anyway). */
const MAX_FILE_BYTES = 512 * 1024;

export class Attachments {
  private items: Attachment[] = [];
  private sequence = 0;

  constructor(
    private readonly gateway: ChatGateway,
    private readonly repoSource: () => ChatRepoAnswerer | undefined,
    private readonly onChange: () => void,
  ) {}

  views(): AttachmentView[] {
    return this.items.map((item) => ({
      id: item.id,
      kind: item.kind,
      label: item.label,
      ...(item.tokens !== undefined ? { tokens: item.tokens, exact: item.exact } : {}),
      ...(item.kind === "repo" && this.repoSource() === undefined ? { problem: vscode.l10n.t("Repository questions are not available yet: no repository service is set up, so @repo adds nothing.") } : {}),
    }));
  }

  files(): ContextFile[] {
    return this.items.flatMap((item) => (item.file !== undefined ? [item.file] : []));
  }

  /** The folders the attachments come from (GatewayRequest.folders). */
  folders(): string[] {
    return requestFolders(...this.items.map((item) => item.uri));
  }

  hasRepo(): boolean {
    return this.items.some((item) => item.kind === "repo");
  }

  tokenTotal(): number {
    return this.items.reduce((sum, item) => sum + (item.tokens ?? 0), 0);
  }

  remove(id: string): void {
    this.items = this.items.filter((item) => item.id !== id);
    this.onChange();
  }

  clear(): void {
    this.items = [];
    this.onChange();
  }

  /** Returns a message for the user when there is nothing to attach. */
  async addSelection(): Promise<string | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.selection.isEmpty) return vscode.l10n.t("Select some text in an editor first, then attach the selection.");
    const { document, selection } = editor;
    const path = relativePath(document.uri);
    const label = `${path}:${selection.start.line + 1}-${selection.end.line + 1}`;
    await this.add({ kind: "selection", label, uri: document.uri, file: { path, content: document.getText(selection), origin: "selection" } });
    return undefined;
  }

  async addCurrentFile(): Promise<string | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) return vscode.l10n.t("Open a file in an editor first, then attach it.");
    const path = relativePath(editor.document.uri);
    await this.add({ kind: "file", label: path, uri: editor.document.uri, file: { path, content: editor.document.getText(), origin: "openEditor" } });
    return undefined;
  }

  /** The `@` picker: a QuickPick over the workspace's files. */
  async pick(): Promise<string | undefined> {
    const uris = await vscode.workspace.findFiles("**/*", "{**/node_modules/**,**/.git/**,**/dist/**}", 5000);
    if (uris.length === 0) return vscode.l10n.t("No files in this workspace to attach.");
    const items = uris.map((uri) => ({ label: relativePath(uri), uri })).sort((a, b) => a.label.localeCompare(b.label));
    const chosen = await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Attach a file to the chat"), placeHolder: vscode.l10n.t("Type to search the workspace's files"), matchOnDescription: true });
    if (chosen === undefined) return undefined;
    const stat = await vscode.workspace.fs.stat(chosen.uri);
    if (stat.size > MAX_FILE_BYTES) return vscode.l10n.t("{0} is too large to attach ({1} KB; the limit is {2} KB).", chosen.label, Math.round(stat.size / 1024), MAX_FILE_BYTES / 1024);
    const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(chosen.uri));
    await this.add({ kind: "file", label: chosen.label, uri: chosen.uri, file: { path: chosen.label, content, origin: "file" } });
    return undefined;
  }

  async addRepo(): Promise<string | undefined> {
    if (this.hasRepo()) return undefined;
    await this.add({ kind: "repo", label: "@repo" });
    return undefined;
  }

  private async add(item: Omit<Attachment, "id">): Promise<void> {
    // The same file or selection twice would be sent twice: replace the earlier one.
    this.items = this.items.filter((other) => other.label !== item.label);
    const attachment: Attachment = { ...item, id: `a${++this.sequence}` };
    this.items.push(attachment);
    this.onChange();
    if (attachment.file !== undefined) {
      const { counts, exact } = await countTokens(this.gateway, [attachment.file.content]);
      attachment.tokens = counts[0];
      attachment.exact = exact;
      this.onChange();
    }
  }
}

function relativePath(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri) !== undefined ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath || uri.toString();
}
