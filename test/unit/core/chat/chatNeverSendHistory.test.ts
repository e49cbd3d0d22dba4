// A conversation keeps what it drew on: an answer made on this machine from a neverSend file
// never leaves it later with the chat's history (the model quotes what it read), and every
// folder an earlier question named is named again, so the strictest policy applies. On a real
// Gateway with the loopback fakes (a local server, a fake OpenAI); the policy allows chat to
// fall back to the cloud whenever the local model cannot serve.
import assert from "node:assert/strict";
import { ChatSession, type ChatSessionDeps, type ToWebview } from "../../../../src/core/chat";
import { MemoryLogger } from "../../../../src/core/logger";
import { strictestPolicy, type EffectivePolicy } from "../../../../src/core/policy";
import { GPT, models, startHarness, userPolicy, type Harness } from "../gateway/gatewayHarness";
import { MemoryEditor } from "../edit/memoryEditor";

class MapStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

const FOLDER_A = "file:///work/a";
const FOLDER_B = "file:///work/b";
const ENV = "INTERNAL_DB_HOST=db7.prod.corp.internal\nLICENSE_SEAT_ID=seat-4471-orchid-ledger\n";
/** The local model's answer about .env: it quotes the file, as models do. */
const LOCAL_ANSWER = "It sets INTERNAL_DB_HOST=db7.prod.corp.internal and LICENSE_SEAT_ID=seat-4471-orchid-ledger.";
const MARKERS = ["db7.prod.corp.internal", "seat-4471-orchid-ledger"];

const cloudPolicy = (neverSend: string[] = [".env"]): EffectivePolicy => userPolicy({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } }, neverSend });

