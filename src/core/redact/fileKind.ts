// Whether an unquoted value after `name =` / `name:` is a literal. In a .env, YAML,
// .properties or shell file it is (`DB_PASSWORD=hunter2`); in program code it is an
// expression (`password: userInput,`) and only quoted strings are literals.

/** config: unquoted values are literals. code: only quoted strings are. unknown: a value alone on its line is. */
export type FileKind = "config" | "code" | "unknown";

const CONFIG_EXTENSIONS = new Set(["env", "properties", "ini", "cfg", "conf", "config", "toml", "yaml", "yml", "sh", "bash", "zsh", "fish", "ps1", "bat", "cmd", "npmrc", "pypirc", "netrc", "htpasswd", "tfvars", "hcl", "service", "desktop", "editorconfig", "gitconfig"]);

const CODE_EXTENSIONS = new Set([
  "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "py", "pyi", "go", "java", "kt", "kts", "scala", "groovy", "gradle", "cs", "fs", "vb",
  "rb", "php", "rs", "swift", "m", "mm", "c", "h", "cc", "cpp", "hpp", "cxx", "dart", "lua", "pl", "r", "jl", "ex", "exs", "erl", "clj", "vue", "svelte", "sql", "json", "jsonc", "json5",
]);

const CONFIG_BASENAMES = /^(?:\.env(?:\..*)?|.*\.env|dockerfile(?:\..*)?|containerfile|makefile|procfile|\.npmrc|\.pypirc|\.netrc|\.pgpass|\.htpasswd|\.bashrc|\.zshrc|\.profile|\.bash_profile|credentials|config)$/i;

export function fileKindOf(fileName: string | undefined): FileKind {
  if (fileName === undefined || fileName === "") return "unknown";
  const base = fileName.replace(/\\/g, "/").split("/").pop() ?? "";
  if (CONFIG_BASENAMES.test(base)) return "config";
  const dot = base.lastIndexOf(".");
  const extension = dot >= 0 ? base.slice(dot + 1).toLowerCase() : "";
  if (CONFIG_EXTENSIONS.has(extension)) return "config";
  if (CODE_EXTENSIONS.has(extension)) return "code";
  return "unknown";
}
