// The redactor: every layer looks at the whole text, findings are merged, and each secret
// becomes «redacted:kind» while everything around it stays. Layers, and why each exists
// (docs/facts-security.md: one detector caught about half of a realistic set):
//   1. secretlint's recommended preset: maintained vendor rules.
//   2. names that say secret, in any syntax, holding a real value.
//   3. credentials inside URLs, query strings and connection strings.
//   4. PEM / OpenSSH / PGP private key blocks, also when cut off or written with "\n".
//   5. vendor token shapes secretlint misses, found anywhere (comments in any language too),
//      also when a token is split across concatenated string literals.
//   6. literal fallbacks of secret-named lookups (`process.env.JWT_SECRET || "…"`, `${TOKEN:-…}`).
//   7. credentials written in sentences, English and other scripts ("my token is …", 「パスワードは…」).
//   8. values cut by the context window at the start or end of the text (or at `cuts`).
//   9. disguised secrets: layers 2–7 also read a rewritten view of each place where invisible
//      characters, look-alike letters, fullwidth forms, escapes or "\" line continuations
//      hide one (normalisedView.ts), and the decoded text of base64, hex and character-code
//      runs (encodedSecrets.ts); what they find is redacted in the original text, over the
//      whole disguised run.
//  10. in config files (.env, YAML, .ini, .properties, TOML), random-looking values whatever
//      their name (randomConfigValues.ts).
import { findCutValues } from "./cutValues";
import { findEncodedSecrets } from "./encodedSecrets";
import { findFallbackLiterals } from "./fallbackLiterals";
import { findInConcatenations } from "./stringConcatenation";
import { applyFindings, mergeFindings, type RedactionFinding } from "./findings";
import { findLocatorCredentials } from "./locatorCredentials";
import { findInNormalisedViews } from "./normalisedView";
import { isPlaceholderValue } from "./placeholders";
import { findPrivateKeyBlocks } from "./privateKeyBlocks";
import { findProseCredentials } from "./proseCredentials";
import { findRandomConfigValues } from "./randomConfigValues";
import { findSecretAssignments } from "./secretAssignments";
import { findWithSecretlint } from "./secretlintLayer";
import { findTokenShapes } from "./tokenShapes";

export interface RedactOptions {
  /** Path or name of the file the text comes from; decides how unquoted values are read. */
  readonly fileName?: string;
  /**
   * Offsets where the text was cut or joined from cut pieces (the context window dropped what
   * was on the other side). The text's own start and end always count as cuts: a secret-looking
   * value cut there is redacted even without its name (see cutValues.ts).
   */
  readonly cuts?: readonly number[];
}

export interface RedactionResult {
  readonly text: string;
  /** Number of redacted spans. */
  readonly count: number;
  /** Spans in the input text, sorted and non-overlapping. */
  readonly findings: readonly RedactionFinding[];
  /** A layer that failed (the others still ran); for the log. */
  readonly warnings: readonly string[];
}

export async function redact(text: string, options: RedactOptions = {}): Promise<RedactionResult> {
  const own = findWithOwnRules(text, options);
  const warnings: string[] = [];
  let fromSecretlint: RedactionFinding[] = [];
  try {
    fromSecretlint = (await findWithSecretlint(text, options.fileName)).filter(
      (f) => !own.some((o) => o.start < f.end && f.start < o.end) && !isPlaceholderValue(text.slice(f.start, f.end)),
    );
  } catch (error) {
    warnings.push(`secretlint failed, so only Hearth's own rules ran: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result(text, [...own, ...fromSecretlint], warnings);
}

/** Layers 2–10 only: synchronous and cheap, for paths where waiting for secretlint is too slow. */
export function redactWithOwnRules(text: string, options: RedactOptions = {}): RedactionResult {
  return result(text, findWithOwnRules(text, options), []);
}

/** Most specific first: where two layers find the same span, the earlier one names the kind. */
function findWithOwnRules(text: string, options: RedactOptions): RedactionFinding[] {
  const inPlace = (t: string): RedactionFinding[] => findInText(t, options.fileName);
  // Decoded text is no file: its values are read as in a text of unknown kind.
  const inDecoded = (t: string): RedactionFinding[] => findInText(t, undefined);
  return [
    ...inPlace(text),
    ...findEncodedSecrets(text, inDecoded),
    ...findInNormalisedViews(text, (view) => [...inPlace(view), ...findEncodedSecrets(view, inDecoded)]),
    ...findRandomConfigValues(text, options.fileName),
    ...findCutValues(text, options.cuts),
  ];
}

/**
 * Layers 2–7 over one text. Values cut at the text's ends are not looked for here: a view or
 * a decoded run starts and ends wherever it was taken from, not where the context window cut.
 */
function findInText(text: string, fileName: string | undefined): RedactionFinding[] {
  return [
    ...findTokenShapes(text),
    ...findInConcatenations(text, findTokenShapes),
    ...findPrivateKeyBlocks(text),
    ...findLocatorCredentials(text),
    ...findSecretAssignments(text, fileName),
    ...findFallbackLiterals(text),
    ...findProseCredentials(text),
  ];
}

function result(text: string, findings: readonly RedactionFinding[], warnings: string[]): RedactionResult {
  const merged = mergeFindings(findings);
  return { text: applyFindings(text, merged), count: merged.length, findings: merged, warnings };
}
