// Reads a Markdown document into the parts a translation must leave byte-identical, from
// markdown-it's tokens: code (fenced, indented, inline), HTML (block, inline), link and image
// targets, reference definitions and explicit heading ids, in document order with their
// lines; plus the headings and the in-page links, for the auto-anchor check.
import MarkdownIt from "markdown-it";
import { blankFrontMatter, findFrontMatter, type FrontMatter } from "./frontMatter";
import { uniqueSlugs } from "./headingSlug";

type Token = MarkdownIt.Token;

export type PartKind = "code block" | "HTML block" | "inline code" | "inline HTML" | "link target" | "image source" | "reference definition";

export interface ProtectedPart {
  readonly kind: PartKind;
  readonly value: string;
  /** 1-based. */
  readonly line: number;
}

export interface Heading {
  readonly line: number;
  readonly level: number;
  readonly text: string;
  /** `{#id}` at the end of the heading or `<a id|name="...">` inside it. */
  readonly explicitId?: string;
  readonly slug: string;
}

export interface InPageLink {
  /** Decoded fragment, without the `#`. */
  readonly target: string;
  readonly line: number;
}

export interface MarkdownParts {
  readonly frontMatter?: FrontMatter;
  readonly parts: readonly ProtectedPart[];
  readonly headings: readonly Heading[];
  readonly inPageLinks: readonly InPageLink[];
}

/**
 * html: true so raw HTML is tokenized as HTML (VS Code's preview allows it too). linkify so a
 * bare https:// URL in prose is a link target to keep, as GitHub renders it; but not "fuzzy"
 * links (example.com without a scheme), whose detection could differ around translated text.
 */
const md = new MarkdownIt({ html: true, linkify: true });
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

