/**
 * Trace events: what devices tell an observer (a test, `--json`, packet comments in the
 * pcapng). Heads up: tracing must cost nothing when nobody listens, so a device checks
 * `bus.enabled` before it builds an event, and only then formats strings or copies bytes.
 */
import type { Nanos } from './time';

export interface TraceEvent {
  /** tx a frame left a port; rx a frame arrived; drop a frame was discarded; decision a device chose something (flood, learn, route). */
  kind: 'tx' | 'rx' | 'drop' | 'decision';
  time: Nanos;
  /** The device's name, e.g. "node1:br0". */
  device: string;
  port?: string;
  /** Why, for drops: a short counter key such as "mtu-exceeded" or "ipv4: bad checksum". */
  reason?: string;
  /** Free text for humans, e.g. "flooded, unknown destination". */
  note?: string;
  /** The frame concerned (never mutated: frames are immutable once transmitted). */
  frame?: Uint8Array;
}

export type TraceSink = (e: TraceEvent) => void;

export class TraceBus {
  #sinks: TraceSink[] = [];

  /** True when at least one sink listens; check it before building an event. */
  get enabled(): boolean {
    return this.#sinks.length > 0;
  }

  /** Adds a sink; the returned function removes it again. */
  subscribe(sink: TraceSink): () => void {
    this.#sinks = [...this.#sinks, sink];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks = [...this.#sinks.slice(0, i), ...this.#sinks.slice(i + 1)];
    };
  }

  /** Hands the event to every sink, in subscription order. */
  emit(e: TraceEvent): void {
    // Sinks are replaced, never mutated, so a sink that (un)subscribes during emit is safe.
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!(e);
  }
}
