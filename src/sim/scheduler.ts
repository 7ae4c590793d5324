/**
 * The discrete-event scheduler: a clock in integer nanoseconds and a queue of callbacks ordered
 * by (time, insertion order). Two events at the same nanosecond run in the order they were
 * scheduled, which is what makes every run of a scenario identical.
 *
 * Heads up (how the queue works): this is the innermost loop of the emulator, so the queue is
 * not a comparison heap but a hierarchical timing wheel over the integer clock (Varghese and
 * Lauck, "Hashed and hierarchical timing wheels", 1987; the structure of Linux's timer wheel,
 * and a radix heap in disguise). A cursor `c` never exceeds any pending time. Level l has 32
 * buckets, one per value of bits [5l, 5l+5) of the time; an event lives at the level of the
 * highest bit in which its time differs from `c`, so every event at level 0 is due before every
 * event at level 1, and so on. The next event is the head of the lowest occupied level-0 bucket;
 * when level 0 is empty, the cursor jumps to the start of the lowest occupied bucket above and
 * that bucket's events are re-placed (cascaded) into lower levels. Each bucket is a FIFO list,
 * and re-placing walks it in order, so events of equal time stay in insertion order with no
 * sequence numbers and no comparisons. Insertion and removal are O(1); an event is moved at most
 * once per level below the one it started in. All state lives in typed arrays indexed by slot
 * (time, links, generation) plus two plain arrays for callbacks and their arguments: scheduling
 * allocates nothing. Cancellation unlinks the event at once.
 *
 * An `EventId` packs the slot and the slot's generation (bumped every time the slot is freed),
 * so cancelling an event that already ran, or a stale id whose slot now holds another event,
 * is a no-op that returns false.
 */
import type { Nanos } from './time';

export type EventId = number;

export interface RunResult {
  /** Events executed by this call (cancelled ones are not counted). */
  executed: number;
  /**
   * Why the run stopped: 'empty' no event left (only without `until`); 'until' the clock reached
   * `until` (events may remain after it); 'maxEvents' the limit was reached while an event was
   * still due, and the clock stays at the last executed event.
   */
  stoppedBy: 'empty' | 'until' | 'maxEvents';
}

export interface RunOptions {
  /** Run every event with time <= until, then set the clock to until even if idle. */
  until?: Nanos;
  /** Stop after this many executed events (storm and runaway protection). */
  maxEvents?: number;
}

export interface SchedulerStats {
  scheduled: number;
  executed: number;
  cancelled: number;
}

/** Defaults and limits of `Scheduler`. */
export const SCHEDULER_DEFAULTS = {
  /** Slot arrays start this large and double when full. */
  initialCapacity: 1024,
  /**
   * The most events that can be pending at once (2^24). Ids pack a slot below this and a
   * generation above it; both stay within 2^53, so ids are exact integers.
   */
  maxPending: 1 << 24,
} as const;

const SLOT_SPACE = SCHEDULER_DEFAULTS.maxPending;
/** Generations wrap here so that gen * SLOT_SPACE + slot stays below 2^53. */
const GENERATION_LIMIT = 2 ** 29;
/** Bits of the time per wheel level, buckets per level, and levels to cover 2^53 ns. */
const LEVEL_BITS = 5;
const BUCKETS = 1 << LEVEL_BITS;
const LEVELS = 11;
const TWO_POW_32 = 0x1_0000_0000;
/** The level that holds an event whose time first differs from the cursor at bit b. */
const LEVEL_OF_BIT = Int8Array.from({ length: 64 }, (_, b) => Math.floor(b / LEVEL_BITS));
/** 2^(5l): the time one bucket of level l spans. */
const BUCKET_SPAN = Float64Array.from({ length: LEVELS + 1 }, (_, l) => 2 ** (LEVEL_BITS * l));
const NONE = -1;

type Callback = (arg: any) => void;

