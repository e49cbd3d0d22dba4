// Reads `.hearth/policy.json` (JSONC) into a WorkspacePolicy, or explains precisely why not.
// The rule that matters: any error means no workspace policy at all, and the caller runs
// that workspace local-only until the file is fixed. A half-understood privacy policy is
// worse than none, because the half we dropped might be the part that said "no".
//
// Validation walks jsonc-parser's syntax tree by hand rather than a schema library, because
// every problem needs the offset of the node it is about; schemas/policy.schema.json says
// the same thing for the editor and a unit test keeps the two in step.
import { createScanner, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { parseCloudModel, cloudModelKey } from "./cloudModel";
import { checkNeverSendPattern, type PatternProblem } from "./neverSendPatternCheck";
import { DiagnosticCollector, quoteExcerpt, type PolicyDiagnostic } from "./policyDiagnostic";
import { CLOUD_ACCESS, FEATURES, ROUTES, isCloudAccess, isFeature, isRoute, type CloudModel, type Feature, type FeatureRuleOverride, type WorkspacePolicy } from "./policyModel";

/** Larger files are refused unread: a policy is a few hundred bytes, and parsing is on the UI's path. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** The real shape nests 4 levels; anything much deeper is an accident or an attack on the parser's stack. */
export const MAX_POLICY_DEPTH = 16;
export const MAX_NEVER_SEND_PATTERNS = 1000;
export const MAX_CLOUD_MODELS = 32;
const MAX_DIAGNOSTICS = 100;

export const POLICY_VERSION = 1;

type PatternCheck = (pattern: string) => readonly PatternProblem[];

/** Keys of the top-level object, with what each holds; the schema test compares these with the JSON schema. */
export const TOP_LEVEL_KEYS = ["$schema", "version", "features", "neverSend", "redactSecrets"] as const;
export const FEATURE_KEYS = ["route", "cloudAccess", "cloudModels"] as const;

export interface PolicyParseResult {
  /** Present only when the file has no error. */
  readonly policy?: WorkspacePolicy;
  /** True whenever `policy` is absent: the workspace must run local-only until the file is fixed. */
  readonly localOnly: boolean;
  readonly diagnostics: readonly PolicyDiagnostic[];
}

export interface ParsePolicyOptions {
  /** Checks one neverSend pattern; PolicyParseCache hands in the answers it computed in slices. */
  readonly checkPattern?: (pattern: string) => readonly PatternProblem[];
}

export function parsePolicy(text: string, fileLabel: string, options: ParsePolicyOptions = {}): PolicyParseResult {
  const collector = new DiagnosticCollector(typeof text === "string" ? text : "", fileLabel);
  let policy: WorkspacePolicy | undefined;
  try {
    policy = parseInto(typeof text === "string" ? text : "", collector, options.checkPattern ?? checkNeverSendPattern);
  } catch (error) {
    // Nothing here is expected to throw; if it does, the policy is unknown, so local-only.
    collector.add("error", "internal-error", "", 0, 0, `could not read the policy (${error instanceof Error ? error.message : String(error)}); Hearth stays local-only`);
  }
  const ok = policy !== undefined && !collector.hasErrors;
  return { policy: ok ? policy : undefined, localOnly: !ok, diagnostics: capped(collector.diagnostics) };
}

function parseInto(original: string, out: DiagnosticCollector, checkPattern: PatternCheck): WorkspacePolicy | undefined {
  const bytes = Buffer.byteLength(original, "utf8");
  if (bytes > MAX_POLICY_BYTES) {
    out.add("error", "file-too-large", "", 0, 0, `policy file is ${Math.ceil(bytes / 1024)} KB; the limit is ${MAX_POLICY_BYTES / 1024} KB, so it was not read and the workspace stays local-only`);
    return undefined;
  }
  let text = original;
  if (text.startsWith("\uFEFF")) {
    out.add("warning", "byte-order-mark", "", 0, 1, "file starts with a byte-order mark, which was ignored; save it as UTF-8 without BOM");
    // A space keeps every later offset where it was.
    text = ` ${text.slice(1)}`;
  }
  if (!checkDepth(text, out)) return undefined;

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (root === undefined && isOnlyTrivia(text)) {
    out.add("error", "empty-file", "", 0, text.length, 'policy file is empty; write {} for "no workspace rules" or delete the file');
    return undefined;
  }
  reportSyntaxErrors(text, root, errors, out);
  if (errors.length > 0 || root === undefined) return undefined;

  return readPolicy(root, out, checkPattern);
}

/** Walks tokens with the iterative scanner, so a 200k-deep `[[[[` cannot overflow the recursive parser's stack. */
function checkDepth(text: string, out: DiagnosticCollector): boolean {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (;;) {
    const kind: number = scanner.scan();
    if (kind === 17 /* EOF */) return true;
    if (kind === 1 /* { */ || kind === 3 /* [ */) {
      depth++;
      if (depth > MAX_POLICY_DEPTH) {
        out.add("error", "too-deep", "", scanner.getTokenOffset(), 1, `nesting deeper than ${MAX_POLICY_DEPTH} levels; a policy needs at most 4`);
        return false;
      }
    } else if (kind === 2 /* } */ || kind === 4 /* ] */) {
      depth = Math.max(0, depth - 1);
    }
  }
}

function isOnlyTrivia(text: string): boolean {
  const scanner = createScanner(text, true);
  return (scanner.scan() as number) === 17;
}

/** One diagnostic for trailing text after the policy object instead of one per stray word. */
function reportSyntaxErrors(text: string, root: Node | undefined, errors: readonly ParseError[], out: DiagnosticCollector): void {
  const rootEnd = root === undefined ? Infinity : root.offset + root.length;
  // Missing closers are reported where the text ends, which is also "after the root": keep those as they are.
  const isStray = (e: ParseError): boolean => {
    const code = printParseErrorCode(e.error);
    return code === "EndOfFileExpected" || (e.offset >= rootEnd && !/Expected$|^UnexpectedEnd/.test(code));
  };
  const trailing = errors.filter(isStray);
  for (const e of errors) {
    if (!isStray(e)) out.add("error", "syntax", "", e.offset, e.length, syntaxMessage(e));
  }
  if (trailing.length > 0) {
    const start = trailing[0].offset;
    out.add("error", "syntax", "", start, text.trimEnd().length - start, "JSON syntax: unexpected text after the end of the policy object");
  }
}

function syntaxMessage(e: ParseError): string {
  const code = printParseErrorCode(e.error);
  const friendly: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "invalid number",
    PropertyNameExpected: "expected a property name in double quotes",
    ValueExpected: "expected a value",
    ColonExpected: 'expected ":" after the property name',
    CommaExpected: 'expected "," between entries',
    CloseBraceExpected: 'expected "}" to close the object',
    CloseBracketExpected: 'expected "]" to close the array',
    EndOfFileExpected: "unexpected text after the end of the policy object",
    InvalidCommentToken: "invalid comment",
    UnexpectedEndOfComment: "comment is not closed",
    UnexpectedEndOfString: "string is not closed",
    UnexpectedEndOfNumber: "number is cut short",
    InvalidUnicode: "invalid \\u escape",
    InvalidEscapeCharacter: "invalid escape character",
    InvalidCharacter: "invalid character in a string",
  };
  return `JSON syntax: ${friendly[code] ?? code}`;
}

