// The gateway's object graph in VS Code: the four providers, the effective policy of the
// folder a request is about, the local model's state, the modal consent prompt, consent
// memory in workspace state, the audit log and usage ledger in global storage, and the
// neverSend index of the workspace's files (whose text no request that leaves may carry).
//
// `local` is this machine only. When hearth.server.url names another host, prompts to it
// are egress: that server becomes the `selfHosted` provider (policy-checked, redacted,
// audited, key from "Set API Key for External Server") unless hearth.selfHosted.url names
// another endpoint, and the local route reports itself unavailable.
import * as vscode from "vscode";
import { AuditLog, UsageLedger, type PriceTable } from "../../core/audit";
import { Gateway, type ConsentPrompt, type GatewayRequest, type LocalModelStatus } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import type { EffectivePolicy } from "../../core/policy";
import { AnthropicProvider, DEFAULT_LOCAL_MODEL, LocalProvider, OpenAiProvider, ProviderError, SECRET_KEYS, SelfHostedProvider, type SecretSource, type SelfHostedEndpoint } from "../../core/providers";
import type { ServerEndpoint } from "../../core/server/supervisor";
import { globalString } from "../config";
import { EXTERNAL_API_KEY_SECRET, type ModelService } from "../modelService";
import { NeverSendFiles, urisOfRequest, type PolicyService } from "../policy";
import { READ_ONLY_SCHEMES, ReadOnlyDocuments } from "../readOnlyDocuments";
import { ModalConsentPrompt } from "./consentDialog";
import { FailureNotifier } from "./failureNotifier";
import { hostOf, isLoopbackUrl } from "./loopback";
import { WorkspaceConsentMemory } from "./workspaceConsentMemory";

export interface GatewayDeps {
  readonly log: Logger;
  readonly policy: PolicyService;
  readonly modelService: ModelService;
  /** Prices for the usage view (hearth.usage.prices, hearth.usage.avoidedAt); default: list prices. */
  readonly pricing?: () => { readonly prices: PriceTable; readonly avoidedAt: string };
}

/** What the gateway needs of the extension context (tests hand in their own storage). */
export interface GatewayHost {
  /** context.secrets; only `get` is needed here. */
  readonly secrets: SecretSource;
  /** context.workspaceState: "Always for this workspace". */
  readonly workspaceState: vscode.Memento;
  /** context.globalStorageUri.fsPath: the audit log and usage ledger. */
  readonly storageDir: string;
}

/** For tests only: loopback vendors, and a policy other than the user's. */
export interface GatewayOverrides {
  readonly policy?: (request: GatewayRequest) => EffectivePolicy | PromiseLike<EffectivePolicy>;
  readonly openAiBaseUrl?: string;
  readonly anthropicBaseUrl?: string;
}

export interface GatewayServices extends vscode.Disposable {
  readonly gateway: Gateway;
  readonly audit: AuditLog;
  readonly usage: UsageLedger;
  readonly documents: ReadOnlyDocuments;
  readonly notifier: FailureNotifier;
  readonly consent: ConsentPrompt;
  /** The workspace's neverSend files as the gateway knows them (for the log and tests). */
  readonly neverSendFiles: NeverSendFiles;
}

