/**
 * Brute-force brake for the login form: after too many failures for one account or from one address in
 * the window, further attempts are refused until the window passes. Kept per process, in memory.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60 * 1000 },
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfterSeconds(account: string, address: string): number {
    const blocked = [
      { times: this.recent(`account:${account}`), limit: this.limits.perAccount },
      { times: this.recent(`address:${address}`), limit: this.limits.perAddress },
    ].filter(({ times, limit }) => times.length >= limit);
    if (!blocked.length) return 0;
    const oldest = Math.max(...blocked.map(({ times, limit }) => times[times.length - limit] ?? 0));
    return Math.max(1, Math.ceil((oldest + this.limits.windowMs - this.now()) / 1000));
  }

  recordFailure(account: string, address: string): void {
    for (const key of [`account:${account}`, `address:${address}`]) {
      this.failures.set(key, [...this.recent(key), this.now()]);
    }
  }

  recordSuccess(account: string): void {
    this.failures.delete(`account:${account}`);
  }
}
