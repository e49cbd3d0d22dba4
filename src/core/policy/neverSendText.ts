// What of a neverSend file's text is its own, so that finding it elsewhere in a request
// (pasted into the message, copied into another file) means the file's text is leaving:
//   - the whole text, and each line long enough to be the file's own (DISTINCTIVE_LINE);
//   - the value of a `name=value` or `name: value` line, however short the line, when the
//     value is distinctive: a password under a secret-sounding name (`PW=Xy7kPq2mZ9vB`,
//     `DB_PASSWORD=admin123`), or a random-looking run anywhere (a password inside a URL).
// A value is matched only where it stands alone, and common configuration values (`true`,
// `8080`, `localhost`, `us-east-1`, `utf8mb4`, `gpt-4o-mini`, a version, a date) are never
// distinctive: a message that mentions them is not a copy of the file. Nor are lines that any
// file may hold: a banner of `#` or `=` (no letter or digit), a PEM armour line (`-----BEGIN
// CERTIFICATE-----`: the key's own lines are values), and in a program's source (a `.py` or
// `.go` file that is neverSend by its folder or name) every line but those that set a
// secret-named variable: `from __future__ import annotations`, `super().__init__()` and a
// license header are in every other file of the kind.
//
// Here in the policy, not in the gateway, because two readers derive the same values: the
// gateway from a file it leaves out of a request, and the neverSend index (neverSendIndex.ts)
// from the workspace's neverSend files on disk.
import { classifySecretName, isPlaceholderValue, judgeSecretValue } from "../redact";

/**
 * A piece of a neverSend file's text, as the gateway's KnownSecret (core/gateway/bodyRedaction)
 * takes it: only whole occurrences count, and a `standalone` one only where no letter or digit touches it.
 */
export interface NeverSendSecret {
  readonly value: string;
  readonly kind: "never-send";
  readonly wholeOnly: true;
  readonly standalone?: true;
}

/**
 * A line of a file this long is its own: shorter ones are too common ("}", "import os") to tell
 * that a file was pasted, or that a neverSend file's line was copied.
 */
export const DISTINCTIVE_LINE = 16;
/** The shortest value of a neverSend file that is looked for on its own (bodyRedaction's STANDALONE_MIN). */
export const VALUE_MIN = 6;
/**
 * How many short pieces (two characters or fewer: `7`, `kP`, `q`) a run of letters and
 * digits needs to look random. Words and numbers come in long pieces (`utf8mb4` has 3 short
 * ones, `getUserById` 2); `Xy7kPq2mZ9vB` has 10, `s3cr3t` 5.
 */
const RANDOM_SHORT_PIECES = 5;

/** `export NAME=value`, `name: value`, `"name": "value",`, `name := value`. */
const ASSIGNMENT = /^\s*(?:(?:export|set|const|let|var|readonly)\s+)?["']?([A-Za-z_$][\w.$-]*)["']?\s*(?::=|=|:)\s*(.*)$/;

export interface NeverSendTextOptions {
  /** The file's path (or name): a program's source, known by its extension, keeps fewer lines. */
  readonly path?: string;
}

/** A neverSend file's text, found in another file that is sent (or in the message), is taken out of it. */
export function neverSendText(content: string, options: NeverSendTextOptions = {}): NeverSendSecret[] {
  const out: NeverSendSecret[] = [];
  const whole = content.trim();
  if (whole !== "") out.push({ value: whole, kind: "never-send", wholeOnly: true });
  const source = options.path !== undefined && isProgramSource(options.path);
  for (const line of content.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= DISTINCTIVE_LINE && trimmed !== whole && isFilesOwnLine(trimmed, source)) out.push({ value: trimmed, kind: "never-send", wholeOnly: true });
    for (const value of distinctiveValues(trimmed)) out.push({ value, kind: "never-send", wholeOnly: true, standalone: true });
  }
  return out;
}

/**
 * A line long enough that may be the file's own: not a line of only punctuation, nor a PEM
 * armour line, and in a program's source only an assignment to a secret-sounding name
 * (`DB_PASSWORD = "correcthorse"`, whose value, a plain word, is no distinctive value).
 */
function isFilesOwnLine(line: string, source: boolean): boolean {
  if (!/[\p{L}\p{N}]/u.test(line) || PEM_ARMOUR.test(line)) return false;
  if (!source) return true;
  const assignment = ASSIGNMENT.exec(line);
  return assignment !== null && classifySecretName(assignment[1]) !== undefined && !isPlaceholderValue(valueOf(assignment[2]));
}

