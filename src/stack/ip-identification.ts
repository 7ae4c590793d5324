/**
 * The IPv4 Identification field of datagrams that do not come from a connected socket.
 *
 * Linux (__ip_select_ident → ip_idents_reserve, net/ipv4/route.c) keeps an array of counters
 * indexed by a keyed hash of (destination, source, protocol). Each use adds 1 plus a random
 * amount below the number of jiffies since the bucket's previous use, so that an observer
 * cannot count another host's traffic. The kernel fixtures show exactly this: echo requests
 * one second apart carry ids 0xfd80, 0xfe64, 0xfe73 (gaps of 228 and 15), and back-to-back
 * traceroute probes carry consecutive ids (0x8d4d, 0x8d4e). All gaps seen are below 250, which
 * says HZ = 250 on the capturing kernel.
 *
 * What the kernel leaves random, and what cnmlab chooses:
 * - the hash key and each bucket's starting value: drawn from the namespace's 'ip-id' RNG fork
 *   when the bucket is first used (the kernel fills the array with random bytes at boot);
 * - the per-use random gap: `rng.int(elapsed jiffies)`, HZ = 250, as ip_idents_reserve does.
 * Connected sockets use their own counter instead (UdpSocket), as the kernel's inet_id.
 */
import type { Nanos, Rng } from '../sim';
import type { Ipv4 } from '../wire';

export const IP_ID_DEFAULTS = {
  /** ip_idents buckets (the kernel sizes it 2048..262144 by memory; collisions share a counter). */
  buckets: 2048,
  /** The kernel's tick: one jiffy is 4 ms at HZ = 250. */
  jiffy: 4_000_000 as Nanos,
};

export class IpIdGenerator {
  readonly #rng: Rng;
  readonly #key: number;
  /** Bucket → [counter, jiffy of last use]. Buckets appear on first use. */
  readonly #buckets = new Map<number, { id: number; tick: number }>();

  constructor(rng: Rng) {
    this.#rng = rng;
    this.#key = rng.nextUint32();
  }

  /** The id for the next datagram from `src` to `dst` with `protocol`, at simulated time `now`. */
  next(src: Ipv4, dst: Ipv4, protocol: number, now: Nanos): number {
    const bucket = this.#hash(dst, src, protocol) % IP_ID_DEFAULTS.buckets;
    const tick = Math.floor(now / IP_ID_DEFAULTS.jiffy);
    let b = this.#buckets.get(bucket);
    if (b === undefined) {
      b = { id: this.#rng.int(0x1_0000), tick };
      this.#buckets.set(bucket, b);
      return b.id;
    }
    // ip_idents_reserve: the value handed out is the counter plus a random gap; the counter then
    // moves one past it (segs = 1).
    const delta = tick !== b.tick ? this.#rng.int(tick - b.tick) : 0;
    b.tick = tick;
    const id = (b.id + 1 + delta) & 0xffff;
    b.id = id;
    return id;
  }

  /** A small keyed mix (the kernel uses siphash; any keyed hash gives the same behaviour). */
  #hash(a: number, b: number, c: number): number {
    let h = this.#key ^ 0x9e3779b9;
    h = Math.imul(h ^ a, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
    return (h ^ (h >>> 15)) >>> 0;
  }
}
