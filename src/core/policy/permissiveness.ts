// The one definition of "looser" and "tighter" that effective-policy resolution relies on.
//   routes:        local < selfHosted < cloud
//   cloud access:  deny < ask < allow
//   model sets:    ordered by inclusion (a subset is tighter)
//   redaction:     on < off
// A workspace value at or below the user's is a tightening and always applies; above it, a
// loosening that needs the user's consent.
import { cloudModelKey } from "./cloudModel";
import { CLOUD_ACCESS, ROUTES, type CloudAccess, type CloudModel, type Route } from "./policyModel";

export function routeRank(route: Route): number {
  return ROUTES.indexOf(route);
}

export function cloudAccessRank(access: CloudAccess): number {
  return CLOUD_ACCESS.indexOf(access);
}

export function routeAllows(limit: Route, wanted: Route): boolean {
  return routeRank(wanted) <= routeRank(limit);
}

export function tighterRoute(a: Route, b: Route): Route {
  return routeRank(a) <= routeRank(b) ? a : b;
}

export function tighterCloudAccess(a: CloudAccess, b: CloudAccess): CloudAccess {
  return cloudAccessRank(a) <= cloudAccessRank(b) ? a : b;
}

/** Models of `candidate` that `limit` does not contain: the part that would loosen. */
export function modelsBeyond(candidate: readonly CloudModel[], limit: readonly CloudModel[]): CloudModel[] {
  const allowed = new Set(limit.map(cloudModelKey));
  return candidate.filter((m) => !allowed.has(cloudModelKey(m)));
}

/** Models in both lists, in `preferred`'s order: the tighter of two model sets. */
export function modelsInBoth(preferred: readonly CloudModel[], other: readonly CloudModel[]): CloudModel[] {
  const keep = new Set(other.map(cloudModelKey));
  return preferred.filter((m) => keep.has(cloudModelKey(m)));
}
