// Moves the user-facing English strings of package.json's `contributes` into
// package.nls.json (VS Code's manifest localisation), leaving `%key%` placeholders behind.
// Idempotent: strings already replaced are skipped, so run it after adding commands or
// settings, then add their Japanese to package.nls.ja.json (a unit test checks both files
// cover every key). Usage: node scripts/nls.mjs
import * as fs from "node:fs";

const manifest = JSON.parse(fs.readFileSync("package.json", "utf8"));
const english = fs.existsSync("package.nls.json") ? JSON.parse(fs.readFileSync("package.nls.json", "utf8")) : {};
const TEXT_FIELDS = new Set(["title", "shortTitle", "description", "markdownDescription", "label", "name", "contextualTitle", "deprecationMessage", "markdownDeprecationMessage"]);
const LIST_FIELDS = new Set(["enumDescriptions", "markdownEnumDescriptions"]);

function place(key, value) {
  if (typeof value !== "string" || /^%[^%]+%$/.test(value)) return value;
  if (key in english && english[key] !== value) throw new Error(`${key}: package.nls.json already says something else`);
  english[key] = value;
  return `%${key}%`;
}

/** Names a string by what it belongs to (command id, setting key, view id), not by its position. */
function ownerName(node, fallback) {
  return node.command ?? node.id ?? node.submenu ?? fallback;
}

function walk(node, prefix) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${prefix}.${item && typeof item === "object" ? ownerName(item, String(i)) : i}`));
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [field, value] of Object.entries(node)) {
    if (TEXT_FIELDS.has(field) && typeof value === "string") node[field] = place(`${prefix}.${field}`, value);
    else if (LIST_FIELDS.has(field) && Array.isArray(value)) node[field] = value.map((v, i) => place(`${prefix}.${field}.${i}`, v));
    else if (field === "properties" && prefix.endsWith("configuration")) for (const [setting, schema] of Object.entries(value)) walk(schema, `config.${setting}`);
    else if (value !== null && typeof value === "object") walk(value, `${prefix}.${field}`);
  }
}

// Menus repeat command titles implicitly; keybindings and jsonValidation carry no text.
for (const [section, value] of Object.entries(manifest.contributes)) {
  if (section === "menus" || section === "keybindings" || section === "jsonValidation") continue;
  walk(value, section);
}
if (typeof manifest.displayName === "string") manifest.displayName = place("displayName", manifest.displayName);
if (typeof manifest.description === "string") manifest.description = place("description", manifest.description);
fs.writeFileSync("package.json", `${JSON.stringify(manifest, null, 2)}\n`);
fs.writeFileSync("package.nls.json", `${JSON.stringify(english, null, 2)}\n`);
console.log(`package.nls.json: ${Object.keys(english).length} strings`);
