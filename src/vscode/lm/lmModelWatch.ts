// What Hearth's model list for VS Code's language-model API depends on, and when it changes:
// the local model the server runs (its name and chat context, kept while the server rests
// after idling, so the model does not vanish from the picker), the policy's cloud models for
// `languageModel`, and the API keys (a cloud model is offered only once its key is set).
import * as vscode from "vscode";
import type { LmModelFacts } from "../../core/lm";
import type { ModelService, ModelServiceState } from "../modelService";
import type { PolicyService } from "../policy";

interface LocalFacts {
  readonly name?: string;
  readonly contextTokens?: number;
}

export class LmModelWatch implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private local: LocalFacts;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly modelService: ModelService,
    private readonly policy: PolicyService,
    secrets: vscode.SecretStorage,
  ) {
    this.local = localFacts(modelService.state) ?? {};
    this.disposables = [
      this.emitter,
      modelService.onDidChangeState((state) => {
        const next = localFacts(state);
        if (next === undefined || (next.name === this.local.name && next.contextTokens === this.local.contextTokens)) return;
        this.local = next;
        this.emitter.fire();
      }),
      policy.onDidChange(() => this.emitter.fire()),
      secrets.onDidChange(() => this.emitter.fire()),
    ];
  }

  facts(): LmModelFacts {
    // A request names no folder: the only folder's policy, or the stricter of all (as the gateway decides it).
    const rule = this.policy.getPolicyForRequest([]).features.languageModel;
    return {
      ...(this.local.name !== undefined ? { localName: this.local.name } : {}),
      ...(this.local.contextTokens !== undefined ? { localContextTokens: this.local.contextTokens } : {}),
      cloudModels: rule.route === "cloud" && rule.cloudAccess !== "deny" ? rule.cloudModels : [],
    };
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Undefined while the state says nothing new (starting, stopped, an error): the last facts stand. */
function localFacts(state: ModelServiceState): LocalFacts | undefined {
  if (state.kind === "ready") return { name: state.info.model, contextTokens: state.info.contexts?.chat ?? state.info.contextSize };
  if (state.kind === "external") return state.model !== undefined ? { name: state.model } : {};
  return undefined;
}
