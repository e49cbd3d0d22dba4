import { randomUUID } from "node:crypto";
import { HttpError, JsonShapeScanner } from "./httpBasics.js";
import { LIMITS } from "../core/wire/hearthProtocol.js";

/**
 * OpenAI tool calling on Qwen3.5's own format.
 *
 * Qwen3.5's chat template (the one published with the models; node-llama-cpp's
 * QwenChatWrapper `variation: "3.5"` reproduces the same layout) lists the tools as JSON
 * lines between `<tools>` and `</tools>` in the system message, and the model calls them in
 * the XML layout of Qwen3-Coder:
 *
 *     <tool_call>
 *     <function=get_weather>
 *     <parameter=city>
 *     Paris
 *     </parameter>
 *     </function>
 *     </tool_call>
 *
 * A parameter's value is its text when it is a string and its JSON otherwise (the template
 * writes booleans and null as Python does: True, False, None). Tool results come back in a
 * user turn, each between `<tool_response>` and `</tool_response>`.
 */

export interface ToolFunction {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export interface Tool {
  type: "function";
  function: ToolFunction;
}

export type ToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

/** A call as the OpenAI API carries it: arguments are a JSON object's text. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Python's json.dumps defaults, which the template's `tojson` uses: ", " and ": ". */
export function pyJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => pyJson(item)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([key, v]) => `${JSON.stringify(key)}: ${pyJson(v)}`).join(", ")}}`;
}

const TOOLS_INSTRUCTIONS =
  "\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function call in natural language BEFORE the function call, but NOT after\n- If there is no function call available, answer the question like normal with your current knowledge and do not tell the user about function calls\n</IMPORTANT>";

/**
 * The system message's text when tools are offered: the tools block, then the client's
 * system message (trimmed, after a blank line), as the template writes it.
 */
export function toolsSystemText(tools: readonly Tool[], systemContent: string | undefined): string {
  let text = "# Tools\n\nYou have access to the following functions:\n\n<tools>";
  for (const tool of tools) text += `\n${pyJson(tool)}`;
  text += `\n</tools>${TOOLS_INSTRUCTIONS}`;
  const content = systemContent?.trim() ?? "";
  if (content !== "") text += `\n\n${content}`;
  return text;
}

/** A parameter's value as the template writes it: strings as they are, others as JSON (Python's spelling of scalars). */
export function renderParameterValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === true) return "True";
  if (value === false) return "False";
  if (value === null || value === undefined) return "None";
  if (typeof value === "object") return pyJson(value);
  return String(value);
}

export class ToolArgumentsError extends Error {}

/**
 * An assistant turn's tool calls as the template writes them, after its content. The
 * arguments are the JSON text the client sends back (what this server returned).
 */
export function renderToolCalls(content: string, calls: readonly Pick<ToolCall, "name" | "arguments">[]): string {
  let text = "";
  calls.forEach((call, index) => {
    if (index === 0) text += content.trim() !== "" ? "\n\n" : "";
    else text += "\n";
    text += `<tool_call>\n<function=${call.name}>\n`;
    let args: unknown;
    try {
      // The body's shape limits saw this JSON only as a string: its nesting is checked here,
      // before JSON.parse and pyJson (which recurses) see it.
      new JsonShapeScanner().push(Buffer.from(call.arguments, "utf8"));
    } catch (error) {
      throw new ToolArgumentsError(`tool call ${index} of an assistant message: 'arguments' ${error instanceof HttpError && error.code === "json_too_deep" ? `nests arrays and objects deeper than ${LIMITS.jsonDepth} levels` : `holds more than the server's limits allow (${error instanceof Error ? error.message : String(error)})`}`);
    }
    try {
      args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
    } catch {
      throw new ToolArgumentsError(`tool call ${index} of an assistant message: 'arguments' is not JSON`);
    }
    if (args === null || typeof args !== "object" || Array.isArray(args)) throw new ToolArgumentsError(`tool call ${index} of an assistant message: 'arguments' is not a JSON object`);
    for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
      text += `<parameter=${key}>\n${renderParameterValue(value)}\n</parameter>\n`;
    }
    text += "</function>\n</tool_call>";
  });
  return text;
}

export function newToolCallId(): string {
  return `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

// ---------------------------------------------------------------------------------------
// Parsing the model's output

export type ParsedOutput =
  | { kind: "text"; content: string }
  | { kind: "calls"; content: string; calls: ToolCall[] }
  | { kind: "malformed"; content: string; error: string };

const OPEN = "<tool_call>";
const CLOSE = "</tool_call>";

