// How random a string looks. Used where a name alone is weak evidence ("key", "auth"):
// `auth: jwt` is configuration, `auth: 9fQ2xLr7Vb3Kp8Zt` is a credential.

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Long, mixed, unpredictable, and not prose. */
export function looksRandom(text: string, minLength = 12): boolean {
  if (text.length < minLength || /\s/.test(text)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(text)).length;
  if (classes < 2) return false;
  // Identifiers made of words (PaymentApiKey, payment_api_key) are names, not randomness.
  if (/^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/.test(text) || /^[A-Za-z][a-z]*(?:[_.-][A-Za-z][a-z]*)+$/.test(text)) return false;
  return shannonEntropy(text) >= 3;
}

const VOWELS = /[aeiouyAEIOUY]/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A generated token, judged with no name to vouch for it, so stricter than looksRandom: the
 * longest letters-and-digits run in it is at least 12 long and is not made of words
 * (`ApplicationInsights2`, `MyServiceV2Handler`); its digits are spread through it (not
 * `Pbkdf2Params`, `node18`, `release-2024`), or, with fewer than two digit runs, its letters
 * change case every character or two over at least 20; and its entropy is high for its
 * length. Hex counts from 24 digits. Measured on random tokens against identifiers taken from
 * real code (with digits and versions appended): 69% of random 16-character letters-and-digits
 * tokens pass, 92% of 24-character ones, 93% of base64 of 32 bytes, all hex of 24 digits or
 * more; about 3 in 10,000 identifiers do.
 */
export function looksGenerated(value: string): boolean {
  if (value.length < 16 || value.length > 4096 || !/^[A-Za-z0-9+/=_.~!@#$%^&*-]+$/.test(value) || UUID.test(value)) return false;
  const core = longestAlphanumericRun(value);
  if (core.length < 12 || !/[A-Za-z]/.test(core)) return false;
  const digitRuns = core.match(/[0-9]+/g)?.length ?? 0;
  if (/^(?:[0-9a-f]+|[0-9A-F]+)$/.test(core)) return core.length >= 24 && digitRuns >= 3 && /[a-fA-F]/.test(core) && shannonEntropy(core) >= 3;
  let inWords = 0;
  for (const part of core.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? []) {
    if (part.length >= 4 && (part.match(VOWELS)?.length ?? 0) * 4 >= part.length) inWords += part.length;
  }
  if (inWords * 10 > core.length * 4) return false;
  if (digitRuns < 2) {
    const caseRuns = core.match(/[a-z]+|[A-Z]+/g) ?? [];
    if (core.length < 20 || caseRuns.join("").length / caseRuns.length > 1.8) return false;
  }
  return shannonEntropy(core) >= Math.min(3.7, Math.log2(core.length) - 0.75);
}

function longestAlphanumericRun(value: string): string {
  let longest = "";
  for (const run of value.match(/[A-Za-z0-9]+/g) ?? []) if (run.length > longest.length) longest = run;
  return longest;
}
