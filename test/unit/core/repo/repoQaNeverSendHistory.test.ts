// Follow-up repository questions carry the earlier answers, and an answer made on this machine
// may quote a neverSend file of its pack: the conversation then stays here, even when a later
// pack for the cloud would leave that file out. The same for @repo in the chat, both ways (a
// chat answer about a neverSend file before an @repo question, an @repo answer before a chat
// question). A real Gateway on the loopback fakes (a local server, a fake OpenAI) and a real
// folder; the policy lets repository questions and chat fall back to the cloud.
import assert from "node:assert/strict";
import { ChatSession, type ToWebview } from "../../../../src/core/chat";
import { isGatewayRefusal } from "../../../../src/core/gateway";
import { MemoryLogger } from "../../../../src/core/logger";
import type { EffectivePolicy } from "../../../../src/core/policy";
import { RepoQa } from "../../../../src/core/repo";
import { GPT, models, startHarness, userPolicy, type Harness } from "../gateway/gatewayHarness";
import { MemoryEditor } from "../edit/memoryEditor";
import { tempTree, type TempTree } from "./repoFixtures";

class MapStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

const CUSTOMERS = "CUSTOMER-LIST-9f2c: Orchid Ledger Ltd, seat 4471\n";
const MARKER = "CUSTOMER-LIST-9f2c";
/** The local model's answer: it quotes the neverSend file of its pack. */
const LOCAL_ANSWER = `The customers are in customers/list.csv:1 (${CUSTOMERS.trim()}).`;

function policyFor(neverSend: string[]): EffectivePolicy {
  const cloud = { route: "cloud" as const, cloudAccess: "allow" as const, cloudModels: models(GPT) };
  return userPolicy({ features: { repoQuestion: cloud, chat: cloud }, neverSend });
}

describe("repository questions and neverSend: a conversation answered here from a neverSend file stays here", function () {
  this.timeout(60_000);
  let h: Harness;
  let tree: TempTree;

  before(async () => {
    h = await startHarness();
    tree = tempTree({ "README.md": "# App\n", "src/main.ts": "export const start = () => 1;\n", "customers/list.csv": CUSTOMERS });
  });
  after(async () => {
    await h.stop();
    tree.remove();
  });
  beforeEach(async () => {
    await h.reset();
    h.state.policy = policyFor(["customers/"]);
    h.local.answer = LOCAL_ANSWER;
    h.openai.answer = "From the cloud: see src/main.ts:1.";
  });

  function repoQa(): RepoQa {
    return new RepoQa({
      port: h.gateway().port("repoQuestion"),
      root: tree.root,
      settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 256 }),
      dropFor: () => (path) => h.state.policy.neverSend.matches(path),
      hasRepoTokens: async () => false,
      history: async () => undefined,
    });
  }

  const cloudBodies = (): string => h.openai.requests.map((r) => r.body).join("\n");

  it("a follow-up the gateway would send to the cloud is refused; a new conversation goes, without the file", async () => {
    const qa = repoQa();
    const first = await qa.ask("Who are the customers?");
    assert.equal(first.route, "local");

    h.state.localKnownDown = true;
    await assert.rejects(
      qa.ask("And their seats?"),
      (error: unknown) => isGatewayRefusal(error) && error.code === "neverSend" && /customers\/list\.csv/.test(error.message) && /new repository conversation/.test(error.message),
    );
    assert.equal(h.openai.requests.length, 0, "the earlier answer did not reach the cloud");

    qa.newConversation();
    const fresh = await qa.ask("Where does the app start?");
    assert.equal(fresh.route, "cloud");
    assert.ok(!cloudBodies().includes(MARKER), "the new pack left the file out and there is no history");
  });

  it("a pack without neverSend files does not hold the conversation", async () => {
    h.state.policy = policyFor(["nothing-here/"]);
    const qa = repoQa();
    assert.equal((await qa.ask("Who are the customers?")).route, "local");
    h.state.localKnownDown = true;
    assert.equal((await qa.ask("And their seats?")).route, "cloud");
    assert.ok(cloudBodies().includes(LOCAL_ANSWER), "the history went, as the policy allows");
  });

  describe("in the chat (@repo)", () => {
    let posted: ToWebview[];
    function chatWith(qa: RepoQa): ChatSession {
      posted = [];
      const chat = new ChatSession({ model: h.gateway().port("chat"), editor: new MemoryEditor(), store: new MapStore(), log: new MemoryLogger(), repoSource: () => qa });
      chat.connect((message) => posted.push(message));
      return chat;
    }

    it("an @repo answer made here from a neverSend file keeps the chat here, and the question keeps what its pack drew on", async () => {
      const qa = repoQa();
      const chat = chatWith(qa);
      await chat.attachments.addRepo();
      await chat.send("Who are the customers?");
      assert.equal(chat.current.turns[1].meta?.route, "local");

      h.state.localKnownDown = true;
      await chat.send("Write them a letter.");
      assert.equal(h.openai.requests.length, 0, "the @repo answer did not reach the cloud");
      assert.match(chat.current.turns[3].error ?? "", /customers\/list\.csv is in neverSend/);
      // Of a pack of three files, the chat keeps only the one that must stay here.
      assert.deepEqual(chat.current.turns[0].sources, { folders: [tree.root], paths: ["customers/list.csv"] });
    });

    it("a chat answer about a neverSend file keeps a later @repo question here", async () => {
      const qa = repoQa();
      const chat = chatWith(qa);
      await chat.attachments.addFile({ label: "customers/list.csv", content: CUSTOMERS, folders: [tree.root] });
      await chat.send("Who are they?");
      assert.equal(chat.current.turns[1].meta?.route, "local");

      h.state.localKnownDown = true;
      await chat.attachments.addRepo();
      await chat.send("Where does the app use them?");
      assert.equal(h.openai.requests.length, 0, "the @repo question did not take the chat's answer to the cloud");
      assert.match(chat.current.turns[3].error ?? "", /neverSend/);
      assert.match(chat.current.turns[3].error ?? "", /start a new chat/);
    });
  });
});
