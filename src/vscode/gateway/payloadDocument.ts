// The text of a payload document (consent's "Show payload", the dry run): where it would go,
// what it carries, and the request body itself. The body is the exact JSON the provider
// sends, indented for reading; `sha256` and `bytes` are of the body as sent, byte for byte,
// and match the audit entry.
import type { GatewayPreview, PayloadSummary } from "../../core/gateway";

export function payloadDocument(summary: PayloadSummary, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      ...extra,
      feature: summary.feature,
      route: summary.route,
      provider: summary.provider,
      model: summary.model,
      reason: summary.reason,
      files: summary.files,
      dropped: summary.dropped,
      redactions: summary.redactions,
      bytes: summary.bytes,
      sha256: summary.sha256,
      payload: parseOrText(summary.payload),
    },
    null,
    2,
  )}\n`;
}

export function previewDocument(preview: GatewayPreview): string {
  if (!preview.ok) return `${JSON.stringify({ sends: false, code: preview.code, reason: preview.reason }, null, 2)}\n`;
  const { ok: _ok, needsAsk, ...summary } = preview;
  return payloadDocument(summary, { dryRun: true, leavesThisMachine: summary.route !== "local", wouldAsk: needsAsk });
}

function parseOrText(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}
