import assert from "node:assert/strict";
import { ProviderError } from "../../../../src/core/providers";

/** Awaits a call that must fail with a ProviderError, and returns the error for inspection. */
export async function rejectsWith(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a ProviderError, but the call succeeded");
}
