/**
 * Seeded random streams. All randomness in cnmlab (container IDs, random MACs, jitter, loss,
 * ephemeral ports) comes from here, one named stream per component, so that the same seed gives
 * the same run and adding a component does not shift the numbers another component sees.
 *
 * Generator choice: seedrandom's Alea (Baagøe's multiply-with-carry lagged generator), not its
 * default ARC4. Alea passes the usual statistical batteries for simulation use, is several
 * times faster than ARC4 (it is a few float operations per number, which matters for per-packet
 * loss and jitter draws), and seeds from any string through its Mash hash, which is exactly what
 * named forks need. Nothing here needs cryptographic strength.
 *
 * Heads up: a fork's stream depends only on the parent's seed path and the fork's name, never on
 * how many numbers the parent has drawn, so forks may be created in any order.
 */
import seedrandom from 'seedrandom';

const TWO_POW_32 = 0x1_0000_0000;

export class Rng {
  readonly #key: string;
  readonly #prng: seedrandom.PRNG;

  private constructor(key: string) {
    this.#key = key;
    this.#prng = seedrandom.alea(key);
  }

  /** The root stream of a run; numbers and strings are distinct seeds (1 and "1" differ). */
  static fromSeed(seed: string | number): Rng {
    return new Rng(`${typeof seed === 'number' ? 'n' : 's'}:${seed}`);
  }

  /**
   * An independent stream derived from this stream's seed and `name`
   * (e.g. `rng.fork('ipam')`, `rng.fork('veth:container1')`). The name is length-prefixed in
   * the derived key so that no two different (parent, name) pairs share a key.
   */
  fork(name: string): Rng {
    return new Rng(`${this.#key}/${name.length}:${name}`);
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.#prng();
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    return this.#prng.int32() >>> 0;
  }

  /** An integer in [0, n), for 1 <= n <= 2^53. */
  int(n: number): number {
    if (!(n >= 1) || !Number.isSafeInteger(n)) throw new RangeError(`int: n must be a positive integer, got ${n}`);
    // Up to 2^32 one 32-bit draw suffices (its bias, below n / 2^32, is negligible for the small
    // n cnmlab draws: ports, indices); beyond, 53 bits so every value is reachable.
    return Math.floor((n <= TWO_POW_32 ? this.#prng() : this.#prng.double()) * n);
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.nextUint32();
      out[i] = v >>> 24;
      if (i + 1 < n) out[i + 1] = (v >>> 16) & 0xff;
      if (i + 2 < n) out[i + 2] = (v >>> 8) & 0xff;
      if (i + 3 < n) out[i + 3] = v & 0xff;
    }
    return out;
  }

  /** `nChars` lowercase hex digits, e.g. a 64-digit Docker ID. */
  hex(nChars: number): string {
    const b = this.bytes(Math.ceil(nChars / 2));
    let s = '';
    for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
    return s.slice(0, nChars);
  }

  /** An exponentially distributed number with the given mean (inverse transform sampling). */
  exponential(mean: number): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    return -mean * Math.log(1 - this.#prng());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.#prng() < p;
  }
}
