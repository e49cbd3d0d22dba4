// Does a variable, key or setting name say "this holds a secret"? Names arrive in every
// case style (db_password, dbPassword, DB-PASSWORD, DBPASSWORD, db.password), so they are
// split into words first and judged word by word, which keeps `tokenizer`, `passwordless`
// and `secretary` out while `SECRET_KEY_BASE` and `x-api-key` get in.

/** strong: any real value is a secret. weak: only a random-looking value is. */
export type SecretNameStrength = "strong" | "weak";

export interface SecretName {
  readonly kind: string;
  readonly strength: SecretNameStrength;
}

const STRONG_WORDS: Readonly<Record<string, string>> = {
  password: "password",
  passwd: "password",
  pass: "password",
  pwd: "password",
  passphrase: "password",
  passcode: "password",
  secret: "secret",
  credential: "credential",
  credentials: "credential",
  apikey: "api-key",
  privatekey: "private-key",
  accesskey: "access-key",
  secretkey: "secret",
  clientsecret: "secret",
  authtoken: "token",
  accesstoken: "token",
  refreshtoken: "token",
  apitoken: "token",
  bottoken: "token",
  sessiontoken: "token",
  token: "token",
  // Words for password in other languages, as they are written in ASCII names (DB_PASSWORT,
  // senha_admin, MOT_DE_PASSE, kata_sandi, one word or several); names with other letters are
  // matched by FOREIGN_PASSWORD_WORDS.
  passwort: "password",
  kennwort: "password",
  contrasena: "password",
  senha: "password",
  wachtwoord: "password",
  haslo: "password",
  sifre: "password",
  losenord: "password",
  passord: "password",
  adgangskode: "password",
  salasana: "password",
  heslo: "password",
  jelszo: "password",
  lozinka: "password",
  parol: "password",
  parola: "password",
  motdepasse: "password",
  katasandi: "password",
  matkhau: "password",
  // Secret in Spanish, Portuguese, Italian, German.
  secreto: "secret",
  secreta: "secret",
  segredo: "secret",
  segreto: "secret",
  geheim: "secret",
};

/**
 * Abbreviations that name a secret only as the last word: DB_PW, SMTP_PW, dbPw, CREDS,
 * aws_creds. Elsewhere they are prefixes and tags (`x-pw-serviceworker`, `cred_store_path`).
 */
const STRONG_LAST_WORDS: Readonly<Record<string, string>> = { pw: "password", cred: "credential", creds: "credential" };

/** "<first> key" pairs that name a secret. */
const KEY_QUALIFIERS = new Set(["api", "private", "access", "secret", "signing", "encryption", "master", "hmac", "client", "app", "account", "sas", "shared", "service", "license", "subscription", "consumer", "webhook", "admin", "write", "deploy"]);

const WEAK_WORDS = new Set(["auth", "authorization", "key", "salt", "signature", "signing", "cookie", "session", "sessionid", "bearer", "pat", "dsn", "sig", "clave", "chiave", "schluessel", "jeton"]);

/**
 * Words that turn a secret-sounding name into metadata about the secret: its length, where
 * it is stored, what the form field is called. `password_min_length`, `token_url`,
 * `secretName`, `apiKeyHeader` hold no secret.
 */
const METADATA_WORDS = new Set(
  (
    "file path dir directory url uri endpoint host hostname port length len size type count max min name names field fields header headers " +
    "env var variable prefix suffix expiry expires expiration expire ttl timeout policy regex pattern hint label placeholder enabled enable " +
    "disabled required rotation reset input icon mode format algorithm alg version location provider validator strength schema message " +
    "msg prompt text title description error help tooltip usage limit kind method handler callback class generator factory " +
    "column table ref reference source id ids index hash hashed rounds cost iterations digest strategy " +
    "lifetime duration age scope scopes audience issuer claim claims username selector element " +
    "visible visibility show hide mask masked changed updated created at date time level public publishable fingerprint"
  ).split(" "),
);

// Secret labels in a few other languages, for comments and docs written in them.
const FOREIGN_PASSWORD_WORDS = /パスワード|パスフレーズ|暗証番号|密码|密碼|口令|비밀번호|암호|пароль|парола|contraseña|mot de passe|hasło|şifre|jelszó|lösenord|parolă|κωδικός|סיסמה|סיסמא|كلمة المرور|كلمة السر|رمز عبور|पासवर्ड|รหัสผ่าน|mật khẩu/i;
const FOREIGN_SECRET_WORDS = /API\s?キー|ＡＰＩキー|シークレットキー|秘密鍵|シークレット|アクセスキー|トークン|令牌|密钥|秘钥|토큰|токен|ключ api|clave api|clé api|geheimnis/i;

export function splitNameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** A name word that says the value is about a secret or describes something (`min` in password_min_length, `url`, `id`), not a secret itself. */
export function isMetadataWord(word: string): boolean {
  return METADATA_WORDS.has(word);
}

export function classifySecretName(name: string): SecretName | undefined {
  if (FOREIGN_PASSWORD_WORDS.test(name)) return { kind: "password", strength: "strong" };
  if (FOREIGN_SECRET_WORDS.test(name)) return { kind: "secret", strength: "strong" };
  const words = splitNameWords(name);
  if (words.length === 0 || words.length > 8) return undefined;
  if (words.some((w) => METADATA_WORDS.has(w))) return undefined;

  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const pair = i + 1 < words.length ? word + words[i + 1] : "";
    // Three words for one: MOT_DE_PASSE.
    const triple = i + 2 < words.length ? pair + words[i + 2] : "";
    if (STRONG_WORDS[triple] !== undefined) return { kind: STRONG_WORDS[triple], strength: "strong" };
    if (STRONG_WORDS[pair] !== undefined) return { kind: STRONG_WORDS[pair], strength: "strong" };
    if (STRONG_WORDS[word] !== undefined) return { kind: STRONG_WORDS[word], strength: "strong" };
    if (i === words.length - 1 && STRONG_LAST_WORDS[word] !== undefined) return { kind: STRONG_LAST_WORDS[word], strength: "strong" };
    if (words[i + 1] === "key" && KEY_QUALIFIERS.has(word)) return { kind: word === "private" ? "private-key" : "api-key", strength: "strong" };
    // One-word names in SCREAMING or lower case: DBPASSWORD, adminpass, stripeapikey.
    const suffix = /(password|passwd|passphrase|secret|apikey|privatekey|accesskey|secretkey|authtoken|accesstoken|apitoken)$/.exec(word);
    if (suffix !== null && word.length <= 32) return { kind: STRONG_WORDS[suffix[1]] ?? "secret", strength: "strong" };
  }
  for (const word of words) {
    if (WEAK_WORDS.has(word) || /(pass|token|key)$/.test(word) && word.length <= 20 && !/(bypass|compass|surpass|monkey|turkey|hockey|jockey|donkey|hotkey|keykey)$/.test(word)) {
      return { kind: word === "key" || word.endsWith("key") ? "key" : word.includes("token") ? "token" : word.includes("pass") ? "password" : "credential", strength: "weak" };
    }
  }
  return undefined;
}
