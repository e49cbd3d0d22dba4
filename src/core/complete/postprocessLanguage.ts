// What the completion post-processor needs to know about a language: how to
// tell code from strings and comments (so brackets inside them are not
// counted) and which line endings open a block (where a multi-line
// suggestion makes sense). Deliberately small: a lexer per family, not a
// parser per language, because this runs on every keystroke.

export type LexFamily = "c" | "python" | "json" | "prose";

export interface LanguageSpec {
  /** Normalised name, for logs and tests. */
  readonly name: string;
  readonly family: LexFamily;
  /** `//` line and `/* … *\/` block comments. */
  readonly slashComments: boolean;
  /** `#` line comments. */
  readonly hashComments: boolean;
  /** Characters that open a string literal. */
  readonly quotes: string;
  /** Quotes whose strings may span lines (JS template literals, Go raw strings, Rust strings). */
  readonly multilineQuotes: string;
  /** Quotes whose strings take no backslash escapes (Go raw strings). */
  readonly rawQuotes: string;
  /** Quotes that also come tripled (`"""` in Python and Java text blocks). */
  readonly tripleQuotes: string;
  /** Rust: `'a` is a lifetime unless it reads as a char literal. */
  readonly lifetimes: boolean;
  /** JS/TS: `${ … }` inside a backtick string is code again. */
  readonly templateLiterals: boolean;
  /** Tokens that, ending a line of code, open a block below it. */
  readonly blockOpeners: readonly string[];
  /** Python: `:` opens a block only outside brackets (not a dict or slice). */
  readonly colonNeedsTopLevel: boolean;
  /** Code cuts at a stray or mismatched closer; prose ("1) first") does not. */
  readonly strictBrackets: boolean;
}

const BRACKET_OPENERS = ["{", "(", "["] as const;

function cLike(name: string, extra: Partial<LanguageSpec>): LanguageSpec {
  return {
    name,
    family: "c",
    slashComments: true,
    hashComments: false,
    quotes: "\"'`",
    multilineQuotes: "`",
    rawQuotes: "",
    tripleQuotes: "",
    lifetimes: false,
    templateLiterals: false,
    blockOpeners: BRACKET_OPENERS,
    colonNeedsTopLevel: false,
    strictBrackets: true,
    ...extra,
  };
}

const TYPESCRIPT = cLike("typescript", { templateLiterals: true, blockOpeners: [...BRACKET_OPENERS, "=>", "do"] });
const JAVA = cLike("java", { quotes: "\"'", multilineQuotes: "", tripleQuotes: "\"", blockOpeners: [...BRACKET_OPENERS, "->", "do"] });
const GO = cLike("go", { quotes: "\"'`", multilineQuotes: "`", rawQuotes: "`" });
const RUST = cLike("rust", { quotes: "\"'", multilineQuotes: "\"", lifetimes: true, blockOpeners: [...BRACKET_OPENERS, "=>"] });
const GENERIC = cLike("generic", { blockOpeners: [...BRACKET_OPENERS, "=>", "->", "do"] });

const PYTHON: LanguageSpec = {
  name: "python",
  family: "python",
  slashComments: false,
  hashComments: true,
  quotes: "\"'",
  multilineQuotes: "",
  rawQuotes: "",
  tripleQuotes: "\"'",
  lifetimes: false,
  templateLiterals: false,
  blockOpeners: [...BRACKET_OPENERS, ":"],
  colonNeedsTopLevel: true,
  strictBrackets: true,
};

const JSON_SPEC: LanguageSpec = {
  name: "json",
  family: "json",
  slashComments: true, // jsonc; plain JSON has no `//`, so allowing it costs nothing
  hashComments: false,
  quotes: "\"",
  multilineQuotes: "",
  rawQuotes: "",
  tripleQuotes: "",
  lifetimes: false,
  templateLiterals: false,
  blockOpeners: ["{", "["],
  colonNeedsTopLevel: false,
  strictBrackets: true,
};

/** Markdown text outside code fences, and plain text: inline code spans are the only "strings". */
export const PROSE: LanguageSpec = {
  name: "prose",
  family: "prose",
  slashComments: false,
  hashComments: false,
  quotes: "`",
  multilineQuotes: "",
  rawQuotes: "`",
  tripleQuotes: "",
  lifetimes: false,
  templateLiterals: false,
  blockOpeners: [],
  colonNeedsTopLevel: false,
  strictBrackets: false,
};

const BY_ID: ReadonlyMap<string, LanguageSpec> = new Map<string, LanguageSpec>([
  ["typescript", TYPESCRIPT],
  ["typescriptreact", TYPESCRIPT],
  ["javascript", TYPESCRIPT],
  ["javascriptreact", TYPESCRIPT],
  ["ts", TYPESCRIPT],
  ["tsx", TYPESCRIPT],
  ["js", TYPESCRIPT],
  ["jsx", TYPESCRIPT],
  ["mjs", TYPESCRIPT],
  ["cjs", TYPESCRIPT],
  ["java", JAVA],
  ["go", GO],
  ["golang", GO],
  ["rust", RUST],
  ["rs", RUST],
  ["python", PYTHON],
  ["py", PYTHON],
  ["json", JSON_SPEC],
  ["jsonc", JSON_SPEC],
  ["json5", JSON_SPEC],
  ["jsonl", JSON_SPEC],
  ["markdown", PROSE],
  ["md", PROSE],
  ["mdx", PROSE],
  ["plaintext", PROSE],
  ["text", PROSE],
  ["txt", PROSE],
]);

/** The spec for a VS Code language id or a code fence's info string; unknown code gets the C-like default. */
export function languageSpecFor(languageId: string): LanguageSpec {
  return BY_ID.get(languageId.toLowerCase()) ?? GENERIC;
}

/** VS Code language ids whose documents hold prose with fenced code. */
export function isMarkdownId(languageId: string): boolean {
  const id = languageId.toLowerCase();
  return id === "markdown" || id === "md" || id === "mdx";
}
