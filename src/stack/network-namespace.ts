/**
 * A network namespace: what `ip netns add` creates and a container lives in. It owns the
 * interfaces (the loopback `lo` first, ifindex 1, like Linux), their IPv4 addresses, the
 * routing table, the neighbour table, the forwarding switch (net.ipv4.ip_forward), the IPv4 /
 * ICMP / UDP protocol layers with their sockets, and the netfilter seam.
 *
 * Frames come in from each interface's `Nic` (through its handler) and leave through it; the
 * loopback delivers to the namespace itself through a scheduled event, like every hop.
 *
 * Address and link semantics follow the kernel (net/ipv4/devinet.c, fib_frontend.c):
 * - `addAddress` adds the connected route "dst/len dev IF proto kernel scope link src ADDR"
 *   (none for /32, none for a secondary address, none for the loopback whose prefix is local);
 *   an address in a subnet the interface already has becomes secondary.
 * - `delAddress` removes the connected route, the secondaries of a primary, and routes using
 *   the address as their preferred source.
 * - `setLinkUp(false)` removes every route through the interface and flushes its neighbours;
 *   `setLinkUp(true)` restores the connected routes of its addresses (static routes are gone,
 *   as in Linux).
 *
 * Heads up: randomness (IP identification, ephemeral ports, reachable_time) comes from RNG forks
 * named after the namespace ("ns:<name>/ip-id", …), so adding a namespace does not disturb others.
 */
import {
  EtherType, IPV4_BROADCAST, broadcastOf, formatIpv4, isLoopbackIpv4, networkOf, parseCidr,
  parseIpv4, readU16, readU48, MAC_BROADCAST, isMulticastMac, type Ipv4, type Ipv4Prefix, type Mac,
} from '../wire';
import type { Nic } from '../devices';
import type { Rng, Scheduler, TraceBus } from '../sim';
import { ArpLayer } from './arp-layer';
import { PacketType, type PacketTypeKind } from './cast';
import { DropCounters, DropReason } from './drop-counters';
import { IcmpLayer } from './icmp-layer';
import type { IcmpSocket, IcmpSocketHost } from './icmp-socket';
import { IpIdGenerator } from './ip-identification';
import { Ipv4Layer } from './ipv4-layer';
import { NetInterface, type AddressScope, type InterfaceAddress } from './net-interface';
import { NeighbourTable, type NeighbourEntry, type NeighbourParams } from './neighbour-table';
import { NetfilterHooks } from './netfilter-hooks';
import { PathMtuCache } from './path-mtu-cache';
import { Reassembler } from './reassembly';
import { RoutingTable, type Route, type RouteProto, type RouteScope, type RouteType } from './routing-table';
import { StackError } from './stack-error';
import { UdpLayer } from './udp-layer';
import type { UdpSocket, UdpSocketHost } from './udp-socket';

export interface NamespaceDeps {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly trace: TraceBus;
}

export interface NamespaceOptions {
  /** net.ipv4.ip_forward (default off, as in a new Linux namespace). */
  readonly forwarding?: boolean;
  /** The UTS hostname (default: the namespace's name). */
  readonly hostname?: string;
  /** Overrides of the ARP parameters (tests use shorter times). */
  readonly neighbour?: Partial<NeighbourParams>;
}

export interface AddInterfaceOptions {
  /** A specific ifindex (Docker keeps a veth's index when it moves it); default: the next free one. */
  readonly ifindex?: number;
  /** Bring the link up at once (default true). */
  readonly up?: boolean;
}

/** Defaults of `addInterface`. */
export const ADD_INTERFACE_DEFAULTS = {
  /** Unlike a bare `ip link add` (down), interfaces attached through the API start up, as Docker leaves them. */
  up: true,
};

