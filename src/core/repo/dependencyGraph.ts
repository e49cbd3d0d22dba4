// How many files depend on each file, read cheaply: one regular expression per language
// over import lines, resolved against the repo's own paths. It does not need to be a
// compiler: it only has to find the files most of the repo leans on (types, utilities,
// the core module), which form the stable core of a pack that does not fit whole.
import { Pacer } from "../pacer";
import { joinRelative } from "../../shared/relativePath";

interface SourceFile {
  readonly path: string;
  readonly content: string;
}

const JS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|vue|svelte)$/;
const PY = /\.pyi?$/;
const GO = /\.go$/;
const RS = /\.rs$/;
const JVM = /\.(java|kt|kts|scala|groovy)$/;
const C = /\.(c|h|cc|cpp|cxx|hpp|hh|hxx|m|mm)$/;
const RB = /\.rb$/;

const JS_IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
const PY_IMPORT = /^[ \t]*from[ \t]+([.\w]+)[ \t]+import\b|^[ \t]*import[ \t]+([\w.]+)/gm;
const GO_IMPORT = /^[ \t]*(?:import[ \t]+)?(?:[\w.]+[ \t]+)?"([^"\s]+)"[ \t]*$/gm;
const RS_USE = /^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?use[ \t]+((?:crate|super|self)(?:::\w+)+|\w+(?:::\w+)+)/gm;
const RS_MOD = /^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+(\w+)[ \t]*;/gm;
const JVM_IMPORT = /^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)/gm;
const C_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;
const RB_REQUIRE = /^[ \t]*require(?:_relative)?[ \t(]+['"]([^'"]+)['"]/gm;

const JS_EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.tsx", "/index.js", "/index.mjs"];

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function withoutExtension(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash + 1 ? path.slice(0, dot) : path;
}


class PathIndex {
  private readonly exact = new Set<string>();
  /** Every trailing run of path segments (extension dropped) → files. */
  private readonly suffixes = new Map<string, string[]>();
  /** Every trailing run of folder segments → files directly in that folder. */
  private readonly folders = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    for (const path of paths) {
      this.exact.add(path);
      const segments = withoutExtension(path).split("/");
      for (let i = 0; i < segments.length; i++) push(this.suffixes, segments.slice(i).join("/"), path);
      const folder = dirOf(path).split("/");
      if (folder[0] !== "") for (let i = 0; i < folder.length; i++) push(this.folders, folder.slice(i).join("/"), path);
    }
  }

  has(path: string): boolean {
    return this.exact.has(path);
  }

  /** Files whose extension-less path ends with `key` (a unique answer only, to stay cheap and honest). */
  bySuffix(key: string): string[] {
    const hits = this.suffixes.get(key) ?? [];
    return hits.length <= 3 ? hits : [];
  }

  byFolder(key: string): string[] {
    return this.folders.get(key) ?? [];
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function matches(pattern: RegExp, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(pattern)) {
    const spec = m.slice(1).find((g) => g !== undefined);
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

/** Tries a dotted or `::` module path from its longest form down to its first segment. */
function byModulePath(index: PathIndex, segments: readonly string[]): string[] {
  for (let n = segments.length; n > 0; n--) {
    const key = segments.slice(0, n).join("/");
    const hits = [...index.bySuffix(key), ...index.bySuffix(`${key}/__init__`), ...index.bySuffix(`${key}/mod`)];
    if (hits.length > 0) return hits;
  }
  return [];
}

function resolveImports(file: SourceFile, index: PathIndex): string[] {
  const { path, content } = file;
  const dir = dirOf(path);
  const out: string[] = [];
  if (JS.test(path)) {
    for (const spec of matches(JS_IMPORT, content)) {
      if (spec.startsWith(".")) {
        const joined = joinRelative(dir, spec);
        if (joined === undefined) continue;
        // `./x.js` in TypeScript sources means `./x.ts`.
        const stems = [joined, joined.replace(/\.(m|c)?js$/, "")];
        const hit = stems.flatMap((stem) => JS_EXTENSIONS.map((ext) => stem + ext)).find((candidate) => index.has(candidate));
        if (hit !== undefined) out.push(hit);
      } else if (spec.includes("/")) {
        // Path aliases such as `@/lib/x` or `src/x`: match the tail against the repo's own files.
        out.push(...index.bySuffix(withoutExtension(spec.replace(/^[@~]\//, ""))));
      }
    }
  } else if (PY.test(path)) {
    for (const spec of matches(PY_IMPORT, content)) {
      const dots = /^\.+/.exec(spec)?.[0].length ?? 0;
      const rest = spec.slice(dots).split(".").filter((s) => s !== "");
      if (dots > 0) {
        let base = dir;
        for (let i = 1; i < dots; i++) base = dirOf(base);
        const target = [base, ...rest].filter((s) => s !== "").join("/");
        const hit = [`${target}.py`, `${target}/__init__.py`].find((candidate) => index.has(candidate));
        if (hit !== undefined) out.push(hit);
      } else out.push(...byModulePath(index, rest));
    }
  } else if (GO.test(path)) {
    for (const spec of matches(GO_IMPORT, content)) if (spec.includes("/")) out.push(...index.byFolder(spec.split("/").slice(-2).join("/")));
  } else if (RS.test(path)) {
    for (const spec of matches(RS_USE, content)) out.push(...byModulePath(index, spec.split("::").filter((s) => !["crate", "super", "self"].includes(s))));
    for (const name of matches(RS_MOD, content)) {
      const hit = [joinRelative(dir, `${name}.rs`), joinRelative(dir, `${name}/mod.rs`)].find((candidate) => candidate !== undefined && index.has(candidate));
      if (hit !== undefined) out.push(hit);
    }
  } else if (JVM.test(path)) {
    for (const spec of matches(JVM_IMPORT, content)) out.push(...byModulePath(index, spec.split(".")));
  } else if (C.test(path)) {
    for (const spec of matches(C_INCLUDE, content)) {
      const local = joinRelative(dir, spec);
      if (local !== undefined && index.has(local)) out.push(local);
      else out.push(...index.bySuffix(withoutExtension(spec)).filter((p) => p.endsWith(spec)));
    }
  } else if (RB.test(path)) {
    for (const spec of matches(RB_REQUIRE, content)) {
      const local = joinRelative(dir, spec.endsWith(".rb") ? spec : `${spec}.rb`);
      if (local !== undefined && index.has(local)) out.push(local);
      else out.push(...index.bySuffix(withoutExtension(spec)));
    }
  }
  return out.filter((target) => target !== path);
}

/**
 * For each file, how many other files import it (files nobody imports are absent). Reading
 * the imports of thousands of files is a few hundred milliseconds of regular expressions, so
 * it gives way to other work (a server's /health) whenever the pacer says so.
 */
export async function dependentCounts(files: readonly SourceFile[], signal?: AbortSignal): Promise<Map<string, number>> {
  const index = new PathIndex(files.map((f) => f.path));
  const counts = new Map<string, number>();
  const pacer = new Pacer();
  for (const file of files) {
    for (const target of new Set(resolveImports(file, index))) counts.set(target, (counts.get(target) ?? 0) + 1);
    if (pacer.due) {
      await pacer.breathe();
      signal?.throwIfAborted();
    }
  }
  return counts;
}
