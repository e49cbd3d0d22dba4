// Given that a name says "secret", is the value it holds one? A real value is; a placeholder,
// an environment lookup, a path to where the secret lives, or a sentence about the secret
// is not. Weakly named values (`key`, `auth`) must also look random.
import { looksRandom } from "./entropy";
import { isPlaceholderValue } from "./placeholders";
import type { SecretNameStrength } from "./secretNames";

/** Header values keep their scheme ("Bearer ") so the model still sees what kind of credential it was. */
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Digest|Bot|ApiKey|SSWS|Key|OAuth|JWT)\s+(?=\S)/i;

export interface ValueVerdict {
  /** Where the secret starts inside the value (after an auth scheme), or -1 when it is no secret. */
  readonly offset: number;
}

const NO_SECRET: ValueVerdict = { offset: -1 };

export function judgeSecretValue(value: string, strength: SecretNameStrength): ValueVerdict {
  const scheme = AUTH_SCHEME.exec(value);
  const offset = scheme === null ? 0 : scheme[0].length;
  const secret = value.slice(offset);
  if (isPlaceholderValue(secret)) return NO_SECRET;
  if (isProse(secret) || isLocation(secret) || isLiteralKeyword(secret)) return NO_SECRET;
  if (/^\d+$/.test(secret)) return secret.length >= 6 ? { offset } : NO_SECRET;
  if (secret.length < 4) return NO_SECRET;
  // A scheme makes even a weak name ("authorization") a credential.
  if (strength === "weak" && scheme === null && !looksRandom(secret, 12)) return NO_SECRET;
  return { offset };
}

/** "Please enter your password.", "Invalid API key": messages about secrets, not secrets. */
function isProse(v: string): boolean {
  if (!/\s/.test(v)) return false;
  if (/\b(?:password|passwords|secret|token|key|credentials?|passphrase)\b/i.test(v)) return true;
  if (/[.!?:]$/.test(v)) return true;
  return v.trim().split(/\s+/).length >= 5;
}

/** A URL without credentials, or a file path: where the secret is kept, not the secret. */
function isLocation(v: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(v)) return true;
  return /^(?:\.{1,2}\/|~\/|\/|[A-Za-z]:\\)(?:[\w.-]+[/\\])*[\w.-]+$/.test(v) && /^[^A-Z]*$/.test(v.replace(/^[A-Za-z]:/, ""));
}

function isLiteralKeyword(v: string): boolean {
  return /^(?:true|false|null|nil|none|undefined|yes|no|on|off|~|required|optional|string|number|boolean|bytes|str|int)$/i.test(v);
}
