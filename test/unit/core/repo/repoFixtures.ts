// Real folders (and real git repositories) for the repo pack tests, written into a temp dir.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CountTokens } from "../../../../src/core/repo";

export interface TempTree {
  readonly root: string;
  write(path: string, content: string | Buffer): void;
  remove(): void;
}

export function tempTree(files: Record<string, string | Buffer> = {}): TempTree {
  const root = mkdtempSync(join(tmpdir(), "hearth-repo-"));
  const tree: TempTree = {
    root,
    write(path, content) {
      const abs = join(root, ...path.split("/"));
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  return tree;
}

export function git(root: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: root, encoding: "utf8" });
}

/** Commits `files` (written first) as one commit. */
export function commit(tree: TempTree, message: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  git(tree.root, "add", "-A");
  git(tree.root, "commit", "-q", "-m", message);
}

/**
 * A deterministic stand-in for a tokenizer: one token per 3 characters, rounded up. The
 * budget code is what these tests check; the real tokenizer is exercised in repoQaServer.test.ts.
 */
export const charTokens: CountTokens = async (texts) => ({ counts: texts.map((t) => Math.ceil(t.length / 3)), exact: true });

/** Plausible filler source files: many words the question shares, none of the planted names. */
export function fillerSource(index: number, lines: number): string {
  const out = [`// Module ${index}: helpers for the report pipeline.`, `import { format } from "./format";`, ""];
  for (let i = 0; i < lines; i++) {
    if (i % 12 === 0) out.push("", `export function step${index}_${i}(value: number): number {`);
    else if (i % 12 === 11) out.push("}");
    else out.push(`  value = value * ${(i % 7) + 2} + ${index}; // compute the report value, quarterly totals and rebates`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}
