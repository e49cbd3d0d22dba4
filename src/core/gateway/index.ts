// The gateway: the only code that calls a model (house rule 2).
export { Gateway, type GatewayOptions, type GatewayProviders, type LocalModelStatus } from "./gateway";
export type { ContextFile, FileOrigin, GatewayPreview, GatewayRequest, GatewayResult, PayloadSummary, RawPrompt, SentFile, TokenCount, PlanRequest, RequestPlan, PlanOutcome, PlannedPrompt, SendHooks, ModelPort } from "./gatewayTypes";
export { ModelFailure, isModelFailure, isCancelled } from "./modelFailure";
export { consentKey, InMemoryConsentMemory, type ConsentAnswer, type ConsentMemory, type ConsentPrompt } from "./consent";
export { GatewayRefusal, isGatewayRefusal, type GatewayRefusalCode } from "./gatewayRefusal";
export type { Redactor } from "./outgoingPayload";
