// Credentials written in sentences, as people paste them into a chat or a comment:
//   "the AWS secret is wJalr…", "db password: hunter2-but-long so you can test",
//   "my token is …", "use key … to log in", "set the admin password to …",
//   「パスワードは…です」, 「APIキー: …」, 「シークレットは「…」です」, 「トークン …」.
//
// The rule for the value, because prose is full of sentences *about* secrets
// ("the password is stored in Vault", "the token is valid for 1h"):
//   - a quoted value ('…', "…", `…`, 「…」) is a secret unless it is a placeholder;
//   - an unquoted value is a secret when it has the shape of a credential: at least six
//     characters, a digit or a symbol in it or mixed case, and not a name made of words
//     ("case-sensitive", "GitHub", "this.token");
//   - an unquoted plain word ("swordfish") is a secret only when the label says password
//     (password, passphrase, PIN, パスワード …) and the word is not an ordinary predicate
//     ("stored", "required", "too", "invalid", "expired" …). After "token", "secret" or "key"
//     a plain word is too often English ("the secret is simple") and stays.
import { looksRandom } from "./entropy";
import type { RedactionFinding } from "./findings";
import { isPlaceholderValue } from "./placeholders";
import { classifySecretName } from "./secretNames";
import { judgeSecretValue } from "./secretValue";

const QUALIFIER = String.raw`(?:(?:aws|db|database|admin|root|api|access|secret|private|auth|bearer|session|refresh|signing|client|app|master|redis|postgres|mysql|ssh|wifi|wi-fi|vpn|user|account|login|deploy|github|gitlab|npm|slack|stripe|openai|my|our|the|your)[ -])`;
const NAME = String.raw`(?<name>${QUALIFIER}{0,3}(?:password|passwd|passphrase|passcode|pwd|pin|token|secret|api[ -]?key|key|credentials?))`;
/** The value: quoted, or one token. */
const VALUE = String.raw`(?:(?<q>["'\`“‘])(?<qs>[^"'\`”’\r\n]{1,200})["'\`”’]|(?<s>[^\s"'\`“”‘’«»<>()[\]{}]+))`;

const ENGLISH = new RegExp(
  [
    // the password is X, my token was X, the secret key is now X, password: X (`=` is code: secretAssignments.ts)
    String.raw`(?<![\w.$-])${NAME}(?:\s+(?:is|was|are|equals|reads)(?:\s+(?:now|still|just|actually|set\s+to|changed\s+to))?\s*:?\s+|\s*[:：]\s*)${VALUE}`,
    // set/change/reset the admin password to X
    String.raw`\b(?:set|change|changed|reset|update|updated|rotate|rotated)\s+(?:the\s+|my\s+|our\s+|your\s+|its\s+)?${NAME.replace("<name>", "<name2>")}\s+to\s+${VALUE.replace("<q>", "<q2>").replace("<qs>", "<qs2>").replace("<s>", "<s2>").replace(/\\k<q>/g, "\\k<q2>")}`,
    // use key X to log in, log in with password X, enter the token X
    String.raw`\b(?:use|using|with|enter|type|try|paste)\s+(?:the\s+|my\s+|our\s+|this\s+)?${NAME.replace("<name>", "<name3>")}\s+${VALUE.replace("<q>", "<q3>").replace("<qs>", "<qs3>").replace("<s>", "<s3>")}`,
  ].join("|"),
  "dgi",
);

const JA_NAME = String.raw`(?<name>パスワード|パスフレーズ|暗証番号|API\s?キー|ＡＰＩキー|アクセスキー|シークレットキー|クライアントシークレット|シークレット|秘密鍵|(?:認証|アクセス|API|Bot|ボット|リフレッシュ)?トークン|密码|密碼|口令|令牌|密钥|秘钥|비밀번호|토큰|пароль|токен)`;
/** 「パスワードは…」「APIキー：…」「トークン …」「密码是…」; the value is the ASCII run that follows. */
const OTHER_SCRIPTS = new RegExp(
  String.raw`${JA_NAME}(?:\s*(?:は|が|も|を|:|：|=|＝|是|为|為|는|은|это|—|-)\s*|\s+)(?:(?<q>「|『|"|“|'|\`)(?<qs>[\x21-\x7E]{1,200}?)(?:」|』|"|”|'|\`)|(?<s>[\x21-\x7E]+))`,
  "dg",
);

