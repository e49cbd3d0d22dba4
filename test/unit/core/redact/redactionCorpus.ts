// Loads the labelled redaction corpus from disk, for the tests and for a benchmark that
// prints the same figures.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LookAlike, PlantedSecret, RedactionCorpus } from "../../../../src/core/redact/measureRedaction";

export const CORPUS_DIR = join(__dirname, "corpus");

interface Manifest {
  readonly secrets: readonly { file: string; kind: string; value?: string; pieces?: string[] }[];
  readonly lookAlikes: readonly LookAlike[];
}

export function loadRedactionCorpus(dir = CORPUS_DIR): RedactionCorpus {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  const names = [...new Set([...manifest.secrets.map((s) => s.file), ...manifest.lookAlikes.map((l) => l.file)])].sort();
  const files = names.map((name) => ({ name, text: readFileSync(join(dir, `${name}.txt`), "utf8") }));
  const secrets: PlantedSecret[] = manifest.secrets.map((s) => ({ file: s.file, kind: s.kind, pieces: s.pieces ?? [s.value ?? ""] }));
  return { files, secrets, lookAlikes: manifest.lookAlikes };
}