/** Inline elements whose text is code or keys, not prose. */
const LITERAL_TAG = /^<(code|kbd|samp|var|tt)(?:\s[^>]*)?>$/i;
const ANCHOR_TAG = /<a\s[^>]*\b(?:id|name)\s*=\s*["']?([^"'\s>]+)/i;

type ReferenceEnv = MarkdownIt.StateCore["env"] & { references?: Record<string, { href: string; title: string }> };

export function markdownParts(source: string): MarkdownParts {
  // Line endings are the editor's business (files.eol), not the translation's: compare on LF.
  const text = source.replace(/\r\n?/g, "\n");
  const frontMatter = findFrontMatter(text);
  const body = blankFrontMatter(text, frontMatter);
  const env: ReferenceEnv = {};
  const tokens = md.parse(body, env);
  const lines = body.split("\n");
  const parts: ProtectedPart[] = [];
  const headingDrafts: Omit<Heading, "slug">[] = [];
  const inPageLinks: InPageLink[] = [];
  let openHeading: { line: number; level: number } | undefined;

  // Table cells carry no line map; their row does, so a token without one takes the last seen.
  let lastLine = 1;
  for (const token of tokens) {
    const line = token.map === null ? lastLine : token.map[0] + 1;
    lastLine = line;
    switch (token.type) {
      case "fence":
      case "code_block":
        parts.push({ kind: "code block", value: rawLines(lines, token), line });
        break;
      case "html_block":
        parts.push({ kind: "HTML block", value: rawLines(lines, token), line });
        break;
      case "heading_open":
        openHeading = { line, level: Number(token.tag.slice(1)) };
        break;
      case "heading_close":
        openHeading = undefined;
        break;
      case "inline": {
        const inHeading = openHeading !== undefined;
        readInline(token, line, parts, inPageLinks, inHeading);
        if (openHeading !== undefined) headingDrafts.push(readHeading(token, openHeading));
        break;
      }
      default:
        break;
    }
  }

  for (const [label, ref] of Object.entries(env.references ?? {})) {
    parts.push({ kind: "reference definition", value: `[${label}]: ${ref.href}`, line: referenceLine(lines, label) });
  }
  parts.sort((a, b) => a.line - b.line);

  const slugs = uniqueSlugs(headingDrafts.map((h) => h.text));
  const headings = headingDrafts.map((h, i) => ({ ...h, slug: slugs[i] }));
  return { frontMatter, parts, headings, inPageLinks };
}

function rawLines(lines: readonly string[], token: Token): string {
  const [start, end] = token.map ?? [0, 0];
  return lines.slice(start, end).join("\n");
}

function readInline(token: Token, firstLine: number, parts: ProtectedPart[], inPageLinks: InPageLink[], inHeading: boolean): void {
  let line = firstLine;
  let anchorOpen = false;
  // Inside <code>, <kbd> and the like, the text is literal too, not prose: the whole element is kept.
  let literal: { tag: string; value: string; line: number } | undefined;
  for (const child of token.children ?? []) {
    if (literal !== undefined && child.type !== "html_inline") {
      literal.value += child.type === "softbreak" || child.type === "hardbreak" ? "\n" : `${child.markup}${child.content}${child.markup}`;
    }
    switch (child.type) {
      case "softbreak":
      case "hardbreak":
        line++;
        break;
      case "code_inline":
        if (literal === undefined) parts.push({ kind: "inline code", value: `${child.markup}${child.content}${child.markup}`, line });
        break;
      case "html_inline": {
        // An anchor inside a heading is that heading's id, checked with the headings: adding one is how a translated heading keeps its anchor.
        if (inHeading && ANCHOR_TAG.test(child.content)) {
          anchorOpen = true;
          break;
        }
        if (anchorOpen && /^<\/a\s*>$/i.test(child.content)) {
          anchorOpen = false;
          break;
        }
        if (literal !== undefined) {
          literal.value += child.content;
          if (new RegExp(`^</${literal.tag}\\s*>$`, "i").test(child.content)) {
            parts.push({ kind: "inline HTML", value: literal.value, line: literal.line });
            literal = undefined;
          }
          break;
        }
        const opens = LITERAL_TAG.exec(child.content);
        if (opens !== null) literal = { tag: opens[1].toLowerCase(), value: child.content, line };
        else parts.push({ kind: "inline HTML", value: child.content, line });
        break;
      }
      case "link_open": {
        const href = String(child.attrGet("href") ?? "");
        parts.push({ kind: "link target", value: href, line });
        if (href.startsWith("#")) inPageLinks.push({ target: decodeFragment(href.slice(1)), line });
        break;
      }
      case "image":
        parts.push({ kind: "image source", value: String(child.attrGet("src") ?? ""), line });
        break;
      default:
        line += countNewlines(child.content);
        break;
    }
  }
  if (literal !== undefined) parts.push({ kind: "inline HTML", value: literal.value, line: literal.line });
}

function readHeading(token: Token, open: { line: number; level: number }): Omit<Heading, "slug"> {
  let text = "";
  let explicitId: string | undefined;
  for (const child of token.children ?? []) {
    if (child.type === "text" || child.type === "code_inline") text += child.content;
    if (child.type === "html_inline") explicitId ??= ANCHOR_TAG.exec(child.content)?.[1];
  }
  const braces = explicitHeadingId(text);
  if (braces !== undefined) {
    explicitId = braces.id;
    text = text.slice(0, braces.index);
  }
  return { line: open.line, level: open.level, text, explicitId };
}

function referenceLine(lines: readonly string[], label: string): number {
  const wanted = label.toLowerCase();
  const index = lines.findIndex((l) => /^ {0,3}\[/.test(l) && l.toLowerCase().includes(`[${wanted}]:`));
  return index + 1 || 1;
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/**
 * A heading's `{#id}` at its end, and where the white space before it starts: what
 * /\s*\{#([^}\s]+)\}\s*$/ finds, in linear time (that expression tries a long run of white
 * space, or of `{#`, from every position in it).
 */
export function explicitHeadingId(text: string): { id: string; index: number } | undefined {
  const end = text.trimEnd().length;
  if (end === 0 || text[end - 1] !== "}") return undefined;
  let run = end - 1;
  while (run > 0 && !/[}\s]/.test(text[run - 1]!)) run--;
  const open = text.indexOf("{#", run);
  if (open < 0 || open + 2 >= end - 1) return undefined;
  let index = open;
  while (index > 0 && /\s/.test(text[index - 1]!)) index--;
  return { id: text.slice(open + 2, end - 1), index };
}
