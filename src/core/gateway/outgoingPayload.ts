// Builds the request body for a chosen route. On this machine the prompt goes as written,
// with every context file. Anywhere else:
//   - files matched by neverSend are left out (and named), and their text is taken out of
//     whatever else carries it (a copy inside another file, a value pasted into the message:
//     see neverSendText); so is the text of every neverSend file of the workspace (the
//     neverSend index), wherever the request carries it without naming the file: a tool's
//     result, a pasted line, an old turn of the conversation;
//   - unless the effective policy turned redaction off, the prompt is redacted as one text
//     (see bodyRedaction: a secret cut by the cursor, or by the boundary of two messages, is
//     found whole), file names included (see pathRedaction), and so are the arguments of
//     the tool calls in the conversation and the tools' results (prompt text like any other);
//   - tool schemas are read as JSON text first, so a secret used as a property's name is known;
//   - then the provider's final body, every string in it, is redacted again the same way,
//     until a pass finds nothing, the names in tool schemas and tool calls included: what is
//     hashed, audited, shown and sent is that body.
// The redactor failing means nothing leaves (RedactionFailure), never "send it as it is".
import { DISTINCTIVE_LINE, neverSendText, type NeverSendContent, type NeverSendMatcher } from "../policy";
import type { ChatMessage, HearthRole } from "../model";
import type { ModelCall, PreparedCall } from "../providers";
import { redactKnown, redactSegments, type KnownSecret, type Redactor, type Segment } from "./bodyRedaction";
import type { ContextFile, GatewayRequest, SentFile } from "./gatewayTypes";
import { redactPath } from "./pathRedaction";

export type { Redactor } from "./bodyRedaction";

export interface PayloadInput {
  readonly request: GatewayRequest;
  /** The route is not this machine. */
  readonly leaving: boolean;
  readonly redactSecrets: boolean;
  readonly neverSend: NeverSendMatcher;
  /** Files whose content is already in the prompt (see embeddedFiles below). */
  readonly embedded: ReadonlySet<ContextFile>;
  /** The workspace's neverSend files' values (the neverSend index); looked for when the request leaves. */
  readonly neverSendContent?: NeverSendContent;
  readonly redactor: Redactor;
  readonly hearthRole: HearthRole;
  /** The cloud model id; undefined for local and self-hosted, whose providers know their model. */
  readonly model?: string;
  /** The chosen provider's `prepare`: the call as the exact body it sends. */
  readonly prepare: (call: ModelCall) => PreparedCall;
}

export interface OutgoingPayload {
  /** The call the body was prepared from (before the final body's own pass). */
  readonly call: ModelCall;
  /** The body as it will be sent, reviewed and hashed. */
  readonly prepared: PreparedCall;
  /** Paths as they may be shown: a credential in a file name is redacted. */
  readonly files: readonly SentFile[];
  readonly dropped: readonly string[];
  /** Placeholders in the body that is sent. */
  readonly redactions: number;
}

/** The request may not leave: the redactor failed, or could not make the body clean. */
export class RedactionFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RedactionFailure";
  }
}

/** Passes over the final body; one is the rule, a second finds what the first uncovered. */
const MAX_BODY_PASSES = 4;
/** A file holding one value this short or shorter may be named after what it holds (`github_token`). */
const SINGLE_VALUE_MAX = 4096;

