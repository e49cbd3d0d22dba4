// The chat view benchmark's browser side (npm run bench:chatview runs it; a normal test run
// skips it: it runs only when HEARTH_BENCH_CHATVIEW_OUT names where its figures go). A
// loopback OpenAI-compatible server streams a 1 MB Markdown answer in small pieces; while
// it streams, keys are typed into the chat input and the webview's own frame records, for
// each key, keydown → the frame that shows it, and every gap between animation frames
// (and long tasks, where Chromium reports them). A second answer is stopped midway: time
// from the Stop click to idle, and how much text was rendered after it.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { FrameLocator } from "playwright-core";
import { defineUiTests, type UiContext } from "../harness/ui";
import { openChat, send, setWorkspaceSetting, waitIdle } from "./chatPanel";

const OUT = process.env.HEARTH_BENCH_CHATVIEW_OUT;
const ANSWER_BYTES = Number(process.env.HEARTH_BENCH_CHATVIEW_BYTES ?? 1_000_000);
const STREAM_SECONDS = Number(process.env.HEARTH_BENCH_CHATVIEW_SECONDS ?? 12);
const STOP_AFTER_MS = 6_000;
const FINISH_LIMIT_MS = 120_000;

/** A Markdown answer of about `bytes`: paragraphs, lists, inline code and fenced code, as models write. */
export function bigAnswer(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const block =
      i % 4 === 0
        ? `## Part ${i}\n\nThe function \`handle${i}\` reads the request, checks **each field** and returns early when _nothing_ changed; see [the docs](https://example.com/docs/${i}) and src/greet.ts:${(i % 5) + 1}.\n\n`
        : i % 4 === 1
          ? `- first point about item ${i}\n- second point, with \`code${i}\`\n- third point, longer, to wrap across the line in a narrow side bar\n\n`
          : i % 4 === 2
            ? `\`\`\`ts\nexport function handle${i}(input: string): number {\n  const parts = input.split(",");\n  return parts.length * ${i};\n}\n\`\`\`\n\n`
            : `Paragraph ${i}: ${"plain words follow one another at a steady pace ".repeat(4)}end.\n\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join("");
}

/** Streams each answer in word-sized SSE deltas, paced to take about STREAM_SECONDS. */
class PacedServer {
  private server: http.Server | undefined;
  readonly requests: string[] = [];
  disconnects = 0;
  constructor(private readonly text: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for await (const _chunk of req) {
      // the question does not matter: every request gets the same answer
    }
    this.requests.push(`${req.method} ${req.url}`);
    if (req.method !== "POST" || !(req.url ?? "").startsWith("/v1/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
      return;
    }
    const pieces = this.text.match(/\s*\S+/g) ?? [];
    const frame = (delta: object, finish: string | null = null): string => `data: ${JSON.stringify({ id: "bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(frame({ role: "assistant", content: "" }));
    let closed = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        closed = true;
        this.disconnects++;
      }
    });
    const tickMs = 10;
    const perTick = Math.max(1, Math.ceil(pieces.length / ((STREAM_SECONDS * 1000) / tickMs)));
    for (let i = 0; i < pieces.length && !closed; i += perTick) {
      res.write(pieces.slice(i, i + perTick).map((piece) => frame({ content: piece })).join(""));
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
    if (closed) return;
    res.write(frame({}, "stop"));
    res.end("data: [DONE]\n\n");
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

interface FrameProbe {
  latencies: number[];
  gaps: number[];
  longTasks: number[];
  stopAt?: number;
  lastMutation: number;
  /** What the last change of the log was (element classes and mutation kind), to tell what came late. */
  lastMutationWhat?: string;
  renderedAtStop?: number;
}

/** Installs the monitors in the webview's own document (fresh arrays each time). */
async function installProbe(chat: FrameLocator): Promise<void> {
  // tsx keeps function names with a `__name` helper that the page does not have.
  await chat.locator("body").evaluate(() => void ((window as unknown as Record<string, unknown>).__name = (fn: unknown) => fn));
  await chat.locator("body").evaluate(() => {
    const w = window as unknown as { __bench?: FrameProbe; __benchInstalled?: boolean };
    const probe: FrameProbe = { latencies: [], gaps: [], longTasks: [], lastMutation: performance.now() };
    w.__bench = probe;
    if (w.__benchInstalled === true) return;
    w.__benchInstalled = true;
    let last = performance.now();
    const tick = (now: number): void => {
      w.__bench!.gaps.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__bench!.longTasks.push(entry.duration);
      }).observe({ type: "longtask", buffered: false });
    } catch {
      // no long-task reports in this browser: the frame gaps still tell
    }
    const input = document.querySelector("textarea#input")!;
    let pressed: number | undefined;
    input.addEventListener("keydown", (event) => (pressed = event.timeStamp), true);
    input.addEventListener("input", () => {
      const from = pressed;
      pressed = undefined;
      if (from === undefined) return;
      // The frame that paints the new value: after its animation-frame callbacks.
      requestAnimationFrame(() => setTimeout(() => w.__bench!.latencies.push(performance.now() - from), 0));
    });
    const stop = document.querySelector("button.stop")!;
    stop.addEventListener("pointerdown", () => {
      w.__bench!.stopAt = performance.now();
      const turns = document.querySelectorAll("article.turn.assistant .content");
      w.__bench!.renderedAtStop = (turns[turns.length - 1]?.textContent ?? "").length;
    }, true);
    new MutationObserver((records) => {
      w.__bench!.lastMutation = performance.now();
      const record = records[records.length - 1];
      const node = record?.target instanceof Element ? record.target : record?.target.parentElement;
      const added = record?.addedNodes[0];
      w.__bench!.lastMutationWhat = `${record?.type} on ${node?.className ?? "?"}${added instanceof Element ? ` (+${added.className})` : ""}`;
    }).observe(document.querySelector(".messages")!, { childList: true, subtree: true, characterData: true });
  });
}

