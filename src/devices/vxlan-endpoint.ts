/**
 * A VXLAN tunnel endpoint (RFC 7348) as Linux's vxlan driver behaves (drivers/net/vxlan), with
 * the attributes Docker's overlay driver sets (docker-facts §5): one VNI, UDP port 4789, an FDB
 * of remote VTEPs with static entries and optional learning, and the ARP proxy.
 *
 * Layout: the endpoint is the vxlan device. Its L2 side is a port (`attach`), normally the
 * end of an INTERNAL_LINK whose other end is a bridge port (vxlan0 enslaved to br0); its L3
 * side is the underlay namespace's UDP, reached through `UnderlayTransport`. The underlay's
 * socket on the VXLAN port calls `receiveUnderlay` (through a `VxlanDemux` when several VNIs
 * share the port, as all of a host's overlay networks do).
 *
 * Encapsulation (vxlan_xmit → vxlan_xmit_one), for a frame arriving from the L2 side:
 *   - with the ARP proxy on, every ARP frame goes to arp_reduce and never into the tunnel: a
 *     request for an address in the neighbour table is answered from here (the reply enters
 *     the bridge as if it came from the tunnel), anything else is consumed;
 *   - the destination MAC's FDB entry gives the remote VTEPs; without one, the all-zeros entry
 *     (the flood list, `fdbAppend(0, ip)`) does; without that, the frame is dropped ('no-fdb');
 *   - one UDP datagram per remote: VXLAN header (I flag, VNI) + the inner frame, destination
 *     port `dstPort`, source port hashed from the inner flow (vxlan-source-port.ts), TTL 64
 *     (ttl 0 = the route's hop limit, net.ipv4.ip_default_ttl = 64), DF clear (df unset), TOS
 *     0 with the inner packet's ECN bits copied (ip_tunnel_ecn_encap; CE becomes ECT(0)). The
 *     kernel fixture overlay-n1-underlay.pcap shows exactly this: 148-byte frames for 98-byte
 *     inner frames, TTL 64, DF 0, TOS 0. IP identification and the UDP checksum are the
 *     underlay stack's (the fixture shows a checksum in use).
 *
 * Decapsulation (vxlan_rcv): payloads shorter than the VXLAN header + an Ethernet header are
 * dropped ('short'); so are headers without the I flag ('bad-flags'), for another VNI
 * ('vni-mismatch'), or with any reserved bit set ('bad-header' — Linux diverges here from the
 * RFC's "ignore reserved bits" on purpose); an inner frame from our own MAC is a loop
 * ('loop'). With learning on (vxlan_snoop): an invalid inner source MAC is dropped
 * ('invalid-src'); a new source MAC is learnt against the outer source IP; a learnt entry
 * moves to the new VTEP; a static entry pointing elsewhere makes the frame a drop
 * ('static-entry', "don't migrate static entries, drop packets"). Learnt entries age after
 * 300 s (FDB_AGE_DEFAULT), lazily like the bridge's.
 *
 * MTU: VXLAN_OVERHEAD = 50 (inner Ethernet 14 + outer IPv4 20 + UDP 8 + VXLAN 8), so the
 * overlay MTU is 1450 on a 1500 underlay. The endpoint does not check sizes itself: the link
 * from the bridge (mtu 1450) drops oversized inner frames, and the underlay fragments.
 *
 * Not modelled: the L2miss/L3miss netlink notifications (Docker's pre-swarm overlay used them),
 * multicast groups as remotes, encapsulation to our own local IP (the kernel's encap bypass),
 * ECN decapsulation, per-entry ports and VNIs.
 *
 * Heads up (allocation): each encapsulation takes one payload buffer (header + inner frame)
 * from `allocFrame`, shared by every copy of a flood; the `opts` object given to `sendUdp` is
 * reused and must be read during the call only.
 */
import {
  EtherType, formatIpv4, formatMac, isMulticastIpv4, isLoopbackIpv4, isValidUnicastMac,
  readU16, readU32, readU48, writeU16, writeU32, writeU48, type Ipv4, type Mac,
} from '../wire';
import { sec, type Nanos, type Scheduler, type TraceBus } from '../sim';
import type { FrameReceiver, Port } from './port';
import { vxlanSourcePort } from './vxlan-source-port';
import { allocFrame } from './frame-buffer';

