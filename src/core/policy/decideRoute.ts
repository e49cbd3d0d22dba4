// Picks where one request goes, given the effective policy. Pure: the gateway gathers the
// facts (which files are in the prompt, whether the local server is up, whether the prompt
// fits its context) and acts on the answer.
//
// Local first. When the local model cannot serve (down, or the prompt exceeds its context),
// the request may fall back to the self-hosted endpoint and then to the cloud, each only if
// the feature's policy reaches that far; otherwise it is refused with a reason the user can
// act on. A file matched by neverSend pins the request to this machine whatever the policy.
import { cloudModelKey, parseCloudModel } from "./cloudModel";
import type { EffectivePolicy } from "./effectivePolicy";
import { routeAllows, routeRank } from "./permissiveness";
import { ROUTES, type CloudModel, type CloudProvider, type Feature, type FeatureRule, type Route } from "./policyModel";

export interface RouteRequest {
  /** Files whose content is in the prompt, relative to the workspace folder or absolute. */
  readonly files: readonly string[];
  /** What the user picked, e.g. a cloud model in the chat's model menu. Default: local. */
  readonly preferred?: { readonly route?: Route; readonly model?: string };
  readonly localAvailable: boolean;
  readonly fitsLocalContext: boolean;
  /** Whether a self-hosted endpoint is configured. Default false. */
  readonly selfHostedAvailable?: boolean;
  /** Cloud vendors with an API key configured. Default: all. */
  readonly cloudProviders?: readonly CloudProvider[];
}

export type RouteProvider = "local" | "selfHosted" | CloudProvider;

export interface RouteChoice {
  readonly ok: true;
  readonly route: Route;
  readonly provider: RouteProvider;
  /** The cloud model id (vendor's spelling); absent for local and self-hosted, whose model is configured elsewhere. */
  readonly model?: string;
  /** True when the policy says "ask": the user confirms before the prompt leaves. */
  readonly needsAsk: boolean;
  readonly reason: string;
}

/** `neverSend`: a file in the prompt must stay here and the local model cannot serve; `noRoute`: nothing the policy allows can serve. */
export type RefusalCode = "neverSend" | "noRoute";

export interface RouteRefusal {
  readonly ok: false;
  readonly code: RefusalCode;
  readonly reason: string;
}

export type RouteDecision = RouteChoice | RouteRefusal;

export function decideRoute(effective: EffectivePolicy, feature: Feature, request: RouteRequest): RouteDecision {
  const rule = effective.features[feature];
  const pinned = request.files.filter((f) => effective.neverSend.matches(f));
  const localProblem = !request.localAvailable ? "the local model is not running" : !request.fitsLocalContext ? "the prompt is larger than the local model's context" : undefined;
  const localFix = !request.localAvailable ? "start the local model" : "shorten the prompt";

  if (pinned.length > 0) {
    if (localProblem === undefined) return local(`${listFiles(pinned)} ${pinned.length === 1 ? "is" : "are"} in neverSend, so this stays on this machine`);
    return refuse("neverSend", `${capitalise(localProblem)}, and ${listFiles(pinned)} ${pinned.length === 1 ? "is" : "are"} in neverSend, so the prompt cannot go anywhere else. ${capitalise(localFix)}, or leave ${pinned.length === 1 ? "that file" : "those files"} out.`);
  }

  const preferred = request.preferred?.route ?? "local";
  const notes: string[] = [];
  for (const route of candidateRoutes(preferred)) {
    if (route === "local") {
      if (localProblem === undefined) return local(joinNotes(notes, "runs on this machine"));
      addNote(notes, localProblem);
      continue;
    }
    const blocked = whyNot(route, rule, feature, effective, request);
    if (blocked !== undefined) {
      addNote(notes, blocked);
      continue;
    }
    if (route === "selfHosted") {
      return { ok: true, route, provider: "selfHosted", needsAsk: false, reason: joinNotes(notes, "goes to your organisation's self-hosted endpoint") };
    }
    const pick = pickCloudModel(rule, request);
    if (pick.model === undefined) {
      addNote(notes, pick.note);
      continue;
    }
    const needsAsk = rule.cloudAccess === "ask";
    return {
      ok: true,
      route,
      provider: pick.model.provider,
      model: pick.model.model,
      needsAsk,
      reason: joinNotes(pick.note === "" ? notes : [...notes, pick.note], `goes to ${cloudModelKey(pick.model)}${needsAsk ? " after you confirm" : ""}`),
    };
  }
  // Every path ends at local, so reaching here means local could not serve either.
  return refuse("noRoute", `${capitalise(notes.join("; "))}. ${remedy(feature, effective, localFix)}`);
}

