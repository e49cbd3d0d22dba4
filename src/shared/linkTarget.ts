// Which links from model output the panel may follow, and how they read. Only two kinds
// ever open: http(s) URLs (after Hearth's own confirmation naming the full target, loopback
// included) and files inside the workspace (`src/a.ts`, `app.js:2`, `src/a.ts:10:5`).
// Everything else — command:, javascript:, data:, file:, vscode:, paths that climb out of
// the workspace — is refused. Pure and free of Node's modules: the webview bundles it too.
import { isLoopbackHost } from "./loopback";
import { joinRelative } from "./relativePath";
import { trimEndWhile } from "./trimEnd";
import { hasInvisible, stripInvisible } from "./invisible";

export { isLoopbackHost };

export type LinkTarget =
  | { readonly kind: "external"; readonly url: string; readonly host: string; readonly loopback: boolean }
  | { readonly kind: "workspace"; readonly relativePath: string; readonly line?: number; readonly column?: number }
  | { readonly kind: "blocked"; readonly reason: string };

/** `file.ext:12` or `dir/file:12:5`: a path (a dot or a slash in it) with a line. */
const PATH_WITH_LINE = /^([^:?#]*[./][^:?#]*):(\d+)(?::(\d+))?$/;

export function classifyLink(href: string): LinkTarget {
  const trimmed = href.trim();
  if (trimmed === "" || hasInvisible(trimmed) || hasControl(trimmed)) return { kind: "blocked", reason: "hidden or control characters" };
  // `app.js:2` reads as a scheme ("app.js:") to a URL parser; a path followed only by a line number is a workspace file.
  const withLine = PATH_WITH_LINE.exec(trimmed);
  if (withLine !== null && !/^[a-zA-Z]$/.test(withLine[1])) return workspaceTarget(withLine[1], withLine[2], withLine[3]);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed)?.[1]?.toLowerCase();
  // A Windows drive letter (C:\...) is an absolute path, not a scheme; absolute paths are refused below.
  if (scheme !== undefined && !(scheme.length === 1 && /^[a-zA-Z]:[\\/]/.test(trimmed))) {
    if (scheme !== "http" && scheme !== "https") return { kind: "blocked", reason: `${scheme}: links are not opened` };
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return { kind: "blocked", reason: "not a valid URL" };
    }
    if (url.username !== "" || url.password !== "") return { kind: "blocked", reason: "URL carries credentials" };
    return { kind: "external", url: url.toString(), host: url.host, loopback: isLoopbackHost(url.hostname) };
  }
  const split = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(trimmed);
  return workspaceTarget(split?.[1] ?? trimmed, split?.[2], split?.[3]);
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function workspaceTarget(ref: string, lineText: string | undefined, columnText: string | undefined): LinkTarget {
  if (ref.startsWith("//") || ref.startsWith("#") || ref.includes("?")) return { kind: "blocked", reason: "not a workspace file" };
  let file: string;
  try {
    file = decodeURIComponent(ref);
  } catch {
    return { kind: "blocked", reason: "not a valid path" };
  }
  if (file === "" || file.startsWith("/") || file.startsWith("\\") || /^[a-zA-Z]:/.test(file)) return { kind: "blocked", reason: "absolute paths are not opened" };
  const normal = joinRelative("", file.replace(/\\/g, "/"));
  if (normal === undefined) return { kind: "blocked", reason: "outside the workspace" };
  if (normal === "") return { kind: "blocked", reason: "not a workspace file" };
  const line = lineText !== undefined ? Number(lineText) : undefined;
  const column = columnText !== undefined ? Number(columnText) : undefined;
  if (line === undefined || line < 1) return { kind: "workspace", relativePath: normal };
  return column !== undefined && column > 0 ? { kind: "workspace", relativePath: normal, line, column } : { kind: "workspace", relativePath: normal, line };
}



/** Endings of a bare name ("paypal.com") that read as a web host rather than a file name ("app.js", "README.md"). */
const HOST_ENDINGS = new Set(["com", "org", "net", "io", "dev", "app", "ai", "co", "gov", "edu", "info", "xyz", "me", "cloud", "site", "online", "tech", "uk", "de", "jp", "fr", "ru", "cn", "us", "ca", "au", "nl", "eu", "in", "br", "ch", "se", "biz", "page", "link"]);

/** The host a link's visible text names, when the text reads like a URL or a web host; otherwise undefined. */
export function hostNamedBy(text: string): string | undefined {
  const visible = trimEndWhile(stripInvisible(text).trim(), (char) => ".,;:!?)]".includes(char));
  if (visible === "" || /\s/.test(visible)) return undefined;
  const withScheme = /^https?:\/\//i.test(visible);
  const bare = /^(?:[a-z0-9-]+\.)+([a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$/i.exec(visible);
  if (!withScheme && !(bare !== null && (visible.toLowerCase().startsWith("www.") || HOST_ENDINGS.has(bare[1].toLowerCase())))) return undefined;
  try {
    return normalHost(new URL(withScheme ? visible : `https://${visible}`).hostname);
  } catch {
    return undefined;
  }
}

const normalHost = (host: string): string => host.toLowerCase().replace(/^www\./, "");

/**
 * Whether a link's visible text names a URL or host other than where it leads (the reader
 * would be misled): `[paypal.com](https://evil.example)`, `[https://a.com](https://b.com)`,
 * or text that names a web address for a workspace file.
 */
export function isDeceptiveLink(text: string, target: LinkTarget): boolean {
  const named = hostNamedBy(text);
  if (named === undefined) return false;
  if (target.kind !== "external") return true;
  let actual: string;
  try {
    actual = normalHost(new URL(target.url).hostname);
  } catch {
    return true;
  }
  return named !== actual;
}