/** The underlay namespace's UDP output, as the vxlan device uses it (implemented by the stack). */
export interface UnderlayTransport {
  /** The source address of the tunnel (the host's underlay address). */
  readonly localIp: Ipv4;
  sendUdp(dstIp: Ipv4, srcPort: number, dstPort: number, payload: Uint8Array, opts: UnderlaySendOptions): void;
}

export interface UnderlaySendOptions {
  ttl: number;
  dontFragment: boolean;
  tos: number;
  /**
   * Why this datagram is sent ("vxlan0: encapsulated to VTEP 192.168.50.12 (VNI 4097)"), set
   * only while someone listens on the trace bus: the underlay attaches it to the outer frame it
   * builds, so the capture of the underlay link carries it as a packet comment.
   */
  note?: string | undefined;
}

/** Inner Ethernet 14 + outer IPv4 20 + UDP 8 + VXLAN 8 (libnetwork's vxlanEncap). */
export const VXLAN_OVERHEAD = 50;

/** The overlay MTU for an underlay MTU (1500 → 1450). */
export function overlayMtu(underlayMtu: number): number {
  return underlayMtu - VXLAN_OVERHEAD;
}

/** Defaults of `VxlanEndpoint` options. */
export const VXLAN_ENDPOINT_DEFAULTS = {
  /** IANA's port, which Docker passes (the kernel's own default is the legacy 8472). */
  dstPort: 4789,
  /** `ip link add … type vxlan` learns unless told `nolearning`; Docker's createVxlan sets Learning: true. */
  learning: true,
  /** Off unless asked (`proxy`); Docker sets Proxy: true. */
  proxyArp: false,
  /** What ttl 0 ("inherit the route's hop limit") gives with net.ipv4.ip_default_ttl = 64. */
  ttl: 64,
  /** FDB_AGE_DEFAULT: learnt entries expire after 300 s. */
  ageingTime: sec(300),
} as const;

export interface VxlanEndpointOptions {
  name: string;
  vni: number;
  /** The vxlan device's own MAC. */
  mac: Mac;
  dstPort?: number;
  learning?: boolean;
  proxyArp?: boolean;
  ttl?: number;
  ageingTime?: Nanos;
}

export interface VxlanFdbEntry {
  mac: Mac;
  remoteIp: Ipv4;
  /** Added by hand (`bridge fdb add … self permanent`), never aged nor moved by learning. */
  isStatic: boolean;
  ageNs: Nanos;
}

export type VxlanDropReason =
  | 'runt' | 'no-fdb' | 'not-attached'
  | 'short' | 'bad-flags' | 'vni-mismatch' | 'bad-header' | 'loop' | 'invalid-src' | 'static-entry';

export interface VxlanStats {
  /** Inner frames sent into the tunnel (one per remote copy) and their bytes. */
  txPackets: number;
  txBytes: number;
  /** Inner frames that came out of the tunnel. */
  rxPackets: number;
  rxBytes: number;
  /** ARP requests answered by the proxy, and ARP frames it consumed without answering. */
  arpProxied: number;
  arpSuppressed: number;
  drops: Record<VxlanDropReason, number>;
}

class VxlanFdbRecord {
  constructor(
    readonly mac: Mac,
    public remotes: Ipv4[],
    public updated: Nanos,
    readonly isStatic: boolean,
  ) {}
}

const ETHERNET_HEADER_LEN = 14;
const VXLAN_HEADER_LEN = 8;
const VXLAN_FLAG_I = 0x08;
const ARP_LEN = 28;

export class VxlanEndpoint implements FrameReceiver {
  readonly name: string;
  readonly vni: number;
  readonly mac: Mac;
  readonly dstPort: number;
  readonly learning: boolean;
  readonly proxyArp: boolean;
  readonly ttl: number;
  readonly ageingTime: Nanos;
  readonly stats: VxlanStats = {
    txPackets: 0, txBytes: 0, rxPackets: 0, rxBytes: 0, arpProxied: 0, arpSuppressed: 0,
    drops: {
      runt: 0, 'no-fdb': 0, 'not-attached': 0,
      short: 0, 'bad-flags': 0, 'vni-mismatch': 0, 'bad-header': 0, loop: 0, 'invalid-src': 0, 'static-entry': 0,
    },
  };
  readonly #deps: { readonly scheduler: Scheduler; readonly trace: TraceBus };
  readonly #underlay: UnderlayTransport;
  readonly #fdb = new Map<Mac, VxlanFdbRecord>();
  readonly #neighbours = new Map<Ipv4, Mac>();
  #port: Port | null = null;
  /** Reused for every sendUdp call (see the heads-up above). */
  readonly #sendOpts: UnderlaySendOptions;

