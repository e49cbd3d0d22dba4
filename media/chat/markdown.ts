// Model output to safe DOM. markdown-it with raw HTML off (tags in the answer show as
// text), DOMPurify over its output with an allow-list of tags and attributes, then links
// are defused: no element keeps an href, so nothing navigates; http(s) and workspace
// links keep their target in data-href for the panel's click handler, which hands it to
// the extension to confirm and open. Refused targets (command:, javascript:, data:,
// file:…) stay visible as text. Images are never loaded: a placeholder names their alt
// text and target. Invisible and bidirectional characters are shown as marked escapes
// (`<U+202E>`), and a link whose text names another host shows its real target.
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt from "markdown-it";
import { classifyLink, isDeceptiveLink, type LinkTarget } from "../../src/shared/linkTarget";
import { escapeInvisible, hasInvisible, splitInvisible } from "../../src/shared/invisible";

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["js", "jsx", "mjs", "cjs"], { languageName: "javascript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["sh", "zsh", "console"], { languageName: "bash" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["yml"], { languageName: "yaml" });


/** Larger code blocks are shown without colours: highlighting them would stall the view. */
const HIGHLIGHT_MAX = 20_000;

const md: InstanceType<typeof MarkdownIt> = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight(code, language): string {
    const lang = language.trim().toLowerCase();
    if (lang !== "" && code.length <= HIGHLIGHT_MAX && hljs.getLanguage(lang) !== undefined) {
      try {
        return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
      } catch {
        // fall through to plain, escaped text
      }
    }
    return md.utils.escapeHtml(code);
  },
});
const TARGET_ATTR = "data-md-target";

// markdown-it's own check lets command: and other schemes through; the panel decides later, so keep them as text targets.
md.validateLink = () => true;

type RenderEnv = Record<string, unknown> & { imageLabel?: string };

// Images are never loaded: a placeholder with the alt text and the target, as text.
md.renderer.rules.image = (tokens, idx, options, env: RenderEnv | undefined, self) => {
  const token = tokens[idx];
  const alt = self.renderInlineAsText(token.children ?? [], options, env ?? {});
  const src = String(token.attrGet("src") ?? "");
  const esc = md.utils.escapeHtml;
  return `<span class="image-placeholder">${esc(env?.imageLabel ?? "")}: <span class="image-alt">${esc(alt)}</span> <span class="image-target">(${esc(src)})</span></span>`;
};

// DOMPurify drops an href it finds unsafe (javascript:) or cannot read (`app.js:2` looks like an unknown scheme), and with it
// what the reader should see; the target travels in an attribute that never navigates, and the panel decides.
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx];
  token.attrSet(TARGET_ATTR, String(token.attrGet("href") ?? ""));
  token.attrs = (token.attrs ?? []).filter(([name]) => name !== "href");
  return self.renderToken(tokens, idx, options);
};

