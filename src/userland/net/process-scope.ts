/**
 * The life of one process: its timers, sockets and pending lookups, its output, and its one
 * exit. When the process exits (or is killed) every timer is cancelled and every socket
 * closed, so nothing it started can print or send afterwards, and `exit` is called once.
 *
 * Heads up: the real tools block in poll() or sleep(); here each wait is a timer on the shared
 * scheduler and each socket read a callback. A callback that fires after the process ended is
 * ignored here, so program code need not check.
 */
import type { EventId, Nanos, Scheduler } from '../../sim';
import type { ProgramIo } from '../program';

/** A timer or a lookup that can be stopped. */
export interface Stoppable {
  cancel(): void;
}

/** A socket or anything else that must be released when the process ends. */
export interface Closeable {
  close(): void;
}

export class ProcessScope {
  readonly scheduler: Scheduler;
  readonly #io: ProgramIo;
  readonly #exit: (code: number) => void;
  readonly #timers = new Set<EventId>();
  readonly #held = new Set<Closeable>();
  readonly #pending = new Set<Stoppable>();
  #ended = false;

  constructor(scheduler: Scheduler, io: ProgramIo, exit: (code: number) => void) {
    this.scheduler = scheduler;
    this.#io = io;
    this.#exit = exit;
  }

  /** True once the process exited or was killed. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The current simulated time. */
  get now(): Nanos {
    return this.scheduler.now;
  }

  out(text: string): void {
    if (!this.#ended) this.#io.stdout(text);
  }

  err(text: string): void {
    if (!this.#ended) this.#io.stderr(text);
  }

  /** Runs `cb` after `delay` nanoseconds, unless the process has ended by then. */
  after(delay: Nanos, cb: () => void): Stoppable {
    const id: EventId = this.scheduler.schedule(Math.max(0, Math.round(delay)), () => {
      this.#timers.delete(id);
      if (!this.#ended) cb();
    });
    this.#timers.add(id);
    return {
      cancel: () => {
        if (this.#timers.delete(id)) this.scheduler.cancel(id);
      },
    };
  }

  /** Runs `cb` at absolute time `time` (or now, if that has passed). */
  at(time: Nanos, cb: () => void): Stoppable {
    return this.after(time - this.scheduler.now, cb);
  }

  /** Keeps `resource` until the process ends, then closes it. */
  hold<T extends Closeable>(resource: T): T {
    this.#held.add(resource);
    return resource;
  }

  /** Closes a held resource now. */
  release(resource: Closeable): void {
    if (this.#held.delete(resource)) resource.close();
  }

  /** Keeps a pending lookup until it completes or the process ends (then cancels it). */
  track<T extends Stoppable>(pending: T): T {
    this.#pending.add(pending);
    return pending;
  }

  /** Forgets a completed lookup. */
  settle(pending: Stoppable): void {
    this.#pending.delete(pending);
  }

  /** Ends the process with `code` (the first call wins). */
  exit(code: number): void {
    if (this.#ended) return;
    this.#end();
    this.#exit(code);
  }

  /** Ends the process without an exit status of its own (the runner's kill). */
  kill(): void {
    if (this.#ended) return;
    this.#end();
  }

  #end(): void {
    this.#ended = true;
    for (const id of this.#timers) this.scheduler.cancel(id);
    this.#timers.clear();
    for (const p of this.#pending) p.cancel();
    this.#pending.clear();
    for (const r of this.#held) r.close();
    this.#held.clear();
  }
}