/** A route as `addRoute` accepts it, with strings where a user would type them. */
export interface RouteInput {
  /** "10.1.0.0/24", "default", or a prefix. */
  readonly dst: string | Ipv4Prefix;
  /** The gateway ("via"), dotted or a number. */
  readonly via?: string | Ipv4;
  /** The interface name ("dev"); derived from the gateway when omitted. */
  readonly dev?: string;
  readonly src?: string | Ipv4;
  readonly metric?: number;
  readonly proto?: RouteProto;
  readonly scope?: RouteScope;
  readonly type?: RouteType;
  /** Accept a gateway no connected route covers ("onlink"). */
  readonly onlink?: boolean;
}

const ETH_HLEN = 14;
/** 224.0.0.1: every host has joined the all-hosts group (RFC 1112). */
const ALL_HOSTS_GROUP = 0xe000_0001;

export class NetworkNamespace implements IcmpSocketHost, UdpSocketHost {
  readonly name: string;
  /** The UTS hostname (`hostname`). */
  hostname: string;
  readonly scheduler: Scheduler;
  readonly trace: TraceBus;
  readonly drops: DropCounters;
  readonly routes = new RoutingTable();
  readonly neighbours: NeighbourTable;
  readonly netfilter = new NetfilterHooks();
  readonly pmtu = new PathMtuCache();
  readonly ipId: IpIdGenerator;
  readonly reassembler: Reassembler;
  readonly ipv4: Ipv4Layer;
  readonly arp: ArpLayer;
  readonly icmp: IcmpLayer;
  readonly udp: UdpLayer;
  readonly loopback: NetInterface;
  /**
   * The name captures and traces give this namespace's interfaces ("<label>:<ifname>"): its
   * name unless the Machine labels it (an `ip netns` name, or the container name Docker gives).
   */
  captureLabel: string;
  /** net.ipv4.ip_forward. */
  forwarding: boolean;

  readonly #interfaces = new Map<string, NetInterface>();
  readonly #byIndex = new Map<number, NetInterface>();
  #nextIfindex = 1;
  /** Our addresses (with a count: the same address may sit on two interfaces). */
  readonly #local = new Map<Ipv4, number>();
  /** Prefixes that are local as a whole (the loopback's 127.0.0.0/8). */
  readonly #localPrefixes: Ipv4Prefix[] = [];
  /** Subnet broadcast addresses of our interfaces (Linux's local-table broadcast routes). */
  readonly #broadcast = new Map<Ipv4, number>();
  #configGeneration = 0;
  readonly #deliverLoopback = (frame: Uint8Array): void => this.receiveFrame(frame, this.loopback);

  constructor(deps: NamespaceDeps, name: string, opts: NamespaceOptions = {}) {
    this.name = name;
    this.hostname = opts.hostname ?? name;
    this.scheduler = deps.scheduler;
    this.trace = deps.trace;
    this.forwarding = opts.forwarding ?? false;
    const rng = deps.rng.fork(`ns:${name}`);
    this.drops = new DropCounters(name, deps.scheduler, deps.trace);
    this.ipId = new IpIdGenerator(rng.fork('ip-id'));
    this.ipv4 = new Ipv4Layer(this);
    this.arp = new ArpLayer(this);
    this.icmp = new IcmpLayer(this);
    this.udp = new UdpLayer(this, rng.fork('udp'));
    this.neighbours = new NeighbourTable(deps.scheduler, rng.fork('neigh'), this.drops, {
      solicit: (iface, ip, mac, trigger) => this.arp.solicit(iface, ip, mac, trigger),
      unreachable: (frame) => {
        this.icmp.sendError(frame.subarray(ETH_HLEN), 3, 1, 0, true);
      },
    }, opts.neighbour);
    this.reassembler = new Reassembler(deps.scheduler, this.drops, (first) => {
      this.icmp.sendError(first, 11, 1, 0, true);
    });
    this.captureLabel = name;
    this.loopback = new NetInterface(this.#nextIfindex++, 'lo', 'loopback', undefined, true, (frame) => {
      // The loopback is a link like any other for captures (`tcpdump -i lo`): its deliveries are
      // `rx` trace events of a link named "<label>:lo" whose two ends are the same interface.
      // This is how the embedded DNS server's queries to 127.0.0.11 show up in a capture.
      const trace = this.trace;
      if (trace.enabled) {
        const lo = `${this.captureLabel}:lo`;
        trace.emit({ kind: 'rx', time: this.scheduler.now, device: lo, port: lo, frame });
      }
      this.scheduler.schedule(0, this.#deliverLoopback, frame);
    });
    this.#interfaces.set('lo', this.loopback);
    this.#byIndex.set(this.loopback.ifindex, this.loopback);
    this.addAddress('lo', { addr: 0x7f00_0001, len: 8 });
  }