export async function buildOutgoingPayload(input: PayloadInput): Promise<OutgoingPayload> {
  const { request, leaving } = input;
  const files = request.files ?? [];
  const dropped = leaving ? files.filter((f) => !input.embedded.has(f) && neverSendMatches(input.neverSend, f.path)) : [];
  const kept = files.filter((f) => !dropped.includes(f));
  const redacting = leaving && input.redactSecrets;
  const redactor: Redactor = redacting ? guarded(input.redactor) : async (text) => ({ text, count: 0, findings: [] });

  // Secrets known before reading the prompt: credentials in file names, secrets of files that
  // are in the prompt already (maybe rearranged, or cut by a marker), and neverSend files' text.
  const shown = new Map<ContextFile, string>();
  const known: KnownSecret[] = [];
  if (redacting) {
    for (const file of files) {
      const path = await redactPath(file.path, redactor);
      shown.set(file, path.path);
      known.push(...path.secrets);
    }
    for (const file of kept) {
      if (input.embedded.has(file)) for (const f of (await redactor(file.content, file.path)).findings) known.push({ value: file.content.slice(f.start, f.end), kind: f.kind });
      known.push(...(await valueNamedByFile(file, redactor)));
    }
  }
  for (const file of dropped) known.push(...neverSendText(file.content));
  if (leaving && input.neverSendContent !== undefined) known.push(...input.neverSendContent.secretsIn(requestTexts(request)));
  if (redacting && request.messages !== undefined && request.tools !== undefined && request.tools.length > 0) {
    // Read as JSON text, a secret used as a property's name or as a schema's `type` has JSON's punctuation around it;
    // found here, it is a known secret, taken out of the body's object keys too (see cleanBody).
    const schemas = await redactSegments(request.tools.map((tool) => ({ text: JSON.stringify(tool), content: true })), { redactor, known });
    known.push(...schemas.secrets);
  }
  const shownPath = (file: ContextFile): string => shown.get(file) ?? file.path;

  // With one embedded file (the file being completed or edited), its name tells the redactor how to read the prompt.
  const embeddedKept = kept.filter((f) => input.embedded.has(f));
  const hint = embeddedKept.length === 1 ? embeddedKept[0].path : undefined;
  const added = kept.filter((f) => !input.embedded.has(f));

  const common = {
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.stop !== undefined ? { stop: request.stop } : {}),
    ...(request.thinking !== undefined ? { thinking: request.thinking } : {}),
  };
  // Tools are for conversations; the descriptions and schemas are cleaned with the final body (their secrets are known already).
  const tools = request.tools !== undefined && request.tools.length > 0 ? { tools: request.tools, ...(request.toolChoice !== undefined ? { toolChoice: request.toolChoice } : {}) } : {};
  const cleaning = redacting || known.length > 0;
  let call: ModelCall;
  let original: ModelCall;
  const addedBytes = new Map<ContextFile, number>();
  if (request.messages !== undefined) {
    const parted = request.messages.map((m): PartedMessage => ({ role: m.role, parts: [{ text: m.content, content: true }] }));
    const block = contextBlockParts(added.map((f) => ({ path: f.path, shownPath: shownPath(f), content: f.content })));
    const messages = withContextParts(parted, block);
    // The tool calls' arguments are read with the rest, after every message's parts.
    const toolArguments: Segment[] = request.messages.flatMap((m) => (m.toolCalls ?? []).map((c) => ({ text: c.arguments, content: true })));
    const segments: Segment[] = [...messages.flatMap((m) => m.parts), ...toolArguments];
    const redacted = cleaning ? await redactSegments(segments, { redactor, hint, known }) : undefined;
    const chat = (laid: readonly PartedMessage[], texts: readonly string[]): ModelCall => {
      let at = 0;
      const content = (m: PartedMessage): string => texts.slice(at, (at += m.parts.length)).join("");
      const contents = laid.map(content);
      // The context block keeps the caller's messages where they were (or adds one at the end): index i is the caller's i-th.
      const withTools = (m: PartedMessage, i: number): ChatMessage => {
        const { toolCalls, toolCallId } = request.messages?.[i] ?? {};
        return {
          role: m.role,
          content: contents[i],
          ...(toolCalls !== undefined && toolCalls.length > 0 ? { toolCalls: toolCalls.map((c) => ({ ...c, arguments: texts[at++] })) } : {}),
          ...(toolCallId !== undefined ? { toolCallId } : {}),
        };
      };
      return { kind: "chat", messages: laid.map(withTools), ...common, ...tools, hearth: { role: input.hearthRole } };
    };
    // As the caller wrote it, file names included: what the redactions are counted against.
    const asWritten = withContextParts(parted, contextBlockParts(added.map((f) => ({ path: f.path, shownPath: f.path, content: f.content }))));
    original = chat(asWritten, [...asWritten.flatMap((m) => m.parts), ...toolArguments].map((p) => p.text));
    call = redacted === undefined ? chat(messages, segments.map((p) => p.text)) : chat(messages, redacted.texts);
    if (redacted !== undefined) {
      known.push(...redacted.secrets);
      // The block's content parts, one per added file in order, are the very objects among the segments.
      block.filter((p) => p.content).forEach((part, k) => addedBytes.set(added[k], Buffer.byteLength(redacted.texts[segments.indexOf(part)], "utf8")));
    }
  } else {
    const prompt = request.prompt ?? { text: "" };
    const segments: Segment[] = [{ text: prompt.text, content: true }, ...(prompt.suffix !== undefined ? [{ text: prompt.suffix, content: true }] : [])];
    const redacted = cleaning ? await redactSegments(segments, { redactor, hint, known }) : undefined;
    if (redacted !== undefined) known.push(...redacted.secrets);
    const text = (texts: readonly string[]): ModelCall => ({
      kind: "text",
      prompt: texts[0],
      ...(prompt.suffix !== undefined ? { suffix: texts[1] } : {}),
      ...common,
      hearth: { role: input.hearthRole, ...(prompt.checkpoints !== undefined ? { checkpoints: prompt.checkpoints } : {}), ...(prompt.reuse !== undefined ? { reuse: prompt.reuse } : {}) },
    });
    original = text(segments.map((s) => s.text));
    call = redacted === undefined ? original : text(redacted.texts);
  }

  const sent: SentFile[] = kept.map((file) => ({
    path: shownPath(file),
    origin: file.origin,
    bytes: addedBytes.get(file) ?? Buffer.byteLength(file.content, "utf8"),
  }));
  let prepared = input.prepare(call);
  let redactions = 0;
  if (cleaning) {
    prepared = await cleanBody(prepared, { redactor, hint, known });
    // Counted on the body itself: a placeholder the caller's own text held already is not a redaction.
    redactions = Math.max(0, placeholders(prepared.json) - placeholders(input.prepare(original).json));
  }
  return { call, prepared, files: sent, dropped: dropped.map(shownPath), redactions };
}