// Bare URLs found by linkify: characters that end a sentence or close markup stay outside the link.
md.core.ruler.after("linkify", "hearth_trim_autolinks", (state) => {
  for (const block of state.tokens) {
    const children = block.type === "inline" ? block.children : null;
    if (children === null) continue;
    for (let i = 0; i + 2 < children.length; i++) {
      const [open, label, close] = [children[i], children[i + 1], children[i + 2]];
      if (open.type !== "link_open" || open.markup !== "linkify" || label.type !== "text" || close.type !== "link_close") continue;
      const trail = /[`_~*'"]+$/.exec(label.content)?.[0];
      const href = String(open.attrGet("href") ?? "");
      if (trail === undefined || trail.length === label.content.length || href.startsWith("mailto:")) continue;
      const kept = label.content.slice(0, -trail.length);
      label.content = kept;
      open.attrSet("href", md.normalizeLink(/^www\./i.test(kept) ? `http://${kept}` : kept));
      const after = new state.Token("text", "", 0);
      after.content = trail;
      children.splice(i + 3, 0, after);
    }
  }
  return false;
});

const ALLOWED_TAGS = ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span"];
const ALLOWED_ATTR = ["class", "start", "style", TARGET_ATTR];

/** A target the panel may offer to open (the extension checks it again): http(s), or a workspace path. */
export function isOpenableHref(href: string): boolean {
  return classifyLink(href).kind !== "blocked";
}

export interface RenderStrings {
  readonly imageNotLoaded: string;
  readonly linkRefused: string;
  readonly linkLeadsTo: string;
  readonly nestingTooDeep: string;
  readonly renderFailed: string;
}

export interface RenderedMarkdown {
  readonly fragment: DocumentFragment;
  /** False when the text could not be formatted (nesting too deep, a parser failure) and is shown as plain text. */
  readonly formatted: boolean;
}

/** The raw text of each rendered code block (what Copy, Insert and Apply use), before invisible characters are marked. */
export const codeOf = new WeakMap<HTMLElement, string>();

function plain(text: string, why: string): RenderedMarkdown {
  const fragment = document.createDocumentFragment();
  const note = document.createElement("div");
  note.className = "render-note";
  note.setAttribute("role", "note");
  note.textContent = why;
  const pre = document.createElement("pre");
  pre.className = "plain";
  pre.textContent = text;
  fragment.append(note, pre);
  markInvisible(fragment);
  return { fragment, formatted: false };
}

function deepestLevel(tokens: ReturnType<typeof md.parse>): number {
  let deepest = 0;
  for (const token of tokens) {
    deepest = Math.max(deepest, token.level);
    for (const child of token.children ?? []) deepest = Math.max(deepest, child.level);
  }
  return deepest;
}

export function renderMarkdown(text: string, strings: RenderStrings): RenderedMarkdown {
  const env: RenderEnv = { imageLabel: strings.imageNotLoaded };
  let html: string;
  try {
    const tokens = md.parse(text, env);
    // markdown-it drops what lies deeper than maxNesting without a word: say so, and show the text.
    if (deepestLevel(tokens) >= (md.options.maxNesting ?? 100) - 1) return plain(text, strings.nestingTooDeep);
    html = md.renderer.render(tokens, md.options, env);
  } catch {
    return plain(text, strings.renderFailed);
  }
  const fragment = DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ADD_URI_SAFE_ATTR: [TARGET_ATTR], ALLOW_DATA_ATTR: false, RETURN_DOM_FRAGMENT: true });
  // markdown-it's table alignment is the only style it writes; nothing else may keep one.
  for (const node of Array.from(fragment.querySelectorAll<HTMLElement>("[style]"))) {
    const align = /^text-align:(left|right|center)$/.exec(node.getAttribute("style") ?? "")?.[1];
    node.removeAttribute("style");
    if (align !== undefined && (node.tagName === "TH" || node.tagName === "TD")) node.classList.add(`align-${align}`);
  }
  for (const pre of Array.from(fragment.querySelectorAll("pre"))) codeOf.set(pre, (pre.querySelector("code")?.textContent ?? pre.textContent ?? "").replace(/\r?\n$/, ""));
  defuseLinks(fragment, strings);
  linkPathsWithLines(fragment);
  markInvisible(fragment);
  return { fragment, formatted: true };
}

function defuseLinks(root: DocumentFragment, strings: RenderStrings): void {
  for (const link of Array.from(root.querySelectorAll("a"))) {
    const href = link.getAttribute(TARGET_ATTR) ?? "";
    link.removeAttribute(TARGET_ATTR);
    link.removeAttribute("href");
    const target = classifyLink(href);
    if (target.kind !== "blocked") {
      makeLink(link, href, describe(target));
      if (isDeceptiveLink(link.textContent ?? "", target)) {
        // The real target, visible before anything opens.
        link.classList.add("deceptive");
        const real = document.createElement("span");
        real.className = "link-real-target";
        real.textContent = ` (${strings.linkLeadsTo} ${escapeInvisible(describe(target))})`;
        link.after(real);
      }
    } else {
      // Shown, never live: the reader sees the text and the refused target; a click says why.
      const span = document.createElement("span");
      span.className = "blocked-link";
      span.dataset.refused = href;
      span.tabIndex = 0;
      span.setAttribute("role", "button");
      span.title = `${strings.linkRefused}: ${escapeInvisible(href)}`;
      span.append(...Array.from(link.childNodes));
      const shown = document.createElement("span");
      shown.className = "link-target";
      shown.textContent = ` (${href})`;
      span.append(shown);
      link.replaceWith(span);
    }
  }
}

