// ESLint flat config: typescript-eslint's recommended rules on all TypeScript sources, and
// the house rules on imports (docs: "Rules of the house"), so that breaking one fails the build.
import { isBuiltin } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/** The folders of the features: they ask the gateway for a model, never a provider. */
const FEATURES = [
  "src/core/complete/", "src/core/chat/", "src/core/edit/", "src/core/repo/", "src/core/lm/", "src/core/models/", "src/core/hardware/", "src/core/gpu/",
  "src/vscode/chat/", "src/vscode/edit/", "src/vscode/completion/", "src/vscode/repo/", "src/vscode/lm/", "src/vscode/commands/",
];

/**
 * Who may import what. A place ending in "/" is a folder, anything else one file (its
 * extension ignored). Each zone applies to the files under `files`, less `except`; it forbids
 * the npm `packages` (a name ending in "/" is a scope), Node's modules (`builtins`), the
 * repository `places`, or every place not under `onlyInside` (npm packages stay allowed there).
 * `typesAllowedIn`: files there may import the forbidden package's types (`import type`, which
 * leaves nothing at run time). `pending`: written down, not yet enforced, and why.
 * test/unit/packaging/houseRules.test.ts lints a snippet at each zone, so none goes quiet.
 */
export const HOUSE_RULES = [
  {
    name: "vscode only in the adapters",
    files: ["src/core/", "src/server/", "src/shared/", "media/"],
    packages: ["vscode"],
    why: "house rule 1: src/core runs under plain Node, and neither the server, src/shared nor the webview has a VS Code API; put the VS Code side in src/vscode/.",
  },
  {
    name: "one door out",
    files: ["src/", "media/"],
    except: ["src/core/providers/sdkClients.ts"],
    packages: ["openai", "@anthropic-ai/sdk", "ai", "@ai-sdk/"],
    // The providers translate to and from the SDKs' request and stream types.
    typesAllowedIn: ["src/core/providers/"],
    why: "house rule 2: only src/core/providers/sdkClients.ts constructs an SDK client, and every model call goes through the gateway.",
  },
  {
    name: "the model lives in its own process",
    files: ["src/", "media/"],
    except: ["src/server/"],
    packages: ["node-llama-cpp"],
    // Code in core (the speed probe) is handed an engine the server or a benchmark loaded.
    typesAllowedIn: ["src/core/"],
    why: "house rule 3: only the server (src/server/) loads node-llama-cpp; the extension host talks to it over HTTP.",
  },
  {
    name: "features never import providers",
    files: FEATURES,
    places: ["src/core/providers/"],
    why: "a feature asks the gateway (src/core/gateway) for a model; only the gateway and the composition root (src/vscode/gateway/, src/extension.ts) know the providers.",
  },
  {
    name: "the webview imports only itself and src/shared",
    files: ["media/"],
    onlyInside: ["media/", "src/shared/"],
    builtins: true,
    why: "the webview runs in a browser sandbox, bundled on its own: it may import media/, src/shared/ and npm packages, nothing else of src and none of Node's modules.",
  },
  {
    name: "src/shared stands alone",
    files: ["src/shared/"],
    onlyInside: ["src/shared/"],
    builtins: true,
    why: "src/shared is what both the extension and the webview bundle: it imports only itself and npm packages, none of Node's modules.",
  },
  {
    name: "the server never imports the adapters",
    files: ["src/server/"],
    places: ["src/vscode/", "src/extension.ts"],
    why: "the server is its own process with no VS Code; share code through src/core/ or src/shared/.",
  },
  {
    name: "the server never calls a model through the gateway",
    files: ["src/server/"],
    // core/repo's index brings RepoQa, and with it the gateway and the cloud SDKs, into the server's bundle.
    places: ["src/core/gateway/", "src/core/providers/", "src/core/repo/index.ts"],
    why: "the server is the model; it needs the pack's parts (core/repo/repoPack.ts, packBudget.ts, …), never the gateway, the providers or RepoQa.",
  },
  {
    name: "core never imports the adapters or the server",
    files: ["src/core/"],
    places: ["src/vscode/", "src/extension.ts", "src/server/"],
    why: "src/core is the layer the adapters and the server build on; move what both need into src/core/.",
  },
];

