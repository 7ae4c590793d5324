/**
 * A point-to-point link with two ends (ports): a veth pair, a cable to a LAN switch, or the
 * internal hop between a bridge and its own interface.
 *
 * Each direction is modelled on its own, like one `tc netem` qdisc per veth end:
 *   1. the link must be up ('link-down' otherwise) and the frame must fit the MTU ('mtu');
 *   2. with a `rate`, the frame waits for the transmitter in a FIFO of at most `queueLimit`
 *      frames ('queue-full' beyond) and then takes length·8/rate to serialise;
 *   3. it may be lost on the wire ('loss', after serialisation: the wire loses what was sent);
 *   4. it arrives `delay` (± `jitter`) after its last bit left.
 * Every delivery is one scheduled event, zero delay included. A drop is counted per direction
 * and reason, and is a trace event when someone listens.
 *
 * Heads up (performance): this is on every frame's path, so `transmit` allocates nothing. Each
 * direction has one delivery callback made in the constructor, and the frame travels as the
 * event's argument. Transmit order is delivery order unless jitter > 0 (the scheduler breaks
 * ties at equal times by insertion order, and departure times never decrease).
 *
 * Heads up (randomness): loss and jitter draw from the link's own stream,
 * `rng.fork('link:' + link.name)`, and only when they are non-zero, so turning loss on for one
 * link changes no other link's numbers.
 */
import type { Nanos, Rng, Scheduler, TraceBus } from '../sim';
import type { FrameReceiver, Port } from './port';
import { VETH_DEFAULTS, validateLinkParams, type LinkParams } from './link-params';

/** What every device constructor takes: the run's clock, random streams and trace bus. */
export interface DeviceDeps {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly trace: TraceBus;
}

export type LinkDropReason = 'mtu' | 'queue-full' | 'loss' | 'link-down';

/** Counters of one direction of a link. */
export interface LinkDirectionStats {
  /** Frames and bytes delivered to the far end. */
  frames: number;
  bytes: number;
  drops: Record<LinkDropReason, number>;
}

const NS_PER_SEC = 1e9;
const ETHERNET_HEADER_LEN = 14;
const VLAN_TAG_LEN = 4;

/** One end of a link: the `Port` a device attaches to. */
export class LinkEnd implements Port {
  /** Set once by the Link constructor (the two ends refer to each other). */
  peer!: LinkEnd;
  #receiver: FrameReceiver | null = null;
  /** The direction this end transmits into. */
  readonly #out: LinkDirection;

  constructor(readonly name: string, readonly link: Link, out: LinkDirection) {
    this.#out = out;
  }

  get mtu(): number {
    return this.link.params.mtu;
  }

  /** Who is handed the frames that arrive here (null until a device attaches). */
  get receiver(): FrameReceiver | null {
    return this.#receiver;
  }

  transmit(frame: Uint8Array): void {
    this.#out.send(frame);
  }

  setReceiver(receiver: FrameReceiver): void {
    this.#receiver = receiver;
  }
}

/** The state of one direction: its transmitter's queue, its counters, its delivery callback. */
class LinkDirection {
  readonly stats: LinkDirectionStats = { frames: 0, bytes: 0, drops: { mtu: 0, 'queue-full': 0, loss: 0, 'link-down': 0 } };
  /** Set by the Link constructor once the ends exist. */
  from!: LinkEnd;
  to!: LinkEnd;
  /** When the transmitter finishes the last frame it accepted. */
  #busyUntil: Nanos = 0;
  /** Ring of serialisation end times of frames accepted and not yet fully sent. */
  #ends: Float64Array;
  #head = 0;
  #count = 0;
  readonly #link: Link;
  readonly #deps: DeviceDeps;

  constructor(link: Link, deps: DeviceDeps, queueLimit: number) {
    this.#link = link;
    this.#deps = deps;
    this.#ends = new Float64Array(queueLimit + 1);
  }