export class Scheduler {
  #now: Nanos = 0;
  /** The wheel's cursor: <= every pending time, and <= now outside of run(). Also split in 32-bit halves. */
  #cursor = 0;
  #cursorHi = 0;
  #cursorLo = 0;
  #live = 0;
  /** Per slot: due time, FIFO links, bucket, generation, callback (null when free) and argument. */
  #slotTime: Float64Array;
  #slotNext: Int32Array;
  #slotPrev: Int32Array;
  #slotBucket: Int16Array;
  #slotGen: Uint32Array;
  #slotCb: (Callback | null)[];
  #slotArg: unknown[];
  #slotsUsed = 0;
  /** Free slots are chained through #slotNext. */
  #freeHead = NONE;
  #capacity: number;
  /** Per bucket (level * 32 + index): first and last slot; per level: a bitmap of non-empty buckets. */
  readonly #head = new Int32Array(LEVELS * BUCKETS).fill(NONE);
  readonly #tail = new Int32Array(LEVELS * BUCKETS).fill(NONE);
  readonly #occupied = new Int32Array(LEVELS);

  readonly stats: SchedulerStats = { scheduled: 0, executed: 0, cancelled: 0 };

  constructor() {
    const cap = SCHEDULER_DEFAULTS.initialCapacity;
    this.#capacity = cap;
    this.#slotTime = new Float64Array(cap);
    this.#slotNext = new Int32Array(cap);
    this.#slotPrev = new Int32Array(cap);
    this.#slotBucket = new Int16Array(cap);
    this.#slotGen = new Uint32Array(cap);
    this.#slotCb = new Array<Callback | null>(cap).fill(null);
    this.#slotArg = new Array<unknown>(cap).fill(undefined);
  }

  /** The current simulated time. */
  get now(): Nanos {
    return this.#now;
  }

  /** Events scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.#live;
  }

  /** Runs `cb(arg)` after `delay` nanoseconds (an integer ≥ 0; 0 means later in this same nanosecond). */
  schedule(delay: Nanos, cb: () => void): EventId;
  schedule<A>(delay: Nanos, cb: (arg: A) => void, arg: A): EventId;
  schedule(delay: Nanos, cb: Callback, arg?: unknown): EventId {
    if (!(delay >= 0) || !Number.isSafeInteger(delay)) {
      throw new RangeError(`schedule: delay must be a non-negative integer of nanoseconds, got ${delay}`);
    }
    return this.#insert(this.#now + delay, cb, arg);
  }

