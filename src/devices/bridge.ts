/**
 * An IEEE 802.1D learning bridge as Linux implements it (net/bridge, docker-facts §9), with
 * the defaults Docker leaves alone: STP off, group_fwd_mask 0, ageing 300 s.
 *
 * For a frame received on a port (br_handle_frame → br_handle_frame_finish):
 *   - shorter than an Ethernet header: dropped ('runt');
 *   - source multicast or all-zero (!is_valid_ether_addr): dropped ('invalid-src');
 *   - destination 01:80:C2:00:00:0X (IEEE link-local): :00 (STP BPDUs) is forwarded like any
 *     multicast because STP is off ("must forward to keep loop detection"); :01 (MAC PAUSE)
 *     is dropped ('mac-pause'); every other one is learnt from and then handed to the ingress
 *     port's own device, never forwarded (group_fwd_mask = 0). In cnmlab the ingress port's
 *     device has no stack of its own, so those frames end there (stats.linkLocal);
 *   - the source is learnt on the ingress port (BR_LEARNING), unless the ageing time is 0;
 *   - broadcast and multicast are flooded to every port but the ingress port and also passed
 *     up to the bridge's own interface (no multicast snooping state, so local_rcv is true);
 *   - unicast to a local FDB entry (the bridge's MAC, a port's own MAC) goes up to the host;
 *   - unicast to a learnt or static entry goes out of that port, unless that is the ingress
 *     port without hairpin mode: dropped ('same-port');
 *   - unknown unicast is flooded to every port with BR_FLOOD but the ingress port.
 * Hairpin mode is should_deliver()'s `(p->flags & BR_HAIRPIN_MODE) || skb->dev != p->dev`, so a
 * hairpin port also gets its own floods back.
 *
 * For a frame the host sends on the bridge's own interface (br_dev_xmit): no learning and no
 * source check; broadcast/multicast flood to every port, known unicast goes to its port (to
 * the bridge's own address: dropped, 'own-address'), unknown unicast floods.
 *
 * The bridge's own interface: the bridge owns an internal Link (INTERNAL_LINK parameters). One
 * end is the bridge's; the other, `bridge.selfPort`, is where the host namespace's Nic for the
 * bridge (named like the bridge, with the bridge's MAC) attaches. Frames the bridge passes up
 * arrive at that Nic; frames that Nic sends enter the bridge by br_dev_xmit's rules.
 *
 * FDB: a Map keyed by the 48-bit MAC. Expiry is lazy: an entry older than the ageing time
 * (updated + ageing ≤ now, the kernel's has_expired) counts as absent on lookup, is deleted
 * when met, and is never listed. Local and static entries never age. As in br_fdb_update, a
 * static entry (not a local one) moves to the port a frame from its MAC arrives on.
 *
 * Forwarding loops: with STP off (as Docker leaves it), two bridges joined twice flood a
 * broadcast around forever. Since flood copies share one buffer, a looping frame comes back
 * as the very same Uint8Array; the bridge remembers the last few buffers it flooded, and when
 * one returns `loopThreshold` times within `loopWindow` it throws `ForwardingLoopError`
 * (naming the bridge and the ports the frame re-entered by), which stops the run. A stack or
 * a fault injector sending one buffer twice stays far below that.
 *
 * br_netfilter: with a hook installed (`setNetfilterHook`, what loading br_netfilter with
 * net.bridge.bridge-nf-call-iptables = 1 does), every untagged IPv4 frame the bridge forwards
 * from one port to another (known unicast, and each copy of a flood) is first handed to the
 * hook with the ingress and egress port names; the hook returns the frame to send (the same
 * one, or a rewritten copy) or null to drop it ('netfilter'). Frames passed up to the host and
 * frames the host sends are not hooked here: the host's own stack runs netfilter for those.
 *
 * Heads up (performance): forwarding allocates nothing; only a MAC seen for the first time
 * creates an FDB record. Flood copies share the one immutable buffer. Without a netfilter hook
 * the forwarding path costs one undefined check.
 */
