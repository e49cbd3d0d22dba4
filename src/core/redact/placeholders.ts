// Values that look like secrets by shape or by the name they are assigned to, but stand for
// one: `YOUR_API_KEY`, `sk-xxxx`, `<token>`, `${DB_PASSWORD}`, `process.env.X`. Redacting
// them costs the model context and teaches users that redaction is noise.

const TEMPLATE_REFERENCE = [
  /\$\{[^}]*\}/, // ${VAR}, ${{ secrets.X }}
  /\{\{[^}]*\}\}/, // {{ vault_password }}
  /\{%[^%]*%\}/,
  /#\{[^}]*\}/, // Ruby interpolation
  /%\([\w.]+\)[sd]?/, // Python %(name)s
  /<%=?[^%]*%>/,
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $DB_PASSWORD
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %DB_PASSWORD%
  /^\$\([^)]*\)$/, // $(cat /run/secrets/x)
  /^!(?:vault|secret|env|ref)\b/i, // YAML tags that fetch the value elsewhere
  /^ENC\[[^\]]*\]$/, // sops-encrypted values are ciphertext, not the secret
  /^(?:your|my|insert|enter|put|paste|replace)[_\- ][A-Za-z_\- ]+$/i, // YOUR_STRIPE_SECRET, my-db-password
];

const ENVIRONMENT_LOOKUP =
  /(?:^|[^\w])(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv\(|System\.getenv|Environment\.GetEnvironmentVariable|ENV\[|ENV\.fetch|env\(|Deno\.env|std::env|arn:aws:secretsmanager|secretsmanager:)/;

const PLACEHOLDER_INSIDE =
  /your[_-]?(?:own[_-]?)?(?:api[_-]?)?(?:key|token|secret|password)|example|placeholder|redacted|changeme|change[_-]me|replace[_-]?me|insert[_-]?here|goes[_-]?here|dummy|«redacted:|\[REDACTED\]|\*\*\*|•••|\.\.\.|…|<[A-Za-z][\w\s-]*>/i;

/** Words placeholders are made of; a value built only from these stands for a secret. */
const PLACEHOLDER_VOCABULARY = new Set(
  (
    "your my our the a an some insert enter put add paste replace example sample dummy placeholder redacted change changeme me " +
    "todo tbd fixme none null nil undefined empty secret secrets password passwd pass pwd token key keys api apikey access private " +
    "client value string str foo bar baz qux test here goes xxx x id auth bearer db database service account real actual new " +
    "true false yes no on off default dev development local insecure unsafe demo not"
  ).split(" "),
);

/** True when `value` stands for a secret instead of being one. */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (TEMPLATE_REFERENCE.some((re) => re.test(v))) return true;
  if (ENVIRONMENT_LOOKUP.test(v)) return true;
  if (PLACEHOLDER_INSIDE.test(v)) return true;
  if (hasLongRun(v)) return true;
  return isMadeOfPlaceholderWords(v);
}

/** `sk-xxxx`, `000000`, `******`: a random secret almost never repeats one character like that. */
function hasLongRun(v: string): boolean {
  return /([xX*#•])\1{3,}/.test(v) || /([.0_-])\1{4,}/.test(v) || /(.)\1{7,}/.test(v);
}

function isMadeOfPlaceholderWords(v: string): boolean {
  const words = v
    .replace(/^[<[({'"]+|[>\])}'"]+$/g, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[\s_\-.:/]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
  return words.length > 0 && words.every((w) => PLACEHOLDER_VOCABULARY.has(w) || /^x+$/.test(w));
}
