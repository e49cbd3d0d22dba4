// The usage view's text: tokens per provider and route, what the cloud calls cost, and what
// the local ones would have cost in the cloud, as a Markdown table.
import type { UsageTally } from "../../core/audit";

export function usageMarkdown(tally: UsageTally, now = new Date()): string {
  const lines = [
    "# Hearth usage",
    "",
    `As of ${now.toISOString().slice(0, 16).replace("T", " ")} UTC, every VS Code window on this machine.`,
    "",
    "| Route | Calls | Prompt tokens | Completion tokens |",
    "| --- | ---: | ---: | ---: |",
    `| local | ${n(tally.local.calls)} | ${n(tally.local.promptTokens)} | ${n(tally.local.completionTokens)} |`,
    `| selfHosted | ${n(tally.selfHosted.calls)} | ${n(tally.selfHosted.promptTokens)} | ${n(tally.selfHosted.completionTokens)} |`,
    `| cloud | ${n(tally.cloud.calls)} | ${n(tally.cloud.promptTokens)} | ${n(tally.cloud.completionTokens)} |`,
    "",
    "## Per provider and model",
    "",
  ];
  if (tally.buckets.length === 0) {
    lines.push("No model calls recorded yet.");
  } else {
    lines.push("| Provider | Model | Route | Calls | Prompt tokens | Completion tokens | Cost (USD) |", "| --- | --- | --- | ---: | ---: | ---: | ---: |");
    const sorted = [...tally.buckets].sort((a, b) => a.route.localeCompare(b.route) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
    for (const b of sorted) {
      const cost = b.costUsd === undefined ? "—" : b.route === "local" ? `(${usd(b.costUsd)} avoided)` : usd(b.costUsd);
      lines.push(`| ${b.provider} | ${escape(b.model)} | ${b.route} | ${n(b.calls)} | ${n(b.promptTokens)} | ${n(b.completionTokens)} | ${cost} |`);
    }
  }
  lines.push(
    "",
    `**Cloud cost:** ${usd(tally.cloudCostUsd)}${tally.unpriced.length > 0 ? ` (no price for ${tally.unpriced.map(escape).join(", ")})` : ""}`,
    "",
    `**Cloud cost avoided by running locally:** ${usd(tally.costAvoidedUsd)}, local tokens priced at ${escape(tally.avoidedAt)}.`,
    "",
    "Prices are per million tokens: list prices unless set in `hearth.usage.prices`; they may differ from your contract.",
    "",
  );
  return lines.join("\n");
}

function n(value: number): string {
  return value.toLocaleString("en-US");
}

function usd(value: number): string {
  return `$${value < 0.01 && value > 0 ? value.toFixed(4) : value.toFixed(2)}`;
}

function escape(text: string): string {
  return text.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);
}
