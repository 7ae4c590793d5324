/**
 * A network interface in a namespace's stack (a container's eth0, the host's br0, a host's
 * LAN port): the receive address filter and the per-interface counters `ip -s link` prints.
 *
 * Receive filter (eth_type_trans + the device's address lists, as Linux applies them): a frame
 * is for this host when its destination is the interface's own MAC, broadcast, a subscribed
 * multicast group (01:00:5e:00:00:01 and 33:33:00:00:00:01 from the start, as on any Linux
 * interface), or anything at all in promiscuous mode. Other frames are discarded
 * (drops['other-host']).
 *
 * Heads up (counters): they follow what `ip -s link` shows on a veth, because nearly every Nic
 * here sits on one. A veth counts a frame as received (rx packets/bytes) before the stack looks
 * at its address, and ip_rcv then discards PACKET_OTHERHOST frames without touching rx_dropped.
 * So a frame for another host counts in rxPackets and in drops['other-host'], not in rxDropped.
 * rxDropped counts frames the stack had no handler for (no protocol, like Linux's unhandled
 * EtherTypes) and frames arriving while the interface is down; rxErrors counts runts (< 14
 * bytes). `multicast` counts received multicast frames, broadcast excluded (as drivers keep a
 * separate broadcast counter).
 *
 * Heads up (promiscuous mode): the handler then also sees frames for other hosts. Like ip_rcv
 * dropping PACKET_OTHERHOST, the stack must compare the destination with `nic.mac` before it
 * treats such a frame as its own.
 */
import { MAC_BROADCAST, formatMac, isMulticastMac, readU48, type Mac } from '../wire';
import type { Scheduler, TraceBus } from '../sim';
import type { FrameReceiver, Port } from './port';

/** Linux's defaults for a new Ethernet interface. */
export const NIC_DEFAULTS = {
  mtu: 1500,
  /**
   * Groups every Linux interface is subscribed to: IPv6 all-nodes (33:33:00:00:00:01) and IPv4
   * all-hosts (01:00:5e:00:00:01), in the order `bridge fdb show` lists them (fixture
   * bridge-fdb.txt).
   */
  multicast: [0x3333_0000_0001, 0x0100_5e00_0001] as readonly Mac[],
} as const;

/** What `ip -s link` prints for an interface. */
export interface NicCounters {
  rxPackets: number;
  rxBytes: number;
  rxErrors: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txErrors: number;
  txDropped: number;
  multicast: number;
}

export type NicDropReason = 'other-host' | 'runt' | 'down' | 'no-handler' | 'mtu';

export type NicHandler = (frame: Uint8Array, nic: Nic) => void;

export interface NicOptions {
  name: string;
  mac: Mac;
  mtu?: number;
}

const ETHERNET_HEADER_LEN = 14;

export class Nic implements FrameReceiver {
  readonly name: string;
  readonly port: Port;
  mac: Mac;
  /** The largest L3 packet the stack may send here (fragmentation and PMTU decisions read it). */
  mtu: number;
  /** Administrative state (`ip link set … up/down`). */
  up = true;
  promiscuous = false;
  readonly counters: NicCounters = {
    rxPackets: 0, rxBytes: 0, rxErrors: 0, rxDropped: 0,
    txPackets: 0, txBytes: 0, txErrors: 0, txDropped: 0, multicast: 0,
  };
  /** Discarded frames by reason (the detail behind rxErrors/rxDropped/txDropped, plus other-host). */
  readonly drops: Record<NicDropReason, number> = { 'other-host': 0, runt: 0, down: 0, 'no-handler': 0, mtu: 0 };
  /** Subscribed groups with reference counts (dev_mc_add / dev_mc_del). */
  readonly #groups = new Map<Mac, number>();
  #handler: NicHandler | null = null;
  readonly #deps: { readonly scheduler: Scheduler; readonly trace: TraceBus };

  constructor(deps: { readonly scheduler: Scheduler; readonly trace: TraceBus }, port: Port, opts: NicOptions) {
    this.#deps = deps;
    this.name = opts.name;
    this.mac = opts.mac;
    this.mtu = opts.mtu ?? NIC_DEFAULTS.mtu;
    this.port = port;
    for (const group of NIC_DEFAULTS.multicast) this.#groups.set(group, 1);
    port.setReceiver(this);
  }

  /** Subscribes to a multicast group (reference-counted, like the kernel's mc list). */
  joinMulticast(mac: Mac): void {
    if (!isMulticastMac(mac)) throw new Error(`${this.name}: ${formatMac(mac)} is not a multicast address`);
    this.#groups.set(mac, (this.#groups.get(mac) ?? 0) + 1);
  }

  leaveMulticast(mac: Mac): void {
    const n = this.#groups.get(mac);
    if (n === undefined) return;
    if (n <= 1) this.#groups.delete(mac);
    else this.#groups.set(mac, n - 1);
  }

  /** The subscribed groups in subscription order (`ip maddr`, the "self permanent" lines of `bridge fdb show`). */
  multicastList(): Mac[] {
    return [...this.#groups.keys()];
  }

  /** Who gets the accepted frames: the namespace's stack. */
  setHandler(handler: NicHandler): void {
    this.#handler = handler;
  }

  /** Puts a frame on the wire, counting it as `ip -s link` does. */
  send(frame: Uint8Array): void {
    if (!this.up) {
      this.counters.txDropped++;
      this.#drop(frame, 'down');
      return;
    }
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.counters.txErrors++;
      this.#drop(frame, 'runt');
      return;
    }
    // The stack fragments to `mtu`; a frame that still does not fit is refused here (the
    // 802.1Q tag, when present, does not count against the MTU).
    const tagged = frame[12] === 0x81 && frame[13] === 0x00;
    if (frame.length > this.mtu + ETHERNET_HEADER_LEN + (tagged ? 4 : 0)) {
      this.counters.txDropped++;
      this.#drop(frame, 'mtu');
      return;
    }
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    this.port.transmit(frame);
  }

  receiveFrame(frame: Uint8Array): void {
    const c = this.counters;
    if (!this.up) {
      c.rxDropped++;
      this.#drop(frame, 'down');
      return;
    }
    if (frame.length < ETHERNET_HEADER_LEN) {
      c.rxErrors++;
      this.#drop(frame, 'runt');
      return;
    }
    c.rxPackets++;
    c.rxBytes += frame.length;
    const dst = readU48(frame, 0);
    if (dst !== this.mac) {
      if (dst === MAC_BROADCAST) {
        // accepted
      } else if (isMulticastMac(dst)) {
        if (!this.promiscuous && !this.#groups.has(dst)) {
          this.#drop(frame, 'other-host');
          return;
        }
        c.multicast++;
      } else if (!this.promiscuous) {
        this.#drop(frame, 'other-host');
        return;
      }
    }
    const handler = this.#handler;
    if (handler === null) {
      c.rxDropped++;
      this.#drop(frame, 'no-handler');
      return;
    }
    handler(frame, this);
  }

  #drop(frame: Uint8Array, reason: NicDropReason): void {
    this.drops[reason]++;
    const trace = this.#deps.trace;
    if (trace.enabled) {
      trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.name, port: this.port.name, reason, frame });
    }
  }
}
