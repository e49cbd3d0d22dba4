// Secrets of many kinds for the gateway's property tests, each in a line of code where the
// redactor finds it when the line is whole. Values are high-entropy characters derived from
// a seed (a real secret looks random, and a value built from placeholder words would rightly
// be left alone); `value` is the part that must never leave, `line` the code around it.
import { createHash } from "node:crypto";
import fc from "fast-check";

export const B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64 = `${B62}+/`;
const B64URL = `${B62}-_`;
const DIGITS = "0123456789";

/** High-entropy characters from a seed. */
export function chars(seed: string, length: number, alphabet: string): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    for (const byte of createHash("sha256").update(`${seed}:${i}`).digest()) if (out.length < length) out += alphabet[byte % alphabet.length];
  }
  return out;
}

export interface PlantedSecret {
  readonly kind: string;
  /** What must never leave: no run of RUN characters of it may be in a body that left. */
  readonly value: string;
  /** A line (or block) of code that holds the value where the redactor finds it. */
  readonly line: string;
  /** The file such a line lives in. */
  readonly path: string;
  /** A name a file holding only the value could have (`secrets/github_token`). */
  readonly fileName: string;
}

/** No run this long of a secret's value may leave the machine. */
export const RUN = 12;

type Kind = (seed: string) => PlantedSecret;

function pem(seed: string): PlantedSecret {
  const body = chars(seed, 164, B64);
  const lines = body.match(/.{1,64}/g)!.join("\n");
  return { kind: "pem-private-key", value: lines, line: `-----BEGIN EC PRIVATE KEY-----\n${lines}\n-----END EC PRIVATE KEY-----`, path: "deploy/provision.sh", fileName: "secrets/tls_private_key" };
}

export const SECRET_KINDS: Readonly<Record<string, Kind>> = {
  "aws-access-key-id": (s) => ((v) => ({ kind: "aws-access-key-id", value: v, line: `AWS_ACCESS_KEY_ID = "${v}"`, path: "scripts/deploy.py", fileName: "aws/access_key_id" }))(`AKIA${chars(s, 16, B32)}`),
  "aws-secret-access-key": (s) =>
    ((v) => ({ kind: "aws-secret-access-key", value: v, line: `aws_secret_access_key = "${v}"`, path: "scripts/deploy.py", fileName: "aws/aws_secret_access_key" }))(chars(s, 40, B64)),
  "github-token": (s) => ((v) => ({ kind: "github-token", value: v, line: `const token = "${v}";`, path: "src/client.ts", fileName: "secrets/github_token" }))(`ghp_${chars(s, 36, B62)}`),
  "slack-token": (s) =>
    ((v) => ({ kind: "slack-token", value: v, line: `export SLACK_BOT_TOKEN="${v}"`, path: "deploy/notify.sh", fileName: "secrets/slack_bot_token" }))(
      `xoxb-${chars(s, 12, DIGITS)}-${chars(`${s}b`, 13, DIGITS)}-${chars(`${s}c`, 24, B62)}`,
    ),
  jwt: (s) =>
    ((v) => ({ kind: "jwt", value: v, line: `const session = "${v}";`, path: "src/session.ts", fileName: "secrets/session_jwt" }))(
      `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${chars(s, 48, B64URL)}.${chars(`${s}sig`, 43, B64URL)}`,
    ),
  "pem-private-key": pem,
  password: (s) => ((v) => ({ kind: "password", value: v, line: `db_password = "${v}"`, path: "src/db.py", fileName: "secrets/db_password.txt" }))(chars(s, 20, B62)),
  "url-password": (s) =>
    ((v) => ({ kind: "url-password", value: v, line: `DATABASE_URL = "postgres://shop:${v}@db.internal:5432/shop"`, path: "src/settings.py", fileName: "secrets/database_url" }))(chars(s, 18, B62)),
};

export const KIND_NAMES = Object.keys(SECRET_KINDS);

export const plantedSecretArb: fc.Arbitrary<PlantedSecret> = fc.record({ kind: fc.constantFrom(...KIND_NAMES), seed: fc.nat() }).map(({ kind, seed }) => SECRET_KINDS[kind](`${kind}:${seed}`));

/** Every RUN-character run of the value that may show in a JSON body: runs with characters JSON escapes are checked on the decoded strings. */
export function leakedRuns(secret: PlantedSecret, body: string): string[] {
  const decoded = decodedText(body);
  const leaks: string[] = [];
  for (let i = 0; i + RUN <= secret.value.length; i++) {
    const run = secret.value.slice(i, i + RUN);
    if (decoded.includes(run) || body.includes(run)) leaks.push(run);
  }
  return leaks;
}

/** Every string in a JSON body, in reading order, joined with nothing between: a secret cut across two fields reads whole here. */
export function decodedText(body: string): string {
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(visit);
  };
  try {
    visit(JSON.parse(body));
  } catch {
    return body;
  }
  return out.join("");
}