import { formatMac, isValidUnicastMac, readU48, summarizeFrame, type Mac } from '../wire';
import { ms, sec, type Nanos } from '../sim';
import type { FrameReceiver, Port } from './port';
import { Link, type DeviceDeps, type LinkEnd } from './link';
import { INTERNAL_LINK } from './link-params';

/** Linux's bridge defaults (br_dev_setup). */
export const BRIDGE_DEFAULTS = {
  /** BR_DEFAULT_AGEING_TIME: learnt FDB entries expire 300 s after their MAC was last seen. */
  ageingTime: sec(300),
  /** How many recently flooded buffers a bridge remembers to recognise a looping frame. */
  loopMemory: 32,
  /** A flooded buffer seen this many times… */
  loopThreshold: 8,
  /** …within this window is a forwarding loop. */
  loopWindow: ms(10),
} as const;

/** Thrown (out of `Scheduler.run`) when a bridge sees the same flooded frame circulate. */
export class ForwardingLoopError extends Error {
  constructor(
    readonly bridge: string,
    /** The ports the frame entered the bridge by, in the order first seen. */
    readonly ports: readonly string[],
    readonly frameSummary: string,
  ) {
    super(`forwarding loop at ${bridge}: the same flooded frame (${frameSummary}) came back ${BRIDGE_DEFAULTS.loopThreshold} times `
      + `within ${BRIDGE_DEFAULTS.loopWindow / 1e6} ms, entering by ${ports.join(', ')}; STP is off, so bridges joined in a ring flood forever`);
    this.name = 'ForwardingLoopError';
  }
}

/** Port flags a new port gets (new_nbp: BR_LEARNING | BR_FLOOD | …, hairpin off). */
export const BRIDGE_PORT_DEFAULTS = {
  hairpin: false,
  learning: true,
  /** BR_FLOOD: unknown unicast is flooded to this port (broadcast and multicast always are). */
  flood: true,
} as const;

export type BridgePortId = number;

export interface BridgeOptions {
  name: string;
  mac: Mac;
  ageingTime?: Nanos;
  /**
   * The names of the two ends of the bridge's own internal link, [bridge side, host side]
   * (default [`<name>(bridge)`, `<name>`]). A machine gives host-qualified names
   * ("node1:br0(bridge)", "node1:br0") so that captures of several hosts' br0 do not collide.
   */
  selfLinkNames?: readonly [string, string];
}

export interface BridgePortOptions {
  hairpin?: boolean;
  learning?: boolean;
  flood?: boolean;
  /** The MAC of the enslaved device (the host-side veth): a local, permanent FDB entry on this port. */
  mac?: Mac;
  /** The enslaved device's name for `bridge fdb show` / `brctl show` (default: the port's name). */
  name?: string;
}

/** One FDB entry as `bridge fdb show` and `brctl showmacs` need it. */
export interface FdbEntry {
  mac: Mac;
  /** The port's device name, or the bridge's own name for entries that belong to the bridge. */
  port: string;
  /** A local address: the bridge's or one of its ports' own MACs (`permanent`, `is local? yes`). */
  isLocal: boolean;
  /** Never ages: local entries and entries added with addStaticFdb. */
  isStatic: boolean;
  /** Time since the entry was last refreshed (0 for static entries, as brctl shows 0.00). */
  ageNs: Nanos;
}

export interface BridgePortInfo {
  id: BridgePortId;
  name: string;
  hairpin: boolean;
  learning: boolean;
  flood: boolean;
}

export type BridgeDropReason = 'runt' | 'invalid-src' | 'same-port' | 'mac-pause' | 'own-address' | 'netfilter';

/**
 * br_netfilter's hook: an IPv4 frame about to be forwarded from port `inPort` to port
 * `outPort`. Returns the frame to forward (possibly a rewritten copy; never write to `frame`),
 * or null to drop it.
 */