  /** Runs `cb(arg)` at absolute time `time` (an integer ≥ now). */
  scheduleAt(time: Nanos, cb: () => void): EventId;
  scheduleAt<A>(time: Nanos, cb: (arg: A) => void, arg: A): EventId;
  scheduleAt(time: Nanos, cb: Callback, arg?: unknown): EventId {
    if (!(time >= this.#now) || !Number.isSafeInteger(time)) {
      throw new RangeError(`scheduleAt: time must be an integer >= now (${this.#now}), got ${time}`);
    }
    return this.#insert(time, cb, arg);
  }

  /** Cancels a pending event. Returns false when it already ran, was cancelled, or never existed. */
  cancel(id: EventId): boolean {
    if (!Number.isSafeInteger(id) || id < 0) return false;
    const slot = id % SLOT_SPACE;
    const gen = (id - slot) / SLOT_SPACE;
    if (slot >= this.#slotsUsed || this.#slotGen[slot] !== gen || this.#slotCb[slot] === null) return false;
    this.#unlink(slot);
    this.#freeSlot(slot);
    this.#live--;
    this.stats.cancelled++;
    return true;
  }

  /** Runs events in (time, insertion) order until none is left, `until` is passed or `maxEvents` ran. */
  run(opts: RunOptions = {}): RunResult {
    const until = opts.until;
    if (until !== undefined && (!(until >= this.#now) || !Number.isSafeInteger(until))) {
      throw new RangeError(`run: until must be an integer >= now (${this.#now}), got ${until}`);
    }
    const limit = until ?? Infinity;
    const maxEvents = opts.maxEvents ?? Infinity;
    let executed = 0;
    for (;;) {
      if (executed >= maxEvents) {
        if (this.#peekTime() <= limit) return { executed, stoppedBy: 'maxEvents' };
        break;
      }
      const slot = this.#takeNext(limit);
      if (slot === NONE) break;
      executed++;
      this.#execute(slot);
    }
    if (until !== undefined) {
      this.#now = until;
      return { executed, stoppedBy: 'until' };
    }
    return { executed, stoppedBy: 'empty' };
  }

  /** Runs the next event, if any. Returns false when the queue is empty. */
  step(): boolean {
    const slot = this.#takeNext(Infinity);
    if (slot === NONE) return false;
    this.#execute(slot);
    return true;
  }

  /** Frees the slot, advances the clock and calls the callback (after freeing, so it may reuse the slot). */
  #execute(slot: number): void {
    const cb = this.#slotCb[slot]!;
    const arg = this.#slotArg[slot];
    this.#now = this.#slotTime[slot]!;
    this.#freeSlot(slot);
    this.#live--;
    this.stats.executed++;
    cb(arg);
  }

  #insert(time: number, cb: Callback, arg: unknown): EventId {
    if (typeof cb !== 'function') throw new TypeError('schedule: callback is not a function');
    if (time > Number.MAX_SAFE_INTEGER) throw new RangeError(`event time ${time} is beyond 2^53 ns`);
    let slot = this.#freeHead;
    if (slot !== NONE) {
      this.#freeHead = this.#slotNext[slot]!;
    } else {
      if (this.#slotsUsed === this.#capacity) this.#grow();
      slot = this.#slotsUsed++;
    }
    this.#slotCb[slot] = cb;
    this.#slotArg[slot] = arg;
    this.#slotTime[slot] = time;
    this.#place(slot, time);
    this.#live++;
    this.stats.scheduled++;
    return this.#slotGen[slot]! * SLOT_SPACE + slot;
  }

  /** Appends the slot to the bucket its time belongs to, relative to the cursor. */
  #place(slot: number, time: number): void {
    const hi = (time / TWO_POW_32) | 0;
    const lo = time >>> 0;
    let level: number;
    let index: number;
    const diffHi = hi ^ this.#cursorHi;
    if (diffHi !== 0) {
      level = LEVEL_OF_BIT[63 - Math.clz32(diffHi)]!;
      const shift = LEVEL_BITS * level;
      // Level 6 holds bits 30..34, which straddle the two halves.
      index = shift === 30 ? ((lo >>> 30) | (hi << 2)) & 31 : (hi >>> (shift - 32)) & 31;
    } else {
      const diffLo = lo ^ this.#cursorLo;
      level = diffLo === 0 ? 0 : LEVEL_OF_BIT[31 - Math.clz32(diffLo)]!;
      const shift = LEVEL_BITS * level;
      index = shift === 30 ? ((lo >>> 30) | (hi << 2)) & 31 : (lo >>> shift) & 31;
    }
    const bucket = level * BUCKETS + index;
    const last = this.#tail[bucket]!;
    this.#slotPrev[slot] = last;
    this.#slotNext[slot] = NONE;
    this.#slotBucket[slot] = bucket;
    if (last === NONE) {
      this.#head[bucket] = slot;
      this.#occupied[level] = this.#occupied[level]! | (1 << index);
    } else {
      this.#slotNext[last] = slot;
    }
    this.#tail[bucket] = slot;
  }

  #unlink(slot: number): void {
    const bucket = this.#slotBucket[slot]!;
    const prev = this.#slotPrev[slot]!;
    const next = this.#slotNext[slot]!;
    if (prev === NONE) this.#head[bucket] = next;
    else this.#slotNext[prev] = next;
    if (next === NONE) this.#tail[bucket] = prev;
    else this.#slotPrev[next] = prev;
    if (this.#head[bucket] === NONE) {
      const level = bucket >> LEVEL_BITS;
      this.#occupied[level] = this.#occupied[level]! & ~(1 << (bucket & 31));
    }
  }

  /**
   * Removes and returns the earliest event if it is due at or before `limit`, else NONE. The
   * cursor only moves to times <= limit, so that after run({ until }) it stays <= now.
   */
  #takeNext(limit: number): number {
    const occupied = this.#occupied;
    for (;;) {
      const level0 = occupied[0]!;
      if (level0 !== 0) {
        // The lowest occupied level-0 bucket: its head is the earliest event.
        const index = 31 - Math.clz32(level0 & -level0);
        const slot = this.#head[index]!;
        const time = this.#slotTime[slot]!;
        if (time > limit) return NONE;
        this.#unlink(slot);
        this.#setCursor(time);
        return slot;
      }
      let level = 1;
      while (level < LEVELS && occupied[level] === 0) level++;
      if (level === LEVELS) return NONE;
      const bits = occupied[level]!;
      const index = 31 - Math.clz32(bits & -bits);
      const span = BUCKET_SPAN[level]!;
      const start = Math.floor(this.#cursor / BUCKET_SPAN[level + 1]!) * BUCKET_SPAN[level + 1]! + index * span;
      if (start > limit) return NONE;
      this.#setCursor(start);
      this.#cascade(level * BUCKETS + index);
    }
  }

  /** Re-places a bucket's events, in FIFO order, relative to the new cursor (they land lower). */
  #cascade(bucket: number): void {
    let slot = this.#head[bucket]!;
    this.#head[bucket] = NONE;
    this.#tail[bucket] = NONE;
    const level = bucket >> LEVEL_BITS;
    this.#occupied[level] = this.#occupied[level]! & ~(1 << (bucket & 31));
    while (slot !== NONE) {
      const next = this.#slotNext[slot]!;
      this.#place(slot, this.#slotTime[slot]!);
      slot = next;
    }
  }

  /** The earliest pending time without changing anything (Infinity when empty). */
  #peekTime(): number {
    for (let level = 0; level < LEVELS; level++) {
      const bits = this.#occupied[level]!;
      if (bits === 0) continue;
      let slot = this.#head[level * BUCKETS + 31 - Math.clz32(bits & -bits)]!;
      if (level === 0) return this.#slotTime[slot]!;
      // A higher bucket is not sorted: scan it.
      let min = Infinity;
      for (; slot !== NONE; slot = this.#slotNext[slot]!) min = Math.min(min, this.#slotTime[slot]!);
      return min;
    }
    return Infinity;
  }

  #setCursor(time: number): void {
    this.#cursor = time;
    this.#cursorHi = (time / TWO_POW_32) | 0;
    this.#cursorLo = time >>> 0;
  }