function readPolicy(root: Node, out: DiagnosticCollector, checkPattern: PatternCheck): WorkspacePolicy | undefined {
  if (root.type !== "object") {
    out.add("error", "wrong-type", "", root.offset, root.length, `the policy must be a JSON object ({ ... }), not ${describe(root)}`);
    return undefined;
  }
  let features: Partial<Record<Feature, FeatureRuleOverride>> = {};
  let neverSend: string[] = [];
  let redactSecrets: boolean | undefined;
  for (const [key, value] of properties(root, "", TOP_LEVEL_KEYS, out)) {
    switch (key) {
      case "$schema":
        expectType(value, "string", "$schema", out);
        break;
      case "version":
        if (expectType(value, "number", "version", out) && value.value !== POLICY_VERSION) {
          out.add("error", "unsupported-version", "version", value.offset, value.length, `unsupported policy version ${String(value.value)}; this Hearth understands version ${POLICY_VERSION}`);
        }
        break;
      case "features":
        features = readFeatures(value, out);
        break;
      case "neverSend":
        neverSend = readNeverSend(value, out, checkPattern);
        break;
      case "redactSecrets":
        if (expectType(value, "boolean", "redactSecrets", out)) redactSecrets = value.value === true;
        break;
    }
  }
  return redactSecrets === undefined ? { features, neverSend } : { features, neverSend, redactSecrets };
}

