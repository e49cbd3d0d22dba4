// The model server as the extension runs it in a real VS Code: it starts and reaches
// ready, the restart command replaces it, settings apply without a reload, a user's own
// OpenAI-compatible endpoint replaces it, and Restricted Mode ignores a workspace that
// tries to send prompts elsewhere.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import type { ModelServiceState } from "../../../src/vscode/modelService";
import { currentMode, describeIn, note, waitFor } from "../harness/host";

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

async function stateMatching(api: HearthApi, predicate: (state: ModelServiceState) => boolean, what: string, timeoutMs = 60_000): Promise<ModelServiceState> {
  try {
    await waitFor(what, () => predicate(api.modelService.state), { timeoutMs });
  } catch (error) {
    throw new Error(`${(error as Error).message}; state is ${JSON.stringify(api.modelService.state)}`, { cause: error });
  }
  return api.modelService.state;
}

function readyPid(state: ModelServiceState): number {
  assert.equal(state.kind, "ready", JSON.stringify(state));
  return state.kind === "ready" ? state.info.pid : -1;
}

/** A loopback server that speaks enough of the OpenAI API to be an "existing engine". */
async function fakeOpenAiServer(): Promise<{ server: Server; url: string; seenKeys: string[] }> {
  const seenKeys: string[] = [];
  const server = createServer((req, res) => {
    seenKeys.push(req.headers.authorization ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "team-gpu-model", object: "model" }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seenKeys };
}

describe("model server in the extension", function () {
  this.timeout(120_000);
  const settings = () => vscode.workspace.getConfiguration("hearth");

  // Tests change workspace settings only: in this web workbench a user-level update
  // replaces the whole user settings file the harness wrote (seen: hearth.model vanished).
  const workspace = vscode.ConfigurationTarget.Workspace;

  afterEach(async () => {
    await settings().update("server.url", undefined, workspace);
    await settings().update("server.contextSize", undefined, workspace);
  });

  it("starts the server with the configured model and reaches ready", async () => {
    const api = await hearth();
    const state = await stateMatching(api, (s) => s.kind === "ready", "the server to become ready");
    if (state.kind === "ready") {
      assert.equal(state.info.contextSize, 2048);
      assert.match(state.info.model, /hearth-test-qwen35-tiny/);
      note(`ready: ${state.info.model}, context ${state.info.contextSize}, pid ${state.info.pid}`);
    }
  });

  it("restarts the server with Hearth: Restart Model Server", async () => {
    const api = await hearth();
    const before = readyPid(await stateMatching(api, (s) => s.kind === "ready", "a ready server"));
    await vscode.commands.executeCommand("hearth.restartServer");
    const after = readyPid(await stateMatching(api, (s) => s.kind === "ready" && s.info.pid !== before, "a new server after the restart"));
    assert.notEqual(after, before);
  });

  it("applies a changed context size without a reload", async () => {
    const api = await hearth();
    await stateMatching(api, (s) => s.kind === "ready", "a ready server");
    await settings().update("server.contextSize", 1024, workspace);
    await stateMatching(api, (s) => s.kind === "ready" && s.info.contextSize === 1024, "the new context size");
  });

  describeIn(["trusted"], "with a trusted workspace", () => {
    it("uses an existing OpenAI-compatible server from hearth.server.url and spawns nothing", async () => {
      const api = await hearth();
      const fake = await fakeOpenAiServer();
      try {
        await settings().update("server.url", fake.url, workspace);
        const state = await stateMatching(api, (s) => s.kind === "external" && s.reachable, "the external server");
        if (state.kind === "external") assert.equal(state.model, "team-gpu-model");
        await settings().update("server.url", undefined, workspace);
        await stateMatching(api, (s) => s.kind === "ready", "the local server again");
      } finally {
        fake.server.close();
      }
    });

    it("ignores a workspace hearth.server.url on another machine: it would receive every prompt and the server's API key", async () => {
      const api = await hearth();
      await stateMatching(api, (s) => s.kind === "ready", "a ready server");
      // .invalid never resolves: were the value taken, the state would turn "external" (unreachable).
      await settings().update("server.url", "http://hearth-remote.invalid:8000/v1", workspace);
      // Give a wrong reaction time to show itself, then check it did not happen.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(api.modelService.state.kind, "ready", JSON.stringify(api.modelService.state));
      note("trusted: a workspace hearth.server.url on another host is ignored; the local server kept");
    });
  });

  it("in Restricted Mode ignores a workspace that points Hearth at another server", async () => {
    const api = await hearth();
    const fake = await fakeOpenAiServer();
    try {
      await stateMatching(api, (s) => s.kind === "ready", "a ready server");
      await settings().update("server.url", fake.url, workspace);
      if (currentMode() === "restricted") {
        // Give a wrong reaction time to show itself, then check it did not happen.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(api.modelService.state.kind, "ready", JSON.stringify(api.modelService.state));
        assert.deepEqual(fake.seenKeys, [], "no request reached the workspace's server");
        note("restricted: workspace hearth.server.url ignored; local server kept");
      } else {
        await stateMatching(api, (s) => s.kind === "external", "the workspace's server (trusted)");
        note("trusted: workspace hearth.server.url applied");
      }
    } finally {
      fake.server.close();
    }
  });
});
