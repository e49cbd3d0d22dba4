// Which Lezer grammar reads which VS Code language, and which of its node types hold text a
// "translate comments and docs" request may change. Everything else in the tree is code.
//
// Strings are translatable (user-facing messages, Python docstrings), but their place in the
// code is not: a stripped string leaves a placeholder token, so deleting or adding one is
// still caught. Character literals, Go runes and C's <header> include paths are code.
import type { SyntaxNode } from "@lezer/common";
import type { LRParser } from "@lezer/lr";
import { parser as cppParser } from "@lezer/cpp";
import { parser as goParser } from "@lezer/go";
import { parser as javaParser } from "@lezer/java";
import { parser as jsParser } from "@lezer/javascript";
import { parser as pythonParser } from "@lezer/python";
import { parser as rustParser } from "@lezer/rust";

export interface CodeLanguage {
  readonly parser: LRParser;
  /** Node types whose whole text is free to change (comments). */
  readonly comments: ReadonlySet<string>;
  /** Node types whose text is free to change but which stay one token in the code (strings). */
  readonly strings: ReadonlySet<string>;
  /** String node types whose children of these types are code again (template interpolations). */
  readonly codeInsideStrings: ReadonlySet<string>;
  /**
   * Node types whose extent is code even though no token marks it: Python's indented bodies.
   * Their start and end become tokens, so de-indenting a line out of a loop is caught.
   */
  readonly blocks?: ReadonlySet<string>;
  /**
   * C and C++ splice a line ending in a backslash onto the next, even in a // comment, which
   * then swallows the next line of code. Lezer does not model that, so such a comment counts
   * as a token: a translation that adds or drops the backslash is caught.
   */
  readonly backslashContinuesLineComment?: boolean;
  /**
   * Strings that are code, not text: module paths, Go struct tags, C include files. A
   * translated import path no longer resolves; a translated struct tag renames a JSON field.
   */
  readonly stringIsCode?: (string: SyntaxNode, text: string) => boolean;
  /**
   * Tool directives that live in comments (`//go:build`, `# noqa`, `// eslint-disable-line`):
   * each match is kept as a code token, so a translation may reword the comment around it
   * but not drop or translate the directive itself.
   */
  readonly directives?: readonly RegExp[];
}

const parentIs =
  (...names: string[]) =>
  (node: SyntaxNode): boolean =>
    node.parent !== null && names.includes(node.parent.name);

/** `require("x")` in CommonJS: the string is the first argument of a call to require. */
function isRequirePath(node: SyntaxNode, text: string): boolean {
  const call = node.parent?.name === "ArgList" ? node.parent.parent : null;
  const callee = call?.name === "CallExpression" ? call.firstChild : null;
  return callee !== null && callee !== undefined && text.slice(callee.from, callee.to) === "require";
}

const JS_DIRECTIVES = [
  /@ts-(?:ignore|expect-error|nocheck|check)\b/g,
  /eslint-(?:disable|enable)(?:-next-line|-line)?\b(?:[ \t]+[\w@/-]+(?:[ \t]*,[ \t]*[\w@/-]+)*)?/g,
  /\b(?:prettier-ignore|istanbul ignore \w+|c8 ignore \w+)/g,
  /^\/\/\/[ \t]*<reference\b.*$/gm,
  /@jsx(?:Frag|ImportSource|Runtime)?[ \t]+\S+/g,
];
const PYTHON_DIRECTIVES = [
  /^#!.*$/gm,
  /coding[:=][ \t]*[-\w.]+/g,
  /type:[ \t]*ignore(?:\[[^\]]*\])?/g,
  /\bnoqa\b(?::[ \t]*[\w ,]+)?/g,
  /\b(?:pylint|mypy|isort|pyright):[ \t]*\S+/g,
  /\bpragma:[ \t]*no[ \t]+cover\b/g,
  /\bfmt:[ \t]*(?:off|on|skip)\b/g,
];
const GO_DIRECTIVES = [/^\/\/go:\S.*$/gm, /^\/\/[ \t]*\+build\b.*$/gm, /^\/\/(?:export|line|extern)[ \t].*$/gm, /\/\/nolint\b\S*/g];
const C_DIRECTIVES = [/\bNOLINT(?:NEXTLINE|BEGIN|END)?(?:\([^)]*\))?/g, /\bclang-format[ \t]+(?:off|on)\b/g, /\bIWYU[ \t]+pragma:.*$/gm];
const JAVA_DIRECTIVES = [/\bnoinspection[ \t]+\S+/g, /@formatter:(?:off|on)\b/g, /\bCHECKSTYLE:(?:OFF|ON)\S*/g];
const RUST_DIRECTIVES = [/\bclippy::\w+/g];

