// An answer's route badge: where it was made (route and model, shown), which provider, and
// the gateway's reason for that route (".env is in neverSend, so this stays on this
// machine"). Pure, so it is tested without a DOM; main.ts builds the element from it with
// textContent and attributes only.
import type { RouteMeta } from "../../src/shared/chatProtocol";
import { escapeInvisible } from "../../src/shared/invisible";
import type { WebviewStrings } from "../../src/shared/webviewStringKeys";

export interface RouteBadge {
  /** What the badge shows: the route and the model. */
  readonly text: string;
  /**
   * The tooltip: the provider, and the reason when there is one. A tooltip cannot mark
   * characters, so invisible and bidirectional ones (a workspace's file name may hold them)
   * are written out as `<U+202E>`.
   */
  readonly title: string;
  /**
   * The reason as the badge's own text, hidden on screen and read by a screen reader with the
   * badge (a tooltip reaches neither a screen reader nor the keyboard); undefined without one.
   * Raw: main.ts marks its invisible characters as everywhere else in the view.
   */
  readonly spokenReason: string | undefined;
}

export function routeLabel(s: Pick<WebviewStrings, "routeLocal" | "routeSelfHosted" | "routeCloud">, route: RouteMeta["route"]): string {
  return route === "local" ? s.routeLocal : route === "selfHosted" ? s.routeSelfHosted : s.routeCloud;
}

export function routeBadge(s: Pick<WebviewStrings, "routeLocal" | "routeSelfHosted" | "routeCloud">, meta: Pick<RouteMeta, "route" | "provider" | "model" | "reason">): RouteBadge {
  const reason = meta.reason?.trim() || undefined;
  return {
    text: `${routeLabel(s, meta.route)} · ${meta.model}`,
    title: escapeInvisible(reason === undefined ? meta.provider : `${meta.provider}: ${reason}`),
    spokenReason: reason,
  };
}
