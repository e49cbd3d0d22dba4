// Parses policy texts once per content hash, without holding the extension host for long.
// A valid policy may list a thousand neverSend patterns, and checking each one (compiling it,
// probing whether it matches everything) is what takes time: those checks run in slices
// that yield to the event loop between them, so typing and other extensions keep running
// while a large file is read. The result is kept by content hash: re-reading an unchanged
// file, a second window's service or a settings change costs a hash, not a parse.
import { createScanner } from "jsonc-parser";
import { checkNeverSendPattern, type PatternProblem } from "./neverSendPatternCheck";
import { createNeverSendMatcher, type NeverSendMatcher, type NeverSendMatcherOptions } from "./neverSendMatcher";
import { MAX_NEVER_SEND_PATTERNS, MAX_POLICY_BYTES, MAX_POLICY_DEPTH, parsePolicy, type PolicyParseResult } from "./parsePolicy";
import { policyContentHash } from "./policyContentHash";

export interface ParsedPolicyText {
  readonly contentHash: string;
  readonly result: PolicyParseResult;
}

export interface PolicyParseCacheOptions {
  /** Texts kept (default 8). */
  readonly capacity?: number;
  /** Patterns checked between two yields to the event loop (default 25). */
  readonly sliceSize?: number;
  /** How to yield (default setImmediate); tests count the yields. */
  readonly yieldToLoop?: () => Promise<void>;
}

export class PolicyParseCache {
  private readonly entries = new Map<string, Promise<ParsedPolicyText>>();
  private readonly capacity: number;
  private readonly sliceSize: number;
  private readonly yieldToLoop: () => Promise<void>;
  /** Full parses done (not answered from the cache): for tests and logs. */
  parses = 0;

  constructor(options: PolicyParseCacheOptions = {}) {
    this.capacity = options.capacity ?? 8;
    this.sliceSize = options.sliceSize ?? 25;
    this.yieldToLoop = options.yieldToLoop ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** The parse of `text` as the file `label`, from the cache when this exact text was parsed before. */
  parse(text: string, label: string): Promise<ParsedPolicyText> {
    const contentHash = policyContentHash(text);
    const key = `${contentHash}\u0000${label}`;
    const known = this.entries.get(key);
    if (known !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const parsing = this.parseSliced(text, label).then((result) => ({ contentHash, result }));
    this.entries.set(key, parsing);
    parsing.catch(() => this.entries.delete(key));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return parsing;
  }

  private async parseSliced(text: string, label: string): Promise<PolicyParseResult> {
    this.parses++;
    const checked = new Map<string, PatternProblem[]>();
    if (Buffer.byteLength(text, "utf8") <= MAX_POLICY_BYTES) {
      const patterns = neverSendStrings(text);
      for (let i = 0; i < patterns.length; i++) {
        const pattern = patterns[i];
        if (!checked.has(pattern)) checked.set(pattern, checkNeverSendPattern(pattern));
        if ((i + 1) % this.sliceSize === 0) await this.yieldToLoop();
      }
    }
    await this.yieldToLoop();
    return parsePolicy(text, label, { checkPattern: (pattern) => checked.get(pattern) ?? checkNeverSendPattern(pattern) });
  }
}

/** Compiled neverSend lists by (root, patterns): a recompute of the effective policy reuses them. */
export class NeverSendMatcherCache {
  private readonly entries = new Map<string, NeverSendMatcher>();

  constructor(private readonly capacity = 32) {}

  readonly compile = (patterns: readonly string[], options: NeverSendMatcherOptions): NeverSendMatcher => {
    const key = `${options.root ?? ""}\u0000${patterns.join("\n")}`;
    let matcher = this.entries.get(key);
    if (matcher === undefined) {
      matcher = createNeverSendMatcher(patterns, options);
      this.entries.set(key, matcher);
      while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    }
    return matcher;
  };
}

/**
 * The strings of the top-level "neverSend" array, found with the iterative scanner (no
 * recursion, so a deeply nested file cannot overflow the stack), at most one more than the
 * parser accepts. Only a hint for which checks to run ahead: the parser decides.
 */
function neverSendStrings(text: string): string[] {
  const scanner = createScanner(text, true);
  const found: string[] = [];
  let depth = 0;
  let lastKey: string | undefined;
  let inList = false;
  let expectValue = false;
  for (;;) {
    const kind: number = scanner.scan();
    if (kind === 17 /* EOF */) return found;
    if (kind === 1 /* { */ || kind === 3 /* [ */) {
      depth++;
      if (depth > MAX_POLICY_DEPTH) return found;
      if (kind === 3 && depth === 2 && expectValue && lastKey === "neverSend") inList = true;
      expectValue = false;
      continue;
    }
    if (kind === 2 /* } */ || kind === 4 /* ] */) {
      if (inList && depth === 2) return found;
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (kind === 6 /* : */) {
      expectValue = true;
      continue;
    }
    if (kind === 10 /* string */) {
      if (inList && depth === 2) {
        found.push(scanner.getTokenValue());
        if (found.length > MAX_NEVER_SEND_PATTERNS) return [];
      } else if (depth === 1 && !expectValue) {
        lastKey = scanner.getTokenValue();
      }
    }
    if (kind !== 15 /* whitespace */ && kind !== 14 /* line break */ && kind !== 12 && kind !== 13 /* comments */) expectValue = false;
  }
}
