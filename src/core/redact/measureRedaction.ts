// Measures a redactor on a labelled corpus, both ways: recall on planted secrets, and false
// positives on look-alikes and anywhere else. Both numbers matter (docs/facts-security.md):
// a miss leaks a secret, a false positive degrades answers and gets redaction switched off.
import type { RedactionFinding } from "./findings";
import { redact, type RedactionResult } from "./redact";

export interface CorpusFile {
  /** The file's name as a prompt would carry it (decides how values are read). */
  readonly name: string;
  readonly text: string;
}

export interface PlantedSecret {
  readonly file: string;
  readonly kind: string;
  /** The secret's text; several pieces when it is split across string literals. Every occurrence of every piece must be redacted. */
  readonly pieces: readonly string[];
}

export interface LookAlike {
  readonly file: string;
  /** Text that must come through untouched. */
  readonly value: string;
  readonly why: string;
}

export interface RedactionCorpus {
  readonly files: readonly CorpusFile[];
  readonly secrets: readonly PlantedSecret[];
  readonly lookAlikes: readonly LookAlike[];
}

export interface StrayFinding {
  readonly file: string;
  readonly kind: string;
  readonly text: string;
}

export interface RedactionMeasurement {
  readonly secrets: number;
  readonly caught: number;
  readonly recall: number;
  readonly missed: readonly PlantedSecret[];
  readonly lookAlikes: number;
  /** Look-alikes that were (partly) redacted. */
  readonly falsePositives: readonly LookAlike[];
  /** Findings that cover no planted secret at all, look-alike or not. */
  readonly strayFindings: readonly StrayFinding[];
  readonly milliseconds: number;
}

export type Redactor = (text: string, options: { fileName?: string }) => Promise<RedactionResult> | RedactionResult;

export async function measureRedaction(corpus: RedactionCorpus, redactor: Redactor = redact): Promise<RedactionMeasurement> {
  const findingsByFile = new Map<string, readonly RedactionFinding[]>();
  const started = performance.now();
  for (const file of corpus.files) findingsByFile.set(file.name, (await redactor(file.text, { fileName: file.name })).findings);
  const milliseconds = performance.now() - started;
  const textOf = new Map(corpus.files.map((f) => [f.name, f.text]));

  const missed = corpus.secrets.filter((secret) => {
    const text = textOf.get(secret.file) ?? "";
    const findings = findingsByFile.get(secret.file) ?? [];
    return !secret.pieces.every((piece) => {
      const spans = occurrences(text, piece);
      return spans.length > 0 && spans.every((span) => covered(span, findings));
    });
  });

  const falsePositives = corpus.lookAlikes.filter((look) => {
    const findings = findingsByFile.get(look.file) ?? [];
    return occurrences(textOf.get(look.file) ?? "", look.value).some((span) => findings.some((f) => overlaps(span, f)));
  });

  const strayFindings: StrayFinding[] = [];
  for (const file of corpus.files) {
    const planted = corpus.secrets.filter((s) => s.file === file.name).flatMap((s) => s.pieces.flatMap((p) => occurrences(file.text, p)));
    for (const f of findingsByFile.get(file.name) ?? []) {
      if (!planted.some((span) => overlaps(span, f))) strayFindings.push({ file: file.name, kind: f.kind, text: file.text.slice(f.start, f.end) });
    }
  }

  const secrets = corpus.secrets.length;
  const caught = secrets - missed.length;
  return { secrets, caught, recall: secrets === 0 ? 1 : caught / secrets, missed, lookAlikes: corpus.lookAlikes.length, falsePositives, strayFindings, milliseconds };
}

/** One line for test output and benchmarks. */
export function formatMeasurement(m: RedactionMeasurement): string {
  return (
    `redaction: recall ${(m.recall * 100).toFixed(1)}% (${m.caught}/${m.secrets} planted secrets), ` +
    `false positives ${m.falsePositives.length}/${m.lookAlikes} look-alikes, ${m.strayFindings.length} stray findings, ${m.milliseconds.toFixed(0)} ms`
  );
}

interface Span {
  readonly start: number;
  readonly end: number;
}

function occurrences(text: string, needle: string): Span[] {
  const spans: Span[] = [];
  if (needle === "") return spans;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) spans.push({ start: at, end: at + needle.length });
  return spans;
}

/** Every character of `span` lies inside some finding (findings are merged, so one must contain it). */
function covered(span: Span, findings: readonly RedactionFinding[]): boolean {
  return findings.some((f) => f.start <= span.start && span.end <= f.end);
}

function overlaps(span: Span, f: RedactionFinding): boolean {
  return f.start < span.end && span.start < f.end;
}
