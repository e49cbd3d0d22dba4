// What the hub says a downloaded model file's SHA-256 is. Hugging Face answers a request for
// `<endpoint>/<owner>/<repo>/resolve/<rev>/<file>` of an LFS file with `X-Linked-Etag: "<sha256>"`;
// on the real hub it comes on the 302 to the CDN (huggingface_hub reads it there), so the
// request does not follow redirects. Anything but 64 hex digits means no digest is known.

/** How long the digest request may take: past it, the model goes on unverified. */
const DIGEST_TIMEOUT_MS = 15_000;

export type ExpectedDigest = { readonly sha256: string } | { readonly unknown: string };

/** The SHA-256 in an `X-Linked-Etag` value (`"<hex>"`, maybe `W/`-prefixed), lower-cased; undefined otherwise. */
export function sha256FromLinkedEtag(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const bare = value.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
  return /^[0-9a-fA-F]{64}$/.test(bare) ? bare.toLowerCase() : undefined;
}

/**
 * Asks `url` (HEAD, redirects not followed) for the file's SHA-256. Without credentials first;
 * when refused (a gated repository), once more with each of `authHeaders` (the Hugging Face
 * token node-llama-cpp's downloader itself sends to this URL). Never throws: a failed request,
 * an error status or a missing header give the reason no digest is known.
 */
export async function fetchExpectedDigest(url: string, signal: AbortSignal, authHeaders: readonly Record<string, string>[] = []): Promise<ExpectedDigest> {
  let reason = "no request was made";
  for (const headers of [{}, ...authHeaders]) {
    let response: Response;
    try {
      response = await fetch(url, { method: "HEAD", redirect: "manual", headers, signal: AbortSignal.any([signal, AbortSignal.timeout(DIGEST_TIMEOUT_MS)]) });
    } catch (error) {
      signal.throwIfAborted();
      return { unknown: `the request failed (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})` };
    }
    const sha256 = sha256FromLinkedEtag(response.headers.get("x-linked-etag"));
    if (sha256 !== undefined) return { sha256 };
    const refused = response.status === 401 || response.status === 403;
    reason = response.status >= 400 ? `the hub answered ${response.status}` : "the hub's answer names no SHA-256 (no X-Linked-Etag)";
    if (!refused) break;
  }
  return { unknown: reason };
}