export type BridgeNetfilterHook = (frame: Uint8Array, inPort: string, outPort: string) => Uint8Array | null;

export interface BridgeStats {
  /** Frames sent out of exactly one port (known unicast). */
  forwarded: number;
  /** Frames flooded (each counted once, whatever the number of copies). */
  flooded: number;
  /** Frames passed up to the bridge's own interface. */
  passedUp: number;
  /** IEEE link-local frames (01:80:C2:00:00:02..0F) consumed on their ingress port. */
  linkLocal: number;
  drops: Record<BridgeDropReason, number>;
}

/** A bridge port: the port, its flags, and the receiver object the port delivers into. */
class BridgePort implements FrameReceiver {
  constructor(
    readonly id: BridgePortId,
    readonly port: Port,
    readonly name: string,
    public hairpin: boolean,
    public learning: boolean,
    public flood: boolean,
    readonly input: (frame: Uint8Array, from: BridgePort) => void,
  ) {}

  receiveFrame(frame: Uint8Array): void {
    this.input(frame, this);
  }
}

class FdbRecord {
  constructor(
    readonly mac: Mac,
    /** null: the bridge itself. */
    public port: BridgePort | null,
    public updated: Nanos,
    public isLocal: boolean,
    public isStatic: boolean,
  ) {}
}

/** Set on a port the bridge let go of: frames arriving there are ignored. */
const DETACHED: FrameReceiver = { receiveFrame() {} };

const ETHERNET_HEADER_LEN = 14;

/** An untagged IPv4 frame (br_netfilter leaves VLAN-tagged frames alone: bridge-nf-filter-vlan-tagged = 0). */
function isIpv4Frame(frame: Uint8Array): boolean {
  return frame[12] === 0x08 && frame[13] === 0x00;
}

export class Bridge {
  readonly name: string;
  /** The bridge's own address (`setMac` changes it). */
  #mac: Mac;
  readonly ageingTime: Nanos;
  /** Where the host namespace's Nic for this bridge attaches (see the file comment). */
  readonly selfPort: Port;
  /** The name of the link to the bridge's own interface (what captures call `br0`). */
  readonly #selfLinkName: string;
  /** selfPort as a link end, to know whether a host interface is attached (a LAN's switch has none). */
  readonly #selfEnd: LinkEnd;
  readonly stats: BridgeStats = {
    forwarded: 0, flooded: 0, passedUp: 0, linkLocal: 0,
    drops: { runt: 0, 'invalid-src': 0, 'same-port': 0, 'mac-pause': 0, 'own-address': 0, netfilter: 0 },
  };
  readonly #deps: DeviceDeps;
  readonly #upEnd: LinkEnd;
  /** Ports in the order they were added (the kernel's port list). */
  #ports: BridgePort[] = [];
  #nextId: BridgePortId = 1;
  readonly #fdb = new Map<Mac, FdbRecord>();
  /** Loop detection: a ring of recently flooded buffers, when each was first seen, and how often. */
  readonly #floodedFrames: (Uint8Array | null)[] = new Array<Uint8Array | null>(BRIDGE_DEFAULTS.loopMemory).fill(null);
  readonly #floodedSince = new Float64Array(BRIDGE_DEFAULTS.loopMemory);
  readonly #floodedCount = new Int32Array(BRIDGE_DEFAULTS.loopMemory);
  readonly #floodedFrom: string[] = new Array<string>(BRIDGE_DEFAULTS.loopMemory).fill('');
  #floodedNext = 0;
  /** Ingress ports of a suspected looping frame (filled only once a buffer comes back). */
  #loopPorts: string[] = [];
  /** br_netfilter (see the file comment); undefined when not loaded. */
  #netfilter: BridgeNetfilterHook | undefined = undefined;

