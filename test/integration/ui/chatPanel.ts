// Helpers shared by the browser-driven chat tests and the chat view benchmark: finding the
// chat webview's frame, running a command as a person would, sending a question, settings.
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameLocator, Page } from "playwright-core";
import type { UiContext } from "../harness/ui";

/** The chat view's own document: the webview overlay's inner frame (see docs on webviews in the workbench). */
export function chatFrame(page: Page): FrameLocator {
  return page.locator("iframe.webview").first().contentFrame().locator("iframe#active-frame").contentFrame();
}

export async function runCommand(ui: UiContext, title: string): Promise<void> {
  const { page } = ui;
  // Move focus out of the webview without side effects: the side bar's title (a click on a
  // tree row of the Model view would run its command).
  const sideBarTitle = page.locator(".part.sidebar > .composite.title").first();
  if (await sideBarTitle.isVisible().catch(() => false)) await sideBarTitle.click({ position: { x: 8, y: 8 }, timeout: 2_000 }).catch(() => undefined);
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Enter");
}

export async function openChat(ui: UiContext): Promise<FrameLocator> {
  await runCommand(ui, "Hearth: Open Chat");
  const chat = chatFrame(ui.page);
  await chat.locator('.messages[role="log"]').waitFor({ state: "visible", timeout: 30_000 });
  return chat;
}

export async function send(chat: FrameLocator, text: string): Promise<void> {
  const input = chat.locator("textarea#input");
  await input.fill(text);
  await input.press("Enter");
}

export async function waitIdle(ui: UiContext, chat: FrameLocator, timeoutMs = 60_000): Promise<void> {
  await ui.waitFor("the answer to finish (Send enabled again)", () => chat.locator("button.send").isEnabled(), { timeoutMs });
}

/** Writes one setting into the workspace's .vscode/settings.json (VS Code picks the change up from disk). */
export function setWorkspaceSetting(ui: UiContext, key: string, value: unknown): void {
  const file = path.join(ui.workspace, ".vscode", "settings.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const settings = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  if (value === undefined) delete settings[key];
  else settings[key] = value;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}
