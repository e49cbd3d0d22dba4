// Consent to a loosening workspace policy is tied to the exact bytes the user reviewed: any
// edit, even whitespace, yields a new hash and the question is asked again.
import { createHash } from "node:crypto";

/** SHA-256 of the policy file's text (UTF-8), lowercase hex. */
export function policyContentHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
