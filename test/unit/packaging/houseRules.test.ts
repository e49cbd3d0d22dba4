// The house rules on imports are enforced by ESLint (HOUSE_RULES in eslint.config.mjs). A rule
// that stops firing (a moved folder, a typo in a path, a new way to import) would let the
// layering rot without a sound, so each one is made to fire here on a snippet placed in the
// folder it guards, next to an import it allows. Runs the repository's real config.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ESLint } from "eslint";

const ROOT = join(__dirname, "..", "..", "..");
const RULE_ID = "hearth/house-imports";

interface Zone {
  name: string;
  pending?: string;
}

interface Case {
  /** Where the snippet pretends to live (the file need not exist). */
  at: string;
  code: string;
  /** The zone that must fire; undefined: the import is allowed. */
  breaks?: string;
}

const VSCODE = "vscode only in the adapters";
const ONE_DOOR = "one door out";
const OWN_PROCESS = "the model lives in its own process";
const NO_PROVIDERS = "features never import providers";
const WEBVIEW = "the webview imports only itself and src/shared";
const SHARED = "src/shared stands alone";
const SERVER = "the server never imports the adapters";
const CORE = "core never imports the adapters or the server";
const SERVER_MODEL = "the server never calls a model through the gateway";

const CASES: Case[] = [
  { at: "src/core/chat/probe.ts", code: 'import * as vscode from "vscode";\nexport const v = vscode;', breaks: VSCODE },
  { at: "src/core/probe.ts", code: 'import type * as vscode from "vscode";\nexport type U = vscode.Uri;', breaks: VSCODE },
  { at: "src/server/probe.ts", code: 'export { window } from "vscode";', breaks: VSCODE },
  { at: "src/shared/probe.ts", code: 'export type Uri = import("vscode").Uri;', breaks: VSCODE },
  { at: "media/chat/probe.ts", code: 'export const load = () => import("vscode");', breaks: VSCODE },
  { at: "src/vscode/chat/probe.ts", code: 'import * as vscode from "vscode";\nexport const v = vscode;' },
  { at: "src/extension.ts", code: 'import * as vscode from "vscode";\nexport const v = vscode;' },

  { at: "src/core/gateway/probe.ts", code: 'import OpenAI from "openai";\nexport const c = new OpenAI();', breaks: ONE_DOOR },
  { at: "src/core/gateway/probe.ts", code: 'import type OpenAI from "openai";\nexport type C = OpenAI;', breaks: ONE_DOOR },
  { at: "src/vscode/chat/probe.ts", code: 'import Anthropic from "@anthropic-ai/sdk";\nexport const c = new Anthropic();', breaks: ONE_DOOR },
  { at: "src/core/providers/probe.ts", code: 'import OpenAI from "openai";\nexport const c = new OpenAI();', breaks: ONE_DOOR },
  { at: "media/chat/probe.ts", code: 'export const load = () => import("@ai-sdk/openai-compatible");', breaks: ONE_DOOR },
  { at: "src/core/providers/probe.ts", code: 'import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";\nexport type M = MessageParam;' },
  { at: "src/core/providers/sdkClients.ts", code: 'import OpenAI from "openai";\nexport const c = new OpenAI();' },

  { at: "src/vscode/probe.ts", code: 'import { getLlama } from "node-llama-cpp";\nexport const g = getLlama;', breaks: OWN_PROCESS },
  { at: "src/core/hardware/probe.ts", code: 'export const load = () => import("node-llama-cpp");', breaks: OWN_PROCESS },
  { at: "src/extension.ts", code: '// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const nlc: unknown = require("node-llama-cpp");', breaks: OWN_PROCESS },
  { at: "src/vscode/probe.ts", code: 'import type { Llama } from "node-llama-cpp";\nexport type L = Llama;', breaks: OWN_PROCESS },
  { at: "src/core/hardware/probe.ts", code: 'import type { Llama } from "node-llama-cpp";\nexport type L = Llama;' },
  { at: "src/server/probe.ts", code: 'export const load = () => import("node-llama-cpp");' },

  { at: "src/vscode/edit/probe.ts", code: 'import { isProviderError } from "../../core/providers";\nexport const p = isProviderError;', breaks: NO_PROVIDERS },
  { at: "src/core/complete/probe.ts", code: 'import type { ProviderError } from "../providers/providerError";\nexport type E = ProviderError;', breaks: NO_PROVIDERS },
  { at: "src/core/chat/deeper/probe.ts", code: 'export * from "../../providers";', breaks: NO_PROVIDERS },
  { at: "src/vscode/gateway/probe.ts", code: 'import { SECRET_KEYS } from "../../core/providers";\nexport const k = SECRET_KEYS;' },
  { at: "src/core/gateway/probe.ts", code: 'import { SECRET_KEYS } from "../providers";\nexport const k = SECRET_KEYS;' },
  { at: "src/extension.ts", code: 'import { SECRET_KEYS } from "./core/providers";\nexport const k = SECRET_KEYS;' },

  { at: "media/chat/probe.ts", code: 'import { parseToHost } from "../../src/core/chat";\nexport const p = parseToHost;', breaks: WEBVIEW },
  { at: "media/probe.ts", code: 'import type { Logger } from "../src/core/logger";\nexport type L = Logger;', breaks: WEBVIEW },
  { at: "media/chat/probe.ts", code: 'import { join } from "node:path";\nexport const j = join;', breaks: WEBVIEW },
  { at: "media/chat/probe.ts", code: 'import type { Chat } from "../../src/shared/chatProtocol";\nimport { WEBVIEW_STRING_KEYS } from "../../src/shared/webviewStringKeys";\nexport type C = Chat;\nexport const k = WEBVIEW_STRING_KEYS;' },
  // Named in the zone until they move to src/shared (see eslint.config.mjs).
  { at: "media/chat/probe.ts", code: 'import { classifyLink } from "../../src/shared/linkTarget";\nexport const c = classifyLink;' },
  { at: "media/chat/probe.ts", code: 'import { isDeceptiveLink } from "../../src/core/chat/links";\nexport const c = isDeceptiveLink;', breaks: WEBVIEW },
  { at: "media/chat/probe.ts", code: 'import MarkdownIt from "markdown-it";\nimport { parseToWebview } from "./guard";\nexport const m = [MarkdownIt, parseToWebview];' },

  { at: "src/shared/probe.ts", code: 'import type { Logger } from "../core/logger";\nexport type L = Logger;', breaks: SHARED },
  { at: "src/shared/probe.ts", code: 'import * as path from "path";\nexport const p = path;', breaks: SHARED },
  { at: "src/shared/probe.ts", code: 'import { z } from "zod";\nimport { WEBVIEW_STRINGS_EN } from "./webviewStringKeys";\nexport const s = [z, WEBVIEW_STRINGS_EN];' },

  { at: "src/server/probe.ts", code: 'import { readSettings } from "../vscode/config";\nexport const r = readSettings;', breaks: SERVER },
  { at: "src/server/probe.ts", code: 'export * from "../extension";', breaks: SERVER },
  { at: "src/server/probe.ts", code: 'import { Gateway } from "../core/gateway/index.js";\nexport const g = Gateway;', breaks: SERVER_MODEL },
  { at: "src/server/probe.ts", code: 'import { TokenCounter } from "../core/repo/index.js";\nexport const t = TokenCounter;', breaks: SERVER_MODEL },
  { at: "src/server/probe.ts", code: 'import { TokenCounter } from "../core/repo/tokenCounter.js";\nexport const t = TokenCounter;' },
  { at: "src/server/probe.ts", code: 'import { Pacer } from "../core/pacer";\nexport const p = Pacer;' },

  { at: "src/core/chat/probe.ts", code: 'import { readSettings } from "../../vscode/config";\nexport const r = readSettings;', breaks: CORE },
  { at: "src/core/hardware/probe.ts", code: 'import type { Engine } from "../../server/engine";\nexport type E = Engine;', breaks: CORE },
  // The import names a folder "server" too, but it resolves to src/core/server, not src/server.
  { at: "src/core/chat/probe.ts", code: 'import type { Supervisor } from "../server";\nexport type S = Supervisor;' },
  { at: "src/core/chat/probe.ts", code: 'import type { Chat } from "../../shared/chatProtocol";\nexport type C = Chat;' },
];