const withoutExtension = (file) => file.replace(/\.(d\.ts|ts|mts|cts|js|mjs|cjs)$/, "");

/** Whether a repository path lies in `place` (a folder ending in "/", or one file). */
function inside(repoPath, place) {
  if (place.endsWith("/")) return repoPath.startsWith(place) || repoPath === place.slice(0, -1);
  return withoutExtension(repoPath) === withoutExtension(place);
}

const packageMatches = (specifier, name) => (name.endsWith("/") ? specifier.startsWith(name) : specifier === name || specifier.startsWith(`${name}/`));

/** The path of `absolute` from the repository root with "/" separators; undefined outside it. */
function repoPathOf(absolute) {
  const relative = path.relative(ROOT, absolute);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}

/** Reads what the zones forbid for one import, resolved from the file that imports. */
function brokenZone(zones, file, specifier, typeOnly, filename) {
  const relative = specifier.startsWith(".") || specifier.startsWith("/");
  const target = relative ? repoPathOf(path.resolve(path.dirname(filename), specifier)) ?? specifier : undefined;
  return zones.find((zone) => {
    if (target === undefined) {
      if (zone.builtins && isBuiltin(specifier)) return true;
      if (!(zone.packages ?? []).some((name) => packageMatches(specifier, name))) return false;
      return !(typeOnly && (zone.typesAllowedIn ?? []).some((place) => inside(file, place)));
    }
    if ((zone.places ?? []).some((place) => inside(target, place))) return true;
    if (zone.onlyInside === undefined) return false;
    return !zone.onlyInside.some((place) => inside(target, place));
  });
}

const allTypes = (specifiers, key) => specifiers.length > 0 && specifiers.every((specifier) => specifier[key] === "type");
const literalText = (node) => (node?.type === "Literal" && typeof node.value === "string" ? node.value : node?.type === "TemplateLiteral" && node.expressions.length === 0 ? node.quasis[0].value.cooked : undefined);

/** Every way a TypeScript file names another module: import/export from, import(), require(), import x = require(), import("x").T. */
const houseImports = {
  meta: {
    type: "problem",
    docs: { description: "The house rules on who may import what (HOUSE_RULES in eslint.config.mjs)." },
    schema: [{ type: "object", properties: { zones: { type: "array", items: { type: "object" } } }, additionalProperties: false }],
    messages: { broken: '{{file}} imports "{{specifier}}" ({{name}}): {{why}}' },
  },
  create(context) {
    const file = repoPathOf(context.filename);
    if (file === undefined) return {};
    const zones = (context.options[0]?.zones ?? []).filter((zone) => zone.pending === undefined && zone.files.some((place) => inside(file, place)) && !(zone.except ?? []).some((place) => inside(file, place)));
    if (zones.length === 0) return {};
    const check = (node, typeOnly) => {
      const specifier = literalText(node);
      if (specifier === undefined) return;
      const zone = brokenZone(zones, file, specifier, typeOnly, context.filename);
      if (zone !== undefined) context.report({ node, messageId: "broken", data: { file, specifier, name: zone.name, why: zone.why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.importKind === "type" || allTypes(node.specifiers, "importKind")),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.exportKind === "type" || allTypes(node.specifiers, "exportKind")),
      ExportAllDeclaration: (node) => check(node.source, node.exportKind === "type"),
      ImportExpression: (node) => check(node.source, false),
      CallExpression: (node) => node.callee.type === "Identifier" && node.callee.name === "require" && check(node.arguments[0], false),
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === "TSExternalModuleReference" && check(node.moduleReference.expression, node.importKind === "type"),
      TSImportType: (node) => check(node.source ?? node.argument?.literal, true),
    };
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".vscode-test/**", "test-results/**", "*.vsix", ".cache/**", "test/unit/**/cases/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts"],
    plugins: { hearth: { rules: { "house-imports": houseImports } } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "off",
      "hearth/house-imports": ["error", { zones: HOUSE_RULES }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/server/main.ts"],
    rules: { "no-console": "error" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