function describe(target: Exclude<LinkTarget, { kind: "blocked" }>): string {
  if (target.kind === "external") return target.url;
  return `${target.relativePath}${target.line !== undefined ? `:${target.line}` : ""}${target.column !== undefined ? `:${target.column}` : ""}`;
}

function makeLink(node: HTMLElement, href: string, title: string): void {
  node.dataset.href = href;
  node.title = escapeInvisible(title);
  node.tabIndex = 0;
  node.setAttribute("role", "link");
  node.classList.add("chat-link");
}

/** `app.js:2`, `src/x.ts:10:5`, `./a/b.py:3`: a relative path with a line, not part of a longer word or URL. */
const PATH_WITH_LINE = /(?<![\w@/.:-])((?:\.{1,2}\/)?(?:[\w-][\w.-]*\/)*[\w-][\w.-]*\.[A-Za-z0-9]+):(\d+)(?::(\d+))?(?![\w/])/g;

/** Relative paths with a line, in text and in inline code, become links that open the file at that line. */
function linkPathsWithLines(root: DocumentFragment): void {
  for (const code of Array.from(root.querySelectorAll<HTMLElement>(":not(pre) > code"))) {
    const text = code.textContent ?? "";
    PATH_WITH_LINE.lastIndex = 0;
    const match = PATH_WITH_LINE.exec(text);
    if (match !== null && match[0] === text.trim() && classifyLink(match[0]).kind === "workspace" && code.closest("a, .chat-link, .blocked-link") === null) makeLink(code, match[0], match[0]);
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found: Text[] = [];
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent !== null && parent.closest("pre, code, a, .chat-link, .blocked-link, .image-placeholder") !== null) continue;
    if (/:\d/.test(node.nodeValue ?? "")) found.push(node as Text);
  }
  for (const node of found) {
    const text = node.nodeValue ?? "";
    const pieces: Node[] = [];
    let last = 0;
    for (const match of text.matchAll(PATH_WITH_LINE)) {
      if (classifyLink(match[0]).kind !== "workspace") continue;
      if (match.index > last) pieces.push(document.createTextNode(text.slice(last, match.index)));
      const link = document.createElement("span");
      link.textContent = match[0];
      makeLink(link, match[0], match[0]);
      pieces.push(link);
      last = match.index + match[0].length;
    }
    if (pieces.length === 0) continue;
    if (last < text.length) pieces.push(document.createTextNode(text.slice(last)));
    node.replaceWith(...pieces);
  }
}

/** Replaces each invisible or bidirectional character under `root` with a marked escape, `<U+202E>`. */
export function markInvisible(root: Node): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found: Text[] = [];
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) if (hasInvisible(node.nodeValue ?? "")) found.push(node as Text);
  for (const node of found) node.replaceWith(markedText(node.nodeValue ?? ""));
}

/** Text as DOM with its invisible characters shown as marked escapes. */
export function markedText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const piece of splitInvisible(text)) {
    if ("text" in piece) {
      fragment.append(piece.text);
      continue;
    }
    const mark = document.createElement("span");
    mark.className = piece.bidi ? "invisible-char bidi" : "invisible-char";
    mark.textContent = `<${piece.label}>`;
    mark.title = piece.label;
    fragment.append(mark);
  }
  return fragment;
}
