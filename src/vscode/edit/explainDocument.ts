// Explain's default home until the chat panel takes it: a read-only Markdown document that
// fills in as the answer streams (the proposal scheme's provider re-reads it on each update).
import * as vscode from "vscode";
import type { ExplainSink, ExplainStream } from "./editRunner";
import { Throttle, type ProposalDocuments } from "./proposalDocuments";

export class ExplainDocumentSink implements ExplainSink {
  constructor(private readonly documents: ProposalDocuments) {}

  /** Rendered beside the code (VS Code's Markdown preview follows the document as it changes); the text itself where there is no preview. */
  private async show(uri: vscode.Uri): Promise<void> {
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
    } catch {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    }
  }

  async begin(title: string): Promise<ExplainStream> {
    let text = `# ${title}\n\n`;
    const uri = this.documents.create("explanation.md", text, { untilClosed: true });
    await vscode.workspace.openTextDocument(uri);
    await this.show(uri);
    const throttle = new Throttle(80, () => this.documents.update(uri, text));
    return {
      append: (piece) => {
        text += piece;
        throttle.poke();
      },
      end: async () => {
        throttle.dispose();
        this.documents.update(uri, text);
        await this.documents.settled(uri);
      },
    };
  }
}
