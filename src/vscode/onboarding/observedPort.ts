// A feature's model port that also tells the walkthrough a request went out ("you sent a chat
// message"), so a step completes without the feature knowing about onboarding.
import type { ModelPort } from "../../core/gateway/index.js";

export function observedPort(port: ModelPort, onSend: () => void): ModelPort {
  return {
    feature: port.feature,
    plan: (request) => port.plan(request),
    countTokens: (texts, options) => port.countTokens(texts, options),
    send: (plan, prompt, hooks) => {
      onSend();
      return port.send(plan, prompt, hooks);
    },
    run: (request, build, hooks) => {
      onSend();
      return port.run(request, build, hooks);
    },
  };
}
