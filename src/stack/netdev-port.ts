/**
 * The port of one net_device: where the device's user (its Nic when the device is an IP
 * interface, or a bridge port when it is enslaved) meets the device's wire (a veth link end, a
 * LAN port, a bridge's own side, a VXLAN device's internal link, a VLAN sub-interface).
 *
 * Why a port of its own: a Linux device keeps its identity while what is above and below it
 * changes. `ip link set veth1 master br0` swaps the IP stack for a bridge above the same wire;
 * a veth pair's wire only exists here once both ends are up (Machine builds the Link then, so
 * that captures are named after where the ends ended up). The NetdevPort is the stable point
 * both sides attach to, and it does what the net_device itself does on every frame:
 *   - gates on the device's operational state (IFF_UP and carrier): a device that is down or
 *     has no carrier neither sends nor receives (veth_xmit drops when the peer is down and
 *     counts tx_dropped);
 *   - counts what `ip -s link` shows (packets and bytes both ways, drops, received multicast),
 *     whoever is attached above;
 *   - runs the 802.1Q receive step first when the device has VLAN sub-interfaces
 *     (vlan_do_receive comes before the bridge's rx_handler and the IP stack).
 *
 * Heads up (performance): one extra call per frame each way and a few increments, no
 * allocation.
 */
import type { FrameReceiver, NicCounters, Port, VlanDemux } from '../devices';

/** The counters `ip -s link` prints (struct rtnl_link_stats64, the fields cnmlab keeps): the same as a Nic's. */
export type NetdevCounters = NicCounters;

const ETHERNET_HEADER_LEN = 14;

export class NetdevPort implements Port, FrameReceiver {
  /** "host:ifname", for traces. */
  name: string;
  /** IFF_UP and carrier: only then do frames pass (Machine keeps it current). */
  operUp = false;
  readonly counters: NetdevCounters = {
    rxPackets: 0, rxBytes: 0, rxErrors: 0, rxDropped: 0,
    txPackets: 0, txBytes: 0, txErrors: 0, txDropped: 0, multicast: 0,
  };
  #lower: Port | null = null;
  #receiver: FrameReceiver | null = null;
  #vlans: VlanDemux | null = null;

  constructor(name: string) {
    this.name = name;
  }

  /** The far side of the device's wire (itself while there is no wire). */
  get peer(): Port {
    return this.#lower === null ? this : this.#lower.peer;
  }

  get mtu(): number {
    return this.#lower === null ? 1500 : this.#lower.mtu;
  }

  /** The wire under the device, if any. */
  get lower(): Port | null {
    return this.#lower;
  }

  /** Who gets the frames: the Nic or a bridge port (null: nothing attached). */
  get receiver(): FrameReceiver | null {
    return this.#receiver;
  }

  /** Attaches the device to its wire (the wire's end delivers here from now on). */
  bind(lower: Port): void {
    this.#lower = lower;
    lower.setReceiver(this);
  }

  /** Detaches from the wire (the device is deleted): frames arriving there are ignored. */
  unbind(): void {
    const lower = this.#lower;
    this.#lower = null;
    if (lower !== null) lower.setReceiver(DISCARD);
  }

  /** The 802.1Q receive step of this device (set when its first VLAN sub-interface is made). */
  setVlanDemux(demux: VlanDemux | null): void {
    this.#vlans = demux;
  }

  get vlanDemux(): VlanDemux | null {
    return this.#vlans;
  }

  transmit(frame: Uint8Array): void {
    const lower = this.#lower;
    if (!this.operUp || lower === null) {
      this.counters.txDropped++;
      return;
    }
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.counters.txErrors++;
      return;
    }
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    lower.transmit(frame);
  }

  setReceiver(receiver: FrameReceiver): void {
    this.#receiver = receiver;
  }

  /** Nothing above the device any more (its IP interface went): arriving frames are rx_dropped. */
  detachReceiver(): void {
    this.#receiver = null;
  }

  receiveFrame(frame: Uint8Array): void {
    const c = this.counters;
    if (!this.operUp) {
      c.rxDropped++;
      return;
    }
    if (frame.length < ETHERNET_HEADER_LEN) {
      c.rxErrors++;
      return;
    }
    c.rxPackets++;
    c.rxBytes += frame.length;
    // Group bit set and not all ones: multicast (drivers count broadcast apart).
    if ((frame[0]! & 1) !== 0 && !(frame[0] === 0xff && frame[1] === 0xff && frame[2] === 0xff && frame[3] === 0xff && frame[4] === 0xff && frame[5] === 0xff)) {
      c.multicast++;
    }
    let f: Uint8Array | null = frame;
    if (this.#vlans !== null) {
      f = this.#vlans.receive(frame);
      if (f === null) return;
    }
    const receiver = this.#receiver;
    if (receiver === null) {
      c.rxDropped++;
      return;
    }
    receiver.receiveFrame(f, this);
  }
}

/** Set on a wire end whose device is gone. */
const DISCARD: FrameReceiver = { receiveFrame() {} };
