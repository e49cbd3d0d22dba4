/**
 * Which VS Code windows still use this server. Each window renews a lease; a window that
 * closes releases it, and one that crashes simply stops renewing. When no lease has been
 * held for `idleExitMs`, `onIdle` fires once so the server can leave.
 *
 * A lease also carries the window's workspace folders: the roots below which `hearth.repo`
 * may pack a folder. They last as long as the lease, so a closed window's folders stop
 * being readable when its lease ends.
 */
export class LeaseTracker {
  private readonly leases = new Map<string, number>();
  private readonly rootsByClient = new Map<string, readonly string[]>();
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

  /** `roots` replaces the client's registered folders; left out, they stay as they were. */
  renew(client: string, ttlMs: number, roots?: readonly string[]): void {
    this.leases.set(client, this.now() + ttlMs);
    if (roots !== undefined) this.rootsByClient.set(client, [...roots]);
  }

  release(client: string): void {
    this.rootsByClient.delete(client);
    if (this.leases.delete(client) && this.leases.size === 0) this.idleSince = this.now();
  }

  /** The folders registered by clients whose lease is current. */
  roots(): string[] {
    this.expire();
    return [...new Set([...this.rootsByClient.values()].flat())];
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
        this.rootsByClient.delete(client);
        if (this.leases.size === 0) this.idleSince = until;
      }
    }
  }
}
