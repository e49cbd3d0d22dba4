// In a config file (.env, YAML, .ini, .properties, TOML) every value is literal data, and one
// that looks generated is a credential far more often than anything else, whatever it is
// called: `SIGNING=…`, `MAPBOX=…`, `upstream_2 = …`. Such values are redacted without a secret
// name, except under names that say what else they are (an id, a hash, a commit, a version, a
// public or publishable key, a certificate) and in the shapes of public identifiers.
import { looksGenerated } from "./entropy";
import type { RedactionFinding } from "./findings";
import { fileKindOf } from "./fileKind";
import { isPlaceholderValue } from "./placeholders";
import { isMetadataWord, splitNameWords } from "./secretNames";

/** `name = value`, `name: value`, `export NAME="value"`, `- name: value`, one per line, a comment after it allowed; tried at each line's start. */
const ENTRY =
  /[ \t]*(?:export[ \t]+)?(?:-[ \t]+)?(?<qn>["']?)(?<name>[A-Za-z_][\w.-]{0,80})\k<qn>[ \t]*[:=][ \t]*(?:(?<q>["'])(?<quoted>[^"'\r\n]{16,4096})\k<q>|(?<raw>[^\s"'][^\s]{15,4095}))[ \t]*(?:[#;][^\r\n]*)?\r?(?:\n|$)/dy;

/** Name words that say the value identifies or describes something, besides those of secretNames' metadata list. */
const IDENTIFYING_WORDS = new Set(
  (
    "uuid guid sha sha1 sha256 sha384 sha512 md5 crc checksum checksums commit revision rev ver tag tags image images integrity thumbprint etag " +
    "serial tenant subscription region zone bucket domain email mail user login account pub cert certificate ca crt pem secure"
  ).split(" "),
);

/** Public identifiers that look generated: Stripe publishable keys and object ids, analytics ids, digests, refs pinned to a commit. */
const PUBLIC_SHAPE = /^(?:pk_(?:live|test)_|(?:price|prod|cus|acct|sub|pi|plan|txn)_|G-|UA-|GTM-|ca-pub-|sha\d+[-:])|@[0-9a-f]{40,64}$/;

/** "-----BEGIN" in base64: a PEM block stored as base64 (kubeconfig's certificate-authority-data). */
const PEM_IN_BASE64 = /^LS0tLS1CRUdJTi/;

export function findRandomConfigValues(text: string, fileName?: string): RedactionFinding[] {
  if (fileKindOf(fileName) !== "config") return [];
  const findings: RedactionFinding[] = [];
  for (let lineStart = 0; lineStart < text.length; ) {
    ENTRY.lastIndex = lineStart;
    const entry = ENTRY.exec(text);
    const next = text.indexOf("\n", lineStart);
    lineStart = next < 0 ? text.length : next + 1;
    const span = entry?.indices?.groups?.quoted ?? entry?.indices?.groups?.raw;
    if (entry === null || span === undefined) continue;
    const value = text.slice(span[0], span[1]);
    if (PEM_IN_BASE64.test(value)) {
      // A private key stored this way is a secret whatever it is called; a certificate is public.
      if (Buffer.from(value, "base64").toString("latin1").includes("PRIVATE KEY")) findings.push({ kind: "private-key", start: span[0], end: span[1] });
      continue;
    }
    if (!looksGenerated(value) || PUBLIC_SHAPE.test(value) || isPlaceholderValue(value)) continue;
    if (splitNameWords(entry.groups?.name ?? "").some((w) => isMetadataWord(w) || IDENTIFYING_WORDS.has(w))) continue;
    findings.push({ kind: "random-value", start: span[0], end: span[1] });
  }
  return findings;
}
