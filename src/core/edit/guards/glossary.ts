// `.hearth/glossary.json`: the team's terms that translation must respect. JSONC (comments
// and trailing commas allowed); schemas/glossary.schema.json describes the same shape for the
// editor, and a unit test keeps the two in step.
//
//   {
//     "$schema": "...",                       // optional, for the editor
//     "version": 1,                           // optional; only 1 exists
//     // Terms that must come back exactly as written, in every language.
//     "keep": ["Hearth", "gateway"],
//     // Terms, as written in the source text, with the one translation to use per target language.
//     "translate": { "pull request": { "ja": "プルリクエスト", "zh-CN": "拉取请求" } }
//   }
//
// A term written with a capital letter matches its exact case; an all-lower-case term matches
// any case (see termMatch.ts). Language keys are tags like "ja", "zh-CN"; "zh" serves "zh-CN".
import { createScanner, findNodeAtLocation, parse, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { z } from "zod";
import { LANGUAGE_TAG } from "./targetLanguages";

export interface Glossary {
  /** Terms to leave untranslated. */
  readonly keep: readonly string[];
  /** Source term → (language tag → the one translation to use). */
  readonly translate: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface GlossaryError {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

export type GlossaryParse = { ok: true; glossary: Glossary } | { ok: false; errors: GlossaryError[] };

export const GLOSSARY_KEYS = ["$schema", "version", "keep", "translate"] as const;
export const MAX_GLOSSARY_TERMS = 1000;
export const MAX_TERM_LENGTH = 200;
/** A glossary is a few kilobytes; a huge file is an accident, and it is read on the UI's path. */
export const MAX_GLOSSARY_BYTES = 512 * 1024;
/** The real shape nests 3 levels; a deep `[[[[` would overflow the recursive parsers' stacks. */
export const MAX_GLOSSARY_DEPTH = 16;

const term = z
  .string({ error: "a term must be a string" })
  .trim()
  .min(1, { error: "a term must not be empty" })
  .max(MAX_TERM_LENGTH, { error: `a term must be at most ${MAX_TERM_LENGTH} characters` });

const translations = z.record(z.string().regex(LANGUAGE_TAG, { error: 'use a language tag such as "ja" or "zh-CN"' }), term, {
  error: 'each term needs an object of translations by language, e.g. { "ja": "プルリクエスト" }',
});

const glossarySchema = z.strictObject(
  {
    $schema: z.string().optional(),
    version: z.literal(1, { error: "version must be 1" }).optional(),
    keep: z.array(term, { error: 'keep must be a list of terms, e.g. ["Hearth"]' }).max(MAX_GLOSSARY_TERMS, { error: `at most ${MAX_GLOSSARY_TERMS} terms` }).optional(),
    translate: z
      .record(term, translations, { error: 'translate must map terms to translations, e.g. { "pull request": { "ja": "プルリクエスト" } }' })
      .refine((value) => Object.keys(value).length <= MAX_GLOSSARY_TERMS, { error: `at most ${MAX_GLOSSARY_TERMS} terms` })
      .optional(),
  },
  { error: "the glossary must be an object with keep and/or translate" },
);

export function parseGlossary(text: string): GlossaryParse {
  if (Buffer.byteLength(text, "utf8") > MAX_GLOSSARY_BYTES) {
    return { ok: false, errors: [{ message: `glossary is larger than ${MAX_GLOSSARY_BYTES / 1024} KB; keep it to the terms that matter`, offset: 0, length: 0 }] };
  }
  const source = text.startsWith("\uFEFF") ? ` ${text.slice(1)}` : text;
  const deep = firstTooDeep(source);
  if (deep !== undefined) {
    return { ok: false, errors: [{ message: `nested deeper than ${MAX_GLOSSARY_DEPTH} levels; a glossary needs 3 (translate → term → language)`, offset: deep, length: 1 }] };
  }
  const syntax: ParseError[] = [];
  const value: unknown = parse(source, syntax, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (syntax.length > 0) {
    return { ok: false, errors: syntax.map((e) => ({ message: `JSON syntax error: ${words(printParseErrorCode(e.error))}`, offset: e.offset, length: e.length })) };
  }
  const root = parseTree(source);
  const protoKey = findProtoKey(root);
  if (protoKey !== undefined) return { ok: false, errors: [{ message: '"__proto__" cannot be a term', offset: protoKey.offset, length: protoKey.length }] };
  // JSON lets a key repeat and the last one wins; in a glossary that silently drops a rule.
  const duplicates = duplicateKeys(root);
  if (duplicates.length > 0) {
    return { ok: false, errors: duplicates.map((key) => ({ message: `"${String(key.value)}" appears twice in the same object; merge the two entries`, offset: key.offset, length: key.length })) };
  }

  const result = glossarySchema.safeParse(value);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        // An unknown or malformed key is best pointed at by the key itself.
        const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
        const badKey = issue.code === "invalid_key";
        const where = locate(root, keys.length > 0 ? [...path, keys[0]] : path, keys.length > 0 || badKey);
        let message = issue.message;
        if (keys.length > 0) message = `unknown key ${keys.map((k) => `"${k}"`).join(", ")}; expected ${GLOSSARY_KEYS.join(", ")}`;
        else if (badKey) message = `"${String(path[path.length - 1])}" is not a language tag; use one such as "ja" or "zh-CN"`;
        return { message: path.length > 0 ? `${path.join(".")}: ${message}` : message, ...where };
      }),
    };
  }
  const data = result.data;
  const keep = [...new Set(data.keep ?? [])];
  const translate = new Map<string, ReadonlyMap<string, string>>();
  for (const [source, byLanguage] of Object.entries(data.translate ?? {})) translate.set(source, new Map(Object.entries(byLanguage)));
  return { ok: true, glossary: { keep, translate } };
}

