// No import cycles in src/: a cycle makes load order decide which module sees the other's
// exports as undefined (esbuild bundles both halves into one file, so it fails at run time,
// not at build time), and it is how layers quietly grow into one. Type-only imports are left
// out: they vanish from the bundle. Modules are resolved by TypeScript itself.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..", "..");

/** Runtime imports of one file: import/export declarations that are not type-only, and import(). */
function runtimeImports(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The cycles (strongly connected groups of two or more files, or a file importing itself) of a graph. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

describe("import cycles", () => {
  it("finds a cycle when there is one (the check can fail)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
    ]);
    assert.deepEqual(importCycles(graph), [["a", "b", "c"], ["e"]]);
    assert.deepEqual(runtimeImports("x.ts", 'import type { A } from "./a";\nimport { type B } from "./b";\nimport { c, type C } from "./c";\nexport type { D } from "./d";\nexport * from "./e";\nconst f = () => import("./f");'), ["./c", "./e", "./f"]);
  });

  it("src/ has none among its runtime imports", () => {
    const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowJs: false };
    const host = ts.createCompilerHost(options);
    const files = sourceFiles(join(ROOT, "src"));
    assert.ok(files.length > 100, `only ${files.length} files found under src/`);
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = runtimeImports(file, readFileSync(file, "utf8"))
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => ts.resolveModuleName(specifier, file, options, host).resolvedModule?.resolvedFileName)
        .filter((target): target is string => target !== undefined && !target.includes("node_modules"));
      graph.set(file, targets);
    }
    const resolved = [...graph.values()].reduce((count, targets) => count + targets.length, 0);
    assert.ok(resolved > 200, `only ${resolved} relative imports resolved: the resolution is broken`);
    const cycles = importCycles(graph).map((group) => group.map((file) => relative(ROOT, file)));
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((group) => group.join(" ↔ ")).join("\n")}`);
  });
});
