// The chat panel as a person uses it, in the real workbench: the real webview, extension,
// gateway and provider. The first answer comes from the tiny local model (its text is
// noise, so only the structure is checked); the rest come from a loopback OpenAI-compatible
// server set as hearth.server.url (a workspace setting written to disk), so the answers
// can hold a code fence, hostile markup, or stop halfway when the server dies. Only the
// model's text is scripted. Trusted pass only: Restricted Mode ignores a workspace's
// hearth.server.url.
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { WEBVIEW_STRINGS_EN } from "../../../src/shared/webviewStringKeys";
import { FakeOpenAi } from "../../support/fakeCloud";
import { defineUiTests, type UiContext } from "../harness/ui";
import { withTimeout } from "../harness/wait";
import { openChat, runCommand, send, setWorkspaceSetting, waitIdle } from "./chatPanel";

const CODE_MARK = "chatInsertedValue";
const HOSTILE = [
  "Hostile output follows.",
  "<script>window.__hearthPwned = 'script'</script>",
  '<img src="x" onerror="window.__hearthPwned = \'img\'">',
  "[js link](javascript:window.__hearthPwned='js')",
  "[command link](command:workbench.action.terminal.new)",
  '<a href="command:workbench.action.terminal.new">raw command</a>',
  "[data link](data:text/html,<script>parent.__hearthPwned='data'</script>)",
  '<iframe src="https://example.com"></iframe>',
  '<form action="https://example.com"><button>go</button></form>',
  '<div style="position:fixed" onclick="window.__hearthPwned=\'div\'">raw html</div>',
  "A safe one: [docs](https://example.com/docs) and [file](src/greet.ts:2).",
].join("\n\n");

/** Deceptive text: bidi controls and zero-width characters in prose, inline code, a code block and link text. */
const DECEIVE = (port: number): string =>
  [
    "Open `report\u202Etxt.exe` now; the pass\u200Bword is here.",
    "```js\nconst isAdmin = false; /* \u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\nconsole.log('ok');\n```",
    `Sign in at [paypal.com](http://127.0.0.1:${port}/phish) or [pay\u200Bpal docs](https://example.com/docs).`,
  ].join("\n\n");

/** Links of every kind: loopback, refused, workspace paths with a line, autolinks next to punctuation, an image. */
const LINKS = (port: number): string =>
  [
    `Local docs: [local docs](http://127.0.0.1:${port}/docs/page) and [run it](command:workbench.action.terminal.new).`,
    "See [the greeting](hello.py:2) and src/greet.ts:3:5 for details.",
    "Bare: https://example.com/one. And **https://example.com/two** and `x` https://example.com/three`.",
    "![diagram of the flow](https://example.com/flow.png)",
  ].join("\n\n");

const THEME = ["| Setting name | Default value | Description of the setting |", "|---|:---:|---:|", "| hearth.server.url | (none) | Where the model server runs |", "", "```ts", "export function greet(name: string): string {", "  return `Hello, ${name}!`;", "}", "```"].join("\n");

const THEMES = [
  { name: "dark", setting: "Default Dark Modern", selector: ".monaco-workbench.vs-dark" },
  { name: "light", setting: "Default Light Modern", selector: ".monaco-workbench.vs" },
  { name: "high-contrast", setting: "Default High Contrast", selector: ".monaco-workbench.hc-black" },
] as const;

/** A screenshot of the workbench in each of the three themes (set through the workspace's settings file). */
async function screenshotInThemes(ui: UiContext, name: string): Promise<void> {
  for (const theme of THEMES) {
    setWorkspaceSetting(ui, "workbench.colorTheme", theme.setting);
    await ui.waitFor(`the ${theme.name} theme`, async () => (await ui.page.locator(theme.selector).count()) > 0, { timeoutMs: 15_000 });
    await ui.page.waitForTimeout(400);
    await ui.screenshot(`${name}-${theme.name}`);
  }
}

/** The fake server, started when a test runs alone (--grep). */
async function ensureFake(ui: UiContext): Promise<void> {
  if (fake === undefined) await useFakeServer(ui);
}

let fake: FakeOpenAi | undefined;
let fakePort = 0;

/** Scripted answers by keyword in the last user message. */
function answerFor(body: unknown): string {
  const messages = (body as { messages?: Array<{ role: string; content: string }> } | undefined)?.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  if (last.includes("CODE")) return `Here it is:\n\n\`\`\`ts\nexport const ${CODE_MARK} = 42;\n\`\`\`\n`;
  if (last.includes("HOSTILE")) return HOSTILE;
  if (last.includes("LONG")) return `STREAM-MARK ${Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ")}`;
  if (last.includes("DECEIVE")) return DECEIVE(fakePort);
  if (last.includes("LINKS")) return LINKS(fakePort);
  if (last.includes("NESTED")) return `${"> ".repeat(150)}NESTED-BOTTOM\n\nafter the quote`;
  if (last.includes("HUGE")) return `HUGE-START\n\n${Array.from({ length: 4000 }, (_, i) => `Paragraph ${i} of a very long answer, with some words to fill it.`).join("\n\n")}\n\nHUGE-END`;
  if (last.includes("THEME")) return THEME;
  return "PONG-FAKE all good.";
}

const assistantTurns = (chat: FrameLocator) => chat.locator("article.turn.assistant");

/** Sends `text` and returns the assistant turn that will hold its answer. */
async function ask(chat: FrameLocator, text: string): Promise<Locator> {
  const before = await assistantTurns(chat).count();
  await send(chat, text);
  return assistantTurns(chat).nth(before);
}

