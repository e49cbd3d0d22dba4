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
