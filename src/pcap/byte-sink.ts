/**
 * Where capture writers put their bytes. Writers never touch the file system: the CLI gives
 * them a file sink, tests give them a `MemorySink`.
 *
 * Ownership: a chunk handed to `write` belongs to the sink from then on. The writer never
 * reads or changes it again, so a sink may keep it (queue it for an asynchronous write) without
 * copying. A sink that is done with each chunk when `write` returns (it copied the bytes, wrote
 * them out, or only counted them) says so with `copiesChunks`, and the writers then reuse one
 * buffer instead of allocating a fresh one per chunk (measured on BENCH.md's W1 with captures:
 * the fresh 64 KiB buffers were 9 % of the run).
 */
export interface ByteSink {
  /** Takes the next bytes of the file, in order. */
  write(chunk: Uint8Array): void;
  /** Everything written so far should reach its destination now (end of a scenario step, exit). */
  flush(): void;
  /** True: the sink no longer needs a chunk once `write` returns, so the writer may overwrite it. */
  readonly copiesChunks?: boolean;
}

/** Defaults of `MemorySink`. */
export const MEMORY_SINK_DEFAULTS = {
  /** Bytes reserved up front; the store doubles whenever it runs out. */
  initialCapacity: 64 * 1024,
} as const;

/** A sink that keeps everything in memory, growing as needed; `bytes()` is the file so far. */
export class MemorySink implements ByteSink {
  /** `write` copies every chunk into the store. */
  readonly copiesChunks = true;
  #store: Uint8Array;
  #length = 0;
  /** How many times `write` and `flush` were called: tests use these to check buffering. */
  writes = 0;
  flushes = 0;

  constructor(initialCapacity: number = MEMORY_SINK_DEFAULTS.initialCapacity) {
    this.#store = new Uint8Array(Math.max(16, initialCapacity));
  }

  write(chunk: Uint8Array): void {
    this.writes++;
    const needed = this.#length + chunk.length;
    if (needed > this.#store.length) {
      let capacity = this.#store.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#store.subarray(0, this.#length));
      this.#store = grown;
    }
    this.#store.set(chunk, this.#length);
    this.#length = needed;
  }

  flush(): void {
    this.flushes++;
  }

  /** The bytes written so far, as a view that stays valid: later writes only append past its end. */
  bytes(): Uint8Array {
    return this.#store.subarray(0, this.#length);
  }

  get length(): number {
    return this.#length;
  }
}
