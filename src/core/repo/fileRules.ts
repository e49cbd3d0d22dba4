// Which files never belong in a repo pack, whatever .gitignore says: they cost tokens and
// teach the model nothing about the code a person wrote (lock files, minified bundles,
// source maps, vendored and generated trees, binaries). Kept as data so the rules read as
// a list and the enumerator stays about walking.

/** Directory names skipped wherever they appear: dependencies, build output, tool caches, VCS. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "bower_components",
  "jspm_packages",
  "vendor",
  "third_party",
  "third-party",
  "dist",
  "build",
  "out",
  "target",
  "coverage",
  ".next",
  ".nuxt",
  ".svelte-kit",
  ".turbo",
  ".parcel-cache",
  ".cache",
  ".gradle",
  ".idea",
  ".vscode-test",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".tox",
  ".venv",
  "venv",
  "Pods",
  "DerivedData",
]);

/** Lock files by exact name: long, machine-written, and they change with every dependency bump. */
export const LOCK_FILES: ReadonlySet<string> = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "Cargo.lock",
  "Gemfile.lock",
  "composer.lock",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "pdm.lock",
  "go.sum",
  "mix.lock",
  "flake.lock",
  "Package.resolved",
  "packages.lock.json",
  "gradle.lockfile",
  "pubspec.lock",
]);

/** Generated or minified files by name shape. */
const GENERATED_NAME = /(\.min\.(js|mjs|cjs|css)|\.map|\.bundle\.js|\.chunk\.js|-lock\.(json|yaml)|\.lock|_pb2\.pyi?|_pb2_grpc\.py|\.pb\.go|\.pb\.(cc|h)|\.g\.dart|\.freezed\.dart|\.designer\.cs|\.generated\.\w+|\.snap)$/i;

/** Extensions that are binary or media; skipped without reading (the NUL test would catch most anyway). */
const BINARY_EXTENSION =
  /\.(png|jpe?g|gif|bmp|ico|icns|webp|avif|tiff?|psd|mp[34]|m4a|wav|ogg|flac|webm|mov|avi|mkv|pdf|zip|gz|tgz|bz2|xz|7z|rar|zst|jar|war|class|dll|exe|so|dylib|a|o|obj|lib|bin|dat|wasm|gguf|safetensors|onnx|pt|pth|ckpt|npy|npz|pkl|parquet|sqlite3?|db|woff2?|ttf|otf|eot|vsix)$/i;

export type RuleSkip = "lockFile" | "generated" | "binary";

/** Why a file is skipped by name alone, or undefined when its name is fine. */
export function skipByName(name: string): RuleSkip | undefined {
  if (LOCK_FILES.has(name)) return "lockFile";
  if (BINARY_EXTENSION.test(name)) return "binary";
  if (GENERATED_NAME.test(name)) return "generated";
  return undefined;
}

/** How many leading bytes are inspected for a NUL byte (git's own heuristic uses the first 8000). */
export const BINARY_SNIFF_BYTES = 8192;

export function looksBinary(head: Uint8Array): boolean {
  const end = Math.min(head.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (head[i] === 0) return true;
  return false;
}

/** A file whose lines are this long on average is minified or data, whatever its name. */
const MINIFIED_AVERAGE_LINE = 400;

export function looksMinified(text: string): boolean {
  if (text.length < 4096) return false;
  const lines = text.split("\n").length;
  return text.length / lines > MINIFIED_AVERAGE_LINE;
}
