// The JSON schema drives the editor's hover and completion; parsePolicy decides what counts.
// These tests keep the two describing the same file.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCloudModel, SUGGESTED_CLOUD_MODELS } from "../../../../src/core/policy/cloudModel";
import { checkNeverSendPattern } from "../../../../src/core/policy/neverSendPatternCheck";
import { FEATURE_KEYS, parsePolicy, TOP_LEVEL_KEYS } from "../../../../src/core/policy/parsePolicy";
import { CLOUD_ACCESS, FEATURES, ROUTES } from "../../../../src/core/policy/policyModel";

interface SchemaNode {
  type?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: SchemaNode & { anyOf?: SchemaNode[]; pattern?: string; not?: SchemaNode };
  definitions?: Record<string, SchemaNode>;
  $ref?: string;
  pattern?: string;
  defaultSnippets?: { body: unknown }[];
}

const schema = JSON.parse(readFileSync(join(__dirname, "../../../../schemas/policy.schema.json"), "utf8")) as SchemaNode;
const featureRule = schema.definitions?.featureRule as SchemaNode;

function keys(node: SchemaNode | undefined): string[] {
  return Object.keys(node?.properties ?? {}).sort();
}

describe("policy JSON schema", () => {
  it("lists the same keys as the parser, and closes every object", () => {
    assert.deepEqual(keys(schema), [...TOP_LEVEL_KEYS].sort());
    assert.deepEqual(keys(schema.properties?.features), [...FEATURES].sort());
    assert.deepEqual(keys(featureRule), [...FEATURE_KEYS].sort());
    for (const node of [schema, schema.properties?.features, featureRule]) assert.equal(node?.additionalProperties, false);
  });

  it("offers the same enum values as the parser", () => {
    assert.deepEqual(featureRule.properties?.route.enum, [...ROUTES]);
    assert.deepEqual(featureRule.properties?.cloudAccess.enum, [...CLOUD_ACCESS]);
  });

  it("describes every property, for hover", () => {
    const described = (node: SchemaNode | undefined) => Object.values(node?.properties ?? {}).every((p) => typeof p.description === "string" && p.description.length > 10);
    assert.ok(described(schema) && described(schema.properties?.features) && described(featureRule));
  });

  it("accepts the suggested model ids in both the schema's pattern and the parser", () => {
    const items = featureRule.properties?.cloudModels.items;
    const pattern = new RegExp(items?.anyOf?.[1].pattern ?? "^$");
    for (const id of [...SUGGESTED_CLOUD_MODELS, "openai:gpt-4.1-mini", "anthropic:claude-3-5-haiku-latest", "o3-mini"]) {
      assert.ok(parseCloudModel(id).ok, id);
      assert.ok(pattern.test(id), id);
    }
    for (const id of ["gemini-pro", "google:gemini", ""]) {
      assert.equal(parseCloudModel(id).ok, false, id);
      assert.equal(pattern.test(id), false, id);
    }
  });

  it("every neverSend value the schema rejects outright is an error for the parser too", () => {
    const rejected = (schema.properties?.neverSend.items?.not?.enum ?? []) as string[];
    assert.ok(rejected.length > 0);
    for (const p of rejected) assert.ok(checkNeverSendPattern(p).some((x) => x.severity === "error"), p);
  });

  it("the default snippet is a valid policy", () => {
    for (const snippet of schema.defaultSnippets ?? []) {
      const result = parsePolicy(JSON.stringify(snippet.body), "snippet");
      assert.deepEqual(result.diagnostics, []);
    }
  });
});