/**
 * The provider's final body, every string in it (messages, system prompt, prefix, suffix,
 * stop sequences, tool schemas) read as one text, redacted until a pass finds nothing more.
 * The names in data (a tool schema's property names and `type` values, a tool call's
 * argument names) are not read with the text: one cut by a finding that spills over from
 * the text next to it would break the request. The secrets known by then (the tools' own
 * first pass, the text's findings, neverSend values) are taken out of them.
 */
async function cleanBody(prepared: PreparedCall, options: { redactor: Redactor; hint?: string; known: readonly KnownSecret[] }): Promise<PreparedCall> {
  let json = prepared.json;
  for (let pass = 0; pass < MAX_BODY_PASSES; pass++) {
    const body = JSON.parse(json) as unknown;
    const { texts, names, rename } = bodyStrings(body);
    const result = await redactSegments(
      texts.map((leaf) => ({ text: leaf.value, content: true })),
      options,
    );
    const known = [...options.known, ...result.secrets];
    const renamed = names.map((name) => redactKnown(name.value, known));
    const count = result.count + renamed.reduce((n, r) => n + r.count, 0);
    if (count === 0) return json === prepared.json ? prepared : { ...prepared, json, bytes: Buffer.byteLength(json, "utf8") };
    texts.forEach((leaf, i) => leaf.set(result.texts[i]));
    names.forEach((name, i) => name.set(renamed[i].text));
    rename();
    json = JSON.stringify(body);
  }
  throw new RedactionFailure(`the redactor still found secrets in the request body after ${MAX_BODY_PASSES} passes`);
}

/** Placeholders in a body; JSON writes « and » as they are. */
function placeholders(json: string): number {
  return json.split("«redacted:").length - 1;
}

/** Values that name the protocol's own things (the model, a message's role, a block's type), outside the data below. */
const STRUCTURAL_KEYS = new Set(["model", "role", "type"]);
/**
 * Fields whose value is data of the caller's or the model's, keys and all: a tool's JSON
 * schema (OpenAI `parameters`, Anthropic `input_schema`) and a tool call's arguments as an
 * object (Anthropic `input`). Below them, `type` is a schema's word or a secret, and a key a name the caller chose.
 */
const DATA_KEYS = new Set(["parameters", "input_schema", "input"]);

interface Leaf {
  readonly value: string;
  set(value: string): void;
}

interface BodyStrings {
  readonly texts: readonly Leaf[];
  /** The names in data: object keys, and a schema's `type` (a word the request breaks without, if cut). */
  readonly names: readonly Leaf[];
  /** Puts the keys set in `names` into their objects, each in its place and unique there. */
  rename(): void;
}