/**
 * Whether the decision can depend on which remote routes are set up (`selfHostedAvailable`,
 * `cloudProviders`): not when the policy keeps the feature here (every remote route is then
 * refused for the policy's reason alone), and not when local comes first and can serve. The
 * gateway asks for those facts (secret storage, settings) only when this says they matter, so
 * a request under the default policy touches no cloud provider. Unsure means true.
 */
export function remoteFactsMatter(effective: EffectivePolicy, feature: Feature, request: Pick<RouteRequest, "preferred" | "localAvailable" | "fitsLocalContext">): boolean {
  if (effective.localOnlyReason !== undefined || effective.features[feature].route === "local") return false;
  const localServes = request.localAvailable && request.fitsLocalContext;
  return !(localServes && (request.preferred?.route ?? "local") === "local");
}

/** The preferred route first; from local, fall back outwards; from elsewhere, only inwards. */
function candidateRoutes(preferred: Route): Route[] {
  if (preferred === "local") return [...ROUTES];
  return ROUTES.filter((r) => routeRank(r) <= routeRank(preferred)).reverse();
}

function whyNot(route: Route, rule: FeatureRule, feature: Feature, effective: EffectivePolicy, request: RouteRequest): string | undefined {
  if (effective.localOnlyReason === "untrusted") return "this workspace is not trusted, so Hearth is local-only";
  if (effective.localOnlyReason === "invalidPolicy") return "the workspace policy file has errors, so Hearth is local-only until it is fixed";
  if (effective.localOnlyReason === "loading") return "the workspace policy file is still being read, so Hearth is local-only until it has been";
  if (!routeAllows(rule.route, route)) return `the policy keeps ${feature} ${rule.route === "local" ? "on this machine" : "on the self-hosted endpoint"}`;
  if (route === "selfHosted" && request.selfHostedAvailable !== true) return "no self-hosted endpoint is configured";
  if (route === "cloud" && rule.cloudAccess === "deny") return `cloud access for ${feature} is "deny"`;
  return undefined;
}

function pickCloudModel(rule: FeatureRule, request: RouteRequest): { model?: CloudModel; note: string } {
  const withKeys = rule.cloudModels.filter((m) => request.cloudProviders === undefined || request.cloudProviders.includes(m.provider));
  if (withKeys.length === 0) {
    return { note: rule.cloudModels.length === 0 ? "no cloud model is allowed" : "no allowed cloud model has an API key set" };
  }
  const wanted = request.preferred?.model;
  if (wanted === undefined) return { model: withKeys[0], note: "" };
  const parsed = parseCloudModel(wanted);
  const match = parsed.ok ? withKeys.find((m) => cloudModelKey(m) === cloudModelKey(parsed.value)) : undefined;
  if (match !== undefined) return { model: match, note: "" };
  return { model: withKeys[0], note: `the model "${wanted}" is not allowed by the policy` };
}

function remedy(feature: Feature, effective: EffectivePolicy, localFix: string): string {
  if (effective.localOnlyReason === "untrusted") return `${capitalise(localFix)}, or trust the workspace.`;
  if (effective.localOnlyReason === "invalidPolicy") return `${capitalise(localFix)}, or fix .hearth/policy.json (see the Problems panel).`;
  if (effective.localOnlyReason === "loading") return `${capitalise(localFix)}, or try again in a moment.`;
  return `${capitalise(localFix)}, or give features.${feature} a wider route in your Hearth settings or .hearth/policy.json.`;
}

function addNote(notes: string[], note: string): void {
  if (!notes.includes(note)) notes.push(note);
}

function local(reason: string): RouteChoice {
  return { ok: true, route: "local", provider: "local", needsAsk: false, reason: capitalise(reason) };
}

function refuse(code: RefusalCode, reason: string): RouteRefusal {
  return { ok: false, code, reason: reason.trim() };
}

function joinNotes(notes: readonly string[], outcome: string): string {
  return capitalise(notes.length === 0 ? outcome : `${notes.join("; ")}, so it ${outcome}`);
}

function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
