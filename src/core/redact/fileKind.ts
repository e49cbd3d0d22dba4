// Whether an unquoted value after `name =` / `name:` is a literal. In a .env, YAML,
// .properties or shell file it is (`DB_PASSWORD=hunter2`); in program code it is an
// expression (`password: userInput,`, HCL's `password = var.db`) and only quoted strings are literals.

/**
 * config: an unquoted value is a literal that runs to the end of the line (YAML, .env, .properties).
 * shell: an unquoted value is a literal word (scripts, Dockerfiles, Makefiles).
 * code: only quoted strings are literals. unknown: a value alone on its line is.
 */
export type FileKind = "config" | "shell" | "code" | "unknown";

const CONFIG_EXTENSIONS = new Set(["env", "properties", "ini", "cfg", "conf", "config", "toml", "yaml", "yml", "npmrc", "pypirc", "netrc", "htpasswd", "service", "desktop", "editorconfig", "gitconfig"]);

const SHELL_EXTENSIONS = new Set(["sh", "bash", "zsh", "fish", "ksh", "ps1", "psm1", "bat", "cmd", "mk"]);

const CODE_EXTENSIONS = new Set([
  "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "py", "pyi", "go", "java", "kt", "kts", "scala", "groovy", "gradle", "cs", "fs", "vb",
  "rb", "php", "rs", "swift", "m", "mm", "c", "h", "cc", "cpp", "hpp", "cxx", "dart", "lua", "pl", "r", "jl", "ex", "exs", "erl", "clj", "vue", "svelte", "sql", "json", "jsonc", "json5", "tf", "tfvars", "hcl", "nix", "bicep",
]);

const CONFIG_BASENAMES = /^(?:\.env(?:\..*)?|.*\.env|procfile|\.npmrc|\.pypirc|\.netrc|\.pgpass|\.htpasswd|credentials|config)$/i;

const SHELL_BASENAMES = /^(?:dockerfile(?:\..*)?|.*\.dockerfile|containerfile|makefile|gnumakefile|\.bashrc|\.zshrc|\.profile|\.bash_profile|\.envrc)$/i;

export function fileKindOf(fileName: string | undefined): FileKind {
  if (fileName === undefined || fileName === "") return "unknown";
  const base = fileName.replace(/\\/g, "/").split("/").pop() ?? "";
  if (SHELL_BASENAMES.test(base)) return "shell";
  if (CONFIG_BASENAMES.test(base)) return "config";
  const dot = base.lastIndexOf(".");
  const extension = dot >= 0 ? base.slice(dot + 1).toLowerCase() : "";
  if (SHELL_EXTENSIONS.has(extension)) return "shell";
  if (CONFIG_EXTENSIONS.has(extension)) return "config";
  if (CODE_EXTENSIONS.has(extension)) return "code";
  return "unknown";
}
