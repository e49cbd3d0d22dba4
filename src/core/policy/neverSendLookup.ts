// Which of many known values (every neverSend file's lines and values, tens of thousands of
// them at the index's caps) occur in a request's texts. Looking each value up with indexOf
// costs values × characters (50,000 × 1 MB); here every value is filed under its first
// KEY_CHARS characters, and each text is read once, position by position, so the cost follows
// the text and hardly the number of values.
import type { NeverSendSecret } from "./neverSendText";

/** What the gateway consults for a request that leaves: the neverSend files' values found in its texts. */
export interface NeverSendContent {
  /** The values that occur in any of `texts`, each once (a superset is fine: the redactor checks boundaries again). */
  secretsIn(texts: readonly string[]): readonly NeverSendSecret[];
  /** How many files the values come from, for the log. */
  readonly files: number;
}

/**
 * The shortest value looked up, and the length of the key values are filed under: the
 * gateway's redaction ignores shorter ones anyway (STANDALONE_MIN and VALUE_MIN are 6).
 */
const KEY_CHARS = 6;

export class NeverSendLookup implements NeverSendContent {
  private readonly byKey = new Map<string, NeverSendSecret[]>();
  /** Distinct values filed. */
  readonly values: number;

  constructor(
    secrets: Iterable<NeverSendSecret>,
    readonly files: number,
  ) {
    const seen = new Set<string>();
    for (const secret of secrets) {
      if (secret.value.length < KEY_CHARS) continue;
      const id = `${secret.standalone === true ? "a" : "w"}:${secret.value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const key = secret.value.slice(0, KEY_CHARS);
      const filed = this.byKey.get(key);
      if (filed === undefined) this.byKey.set(key, [secret]);
      else filed.push(secret);
    }
    this.values = seen.size;
  }

  secretsIn(texts: readonly string[]): readonly NeverSendSecret[] {
    if (this.byKey.size === 0) return [];
    const found = new Set<NeverSendSecret>();
    for (const text of texts) {
      for (let at = 0; at + KEY_CHARS <= text.length; at++) {
        const filed = this.byKey.get(text.slice(at, at + KEY_CHARS));
        if (filed === undefined) continue;
        for (const secret of filed) if (!found.has(secret) && text.startsWith(secret.value, at)) found.add(secret);
      }
    }
    return [...found];
  }
}

/** No values: what a workspace without neverSend files has. */
export const NO_NEVER_SEND_CONTENT: NeverSendContent = new NeverSendLookup([], 0);
