/**
 * The one JSON line the model server prints on stdout when it is ready or cannot start
 * (see src/server/main.ts). The supervisor and the tests read it; nothing else is printed there.
 */
export interface ServerReadyEvent {
  event: "ready";
  port: number;
  host: string;
  pid: number;
  model: string;
  contextSize: number;
  architecture: string;
  fim: boolean;
  hybrid: boolean;
  /** Context size in tokens per role (the repo context is sized to the machine on its own). */
  contexts?: { completion?: number; chat?: number; repo?: number };
  /** What the server could not do as asked (e.g. a smaller context than configured). */
  warnings?: string[];
  /** The completion role's own model, when `--completion-model` was given. */
  completionModel?: string;
  completionFim?: boolean;
  /** Whether the model's layers run on a GPU (false: node-llama-cpp fell back to the CPU binary). */
  onGpu?: boolean;
  /** Present only when the token was generated rather than given by HEARTH_SERVER_TOKEN. */
  token?: string;
}

export interface ServerErrorEvent {
  event: "error";
  code: string;
  permanent: boolean;
  message: string;
}
