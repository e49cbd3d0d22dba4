// The context a question carries: the selection, the current file, files picked with `@`,
// and @repo. Each is counted in tokens once when attached; the files go to the gateway as
// ContextFile (it adds them to the last user message and applies neverSend/redaction), and
// the folders they come from name the policy that applies.
import type { EditorPort } from "../editor/editorPort";
import { lineOf } from "../editor/editorPort";
import type { ContextFile, ModelPort } from "../gateway";
import type { AttachmentView } from "../../shared/chatProtocol";
import type { ChatTexts } from "./chatTexts";
import type { ChatRepoAnswerer } from "./contextSource";

interface Attachment {
  readonly id: string;
  readonly kind: "selection" | "file" | "repo";
  readonly label: string;
  readonly file?: ContextFile;
  /** The workspace folders of the document it came from: the request names them, so their policy applies. */
  readonly folders: readonly string[];
  tokens?: number;
  exact?: boolean;
}

/** A file to attach that the editor side found (the `@` picker). */
export interface PickedFile {
  /** How the chip and the prompt name it (relative to its workspace folder). */
  readonly label: string;
  readonly content: string;
  readonly folders: readonly string[];
}

export interface AttachmentsDeps {
  readonly editor: EditorPort;
  readonly model: Pick<ModelPort, "countTokens">;
  readonly texts: ChatTexts;
  readonly repoSource: () => ChatRepoAnswerer | undefined;
  /** The list changed (a chip came, went, or got its count). */
  readonly onChange: () => void;
}

export class Attachments {
  private items: Attachment[] = [];
  private sequence = 0;

  constructor(private readonly deps: AttachmentsDeps) {}

  views(): AttachmentView[] {
    return this.items.map((item) => ({
      id: item.id,
      kind: item.kind,
      label: item.label,
      ...(item.tokens !== undefined ? { tokens: item.tokens, exact: item.exact } : {}),
      ...(item.kind === "repo" && this.deps.repoSource() === undefined ? { problem: this.deps.texts.noRepoService() } : {}),
    }));
  }

  files(): ContextFile[] {
    return this.items.flatMap((item) => (item.file !== undefined ? [item.file] : []));
  }

  /** The folders the attachments come from (GatewayRequest.folders). */
  folders(): string[] {
    return [...new Set(this.items.flatMap((item) => item.folders))];
  }

  hasRepo(): boolean {
    return this.items.some((item) => item.kind === "repo");
  }

  tokenTotal(): number {
    return this.items.reduce((sum, item) => sum + (item.tokens ?? 0), 0);
  }

  remove(id: string): void {
    this.items = this.items.filter((item) => item.id !== id);
    this.deps.onChange();
  }

  clear(): void {
    this.items = [];
    this.deps.onChange();
  }

  /** Returns a message for the person when there is nothing to attach. */
  async addSelection(): Promise<string | undefined> {
    const view = this.deps.editor.activeEditor();
    const selection = view?.selections[0];
    if (view === undefined || selection === undefined || selection.start === selection.end) return this.deps.texts.selectFirst();
    const { document } = view;
    const label = `${document.path}:${lineOf(document.text, selection.start) + 1}-${lineOf(document.text, selection.end) + 1}`;
    await this.add({ kind: "selection", label, folders: document.folders, file: { path: document.path, content: document.text.slice(selection.start, selection.end), origin: "selection" } });
    return undefined;
  }

  async addCurrentFile(): Promise<string | undefined> {
    const view = this.deps.editor.activeEditor();
    if (view === undefined) return this.deps.texts.openFileFirst();
    const { document } = view;
    await this.add({ kind: "file", label: document.path, folders: document.folders, file: { path: document.path, content: document.text, origin: "openEditor" } });
    return undefined;
  }

  async addFile(file: PickedFile): Promise<void> {
    await this.add({ kind: "file", label: file.label, folders: file.folders, file: { path: file.label, content: file.content, origin: "file" } });
  }

  async addRepo(): Promise<void> {
    if (this.hasRepo()) return;
    await this.add({ kind: "repo", label: "@repo", folders: [] });
  }

  private async add(item: Omit<Attachment, "id">): Promise<void> {
    // The same file or selection twice would be sent twice: replace the earlier one.
    this.items = this.items.filter((other) => other.label !== item.label);
    const attachment: Attachment = { ...item, id: `a${++this.sequence}` };
    this.items.push(attachment);
    this.deps.onChange();
    if (attachment.file !== undefined) {
      const { counts, exact } = await this.deps.model.countTokens([attachment.file.content]);
      attachment.tokens = counts[0];
      attachment.exact = exact;
      this.deps.onChange();
    }
  }
}