/** Sends `text`, waits for the fake server to receive it and for the answer to finish. */
async function askFake(ui: UiContext, chat: FrameLocator, text: string): Promise<void> {
  const count = fake!.requests.length;
  await send(chat, text);
  await ui.waitFor("the request", () => fake!.requests.length > count, { timeoutMs: 15_000 });
  await waitIdle(ui, chat);
}

/** Points Hearth at the fake server through the workspace's settings file and waits until the Model view names it. */
async function useFakeServer(ui: UiContext): Promise<void> {
  fake = await new FakeOpenAi().start(fakePort);
  fakePort = Number(new URL(fake.address).port);
  fake.answer = (request) => answerFor(request.json);
  fake.pieceDelayMs = 15;
  setWorkspaceSetting(ui, "hearth.server.url", fake.baseUrl);
  await ui.waitFor("the Model view to show the external server", () => ui.page.locator(".monaco-list-row", { hasText: String(fakePort) }).first().isVisible(), { timeoutMs: 30_000 });
}

export default defineUiTests([
  {
    title: "chat: streams an answer from the local model, labelled with its route",
    modes: ["trusted"],
    timeoutMs: 180_000,
    async run(ui) {
      const chat = await openChat(ui);
      // A fresh chat (the host suites left one open): New chat empties the log.
      await chat.locator("button.new-chat").click();
      await ui.waitFor("an empty chat", async () => (await chat.locator("article.turn").count()) === 0, { timeoutMs: 10_000 });
      // Record the answer's length at every change, in the browser, to see it grow.
      await chat.locator(".messages").evaluate((messages) => {
        const lengths: number[] = [];
        (window as unknown as { __lengths: number[] }).__lengths = lengths;
        new MutationObserver(() => {
          const turns = messages.querySelectorAll("article.turn.assistant .content");
          const last = turns[turns.length - 1];
          if (last !== undefined) lengths.push((last.textContent ?? "").length);
        }).observe(messages, { childList: true, subtree: true, characterData: true });
      });
      await send(chat, "Say hello in one short sentence.");
      await chat.locator("article.turn.user", { hasText: "Say hello" }).waitFor({ state: "visible", timeout: 10_000 });
      await assistantTurns(chat).first().waitFor({ state: "visible", timeout: 10_000 });
      await assistantTurns(chat).first().locator('.route[data-route="local"]').waitFor({ state: "visible", timeout: 150_000 });
      // The badge says why the answer stayed here: the gateway's reason as its tooltip, and as
      // hidden text a screen reader reads with it, the badge a tab stop for the keyboard.
      const badge = assistantTurns(chat).first().locator('.route[data-route="local"]');
      const title = (await badge.getAttribute("title")) ?? "";
      if ((await badge.locator(".route-reason").count()) !== 1) throw new Error(`the route badge should carry the route's reason as hidden text; its title is ${JSON.stringify(title)}`);
      const spoken = ((await badge.locator(".route-reason").textContent()) ?? "").replace(/^\.\s*/, "");
      if (!/this machine/i.test(title) || !title.endsWith(spoken) || spoken === "") throw new Error(`the route badge should give the route's reason: title ${JSON.stringify(title)}, hidden text ${JSON.stringify(spoken)}`);
      if ((await badge.getAttribute("tabindex")) !== "0") throw new Error("the route badge with a reason should be reachable by the keyboard");
      const box = await badge.locator(".route-reason").boundingBox();
      if (box !== null && (box.width > 1 || box.height > 1)) throw new Error(`the route's reason should be hidden on screen (it is the tooltip), but takes ${box.width}×${box.height} px`);
      const lengths = await chat.locator(".messages").evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
      const distinct = [...new Set(lengths.filter((n) => n > 0))];
      if (distinct.length < 2) throw new Error(`the answer did not grow while streaming; lengths seen: ${JSON.stringify(lengths.slice(0, 50))}`);
      const error = await chat.locator("article.turn.assistant .turn-error").count();
      if (error > 0) throw new Error(`the local answer failed: ${await chat.locator("article.turn.assistant .turn-error").first().textContent()}`);
    },
  },
  {
    title: "chat: Esc stops an answer midway; the server sees the request abandoned",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      const chat = await openChat(ui);
      await useFakeServer(ui);
      fake!.pieceDelayMs = 60;
      const turn = await ask(chat, "Write something LONG");
      await ui.waitFor("the long answer to start streaming", async () => ((await turn.locator(".content").textContent()) ?? "").includes("STREAM-MARK"), { timeoutMs: 30_000 });
      await chat.locator("textarea#input").press("Escape");
      await turn.locator(".turn-stopped").waitFor({ state: "visible", timeout: 10_000 });
      const text = (await turn.locator(".content").textContent()) ?? "";
      if (text.includes("word299")) throw new Error("the answer ran to its end: Esc did not stop it");
      await ui.waitFor("the fake server to see the client walk away", () => fake!.disconnects > 0, { timeoutMs: 10_000 });
      await waitIdle(ui, chat);
    },
  },
  {
    title: "chat: Insert puts a code block at the editor's cursor as one undoable edit",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      fake!.pieceDelayMs = 5;
      await ui.openFile("src/greet.ts");
      const chat = await openChat(ui);
      const turn = await ask(chat, "Show me some CODE");
      await turn.locator(".code-block pre code").waitFor({ state: "visible", timeout: 30_000 });
      await waitIdle(ui, chat);
      await turn.locator(".code-block button.insert").click();
      const lines = ui.page.locator(".editor-instance .monaco-editor .view-lines").first();
      await ui.waitFor("the code block in the editor", async () => ((await lines.textContent()) ?? "").includes(CODE_MARK), { timeoutMs: 10_000 });
      await ui.screenshot("chat-insert");
      await lines.click();
      await ui.page.keyboard.press("Control+Z");
      await ui.waitFor("one undo to take the insert back", async () => !((await lines.textContent()) ?? "").includes(CODE_MARK), { timeoutMs: 10_000 });
    },
  },
  {
    title: "chat: Apply shows a diff, and accepting replaces the selection as one undoable edit",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      fake!.pieceDelayMs = 5;
      await ui.openFile("src/greet.ts");
      // Select line 3 (the return statement) in the editor.
      await ui.page.keyboard.press("Control+G");
      await ui.page.keyboard.type("3");
      await ui.page.keyboard.press("Enter");
      await ui.page.keyboard.press("Home");
      await ui.page.keyboard.press("Shift+End");
      const chat = await openChat(ui);
      const turn = await ask(chat, "More CODE please");
      await turn.locator(".code-block button.apply").waitFor({ state: "visible", timeout: 30_000 });
      await waitIdle(ui, chat);
      await turn.locator(".code-block button.apply").click();
      await ui.page.locator(".monaco-diff-editor").first().waitFor({ state: "visible", timeout: 15_000 });
      const toast = ui.page.locator(".notifications-toasts .notification-toast", { hasText: "Apply the code block to greet.ts?" });
      await toast.waitFor({ state: "visible", timeout: 15_000 });
      await ui.screenshot("chat-apply-diff");
      await toast.locator(".monaco-button", { hasText: /^Apply$/ }).click();
      // The diff stays open; go back to the file's own editor by its tab.
      const tab = ui.page.locator('.tabs-container .tab[data-resource-name="greet.ts"]').filter({ hasNotText: "↔" }).first();
      await tab.click();
      await ui.page.locator('.tabs-container .tab.active[data-resource-name="greet.ts"]').filter({ hasNotText: "↔" }).first().waitFor({ state: "visible", timeout: 10_000 });
      const lines = ui.page.locator(".editor-instance .monaco-editor .view-lines").first();
      await ui.waitFor("the selection replaced by the block", async () => {
        const text = ((await lines.textContent()) ?? "").replace(/\u00a0/g, " ");
        return text.includes(CODE_MARK) && !text.includes("return `Hello");
      }, { timeoutMs: 10_000 });
      await lines.click();
      await ui.page.keyboard.press("Control+Z");
      await ui.waitFor("one undo to restore the file", async () => {
        const text = ((await lines.textContent()) ?? "").replace(/\u00a0/g, " ");
        return !text.includes(CODE_MARK) && text.includes("return `Hello");
      }, { timeoutMs: 10_000 });
    },
  },
  {
    title: "chat: hostile model output renders inert in the browser",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      const chat = await openChat(ui);
      const scriptsBefore = await chat.locator("body").evaluate(() => Array.from(document.scripts).map((script) => script.outerHTML));
      const turn = await ask(chat, "Say something HOSTILE");
      await ui.waitFor("the hostile answer", async () => ((await turn.locator(".content").textContent()) ?? "").includes("A safe one"), { timeoutMs: 30_000 });
      await waitIdle(ui, chat);
      // Only this answer: earlier turns may hold the tiny model's noise, which can look like a path:line citation.
      const facts = await turn.evaluate((messages) => ({
        scripts: Array.from(document.scripts).map((script) => script.outerHTML),
        dangerous: messages.querySelectorAll("img, iframe, form, object, embed, style, input, svg, math").length,
        onAttributes: Array.from(messages.querySelectorAll("*")).flatMap((node) => Array.from(node.attributes).filter((a) => a.name.toLowerCase().startsWith("on")).map((a) => `${node.tagName}.${a.name}`)),
        hrefs: Array.from(messages.querySelectorAll("[href], [src], [action], [formaction], [style]")).map((node) => node.outerHTML.slice(0, 120)),
        liveTargets: Array.from(messages.querySelectorAll<HTMLElement>("[data-href]")).map((node) => node.dataset.href),
        // The link's own text, without the refused target shown after it.
        blocked: Array.from(messages.querySelectorAll(".blocked-link")).map((node) => Array.from(node.childNodes).filter((child) => !(child instanceof Element && child.classList.contains("link-target"))).map((child) => child.textContent).join("")),
        refusedTargets: Array.from(messages.querySelectorAll(".blocked-link .link-target")).map((node) => node.textContent ?? ""),
        text: messages.textContent ?? "",
      }));
      const added = facts.scripts.filter((script) => !scriptsBefore.includes(script));
      if (added.length > 0 || facts.scripts.length !== scriptsBefore.length) throw new Error(`script elements appeared: ${added.join(" | ")}`);
      if (facts.dangerous > 0) throw new Error(`dangerous elements rendered: ${facts.dangerous}`);
      if (facts.onAttributes.length > 0) throw new Error(`on* attributes rendered: ${facts.onAttributes.join(", ")}`);
      if (facts.hrefs.length > 0) throw new Error(`elements that navigate or load: ${facts.hrefs.join(" | ")}`);
      // Live targets are only http(s) URLs (linkify also makes the raw tags' URLs links) and workspace paths.
      const live = facts.liveTargets.filter((href): href is string => href !== undefined);
      for (const expected of ["https://example.com/docs", "src/greet.ts:2"]) if (!live.includes(expected)) throw new Error(`${expected} should be a live link: ${JSON.stringify(live)}`);
      const odd = live.filter((href) => !/^https?:\/\//.test(href) && href !== "src/greet.ts:2");
      if (odd.length > 0) throw new Error(`links with other targets are live: ${JSON.stringify(odd)}`);
      for (const name of ["js link", "command link", "data link"]) if (!facts.blocked.includes(name)) throw new Error(`${name} is not shown as a blocked link: ${JSON.stringify(facts.blocked)}`);
      for (const scheme of ["javascript:", "command:", "data:"]) if (!facts.refusedTargets.some((t) => t.includes(scheme))) throw new Error(`the refused ${scheme} target should stay visible: ${JSON.stringify(facts.refusedTargets)}`);
      if (!facts.text.includes("<script>")) throw new Error("raw HTML should show as text");
      // Clicking the defused links does nothing: no script runs, no terminal opens, the page stays.
      for (const name of ["js link", "command link", "data link"]) await turn.locator(".blocked-link", { hasText: name }).first().click();
      for (const name of ["raw command", "raw html"]) await turn.locator("p", { hasText: name }).first().click();
      await ui.page.waitForTimeout(500);
      const pwned = await chat.locator("body").evaluate(() => (window as unknown as { __hearthPwned?: string }).__hearthPwned ?? null);
      if (pwned !== null) throw new Error(`hostile code ran: ${pwned}`);
      if ((await ui.page.locator(".terminal-wrapper, .terminal-tabs-entry").count()) > 0) throw new Error("a command: link opened a terminal");
      await chat.locator('.messages[role="log"]').waitFor({ state: "visible" });
      await ui.screenshot("chat-hostile");
    },
  },
  {
    title: "chat: a server that dies mid-stream shows an error, keeps the chat, and the next message works once it is back",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      fake!.pieceDelayMs = 60;
      const chat = await openChat(ui);
      const turnsBefore = await chat.locator("article.turn").count();
      await send(chat, "Another LONG one");
      const turn = assistantTurns(chat).last();
      await ui.waitFor("the answer to start streaming", async () => ((await turn.locator(".content").textContent()) ?? "").includes("STREAM-MARK"), { timeoutMs: 30_000 });
      await fake!.stop();
      const error = turn.locator(".turn-error");
      await error.waitFor({ state: "visible", timeout: 30_000 });
      const message = (await error.textContent()) ?? "";
      if (message.trim().length < 10) throw new Error(`the error does not say what happened: ${JSON.stringify(message)}`);
      await waitIdle(ui, chat);
      if ((await chat.locator("article.turn").count()) !== turnsBefore + 2) throw new Error("the conversation was not kept");
      if (!((await turn.locator(".content").textContent()) ?? "").includes("STREAM-MARK")) throw new Error("the partial answer was lost");
      await ui.screenshot("chat-server-died");
      // The server comes back on the same address; the next question is answered.
      fake = await new FakeOpenAi().start(fakePort);
      fake.answer = (request) => answerFor(request.json);
      await send(chat, "Are you back? PING");
      const next = assistantTurns(chat).last();
      await ui.waitFor("an answer from the restarted server", async () => ((await next.locator(".content").textContent()) ?? "").includes("PONG-FAKE"), { timeoutMs: 30_000 });
      await waitIdle(ui, chat);
      if ((await next.locator(".turn-error").count()) > 0) throw new Error(`the next answer failed: ${await next.locator(".turn-error").textContent()}`);
      const sent = fake.requests.at(-1)?.json as { messages?: Array<{ role: string; content: string }> } | undefined;
      if (!sent?.messages?.some((m) => m.content.includes("STREAM-MARK"))) throw new Error("the next request did not carry the conversation (with the partial answer)");
    },
  },
  {
    title: "chat: the Thinking toggle turns Qwen's thinking on and off for the chat's requests; thoughts stream into a collapsed section",
    modes: ["trusted"],
    timeoutMs: 60_000,
    async run(ui) {
      fake!.pieceDelayMs = 5;
      const chat = await openChat(ui);
      const enableThinking = (): unknown => (fake!.requests.at(-1)?.json as { chat_template_kwargs?: { enable_thinking?: unknown } } | undefined)?.chat_template_kwargs?.enable_thinking;
      for (const on of [true, false]) {
        const box = chat.locator("input#thinking");
        if ((await box.isChecked()) !== on) await box.click();
        await ui.waitFor(`the toggle to read ${on}`, async () => (await box.isChecked()) === on, { timeoutMs: 5_000 });
        await askFake(ui, chat, `PING with thinking ${on ? "on" : "off"}`);
        if (enableThinking() !== on) throw new Error(`enable_thinking should be ${on}, the request said ${JSON.stringify(enableThinking())}`);
      }
      // Thoughts stream into a collapsed section above the answer.
      fake!.reasoning = "The user pings; I should pong.";
      try {
        await send(chat, "PING and think");
        const turn = assistantTurns(chat).last();
        const thoughts = turn.locator("details.thoughts");
        await ui.waitFor("the thoughts section", async () => ((await thoughts.locator(".thoughts-body").textContent()) ?? "").includes("I should pong."), { timeoutMs: 15_000 });
        await waitIdle(ui, chat);
        if ((await thoughts.getAttribute("open")) !== null) throw new Error("the thoughts should start collapsed");
        if (((await turn.locator(".content").textContent()) ?? "").includes("I should pong")) throw new Error("thoughts leaked into the answer");
        await thoughts.locator("summary").click();
        await ui.waitFor("the thoughts to open", async () => (await thoughts.getAttribute("open")) !== null, { timeoutMs: 5_000 });
      } finally {
        fake!.reasoning = undefined;
      }
    },
  },
  {
    title: "chat: the @ picker attaches a workspace file as a chip with its token count, sent as a file; chips are removable",
    modes: ["trusted"],
    timeoutMs: 60_000,
    async run(ui) {
      fake!.pieceDelayMs = 5;
      const chat = await openChat(ui);
      const chip = chat.locator(".chip", { hasText: "hello.py" });
      // The picker fills its list as the workspace search answers: Enter only once hello.py is the
      // row it would take (on 1.139.1 an Enter pressed before the filter applied once took the
      // first file listed). A wrong pick is removed and the pick made again, at most three times.
      for (let attempt = 1; ; attempt++) {
        await chat.locator("button", { hasText: /^@$/ }).click();
        const input = ui.page.locator(".quick-input-widget .quick-input-box input");
        await input.waitFor({ state: "visible", timeout: 10_000 });
        await input.fill("hello.py");
        await ui.waitFor("hello.py as the picker's active row", async () => {
          if ((await input.inputValue().catch(() => "")) !== "hello.py") await input.fill("hello.py");
          const active = ui.page.locator(".quick-input-list .monaco-list-row.focused").first();
          return ((await active.textContent().catch(() => "")) ?? "").includes("hello.py");
        }, { timeoutMs: 15_000 });
        await ui.page.keyboard.press("Enter");
        try {
          await ui.waitFor("the chip with a token count", async () => /\d+ tokens/.test((await chip.textContent({ timeout: 1_000 }).catch(() => "")) ?? ""), { timeoutMs: 15_000 });
          break;
        } catch (error) {
          const chips = await chat.locator(".chip").allTextContents();
          if (attempt === 3) throw new Error(`${(error as Error).message}; chips: ${JSON.stringify(chips)}`, { cause: error });
          for (let i = await chat.locator(".chip button.chip-remove").count(); i > 0; i--) await chat.locator(".chip button.chip-remove").first().click();
          await ui.page.keyboard.press("Escape");
        }
      }
      await chat.locator("button", { hasText: "@repo" }).click();
      await chat.locator(".chip.chip-repo").waitFor({ state: "visible", timeout: 5_000 });
      await ui.screenshot("chat-chips");
      await chat.locator(".chip.chip-repo button.chip-remove").click();
      await chat.locator(".chip.chip-repo").waitFor({ state: "detached", timeout: 5_000 });
      await askFake(ui, chat, "PING about this file");
      const fixture = fs.readFileSync(path.join(ui.workspace, "hello.py"), "utf8").trim().split("\n")[0];
      const body = fake!.requests.at(-1)?.body ?? "";
      if (!body.includes(JSON.stringify(fixture).slice(1, -1))) throw new Error("the attached file's content did not reach the model");
      if ((await chat.locator(".chip").count()) !== 0) throw new Error("chips should clear once the question is sent");
    },
  },
  {
    title: "chat: screenshots in dark, light, high-contrast and Japanese",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      setWorkspaceSetting(ui, "workbench.colorTheme", "Default Dark Modern");
      await ui.waitFor("the dark theme", async () => (await ui.page.locator(".monaco-workbench.vs-dark").count()) > 0, { timeoutMs: 15_000 });
      await openChat(ui);
      await ui.page.waitForTimeout(500);
      await ui.screenshot("chat-dark");
      setWorkspaceSetting(ui, "workbench.colorTheme", "Default Light Modern");
      await ui.waitFor("the light theme", async () => (await ui.page.locator(".monaco-workbench.vs").count()) > 0, { timeoutMs: 15_000 });
      const chat = await openChat(ui);
      await ui.page.waitForTimeout(500);
      await ui.screenshot("chat-light");
      // Japanese: the webview rendered with the Japanese strings table (a display-language
      // switch needs a reload of the whole workbench, too slow here). The table is the one the
      // extension would send under `ja`: the English strings looked up in l10n/chat.ja.json.
      const l10n = path.join(__dirname, "../../../l10n");
      const ja = Object.assign({}, ...fs.readdirSync(l10n).filter((name) => name.endsWith(".ja.json")).map((name) => JSON.parse(fs.readFileSync(path.join(l10n, name), "utf8")) as Record<string, string>)) as Record<string, string>;
      const missing = Object.values(WEBVIEW_STRINGS_EN).filter((english) => ja[english] === undefined);
      if (missing.length > 0) throw new Error(`l10n/*.ja.json lacks: ${missing.join(" | ")}`);
      const strings = Object.fromEntries(Object.entries(WEBVIEW_STRINGS_EN).map(([key, english]) => [key, ja[english]]));
      await chat.locator("body").evaluate((_, init) => window.postMessage(init, "*"), { type: "init", strings, language: "ja" });
      await chat.locator("button.send", { hasText: ja.Send }).waitFor({ state: "visible", timeout: 5_000 });
      await ui.screenshot("chat-japanese");
      const english = Object.fromEntries(Object.entries(WEBVIEW_STRINGS_EN));
      await chat.locator("body").evaluate((_, init) => window.postMessage(init, "*"), { type: "init", strings: english, language: "en" });
      setWorkspaceSetting(ui, "workbench.colorTheme", "Default High Contrast");
      await ui.waitFor("the high-contrast theme", async () => (await ui.page.locator(".monaco-workbench.hc-black").count()) > 0, { timeoutMs: 15_000 });
      await ui.page.waitForTimeout(500);
      await ui.screenshot("chat-high-contrast");
    },
  },
  {
    title: "chat: Past chats lists earlier chats; one opens again with its turns, and delete removes it",
    modes: ["trusted"],
    timeoutMs: 60_000,
    async run(ui) {
      const chat = await openChat(ui);
      const turnsBefore = await chat.locator("article.turn").count();
      if (turnsBefore === 0) throw new Error("the earlier tests should have left a chat open");
      await chat.locator("button.new-chat").click();
      await ui.waitFor("an empty chat", async () => (await chat.locator("article.turn").count()) === 0, { timeoutMs: 10_000 });
      await chat.locator('button[aria-controls="history"]').click();
      const entries = chat.locator("#history li");
      await entries.first().waitFor({ state: "visible", timeout: 5_000 });
      const countBefore = await entries.count();
      await entries.first().locator("button.history-open").click();
      await ui.waitFor("the earlier chat's turns", async () => (await chat.locator("article.turn").count()) === turnsBefore, { timeoutMs: 10_000 });
      await ui.screenshot("chat-history");
      await entries.first().locator("button.history-delete").click();
      await ui.waitFor("one entry fewer", async () => (await chat.locator("#history li").count()) === countBefore - 1, { timeoutMs: 10_000 });
      // Deleting the open chat leaves a fresh one.
      await ui.waitFor("an empty chat after deleting the open one", async () => (await chat.locator("article.turn").count()) === 0, { timeoutMs: 10_000 });
      await chat.locator('button[aria-controls="history"]').click();
    },
  },
  {
    title: "chat: bidi and invisible characters show as marked escapes in text, inline code, code blocks and link text; the block warns and Copy says so",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 2;
      const turn = await ask(chat, "Say something to DECEIVE me");
      await ui.waitFor("the deceptive answer", async () => ((await turn.locator(".content").textContent()) ?? "").includes("Sign in at"), { timeoutMs: 30_000 });
      await waitIdle(ui, chat);
      const facts = await turn.locator(".content").evaluate((content) => ({
        raw: /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF]/.test(content.textContent ?? ""),
        marks: Array.from(content.querySelectorAll(".invisible-char")).map((node) => node.textContent),
        inlineCode: content.querySelector(":not(pre) > code")?.textContent ?? "",
        linkText: Array.from(content.querySelectorAll(".chat-link")).map((node) => node.textContent),
        realTarget: content.querySelector(".link-real-target")?.textContent ?? "",
        warning: content.querySelector(".code-block .code-warning")?.textContent ?? "",
      }));
      if (facts.raw) throw new Error("a bidi or zero-width character reached the screen unmarked");
      if (facts.inlineCode !== "report<U+202E>txt.exe") throw new Error(`inline code should show the override as a mark: ${JSON.stringify(facts.inlineCode)}`);
      for (const label of ["<U+202E>", "<U+2066>", "<U+2069>", "<U+200B>"]) if (!facts.marks.includes(label)) throw new Error(`${label} is not marked: ${JSON.stringify(facts.marks)}`);
      if (!facts.linkText.includes("pay<U+200B>pal docs")) throw new Error(`link text should show its zero-width space: ${JSON.stringify(facts.linkText)}`);
      if (!facts.realTarget.includes(`127.0.0.1:${fakePort}/phish`)) throw new Error(`the deceptive link should show its real target: ${JSON.stringify(facts.realTarget)}`);
      if (!/4 invisible or bidirectional/.test(facts.warning)) throw new Error(`the code block should warn: ${JSON.stringify(facts.warning)}`);
      // Copy keeps the code as it is and says what it holds.
      await turn.locator(".code-block button.copy").click();
      await ui.waitFor("the copy notice naming the characters", async () => /invisible or bidirectional characters \(U\+202E/.test((await chat.locator(".notice").textContent()) ?? ""), { timeoutMs: 10_000 });
      const copied = await ui.page.evaluate(() => navigator.clipboard.readText()).catch(() => undefined);
      if (copied !== undefined && !copied.includes("\u202E")) throw new Error("Copy should keep the code exactly, controls included");
      await screenshotInThemes(ui, "chat-invisible");
    },
  },
  {
    title: "chat: outside links open only after Hearth asks (loopback too), remembering a host when told; refused links show their target and say why",
    modes: ["trusted"],
    timeoutMs: 150_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 2;
      const turn = await ask(chat, "Show me LINKS");
      await ui.waitFor("the links answer", async () => ((await turn.locator(".content").textContent()) ?? "").includes("Bare:"), { timeoutMs: 30_000 });
      await waitIdle(ui, chat);
      const picker = ui.page.locator(".quick-input-widget");
      // VS Code opens an outside link in a new browser page (a localhost one through its port forwarding).
      const opened: Page[] = [];
      const onPage = (page: Page): void => void opened.push(page);
      ui.page.context().on("page", onPage);
      const gets = (): number => opened.length;
      try {
        // 1. Cancel: nothing opens, and the panel says so.
        await turn.locator(".chat-link", { hasText: "local docs" }).click();
        await picker.waitFor({ state: "visible", timeout: 10_000 });
        const title = (await picker.textContent()) ?? "";
        if (!title.includes(`http://127.0.0.1:${fakePort}/docs/page`) || !title.includes("server on this machine")) throw new Error(`the confirmation should name the whole target and say it is this machine: ${JSON.stringify(title)}`);
        await ui.screenshot("chat-link-confirm");
        // The click left the keyboard in the chat's webview: put it in the picker before Escape.
        await picker.locator(".quick-input-box input").focus();
        await ui.page.keyboard.press("Escape");
        await ui.waitFor("the 'did not open' notice", async () => ((await chat.locator(".notice").textContent()) ?? "").includes("Did not open"), { timeoutMs: 10_000 });
        if (gets() !== 0) throw new Error("the link opened although the confirmation was cancelled");
        // 2. Open and remember the host: it opens; the next click on that host opens without asking.
        await turn.locator(".chat-link", { hasText: "local docs" }).click();
        await picker.waitFor({ state: "visible", timeout: 10_000 });
        // Chosen with the mouse: typed keys went to the webview once on 1.139.1 (the keyboard stays
        // where the link was clicked), and the picker waited with nothing chosen.
        await picker.locator(".monaco-list-row", { hasText: "do not ask again" }).first().click();
        await ui.waitFor("the loopback page to be requested", () => gets() === 1, { timeoutMs: 15_000 });
        // The opened page took the front; click in the workbench as a user would, after coming back to it.
        await ui.page.bringToFront();
        await turn.locator(".chat-link", { hasText: "local docs" }).click();
        await ui.waitFor("a second open without a question", () => {
          if (gets() === 2) return true;
          return picker.isVisible().then((asked) => {
            if (asked) throw new Error(`Hearth asked again about a remembered host: ${opened.length} page(s) opened`);
            return false;
          });
        }, { timeoutMs: 15_000 });
        if (await picker.isVisible()) throw new Error("a remembered host should not be asked about again");
        // 3. A refused link keeps its target visible, has a tooltip, and says why when clicked.
        const refused = turn.locator(".blocked-link", { hasText: "run it" });
        const shown = (await refused.textContent()) ?? "";
        if (!shown.includes("command:workbench.action.terminal.new")) throw new Error(`the refused target should stay visible: ${JSON.stringify(shown)}`);
        if (((await refused.getAttribute("title")) ?? "").trim() === "") throw new Error("the refused link has an empty tooltip");
        await refused.click();
        await ui.waitFor("the refusal explained", async () => /did not open the link .*command: links are not opened/.test((await chat.locator(".notice").textContent()) ?? ""), { timeoutMs: 10_000 });
        if ((await ui.page.locator(".terminal-wrapper, .terminal-tabs-entry").count()) > 0) throw new Error("a command: link opened a terminal");
        await screenshotInThemes(ui, "chat-links");
      } finally {
        ui.page.context().off("page", onPage);
        for (const page of opened) await page.close().catch(() => undefined);
        await ui.page.bringToFront();
      }
    },
  },
  {
    title: "chat: workspace paths with a line open the file there; autolinks stop at punctuation; images are placeholders; notices clear",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 2;
      const turn = await ask(chat, "More LINKS please");
      await ui.waitFor("the links answer", async () => ((await turn.locator(".content").textContent()) ?? "").includes("Bare:"), { timeoutMs: 30_000 });
      await waitIdle(ui, chat);
      const facts = await turn.locator(".content").evaluate((content) => ({
        links: Array.from(content.querySelectorAll<HTMLElement>(".chat-link")).map((node) => [node.textContent, node.dataset.href]),
        image: content.querySelector(".image-placeholder")?.textContent ?? "",
        images: content.querySelectorAll("img").length,
      }));
      const targets = facts.links.map(([, href]) => href);
      for (const expected of ["hello.py:2", "src/greet.ts:3:5", "https://example.com/one", "https://example.com/two", "https://example.com/three"]) {
        if (!targets.includes(expected)) throw new Error(`${expected} should be a link: ${JSON.stringify(facts.links)}`);
      }
      if (facts.images !== 0 || !facts.image.includes("diagram of the flow") || !facts.image.includes("https://example.com/flow.png")) throw new Error(`the image should be a placeholder with its alt text and target: ${JSON.stringify(facts)}`);
      // [x](hello.py:2) opens hello.py at line 2.
      await turn.locator(".chat-link", { hasText: "the greeting" }).click();
      await ui.page.locator('.tabs-container .tab.active[data-resource-name="hello.py"]').waitFor({ state: "visible", timeout: 15_000 });
      await ui.waitFor("the cursor on line 2", async () => /Ln 2, Col 1\b/.test((await ui.page.locator(".statusbar").textContent()) ?? ""), { timeoutMs: 10_000 });
      // src/greet.ts:3:5 opens at line 3, column 5.
      await turn.locator(".chat-link", { hasText: "src/greet.ts:3:5" }).click();
      await ui.page.locator('.tabs-container .tab.active[data-resource-name="greet.ts"]').waitFor({ state: "visible", timeout: 15_000 });
      await ui.waitFor("the cursor on line 3, column 5", async () => /Ln 3, Col 5\b/.test((await ui.page.locator(".statusbar").textContent()) ?? ""), { timeoutMs: 10_000 });
      // Insert gives feedback, and the notice line clears by itself.
      await ask(chat, "Some CODE to insert");
      await waitIdle(ui, chat);
      await assistantTurns(chat).last().locator(".code-block button.insert").click();
      await ui.waitFor("Insert's notice", async () => ((await chat.locator(".notice").textContent()) ?? "").includes("Inserted the code block into greet.ts"), { timeoutMs: 10_000 });
      await ui.waitFor("the notice to clear", async () => ((await chat.locator(".notice").textContent()) ?? "") === "", { timeoutMs: 20_000 });
      const lines = ui.page.locator(".editor-instance .monaco-editor .view-lines").first();
      await lines.click();
      await ui.page.keyboard.press("Control+Z");
      await ui.waitFor("the insert undone", async () => !((await lines.textContent()) ?? "").includes(CODE_MARK), { timeoutMs: 10_000 });
    },
  },
  {
    title: "chat: nested answers deeper than the parser's limit say so and show their text",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 0;
      const turn = await ask(chat, "Something NESTED");
      await waitIdle(ui, chat);
      await turn.locator(".render-note").waitFor({ state: "visible", timeout: 30_000 });
      const note = (await turn.locator(".render-note").textContent()) ?? "";
      if (!note.includes("nests deeper")) throw new Error(`the answer should say it nests too deep: ${JSON.stringify(note)}`);
      if (!((await turn.locator(".content").textContent()) ?? "").includes("NESTED-BOTTOM")) throw new Error("the deepest text was dropped");
      await ui.screenshot("chat-nesting");
    },
  },
  {
    title: "chat: very long answers are collapsed after a limit, with Show all; nothing is rendered after Stop",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 0;
      const turn = await ask(chat, "Something HUGE");
      await waitIdle(ui, chat);
      const more = turn.locator(".collapsed-more");
      await more.waitFor({ state: "visible", timeout: 30_000 });
      const before = ((await turn.locator(".content").textContent()) ?? "").length;
      if (((await turn.locator(".content").textContent()) ?? "").includes("HUGE-END")) throw new Error("the end of a very long answer should be collapsed");
      await ui.screenshot("chat-collapsed");
      await more.locator("button.show-all").click();
      await ui.waitFor("the whole answer after Show all", async () => ((await turn.locator(".content").textContent()) ?? "").includes("HUGE-END"), { timeoutMs: 60_000 });
      const after = ((await turn.locator(".content").textContent()) ?? "").length;
      if (after < before * 2) throw new Error(`Show all should render the rest: ${before} → ${after} characters`);
      // Stop: what was on screen when Stop was pressed is all there ever is.
      fake!.pieceDelayMs = 20;
      const stopped = await ask(chat, "Write something LONG again");
      await ui.waitFor("the answer to start streaming", async () => ((await stopped.locator(".content").textContent()) ?? "").includes("word5"), { timeoutMs: 30_000 });
      await chat.locator("button.stop").click();
      const atStop = await stopped.locator(".content").evaluate((node) => (node.textContent ?? "").length);
      await stopped.locator(".turn-stopped").waitFor({ state: "visible", timeout: 10_000 });
      await waitIdle(ui, chat);
      await ui.page.waitForTimeout(500);
      const later = await stopped.locator(".content").evaluate((node) => (node.textContent ?? "").length);
      if (later > atStop) throw new Error(`text was rendered after Stop: ${atStop} → ${later} characters`);
    },
  },
  {
    title: "chat: code blocks and tables follow the theme without the default band; the chat view is taller than the Model view",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const chat = await openChat(ui);
      await ensureFake(ui);
      fake!.pieceDelayMs = 1;
      const turn = await ask(chat, "A table and code in THEME colours");
      await turn.locator(".code-block pre code").waitFor({ state: "visible", timeout: 30_000 });
      await waitIdle(ui, chat);
      const style = await turn.locator(".content").evaluate((content) => {
        const code = getComputedStyle(content.querySelector(".code-block pre code")!);
        const th = getComputedStyle(content.querySelector("th")!);
        return { codeBackground: code.backgroundColor, codePadding: code.paddingLeft, thWrap: th.whiteSpace };
      });
      if (!/rgba\(0, 0, 0, 0\)|transparent/.test(style.codeBackground) || style.codePadding !== "0px") throw new Error(`code lines in a block should have no band: ${JSON.stringify(style)}`);
      if (style.thWrap !== "nowrap") throw new Error(`table headers should not wrap: ${JSON.stringify(style)}`);
      const chatPane = await ui.page.locator(".pane", { hasText: "Chat" }).last().boundingBox();
      const modelPane = await ui.page.locator(".pane", { hasText: "Model" }).first().boundingBox();
      if (chatPane !== null && modelPane !== null && chatPane.height <= modelPane.height) throw new Error(`the chat view should start taller than the Model view: ${chatPane.height} vs ${modelPane.height}`);
      await screenshotInThemes(ui, "chat-theme");
    },
  },
  {
    title: "chat: (cleanup) back to the local server and the default theme",
    modes: ["trusted"],
    timeoutMs: 60_000,
    async run(ui) {
      // Every step is bounded and named: this cleanup once ran past its time in CI with no
      // word of which step hung.
      fs.rmSync(path.join(ui.workspace, ".vscode", "settings.json"), { force: true });
      if (fake !== undefined) await withTimeout(fake.stop(), 10_000, "the fake server did not stop within 10 s");
      fake = undefined;
      await ui.waitFor("the default theme again", async () => (await ui.page.locator(".monaco-workbench.hc-black").count()) === 0, { timeoutMs: 15_000 });
      // Leave the side bar on the Explorer, as a pass starts.
      await withTimeout(runCommand(ui, "View: Show Explorer"), 20_000, "View: Show Explorer did not run within 20 s");
      await ui.page.locator(".sidebar .composite.title", { hasText: /explorer/i }).first().waitFor({ state: "visible", timeout: 10_000 });
    },
  },
]);