  constructor(deps: DeviceDeps, opts: BridgeOptions) {
    this.#deps = deps;
    this.name = opts.name;
    this.#mac = opts.mac;
    this.ageingTime = opts.ageingTime ?? BRIDGE_DEFAULTS.ageingTime;
    if (!Number.isSafeInteger(this.ageingTime) || this.ageingTime < 0) throw new RangeError(`bad ageing time ${this.ageingTime}`);
    if (!isValidUnicastMac(opts.mac)) throw new Error(`${opts.name}: invalid bridge MAC ${formatMac(opts.mac)}`);
    const link = new Link(deps, opts.selfLinkNames ?? [`${opts.name}(bridge)`, opts.name], INTERNAL_LINK);
    this.#upEnd = link.a;
    this.selfPort = link.b;
    this.#selfLinkName = link.name;
    this.#selfEnd = link.b;
    this.#upEnd.setReceiver({ receiveFrame: (frame) => this.#fromHost(frame) });
    this.#fdb.set(opts.mac, new FdbRecord(opts.mac, null, 0, true, true));
  }

  get mac(): Mac {
    return this.#mac;
  }

  /**
   * Changes the bridge's own address (`ip link set br0 address …`, or the kernel adopting the
   * smallest port address: br_stp_recalculate_bridge_id → br_fdb_change_mac_address). The old
   * own entry goes; the new address becomes a local entry of the bridge itself unless a port
   * already has it as its local address ("the first one keeps it", fdb_insert).
   */
  setMac(mac: Mac): void {
    if (!isValidUnicastMac(mac)) throw new Error(`${this.name}: invalid bridge MAC ${formatMac(mac)}`);
    const old = this.#fdb.get(this.#mac);
    if (old !== undefined && old.port === null && old.isLocal) this.#fdb.delete(this.#mac);
    this.#mac = mac;
    const e = this.#fdb.get(mac);
    if (e === undefined || !e.isLocal) {
      if (e) this.#fdb.delete(mac);
      this.#fdb.set(mac, new FdbRecord(mac, null, this.#deps.scheduler.now, true, true));
    }
  }