export function createGateway(host: GatewayHost, deps: GatewayDeps, overrides: GatewayOverrides = {}): GatewayServices {
  const { log, policy, modelService } = deps;
  const documents = new ReadOnlyDocuments(READ_ONLY_SCHEMES.shown);
  const notifier = new FailureNotifier(log);
  const consent = new ModalConsentPrompt(documents);
  const audit = new AuditLog({ dir: host.storageDir });
  const usage = new UsageLedger({ dir: host.storageDir });
  const reported = new Set<string>();
  const neverSendFiles = new NeverSendFiles({ policy, log });

  /** hearth.server.url when it names another machine: then it is egress, not local. */
  const remoteServer = (): { url: string; model?: string } | undefined => {
    const state = modelService.state;
    return state.kind === "external" && !isLoopbackUrl(state.url) ? { url: state.url, model: state.model } : undefined;
  };

  const selfHostedSetting = (): SelfHostedEndpoint | undefined => {
    const url = globalString("selfHosted.url");
    if (url === undefined) return undefined;
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      reportOnce(reported, log, `hearth.selfHosted.url is not an http(s) URL (${JSON.stringify(url)}); the selfHosted route is off.`);
      return undefined;
    }
    return { baseUrl: url.replace(/\/+$/, ""), model: globalString("selfHosted.model") ?? DEFAULT_LOCAL_MODEL };
  };

  const selfHostedEndpoint = (): SelfHostedEndpoint | undefined => {
    const configured = selfHostedSetting();
    const remote = remoteServer();
    if (configured !== undefined) {
      if (remote !== undefined) reportOnce(reported, log, `hearth.server.url (${hostOf(remote.url)}) is another machine and hearth.selfHosted.url is set too; Hearth sends selfHosted requests to hearth.selfHosted.url only.`);
      return configured;
    }
    if (remote === undefined) return undefined;
    return { baseUrl: remote.url, model: remote.model ?? globalString("selfHosted.model") ?? DEFAULT_LOCAL_MODEL };
  };

  // The remote hearth.server.url keeps its own key ("Set API Key for External Server").
  const selfHostedSecrets: SecretSource = {
    get: (key) => (key === SECRET_KEYS.selfHosted && selfHostedSetting() === undefined && remoteServer() !== undefined ? host.secrets.get(EXTERNAL_API_KEY_SECRET) : host.secrets.get(key)),
  };

  const withLocalServer = <T>(request: (endpoint: ServerEndpoint) => Promise<T>): Promise<T> =>
    modelService.withEndpoint((endpoint) => {
      // Defence in depth: the gateway already treats a remote server as unavailable locally.
      if (!isLoopbackUrl(endpoint.baseUrl)) {
        throw new ProviderError({
          kind: "network",
          provider: "local",
          message: `hearth.server.url points at another machine (${hostOf(endpoint.baseUrl)}), so Hearth sends to it only through the selfHosted route of your privacy policy. Allow selfHosted for this feature, or clear hearth.server.url.`,
        });
      }
      return request(endpoint);
    });

  const localStatus: LocalModelStatus = {
    isAvailable: () => {
      const state = modelService.state;
      if (state.kind === "external") return isLoopbackUrl(state.url);
      if (state.kind === "error") return !state.permanent;
      return true;
    },
    contextTokens: (role) => {
      const state = modelService.state;
      return state.kind === "ready" ? (state.info.contexts?.[role] ?? state.info.contextSize) : undefined;
    },
  };

  const gateway = new Gateway({
    // The folders the request names (and those of its absolute file paths), never the active editor's.
    policy: overrides.policy ?? ((request) => policy.getPolicyForRequest(urisOfRequest(request))),
    providers: {
      local: new LocalProvider({
        withServer: withLocalServer,
        model: () => {
          const state = modelService.state;
          return state.kind === "external" ? state.model : undefined;
        },
      }),
      selfHosted: new SelfHostedProvider({ endpoint: selfHostedEndpoint, secrets: selfHostedSecrets }),
      openai: new OpenAiProvider({ secrets: host.secrets, ...(overrides.openAiBaseUrl !== undefined ? { baseUrl: overrides.openAiBaseUrl } : {}) }),
      anthropic: new AnthropicProvider({ secrets: host.secrets, ...(overrides.anthropicBaseUrl !== undefined ? { baseUrl: overrides.anthropicBaseUrl } : {}) }),
    },
    localStatus,
    consent,
    consentMemory: new WorkspaceConsentMemory(host.workspaceState),
    audit,
    usage,
    ...(vscode.workspace.name !== undefined ? { workspace: vscode.workspace.name } : {}),
    log,
    neverSendContent: () => neverSendFiles.content(),
  });

  return {
    gateway,
    audit,
    usage,
    documents,
    notifier,
    consent,
    neverSendFiles,
    dispose: () => {
      documents.dispose();
      neverSendFiles.dispose();
      void usage.dispose().catch((error: unknown) => log.warn(`could not write the usage ledger: ${error instanceof Error ? error.message : String(error)}`));
    },
  };
}

/**
 * The folder of the active editor, else the first: for UI that describes "the policy here"
 * (status bar, commands). Never for deciding a request: that uses the request's own folders.
 */
export function policyUri(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active === undefined ? undefined : vscode.workspace.getWorkspaceFolder(active);
  return folder?.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

function reportOnce(reported: Set<string>, log: Logger, message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  log.warn(message);
}