  constructor(deps: { readonly scheduler: Scheduler; readonly trace: TraceBus }, opts: VxlanEndpointOptions, underlay: UnderlayTransport) {
    if (!Number.isInteger(opts.vni) || opts.vni < 0 || opts.vni > 0xff_ffff) throw new RangeError(`${opts.name}: VNI ${opts.vni} is not 24 bits`);
    this.#deps = deps;
    this.#underlay = underlay;
    this.name = opts.name;
    this.vni = opts.vni;
    this.mac = opts.mac;
    this.dstPort = opts.dstPort ?? VXLAN_ENDPOINT_DEFAULTS.dstPort;
    this.learning = opts.learning ?? VXLAN_ENDPOINT_DEFAULTS.learning;
    this.proxyArp = opts.proxyArp ?? VXLAN_ENDPOINT_DEFAULTS.proxyArp;
    this.ttl = opts.ttl ?? VXLAN_ENDPOINT_DEFAULTS.ttl;
    this.ageingTime = opts.ageingTime ?? VXLAN_ENDPOINT_DEFAULTS.ageingTime;
    this.#sendOpts = { ttl: this.ttl, dontFragment: false, tos: 0 };
  }

  /** The L2 side: the link end towards the bridge (or a Nic when used standalone). */
  attach(port: Port): void {
    this.#port = port;
    port.setReceiver(this);
  }

  get port(): Port | null {
    return this.#port;
  }

  /**
   * `bridge fdb replace MAC dev vxlan0 dst IP self permanent`: MAC's only remote becomes
   * `remoteIp`. MAC 00:00:00:00:00:00 is the default (flood) entry.
   */
  fdbAdd(mac: Mac, remoteIp: Ipv4): void {
    this.#fdb.delete(mac);
    this.#fdb.set(mac, new VxlanFdbRecord(mac, [remoteIp], this.#deps.scheduler.now, true));
  }

  /** `bridge fdb append MAC dev vxlan0 dst IP`: one more remote (the flood list when MAC is 0). */
  fdbAppend(mac: Mac, remoteIp: Ipv4): void {
    const e = this.#fdb.get(mac);
    if (e === undefined || !e.isStatic) {
      this.fdbAdd(mac, remoteIp);
      return;
    }
    if (!e.remotes.includes(remoteIp)) e.remotes = [...e.remotes, remoteIp];
  }

  /** `bridge fdb del MAC dev vxlan0 [dst IP]`: one remote, or the whole entry. Returns false when nothing matched. */
  fdbDel(mac: Mac, remoteIp?: Ipv4): boolean {
    const e = this.#fdb.get(mac);
    if (e === undefined) return false;
    if (remoteIp === undefined) return this.#fdb.delete(mac);
    if (!e.remotes.includes(remoteIp)) return false;
    e.remotes = e.remotes.filter((ip) => ip !== remoteIp);
    if (e.remotes.length === 0) this.#fdb.delete(mac);
    return true;
  }