const C_COMMENTS = new Set(["LineComment", "BlockComment"]);
/** "a" "b" is one ConcatenatedString in C, so re-splitting a long message is free, as in Python. */
const CPP_STRINGS = new Set(["String", "RawString", "ConcatenatedString"]);

const js = (dialect: string): CodeLanguage => ({
  parser: dialect === "" ? jsParser : jsParser.configure({ dialect }),
  stringIsCode: (node, text) => parentIs("ImportDeclaration", "ExportDeclaration", "DynamicImport")(node) || isRequirePath(node, text),
  directives: JS_DIRECTIVES,
  // JSX text is the visible prose of a component. Like a comment it leaves no token, so a
  // translation may move it around the {expressions} between it, as word order demands.
  comments: new Set([...C_COMMENTS, "JSXText"]),
  strings: new Set(["String", "TemplateString", "JSXAttributeValue"]),
  codeInsideStrings: new Set(["Interpolation"]),
});

const cLike = (): CodeLanguage => ({
  parser: cppParser,
  comments: C_COMMENTS,
  strings: CPP_STRINGS,
  codeInsideStrings: new Set(),
  backslashContinuesLineComment: true,
  stringIsCode: parentIs("PreprocDirective"),
  directives: C_DIRECTIVES,
});

/** Keyed by VS Code language id. */
const LANGUAGES: Readonly<Record<string, () => CodeLanguage>> = {
  javascript: () => js("jsx"),
  javascriptreact: () => js("jsx"),
  typescript: () => js("ts"),
  typescriptreact: () => js("ts jsx"),
  python: () => ({
    parser: pythonParser,
    comments: new Set(["Comment"]),
    strings: new Set(["String", "FormatString", "ContinuedString"]),
    codeInsideStrings: new Set(["FormatReplacement"]),
    blocks: new Set(["Body"]),
    directives: PYTHON_DIRECTIVES,
  }),
  go: () => ({ parser: goParser, comments: C_COMMENTS, strings: new Set(["String"]), codeInsideStrings: new Set(), stringIsCode: parentIs("ImportSpec", "FieldDecl"), directives: GO_DIRECTIVES }),
  rust: () => ({ parser: rustParser, comments: C_COMMENTS, strings: new Set(["String", "RawString"]), codeInsideStrings: new Set(), directives: RUST_DIRECTIVES }),
  java: () => ({ parser: javaParser, comments: C_COMMENTS, strings: new Set(["StringLiteral", "TextBlock"]), codeInsideStrings: new Set(), directives: JAVA_DIRECTIVES }),
  c: () => cLike(),
  cpp: () => cLike(),
};

export function codeLanguageIds(): readonly string[] {
  return Object.keys(LANGUAGES);
}

const cache = new Map<string, CodeLanguage>();

export function codeLanguage(languageId: string): CodeLanguage | undefined {
  const make = Object.prototype.hasOwnProperty.call(LANGUAGES, languageId) ? LANGUAGES[languageId] : undefined;
  if (make === undefined) return undefined;
  let language = cache.get(languageId);
  if (language === undefined) {
    language = make();
    cache.set(languageId, language);
  }
  return language;
}