  /** Enslaves a port (`ip link set vethX master br0`); returns its id. */
  addPort(port: Port, opts: BridgePortOptions = {}): BridgePortId {
    if (this.#ports.some((p) => p.port === port)) throw new Error(`${this.name}: ${port.name} is already a port`);
    const bp = new BridgePort(
      this.#nextId++, port, opts.name ?? port.name,
      opts.hairpin ?? BRIDGE_PORT_DEFAULTS.hairpin,
      opts.learning ?? BRIDGE_PORT_DEFAULTS.learning,
      opts.flood ?? BRIDGE_PORT_DEFAULTS.flood,
      this.#fromPort,
    );
    this.#ports = [...this.#ports, bp];
    port.setReceiver(bp);
    if (opts.mac !== undefined) {
      // fdb_insert: a port's own address is a local entry; the first port with it keeps it.
      const e = this.#fdb.get(opts.mac);
      if (!e || !e.isLocal) {
        if (e) this.#fdb.delete(opts.mac);
        this.#fdb.set(opts.mac, new FdbRecord(opts.mac, bp, this.#deps.scheduler.now, true, true));
      }
    }
    return bp.id;
  }

  /** Releases a port (`ip link set vethX nomaster`): its FDB entries go, static ones included. */
  removePort(ref: BridgePortId | Port): void {
    const bp = this.#portOf(ref);
    this.#ports = this.#ports.filter((p) => p !== bp);
    for (const [mac, e] of this.#fdb) if (e.port === bp) this.#fdb.delete(mac);
    bp.port.setReceiver(DETACHED);
  }

  /**
   * Loads (a hook) or unloads (undefined) br_netfilter for this bridge: forwarded IPv4 frames
   * go through the hook first (see the file comment).
   */
  setNetfilterHook(hook: BridgeNetfilterHook | undefined): void {
    this.#netfilter = hook;
  }

  /** `bridge link set dev X hairpin on|off`. */
  setHairpin(ref: BridgePortId | Port, on: boolean): void {
    this.#portOf(ref).hairpin = on;
  }

  /** `bridge link set dev X learning on|off`. */
  setLearning(ref: BridgePortId | Port, on: boolean): void {
    this.#portOf(ref).learning = on;
  }

  /** `bridge link set dev X flood on|off` (unknown unicast only). */
  setFlood(ref: BridgePortId | Port, on: boolean): void {
    this.#portOf(ref).flood = on;
  }

  /**
   * `bridge fdb add MAC dev X master static` (a static entry on a port), or with 'self' an
   * address of the bridge itself (a local entry: frames to it go up to the host).
   */
  addStaticFdb(mac: Mac, ref: BridgePortId | Port | 'self', local = false): void {
    if (!isValidUnicastMac(mac)) throw new Error(`${this.name}: cannot add ${formatMac(mac)} to the FDB`);
    const bp = ref === 'self' ? null : this.#portOf(ref);
    this.#fdb.delete(mac);
    // `local`: `bridge fdb add MAC dev PORT master permanent` (a local entry on a port: frames to it go up).
    this.#fdb.set(mac, new FdbRecord(mac, bp, this.#deps.scheduler.now, bp === null || local, true));
  }

  /** `bridge fdb del MAC`: returns false when there was no such entry. */
  deleteFdb(mac: Mac): boolean {
    return this.#fdb.delete(mac);
  }

  /**
   * The FDB as `bridge fdb show` dumps it: the bridge's own entries first, then each port's in
   * port order; within each, newest first (the kernel adds entries at the head of its list).
   * Expired entries are not listed.
   */
  fdb(): FdbEntry[] {
    const now = this.#deps.scheduler.now;
    const live: FdbRecord[] = [];
    for (const e of this.#fdb.values()) if (!this.#expired(e, now)) live.push(e);
    live.reverse();
    const out: FdbEntry[] = [];
    const add = (e: FdbRecord): void => {
      out.push({ mac: e.mac, port: e.port ? e.port.name : this.name, isLocal: e.isLocal, isStatic: e.isStatic, ageNs: e.isStatic ? 0 : now - e.updated });
    };
    for (const e of live) if (e.port === null) add(e);
    for (const p of this.#ports) for (const e of live) if (e.port === p) add(e);
    return out;
  }

  /** The ports in the order they were added (`brctl show`, `bridge link`). */
  ports(): BridgePortInfo[] {
    return this.#ports.map((p) => ({ id: p.id, name: p.name, hairpin: p.hairpin, learning: p.learning, flood: p.flood }));
  }

  #portOf(ref: BridgePortId | Port): BridgePort {
    const bp = typeof ref === 'number' ? this.#ports.find((p) => p.id === ref) : this.#ports.find((p) => p.port === ref);
    if (!bp) throw new Error(`${this.name}: no such port ${typeof ref === 'number' ? ref : ref.name}`);
    return bp;
  }

  #expired(e: FdbRecord, now: Nanos): boolean {
    return !e.isStatic && e.updated + this.ageingTime <= now;
  }

  /** br_fdb_find: a live entry or undefined (an expired one is deleted on the way). */
  #lookup(mac: Mac, now: Nanos): FdbRecord | undefined {
    const e = this.#fdb.get(mac);
    if (e !== undefined && this.#expired(e, now)) {
      this.#fdb.delete(mac);
      return undefined;
    }
    return e;
  }

  /** br_fdb_update. */
  #learn(frame: Uint8Array, src: Mac, from: BridgePort, now: Nanos): void {
    if (this.ageingTime === 0) return; // "some users want to always flood"
    let e = this.#fdb.get(src);
    if (e !== undefined && this.#expired(e, now)) {
      // The kernel's garbage collector would have removed it by now.
      this.#fdb.delete(src);
      e = undefined;
    }
    if (e === undefined) {
      this.#fdb.set(src, new FdbRecord(src, from, now, false, false));
      this.#decide(frame, from, 'learned', src);
      return;
    }
    // A local address seen as a source: the kernel only warns ("own address as source address").
    if (e.isLocal) return;
    if (e.port !== from) {
      e.port = from;
      this.#decide(frame, from, 'moved', src);
    }
    e.updated = now;
  }