/** The zones of the house rule as the real config sets them for `at`. */
async function zonesAt(eslint: ESLint, at: string): Promise<Zone[]> {
  const config = (await eslint.calculateConfigForFile(join(ROOT, at))) as { rules?: Record<string, unknown> };
  const setting = config.rules?.[RULE_ID];
  assert.ok(Array.isArray(setting), `${RULE_ID} is not configured for ${at}`);
  assert.ok([2, "error"].includes(setting[0] as number | string), `${RULE_ID} is not an error for ${at}`);
  return (setting[1] as { zones: Zone[] }).zones;
}

/** The names of the zones that fire on `code` at `at` (one per message). */
async function firing(eslint: ESLint, { at, code }: Case): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, at) });
  const fatal = result.messages.filter((message) => message.fatal);
  assert.deepEqual(fatal, [], `the snippet at ${at} does not parse`);
  return result.messages.filter((message) => message.ruleId === RULE_ID).map((message) => /\(([^)]+)\):/.exec(message.message)?.[1] ?? message.message);
}

describe("house rules on imports (eslint.config.mjs)", function () {
  // Loading the config pulls in typescript-eslint, a couple of seconds on a busy machine.
  this.timeout(120_000);
  let eslint: ESLint;
  /** The same config with every pending zone enforced, to check those zones work before they are switched on. */
  let eslintAllZones: ESLint;
  let zones: Zone[];

  before(async () => {
    eslint = new ESLint({ cwd: ROOT });
    zones = await zonesAt(eslint, "src/core/probe.ts");
    const enforced = zones.map((zone) => ({ ...zone, pending: undefined }));
    eslintAllZones = new ESLint({ cwd: ROOT, overrideConfig: { files: ["**/*.ts"], rules: { [RULE_ID]: ["error", { zones: enforced }] } } });
  });

  it("every zone of the config has a snippet here that breaks it", () => {
    const tested = new Set(CASES.map((c) => c.breaks).filter((name) => name !== undefined));
    assert.deepEqual([...tested].sort(), zones.map((zone) => zone.name).sort());
  });

  for (const c of CASES) {
    const firstImport = c.code.split("\n").find((line) => !line.startsWith("//"));
    const title = c.breaks ? `${c.at}: ${firstImport} breaks "${c.breaks}"` : `${c.at}: ${firstImport} is allowed`;
    it(title, async () => {
      const pending = zones.find((zone) => zone.name === c.breaks)?.pending;
      if (c.breaks !== undefined && pending !== undefined) {
        // Written down but not enforced yet: silent in the real config, firing once switched on.
        assert.deepEqual(await firing(eslint, c), []);
        assert.deepEqual(await firing(eslintAllZones, c), [c.breaks]);
        return;
      }
      assert.deepEqual(await firing(eslint, c), c.breaks ? [c.breaks] : []);
      if (!c.breaks) assert.deepEqual(await firing(eslintAllZones, c), [], "allowed even with the pending zones enforced");
    });
  }
});