/** Every string of a JSON body in reading order, with a way to replace it in place: the text, and the names in data. */
function bodyStrings(body: unknown): BodyStrings {
  const texts: Leaf[] = [];
  const names: Leaf[] = [];
  const objects: { object: Record<string, unknown>; keys: string[]; newKeys: string[] }[] = [];
  const visit = (value: unknown, key: string | number, data: boolean, set: (v: string) => void): void => {
    if (typeof value === "string") {
      const structural = typeof key === "string" && STRUCTURAL_KEYS.has(key);
      if (structural && !data) return;
      (structural ? names : texts).push({ value, set });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, i, data, (v) => (value[i] = v)));
    } else if (typeof value === "object" && value !== null) {
      const object = value as Record<string, unknown>;
      const keys = Object.keys(object);
      const newKeys = [...keys];
      if (data) objects.push({ object, keys, newKeys });
      keys.forEach((k, i) => {
        if (data) names.push({ value: k, set: (v) => (newKeys[i] = v) });
        visit(object[k], k, data || DATA_KEYS.has(k), (v) => put(object, k, v));
      });
    }
  };
  visit(body, "", false, () => undefined);
  const rename = (): void => {
    for (const { object, keys, newKeys } of objects) {
      if (keys.every((k, i) => k === newKeys[i])) continue;
      const values = keys.map((k) => object[k]);
      for (const k of keys) delete object[k];
      // Two names redacted to one placeholder are still two properties.
      const taken = new Set<string>();
      newKeys.forEach((k, i) => {
        let unique = k;
        for (let n = 2; taken.has(unique); n++) unique = `${k} ${n}`;
        taken.add(unique);
        put(object, unique, values[i]);
      });
    }
  };
  return { texts, names, rename };
}

/** An own property, whatever its name: assigning to `__proto__` would set the prototype and leave the parsed value in place. */
function put(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Every string the caller put into the request, where a neverSend file's text may be: the
 * messages, the tool calls' arguments, the tools (names, descriptions, schemas, keys too), a
 * raw prompt, stop sequences, context files and their names. The body is built from these
 * alone, and redaction only takes text out, so a value absent from all of them is absent from the body.
 * JSON text (a call's arguments, a tool's result) is read decoded too: there a value with a
 * quote, a backslash or a line break in it is written escaped (bodyRedaction looks for that form).
 */
function requestTexts(request: GatewayRequest): string[] {
  const texts: string[] = [];
  for (const message of request.messages ?? []) {
    texts.push(message.content, ...jsonStrings(message.content));
    for (const call of message.toolCalls ?? []) texts.push(call.name, call.arguments, ...jsonStrings(call.arguments));
  }
  if (request.prompt !== undefined) texts.push(request.prompt.text, request.prompt.suffix ?? "");
  texts.push(...(request.stop ?? []));
  for (const file of request.files ?? []) texts.push(file.path, file.content);
  const visit = (value: unknown): void => {
    if (typeof value === "string") texts.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        texts.push(key);
        visit(item);
      }
    }
  };
  visit(request.tools ?? []);
  return texts;
}

/** The strings of a JSON object's or array's text, keys included; none for any other text. */
function jsonStrings(text: string): string[] {
  if (!/^\s*[[{]/.test(text)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  // A loop, not a recursion: the text is the model's or a tool's, and may nest deeper than the stack.
  const strings: string[] = [];
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") strings.push(value);
    else if (Array.isArray(value)) for (const item of value as unknown[]) pending.push(item);
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        strings.push(key);
        pending.push(item);
      }
    }
  }
  return strings;
}

/** A matcher that fails says "do not send", never "send". */
function neverSendMatches(matcher: NeverSendMatcher, path: string): boolean {
  try {
    return matcher.matches(path);
  } catch {
    return true;
  }
}

/**
 * A file named after what it holds (`secrets/github_token`, `db_password.txt`) whose whole
 * content is one value (a line, or a key's body): the name is the assignment's name, the content its value.
 */
