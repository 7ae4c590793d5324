/**
 * Fault injection on one link end ("wrap, don't flag"): a `Port` that stands between a device
 * and the end it transmits into, and drops, corrupts, duplicates or reorders the frames the
 * device sends, each with its own probability, drawn from a named RNG stream. Wrap both ends
 * of a link to disturb both directions.
 *
 * Per transmitted frame, in this order (one draw per non-zero probability, so a given seed and
 * configuration always disturbs the same frames):
 *   - drop: the frame never reaches the link;
 *   - corrupt: a copy with one byte inverted (xor 0xff) at a random offset goes instead
 *     (frames are immutable once transmitted, so the original buffer is left alone);
 *   - reorder: the frame is held back and sent right after the next frame; if no next frame
 *     comes within `reorderHoldLimit`, it is sent then;
 *   - duplicate: the frame is sent twice.
 * Frames arriving at the end pass through untouched, handed to the device with this wrapper
 * as their port.
 */
import { ms, type Nanos, type EventId } from '../sim';
import type { FrameReceiver, Port } from './port';
import type { DeviceDeps } from './link';
import { copyFrame } from './frame-buffer';

export interface FaultOptions {
  /** Probabilities in 0..1 (default 0). */
  drop?: number;
  corrupt?: number;
  duplicate?: number;
  reorder?: number;
  /** The RNG stream's name (default "fault:" + the port's name). */
  stream?: string;
  /** The longest a reordered frame waits for a successor (default FAULT_DEFAULTS.reorderHoldLimit). */
  reorderHoldLimit?: Nanos;
}

export const FAULT_DEFAULTS = {
  /** A held-back frame goes out after this long even if no other frame follows it. */
  reorderHoldLimit: ms(1),
} as const;

export interface FaultStats {
  dropped: number;
  corrupted: number;
  duplicated: number;
  reordered: number;
}

export class FaultInjector implements Port, FrameReceiver {
  readonly stats: FaultStats = { dropped: 0, corrupted: 0, duplicated: 0, reordered: 0 };
  drop: number;
  corrupt: number;
  duplicate: number;
  reorder: number;
  readonly reorderHoldLimit: Nanos;
  readonly #inner: Port;
  readonly #deps: DeviceDeps;
  readonly #rng: ReturnType<DeviceDeps['rng']['fork']>;
  #receiver: FrameReceiver | null = null;
  #held: Uint8Array | null = null;
  #holdTimer: EventId = -1;

  constructor(deps: DeviceDeps, inner: Port, opts: FaultOptions = {}) {
    this.#deps = deps;
    this.#inner = inner;
    this.drop = opts.drop ?? 0;
    this.corrupt = opts.corrupt ?? 0;
    this.duplicate = opts.duplicate ?? 0;
    this.reorder = opts.reorder ?? 0;
    for (const [k, v] of [['drop', this.drop], ['corrupt', this.corrupt], ['duplicate', this.duplicate], ['reorder', this.reorder]] as const) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`fault probability ${k} must be in 0..1, got ${v}`);
    }
    this.reorderHoldLimit = opts.reorderHoldLimit ?? FAULT_DEFAULTS.reorderHoldLimit;
    this.#rng = deps.rng.fork(opts.stream ?? 'fault:' + inner.name);
  }

  get name(): string {
    return this.#inner.name;
  }

  get mtu(): number {
    return this.#inner.mtu;
  }

  get peer(): Port {
    return this.#inner.peer;
  }

  setReceiver(receiver: FrameReceiver): void {
    this.#receiver = receiver;
    this.#inner.setReceiver(this);
  }

  receiveFrame(frame: Uint8Array): void {
    this.#receiver?.receiveFrame(frame, this);
  }

  transmit(frame: Uint8Array): void {
    const rng = this.#rng;
    if (this.drop > 0 && rng.chance(this.drop)) {
      this.stats.dropped++;
      this.#trace('drop', frame, 'fault-drop');
      return;
    }
    if (this.corrupt > 0 && rng.chance(this.corrupt) && frame.length > 0) {
      const copy = copyFrame(frame);
      copy[rng.int(copy.length)]! ^= 0xff;
      this.stats.corrupted++;
      this.#trace('decision', copy, 'fault: corrupted one byte');
      frame = copy;
    }
    if (this.reorder > 0 && this.#held === null && rng.chance(this.reorder)) {
      this.stats.reordered++;
      this.#held = frame;
      this.#holdTimer = this.#deps.scheduler.schedule(this.reorderHoldLimit, this.#releaseHeld);
      this.#trace('decision', frame, 'fault: held back to be sent after the next frame');
      return;
    }
    const twice = this.duplicate > 0 && rng.chance(this.duplicate);
    this.#inner.transmit(frame);
    if (twice) {
      this.stats.duplicated++;
      this.#trace('decision', frame, 'fault: duplicated');
      this.#inner.transmit(frame);
    }
    if (this.#held !== null) {
      this.#deps.scheduler.cancel(this.#holdTimer);
      this.#releaseHeld();
    }
  }

  readonly #releaseHeld = (): void => {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    this.#holdTimer = -1;
    this.#inner.transmit(held);
  };

  #trace(kind: 'drop' | 'decision', frame: Uint8Array, text: string): void {
    const trace = this.#deps.trace;
    if (!trace.enabled) return;
    const time = this.#deps.scheduler.now;
    if (kind === 'drop') trace.emit({ kind, time, device: this.name, port: this.name, reason: text, frame });
    else trace.emit({ kind, time, device: this.name, port: this.name, note: text, frame });
  }
}
