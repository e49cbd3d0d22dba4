// Throughput of the redactor in ms per MB, on the kinds of text that leave the machine: source
// code (this repository's own), config files and the labelled corpus (secrets included), up to
// prompt size. A script, not a test (no test asserts on time):
//   npx tsx test/unit/core/redact/benchRedaction.ts [MB]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { redact, redactWithOwnRules } from "../../../../src/core/redact/redact";
import { loadRedactionCorpus } from "./redactionCorpus";

const ROOT = join(__dirname, "../../../..");

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(?:ts|mts|json)$/.test(entry)) out.push(path);
  }
  return out;
}

function upTo(bytes: number, pieces: readonly string[]): string {
  let text = "";
  for (let i = 0; text.length < bytes; i++) text += `${pieces[i % pieces.length]}\n`;
  return text.slice(0, bytes);
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? "4");
  const size = megabytes * 1024 * 1024;
  const code = upTo(size, sourceFiles(join(ROOT, "src")).map((p) => readFileSync(p, "utf8")));
  const corpus = loadRedactionCorpus();
  const mixed = upTo(size, corpus.files.map((f) => f.text));
  const config = upTo(size, corpus.files.filter((f) => /\.(?:ya?ml|env|properties|ini|toml)$|\.env/.test(f.name)).map((f) => f.text));
  const inputs: [string, string, string | undefined][] = [
    ["code (src/**/*.ts)", code, "prompt.ts"],
    ["corpus files, no name", mixed, undefined],
    ["config files as .env", config, ".env"],
  ];
  for (const [label, text, fileName] of inputs) {
    const mb = text.length / (1024 * 1024);
    for (const [which, run] of [
      ["own rules", () => redactWithOwnRules(text, { fileName })],
      ["redact()", () => redact(text, { fileName })],
    ] as const) {
      await run(); // warm up
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await run();
        best = Math.min(best, performance.now() - started);
      }
      console.log(`${label.padEnd(24)} ${which.padEnd(10)} ${mb.toFixed(1)} MB: ${(best / mb).toFixed(0)} ms/MB`);
    }
  }
}

void main();
