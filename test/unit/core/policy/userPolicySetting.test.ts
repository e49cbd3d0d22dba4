import * as assert from "node:assert/strict";
import { policyFileState, policyProblem, workspacePolicyOf, type FolderPolicyRead } from "../../../../src/core/policy/folderPolicyRead";
import { parsePolicy } from "../../../../src/core/policy/parsePolicy";
import { BUILTIN_USER_DEFAULTS } from "../../../../src/core/policy/policyModel";
import { parseUserPolicySetting } from "../../../../src/core/policy/userPolicySetting";

const SETTING = "hearth.policy";

describe("parseUserPolicySetting", () => {
  it("an unset setting is Hearth's built-in defaults, with no problem", () => {
    for (const value of [undefined, null]) {
      const parsed = parseUserPolicySetting(value, SETTING);
      assert.equal(parsed.defaults, BUILTIN_USER_DEFAULTS);
      assert.deepEqual(parsed.problems, []);
    }
  });

  it("lays a valid setting over the built-in defaults, loosenings included (it is the user's own)", () => {
    const parsed = parseUserPolicySetting({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } }, neverSend: ["*.key"] }, SETTING);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.ignored, false);
    assert.equal(parsed.defaults.features.chat.route, "cloud");
    assert.equal(parsed.defaults.features.chat.cloudAccess, "allow");
    assert.deepEqual(parsed.defaults.features.chat.cloudModels, [{ provider: "openai", model: "gpt-4o-mini" }]);
    assert.deepEqual(parsed.defaults.features.edit, BUILTIN_USER_DEFAULTS.features.edit);
    assert.deepEqual(parsed.defaults.neverSend, [...BUILTIN_USER_DEFAULTS.neverSend, "*.key"]);
  });

  it("ignores a setting that is not an object, naming the setting and the value", () => {
    for (const value of ["cloud", 3, true, ["chat"]]) {
      const parsed = parseUserPolicySetting(value, SETTING);
      assert.equal(parsed.ignored, true);
      assert.equal(parsed.defaults, BUILTIN_USER_DEFAULTS);
      assert.deepEqual(
        parsed.problems.map((p) => [p.file, p.code, p.severity]),
        [[SETTING, "not-an-object", "error"]],
      );
      assert.match(parsed.problems[0].message, new RegExp(JSON.stringify(value).replace(/[[\]]/g, "\\$&")));
    }
  });

  it("ignores a setting with an error in it rather than applying half of it", () => {
    const parsed = parseUserPolicySetting({ features: { chat: { route: "everywhere" } } }, SETTING);
    assert.equal(parsed.ignored, true);
    assert.equal(parsed.defaults, BUILTIN_USER_DEFAULTS);
    assert.ok(parsed.problems.some((p) => p.severity === "error" && p.path.includes("route")), JSON.stringify(parsed.problems));
    assert.ok(parsed.problems.every((p) => p.file === `settings: ${SETTING}`));
  });

  it("reports a value that cannot be written out as JSON instead of throwing", () => {
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    const parsed = parseUserPolicySetting(looped, SETTING);
    assert.equal(parsed.ignored, true);
    assert.deepEqual(
      parsed.problems.map((p) => p.code),
      ["unreadable"],
    );
  });
});

describe("a folder's policy file as read", () => {
  const text = '{ "version": 1, "features": { "chat": { "route": "local" } } }';
  const parsed: FolderPolicyRead = { kind: "parsed", contentHash: "abc", result: parsePolicy(text, ".hearth/policy.json") };
  const broken: FolderPolicyRead = { kind: "parsed", contentHash: "def", result: parsePolicy("{ nope", ".hearth/policy.json") };
  const unreadable: FolderPolicyRead = { kind: "unreadable", result: policyProblem(".hearth/policy.json", "file-too-large", "too large") };

  it("is loading until read, and while read again", () => {
    assert.equal(policyFileState(undefined, false), "loading");
    assert.equal(policyFileState(parsed, true), "loading");
    assert.equal(policyFileState({ kind: "absent" }, false), "absent");
    assert.equal(policyFileState(parsed, false), "valid");
    assert.equal(policyFileState(broken, false), "invalid");
    assert.equal(policyFileState(unreadable, false), "invalid");
  });

  it("gives the effective policy no workspace policy when absent, and a policy-less one (local-only) when unread, broken or unreadable", () => {
    assert.equal(workspacePolicyOf({ kind: "absent" }), undefined);
    assert.deepEqual(workspacePolicyOf(undefined), { policy: undefined, contentHash: "" });
    assert.deepEqual(workspacePolicyOf(unreadable), { policy: undefined, contentHash: "" });
    assert.deepEqual(workspacePolicyOf(broken), { policy: undefined, contentHash: "def" });
    const workspace = workspacePolicyOf(parsed);
    assert.equal(workspace?.contentHash, "abc");
    assert.equal(workspace?.policy?.features.chat?.route, "local");
  });

  it("puts a problem found before parsing at the top of the file, as an error that makes the folder local-only", () => {
    const problem = policyProblem("a/.hearth/policy.json", "read-timeout", "took too long");
    assert.equal(problem.localOnly, true);
    assert.equal(problem.policy, undefined);
    assert.deepEqual(problem.diagnostics, [
      { file: "a/.hearth/policy.json", severity: "error", code: "read-timeout", message: "took too long", path: "", offset: 0, length: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    ]);
  });
});