const PASSWORD_NAME = /pass|pwd|pin|パスワード|パスフレーズ|暗証番号|密码|密碼|口令|비밀번호|пароль/i;

/** Words that follow "the password is" in sentences about a password rather than in one. */
const PREDICATES = new Set(
  (
    "the a an in on at of for to by from with not now too also still just being been very quite really so that this there here " +
    "set saved stored kept required optional mandatory invalid incorrect wrong correct valid missing empty blank expired weak strong " +
    "long short same different secure insecure unique random generated hashed encrypted rotated changed reset updated visible hidden " +
    "masked shown sent used needed wrong null none case sensitive insensitive below above attached included inside somewhere " +
    "check see look ask read find refer contact please where what which available unavailable known unknown public private " +
    "safe unsafe broken fine good bad okay ok same simple obvious easy hard different unchanged new old default disabled enabled " +
    "only never always whatever something anything nothing mine yours ours theirs his hers here there"
  ).split(" "),
);
const PREDICATE_SUFFIX = /(?:ed|ing|ly|able|ible|ive|ous|ful|less|ent|ant|al|ic|ary|ory|ion|ness|ment)$/;

export function findProseCredentials(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const pattern of [ENGLISH, OTHER_SCRIPTS]) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const g = match.groups ?? {};
      const ix = match.indices?.groups ?? {};
      const name = g.name ?? g.name2 ?? g.name3;
      const quoted = ix.qs ?? ix.qs2 ?? ix.qs3;
      const bare = ix.s ?? ix.s2 ?? ix.s3;
      if (name === undefined) continue;
      const secret = classifySecretName(name.replace(/\s+/g, "_"));
      if (secret === undefined) continue;
      if (quoted !== undefined) {
        const verdict = judgeSecretValue(text.slice(quoted[0], quoted[1]), secret.strength);
        if (verdict.offset >= 0) findings.push({ kind: secret.kind, start: quoted[0] + verdict.offset, end: quoted[1] });
        continue;
      }
      if (bare === undefined) continue;
      const [start, end] = trimTrailingPunctuation(text, bare[0], bare[1]);
      const value = text.slice(start, end);
      if (!isCredentialInProse(value, PASSWORD_NAME.test(name), secret.strength === "strong")) continue;
      findings.push({ kind: secret.kind, start, end });
    }
  }
  return findings;
}

function trimTrailingPunctuation(text: string, start: number, end: number): [number, number] {
  let to = end;
  while (to > start && /[.,;:!?)\]}。、，」』]/.test(text[to - 1])) to--;
  return [start, to];
}

export function isCredentialInProse(value: string, namedPassword: boolean, strongName: boolean): boolean {
  if (value.length < 4 || isPlaceholderValue(value)) return false;
  if (judgeSecretValue(value, strongName ? "strong" : "weak").offset < 0) return false;
  // Code read as prose: calls, members, template references.
  if (/[()]|^[$@]|=>|::|->/.test(value)) return false;
  const wordLike = /^[A-Za-z][a-z]*(?:[A-Z][a-z]+)*$/.test(value) || /^[A-Za-z][a-z]*(?:[_.-][A-Za-z][a-z]*)+$/.test(value);
  if (!strongName) return looksRandom(value, 12);
  if (wordLike) {
    if (!namedPassword || !/^[A-Za-z][a-z]+$/.test(value)) return false;
    const word = value.toLowerCase();
    return word.length >= 5 && !PREDICATES.has(word) && !PREDICATE_SUFFIX.test(word);
  }
  if (value.length < 6) return /\d/.test(value) && /[A-Za-z]/.test(value) && namedPassword;
  return /[0-9]/.test(value) || /[^A-Za-z0-9]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value));
}