  /** The one callback of this direction's delivery events (made once: no closure per frame). */
  readonly deliver = (frame: Uint8Array): void => {
    if (!this.#link.up) {
      this.#drop(frame, 'link-down', this.to);
      return;
    }
    const receiver = this.to.receiver;
    if (receiver === null) {
      // Nothing attached to the far end: like a veth whose peer device is down.
      this.#drop(frame, 'link-down', this.to);
      return;
    }
    this.stats.frames++;
    this.stats.bytes += frame.length;
    const trace = this.#deps.trace;
    if (trace.enabled) {
      trace.emit({ kind: 'rx', time: this.#deps.scheduler.now, device: this.#link.name, port: this.to.name, frame });
    }
    receiver.receiveFrame(frame, this.to);
  };

  send(frame: Uint8Array): void {
    const link = this.#link;
    const p = link.params;
    if (!link.up) {
      this.#drop(frame, 'link-down', this.from);
      return;
    }
    const len = frame.length;
    // 802.1Q: a tagged frame may carry 4 more bytes for the same MTU.
    const tagged = len >= ETHERNET_HEADER_LEN && frame[12] === 0x81 && frame[13] === 0x00;
    if (len > p.mtu + ETHERNET_HEADER_LEN + (tagged ? VLAN_TAG_LEN : 0)) {
      this.#drop(frame, 'mtu', this.from);
      return;
    }
    const scheduler = this.#deps.scheduler;
    const now = scheduler.now;
    let departure = now;
    if (p.rate > 0) {
      const ends = this.#ends;
      const cap = ends.length;
      while (this.#count > 0 && ends[this.#head]! <= now) {
        this.#head = this.#head + 1 === cap ? 0 : this.#head + 1;
        this.#count--;
      }
      // The frame being serialised is not waiting; the others are the queue.
      if (this.#count > p.queueLimit) {
        this.#drop(frame, 'queue-full', this.from);
        return;
      }
      const start = this.#busyUntil > now ? this.#busyUntil : now;
      departure = start + Math.ceil((len * 8 * NS_PER_SEC) / p.rate);
      this.#busyUntil = departure;
      let tail = this.#head + this.#count;
      if (tail >= cap) tail -= cap;
      ends[tail] = departure;
      this.#count++;
    }
    const rng = link.rng;
    if (p.loss > 0 && rng.next() * 100 < p.loss) {
      this.#drop(frame, 'loss', this.from);
      return;
    }
    let delay = p.delay;
    if (p.jitter > 0) {
      delay += Math.round((rng.next() * 2 - 1) * p.jitter);
      if (delay < 0) delay = 0;
    }
    const trace = this.#deps.trace;
    if (trace.enabled) trace.emit({ kind: 'tx', time: now, device: link.name, port: this.from.name, frame });
    scheduler.scheduleAt(departure + delay, this.deliver, frame);
  }

  /** Resizes the queue ring when queueLimit changes, keeping the frames in it. */
  resize(queueLimit: number): void {
    const next = new Float64Array(Math.max(queueLimit + 1, this.#count));
    for (let i = 0; i < this.#count; i++) next[i] = this.#ends[(this.#head + i) % this.#ends.length]!;
    this.#ends = next;
    this.#head = 0;
  }

  #drop(frame: Uint8Array, reason: LinkDropReason, at: LinkEnd): void {
    this.stats.drops[reason]++;
    const trace = this.#deps.trace;
    if (trace.enabled) {
      trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.#link.name, port: at.name, reason, frame });
    }
  }
}

export class Link {
  /** "<a>--<b>", for traces and the RNG stream. */
  readonly name: string;
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  /** False: every frame sent or arriving is dropped ('link-down'), like `ip link set … down`. */
  up = true;
  /** The link's own random stream (loss, jitter). */
  readonly rng: Rng;
  #params: Readonly<LinkParams>;
  /** Counters per direction: `aToB` counts frames sent by end `a`. */
  readonly stats: { readonly aToB: LinkDirectionStats; readonly bToA: LinkDirectionStats };
  readonly #aToB: LinkDirection;
  readonly #bToA: LinkDirection;

  /** `params` override VETH_DEFAULTS field by field. */
  constructor(deps: DeviceDeps, names: readonly [string, string], params: Partial<LinkParams> = {}) {
    const full: LinkParams = { ...VETH_DEFAULTS, ...params };
    validateLinkParams(full);
    this.#params = Object.freeze(full);
    this.name = `${names[0]}--${names[1]}`;
    this.rng = deps.rng.fork('link:' + this.name);
    this.#aToB = new LinkDirection(this, deps, full.queueLimit);
    this.#bToA = new LinkDirection(this, deps, full.queueLimit);
    this.a = new LinkEnd(names[0], this, this.#aToB);
    this.b = new LinkEnd(names[1], this, this.#bToA);
    this.a.peer = this.b;
    this.b.peer = this.a;
    this.#aToB.from = this.a;
    this.#aToB.to = this.b;
    this.#bToA.from = this.b;
    this.#bToA.to = this.a;
    this.stats = { aToB: this.#aToB.stats, bToA: this.#bToA.stats };
  }

  get params(): Readonly<LinkParams> {
    return this.#params;
  }

  /** Changes parameters from now on (`tc qdisc change`); frames already sent keep their timing. */
  setParams(params: Partial<LinkParams>): void {
    const full: LinkParams = { ...this.#params, ...params };
    validateLinkParams(full);
    if (full.queueLimit !== this.#params.queueLimit) {
      this.#aToB.resize(full.queueLimit);
      this.#bToA.resize(full.queueLimit);
    }
    this.#params = Object.freeze(full);
  }
}

/** A veth pair is a Link with veth defaults (VETH_DEFAULTS, which Link uses when not told otherwise). */
export const VethPair = Link;
export type VethPair = Link;
