/**
 * A small LRU map from the prompt-relevant context of a request to its post-processed
 * answer (or to "nothing", which is worth remembering too: backspacing over a spot that
 * had no suggestion must not ask again).
 */
export class CompletionCache<V> {
  private readonly entries = new Map<string, V>();
  private lookups = 0;
  private found = 0;

  constructor(private readonly capacity = 256) {}

  get(key: string): V | undefined {
    this.lookups++;
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.found++;
    // Map keeps insertion order: re-inserting makes this the most recently used entry.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  get stats(): { lookups: number; hits: number } {
    return { lookups: this.lookups, hits: this.found };
  }
}
