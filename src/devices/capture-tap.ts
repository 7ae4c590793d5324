/**
 * Capturing a link's frames ("wrap, don't flag": devices know nothing about captures).
 *
 * `LinkCapture` records every frame a link delivers, in both directions, once each, at the
 * simulated time it arrives, into a `CaptureSink` (the pcap/pcapng writer, a test's list). It
 * works by standing in front of the receivers at the link's ends:
 *   - if a device is already attached to an end, the capture takes its place and passes each
 *     frame on (so a link can be tapped at any time);
 *   - otherwise attach the device to the capture's own ports `capture.a` / `capture.b`, which
 *     transmit into the link and deliver to the device.
 * Heads up: a device that calls `setReceiver` on the raw end after the capture was made
 * replaces it; attach through `capture.a` / `capture.b` then.
 *
 * Packet comments: a sink can be told why a frame went where it did. Devices emit `decision`
 * trace events carrying the frame (flooded, learned, encapsulated to VTEP …, decapsulated
 * from …); `DecisionNotes` collects them per frame buffer, and a capture built with
 * `commentFor: notes.commentFor` attaches the collected text when it records the frame. A
 * device's decision precedes the frame's next delivery, so the comment appears on the frame
 * as it leaves the device (a flooded frame's copies all carry "flooded"). Nothing of this
 * runs when nobody captures: the hook is called only while recording, and devices build
 * decision events only when the trace bus has a listener.
 */
import type { Nanos, Scheduler, TraceEvent } from '../sim';
import type { FrameReceiver, Port } from './port';
import type { Link, LinkEnd } from './link';

/** Where captured frames go. */
export interface CaptureSink {
  /** One frame seen at `timeNs`; `frame` is immutable and may be kept without copying. */
  record(timeNs: Nanos, frame: Uint8Array, comment?: string): void;
}

export interface CaptureOptions {
  /** Called for each recorded frame; the text becomes the packet's comment (pcapng). */
  commentFor?: (frame: Uint8Array) => string | undefined;
}

/** Records then passes on the frames arriving at one end of the link. */
class Recorder implements FrameReceiver {
  inner: FrameReceiver | null = null;
  innerPort: Port;

  constructor(
    readonly end: LinkEnd,
    readonly capture: LinkCapture,
  ) {
    this.innerPort = end;
  }

  receiveFrame(frame: Uint8Array): void {
    this.capture.recordFrame(frame);
    this.inner?.receiveFrame(frame, this.innerPort);
  }
}

/** The port a device attaches to when it attaches after the capture was made. */
class CapturePort implements Port {
  peer!: CapturePort;

  constructor(readonly end: LinkEnd, readonly recorder: Recorder) {}

  get name(): string {
    return this.end.name;
  }

  get mtu(): number {
    return this.end.mtu;
  }

  transmit(frame: Uint8Array): void {
    this.end.transmit(frame);
  }

  setReceiver(receiver: FrameReceiver): void {
    this.recorder.inner = receiver;
    this.recorder.innerPort = this;
    if (this.end.receiver !== this.recorder) this.end.setReceiver(this.recorder);
  }
}

export class LinkCapture {
  /** Ports to attach devices to (instead of `link.a` / `link.b`) when they attach later. */
  readonly a: Port;
  readonly b: Port;
  /** Frames recorded so far. */
  frames = 0;
  readonly #scheduler: Scheduler;
  readonly #sink: CaptureSink;
  readonly #commentFor: ((frame: Uint8Array) => string | undefined) | undefined;
  readonly #recorders: readonly [Recorder, Recorder];
  #closed = false;

  constructor(scheduler: Scheduler, readonly link: Link, sink: CaptureSink, opts: CaptureOptions = {}) {
    this.#scheduler = scheduler;
    this.#sink = sink;
    this.#commentFor = opts.commentFor;
    const ra = new Recorder(link.a, this);
    const rb = new Recorder(link.b, this);
    this.#recorders = [ra, rb];
    const pa = new CapturePort(link.a, ra);
    const pb = new CapturePort(link.b, rb);
    pa.peer = pb;
    pb.peer = pa;
    this.a = pa;
    this.b = pb;
    for (const r of this.#recorders) {
      const existing = r.end.receiver;
      if (existing !== null) {
        r.inner = existing;
        r.end.setReceiver(r);
      }
    }
  }

  /** Called by the recorders; public only for them. */
  recordFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    this.frames++;
    const comment = this.#commentFor?.(frame);
    if (comment === undefined) this.#sink.record(this.#scheduler.now, frame);
    else this.#sink.record(this.#scheduler.now, frame, comment);
  }

  /** Stops recording and gives the ends back to the devices behind the capture. */
  close(): void {
    this.#closed = true;
    for (const r of this.#recorders) {
      if (r.end.receiver === r && r.inner !== null) {
        if (r.innerPort === r.end) r.end.setReceiver(r.inner);
        // A device attached through a CapturePort keeps receiving through it (unrecorded).
      }
    }
  }
}

/**
 * Turns devices' `decision` trace events into per-frame notes for packet comments. Subscribe
 * `notes.observe` to the trace bus and give `notes.commentFor` to the captures.
 */
export class DecisionNotes {
  readonly #notes = new WeakMap<Uint8Array, string>();

  readonly observe = (e: TraceEvent): void => {
    if (e.kind !== 'decision' || e.frame === undefined || e.note === undefined) return;
    const before = this.#notes.get(e.frame);
    this.#notes.set(e.frame, before === undefined ? e.note : `${before}; ${e.note}`);
  };

  readonly commentFor = (frame: Uint8Array): string | undefined => this.#notes.get(frame);
}