function readFeatures(node: Node, out: DiagnosticCollector): Partial<Record<Feature, FeatureRuleOverride>> {
  const result: Partial<Record<Feature, FeatureRuleOverride>> = {};
  if (!expectType(node, "object", "features", out)) return result;
  for (const [name, value] of properties(node, "features", FEATURES, out, "feature")) {
    if (isFeature(name)) result[name] = readFeature(value, `features.${name}`, out);
  }
  return result;
}

function readFeature(node: Node, path: string, out: DiagnosticCollector): FeatureRuleOverride {
  if (!expectType(node, "object", path, out)) return {};
  let route: FeatureRuleOverride["route"];
  let cloudAccess: FeatureRuleOverride["cloudAccess"];
  let cloudModels: CloudModel[] | undefined;
  const nodes: Partial<Record<(typeof FEATURE_KEYS)[number], Node>> = {};
  for (const [key, value] of properties(node, path, FEATURE_KEYS, out)) {
    const fieldPath = `${path}.${key}`;
    nodes[key as (typeof FEATURE_KEYS)[number]] = value;
    if (key === "route") route = readEnum(value, fieldPath, ROUTES, isRoute, out);
    else if (key === "cloudAccess") cloudAccess = readEnum(value, fieldPath, CLOUD_ACCESS, isCloudAccess, out);
    else if (key === "cloudModels") cloudModels = readCloudModels(value, fieldPath, out);
  }
  warnAboutUnreachableCloud(path, route, cloudAccess, cloudModels, nodes, out);
  return {
    ...(route === undefined ? {} : { route }),
    ...(cloudAccess === undefined ? {} : { cloudAccess }),
    ...(cloudModels === undefined ? {} : { cloudModels }),
  };
}

/** Settings that cannot take effect are legal but almost always a misunderstanding; say so. */
function warnAboutUnreachableCloud(
  path: string,
  route: FeatureRuleOverride["route"],
  cloudAccess: FeatureRuleOverride["cloudAccess"],
  cloudModels: readonly CloudModel[] | undefined,
  nodes: Partial<Record<(typeof FEATURE_KEYS)[number], Node>>,
  out: DiagnosticCollector,
): void {
  if (route !== undefined && route !== "cloud") {
    const accessNode = nodes.cloudAccess;
    if (accessNode !== undefined && cloudAccess !== undefined && cloudAccess !== "deny") {
      out.add("warning", "no-effect", `${path}.cloudAccess`, accessNode.offset, accessNode.length, `cloudAccess "${cloudAccess}" has no effect because route is "${route}"; set route to "cloud" to use cloud models`);
    }
    const modelsNode = nodes.cloudModels;
    if (modelsNode !== undefined && cloudModels !== undefined && cloudModels.length > 0) {
      out.add("warning", "no-effect", `${path}.cloudModels`, modelsNode.offset, modelsNode.length, `cloudModels has no effect because route is "${route}"`);
    }
  }
  if (route === "cloud" && cloudAccess !== undefined && cloudAccess !== "deny" && cloudModels !== undefined && cloudModels.length === 0 && nodes.cloudModels !== undefined) {
    const n = nodes.cloudModels;
    out.add("warning", "no-cloud-model", `${path}.cloudModels`, n.offset, n.length, 'route is "cloud" but no cloud model is listed, so nothing can go to the cloud');
  }
}

function readEnum<T extends string>(node: Node, path: string, allowed: readonly T[], is: (v: string) => v is T, out: DiagnosticCollector): T | undefined {
  if (!expectType(node, "string", path, out)) return undefined;
  const value = String(node.value);
  if (is(value)) return value;
  const hint = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  const suggestion = hint === undefined ? "" : ` (did you mean "${hint}"? values are case-sensitive)`;
  out.add("error", "bad-enum", path, node.offset, node.length, `${quoteExcerpt(value)} is not allowed here; use one of ${allowed.map((a) => `"${a}"`).join(", ")}${suggestion}`);
  return undefined;
}

