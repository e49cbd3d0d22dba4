// A gateway wired to loopback fakes for every route: a fake local server, a fake self-hosted
// endpoint, fake OpenAI and fake Anthropic, each recording what it receives, and an audit
// log in a temporary directory.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, UsageLedger } from "../../../../src/core/audit";
import { Gateway, InMemoryConsentMemory, type ConsentAnswer, type GatewayOptions, type PayloadSummary } from "../../../../src/core/gateway";
import {
  applyUserOverrides,
  parseCloudModel,
  resolveEffectivePolicy,
  type CloudModel,
  type EffectivePolicy,
  type Feature,
  type FeatureRuleOverride,
} from "../../../../src/core/policy";
import { AnthropicProvider, LocalProvider, OpenAiProvider, SECRET_KEYS, SelfHostedProvider, type CallLimits, type SecretSource } from "../../../../src/core/providers";
import { FakeAnthropic, FakeOpenAi, closedPortUrl, type FakeCloudServer } from "../../../support/fakeCloud";

export const OPENAI_KEY = "sk-test-openai-harness";
export const ANTHROPIC_KEY = "sk-ant-test-harness";
export const GPT = "openai:gpt-4o-mini";
export const HAIKU = "anthropic:claude-haiku-4-5";
const FAST: Partial<CallLimits> = { firstTokenTimeoutMs: 2_000, idleTimeoutMs: 2_000, maxRetries: 1, backoffMs: 5, maxBackoffMs: 10 };

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function models(...keys: string[]): CloudModel[] {
  return keys.map((key) => {
    const parsed = parseCloudModel(key);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.value;
  });
}

/** An effective policy from user settings alone (a trusted workspace without a policy file). */
export function userPolicy(settings: { features?: Partial<Record<Feature, FeatureRuleOverride>>; neverSend?: string[]; redactSecrets?: boolean } = {}): EffectivePolicy {
  const userDefaults = applyUserOverrides({ features: settings.features ?? {}, neverSend: settings.neverSend ?? [], redactSecrets: settings.redactSecrets });
  return resolveEffectivePolicy({ userDefaults, trusted: true, consents: new Set() });
}

export class ScriptedConsent {
  answers: ConsentAnswer[] = [];
  readonly seen: { summary: PayloadSummary; cloudRequestsAtAsk: number }[] = [];
  constructor(private readonly cloudRequests: () => number) {}

  async ask(summary: PayloadSummary): Promise<ConsentAnswer> {
    this.seen.push({ summary, cloudRequestsAtAsk: this.cloudRequests() });
    return this.answers.shift() ?? "local";
  }
}

export interface Harness {
  readonly local: FakeOpenAi;
  readonly selfHosted: FakeOpenAi;
  readonly openai: FakeOpenAi;
  readonly anthropic: FakeAnthropic;
  readonly dir: string;
  readonly audit: AuditLog;
  readonly usage: UsageLedger;
  readonly consent: ScriptedConsent;
  readonly memory: InMemoryConsentMemory;
  readonly downUrl: string;
  /** Mutable knobs read on every call. */
  readonly state: {
    policy: EffectivePolicy;
    /** The local server refuses connections (the gateway finds out by calling). */
    localDown: boolean;
    /** The supervisor already knows the server cannot run (LocalModelStatus.isAvailable says no). */
    localKnownDown: boolean;
    localContextTokens: number | undefined;
    selfHostedConfigured: boolean;
    keys: Record<string, string>;
  };
  gateway(overrides?: Partial<GatewayOptions>): Gateway;
  /** Requests received by everything that is not this machine. */
  egressRequests(): number;
  offMachine(): FakeCloudServer[];
  /** Back to a fresh state: no requests, no audit entries, no usage, the built-in policy. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [local, selfHosted, openai, anthropic] = await Promise.all([new FakeOpenAi().start(), new FakeOpenAi().start(), new FakeOpenAi().start(), new FakeAnthropic().start()]);
  local.answer = "A local answer from this machine.";
  selfHosted.answer = "An answer from the team's GPU box.";
  openai.apiKey = OPENAI_KEY;
  anthropic.apiKey = ANTHROPIC_KEY;
  const dir = await mkdtemp(join(tmpdir(), "hearth-gateway-"));
  const downUrl = await closedPortUrl();
  const state: Harness["state"] = {
    policy: userPolicy(),
    localDown: false,
    localKnownDown: false,
    localContextTokens: undefined,
    selfHostedConfigured: false,
    keys: { [SECRET_KEYS.openai]: OPENAI_KEY, [SECRET_KEYS.anthropic]: ANTHROPIC_KEY },
  };
  const secrets: SecretSource = { get: (key) => state.keys[key] };
  const audit = new AuditLog({ dir });
  const usage = new UsageLedger({ dir, flushAfterMs: 0 });
  const offMachine = (): FakeCloudServer[] => [selfHosted, openai, anthropic];
  const egressRequests = (): number => offMachine().reduce((n, f) => n + f.requests.length, 0);
  const consent = new ScriptedConsent(egressRequests);
  const memory = new InMemoryConsentMemory();

  return {
    local,
    selfHosted,
    openai,
    anthropic,
    dir,
    audit,
    usage,
    consent,
    memory,
    downUrl,
    state,
    egressRequests,
    offMachine,
    gateway(overrides = {}) {
      return new Gateway({
        policy: () => state.policy,
        providers: {
          local: new LocalProvider({ endpoint: async () => ({ baseUrl: state.localDown ? downUrl : local.baseUrl, token: "local-token" }), limits: { ...FAST, maxRetries: 0 } }),
          selfHosted: new SelfHostedProvider({ endpoint: () => (state.selfHostedConfigured ? { baseUrl: selfHosted.baseUrl, model: "team-coder" } : undefined), secrets, limits: FAST }),
          openai: new OpenAiProvider({ secrets, baseUrl: openai.baseUrl, limits: FAST }),
          anthropic: new AnthropicProvider({ secrets, baseUrl: anthropic.baseUrl, limits: FAST }),
        },
        localStatus: { isAvailable: () => !state.localKnownDown, contextTokens: () => state.localContextTokens },
        consent,
        consentMemory: memory,
        audit,
        usage,
        workspace: "test-workspace",
        ...overrides,
      });
    },
    async reset() {
      await usage.flush();
      await Promise.all([rm(audit.path, { force: true }), rm(usage.path, { force: true })]);
      for (const fake of [local, ...offMachine()]) fake.reset();
      consent.answers = [];
      consent.seen.length = 0;
      memory.keys.clear();
      state.policy = userPolicy();
      state.localDown = false;
      state.localKnownDown = false;
      state.localContextTokens = undefined;
      state.selfHostedConfigured = false;
    },
    async stop() {
      await Promise.all([local.stop(), ...offMachine().map((f) => f.stop())]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
