// secretlint's recommended preset: a maintained rule set that tracks vendors' token formats.
// It is ESM-only and async, so it is loaded once, lazily, through dynamic import (which
// esbuild inlines into the CommonJS bundle).
//
// Two deliberate choices:
// - `secretlint-disable` comments are not honoured. They are for a repository's own CI; in a
//   prompt they would let a file switch its own redaction off.
// - Some rules report a wide range (a whole URL, or a name plus half a value). The caller
//   drops a secretlint finding that overlaps one of our own, which locate the secret more
//   precisely; what only secretlint found is kept as reported.
import type { RedactionFinding } from "./findings";

type LintSource = (typeof import("@secretlint/core"))["lintSource"];
type SecretLintCoreConfig = Parameters<LintSource>[0]["options"]["config"];

interface Loaded {
  readonly lintSource: LintSource;
  readonly config: SecretLintCoreConfig;
}

let loading: Promise<Loaded> | undefined;

/**
 * secretlint's profiler marks every rule run on the process-wide performance timeline and,
 * through a PerformanceObserver, keeps every mark in an array it scans on each new one: a
 * redactor called on every prompt got slower with each call (quadratic) and never gave the
 * memory back. The observer is kept from being made while the module loads, and the marks
 * are cleared after each run (only secretlint's own, by name).
 */
async function loadWithoutProfiler<T>(importModules: () => Promise<T>): Promise<T> {
  const perfHooks = (await import("node:perf_hooks")).default as { PerformanceObserver: unknown };
  const observer = perfHooks.PerformanceObserver;
  perfHooks.PerformanceObserver = class {
    observe(): void {}
    disconnect(): void {}
  };
  try {
    return await importModules();
  } finally {
    perfHooks.PerformanceObserver = observer;
  }
}

function clearSecretlintMarks(): void {
  for (const entry of performance.getEntriesByType("mark")) if (entry.name.startsWith("@core>")) performance.clearMarks(entry.name);
}

function load(): Promise<Loaded> {
  loading ??= (async () => {
    const [core, preset] = await loadWithoutProfiler(() => Promise.all([import("@secretlint/core"), import("@secretlint/secretlint-rule-preset-recommend")]));
    const config: SecretLintCoreConfig = {
      rules: [
        {
          id: "@secretlint/secretlint-rule-preset-recommend",
          rule: preset.creator,
          rules: [{ id: "@secretlint/secretlint-rule-filter-comments", disabled: true }],
        },
      ],
    };
    return { lintSource: core.lintSource, config };
  })();
  return loading;
}

export async function findWithSecretlint(text: string, fileName?: string): Promise<RedactionFinding[]> {
  const { lintSource, config } = await load();
  const result = await lintSource({
    source: { content: text, filePath: fileName ?? "prompt.txt", contentType: "text" },
    options: { config, noPhysicFilePath: true, maskSecrets: true },
  });
  clearSecretlintMarks();
  return result.messages.map((m) => ({
    kind: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ""),
    start: m.range[0],
    end: m.range[1],
  }));
}
