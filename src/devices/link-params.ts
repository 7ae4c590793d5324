/**
 * The parameters of a link model, and the defaults for the three kinds of links cnmlab builds.
 *
 * A link carries frames in both directions; each direction has its own transmitter (a bounded
 * queue drained at `rate`), then a propagation `delay` (+ `jitter`), then random `loss`, in
 * the spirit of Linux's `tc qdisc … netem delay/rate/loss` and `limit`.
 */
import { us, type Nanos } from '../sim';

export interface LinkParams {
  /** One-way propagation delay. */
  delay: Nanos;
  /**
   * Each frame's delay is `delay` plus a uniform draw in [-jitter, +jitter] (netem's default
   * distribution), never below 0. Heads up: with jitter > 0 frames can be reordered, as netem
   * reorders; with jitter = 0 delivery order is always transmit order.
   */
  jitter: Nanos;
  /** Serialisation rate in bit/s; 0 = unlimited (no serialisation time, no queue). */
  rate: number;
  /** Percentage (0..100) of frames lost on the wire, drawn from the link's own RNG stream. */
  loss: number;
  /** Largest L3 payload in bytes: a longer frame (beyond 14, or 18 when 802.1Q-tagged) is dropped. */
  mtu: number;
  /** Frames that may wait for serialisation (the txqueuelen); one more is a 'queue-full' drop. */
  queueLimit: number;
}

/**
 * A veth pair between a container and its bridge. 25 µs one way is chosen so that a ping
 * between two containers on one bridge (four veth crossings) shows ~0.1 ms, like the kernel
 * fixture `bridge-ping.txt` (0.100 / 0.107 ms after the first, ARP-delayed echo). A veth has
 * no line rate, and 1000 is Linux's default txqueuelen.
 */
export const VETH_DEFAULTS: Readonly<LinkParams> = Object.freeze({
  delay: us(25),
  jitter: 0,
  rate: 0,
  loss: 0,
  mtu: 1500,
  queueLimit: 1000,
});

/**
 * A host's port on an emulated LAN segment (a switch port or a cable): gigabit Ethernet with
 * 10 µs of propagation and switching delay. Serialisation counts the frame's bytes only (no
 * preamble, inter-frame gap or FCS).
 */
export const LAN_PORT_DEFAULTS: Readonly<LinkParams> = Object.freeze({
  delay: us(10),
  jitter: 0,
  rate: 1e9,
  loss: 0,
  mtu: 1500,
  queueLimit: 1000,
});

/**
 * A link inside one host between two devices the kernel connects by a function call: a bridge
 * and its own interface (br0 in the host's stack), a bridge and its VXLAN device. No delay and
 * no rate, but still a scheduled hop (DESIGN.md: no recursion across devices). Set `mtu` to the
 * device's MTU where it matters (1450 on an overlay's bridge ↔ vxlan0 link).
 */
export const INTERNAL_LINK: Readonly<LinkParams> = Object.freeze({
  delay: 0,
  jitter: 0,
  rate: 0,
  loss: 0,
  mtu: 1500,
  queueLimit: 1000,
});

/** Throws a RangeError naming the bad field; called wherever params are set. */
export function validateLinkParams(p: LinkParams): void {
  const bad = (field: string, v: number): never => {
    throw new RangeError(`link parameter ${field} is invalid: ${v}`);
  };
  if (!Number.isSafeInteger(p.delay) || p.delay < 0) bad('delay', p.delay);
  if (!Number.isSafeInteger(p.jitter) || p.jitter < 0) bad('jitter', p.jitter);
  if (!(p.rate >= 0) || !Number.isFinite(p.rate)) bad('rate', p.rate);
  if (!(p.loss >= 0 && p.loss <= 100)) bad('loss', p.loss);
  if (!Number.isInteger(p.mtu) || p.mtu < 68 || p.mtu > 65535) bad('mtu', p.mtu);
  if (!Number.isInteger(p.queueLimit) || p.queueLimit < 0) bad('queueLimit', p.queueLimit);
}
