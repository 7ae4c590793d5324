/**
 * Learned path MTUs (RFC 1191; Linux's route exceptions, "fnhe", `ip route get` shows them as
 * "mtu 1400 expires 598sec"). An ICMP "fragmentation needed" about a datagram this namespace
 * sent lowers the MTU used for that destination; the value expires after ip_rt_mtu_expires.
 *
 * Only locally generated datagrams use it: Linux forwards by the egress device's MTU
 * (ip_forward_use_pmtu = 0).
 */
import { sec, type Nanos } from '../sim';
import type { Ipv4 } from '../wire';

export const PATH_MTU_DEFAULTS = {
  /** net.ipv4.route.mtu_expires: 10 minutes. */
  expires: sec(600) as Nanos,
  /** net.ipv4.route.min_pmtu: a reported MTU below this is raised to it. */
  minPmtu: 552,
  /** Destinations remembered (the kernel bounds exceptions per route too). */
  maxEntries: 4096,
};

export class PathMtuCache {
  readonly #entries = new Map<Ipv4, { mtu: number; expires: Nanos }>();
  readonly #params: typeof PATH_MTU_DEFAULTS;

  constructor(params: Partial<typeof PATH_MTU_DEFAULTS> = {}) {
    this.#params = { ...PATH_MTU_DEFAULTS, ...params };
  }

  /** Records `mtu` for `dst` (only ever lowers it while the entry lives). Returns the MTU kept. */
  learn(dst: Ipv4, mtu: number, now: Nanos): number {
    const clamped = Math.max(mtu, this.#params.minPmtu);
    const cur = this.get(dst, now);
    const value = cur === undefined ? clamped : Math.min(cur, clamped);
    if (this.#entries.size >= this.#params.maxEntries && !this.#entries.has(dst)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(dst, { mtu: value, expires: now + this.#params.expires });
    return value;
  }

  /** The learned MTU for `dst`, undefined when none or expired. */
  get(dst: Ipv4, now: Nanos): number | undefined {
    if (this.#entries.size === 0) return undefined;
    const e = this.#entries.get(dst);
    if (e === undefined) return undefined;
    if (now >= e.expires) {
      this.#entries.delete(dst);
      return undefined;
    }
    return e.mtu;
  }

  /** Entries held (expired ones included until met). */
  get size(): number {
    return this.#entries.size;
  }

  /** Every live entry (for `ip route get` / `ip route show cache`). */
  entries(now: Nanos): { dst: Ipv4; mtu: number; expires: Nanos }[] {
    const out: { dst: Ipv4; mtu: number; expires: Nanos }[] = [];
    for (const [dst, e] of this.#entries) if (now < e.expires) out.push({ dst, mtu: e.mtu, expires: e.expires });
    return out;
  }
}
