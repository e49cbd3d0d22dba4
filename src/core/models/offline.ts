// Telling "this machine cannot reach the download host" apart from other download failures:
// offline, the one useful thing to offer is a model file already on disk (Choose Model), not
// "try again".
import { connect } from "node:net";

export class OfflineError extends Error {
  constructor(
    /** The host that could not be reached, as far as the failure says. */
    readonly host: string | undefined,
    readonly detail: string,
  ) {
    super(`Hearth could not reach ${host ?? "the download server"}: this machine seems to be offline (${detail}). Choose a model file you already have (Hearth: Choose Model), or try again when online.`);
    this.name = "OfflineError";
  }
}

/** The error codes Node gives when a name does not resolve or a connection cannot be made. */
const OFFLINE_CODES = ["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT"];
const OFFLINE_PATTERN = new RegExp(`\\b(${OFFLINE_CODES.join("|")})\\b|getaddrinfo`, "i");

/**
 * Whether a failure (an error, with its causes, or the message a child process printed)
 * says the host could not be resolved or connected to.
 */
export function looksOffline(failure: unknown): boolean {
  for (let current: unknown = failure, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (typeof current === "string") return OFFLINE_PATTERN.test(current);
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && OFFLINE_CODES.includes(code)) return true;
    if (typeof message === "string" && OFFLINE_PATTERN.test(message)) return true;
    current = cause;
  }
  return false;
}

/** The host a failure message names ("getaddrinfo ENOTFOUND huggingface.co", "connect ECONNREFUSED 127.0.0.1:9"). */
export function hostInFailure(message: string): string | undefined {
  return /(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\s+([\w.-]+(?::\d+)?)/.exec(message)?.[1];
}

/**
 * Whether `url`'s host resolves and accepts a connection; the error code when not. Asked after
 * a download failed with a message that hides its cause ("fetch failed" covers a refused
 * connection and a bad certificate alike).
 */
export function connectionProblem(url: URL, timeoutMs = 5000): Promise<string | undefined> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port, timeout: timeoutMs });
    const done = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.once("connect", () => done(undefined));
    socket.once("timeout", () => done("ETIMEDOUT"));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
