// Which Lezer grammar reads which VS Code language, and which of its node types hold text a
// "translate comments and docs" request may change. Everything else in the tree is code.
//
// Strings are translatable (user-facing messages, Python docstrings), but their place in the
// code is not: a stripped string leaves a placeholder token, so deleting or adding one is
// still caught. Character literals, Go runes and C's <header> include paths are code.
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
}

const C_COMMENTS = new Set(["LineComment", "BlockComment"]);
/** "a" "b" is one ConcatenatedString in C, so re-splitting a long message is free, as in Python. */
const CPP_STRINGS = new Set(["String", "RawString", "ConcatenatedString"]);

const js = (dialect: string): CodeLanguage => ({
  parser: dialect === "" ? jsParser : jsParser.configure({ dialect }),
  // JSX text is the visible prose of a component. Like a comment it leaves no token, so a
  // translation may move it around the {expressions} between it, as word order demands.
  comments: new Set([...C_COMMENTS, "JSXText"]),
  strings: new Set(["String", "TemplateString", "JSXAttributeValue"]),
  codeInsideStrings: new Set(["Interpolation"]),
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
  }),
  go: () => ({ parser: goParser, comments: C_COMMENTS, strings: new Set(["String"]), codeInsideStrings: new Set() }),
  rust: () => ({ parser: rustParser, comments: C_COMMENTS, strings: new Set(["String", "RawString"]), codeInsideStrings: new Set() }),
  java: () => ({ parser: javaParser, comments: C_COMMENTS, strings: new Set(["StringLiteral", "TextBlock"]), codeInsideStrings: new Set() }),
  c: () => ({ parser: cppParser, comments: C_COMMENTS, strings: CPP_STRINGS, codeInsideStrings: new Set(), backslashContinuesLineComment: true }),
  cpp: () => ({ parser: cppParser, comments: C_COMMENTS, strings: CPP_STRINGS, codeInsideStrings: new Set(), backslashContinuesLineComment: true }),
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