async function valueNamedByFile(file: ContextFile, redactor: Redactor): Promise<KnownSecret[]> {
  const value = file.content.trim();
  // One value: no white space inside. A file of code that merely contains a secret is read as code.
  if (value === "" || value.length > SINGLE_VALUE_MAX || /\s/.test(value)) return [];
  const stem = (file.path.split(/[\\/]/).pop() ?? "").replace(/^\.+/, "").replace(/\.[A-Za-z0-9]{1,5}$/, "");
  if (!/^[A-Za-z][\w.-]*$/.test(stem)) return [];
  const quoted = JSON.stringify(value);
  const probe = `${stem} = ${quoted}`;
  const valueStart = stem.length + 3;
  // The finding must be the value itself (quotes aside), not a secret somewhere inside it.
  const found = (await redactor(probe)).findings.filter((f) => f.start <= valueStart + 1 && f.end >= valueStart + quoted.length - 1);
  return found.length > 0 ? [{ value, kind: found[0].kind }] : [];
}

/**
 * Any failure of the redactor stops the request, a layer that failed while the others ran
 * included (secretlint throwing: Hearth's own rules alone catch about half of what the two
 * catch together, so "the rest ran" is not "redacted").
 */
function guarded(redactor: Redactor): Redactor {
  return async (text, fileName) => {
    let result: Awaited<ReturnType<Redactor>>;
    try {
      result = await redactor(text, fileName);
    } catch (error) {
      throw new RedactionFailure(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const failed = result.warnings ?? [];
    if (failed.length > 0) throw new RedactionFailure(`a redaction layer failed (${failed[0]})`);
    return result;
  };
}

// ---- context files ----------------------------------------------------------------------
// Which context files are already part of the prompt are already part of the prompt (and so cannot be dropped), and
// how the others are laid into it. A neverSend file pasted into the chat box is still a
// neverSend file: content found inside the prompt counts as embedded, so the route check
// sees it, whatever the caller said.

/** All the text the caller wrote into the request itself. */
export function promptText(request: GatewayRequest, separator = "\n"): string {
  const parts = (request.messages ?? []).map((m) => m.content);
  if (request.messages === undefined && request.prompt !== undefined) parts.push(request.prompt.text, request.prompt.suffix ?? "");
  return parts.join(separator);
}

/**
 * Files whose content is in the prompt already: declared `embedded`, every file of a raw
 * prompt (there is nowhere to add it), and any file whose content, or a distinctive line of
 * it, appears in the text.
 */
export function embeddedFiles(request: GatewayRequest): Set<ContextFile> {
  const files = request.files ?? [];
  const raw = request.messages === undefined;
  // Also joined without a break: a file pasted across two messages reads whole only so.
  const text = promptText(request);
  const joined = promptText(request, "");
  return new Set(files.filter((f) => f.embedded === true || raw || appearsIn(f.content, text) || appearsIn(f.content, joined)));
}

export function appearsIn(content: string, text: string): boolean {
  const whole = content.trim();
  if (whole === "" || text === "") return false;
  if (text.includes(whole)) return true;
  return content.split(/\r?\n/).some((line) => {
    const trimmed = line.trim();
    return trimmed.length >= DISTINCTIVE_LINE && text.includes(trimmed);
  });
}

/** One piece of a message: caller text or file content (`content`), or Hearth's wrapping around it. */
export interface MessagePart {
  readonly text: string;
  readonly content: boolean;
  /** The file a piece of content comes from: the redactor's hint for it. */
  readonly fileName?: string;
}

export interface PartedMessage {
  readonly role: ChatMessage["role"];
  readonly parts: readonly MessagePart[];
}

/**
 * Context files as a block the model can tell apart from the question, in parts: a file's
 * tag (with `shownPath`, the path as it may be shown) apart from its content.
 */
export function contextBlockParts(files: readonly { path: string; shownPath: string; content: string }[]): MessagePart[] {
  const parts: MessagePart[] = [];
  files.forEach((f, i) => {
    parts.push({ text: `${i > 0 ? "\n\n" : ""}<file path=${JSON.stringify(f.shownPath)}>\n`, content: false });
    parts.push({ text: f.content, content: true, fileName: f.path });
    parts.push({ text: `${f.content.endsWith("\n") ? "" : "\n"}</file>`, content: false });
  });
  return parts;
}

/** Adds the block in front of the last user message (or as a new one), so it sits next to the question it serves. */
export function withContextParts(messages: readonly PartedMessage[], block: readonly MessagePart[]): PartedMessage[] {
  if (block.length === 0) return [...messages];
  const out = [...messages];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i].role === "user") {
      out[i] = { role: "user", parts: [...block, { text: "\n\n", content: false }, ...out[i].parts] };
      return out;
    }
  }
  out.push({ role: "user", parts: block });
  return out;
}