describe("chat history and neverSend: what an answer made here drew on stays here", function () {
  this.timeout(30_000);
  let h: Harness;
  let posted: ToWebview[];

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    h.state.policy = cloudPolicy();
    h.openai.answer = "From the cloud.";
    posted = [];
  });

  function session(overrides: Partial<ChatSessionDeps> = {}, store = new MapStore()): ChatSession {
    const chat = new ChatSession({ model: h.gateway().port("chat"), editor: new MemoryEditor(), store, log: new MemoryLogger(), ...overrides });
    chat.connect((message) => posted.push(message));
    return chat;
  }

  const notices = (): string[] => posted.flatMap((m) => (m.type === "notice" ? [m.message] : []));
  const cloudBodies = (): string => h.openai.requests.map((r) => r.body).join("\n");
  const leaked = (): string[] => MARKERS.filter((marker) => cloudBodies().includes(marker));

  /** Turn 1: .env attached, answered by the local model (local first), which quotes it. */
  async function askAboutEnv(chat: ChatSession): Promise<void> {
    h.local.answer = LOCAL_ANSWER;
    await chat.attachments.addFile({ label: ".env", content: ENV, folders: [FOLDER_A] });
    await chat.send("What does this configure?");
    const [, answer] = chat.current.turns;
    assert.equal(answer.meta?.route, "local", "turn 1 was answered on this machine");
    assert.equal(answer.text, LOCAL_ANSWER);
    assert.equal(h.openai.requests.length, 0);
  }

  it("a later question the gateway would send to the cloud (local model down) is refused, not sent with the answer about .env", async () => {
    const chat = session();
    await askAboutEnv(chat);

    h.state.localKnownDown = true;
    await chat.send("Summarise what we discussed.");

    assert.equal(h.openai.requests.length, 0, "nothing reached the cloud");
    assert.deepEqual(leaked(), []);
    assert.deepEqual((await h.audit.read()).entries, [], "nothing left, so nothing is on record as leaving");
    const answer = chat.current.turns[3];
    assert.match(answer.error ?? "", /\.env is in neverSend/, "the gateway names the file that keeps the chat here");
    assert.match(answer.error ?? "", /start a new chat/, "and the chat says how to go on");
  });

  it("also when the local model fails only once called: the gateway's fallback to the cloud is refused too", async () => {
    const chat = session();
    await askAboutEnv(chat);

    // Planned for this machine (nothing says the server is down); the call fails and the gateway decides again.
    h.state.localDown = true;
    await chat.send("And the seat id?");

    assert.equal(h.openai.requests.length, 0, "the fallback did not reach the cloud");
    assert.match(chat.current.turns[3].error ?? "", /neverSend/);
  });

  it("the chat reopened from the history still stays here (what each question drew on is stored with it)", async () => {
    const store = new MapStore();
    await askAboutEnv(session({}, store));

    const reopened = session({}, store);
    const [stored] = reopened.history.list();
    reopened.open(stored.id);
    assert.deepEqual(reopened.current.turns[0].sources, { folders: [FOLDER_A], paths: [".env"] });
    h.state.localKnownDown = true;
    await reopened.send("Go on.");
    assert.equal(h.openai.requests.length, 0);
    assert.match(reopened.current.turns[3].error ?? "", /\.env is in neverSend/);
  });

  it("while the local model serves, the chat goes on here with the whole conversation", async () => {
    const chat = session();
    await askAboutEnv(chat);
    h.local.answer = "Still here.";
    await chat.send("Which host again?");
    const [, , , answer] = chat.current.turns;
    assert.equal(answer.meta?.route, "local");
    assert.match(answer.meta?.reason ?? "", /\.env is in neverSend, so this stays on this machine/, "the turn keeps why it stayed");
    const sent = h.local.requests.filter((r) => r.path.endsWith("/chat/completions")).at(-1)?.body ?? "";
    assert.ok(sent.includes("db7.prod.corp.internal"), "the local model saw its own earlier answer");
  });

  it("a file that is not in neverSend does not hold the chat: the history goes to the cloud when the local model is down", async () => {
    const chat = session();
    h.local.answer = LOCAL_ANSWER;
    await chat.attachments.addFile({ label: "docs/hosts.md", content: ENV, folders: [FOLDER_A] });
    await chat.send("What does this configure?");
    assert.equal(chat.current.turns[1].meta?.route, "local");
    h.state.localKnownDown = true;
    await chat.send("Summarise.");
    assert.equal(h.openai.requests.length, 1);
    assert.equal(chat.current.turns[3].meta?.route, "cloud");
    assert.ok(cloudBodies().includes("db7.prod.corp.internal"), "the earlier answer went with it, as the policy allows");
  });

  it("a .env answered in the cloud (the file left out) does not hold the chat; a new chat is not held by an old one", async () => {
    h.state.localKnownDown = true;
    const chat = session();
    await chat.attachments.addFile({ label: ".env", content: ENV, folders: [FOLDER_A] });
    await chat.send("What does this configure?");
    assert.equal(chat.current.turns[1].meta?.route, "cloud");
    assert.deepEqual(leaked(), [], "the gateway left .env out");
    await chat.send("And then?");
    assert.equal(chat.current.turns[3].meta?.route, "cloud", "the cloud answer never saw .env: nothing to hold");

    h.state.localKnownDown = false;
    h.openai.reset();
    await chat.newChat();
    await askAboutEnv(chat);
    h.state.localKnownDown = true;
    await chat.newChat();
    await chat.send("Something else entirely.");
    assert.equal(chat.current.turns[1].meta?.route, "cloud");
    assert.deepEqual(leaked(), []);
  });

  it("a later question with a file of another folder names the first folder too: its stricter policy applies", async () => {
    // Folder A keeps chat on this machine; folder B lets it go to the cloud.
    const perFolder: Record<string, EffectivePolicy> = { [FOLDER_A]: userPolicy(), [FOLDER_B]: cloudPolicy([]) };
    const named: string[][] = [];
    const gateway = h.gateway({
      policy: (request) => {
        named.push([...(request.folders ?? [])]);
        return strictestPolicy((request.folders ?? []).map((f) => perFolder[f] ?? userPolicy())) ?? userPolicy();
      },
    });
    const chat = session({ model: gateway.port("chat") });
    h.local.answer = "Folder A's secret plan: PLAN-ALPHA-7731.";
    await chat.attachments.addFile({ label: "plan.md", content: "PLAN-ALPHA-7731\n", folders: [FOLDER_A] });
    await chat.send("Summarise the plan.");
    assert.equal(chat.current.turns[1].meta?.route, "local");

    h.state.localKnownDown = true;
    await chat.attachments.addFile({ label: "notes.md", content: "nothing much\n", folders: [FOLDER_B] });
    await chat.send("Compare with these notes.");
    assert.equal(h.openai.requests.length, 0, "folder A's history did not leave under folder B's policy");
    assert.ok(!cloudBodies().includes("PLAN-ALPHA-7731"));
    assert.deepEqual(named.at(-1)?.sort(), [FOLDER_A, FOLDER_B], "the request named both folders");
    assert.match(chat.current.turns[3].error ?? "", /on this machine/);

    // A question without files names the conversation's folder, not every folder (nor none).
    h.state.localKnownDown = false;
    h.local.answer = "Fine.";
    await chat.send("Thanks.");
    assert.deepEqual(named.at(-1)?.sort(), [FOLDER_A, FOLDER_B]);
  });

  it("Explain's answer about .env, made here, holds the chat when Explain names the file", async () => {
    const chat = session();
    h.local.answer = LOCAL_ANSWER;
    const explained = await h
      .gateway()
      .port("edit")
      .run({ folders: [FOLDER_A], embeddedPaths: [".env"] }, () => ({ messages: [{ role: "user", content: `Explain:\n${ENV}` }] }));
    const external = await chat.beginExternal("Explanation: .env", { folders: [FOLDER_A], paths: [".env"] });
    external.append(LOCAL_ANSWER);
    assert.equal(explained.route, "local", "Explain itself was kept here by neverSend");
    external.answeredBy(explained);
    await external.end();
    assert.equal(chat.current.turns[1].meta?.route, "local");

    h.state.localKnownDown = true;
    await chat.send("What else should I know?");
    assert.equal(h.openai.requests.length, 0);
    assert.match(chat.current.turns[3].error ?? "", /\.env is in neverSend/);
  });

  it("an answer made here that does not say what it drew on (Explain without a source, a chat saved before sources were kept) is left out, and the chat says so", async () => {
    const store = new MapStore();
    const legacy = {
      id: "legacy-chat",
      title: "old",
      createdAt: 1,
      updatedAt: 2,
      thinking: false,
      turns: [
        { id: "u1", role: "user", text: "Explain .env" },
        { id: "a1", role: "assistant", text: LOCAL_ANSWER, meta: { route: "local", provider: "local", model: "qwen" } },
      ],
    };
    await store.update("hearth.chat.history", [legacy]);
    const chat = session({}, store);
    chat.open("legacy-chat");
    const external = await chat.beginExternal("Explanation: config.ts");
    external.append("It reads PLAN-BETA-0042 from the environment.");
    external.answeredBy({ text: "", route: "local", provider: "local", model: "qwen", reason: "Runs on this machine", dropped: [], redactions: 0 });
    await external.end();

    h.state.localKnownDown = true;
    await chat.send("What next?");
    assert.equal(h.openai.requests.length, 1, "the question itself went");
    assert.deepEqual(leaked(), [], "the legacy answer stayed here");
    assert.ok(!cloudBodies().includes("PLAN-BETA-0042"), "the unnamed Explain answer stayed here");
    assert.ok(notices().some((n) => /^2 earlier answers made on this machine were left out/.test(n)), notices().join(" | "));
  });

  it("an old chat (turns without sources) keeps its history where nothing can leave (the all-local default), and leaves it out where a fallback could", async () => {
    const store = new MapStore();
    const legacy = {
      id: "legacy-chat",
      title: "old",
      createdAt: 1,
      updatedAt: 2,
      thinking: false,
      turns: [
        { id: "u1", role: "user", text: "Explain .env" },
        { id: "a1", role: "assistant", text: LOCAL_ANSWER, meta: { route: "local", provider: "local", model: "qwen" } },
      ],
    };
    await store.update("hearth.chat.history", [legacy]);
    const localBodies = (): string[] => h.local.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.body);

    h.state.policy = userPolicy();
    const chat = session({}, store);
    chat.open("legacy-chat");
    // The new answer quotes the old one, as models do: it cannot be judged either.
    h.local.answer = "That was db7.prod.corp.internal.";
    await chat.send("Which host was that?");
    assert.equal(chat.current.turns[3].meta?.route, "local");
    assert.ok(localBodies().at(-1)?.includes(LOCAL_ANSWER), "the local model saw the earlier answer");
    assert.deepEqual(notices(), [], "nothing was left out, so nothing is said");
    assert.equal(chat.current.turns[2].sources?.unnamed, true, "a question sent with an answer that cannot be judged cannot be judged");

    // The policy lets chat fall back to the cloud: planned here, the prompt may still leave when the local model fails.
    h.state.policy = cloudPolicy();
    h.local.answer = "I cannot tell from here.";
    await chat.send("And the seat id?");
    assert.equal(chat.current.turns[5].meta?.route, "local");
    assert.ok(!localBodies().at(-1)?.includes("db7.prod.corp.internal"), "built without the answers that cannot be judged");
    assert.equal(notices().length, 1, notices().join(" | "));
    assert.match(notices()[0], /^2 earlier answers made on this machine were left out/);

    // And so it is when the local model fails only once called: the fallback carries none of it.
    h.state.localDown = true;
    await chat.send("Summarise.");
    assert.equal(chat.current.turns[7].meta?.route, "cloud");
    assert.deepEqual(leaked(), []);
  });
});