  #freeSlot(slot: number): void {
    this.#slotCb[slot] = null;
    this.#slotArg[slot] = undefined;
    const gen = this.#slotGen[slot]! + 1;
    this.#slotGen[slot] = gen === GENERATION_LIMIT ? 0 : gen;
    this.#slotNext[slot] = this.#freeHead;
    this.#freeHead = slot;
  }

  #grow(): void {
    const cap = this.#capacity * 2;
    if (cap > SLOT_SPACE) throw new RangeError(`more than ${SLOT_SPACE} events pending at once`);
    const time = new Float64Array(cap);
    time.set(this.#slotTime);
    this.#slotTime = time;
    const next = new Int32Array(cap);
    next.set(this.#slotNext);
    this.#slotNext = next;
    const prev = new Int32Array(cap);
    prev.set(this.#slotPrev);
    this.#slotPrev = prev;
    const bucket = new Int16Array(cap);
    bucket.set(this.#slotBucket);
    this.#slotBucket = bucket;
    const gen = new Uint32Array(cap);
    gen.set(this.#slotGen);
    this.#slotGen = gen;
    for (let i = this.#capacity; i < cap; i++) {
      this.#slotCb.push(null);
      this.#slotArg.push(undefined);
    }
    this.#capacity = cap;
  }
}
