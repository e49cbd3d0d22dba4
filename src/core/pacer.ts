// Long synchronous work (tokenizing, reading thousands of files' imports) in a process that
// must keep answering: the model server's /health, the extension host's UI.
/**
 * Lets other callbacks (I/O, timers, signals) run once a stretch of synchronous work has
 * taken `sliceMs`: `breathe()` resolves at once before that, after a `setImmediate` turn
 * after. One pacer is shared by all the work of a server, so the stretch counts it all.
 */
export class Pacer {
  private since = performance.now();
  /** How often work gave way, for tests and benchmarks. */
  yields = 0;

  constructor(private readonly sliceMs = 8) {}

  get due(): boolean {
    return performance.now() - this.since >= this.sliceMs;
  }

  async breathe(): Promise<void> {
    if (!this.due) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.yields++;
    this.since = performance.now();
  }
}
