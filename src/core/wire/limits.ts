/**
 * Every limit the model server puts on a request, stated once. Requests are checked against
 * them before anything reaches the engine (native code); a value past a size limit is
 * answered 413, a bad value 400, both naming the field and the limit. They are part of the
 * wire protocol (hearthProtocol.ts's schemas use them), so clients see the same numbers.
 * README.md's "Limits" paragraph lists them: keep the two in step.
 *
 * The sizes are chosen so that the largest request allowed keeps the server responsive:
 * its JSON parses in tens of milliseconds, and its text is tokenized in slices that yield
 * to other requests (see src/server/tokenizeSlices.ts), so /health answers while it is processed.
 */
export const LIMITS = {
  /** Messages in one chat request. */
  messages: 20_000,
  /** Text parts of one message's `content` array. */
  contentParts: 1_000,
  /**
   * Characters of text in one request, all strings together: a chat's message contents and
   * reasoning, a completion's prompt and suffix, the embeddings' inputs, /tokenize's content.
   * Four million characters is about a million tokens of code, more than any context holds.
   */
  textChars: 4_000_000,
  /** Stop strings per request, and characters in each. */
  stopStrings: 16,
  stopStringChars: 256,
  /** Checkpoint offsets in a completion request's `hearth.checkpoints`. */
  checkpoints: 8,
  /** Inputs in one embeddings request. */
  embeddingInputs: 256,
  /** Token ids in one /detokenize request (a whole 262K context). */
  detokenizeTokens: 262_144,
  /** /tokenize with `with_pieces`: each token is detokenized on its own. */
  piecesChars: 262_144,
  /** `max_tokens` and `max_completion_tokens` (the context caps them further). */
  maxTokens: 1_048_576,
  /** Tools offered in one chat request, and characters of each tool's JSON (name, description, parameters). */
  tools: 128,
  toolChars: 65_536,
  /**
   * The grammar that constrains a forced call (tool_choice "required" or a named function),
   * built from the constrained tools' parameter schemas: llama.cpp parses it synchronously,
   * so its size is bounded. Properties across those tools, and characters of the grammar's
   * text (413 past either); string lengths (maxLength, minLength) that the grammar enforces,
   * all parameters together: past this budget a string is left unbounded rather than refused.
   */
  grammarProperties: 256,
  grammarChars: 262_144,
  grammarStringChars: 4_096,
  /** Tool calls in one assistant message sent back. */
  toolCalls: 128,
  /** Characters in names: `model`, a lease's `client`. */
  nameChars: 256,
  /** Nesting of arrays and objects in a JSON body (OpenAI's shapes need 4). */
  jsonDepth: 32,
  /**
   * JSON values in a body: every array element and object member counts. 20,000 messages
   * need about 100,000; a full /detokenize request 262,144.
   */
  jsonValues: 400_000,
  /** Time to send a request's headers, and the whole request (headers and body). */
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
} as const;
