// Settings are read in one place, src/vscode/config.ts, so that what each one does (its
// type, its default, whether a workspace may set it, whether it restarts the model server)
// is decided once. These read the source and the README as text: no VS Code needed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const CONFIG = join("src", "vscode", "config.ts");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(m|c)?tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The README's settings table: setting → whether its "restarts the server" cell says yes. */
function readmeSettings(): Map<string, boolean> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Settings"));
  const lines = section.split("\n");
  const header = lines.findIndex((line) => line.startsWith("| setting |"));
  assert.ok(header >= 0, "README.md has no settings table under ## Settings");
  const columns = lines[header].split("|").map((cell) => cell.trim());
  const restartColumn = columns.indexOf("restarts the server");
  assert.ok(restartColumn > 0, `the settings table has no "restarts the server" column: ${lines[header]}`);
  const rows = new Map<string, boolean>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").map((cell) => cell.trim());
    const setting = /^`([^`]+)`$/.exec(cells[1])?.[1];
    assert.ok(setting !== undefined, `a row of the settings table names no setting: ${line}`);
    rows.set(setting, cells[restartColumn] === "yes");
  }
  return rows;
}

describe("settings are read through src/vscode/config.ts only", () => {
  it("no file of src/ but config.ts calls getConfiguration(", () => {
    const outside: string[] = [];
    let inConfig = 0;
    for (const file of sourceFiles(join(ROOT, "src"))) {
      const name = relative(ROOT, file);
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (!/getConfiguration\s*\(/.test(line)) return;
          if (name === CONFIG) inConfig++;
          else outside.push(`${name}:${index + 1}: ${line.trim()}`);
        });
    }
    // The pattern must find the reads that are allowed, or it finds nothing anywhere.
    assert.ok(inConfig > 0, `found no getConfiguration( in ${CONFIG}: is the pattern stale?`);
    assert.deepEqual(outside, [], "read (or write) the setting through an accessor in src/vscode/config.ts");
  });

  it("the README's settings table lists every contributed setting, and marks the ones config.ts restarts the server for", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { contributes: { configuration: { properties: Record<string, unknown> } | Array<{ properties: Record<string, unknown> }> } };
    const contributed = [manifest.contributes.configuration].flat().flatMap((group) => Object.keys(group.properties));
    const readme = readmeSettings();
    assert.deepEqual([...readme.keys()].sort(), contributed.sort(), "README.md's settings table and package.json's settings differ");

    const config = readFileSync(join(ROOT, CONFIG), "utf8");
    const table = /SERVER_RESTART_SETTINGS = \{([^}]*)\}/.exec(config)?.[1];
    assert.ok(table !== undefined, `no SERVER_RESTART_SETTINGS table in ${CONFIG}`);
    const restarting = [...table.matchAll(/"(hearth\.[^"]+)"\s*:/g)].map((match) => match[1]);
    assert.ok(restarting.length > 0, "SERVER_RESTART_SETTINGS names no setting");
    for (const setting of restarting) assert.ok(contributed.includes(setting), `SERVER_RESTART_SETTINGS names ${setting}, which package.json does not contribute`);
    const marked = [...readme].filter(([, restarts]) => restarts).map(([setting]) => setting);
    assert.deepEqual(marked.sort(), restarting.sort(), "README.md's \"restarts the server\" column and SERVER_RESTART_SETTINGS in config.ts differ");
  });
});
