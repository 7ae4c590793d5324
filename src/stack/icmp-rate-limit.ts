/**
 * ICMP error rate limiting per destination (Linux icmpv4_xrlim_allow → inet_peer_xrlim_allow).
 *
 * A token bucket per destination address: tokens accrue at one per simulated nanosecond, up to
 * XRLIM_BURST_FACTOR (6) × icmp_ratelimit; each message costs icmp_ratelimit (1 s). A new peer
 * starts full, so a burst of 6 errors goes out, then one per second. The kernel exempts what
 * icmp_ratemask does not name (only destination unreachable, source quench, time exceeded and
 * parameter problem are limited), "fragmentation needed" (PMTU discovery must not starve), and
 * anything sent over the loopback device; the caller checks those.
 *
 * Not modelled: the host-wide icmp_msgs_per_sec/icmp_msgs_burst limiter (1000/s, burst 50).
 */
import { sec, type Nanos } from '../sim';
import { IcmpType, IcmpUnreachCode, type Ipv4 } from '../wire';

export const ICMP_RATE_LIMIT_DEFAULTS = {
  /** net.ipv4.icmp_ratelimit: 1000 ms between two errors to one destination, after the burst. */
  interval: sec(1) as Nanos,
  /** XRLIM_BURST_FACTOR. */
  burst: 6,
  /** Peers remembered before the oldest are forgotten (inet_peer's cache is bounded too). */
  maxPeers: 4096,
};

export class IcmpRateLimiter {
  readonly #peers = new Map<Ipv4, { tokens: Nanos; last: Nanos }>();
  readonly #params: typeof ICMP_RATE_LIMIT_DEFAULTS;

  constructor(params: Partial<typeof ICMP_RATE_LIMIT_DEFAULTS> = {}) {
    this.#params = { ...ICMP_RATE_LIMIT_DEFAULTS, ...params };
  }

  /** Whether an ICMP message of (type, code) is subject to the limit at all (icmpv4_mask_allow). */
  static isLimited(type: number, code: number): boolean {
    if (type === IcmpType.DestUnreachable) return code !== IcmpUnreachCode.FragNeeded;
    return type === IcmpType.SourceQuench || type === IcmpType.TimeExceeded || type === IcmpType.ParameterProblem;
  }

  /** Takes a token for `dst` at `now`; false when the message must not be sent. */
  allow(dst: Ipv4, now: Nanos): boolean {
    const { interval, burst, maxPeers } = this.#params;
    let p = this.#peers.get(dst);
    if (p === undefined) {
      if (this.#peers.size >= maxPeers) {
        const oldest = this.#peers.keys().next();
        if (!oldest.done) this.#peers.delete(oldest.value);
      }
      p = { tokens: burst * interval, last: now };
      this.#peers.set(dst, p);
    }
    let tokens = p.tokens + (now - p.last);
    p.last = now;
    if (tokens > burst * interval) tokens = burst * interval;
    const ok = tokens >= interval;
    if (ok) tokens -= interval;
    p.tokens = tokens;
    return ok;
  }
}
