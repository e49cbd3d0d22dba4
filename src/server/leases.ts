/**
 * Which VS Code windows still use this server. Each window renews a lease; a window that
 * closes releases it, and one that crashes simply stops renewing. When no lease has been
 * held for `idleExitMs`, `onIdle` fires once so the server can leave.
 */
export class LeaseTracker {
  private readonly leases = new Map<string, number>();
  private idleSince: number;
  private fired = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleExitMs: number,
    private readonly onIdle: () => void,
    private readonly now: () => number = Date.now,
    checkEveryMs = 1000,
  ) {
    this.idleSince = now();
    if (idleExitMs > 0) {
      this.timer = setInterval(() => this.check(), Math.min(checkEveryMs, idleExitMs));
      this.timer.unref();
    }
  }

  get active(): number {
    this.expire();
    return this.leases.size;
  }

  renew(client: string, ttlMs: number): void {
    this.leases.set(client, this.now() + ttlMs);
  }

  release(client: string): void {
    if (this.leases.delete(client) && this.leases.size === 0) this.idleSince = this.now();
  }

  /** Any request counts as use, so a server driven only by scripts is not idle. */
  touch(): void {
    if (this.leases.size === 0) this.idleSince = this.now();
  }

  check(): void {
    if (this.fired || this.idleExitMs <= 0) return;
    if (this.active > 0) return;
    if (this.now() - this.idleSince >= this.idleExitMs) {
      this.fired = true;
      this.onIdle();
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private expire(): void {
    const now = this.now();
    for (const [client, until] of this.leases) {
      if (until <= now) {
        this.leases.delete(client);
        if (this.leases.size === 0) this.idleSince = until;
      }
    }
  }
}
