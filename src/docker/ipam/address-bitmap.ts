/**
 * The set of allocated addresses of one pool, by ordinal (address − network address), as
 * libnetwork's bitseq/addrset keeps it. A /16 pool has 65536 ordinals: one bit each, held in
 * 64 Ki-bit chunks that are only allocated once an address in them is taken, so a /8 user subnet
 * costs nothing until it is used and a lookup of the lowest free address skips full chunks.
 *
 * Bit b of word w of chunk c is ordinal c·2^16 + w·32 + b.
 */

const CHUNK_SHIFT = 16;
const CHUNK_BITS = 1 << CHUNK_SHIFT;
const CHUNK_WORDS = CHUNK_BITS >>> 5;

/** The index (0..31) of the lowest zero bit of `word`, or -1 if it is all ones. */
function lowestZeroBit(word: number): number {
  const inverted = ~word >>> 0;
  if (inverted === 0) return -1;
  return 31 - Math.clz32((inverted & -inverted) >>> 0);
}

export class AddressBitmap {
  /** Number of ordinals, 2^(32 − prefix length); up to 2^32. */
  readonly size: number;
  readonly #chunks = new Map<number, Uint32Array>();
  readonly #chunkUsed = new Map<number, number>();
  #used = 0;
  /** Serial mode: where the next search starts (bitseq's `curr`). */
  #cursor = 0;

  constructor(size: number) {
    if (!(size >= 1 && size <= 2 ** 32 && Number.isInteger(size))) throw new RangeError(`bad bitmap size ${size}`);
    this.size = size;
  }

  get used(): number {
    return this.#used;
  }
  get free(): number {
    return this.size - this.#used;
  }

  isSet(ordinal: number): boolean {
    const chunk = this.#chunks.get(Math.floor(ordinal / CHUNK_BITS));
    if (!chunk) return false;
    const inChunk = ordinal % CHUNK_BITS;
    return ((chunk[inChunk >>> 5]! >>> (inChunk & 31)) & 1) === 1;
  }

  /** Marks `ordinal` taken; false if it already was. */
  set(ordinal: number): boolean {
    this.#check(ordinal);
    const c = Math.floor(ordinal / CHUNK_BITS);
    let chunk = this.#chunks.get(c);
    if (!chunk) {
      chunk = new Uint32Array(CHUNK_WORDS);
      this.#chunks.set(c, chunk);
    }
    const inChunk = ordinal % CHUNK_BITS;
    const w = inChunk >>> 5;
    const bit = 1 << (inChunk & 31);
    if ((chunk[w]! & bit) !== 0) return false;
    chunk[w] = (chunk[w]! | bit) >>> 0;
    this.#chunkUsed.set(c, (this.#chunkUsed.get(c) ?? 0) + 1);
    this.#used++;
    return true;
  }

  /** Frees `ordinal`; false if it was not taken. */
  unset(ordinal: number): boolean {
    this.#check(ordinal);
    const c = Math.floor(ordinal / CHUNK_BITS);
    const chunk = this.#chunks.get(c);
    if (!chunk) return false;
    const inChunk = ordinal % CHUNK_BITS;
    const w = inChunk >>> 5;
    const bit = 1 << (inChunk & 31);
    if ((chunk[w]! & bit) === 0) return false;
    chunk[w] = (chunk[w]! & ~bit) >>> 0;
    const left = this.#chunkUsed.get(c)! - 1;
    if (left === 0) {
      this.#chunks.delete(c);
      this.#chunkUsed.delete(c);
    } else {
      this.#chunkUsed.set(c, left);
    }
    this.#used--;
    return true;
  }

  /**
   * Takes and returns the lowest free ordinal in [first, last] (bitseq SetAnyInRange with
   * serial=false), or, in serial mode, the first free one at or after the cursor, wrapping to
   * `first` (serial=true, used by the swarm allocator so freed addresses are not reused at once).
   * Returns undefined when the range is full.
   */
  takeLowestFree(first = 0, last = this.size - 1, serial = false): number | undefined {
    let found: number | undefined;
    if (serial && this.#cursor > first && this.#cursor <= last) {
      found = this.#lowestFree(this.#cursor, last) ?? this.#lowestFree(first, this.#cursor - 1);
    } else {
      found = this.#lowestFree(first, last);
    }
    if (found === undefined) return undefined;
    this.set(found);
    if (serial) this.#cursor = found + 1 >= this.size ? 0 : found + 1;
    return found;
  }

  /** The lowest clear ordinal in [from, to], without taking it. */
  #lowestFree(from: number, to: number): number | undefined {
    let ordinal = from;
    while (ordinal <= to) {
      const c = Math.floor(ordinal / CHUNK_BITS);
      const chunk = this.#chunks.get(c);
      const chunkEnd = Math.min(to, (c + 1) * CHUNK_BITS - 1);
      if (!chunk) return ordinal;
      if (this.#chunkUsed.get(c)! < CHUNK_BITS) {
        let inChunk = ordinal % CHUNK_BITS;
        const endInChunk = chunkEnd % CHUNK_BITS;
        while (inChunk <= endInChunk) {
          const w = inChunk >>> 5;
          // Treat the bits below the start of the search as taken.
          const below = inChunk & 31;
          const word = below === 0 ? chunk[w]! : (chunk[w]! | ((1 << below) - 1)) >>> 0;
          const z = lowestZeroBit(word);
          if (z >= 0) {
            const hit = (w << 5) + z;
            return hit <= endInChunk ? c * CHUNK_BITS + hit : undefined;
          }
          inChunk = (w + 1) << 5;
        }
      }
      ordinal = chunkEnd + 1;
    }
    return undefined;
  }

  #check(ordinal: number): void {
    if (!(ordinal >= 0 && ordinal < this.size && Number.isInteger(ordinal))) {
      throw new RangeError(`ordinal ${ordinal} outside 0..${this.size - 1}`);
    }
  }
}
