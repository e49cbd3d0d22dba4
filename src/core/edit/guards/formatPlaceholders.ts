// The placeholders a string hands to a formatting function: printf's %d and %-5.2f, and the
// brace fields of Python's str.format, Rust's format!, Java's MessageFormat, C#/.NET and
// JavaScript templates ({}, {0}, {name}, {:>8}, ${x}). Translated text may move them (word
// order differs by language) but not drop, add or rename them: the call would fail or print
// the wrong value. Compared as a multiset, since order may change.

/** No space flag: "50% off" in prose must not read as a placeholder. */
const PLACEHOLDER = /%(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn@]|\$?\{[\p{L}\p{N}_.:!?#<>^=+\-,]*\}/gu;

export function formatPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[0]).sort();
}

/** Placeholders in `before` that `after` lacks, and the reverse; both empty when they agree. */
export function placeholderDifference(before: string, after: string): { missing: string[]; extra: string[] } {
  const a = formatPlaceholders(before);
  const b = formatPlaceholders(after);
  const rest = [...b];
  const missing: string[] = [];
  for (const p of a) {
    const i = rest.indexOf(p);
    if (i >= 0) rest.splice(i, 1);
    else missing.push(p);
  }
  return { missing, extra: rest };
}
