import * as assert from "node:assert/strict";
import { createNeverSendMatcher } from "../../../../src/core/policy/neverSendMatcher";
import { checkNeverSendPattern } from "../../../../src/core/policy/neverSendPatternCheck";
import { BUILTIN_USER_DEFAULTS } from "../../../../src/core/policy/policyModel";

describe("neverSend matcher", () => {
  const matcher = createNeverSendMatcher(["secrets/", "vault/*", "!vault/README.md", "*.pem", "/config/prod.yml", "!secrets/README.md", ".env", "**/keys/*.json"], { root: "/home/ana/shop" });

  it("uses gitignore semantics on workspace-relative paths", () => {
    assert.ok(matcher.matches("secrets/db.txt"));
    assert.ok(matcher.matches("deploy/secrets/db.txt"), "an unanchored folder matches at any depth");
    assert.ok(!matcher.matches("vault/README.md"), "a later ! pattern re-includes a file");
    assert.ok(matcher.matches("vault/token"));
    assert.ok(matcher.matches("secrets/README.md"), "as in git, a file inside an excluded folder cannot be re-included");
    assert.ok(matcher.matches("certs/server.pem"));
    assert.ok(matcher.matches("config/prod.yml"));
    assert.ok(!matcher.matches("app/config/prod.yml"), "a leading / anchors to the workspace folder");
    assert.ok(matcher.matches("infra/keys/gcp.json"));
    assert.ok(!matcher.matches("src/index.ts"));
  });

  it("accepts ./ prefixes, Windows separators and any letter case", () => {
    assert.ok(matcher.matches("./secrets/db.txt"));
    assert.ok(matcher.matches("secrets\\db.txt"));
    assert.ok(matcher.matches("Certs/Server.PEM"));
    assert.ok(matcher.matches("src/../.env"));
  });

  it("makes absolute paths inside the workspace folder relative to it", () => {
    assert.ok(matcher.matches("/home/ana/shop/config/prod.yml"));
    assert.ok(matcher.matches("/home/ana/shop/secrets/a"));
    assert.ok(!matcher.matches("/home/ana/shop/src/a.ts"));
  });

  it("tests files outside the workspace only against patterns that do not name a workspace place", () => {
    assert.ok(matcher.matches("/etc/ssl/private/site.pem"));
    assert.ok(matcher.matches("/home/ana/other/.env"));
    assert.ok(matcher.matches("/home/ana/other/secrets/x"));
    assert.ok(!matcher.matches("/srv/config/prod.yml"), "anchored patterns describe this workspace only");
    assert.ok(matcher.matches("../sibling/server.pem"));
    assert.ok(matcher.matches("C:\\Users\\ana\\.env"));
  });

  it("ignores an empty path and unusable patterns rather than throwing", () => {
    const odd = createNeverSendMatcher(["", "#comment", "[", "\\"]);
    assert.equal(odd.matches(""), false);
    assert.equal(odd.matches("a/b"), false);
  });
});

describe("neverSend pattern check", () => {
  const codes = (pattern: string) => checkNeverSendPattern(pattern).map((p) => p.code);

  it("accepts ordinary gitignore patterns", () => {
    for (const p of ["secrets/", "*.pem", "/config/prod.yml", "!secrets/README.md", "**/keys/*.json", "[Ss]ecret*", "\\#notes", ".env.*"]) {
      assert.deepEqual(codes(p), [], p);
    }
  });

  it("rejects patterns that match every file", () => {
    for (const p of ["*", "**", "***", "/**", "**/*", "**/**"]) assert.deepEqual(codes(p), ["pattern-matches-everything"], p);
  });

  it("rejects patterns that can match nothing", () => {
    assert.deepEqual(codes("/"), ["pattern-matches-nothing"]);
    assert.deepEqual(codes("!"), ["pattern-matches-nothing"]);
    assert.deepEqual(codes("#secrets"), ["pattern-is-comment"]);
    assert.deepEqual(codes("./secrets"), ["pattern-dot-segment"]);
    assert.deepEqual(codes("~/keys"), ["pattern-absolute"]);
    assert.deepEqual(codes("C:\\keys"), ["pattern-absolute"]);
    assert.deepEqual(codes("a[bc"), ["pattern-invalid-glob"]);
    assert.deepEqual(codes("trailing\\"), ["pattern-invalid-glob"]);
  });

  it("warns about Windows separators", () => {
    assert.deepEqual(codes("config\\prod.yml"), ["pattern-backslash"]);
  });
});

describe("neverSend built-in list (BUILTIN_USER_DEFAULTS)", () => {
  it("keeps cloud credentials, cluster configs and Terraform variables on the machine, wherever they sit", () => {
    const matcher = createNeverSendMatcher(BUILTIN_USER_DEFAULTS.neverSend, { root: "/home/ana/shop" });
    for (const path of [".env", "infra/prod.tfvars", "infra/prod.auto.tfvars.json", ".envrc", "tools/.envrc", ".aws/credentials", "home/.aws/credentials", ".kube/config", "ops/.kube/config", ".docker/config.json", "ci/.docker/config.json", ".git-credentials"]) {
      assert.ok(matcher.matches(path), path);
    }
    // A bare `kubeconfig` would match Go packages of that name (pkg/kubeconfig/kubeconfig.go).
    for (const path of [".env.example", ".aws/config", "src/config.ts", "k8s/config.yaml", "docker/config.json", "README.md", "pkg/kubeconfig/kubeconfig.go", "cmd/kubeadm/app/phases/kubeconfig/kubeconfig_test.go"]) {
      assert.ok(!matcher.matches(path), path);
    }
  });
});
