// Credentials embedded in the strings that say where a service is: URLs with user:password,
// query parameters named like secrets, and `Key=Value;` connection strings (ADO.NET, ODBC,
// Azure Storage / Service Bus, JDBC). Only the secret part goes; scheme, user, host and
// database stay, because they are what the model needs to help with the code.
import { looksRandom } from "./entropy";
import type { RedactionFinding } from "./findings";
import { isPlaceholderValue } from "./placeholders";
import { classifySecretName } from "./secretNames";

// scheme://[user]:password@host — the password runs to the last "@" before the host.
const URL_USERINFO = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/(?<user>[^\s:/?#@"'`<>]*):(?<s>[^\s/?#"'`<>]+)@(?=[A-Za-z0-9[\]._-])/dg;

const URL_QUERY_PARAM = /[?&;](?<name>[A-Za-z][A-Za-z0-9_.-]{1,40})=(?<s>[^&#\s"'`<>;]+)/dg;

// Key=Value pairs where at least one neighbour is separated by ";".
const CONNECTION_PAIR = /(?<=^|[;"'\s])(?<name>[A-Za-z][A-Za-z0-9 _.]{0,40}?)\s*=\s*(?<s>"[^"\r\n]*"|'[^'\r\n]*'|\{[^}\r\n]*\}|[^;"'\r\n]+?)\s*(?=;|["'\r\n]|$)/dgm;

const NEXT_PAIR = /^\s*;\s*[A-Za-z][A-Za-z0-9 _.]{0,40}\s*=/;

export function findLocatorCredentials(text: string): RedactionFinding[] {
  return [...urlPasswords(text), ...queryParameters(text), ...connectionStrings(text)];
}

function urlPasswords(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const match of text.matchAll(URL_USERINFO)) {
    const span = match.indices?.groups?.s;
    if (span === undefined) continue;
    // "user:pa@ss@host": the password ends at the last "@" before the host.
    const value = text.slice(span[0], span[1]);
    if (isPlaceholderValue(value)) continue;
    findings.push({ kind: "url-password", start: span[0], end: span[1] });
  }
  return findings;
}

function queryParameters(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const match of text.matchAll(URL_QUERY_PARAM)) {
    const name = match.groups?.name ?? "";
    const span = match.indices?.groups?.s;
    if (span === undefined) continue;
    const secret = classifySecretName(name);
    if (secret === undefined) continue;
    const value = text.slice(span[0], span[1]);
    if (isPlaceholderValue(value) || value.length < 4) continue;
    if (secret.strength === "weak" && !looksRandom(value, 12)) continue;
    findings.push({ kind: secret.kind, start: span[0], end: span[1] });
  }
  return findings;
}

function connectionStrings(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const match of text.matchAll(CONNECTION_PAIR)) {
    const span = match.indices?.groups?.s;
    if (span === undefined || match.index === undefined) continue;
    // Part of a connection string only when a neighbouring pair is joined to it by ";"
    // (a statement's own ";" after `apiKey = "…"` does not count).
    const joinedBefore = text[match.index - 1] === ";" && /[A-Za-z][\w .]*=[^;]*;$/.test(text.slice(Math.max(0, match.index - 200), match.index));
    const joinedAfter = NEXT_PAIR.test(text.slice(span[1], span[1] + 64));
    if (!joinedBefore && !joinedAfter) continue;
    const secret = classifySecretName((match.groups?.name ?? "").replace(/\s+/g, ""));
    if (secret === undefined) continue;
    let [start, end] = span;
    if (/^["'{]/.test(text[start]) && end - start >= 2) {
      start++;
      end--;
    }
    const value = text.slice(start, end);
    if (isPlaceholderValue(value) || value.length < 3) continue;
    if (secret.strength === "weak" && !looksRandom(value, 12)) continue;
    findings.push({ kind: secret.kind, start, end });
  }
  return findings;
}