const PEM_ARMOUR = /^-----(?:BEGIN|END) [A-Z0-9 ]+-----$/;

/**
 * Extensions of programs' source, whose lines are mostly the language's and its libraries'.
 * Not shell scripts, nor configuration (`.json`, `.yaml`, `.toml`, `.ini`, `.properties`,
 * `.tf`): their lines are the file's own settings.
 */
const PROGRAM_SOURCE = new Set([
  "py", "pyi", "pyw", "go", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "java", "kt", "kts", "scala", "groovy", "rb", "rs", "c", "h", "cc", "cpp", "cxx", "hpp", "hh",
  "hxx", "m", "mm", "cs", "fs", "vb", "swift", "php", "pl", "pm", "lua", "r", "dart", "ex", "exs", "erl", "hrl", "hs", "clj", "cljs", "elm", "vue", "svelte", "zig", "nim", "jl", "ml", "mli",
]);

function isProgramSource(path: string): boolean {
  const name = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 && PROGRAM_SOURCE.has(name.slice(dot + 1).toLowerCase());
}

/** The distinctive values one line of a file holds: an assignment's value, or random-looking runs of letters and digits. */
export function distinctiveValues(line: string): string[] {
  const assignment = ASSIGNMENT.exec(line);
  const value = assignment === null ? line.trim() : valueOf(assignment[2]);
  if (NOTATION.test(value)) return [];
  const found = new Set<string>();
  const standsAlone = value.length >= VALUE_MIN && !/\s/.test(value) && !isPlaceholderValue(value);
  if (standsAlone && ((assignment !== null && secretUnderName(value, assignment[1])) || hasRandomRun(value))) found.add(value);
  // A random run inside a longer value or a sentence (the password in postgres://user:Xk2p9LmQ7vBn@db) may be copied alone.
  for (const run of value.match(/[A-Za-z0-9]+/g) ?? []) {
    if (run.length >= VALUE_MIN && hasRandomRun(run) && !isPlaceholderValue(run)) found.add(run);
  }
  return [...found];
}

/** The value as written, without its quotes, a trailing `,` or `;`, or a comment after it. */
function valueOf(raw: string): string {
  const text = raw.trim().replace(/[,;]$/, "").trim();
  const quoted = /^(["'`])(.*)\1$/.exec(text);
  if (quoted !== null) return quoted[2];
  return text.replace(/\s+(?:#|\/\/).*$/, "").trim();
}

/**
 * Under a strong secret name (`password`, `PW`, `api_key`), any real value is a secret; a
 * plain word is still a word (`postgres`, `Password`), too common to look for, and in code
 * the value is often an expression (`vscode.CancellationToken`, `randomBytes(24)`, `OPENAI_KEY`).
 */
function secretUnderName(value: string, name: string): boolean {
  const kind = classifySecretName(name) ?? (/^(?:pw|pwd|pin)$/i.test(name) ? { kind: "password", strength: "strong" as const } : undefined);
  if (kind?.strength !== "strong" || judgeSecretValue(value, "strong").offset < 0) return false;
  return !/^[A-Za-z]+$/.test(value) && !looksLikeCode(value);
}

/** An identifier made of words (`OPENAI_KEY`, `db_password`), a member access (`config.apiKey`, `var.db_password`) or a call. */
function looksLikeCode(value: string): boolean {
  if (/^[A-Za-z]+(?:_[A-Za-z]+)+$/.test(value)) return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return true;
  return /[A-Za-z_$][\w$]*\(/.test(value);
}

/** Values whose many short pieces are a notation, not randomness: a duration (`1h30m0s`), a colour (`#1a2b3c`). */
const NOTATION = /^(?:(?:\d+(?:ns|us|µs|ms|s|m|h|d|w|y))+|#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8}))$/i;

/** Some run of letters and digits in `value` is made of many short pieces, as random text is and words and numbers are not. */
function hasRandomRun(value: string): boolean {
  return (value.match(/[A-Za-z0-9]+/g) ?? []).some((run) => !NOTATION.test(run) && (run.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? []).filter((piece) => piece.length <= 2).length >= RANDOM_SHORT_PIECES);
}
