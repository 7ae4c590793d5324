/**
 * IEEE 802.1Q VLAN sub-interfaces (`ip link add link eth0 name eth0.10 type vlan id 10`), as
 * Linux's 8021q module behaves with the defaults iproute2 leaves (protocol 802.1Q,
 * REORDER_HDR on: the sub-interface sees untagged frames).
 *
 * Two pieces:
 *   - `VlanDemux` is the 802.1Q receive hook of the parent device (vlan_do_receive): the parent
 *     offers it every frame it receives, before the parent's own handler (the IP stack or a
 *     bridge port: in __netif_receive_skb_core the VLAN step runs before rx_handler). A frame
 *     tagged with a VID that has a sub-interface is untagged and handed to that sub-interface;
 *     every other frame stays the parent's. A priority-tagged frame (VID 0) with no
 *     sub-interface for VID 0 is untagged and given back to the parent, as Linux does.
 *   - `VlanSubinterface` is the sub-interface's own `Port`: what it transmits gets the tag
 *     inserted (PCP 0, DEI 0) and goes out through the parent's port; what the demux hands it
 *     goes to its receiver (a Nic, or a bridge port when the sub-interface is enslaved).
 *
 * Frames are immutable once transmitted, so tagging and untagging each write a new buffer.
 * Malformed frames never throw: a tagged frame too short to hold its tag is left to the
 * parent, whose stack drops and counts it.
 */
import { EtherType, ETHERNET_HEADER_LEN, VLAN_TAG_LEN, readU16, writeU16 } from '../wire';
import type { Scheduler, TraceBus } from '../sim';
import type { FrameReceiver, Port } from './port';
import { allocFrame } from './frame-buffer';

/** Counters of one sub-interface. */
export interface VlanStats {
  /** Frames tagged and sent to the parent. */
  txFrames: number;
  /** Frames untagged and handed to the sub-interface's receiver. */
  rxFrames: number;
  /** Frames for this VID that arrived while nothing was attached. */
  rxUnattached: number;
}

/** Constants of 802.1Q as Linux uses them. */
export const VLAN_LIMITS = {
  /** VIDs 0 and 4095 are reserved; Linux accepts 0..4094 for a sub-interface (VLAN_N_VID - 1 excluded). */
  maxVid: 4094,
} as const;

/** The parent device's 802.1Q receive step: which VIDs have sub-interfaces. */
export class VlanDemux {
  readonly #byVid = new Map<number, VlanSubinterface>();

  /** Registers a sub-interface; throws when its VID is taken (the kernel's -EEXIST). */
  add(sub: VlanSubinterface): void {
    const other = this.#byVid.get(sub.vid);
    if (other !== undefined && other !== sub) throw new Error(`VLAN ${sub.vid} already has sub-interface ${other.name}`);
    this.#byVid.set(sub.vid, sub);
  }

  remove(sub: VlanSubinterface): void {
    if (this.#byVid.get(sub.vid) === sub) this.#byVid.delete(sub.vid);
  }

  get size(): number {
    return this.#byVid.size;
  }

  /**
   * Offers a frame the parent received. Returns the frame the parent should keep handling
   * (the same buffer, or an untagged copy of a priority-tagged frame), or null when a
   * sub-interface took it.
   */
  receive(frame: Uint8Array): Uint8Array | null {
    if (frame.length < ETHERNET_HEADER_LEN + VLAN_TAG_LEN || readU16(frame, 12) !== EtherType.VLAN) return frame;
    const vid = readU16(frame, 14) & 0x0fff;
    const sub = this.#byVid.get(vid);
    if (sub !== undefined) {
      sub.deliver(untag(frame));
      return null;
    }
    // vlan_do_receive: a priority-tagged frame without a VID-0 device belongs to the parent, untagged.
    if (vid === 0) return untag(frame);
    return frame;
  }
}

export interface VlanSubinterfaceOptions {
  /** For traces and captures, "host:eth0.10". */
  name: string;
  vid: number;
  /** The parent's port: tagged frames are transmitted into it. */
  lower: Port;
}

export class VlanSubinterface implements Port {
  readonly name: string;
  readonly vid: number;
  readonly stats: VlanStats = { txFrames: 0, rxFrames: 0, rxUnattached: 0 };
  readonly #lower: Port;
  readonly #deps: { readonly scheduler: Scheduler; readonly trace: TraceBus };
  #receiver: FrameReceiver | null = null;

  constructor(deps: { readonly scheduler: Scheduler; readonly trace: TraceBus }, opts: VlanSubinterfaceOptions) {
    if (!Number.isInteger(opts.vid) || opts.vid < 0 || opts.vid > VLAN_LIMITS.maxVid) throw new RangeError(`${opts.name}: VLAN id ${opts.vid} is out of range`);
    this.#deps = deps;
    this.name = opts.name;
    this.vid = opts.vid;
    this.#lower = opts.lower;
  }

  /** The far end of the parent's link. */
  get peer(): Port {
    return this.#lower.peer;
  }

  /** The parent's MTU: the tag does not count against it (the link allows 4 more bytes for tagged frames). */
  get mtu(): number {
    return this.#lower.mtu;
  }

  transmit(frame: Uint8Array): void {
    if (frame.length < ETHERNET_HEADER_LEN) {
      // Nothing to tag: hand it on as it is, the link and the far device count the runt.
      this.#lower.transmit(frame);
      return;
    }
    const tagged = allocFrame(frame.length + VLAN_TAG_LEN);
    tagged.set(frame.subarray(0, 12), 0);
    writeU16(tagged, 12, EtherType.VLAN);
    writeU16(tagged, 14, this.vid);
    tagged.set(frame.subarray(12), 16);
    this.stats.txFrames++;
    this.#lower.transmit(tagged);
  }

  setReceiver(receiver: FrameReceiver): void {
    this.#receiver = receiver;
  }

  /** An untagged frame for this VID, from the parent's VlanDemux. */
  deliver(frame: Uint8Array): void {
    const receiver = this.#receiver;
    if (receiver === null) {
      this.stats.rxUnattached++;
      const trace = this.#deps.trace;
      if (trace.enabled) trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.name, reason: 'not-attached', frame });
      return;
    }
    this.stats.rxFrames++;
    receiver.receiveFrame(frame, this);
  }
}

/** A copy of a tagged frame without its 4-byte tag. */
function untag(frame: Uint8Array): Uint8Array {
  const out = allocFrame(frame.length - VLAN_TAG_LEN);
  out.set(frame.subarray(0, 12), 0);
  out.set(frame.subarray(16), 12);
  return out;
}