const readProbe = (chat: FrameLocator): Promise<FrameProbe> => chat.locator("body").evaluate(() => (window as unknown as { __bench: FrameProbe }).__bench);

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number | null | undefined): number | null => (n === null || n === undefined ? null : Math.round(n));

async function typeWhileStreaming(ui: UiContext, chat: FrameLocator, untilMs: number): Promise<number> {
  const input = chat.locator("textarea#input");
  await input.click();
  const started = Date.now();
  let typed = 0;
  while (Date.now() - started < untilMs) {
    await ui.page.keyboard.type(String.fromCharCode(97 + (typed % 26)));
    typed++;
    await ui.page.waitForTimeout(100);
  }
  return typed;
}

export default defineUiTests([
  {
    title: "chat view benchmark: a 1 MB streamed answer (input latency, stalls, Stop to idle)",
    modes: OUT === undefined ? [] : ["trusted"],
    timeoutMs: 400_000,
    async run(ui) {
      const text = bigAnswer(ANSWER_BYTES);
      const server = new PacedServer(text);
      const base = await server.start();
      try {
        const chat = await openChat(ui);
        setWorkspaceSetting(ui, "hearth.server.url", `${base}/v1`);
        const port = new URL(base).port;
        await ui.waitFor("the Model view to show the bench server", () => ui.page.locator(".monaco-list-row", { hasText: port }).first().isVisible(), { timeoutMs: 30_000 });
        await chat.locator("button.new-chat").click();
        await ui.waitFor("an empty chat", async () => (await chat.locator("article.turn").count()) === 0, { timeoutMs: 10_000 });
        await installProbe(chat);

        // 1. The whole answer streams; keys are typed meanwhile.
        const started = Date.now();
        await send(chat, "BENCH one");
        await ui.waitFor("the answer to start", async () => ((await chat.locator("article.turn.assistant .content").last().textContent()) ?? "").length > 0, { timeoutMs: 30_000 });
        const typed = await typeWhileStreaming(ui, chat, (STREAM_SECONDS - 2) * 1000);
        // A view that cannot keep up may never finish: its figures so far still count, then Stop ends it.
        const finished = await waitIdle(ui, chat, FINISH_LIMIT_MS).then(() => true, () => false);
        const streamedMs = Date.now() - started;
        if (!finished) {
          await chat.locator("button.stop").click({ timeout: 60_000 });
          await waitIdle(ui, chat, 120_000);
        }
        await ui.page.waitForTimeout(1000);
        const full = await readProbe(chat);
        await ui.screenshot("bench-chatview-full");
        const renderedChars = await chat.locator("article.turn.assistant .content").last().evaluate((node) => (node.textContent ?? "").length);

        // 2. A second answer, stopped midway.
        await chat.locator("textarea#input").fill("");
        await installProbe(chat);
        await send(chat, "BENCH two");
        await ui.waitFor("the second answer to start", async () => ((await chat.locator("article.turn.assistant .content").last().textContent()) ?? "").length > 0, { timeoutMs: 30_000 });
        await ui.page.waitForTimeout(STOP_AFTER_MS);
        const clicked = Date.now();
        await chat.locator("button.stop").click({ timeout: 60_000 });
        await waitIdle(ui, chat, 120_000);
        await chat.locator("article.turn.assistant").last().locator(".turn-stopped").waitFor({ state: "visible", timeout: 60_000 });
        const idleSeenMs = Date.now() - clicked;
        // Quiet for a second: no more DOM changes in the log.
        await ui.page.waitForTimeout(1000);
        const stopped = await readProbe(chat);
        const stoppedChars = await chat.locator("article.turn.assistant .content").last().evaluate((node) => (node.textContent ?? "").length);
        const result = {
          bench: "chatview",
          answerBytes: text.length,
          streamSeconds: STREAM_SECONDS,
          streamed: { finished, wallMs: streamedMs, keysTyped: typed, keysSeen: full.latencies.length, renderedChars },
          inputLatencyMs: { p50: round(percentile(full.latencies, 50)), p95: round(percentile(full.latencies, 95)), max: round(Math.max(0, ...full.latencies)) },
          longestStallMs: round(Math.max(0, ...full.gaps)),
          longestLongTaskMs: full.longTasks.length > 0 ? round(Math.max(...full.longTasks)) : null,
          framesOver100Ms: full.gaps.filter((gap) => gap > 100).length,
          stop: {
            afterMs: STOP_AFTER_MS,
            // From the Stop press (in the webview) to the last change of the log.
            stopToIdleMs: stopped.stopAt === undefined ? null : round(Math.max(0, stopped.lastMutation - stopped.stopAt)),
            idleSeenByTestMs: idleSeenMs,
            lastChange: stopped.lastMutationWhat ?? null,
            renderedAtStop: stopped.renderedAtStop ?? null,
            renderedAfterStop: stopped.renderedAtStop === undefined ? null : stoppedChars - stopped.renderedAtStop,
            longestStallMs: round(Math.max(0, ...stopped.gaps)),
          },
          targets: { inputLatencyP95Ms: 50, longestStallMs: 100, stopToIdleMs: 200 },
        };
        if (OUT !== undefined) fs.writeFileSync(OUT, JSON.stringify(result, null, 2));
      } finally {
        setWorkspaceSetting(ui, "hearth.server.url", undefined);
        await server.stop();
      }
    },
  },
]);
