// A gateway whose only route is Hearth's model server at `endpoint`, under the user's
// default policy (everything local). What tests and benchmarks use to call the server the
// way the extension does: the real gateway, the real local provider, the openai SDK.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog } from "../../src/core/audit";
import { Gateway, InMemoryConsentMemory } from "../../src/core/gateway";
import { applyUserOverrides, resolveEffectivePolicy } from "../../src/core/policy";
import { LocalProvider, type CallLimits } from "../../src/core/providers";
import type { ServerEndpoint } from "../../src/core/server/supervisor";

export function localGateway(endpoint: ServerEndpoint, options: { limits?: Partial<CallLimits>; contextTokens?: number } = {}): Gateway {
  const policy = resolveEffectivePolicy({ userDefaults: applyUserOverrides({ features: {}, neverSend: [] }), trusted: true, consents: new Set() });
  return new Gateway({
    policy: () => policy,
    providers: { local: new LocalProvider({ endpoint: async () => endpoint, ...(options.limits !== undefined ? { limits: options.limits } : {}) }) },
    localStatus: { contextTokens: () => options.contextTokens },
    consent: {
      ask: async () => {
        throw new Error("the local-only gateway never asks");
      },
    },
    consentMemory: new InMemoryConsentMemory(),
    // Never written: nothing leaves the machine on the local route.
    audit: new AuditLog({ dir: join(tmpdir(), "hearth-local-gateway-unused") }),
  });
}
