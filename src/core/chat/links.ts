// Which links from model output the panel may follow. Only two kinds ever open:
// http(s) URLs (through the extension's openExternal, after this check) and files inside
// the workspace (`src/a.ts` or `src/a.ts:12`). Everything else — command:, javascript:,
// data:, file:, vscode:, paths that climb out of the workspace — is refused.
import * as path from "node:path";

export type LinkTarget =
  | { readonly kind: "external"; readonly url: string }
  | { readonly kind: "workspace"; readonly relativePath: string; readonly line?: number }
  | { readonly kind: "blocked"; readonly reason: string };

/** Zero-width and bidi controls can hide a link's real target from the reader. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/;

export function classifyLink(href: string): LinkTarget {
  const trimmed = href.trim();
  // Control characters are exactly what this refuses.
  // eslint-disable-next-line no-control-regex
  if (trimmed === "" || INVISIBLE.test(trimmed) || /[\u0000-\u001F\u007F]/.test(trimmed)) return { kind: "blocked", reason: "hidden or control characters" };
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
    return { kind: "external", url: url.toString() };
  }
  return workspaceTarget(trimmed);
}

function workspaceTarget(ref: string): LinkTarget {
  if (ref.startsWith("//") || ref.startsWith("#") || ref.includes("?")) return { kind: "blocked", reason: "not a workspace file" };
  const match = /^(.*?)(?::(\d+))?(?::\d+)?$/.exec(ref);
  let file = match?.[1] ?? ref;
  const line = match?.[2] !== undefined ? Number(match[2]) : undefined;
  try {
    file = decodeURIComponent(file);
  } catch {
    return { kind: "blocked", reason: "not a valid path" };
  }
  if (file === "" || path.isAbsolute(file) || path.win32.isAbsolute(file)) return { kind: "blocked", reason: "absolute paths are not opened" };
  const normal = path.posix.normalize(file.replace(/\\/g, "/"));
  if (normal === ".." || normal.startsWith("../")) return { kind: "blocked", reason: "outside the workspace" };
  return line !== undefined && line > 0 ? { kind: "workspace", relativePath: normal, line } : { kind: "workspace", relativePath: normal };
}

/** Whether `absolute` lies inside `root` (both absolute, same platform). */
export function isInside(root: string, absolute: string): boolean {
  const relative = path.relative(root, absolute);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
