/**
 * libnetwork's default address pools (ipamutils/utils.go, identical in LN and moby):
 *
 *   local scope  (bridge, macvlan, …): 172.17.0.0/16, 172.18.0.0/16, 172.19.0.0/16,
 *                 172.20.0.0/14, 172.24.0.0/14, 172.28.0.0/14 split into /16s, then
 *                 192.168.0.0/16 split into /20s — 15 + 16 = 31 pools, in that order.
 *   global scope (overlay/swarm): 10.0.0.0/8 split into /24s (65536 pools).
 *
 * A list is held as its bases and sizes and indexed arithmetically, so the 65536 global pools
 * are never materialised.
 */
import { parseCidr, networkOf } from '../../wire';
import type { Ipv4Prefix } from '../../wire';

/** ipamutils.NetworkToSplit: `base` cut into subnets of prefix length `size`. */
export interface NetworkToSplit {
  readonly base: Ipv4Prefix;
  readonly size: number;
}

function split(base: string, size: number): NetworkToSplit {
  return { base: parseCidr(base), size };
}

export const LOCAL_DEFAULT_POOLS: readonly NetworkToSplit[] = [
  split('172.17.0.0/16', 16),
  split('172.18.0.0/16', 16),
  split('172.19.0.0/16', 16),
  split('172.20.0.0/14', 16),
  split('172.24.0.0/14', 16),
  split('172.28.0.0/14', 16),
  split('192.168.0.0/16', 20),
];

export const GLOBAL_DEFAULT_POOLS: readonly NetworkToSplit[] = [split('10.0.0.0/8', 24)];

/** The subnets of a list of NetworkToSplit, in order, by index. */
export class PredefinedPoolList {
  readonly entries: readonly NetworkToSplit[];
  readonly length: number;
  /** starts[i] = index of the first subnet of entries[i]. */
  readonly #starts: number[] = [];

  constructor(entries: readonly NetworkToSplit[]) {
    for (const e of entries) {
      if (e.size < e.base.len || e.size > 32) throw new RangeError(`pool size /${e.size} does not fit ${e.base.len}`);
    }
    this.entries = entries;
    let n = 0;
    for (const e of entries) {
      this.#starts.push(n);
      n += 2 ** (e.size - e.base.len);
    }
    this.length = n;
  }

  /** The i-th subnet (0 ≤ i < length). */
  at(i: number): Ipv4Prefix {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`pool index ${i} outside 0..${this.length - 1}`);
    let k = this.#starts.length - 1;
    while (this.#starts[k]! > i) k--;
    const e = this.entries[k]!;
    const offset = i - this.#starts[k]!;
    return { addr: (networkOf(e.base) + offset * 2 ** (32 - e.size)) >>> 0, len: e.size };
  }
}