  /** The FDB, one line per (MAC, remote) as `bridge fdb show dev vxlan0` prints it, in insertion order. */
  fdb(): VxlanFdbEntry[] {
    const now = this.#deps.scheduler.now;
    const out: VxlanFdbEntry[] = [];
    for (const e of this.#fdb.values()) {
      if (this.#expired(e, now)) continue;
      for (const ip of e.remotes) out.push({ mac: e.mac, remoteIp: ip, isStatic: e.isStatic, ageNs: e.isStatic ? 0 : now - e.updated });
    }
    return out;
  }

  /** `ip neigh add IP lladdr MAC dev vxlan0 nud permanent`: an address the ARP proxy answers for. */
  neighAdd(ip: Ipv4, mac: Mac): void {
    this.#neighbours.set(ip, mac);
  }

  neighDel(ip: Ipv4): boolean {
    return this.#neighbours.delete(ip);
  }

  neighbours(): { ip: Ipv4; mac: Mac }[] {
    return [...this.#neighbours].map(([ip, mac]) => ({ ip, mac }));
  }

  /** A frame from the L2 side: encapsulate it towards its remote VTEP(s). */
  receiveFrame(frame: Uint8Array): void {
    const len = frame.length;
    if (len < ETHERNET_HEADER_LEN) {
      this.#drop(frame, 'runt');
      return;
    }
    if (this.proxyArp && readU16(frame, 12) === EtherType.ARP) {
      this.#arpReduce(frame);
      return;
    }
    const now = this.#deps.scheduler.now;
    let e = this.#lookup(readU48(frame, 0), now);
    if (e === undefined) e = this.#lookup(0, now);
    if (e === undefined) {
      this.#drop(frame, 'no-fdb');
      return;
    }
    const payload = allocFrame(VXLAN_HEADER_LEN + len);
    payload[0] = VXLAN_FLAG_I;
    writeU32(payload, 4, this.vni << 8);
    payload.set(frame, VXLAN_HEADER_LEN);
    const srcPort = vxlanSourcePort(frame);
    const opts = this.#sendOpts;
    opts.tos = innerEcn(frame);
    const remotes = e.remotes;
    const trace = this.#deps.trace;
    for (let i = 0; i < remotes.length; i++) {
      const ip = remotes[i]!;
      this.stats.txPackets++;
      this.stats.txBytes += len;
      if (trace.enabled) {
        opts.note = `${this.name}: encapsulated to VTEP ${formatIpv4(ip)} (VNI ${this.vni})`;
        this.#decide(frame, opts.note);
      }
      this.#underlay.sendUdp(ip, srcPort, this.dstPort, payload, opts);
    }
    opts.note = undefined;
  }

  /** The UDP payload of a datagram that arrived on the VXLAN port from `srcIp`. */
  receiveUnderlay(srcIp: Ipv4, _srcPort: number, payload: Uint8Array): void {
    if (payload.length < VXLAN_HEADER_LEN) {
      this.#drop(payload, 'short');
      return;
    }
    const flags = payload[0]!;
    if ((flags & VXLAN_FLAG_I) === 0) {
      this.#drop(payload, 'bad-flags');
      return;
    }
    if (readU32(payload, 4) >>> 8 !== this.vni) {
      this.#drop(payload, 'vni-mismatch');
      return;
    }
    // vxlan_rcv: "any unprocessed flags remaining" (reserved bits) make a malformed packet.
    if ((flags & ~VXLAN_FLAG_I) !== 0 || payload[1] !== 0 || payload[2] !== 0 || payload[3] !== 0 || payload[7] !== 0) {
      this.#drop(payload, 'bad-header');
      return;
    }
    if (payload.length < VXLAN_HEADER_LEN + ETHERNET_HEADER_LEN) {
      this.#drop(payload, 'short');
      return;
    }
    const inner = payload.subarray(VXLAN_HEADER_LEN);
    const src = readU48(inner, 6);
    if (src === this.mac) {
      this.#drop(inner, 'loop');
      return;
    }
    if (this.learning && !this.#snoop(inner, src, srcIp)) return;
    const port = this.#port;
    if (port === null) {
      this.#drop(inner, 'not-attached');
      return;
    }
    this.stats.rxPackets++;
    this.stats.rxBytes += inner.length;
    if (this.#deps.trace.enabled) this.#decide(inner, `${this.name}: decapsulated from VTEP ${formatIpv4(srcIp)} (VNI ${this.vni})`);
    port.transmit(inner);
  }

  /** vxlan_snoop: learn or move the inner source MAC; false when the frame must be dropped. */
  #snoop(inner: Uint8Array, src: Mac, srcIp: Ipv4): boolean {
    if (!isValidUnicastMac(src)) {
      this.#drop(inner, 'invalid-src');
      return false;
    }
    const now = this.#deps.scheduler.now;
    const e = this.#lookup(src, now);
    if (e === undefined) {
      this.#fdb.set(src, new VxlanFdbRecord(src, [srcIp], now, false));
      if (this.#deps.trace.enabled) this.#decide(inner, `${this.name}: learned ${formatMac(src)} behind VTEP ${formatIpv4(srcIp)}`);
      return true;
    }
    e.updated = now;
    if (e.remotes[0] === srcIp) return true;
    if (e.isStatic) {
      this.#drop(inner, 'static-entry');
      return false;
    }
    e.remotes = [srcIp];
    if (this.#deps.trace.enabled) this.#decide(inner, `${this.name}: moved ${formatMac(src)} to VTEP ${formatIpv4(srcIp)}`);
    return true;
  }

  /**
   * arp_reduce: answer an ARP request for a known neighbour from here; consume every other ARP
   * frame (with the proxy on, no ARP ever enters the tunnel).
   */
  #arpReduce(frame: Uint8Array): void {
    const a = ETHERNET_HEADER_LEN;
    if (frame.length < a + ARP_LEN
      || (readU16(frame, a) !== 1 && readU16(frame, a) !== 6) // ARPHRD_ETHER or ARPHRD_IEEE802
      || readU16(frame, a + 2) !== EtherType.IPv4
      || readU16(frame, a + 6) !== 1 // only requests
      || frame[a + 4] !== 6 || frame[a + 5] !== 4) {
      this.#suppress(frame, 'not an Ethernet/IPv4 ARP request');
      return;
    }
    const senderMac = readU48(frame, a + 8);
    const senderIp = readU32(frame, a + 14);
    const targetIp = readU32(frame, a + 24);
    if (isLoopbackIpv4(targetIp) || isMulticastIpv4(targetIp)) {
      this.#suppress(frame, 'target is loopback or multicast');
      return;
    }
    const mac = this.#neighbours.get(targetIp);
    if (mac === undefined) {
      this.#suppress(frame, `no neighbour entry for ${formatIpv4(targetIp)}`);
      return;
    }
    const port = this.#port;
    if (port === null) {
      this.#drop(frame, 'not-attached');
      return;
    }
    // arp_create(ARPOP_REPLY, ETH_P_ARP, sip, dev, tip, sha, n->ha, sha): 42 bytes, unpadded.
    const reply = allocFrame(ETHERNET_HEADER_LEN + ARP_LEN);
    writeU48(reply, 0, senderMac);
    writeU48(reply, 6, mac);
    writeU16(reply, 12, EtherType.ARP);
    writeU16(reply, a, 1);
    writeU16(reply, a + 2, EtherType.IPv4);
    reply[a + 4] = 6;
    reply[a + 5] = 4;
    writeU16(reply, a + 6, 2);
    writeU48(reply, a + 8, mac);
    writeU32(reply, a + 14, targetIp);
    writeU48(reply, a + 18, senderMac);
    writeU32(reply, a + 24, senderIp);
    this.stats.arpProxied++;
    if (this.#deps.trace.enabled) this.#decide(reply, `${this.name}: ARP proxy: ${formatIpv4(targetIp)} is at ${formatMac(mac)}`);
    port.transmit(reply);
  }

  #suppress(frame: Uint8Array, why: string): void {
    this.stats.arpSuppressed++;
    if (this.#deps.trace.enabled) this.#decide(frame, `${this.name}: ARP proxy: consumed (${why})`);
  }

  #expired(e: VxlanFdbRecord, now: Nanos): boolean {
    return !e.isStatic && e.updated + this.ageingTime <= now;
  }

  #lookup(mac: Mac, now: Nanos): VxlanFdbRecord | undefined {
    const e = this.#fdb.get(mac);
    if (e !== undefined && this.#expired(e, now)) {
      this.#fdb.delete(mac);
      return undefined;
    }
    return e;
  }

  #drop(frame: Uint8Array, reason: VxlanDropReason): void {
    this.stats.drops[reason]++;
    const trace = this.#deps.trace;
    if (trace.enabled) trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.name, reason, frame });
  }

  #decide(frame: Uint8Array, note: string): void {
    this.#deps.trace.emit({ kind: 'decision', time: this.#deps.scheduler.now, device: this.name, note, frame });
  }
}

/** ip_tunnel_ecn_encap with tos 0: the inner IPv4 packet's ECN bits, CE sent as ECT(0). */
function innerEcn(frame: Uint8Array): number {
  if (frame.length < ETHERNET_HEADER_LEN + 2 || frame[12] !== 0x08 || frame[13] !== 0x00) return 0;
  const ecn = frame[15]! & 0x03;
  return ecn === 0x03 ? 0x02 : ecn;
}
