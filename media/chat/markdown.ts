// Model output to safe DOM. markdown-it with raw HTML off (tags in the answer show as
// text), DOMPurify over its output with an allow-list of tags and attributes, then links
// are defused: no element keeps an href, so nothing navigates; http(s) and workspace
// links keep their target in data-href for the panel's click handler, which hands it to
// the extension to check and open. Other schemes (command:, javascript:, data:, file:…)
// become plain text.
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

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["js", "jsx", "mjs", "cjs"], { languageName: "javascript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["sh", "zsh", "console"], { languageName: "bash" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["yml"], { languageName: "yaml" });

const md: InstanceType<typeof MarkdownIt> = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight(code, language): string {
    const lang = language.trim().toLowerCase();
    if (lang !== "" && hljs.getLanguage(lang) !== undefined) {
      try {
        return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
      } catch {
        // fall through to plain, escaped text
      }
    }
    return md.utils.escapeHtml(code);
  },
});
// markdown-it's own check lets command: and other schemes through; the panel decides later, so keep them as text targets.
md.validateLink = () => true;

const ALLOWED_TAGS = ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span"];
const ALLOWED_ATTR = ["href", "class", "start"];

/** A target the panel may offer to open (the extension checks it again): http(s), or a relative path. */
export function isOpenableHref(href: string): boolean {
  const value = href.trim();
  // Control characters are exactly what this refuses.
  // eslint-disable-next-line no-control-regex
  if (value === "" || /[\u0000-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/.test(value)) return false;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined) return scheme === "http" || scheme === "https";
  return !value.startsWith("/") && !value.startsWith("\\") && !value.startsWith("#");
}

export interface RenderedMarkdown {
  readonly fragment: DocumentFragment;
  /** False when the text could not be parsed (e.g. nesting too deep) and is shown as plain text. */
  readonly formatted: boolean;
}

export function renderMarkdown(text: string): RenderedMarkdown {
  let html: string;
  try {
    html = md.render(text);
  } catch {
    const fragment = document.createDocumentFragment();
    const pre = document.createElement("pre");
    pre.className = "plain";
    pre.textContent = text;
    fragment.append(pre);
    return { fragment, formatted: false };
  }
  const fragment = DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false, RETURN_DOM_FRAGMENT: true });
  defuseLinks(fragment);
  return { fragment, formatted: true };
}

function defuseLinks(root: DocumentFragment): void {
  for (const link of Array.from(root.querySelectorAll("a"))) {
    const href = link.getAttribute("href") ?? "";
    link.removeAttribute("href");
    if (isOpenableHref(href)) {
      link.dataset.href = href;
      link.title = href;
      link.tabIndex = 0;
      link.setAttribute("role", "link");
      link.classList.add("chat-link");
    } else {
      // Shown, never live: the reader sees the text and the refused target.
      const span = document.createElement("span");
      span.className = "blocked-link";
      span.textContent = link.textContent;
      span.title = href;
      link.replaceWith(span);
    }
  }
}
