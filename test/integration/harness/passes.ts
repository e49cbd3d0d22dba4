// The passes a run makes (each a fresh server, user-data dir and workspace copy) and
// the user settings each one starts with.
import type { PassName } from "./protocol";

export interface Pass {
  name: PassName;
  /** Shown in the runner's output. */
  description: string;
  /** Written to <user-data-dir>/User/settings.json before the server starts. */
  settings: Record<string, unknown>;
  /** Opens two copies of the fixture as a multi-root workspace instead of one folder. */
  multiRoot?: boolean;
  /** Runs only the tests whose full title matches this (host and browser alike). */
  only?: string;
}

/** Quiet, deterministic workbench: no telemetry, no auto-save into the fixture, no welcome page. */
const WORKBENCH_SETTINGS: Record<string, unknown> = {
  "telemetry.telemetryLevel": "off",
  "files.autoSave": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  // No extensions.autoUpdate: with no update checks it has nothing to do, and VS Code 1.139
  // migrates its old value (false → "off") by rewriting settings.json at startup, a rewrite
  // that raced with reading the file and left the user settings out of the extension host.
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  // VS Code 1.10x+ opens its own Chat in the secondary side bar at startup; keep the
  // window laid out as on 1.100 (older versions ignore the key).
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  // Restricted Mode without the modal "Do you trust the authors" prompt.
  "security.workspace.trust.startupPrompt": "never",
};

/**
 * Hearth settings the suites rely on (add here what a suite needs at startup): the tiny
 * generated model (run.ts puts its path in HEARTH_IT_MODEL before the first pass) on the
 * CPU with a small context, so a pass never downloads anything.
 */
function hearthSettings(): Record<string, unknown> {
  return {
    "hearth.model": process.env.HEARTH_IT_MODEL ?? "",
    "hearth.server.gpu": "cpu",
    "hearth.server.contextSize": 2048,
  };
}

export const PASSES: readonly Pass[] = [
  {
    name: "trusted",
    description: "workspace trusted (security.workspace.trust.enabled: false)",
    get settings() {
      return { ...WORKBENCH_SETTINGS, ...hearthSettings(), "security.workspace.trust.enabled": false };
    },
  },
  {
    name: "restricted",
    description: "Restricted Mode (trust enabled, folder not trusted)",
    get settings() {
      return { ...WORKBENCH_SETTINGS, ...hearthSettings(), "security.workspace.trust.enabled": true };
    },
  },
  {
    // A third start of the workbench costs ~15 s, so only the suite about several folders runs here.
    name: "multiRoot",
    description: "two folders as a multi-root workspace (trusted); the multi-root suite only",
    multiRoot: true,
    only: "multi-root workspace",
    get settings() {
      return { ...WORKBENCH_SETTINGS, ...hearthSettings(), "security.workspace.trust.enabled": false };
    },
  },
];