  /**
   * Changes whenever something that decides an output path changes: routes, addresses, link
   * state. Cached paths (UdpSocket, NamespaceUnderlay) are reused while it stays the same.
   */
  get configGeneration(): number {
    return this.#configGeneration + this.routes.generation;
  }

  // -------------------------------------------------------------------------------------
  // Interfaces

  /** Attaches a device as an interface of this namespace (the device's name is the interface's). */
  addInterface(nic: Nic, opts: AddInterfaceOptions = {}): NetInterface {
    if (this.#interfaces.has(nic.name)) throw new StackError('EEXIST', `add interface ${nic.name}`);
    let ifindex = opts.ifindex;
    if (ifindex !== undefined) {
      if (!Number.isInteger(ifindex) || ifindex < 1 || this.#byIndex.has(ifindex)) throw new StackError('EEXIST', `ifindex ${ifindex}`);
    } else {
      while (this.#byIndex.has(this.#nextIfindex)) this.#nextIfindex++;
      ifindex = this.#nextIfindex++;
    }
    const up = opts.up ?? ADD_INTERFACE_DEFAULTS.up;
    const iface = new NetInterface(ifindex, nic.name, 'ethernet', nic, up, (frame) => nic.send(frame));
    nic.up = up;
    this.#interfaces.set(nic.name, iface);
    this.#byIndex.set(ifindex, iface);
    nic.setHandler((frame) => this.receiveFrame(frame, iface));
    this.#configGeneration++;
    return iface;
  }

  /** Detaches an interface: its addresses, routes and neighbours go; the device receives nothing more here. */
  removeInterface(name: string): void {
    const iface = this.#iface(name);
    if (iface === this.loopback) throw new StackError('EINVAL', 'remove lo');
    for (const a of [...iface.addresses]) if (!a.secondary) this.delAddress(name, { addr: a.address, len: a.prefixLen });
    for (const a of [...iface.addresses]) this.delAddress(name, { addr: a.address, len: a.prefixLen });
    this.routes.deleteWhere((r) => r.dev === iface);
    this.neighbours.flushInterface(iface);
    iface.nic!.setHandler(() => {});
    this.#interfaces.delete(name);
    this.#byIndex.delete(iface.ifindex);
    this.#configGeneration++;
  }

  /**
   * `ip link set DEV mtu N`: the interface's MTU changes, and so may every cached output path
   * through it (fragmentation and frag-needed decisions read the path's MTU).
   */
  setInterfaceMtu(name: string, mtu: number): void {
    const iface = this.#iface(name);
    if (iface.nic === undefined) throw new StackError('EINVAL', `mtu ${name}`);
    iface.nic.mtu = mtu;
    this.#configGeneration++;
  }

  /** The interface called `name`, if any. */
  interface(name: string): NetInterface | undefined {
    return this.#interfaces.get(name);
  }

  interfaceByIndex(ifindex: number): NetInterface | undefined {
    return this.#byIndex.get(ifindex);
  }

  /** Every interface, by ifindex (the order `ip link` lists them). */
  interfaces(): NetInterface[] {
    return [...this.#byIndex.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  /** `ip link set NAME up|down`, with the routing consequences described above. */
  setLinkUp(name: string, up: boolean): void {
    const iface = this.#iface(name);
    if (iface.up === up) return;
    iface.setUp(up);
    this.#configGeneration++;
    if (!up) {
      this.routes.deleteWhere((r) => r.dev === iface);
      this.neighbours.flushInterface(iface);
    } else {
      for (const a of iface.addresses) this.#addConnectedRoute(iface, a);
    }
  }

  // -------------------------------------------------------------------------------------
  // Addresses

  /** `ip addr add CIDR dev IFNAME`. Throws ENODEV, EEXIST. */
  addAddress(ifname: string, cidr: string | Ipv4Prefix): InterfaceAddress {
    const iface = this.#iface(ifname);
    const p = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
    if (iface.addresses.some((a) => a.address === p.addr && a.prefixLen === p.len)) {
      throw new StackError('EEXIST', `address ${formatIpv4(p.addr)}/${p.len} on ${ifname}`);
    }
    const network = networkOf(p);
    const secondary = iface.addresses.some((a) => !a.secondary && a.prefixLen === p.len && networkOf({ addr: a.address, len: a.prefixLen }) === network);
    const scope: AddressScope = isLoopbackIpv4(p.addr) ? 'host' : 'global';
    const address: InterfaceAddress = {
      address: p.addr,
      prefixLen: p.len,
      broadcast: p.len < 31 ? broadcastOf(p) : 0,
      scope,
      secondary,
    };
    iface.addresses.push(address);
    this.#configGeneration++;
    this.#local.set(p.addr, (this.#local.get(p.addr) ?? 0) + 1);
    if (address.broadcast !== 0) this.#broadcast.set(address.broadcast, (this.#broadcast.get(address.broadcast) ?? 0) + 1);
    if (iface.kind === 'loopback') this.#localPrefixes.push({ addr: network, len: p.len });
    if (iface.up) this.#addConnectedRoute(iface, address);
    return address;
  }

  /** `ip addr del CIDR dev IFNAME`. Throws ENODEV, EADDRNOTAVAIL. */
  delAddress(ifname: string, cidr: string | Ipv4Prefix): void {
    const iface = this.#iface(ifname);
    const p = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
    const i = iface.addresses.findIndex((a) => a.address === p.addr && a.prefixLen === p.len);
    if (i < 0) throw new StackError('EADDRNOTAVAIL', `address ${formatIpv4(p.addr)}/${p.len} on ${ifname}`);
    const removed = iface.addresses[i]!;
    this.#configGeneration++;
    const network = networkOf(p);
    // promote_secondaries = 0: a primary takes its secondaries with it.
    const gone = removed.secondary ? [removed] : iface.addresses.filter((a) => a === removed
      || (a.secondary && a.prefixLen === p.len && networkOf({ addr: a.address, len: a.prefixLen }) === network));
    for (const a of gone) {
      iface.addresses.splice(iface.addresses.indexOf(a), 1);
      decrement(this.#local, a.address);
      if (a.broadcast !== 0) decrement(this.#broadcast, a.broadcast);
      if (iface.kind === 'loopback') {
        const j = this.#localPrefixes.findIndex((lp) => lp.addr === networkOf({ addr: a.address, len: a.prefixLen }) && lp.len === a.prefixLen);
        if (j >= 0) this.#localPrefixes.splice(j, 1);
      }
    }
    if (!removed.secondary) {
      this.routes.deleteWhere((r) => r.dev === iface && r.proto === 'kernel' && r.dst === network && r.prefixLen === p.len && r.src === p.addr);
    }
    // fib_sync_down_addr: routes whose preferred source is gone go too.
    for (const a of gone) {
      if (!this.#local.has(a.address)) this.routes.deleteWhere((r) => r.src === a.address);
    }
  }

  /** Every address of the namespace as `ip addr` groups them. */
  addresses(): { iface: NetInterface; address: InterfaceAddress }[] {
    return this.interfaces().flatMap((iface) => iface.addresses.map((address) => ({ iface, address })));
  }

  /** True for our own addresses, including the loopback's whole 127.0.0.0/8. */
  /** True for an address assigned to an interface (not merely inside the loopback's 127.0.0.0/8). */
  isAssignedAddress(ip: Ipv4): boolean {
    return this.#local.has(ip);
  }

  isLocalAddress(ip: Ipv4): boolean {
    if (this.#local.has(ip)) return true;
    const lps = this.#localPrefixes;
    for (let i = 0; i < lps.length; i++) {
      const lp = lps[i]!;
      const mask = lp.len === 0 ? 0 : (0xffff_ffff << (32 - lp.len)) >>> 0;
      if (((ip & mask) >>> 0) === lp.addr) return true;
    }
    return false;
  }

  /** True for a subnet broadcast address of any of our interfaces. */
  isBroadcastAddress(ip: Ipv4): boolean {
    return ip === IPV4_BROADCAST || this.#broadcast.has(ip);
  }

  /** True when `ip` is the broadcast address of one of `iface`'s subnets. */
  isBroadcastOn(iface: NetInterface, ip: Ipv4): boolean {
    if (ip === IPV4_BROADCAST) return true;
    if (!this.#broadcast.has(ip)) return false;
    return iface.addresses.some((a) => a.broadcast === ip);
  }

  /** Multicast groups joined: only all-hosts (224.0.0.1), which every host is in (IGMP is not modelled). */
  hasJoined(group: Ipv4): boolean {
    return group === ALL_HOSTS_GROUP;
  }

  /**
   * inet_select_addr: the first primary address of `iface` on `dst`'s subnet, else its first
   * primary address of a wide enough scope, else one from any other interface; 0 when none.
   */
  selectSourceAddress(iface: NetInterface, dst: Ipv4, scope: RouteScope): Ipv4 {
    const allowHost = scope === 'host';
    let fallback: Ipv4 | undefined;
    for (const a of iface.addresses) {
      if (a.secondary || (a.scope === 'host' && !allowHost)) continue;
      if (dst === 0 || networkOf({ addr: dst, len: a.prefixLen }) === networkOf({ addr: a.address, len: a.prefixLen })) return a.address;
      fallback ??= a.address;
    }
    if (fallback !== undefined) return fallback;
    for (const other of this.interfaces()) {
      if (other === iface) continue;
      for (const a of other.addresses) if (!a.secondary && a.scope !== 'host') return a.address;
    }
    return 0;
  }

  // -------------------------------------------------------------------------------------
  // Routes

  /**
   * `ip route add`. The gateway must be reachable through a connected route (else EINVAL,
   * iproute2's "Nexthop has invalid gateway"), unless `onlink`; the device is derived from it
   * when omitted. Throws EEXIST for a route with the same prefix and metric.
   */
  addRoute(input: RouteInput): Route {
    const p = input.dst === 'default' ? { addr: 0, len: 0 } : typeof input.dst === 'string' ? parseCidr(input.dst) : input.dst;
    const gateway = input.via === undefined ? undefined : typeof input.via === 'string' ? parseIpv4(input.via) : input.via;
    const src = input.src === undefined ? undefined : typeof input.src === 'string' ? parseIpv4(input.src) : input.src;
    const type = input.type ?? 'unicast';
    let dev = input.dev === undefined ? undefined : this.#iface(input.dev);
    if (type === 'unicast' && gateway !== undefined && !input.onlink) {
      const via = dev ? this.routes.lookupVia(gateway, dev) : this.routes.lookup(gateway);
      if (via === undefined || via.type !== 'unicast' || via.gateway !== undefined) {
        throw new StackError('EINVAL', `route via ${formatIpv4(gateway)}: nexthop has invalid gateway`);
      }
      dev ??= via.dev;
    }
    if (type === 'unicast' && dev === undefined) throw new StackError('ENODEV', 'route without a device');
    if (src !== undefined && !this.isLocalAddress(src)) throw new StackError('EINVAL', `route src ${formatIpv4(src)}: not a local address`);
    return this.routes.add({
      type,
      dst: p.addr,
      prefixLen: p.len,
      ...(gateway === undefined ? {} : { gateway }),
      ...(dev === undefined ? {} : { dev }),
      ...(src === undefined ? {} : { src }),
      ...(input.metric === undefined ? {} : { metric: input.metric }),
      ...(input.proto === undefined ? {} : { proto: input.proto }),
      ...(input.scope === undefined ? {} : { scope: input.scope }),
      ...(input.onlink === undefined ? {} : { onlink: input.onlink }),
    });
  }

  /** The route the main table gives for `dst` (longest prefix, lowest metric). */
  route(dst: Ipv4 | string): Route | undefined {
    return this.routes.lookup(typeof dst === 'string' ? parseIpv4(dst) : dst);
  }

  // -------------------------------------------------------------------------------------
  // Neighbours

  /** `ip neigh add|replace IP lladdr MAC dev IFNAME nud STATE` (default permanent, replace). */
  setNeighbour(ifname: string, ip: Ipv4 | string, mac: Mac, state: 'permanent' | 'noarp' | 'reachable' | 'stale' = 'permanent', mode: 'add' | 'replace' = 'replace'): NeighbourEntry {
    return this.neighbours.set(this.#iface(ifname), typeof ip === 'string' ? parseIpv4(ip) : ip, mac, state, mode);
  }

  /** A gratuitous ARP announcing `ip` (default: the interface's first address) on `ifname`. */
  announce(ifname: string, ip?: Ipv4): void {
    const iface = this.#iface(ifname);
    const addr = ip ?? iface.primaryAddress;
    if (addr === undefined) throw new StackError('EADDRNOTAVAIL', `announce on ${ifname}`);
    this.arp.announce(iface, addr);
  }

  // -------------------------------------------------------------------------------------
  // Sockets (the hosts' side)

  /** @internal */
  closeIcmpSocket(socket: IcmpSocket): void {
    this.icmp.forget(socket);
  }

  /** @internal */
  closeUdpSocket(socket: UdpSocket): void {
    this.udp.forget(socket);
  }

  // -------------------------------------------------------------------------------------
  // Frames in

  /** A frame arrived on `iface` (from its Nic's handler, or the loopback's delivery event). */
  receiveFrame(frame: Uint8Array, iface: NetInterface): void {
    if (!iface.up) {
      this.drops.count(DropReason.LinkDown, iface.name, frame);
      return;
    }
    if (frame.length < ETH_HLEN) {
      this.drops.count('ethernet: truncated', iface.name, frame);
      return;
    }
    const etherType = readU16(frame, 12);
    const pktType = this.#packetType(frame, iface);
    switch (etherType) {
      case EtherType.IPv4:
        this.ipv4.input(frame, iface, pktType);
        return;
      case EtherType.ARP:
        this.arp.input(frame, iface, pktType);
        return;
      default:
        this.drops.count(DropReason.UnknownEtherType, iface.name, frame);
        return;
    }
  }

  #packetType(frame: Uint8Array, iface: NetInterface): PacketTypeKind {
    if (iface.kind === 'loopback') return PacketType.Host;
    const dst = readU48(frame, 0);
    if (dst === iface.mac) return PacketType.Host;
    if (dst === MAC_BROADCAST) return PacketType.Broadcast;
    if (isMulticastMac(dst)) return PacketType.Multicast;
    return PacketType.OtherHost;
  }

  #iface(name: string): NetInterface {
    const iface = this.#interfaces.get(name);
    if (!iface) throw new StackError('ENODEV', `device ${name}`);
    return iface;
  }

  #addConnectedRoute(iface: NetInterface, a: InterfaceAddress): void {
    // fib_add_ifaddr: no prefix route for secondaries, /32s, or the loopback (whose prefix is local).
    if (a.secondary || a.prefixLen === 32 || iface.kind === 'loopback') return;
    this.routes.append({
      dst: networkOf({ addr: a.address, len: a.prefixLen }),
      prefixLen: a.prefixLen,
      dev: iface,
      src: a.address,
      proto: 'kernel',
      scope: 'link',
    });
  }
}

function decrement(map: Map<number, number>, key: number): void {
  const n = map.get(key) ?? 0;
  if (n <= 1) map.delete(key);
  else map.set(key, n - 1);
}