function locate(root: Node | undefined, path: (string | number)[], keyOnly: boolean): { offset: number; length: number } {
  const node = root === undefined ? undefined : findNodeAtLocation(root, path);
  if (node === undefined) return { offset: root?.offset ?? 0, length: 0 };
  const target = keyOnly && node.parent?.type === "property" ? (node.parent.children?.[0] ?? node) : node;
  return { offset: target.offset, length: target.length };
}

/** Offset of the first bracket past MAX_GLOSSARY_DEPTH, found with the iterative scanner. */
function firstTooDeep(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  // SyntaxKind is a const enum, which isolatedModules cannot read: its values, as parsePolicy does.
  for (let kind: number = scanner.scan(); kind !== 17 /* EOF */; kind = scanner.scan()) {
    if (kind === 1 /* { */ || kind === 3 /* [ */) {
      if (++depth > MAX_GLOSSARY_DEPTH) return scanner.getTokenOffset();
    } else if (kind === 2 /* } */ || kind === 4 /* ] */) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** "CloseBraceExpected" → "close brace expected". */
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function duplicateKeys(node: Node | undefined, out: Node[] = []): Node[] {
  if (node === undefined) return out;
  if (node.type === "object") {
    const seen = new Set<unknown>();
    for (const property of node.children ?? []) {
      const key = property.children?.[0];
      if (key === undefined) continue;
      if (seen.has(key.value)) out.push(key);
      seen.add(key.value);
    }
  }
  for (const child of node.children ?? []) duplicateKeys(child, out);
  return out;
}

/** jsonc-parser's `parse` would turn a "__proto__" key into a prototype, silently dropping the term. */
function findProtoKey(node: Node | undefined): Node | undefined {
  if (node === undefined) return undefined;
  if (node.type === "property" && node.children?.[0]?.value === "__proto__") return node.children[0];
  for (const child of node.children ?? []) {
    const found = findProtoKey(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