function propertyType(tool: Tool | undefined, key: string): string | undefined {
  const properties = tool?.function.parameters?.["properties"];
  if (properties === null || typeof properties !== "object") return undefined;
  const schema = (properties as Record<string, unknown>)[key];
  if (schema === null || typeof schema !== "object") return undefined;
  const type = (schema as Record<string, unknown>)["type"];
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  return undefined;
}

/** A parameter's text to its value, guided by the schema (as vLLM's qwen3coder parser does). */
function parameterValue(text: string, type: string | undefined): unknown {
  if (type === "string") return text;
  const lower = text.trim().toLowerCase();
  if (lower === "none" || lower === "null") return type === undefined || type === "null" ? null : text;
  if (type === "boolean" || type === undefined) {
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseBlock(body: string, tools: readonly Tool[]): { name: string; args: Record<string, unknown> } | string {
  const trimmed = body.trim();
  // Qwen3's JSON layout, which Qwen3.5 sometimes falls back to.
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return "the tool call is not valid JSON";
    }
    const { name, arguments: args } = (value ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== "string") return "the tool call names no function";
    const parsedArgs = typeof args === "string" ? safeJson(args) : args ?? {};
    if (parsedArgs === null || typeof parsedArgs !== "object" || Array.isArray(parsedArgs)) return `the arguments of ${name} are not a JSON object`;
    return { name, args: parsedArgs as Record<string, unknown> };
  }
  const fn = /^<function=([^>\n]+)>\n?([\s\S]*?)<\/function>$/.exec(trimmed);
  if (fn === null) return "the tool call is not <function=name>…</function>";
  const name = fn[1]!.trim();
  const tool = tools.find((t) => t.function.name === name);
  const args: Record<string, unknown> = {};
  let rest = fn[2]!;
  const param = /^\s*<parameter=([^>\n]+)>\n?([\s\S]*?)\n?<\/parameter>/;
  for (let match = param.exec(rest); match !== null; match = param.exec(rest)) {
    const key = match[1]!.trim();
    args[key] = parameterValue(match[2]!, propertyType(tool, key));
    rest = rest.slice(match[0].length);
  }
  if (rest.trim() !== "") return `unexpected text in the call of ${name}`;
  return { name, args };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The model's answer as text or tool calls. Calls follow any text; an answer that opens a
 * call and then breaks the format, or calls a function that was not offered, is
 * "malformed": the server returns it as text and says why.
 */
export function parseModelOutput(text: string, tools: readonly Tool[]): ParsedOutput {
  const start = text.indexOf(OPEN);
  if (start < 0) return { kind: "text", content: text };
  const content = text.slice(0, start).trimEnd();
  const calls: ToolCall[] = [];
  let rest = text.slice(start);
  while (rest.startsWith(OPEN)) {
    const end = rest.indexOf(CLOSE);
    // A call cut short of its closing tag at the very end (a stop string, a grammar's end) still counts.
    const body = end < 0 ? rest.slice(OPEN.length) : rest.slice(OPEN.length, end);
    const block = parseBlock(body, tools);
    if (typeof block === "string") return { kind: "malformed", content: text, error: block };
    if (!tools.some((tool) => tool.function.name === block.name)) return { kind: "malformed", content: text, error: `the model called '${block.name}', which is not among the request's tools` };
    calls.push({ id: newToolCallId(), name: block.name, arguments: JSON.stringify(block.args) });
    rest = end < 0 ? "" : rest.slice(end + CLOSE.length).replace(/^\s+/, "");
  }
  if (rest.trim() !== "") return { kind: "malformed", content: text, error: "text after the tool calls" };
  return { kind: "calls", content, calls };
}

/** Where the white space that ends `text.slice(0, end)` begins. */
function beforeSpace(text: string, end: number): number {
  let cut = end;
  while (cut > 0 && /\s/.test(text[cut - 1]!)) cut--;
  return cut;
}

/**
 * Streams text until the answer may open a tool call, then holds the rest back until the
 * end, when it is parsed: clients get text as it comes and each call whole.
 */
export class ToolCallStream {
  /** Once a call may have opened: everything from the white space before it. */
  private held = "";
  private inCall = false;
  private sent = "";
  /**
   * Before that: white space held back (it is sent only when text follows it), and an ending
   * that could be the start of "<tool_call>". Kept apart so that a long run of white space is
   * never scanned again: each piece costs its own length, not the run's.
   */
  private space = "";
  private tail = "";

  /** The text that may be sent now. */
  push(piece: string): string {
    if (this.inCall) {
      this.held += piece;
      return "";
    }
    // "<tool_call>" holds no white space, so it cannot begin inside `space`.
    const text = this.tail + piece;
    const at = text.indexOf(OPEN);
    if (at >= 0) {
      this.inCall = true;
      const cut = beforeSpace(text, at);
      const released = cut === 0 ? "" : this.space + text.slice(0, cut);
      this.held = (cut === 0 ? this.space : "") + text.slice(cut);
      this.space = "";
      this.tail = "";
      return this.release(released);
    }
    // Keep back an ending that could be the start of "<tool_call>", and the white space
    // before it: the text before a call is sent trimmed, as the non-streamed answer is, so
    // that the client sends back what the template writes.
    let keep = 0;
    for (let n = Math.min(OPEN.length - 1, text.length); n > 0; n--) {
      if (OPEN.startsWith(text.slice(-n))) {
        keep = n;
        break;
      }
    }
    const body = text.length - keep;
    const cut = beforeSpace(text, body);
    this.tail = text.slice(body);
    if (cut === 0) {
      this.space += text.slice(0, body);
      return "";
    }
    const released = this.space + text.slice(0, cut);
    this.space = text.slice(cut, body);
    return this.release(released);
  }

  private release(text: string): string {
    this.sent += text;
    return text;
  }

  /** At the end: the answer parsed, and the text still to send when it is not calls. */
  finish(tools: readonly Tool[]): { parsed: ParsedOutput; unsent: string } {
    const unsent = this.inCall ? this.held : this.space + this.tail;
    const parsed = parseModelOutput(this.sent + unsent, tools);
    return { parsed, unsent };
  }
}

// ---------------------------------------------------------------------------------------
// Grammar for tool_choice "required" or a named function

/** What a grammar being built has spent of LIMITS.grammarStringChars. */
interface GrammarBudget {
  stringChars: number;
}

/** A request's tools that no grammar can be built from: 400, naming the tool. */
function badGrammarText(param: string, what: string): HttpError {
  return new HttpError(400, `Invalid value for '${param}': ${what} holds a NUL character, which the model cannot write; the forced call's grammar (tool_choice) cannot require it.`, "invalid_request_error", param);
}

/** 413 for a grammar past one of LIMITS (same wording as the server's other size limits). */
function grammarTooLarge(size: string, limit: string): HttpError {
  return new HttpError(413, `'tools' has ${size}; the server's limit is ${limit} (see "Limits" in the README). Send less.`, "invalid_request_error", "tools", "too_large");
}

/**
 * A GBNF literal. Control characters are written as \xNN (a raw one, NUL above all, would
 * end or break the grammar's text in llama.cpp); a NUL cannot be generated at all, so a
 * literal that holds one is refused (`param` and `what` say where it came from).
 */
function gbnfLiteral(text: string, param = "tools", what = "a name"): string {
  if (text.includes("\u0000")) throw badGrammarText(param, what);
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0001-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `"${escaped}"`;
}

function schemaOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Characters of a JSON string inside an object or array parameter. */
const STRING_CHARS = 48;
/** A string parameter's `maxLength` up to this is enforced by the grammar; beyond, any length is. */
const MAX_BOUNDED_LENGTH = 256;

/**
 * A string parameter's text: bounded by the schema's minLength and maxLength when they are
 * small. llama.cpp unrolls `x{m,n}` into n rules, so the lengths enforced are drawn from
 * `budget` (LIMITS.grammarStringChars for the whole grammar); once it is spent, strings are
 * unbounded (`strchar*`), which costs one rule.
 */
function stringRule(schema: Record<string, unknown>, budget: GrammarBudget): string {
  const max = schema["maxLength"];
  const min = typeof schema["minLength"] === "number" && Number.isInteger(schema["minLength"]) ? Math.max(0, schema["minLength"]) : 0;
  const left = LIMITS.grammarStringChars - budget.stringChars;
  if (typeof max === "number" && Number.isInteger(max) && max <= MAX_BOUNDED_LENGTH && max >= min && max <= left) {
    budget.stringChars += max;
    return `strchar{${min},${max}}`;
  }
  if (min > 0 && min <= MAX_BOUNDED_LENGTH && min <= left) {
    budget.stringChars += min;
    return `strchar{${min},}`;
  }
  return "strchar*";
}

/** GBNF for one parameter's value, as the template writes it (see renderParameterValue). */
function valueRule(schema: Record<string, unknown>, budget: GrammarBudget, param: string, key: string): string {
  const enumValues = schema["enum"];
  if (Array.isArray(enumValues) && enumValues.length > 0) return `(${enumValues.map((v) => gbnfLiteral(renderParameterValue(v), param, `an enum value of '${key}'`)).join(" | ")})`;
  if ("const" in schema) return gbnfLiteral(renderParameterValue(schema["const"]), param, `the const of '${key}'`);
  const raw = schema["type"];
  const type = Array.isArray(raw) ? (raw.find((t) => t !== "null") as string | undefined) : (raw as string | undefined);
  switch (type) {
    case "string":
      return stringRule(schema, budget);
    case "integer":
      return `"-"? [0-9]{1,12}`;
    case "number":
      return `"-"? [0-9]{1,12} ("." [0-9]{1,6})?`;
    case "boolean":
      return `("True" | "False")`;
    case "null":
      return `"None"`;
    case "array":
      return "jarr";
    case "object":
      return "jobj";
    default:
      return `(jscalar | jobj | jarr)`;
  }
}

/**
 * A GBNF grammar that admits exactly one well-formed call of one of `tools` (or of the named
 * one) in Qwen3.5's layout, with the required parameters in the schema's order and the
 * optional ones allowed, each value shaped by its JSON-schema type (a string's length by its
 * maxLength up to 256 characters: a generated model's noise fills whatever it is given). Used for tool_choice
 * "required" and a named function: the model cannot answer anything else.
 *
 * llama.cpp parses a grammar synchronously, so the grammar is bounded before it is built:
 * at most LIMITS.grammarProperties properties across the constrained tools and
 * LIMITS.grammarChars characters of text (an HttpError 413 past either), and string lengths
 * enforced up to LIMITS.grammarStringChars in all. Text the model cannot write (a NUL in a
 * key or an enum value) is an HttpError 400.
 */
export function toolCallGrammar(tools: readonly Tool[], only?: string): string {
  const chosen = tools.map((tool, index) => ({ tool, index })).filter(({ tool }) => only === undefined || tool.function.name === only);
  let properties = 0;
  for (const { tool } of chosen) properties += Object.keys(schemaOf(schemaOf(tool.function.parameters)["properties"])).length;
  if (properties > LIMITS.grammarProperties) throw grammarTooLarge(`${properties} parameter properties in the tools a call is forced from (tool_choice)`, `${LIMITS.grammarProperties} properties`);
  const budget: GrammarBudget = { stringChars: 0 };
  const rules: string[] = [];
  const alternatives: string[] = [];
  let chars = 0;
  chosen.forEach(({ tool, index }, t) => {
    const param = `tools.${index}.function.parameters`;
    const parameters = schemaOf(tool.function.parameters);
    const required = new Set(Array.isArray(parameters["required"]) ? (parameters["required"] as unknown[]).filter((r): r is string => typeof r === "string") : []);
    const parts: string[] = [];
    Object.entries(schemaOf(parameters["properties"])).forEach(([key, schema], p) => {
      const rule = `t${t}p${p}`;
      const text = `${rule} ::= ${gbnfLiteral(`<parameter=${key}>\n`, param, "a property's name")} ${valueRule(schemaOf(schema), budget, param, key)} ${gbnfLiteral("\n</parameter>\n")}`;
      chars += text.length + 1;
      if (chars > LIMITS.grammarChars) throw grammarTooLarge(`parameter schemas whose forced-call grammar (tool_choice) passes ${LIMITS.grammarChars} characters`, `${LIMITS.grammarChars} characters of grammar`);
      rules.push(text);
      parts.push(required.has(key) ? rule : `${rule}?`);
    });
    rules.push(`t${t} ::= ${gbnfLiteral(`${tool.function.name}>\n`)}${parts.length > 0 ? ` ${parts.join(" ")}` : ""}`);
    alternatives.push(`t${t}`);
  });
  const grammar = [
    `root ::= ${gbnfLiteral("<tool_call>\n<function=")} (${alternatives.join(" | ")}) ${gbnfLiteral("</function>\n</tool_call>")}`,
    ...rules,
    `strchar ::= [^<\\x00]`,
    `jstr ::= "\\"" [a-zA-Z0-9 _.,:/-]{0,${STRING_CHARS}} "\\""`,
    `jscalar ::= jstr | "-"? [0-9]{1,12} | "true" | "false" | "null"`,
    `jobj ::= "{" (jstr ": " jscalar (", " jstr ": " jscalar){0,7})? "}"`,
    `jarr ::= "[" (jscalar (", " jscalar){0,7})? "]"`,
  ].join("\n");
  if (grammar.length > LIMITS.grammarChars) throw grammarTooLarge(`parameter schemas whose forced-call grammar (tool_choice) passes ${LIMITS.grammarChars} characters`, `${LIMITS.grammarChars} characters of grammar`);
  return grammar;
}