  /** The receive handler of every port (made once, shared by all BridgePort objects). */
  readonly #fromPort = (frame: Uint8Array, from: BridgePort): void => {
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.#drop(frame, from, 'runt');
      return;
    }
    // Source: is_valid_ether_addr (not multicast, not zero).
    if ((frame[6]! & 1) !== 0 || readU48(frame, 6) === 0) {
      this.#drop(frame, from, 'invalid-src');
      return;
    }
    const now = this.#deps.scheduler.now;
    const dstIsGroup = (frame[0]! & 1) !== 0;
    if (dstIsGroup && frame[0] === 0x01 && frame[1] === 0x80 && frame[2] === 0xc2 && frame[3] === 0 && frame[4] === 0 && (frame[5]! & 0xf0) === 0) {
      const low = frame[5]!;
      if (low === 0x01) {
        this.#drop(frame, from, 'mac-pause');
        return;
      }
      if (low !== 0x00) {
        // Not in group_fwd_mask: learnt from, then delivered to the ingress port's own device.
        if (from.learning) this.#learn(frame, readU48(frame, 6), from, now);
        this.stats.linkLocal++;
        this.#decide(frame, from, 'link-local group address, not forwarded');
        return;
      }
      // 01:80:C2:00:00:00 with STP off: forwarded like any multicast.
    }
    if (from.learning) this.#learn(frame, readU48(frame, 6), from, now);
    if (dstIsGroup) {
      this.#flood(frame, from, false);
      this.#passUp(frame);
      return;
    }
    const e = this.#lookup(readU48(frame, 0), now);
    if (e === undefined) {
      this.#seenByCapture(frame);
      this.#flood(frame, from, true);
      return;
    }
    const to = e.port;
    if (e.isLocal || to === null) {
      this.#passUp(frame);
      return;
    }
    this.#seenByCapture(frame);
    if (to === from && !from.hairpin) {
      this.#drop(frame, from, 'same-port');
      return;
    }
    let out = frame;
    if (this.#netfilter !== undefined && isIpv4Frame(frame)) {
      const f = this.#netfilter(frame, from.name, to.name);
      if (f === null) {
        this.#drop(frame, from, 'netfilter');
        return;
      }
      out = f;
    }
    this.stats.forwarded++;
    this.#decide(out, to, 'forwarded');
    to.port.transmit(out);
  };

  /** br_dev_xmit: the host sent `frame` on the bridge's own interface. */
  #fromHost(frame: Uint8Array): void {
    if (frame.length < ETHERNET_HEADER_LEN) {
      this.#drop(frame, null, 'runt');
      return;
    }
    if ((frame[0]! & 1) !== 0) {
      this.#flood(frame, null, false);
      return;
    }
    const e = this.#lookup(readU48(frame, 0), this.#deps.scheduler.now);
    if (e === undefined) {
      this.#flood(frame, null, true);
      return;
    }
    if (e.port === null) {
      this.#drop(frame, null, 'own-address');
      return;
    }
    this.stats.forwarded++;
    this.#decide(frame, e.port, 'forwarded');
    e.port.port.transmit(frame);
  }

  /** br_flood: every port but the ingress one (unless hairpin); unknown unicast only to BR_FLOOD ports. */
  #flood(frame: Uint8Array, from: BridgePort | null, unknownUnicast: boolean): void {
    this.stats.flooded++;
    this.#watchForLoop(frame, from);
    this.#decide(frame, from, unknownUnicast ? 'flooded, unknown destination' : 'flooded, group address');
    const ports = this.#ports;
    const hook = from !== null && isIpv4Frame(frame) ? this.#netfilter : undefined;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i]!;
      if (p === from && !p.hairpin) continue;
      if (unknownUnicast && !p.flood) continue;
      if (hook !== undefined) {
        // br_netfilter hooks each copy on its way to its port.
        const f = hook(frame, from!.name, p.name);
        if (f === null) {
          this.#drop(frame, from, 'netfilter');
          continue;
        }
        p.port.transmit(f);
        continue;
      }
      p.port.transmit(frame);
    }
  }

  /** Counts returns of the same flooded buffer; throws ForwardingLoopError on a storm. */
  #watchForLoop(frame: Uint8Array, from: BridgePort | null): void {
    const frames = this.#floodedFrames;
    const now = this.#deps.scheduler.now;
    for (let i = 0; i < frames.length; i++) {
      if (frames[i] !== frame) continue;
      if (now - this.#floodedSince[i]! > BRIDGE_DEFAULTS.loopWindow) {
        this.#floodedSince[i] = now;
        this.#floodedCount[i] = 1;
        this.#floodedFrom[i] = from ? from.name : this.name;
        return;
      }
      const count = ++this.#floodedCount[i]!;
      const port = from ? from.name : this.name;
      if (count === 2) this.#loopPorts = [this.#floodedFrom[i]!];
      if (!this.#loopPorts.includes(port)) this.#loopPorts.push(port);
      if (count >= BRIDGE_DEFAULTS.loopThreshold) throw new ForwardingLoopError(this.name, this.#loopPorts, summarizeFrame(frame));
      return;
    }
    const slot = this.#floodedNext;
    frames[slot] = frame;
    this.#floodedFrom[slot] = from ? from.name : this.name;
    this.#floodedSince[slot] = now;
    this.#floodedCount[slot] = 1;
    this.#floodedNext = slot + 1 === frames.length ? 0 : slot + 1;
  }

  /**
   * What `tcpdump -i br0` sees of a frame the bridge forwards without passing it up: tcpdump
   * puts br0 in promiscuous mode, and then br_handle_frame_finish passes every frame up too
   * (local_rcv), so a real capture on the bridge holds all bridged traffic (the kernel fixture
   * bridge-br0.pcap holds the containers' whole ping). Only captures see this copy, as an `rx`
   * of the bridge's own link; the host's stack gets what it gets without promiscuous mode. A
   * bridge with no host interface attached (a scenario LAN's switch) has nothing to capture on.
   */
  #seenByCapture(frame: Uint8Array): void {
    const trace = this.#deps.trace;
    if (trace.enabled && this.#selfEnd.receiver !== null) {
      trace.emit({ kind: 'rx', time: this.#deps.scheduler.now, device: this.#selfLinkName, port: this.selfPort.name, frame });
    }
  }

  /** br_pass_frame_up: to the host's stack through the bridge's own interface. */
  #passUp(frame: Uint8Array): void {
    this.stats.passedUp++;
    this.#upEnd.transmit(frame);
  }

  #drop(frame: Uint8Array, from: BridgePort | null, reason: BridgeDropReason): void {
    this.stats.drops[reason]++;
    const trace = this.#deps.trace;
    if (trace.enabled) {
      trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.name, port: from ? from.name : this.name, reason, frame });
    }
  }

  #decide(frame: Uint8Array, port: BridgePort | null, what: string, mac?: Mac): void {
    const trace = this.#deps.trace;
    if (!trace.enabled) return;
    const portName = port ? port.name : this.name;
    const note = mac === undefined ? `${this.name}: ${what}${port ? ` (${portName})` : ''}` : `${this.name}: ${what} ${formatMac(mac)} on ${portName}`;
    trace.emit({ kind: 'decision', time: this.#deps.scheduler.now, device: this.name, port: portName, note, frame });
  }
}
