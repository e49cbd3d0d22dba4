// Whether a URL names this machine (see src/shared/loopback.ts), and its host for messages.
export { isLoopbackUrl } from "../../shared/loopback";

/** The host of a URL, for messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
