// The edit flow's own "no" (a refusal or a failed call is the gateway's): the target does not
// fit the planned model's context, or the model answered nothing. Each carries the figures
// and names the editor side needs to say it in the display language; `message` is English.
import type { Route } from "../policy";

/** Nothing was sent: the prompt and the least answer that can do the job do not fit the route's context. */
export class EditTooLong extends Error {
  override readonly name = "EditTooLong";

  constructor(
    /** Tokens the request needs (prompt, chat template and the least answer). */
    readonly needed: number,
    /** Tokens the route's context holds. */
    readonly available: number,
    readonly route: Route,
    readonly model: string,
  ) {
    super(
      `This is too long for the model's context: it needs about ${needed} tokens and ${route === "local" ? "the local model" : model} holds ${available}. Select a smaller part, or raise hearth.server.contextSize.`,
    );
  }
}

/** The model's answer held no text for a target that had some. */
export class EmptyAnswer extends Error {
  override readonly name = "EmptyAnswer";

  constructor(readonly fileName: string) {
    super(`The model returned no text for ${fileName}. Try again, or choose a larger model with Hearth: Choose Model.`);
  }
}