function readCloudModels(node: Node, path: string, out: DiagnosticCollector): CloudModel[] | undefined {
  if (!expectType(node, "array", path, out)) return undefined;
  const items = node.children ?? [];
  if (items.length > MAX_CLOUD_MODELS) {
    out.add("error", "too-many", path, node.offset, node.length, `more than ${MAX_CLOUD_MODELS} cloud models`);
    return undefined;
  }
  const models: CloudModel[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (!expectType(item, "string", itemPath, out)) return;
    const parsed = parseCloudModel(String(item.value));
    if (!parsed.ok) {
      out.add("error", "bad-model", itemPath, item.offset, item.length, parsed.message);
      return;
    }
    const key = cloudModelKey(parsed.value);
    if (seen.has(key)) {
      out.add("warning", "duplicate-entry", itemPath, item.offset, item.length, `${quoteExcerpt(key)} is listed twice`);
      return;
    }
    seen.add(key);
    models.push(parsed.value);
  });
  return models;
}

function readNeverSend(node: Node, out: DiagnosticCollector, checkPattern: PatternCheck): string[] {
  if (!expectType(node, "array", "neverSend", out)) return [];
  const items = node.children ?? [];
  if (items.length > MAX_NEVER_SEND_PATTERNS) {
    out.add("error", "too-many", "neverSend", node.offset, node.length, `more than ${MAX_NEVER_SEND_PATTERNS} patterns; group files in folders and list the folders`);
    return [];
  }
  const patterns: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const itemPath = `neverSend[${index}]`;
    if (!expectType(item, "string", itemPath, out)) return;
    const pattern = String(item.value);
    for (const problem of checkPattern(pattern)) out.add(problem.severity, problem.code, itemPath, item.offset, item.length, problem.message);
    if (seen.has(pattern)) out.add("warning", "duplicate-entry", itemPath, item.offset, item.length, `${quoteExcerpt(pattern)} is listed twice`);
    seen.add(pattern);
    patterns.push(pattern);
  });
  return patterns;
}

/**
 * Yields the known properties of an object node, reporting unknown and duplicate keys.
 * Duplicates are errors, not "last one wins": two answers to one question in a privacy
 * policy mean the author and the parser may disagree about which one counts.
 */
function* properties(node: Node, path: string, known: readonly string[], out: DiagnosticCollector, noun = "property"): Generator<[string, Node]> {
  const firstSeen = new Map<string, Node>();
  for (const property of node.children ?? []) {
    const keyNode = property.children?.[0];
    const valueNode = property.children?.[1];
    if (keyNode === undefined || valueNode === undefined) continue;
    const key = String(keyNode.value);
    const keyPath = path === "" ? key : `${path}.${key}`;
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      out.add("error", "duplicate-key", keyPath, keyNode.offset, keyNode.length, `${quoteExcerpt(key)} appears more than once in this object; keep one`);
      continue;
    }
    firstSeen.set(key, keyNode);
    if (!known.includes(key)) {
      const guess = closest(key, known);
      const suggestion = guess === undefined ? `; allowed: ${known.map((k) => `"${k}"`).join(", ")}` : `; did you mean "${guess}"?`;
      out.add("error", noun === "feature" ? "unknown-feature" : "unknown-key", keyPath, keyNode.offset, keyNode.length, `unknown ${noun} ${quoteExcerpt(key)}${suggestion}`);
      continue;
    }
    yield [key, valueNode];
  }
}

type JsonType = "object" | "array" | "string" | "number" | "boolean";

function expectType(node: Node, type: JsonType, path: string, out: DiagnosticCollector): boolean {
  if (node.type === type) return true;
  const article = type === "object" || type === "array" ? "an" : "a";
  out.add("error", "wrong-type", path, node.offset, node.length, `${path === "" ? "value" : path} must be ${article} ${type}, not ${describe(node)}`);
  return false;
}

function describe(node: Node): string {
  switch (node.type) {
    case "null":
      return "null";
    case "object":
      return "an object";
    case "array":
      return "an array";
    case "string":
      return `the string ${JSON.stringify(truncate(String(node.value)))}`;
    default:
      return `${node.type === "number" ? "the number" : "the boolean"} ${String(node.value)}`;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function capped(diagnostics: readonly PolicyDiagnostic[]): PolicyDiagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS) return [...diagnostics];
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS);
  const last = shown[shown.length - 1];
  const hiddenError = diagnostics.slice(MAX_DIAGNOSTICS).some((d) => d.severity === "error");
  return [...shown, { ...last, severity: hiddenError ? "error" : "warning", code: "more-problems", message: `${diagnostics.length - MAX_DIAGNOSTICS} more problems not shown; fix these first`, path: "" }];
}
