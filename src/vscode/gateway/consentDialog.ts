// `ask` in VS Code: a modal warning that names the destination, the model, the files, the
// size and the redactions, with "Show payload" to read the exact body first. Dismissing it
// (Escape, Cancel) keeps the prompt on this machine: the safe side.
import * as vscode from "vscode";
import type { ConsentAnswer, ConsentPrompt, PayloadSummary } from "../../core/gateway";
import { payloadDocument } from "./payloadDocument";
import type { ReadOnlyDocuments } from "../readOnlyDocuments";

export const SEND_ONCE = "Send once";
export const ALWAYS_FOR_WORKSPACE = "Always for this workspace";
export const KEEP_LOCAL = "Keep it local";
export const SHOW_PAYLOAD = "Show payload";

const DESTINATIONS: Readonly<Record<PayloadSummary["provider"], string>> = {
  local: "this machine",
  selfHosted: "your organisation's self-hosted endpoint",
  openai: "OpenAI",
  anthropic: "Anthropic",
};

export class ModalConsentPrompt implements ConsentPrompt {
  constructor(private readonly documents: ReadOnlyDocuments) {}

  async ask(summary: PayloadSummary, signal?: AbortSignal): Promise<ConsentAnswer> {
    const cancelled = new Promise<"local">((resolve) => {
      if (signal?.aborted) resolve("local");
      signal?.addEventListener("abort", () => resolve("local"), { once: true });
    });
    for (;;) {
      // A dialog that cannot be shown (VS Code refuses them under extension tests and smoke
      // drivers) is no consent: the answer is the safe one.
      const shown = Promise.resolve(vscode.window.showWarningMessage(consentMessage(summary), { modal: true, detail: consentDetail(summary) }, SEND_ONCE, ALWAYS_FOR_WORKSPACE, KEEP_LOCAL, SHOW_PAYLOAD)).catch(() => "local" as const);
      const choice = await Promise.race([shown, cancelled]);
      if (choice === "local") return "local";
      if (choice === SHOW_PAYLOAD) {
        await this.documents.show(`hearth-payload-${summary.provider}.json`, payloadDocument(summary), { preview: false, language: "json" });
        continue;
      }
      return choice === SEND_ONCE ? "once" : choice === ALWAYS_FOR_WORKSPACE ? "always" : "local";
    }
  }
}

export function consentMessage(summary: PayloadSummary): string {
  return `Send this ${summary.feature} request to ${DESTINATIONS[summary.provider]} (${summary.model})?`;
}

export function consentDetail(summary: PayloadSummary): string {
  const files = summary.files.length === 0 ? "none" : summary.files.map((f) => `${f.path} (${f.origin}, ${formatBytes(f.bytes)})`).join(", ");
  const lines = [
    `Destination: ${DESTINATIONS[summary.provider]} — ${summary.route}`,
    `Model: ${summary.model}`,
    `Files: ${files}`,
    `Size: ${formatBytes(summary.bytes)}`,
    `Secrets redacted: ${summary.redactions}`,
  ];
  if (summary.dropped.length > 0) lines.push(`Left out (neverSend): ${summary.dropped.join(", ")}`);
  lines.push(`Why: ${summary.reason}`, "", `"${ALWAYS_FOR_WORKSPACE}" covers ${summary.feature} requests to ${summary.model} in this workspace. Dismissing keeps it local.`);
  return lines.join("\n");
}

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
