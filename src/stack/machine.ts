/**
 * A Machine is one host's kernel: its root network namespace, the named namespaces of
 * `ip netns`, the namespaces Docker makes for containers, and the net_devices in all of them
 * (see netdev.ts for the kinds and their state rules). Its operations are what rtnetlink
 * offers and what `ip`, `bridge` and the Docker bridge driver call: create a veth pair, a
 * bridge, a VXLAN device, a VLAN sub-interface; enslave and release; move to another
 * namespace; rename; up/down; MTU; MAC; delete. They act at once and throw `NetlinkError`
 * with the errno (and extended-ack text) the kernel would answer, or `StackError` from the
 * namespace's own address and route calls.
 *
 *   const m = new Machine(deps, 'node1');
 *   const c1 = m.addNamespace('c1');                          // ip netns add c1
 *   const [veth1, eth0] = m.createVeth('veth1', 'eth0');      // ip link add veth1 type veth peer name eth0
 *   m.setNetns(eth0, c1);                                      // ip link set eth0 netns c1
 *   const br0 = m.createBridge('br0');                         // ip link add br0 type bridge
 *   m.setMaster(veth1, br0);  m.setUp(veth1, true);  m.setUp(br0, true);
 *   m.addAddress(m.link(c1, 'eth0')!, parseCidr('10.0.0.2/24'));
 *
 * Kernel behaviour reproduced (each where the code does it):
 *   - ifindexes are per namespace: lo is 1, then the next free one after the last allocated
 *     (dev_index_reserve, cyclic); a veth's peer is registered first (veth_newlink), so
 *     `ip link add veth1 type veth peer name eth0` gives eth0 N and veth1 N+1; a device moved to
 *     another namespace keeps its ifindex when it is free there;
 *   - new devices are down; random MACs are locally administered unicast (eth_random_addr),
 *     drawn from the machine's own random stream "machine:<name>/mac";
 *   - enslaving takes the device out of the IP stack (its addresses, routes and neighbours go:
 *     a divergence, Linux keeps the addresses of a port, which can no longer receive anything);
 *     a bridge whose MAC the user never set adopts the smallest port MAC
 *     (br_stp_recalculate_bridge_id) and, unless the user set its MTU, the smallest port MTU
 *     (br_mtu_auto_adjust);
 *   - a port that goes down loses what the bridge learnt on it (br_fdb_delete_by_port);
 *   - moving a device to another namespace closes it and flushes its addresses; a bridge or
 *     the loopback cannot move (NETIF_F_NETNS_LOCAL); renaming needs the device down;
 *   - deleting one end of a veth pair deletes both; deleting a device deletes its VLANs and the
 *     VXLAN devices made over it;
 *     deleting a namespace deletes its virtual devices and returns NICs to the root namespace.
 *
 * Links and captures: a veth pair's Link is made when both ends are up for the first time
 * (before that no frame can cross it), so that its ends are named after where they ended up.
 * Every Link a Machine makes is announced to `onLinkCreated` listeners with its two end names,
 * "<host>:<ifname>", where <host> is the machine's name for the root namespace and otherwise
 * the namespace's label: its `ip netns` name, or the label given to addNamespace (Docker gives
 * the container's name). Internal links (a bridge and its own interface, a VXLAN device and
 * its endpoint) are named "<host>:<dev>(bridge)"/"<host>:<dev>(vxlan)" facing "<host>:<dev>",
 * which capture naming turns into one file per device, like `tcpdump -i br0`. A link keeps its
 * name when an end is later moved or renamed.
 */
import {
  Bridge, INTERNAL_LINK, Link, LinkEnd, Nic, VETH_DEFAULTS, VlanDemux, VlanSubinterface, VxlanEndpoint,
  NIC_DEFAULTS, VXLAN_OVERHEAD, VLAN_LIMITS, type DeviceDeps, type LinkParams, type Port,
} from '../devices';
import type { Rng } from '../sim';
import { isValidUnicastMac, type Ipv4, type Ipv4Prefix, type Mac } from '../wire';
import type { InterfaceAddress } from './net-interface';
import type { NeighbourParams, NeighbourState } from './neighbour-table';
import { NetworkNamespace } from './network-namespace';
import { NetdevRecord, type Netdev, type VxlanConfig } from './netdev';
import { NetlinkError } from './netlink-error';
import { StackError } from './stack-error';
import { VxlanSocketTable, VxlanUnderlay } from './vxlan-underlay';

/** Linux's defaults for the devices a Machine makes. */
export const MACHINE_DEFAULTS = {
  /** ETH_DATA_LEN: the MTU of a new Ethernet-like device. */
  mtu: 1500,
  /** DEFAULT_TX_QUEUE_LEN: ether_setup (and loopback_setup) give every device 1000. */
  txQueueLen: 1000,
  /** The loopback's MTU (64 KiB since Linux 3.x). */
  loopbackMtu: 65536,
  /** ETH_MIN_MTU and ETH_MAX_MTU: the MTU range of veth, bridge, NIC and VXLAN devices. */
  minMtu: 68,
  maxMtu: 65535,
  /** The vxlan module's `vxlan_port` default, used when `dstport` is not given (not IANA's 4789). */
  vxlanDstPort: 8472,
  /** The bridge port priority `bridge link` shows (BR_DEFAULT_PRIORITY... port_priority 0x20). */
  bridgePortPriority: 32,
} as const;

export interface MachineOptions {
  /** The UTS hostname (default: the machine's name). */
  readonly hostname?: string;
  /** net.ipv4.ip_forward of the root namespace (default off, as on a fresh Linux). */
  readonly forwarding?: boolean;
  /** ARP parameters of every namespace of this machine (tests use shorter times). */
  readonly neighbour?: Partial<NeighbourParams>;
  /** The link model of the veth pairs this machine makes (default VETH_DEFAULTS). */
  readonly vethParams?: Partial<LinkParams>;
}

export interface AddNamespaceOptions {
  /** The host part of link end names for devices in it (default: the namespace's name). */
  readonly label?: string;
  /** Listed by `ip netns list` and usable by name (default true: what `ip netns add` makes). */
  readonly listed?: boolean;
  /** net.ipv4.ip_forward (default off). */
  readonly forwarding?: boolean;
  /**
   * Bring `lo` up (default false: a namespace made by `ip netns add` starts with its loopback
   * down; Docker's sandboxes bring it up).
   */
  readonly loopbackUp?: boolean;
}

export interface CreateVethOptions {
  /** Where the first end is made (default: the root namespace). */
  readonly ns?: NetworkNamespace;
  /** Where the peer is made (`peer name X netns NS`; default: with the first end). */
  readonly peerNs?: NetworkNamespace;
  readonly mtu?: number;
  readonly mac?: Mac;
  readonly peerMac?: Mac;
  readonly txQueueLen?: number;
  /** The pair's link model, over the machine's vethParams. */
  readonly params?: Partial<LinkParams>;
}

export interface CreateBridgeOptions {
  readonly ns?: NetworkNamespace;
  /** A MAC chosen by the creator (Docker sets one): the bridge then never adopts a port's. */
  readonly mac?: Mac;
  /** An MTU chosen by the creator: the bridge then never follows its ports' MTU. */
  readonly mtu?: number;
  readonly txQueueLen?: number;
}

export interface CreateVxlanOptions {
  readonly vni: number;
  /** Default MACHINE_DEFAULTS.vxlanDstPort (8472), as the kernel without `dstport`. */
  readonly dstPort?: number;
  readonly local?: Ipv4;
  /** A unicast default remote: the all-zeros FDB entry. */
  readonly remote?: Ipv4;
  /** The underlay device (`dev`): routes must leave through it; the MTU defaults to its MTU − 50. */
  readonly dev?: Netdev;
  /** Default true (`ip link add … type vxlan` learns unless `nolearning`). */
  readonly learning?: boolean;
  /** ARP proxy (default off). */
  readonly proxy?: boolean;
  /** 0 (default) = auto: the route's hop limit, 64. */
  readonly ttl?: number;
  readonly mtu?: number;
  readonly mac?: Mac;
  readonly ns?: NetworkNamespace;
}

export interface AttachLanPortOptions {
  readonly ns?: NetworkNamespace;
  readonly mtu?: number;
  /** Bring the NIC up at once (default true: a booted host's configured NIC is up). */
  readonly up?: boolean;
}

/** How `ip addr add` chose the broadcast address to show ("brd"). */
export interface AddAddressOptions {
  /** An address; 'auto' computes the subnet's (`brd +`, and what netlink libraries do); 'none' shows none (plain `ip addr add`). Default 'auto'. */
  readonly broadcast?: Ipv4 | 'auto' | 'none';
}

/** A neighbour as `ip neigh show` lists it. */
export interface NeighbourRow {
  readonly ip: Ipv4;
  readonly dev: Netdev;
  readonly mac: Mac | undefined;
  readonly state: NeighbourState;
}

/** One line of `bridge fdb show`. */
export interface FdbRow {
  readonly mac: Mac;
  /** The device the entry is dumped under (NDA ifindex). */
  readonly dev: Netdev;
  /** A VXLAN remote ("dst"). */
  readonly dst: Ipv4 | undefined;
  /** NTF_SELF: the device's own table (uc/mc list, VXLAN FDB), not the master's. */
  readonly self: boolean;
  /** NDA_MASTER: the bridge whose FDB holds the entry. */
  readonly master: Netdev | undefined;
  /** permanent (local), static (NUD_NOARP), reachable (learnt, printed as nothing). */
  readonly state: 'permanent' | 'static' | 'reachable';
  /** Seconds since the entry was last refreshed (learnt entries; 0 otherwise), for brctl. */
  readonly ageNs: number;
  /** The bridge port number (brctl showmacs), for entries in a bridge's FDB. */
  readonly portNo: number | undefined;
  readonly isLocal: boolean;
}

export interface FdbChange {
  /** NTF_SELF (the device's own table) or NTF_MASTER (its bridge's). */
  readonly target: 'self' | 'master';
  /** permanent = local; static = NUD_NOARP; dynamic = NUD_REACHABLE. */
  readonly state: 'permanent' | 'static' | 'dynamic';
  readonly dst?: Ipv4;
  /** add (NLM_F_EXCL), append (a further VXLAN remote), replace. */
  readonly mode: 'add' | 'append' | 'replace';
}

/** What `bridge link show` prints about a port. */
export interface BridgePortState {
  readonly state: 'forwarding' | 'disabled';
  readonly priority: number;
  readonly cost: number;
}

export type LinkCreatedListener = (link: Link, endNames: readonly [string, string]) => void;

/** A namespace's devices and names, as Machine keeps them. */
class NamespaceState {
  readonly byIndex = new Map<number, NetdevRecord>();
  readonly byName = new Map<string, NetdevRecord>();
  /** net->ifindex: the last ifindex handed out by allocation. */
  lastIfindex = 1;
  /** Peer namespace ids (peernet2id), lowest free first. */
  readonly nsids = new Map<NamespaceState, number>();

  constructor(
    readonly ns: NetworkNamespace,
    /** The `ip netns` name (or, for unlisted ones, the creator's name for it). */
    readonly name: string,
    readonly label: string,
    readonly listed: boolean,
  ) {}
}

/** Kernel ifname rules (dev_valid_name). */
function validIfname(name: string): boolean {
  return name.length > 0 && name.length < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

export class Machine {
  readonly name: string;
  /** The UTS hostname of the root namespace. */
  hostname: string;
  readonly root: NetworkNamespace;
  readonly #deps: DeviceDeps;
  readonly #opts: MachineOptions;
  readonly #macRng: Rng;
  readonly #states = new Map<NetworkNamespace, NamespaceState>();
  /** Namespaces by name (listed and unlisted alike), in creation order. */
  readonly #byName = new Map<string, NamespaceState>();
  readonly #listeners: LinkCreatedListener[] = [];
  readonly #vxlanSockets: VxlanSocketTable;
  /** Addresses added without a broadcast address to show, and those with a chosen one. */
  readonly #noBroadcast = new WeakSet<InterfaceAddress>();
  readonly #broadcastShown = new WeakMap<InterfaceAddress, Ipv4>();

  constructor(deps: DeviceDeps, name: string, opts: MachineOptions = {}) {
    this.#deps = deps;
    this.#opts = opts;
    this.name = name;
    this.hostname = opts.hostname ?? name;
    this.#macRng = deps.rng.fork(`machine:${name}`).fork('mac');
    this.root = new NetworkNamespace(deps, name, {
      hostname: this.hostname,
      ...(opts.forwarding === undefined ? {} : { forwarding: opts.forwarding }),
      ...(opts.neighbour === undefined ? {} : { neighbour: opts.neighbour }),
    });
    this.#registerNamespace(this.root, name, name, false);
    this.#vxlanSockets = new VxlanSocketTable(deps, (ns) => this.labelOf(ns));
  }

  // -------------------------------------------------------------------------------------
  // Namespaces

  /**
   * A new network namespace with only `lo` (127.0.0.1/8, down unless `loopbackUp`): `ip netns
   * add NAME` (listed), or a container's sandbox (listed: false, labelled with the container's
   * name, loopback up). Throws
   * NetlinkError EEXIST when the name is taken, EINVAL for a name `ip netns` refuses.
   */
  addNamespace(name: string, opts: AddNamespaceOptions = {}): NetworkNamespace {
    // `ip netns` names are file names in /var/run/netns; unlisted ones (Docker's sandbox paths) are any non-empty string.
    if (name === '' || ((opts.listed ?? true) && (name === '.' || name === '..' || name.includes('/')))) {
      throw new NetlinkError('EINVAL', undefined, `netns ${name}`);
    }
    if (this.#byName.has(name) || name === this.name) throw new NetlinkError('EEXIST', undefined, `netns ${name}`);
    const ns = new NetworkNamespace(this.#deps, `${this.name}/${name}`, {
      hostname: this.hostname,
      ...(opts.forwarding === undefined ? {} : { forwarding: opts.forwarding }),
      ...(this.#opts.neighbour === undefined ? {} : { neighbour: this.#opts.neighbour }),
    });
    if (!(opts.loopbackUp ?? false)) ns.setLinkUp('lo', false);
    ns.captureLabel = opts.label ?? name;
    const st = this.#registerNamespace(ns, name, opts.label ?? name, opts.listed ?? true);
    const lo = st.byName.get('lo')!;
    lo.everUp = lo.up;
    return ns;
  }

  /**
   * `ip netns del NAME`: the namespace's virtual devices are destroyed (a veth takes its peer
   * with it) and its NICs go back to the root namespace (default_device_exit). Throws ENOENT.
   */
  deleteNamespace(name: string): void {
    const st = this.#byName.get(name);
    if (st === undefined || st.ns === this.root) throw new NetlinkError('ENOENT', undefined, `netns ${name}`);
    for (const dev of [...st.byIndex.values()].sort((a, b) => a.ifindex - b.ifindex)) {
      if (dev.deleted || dev.kind === 'loopback') continue;
      if (dev.kind === 'ethernet') {
        const rootSt = this.#stateOf(this.root);
        if (rootSt.byName.has(dev.name)) this.#renameRecord(dev, this.#freeName(rootSt, 'dev'));
        this.setNetns(dev, this.root);
      } else {
        this.#destroy(dev);
      }
    }
    for (const other of this.#states.values()) other.nsids.delete(st);
    this.#states.delete(st.ns);
    this.#byName.delete(name);
  }

  /** A namespace by its name (listed or not); `root` is not named. */
  namespace(name: string): NetworkNamespace | undefined {
    return this.#byName.get(name)?.ns;
  }

  /** `ip netns list`: the listed namespaces' names, in creation order. */
  listedNamespaces(): string[] {
    return [...this.#byName.values()].filter((s) => s.listed).map((s) => s.name);
  }

  /** Whether `ns` belongs to this machine. */
  owns(ns: NetworkNamespace): boolean {
    return this.#states.has(ns);
  }

  /** The namespace's name: '' for the root namespace. */
  nameOf(ns: NetworkNamespace): string {
    const st = this.#stateOf(ns);
    return st.ns === this.root ? '' : st.name;
  }

  /** Whether `ip netns` knows the namespace by name. */
  isListed(ns: NetworkNamespace): boolean {
    return this.#stateOf(ns).listed;
  }

  /** The host part of end names for devices in `ns`. */
  labelOf(ns: NetworkNamespace): string {
    return this.#stateOf(ns).label;
  }

  /** The id `from` knows `to` by (peernet2id), if one was assigned. */
  nsid(from: NetworkNamespace, to: NetworkNamespace): number | undefined {
    return this.#stateOf(from).nsids.get(this.#stateOf(to));
  }

  // -------------------------------------------------------------------------------------
  // Devices: lookup

  /** The devices of `ns` by ifindex (the order `ip link` lists them). */
  links(ns: NetworkNamespace = this.root): Netdev[] {
    return [...this.#stateOf(ns).byIndex.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  link(ns: NetworkNamespace, name: string): Netdev | undefined {
    return this.#stateOf(ns).byName.get(name);
  }

  linkByIndex(ns: NetworkNamespace, ifindex: number): Netdev | undefined {
    return this.#stateOf(ns).byIndex.get(ifindex);
  }

  /** The ports of a bridge device, in ifindex order. */
  bridgePorts(bridge: Netdev): Netdev[] {
    return this.#portsOf(this.#rec(bridge));
  }

  /** Announces every Link this machine makes from now on. Returns the unsubscribe function. */
  onLinkCreated(listener: LinkCreatedListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  // -------------------------------------------------------------------------------------
  // Devices: creation

  /**
   * `ip link add NAME type veth peer name PEER`: two down ends with random MACs. Returns
   * [NAME, PEER]. Throws EEXIST when a name is taken, EINVAL for a bad name.
   */
  createVeth(name: string, peerName: string, opts: CreateVethOptions = {}): [Netdev, Netdev] {
    const ns = opts.ns ?? this.root;
    const peerNs = opts.peerNs ?? ns;
    const st = this.#stateOf(ns);
    const peerSt = this.#stateOf(peerNs);
    this.#checkNewName(st, name);
    this.#checkNewName(peerSt, peerName);
    if (st === peerSt && name === peerName) throw new NetlinkError('EEXIST', undefined, `veth ${name}`);
    const mtu = opts.mtu ?? MACHINE_DEFAULTS.mtu;
    this.#checkMtuRange(mtu);
    const qlen = opts.txQueueLen ?? MACHINE_DEFAULTS.txQueueLen;
    // veth_newlink registers the peer first.
    const peer = this.#newRecord('veth', peerSt, peerName, opts.peerMac ?? this.#randomMac(), mtu, qlen);
    const dev = this.#newRecord('veth', st, name, opts.mac ?? this.#randomMac(), mtu, qlen);
    dev.peer = peer;
    peer.peer = dev;
    dev.vethEnd = 'a';
    peer.vethEnd = 'b';
    if (opts.params !== undefined) this.#vethParams.set(dev, opts.params);
    if (st !== peerSt) this.#ensureNsids(st, peerSt);
    this.#attachIface(peer);
    this.#attachIface(dev);
    this.#refresh(peer);
    this.#refresh(dev);
    return [dev, peer];
  }

  /**
   * `ip link add NAME type bridge`: a down 802.1D bridge (STP off), its own interface in the
   * stack. Without `mac` it gets a random one and later adopts its smallest port's.
   */
  createBridge(name: string, opts: CreateBridgeOptions = {}): Netdev {
    const st = this.#stateOf(opts.ns ?? this.root);
    this.#checkNewName(st, name);
    const mtu = opts.mtu ?? MACHINE_DEFAULTS.mtu;
    this.#checkMtuRange(mtu);
    const mac = opts.mac ?? this.#randomMac();
    if (!isValidUnicastMac(mac)) throw new NetlinkError('EADDRNOTAVAIL', undefined, `bridge ${name}`);
    const dev = this.#newRecord('bridge', st, name, mac, mtu, opts.txQueueLen ?? MACHINE_DEFAULTS.txQueueLen);
    dev.macSetByUser = opts.mac !== undefined;
    dev.mtuSetByUser = opts.mtu !== undefined;
    const names: [string, string] = [`${st.label}:${name}(bridge)`, `${st.label}:${name}`];
    const bridge = new Bridge(this.#deps, { name, mac, selfLinkNames: names });
    dev.bridge = bridge;
    dev.port.bind(bridge.selfPort);
    this.#attachIface(dev);
    this.#refresh(dev);
    const self = bridge.selfPort;
    if (self instanceof LinkEnd) this.#announce(self.link, names);
    return dev;
  }

  /**
   * `ip link add NAME type vxlan id VNI …`: a down VXLAN device whose underlay is the UDP of
   * the namespace it is created in. Throws EEXIST (with the kernel's message) when a device of
   * that namespace already has the VNI on the same port.
   */
  createVxlan(name: string, opts: CreateVxlanOptions): Netdev {
    const ns = opts.ns ?? this.root;
    const st = this.#stateOf(ns);
    this.#checkNewName(st, name);
    if (!Number.isInteger(opts.vni) || opts.vni < 0 || opts.vni > 0xff_ffff) throw new NetlinkError('ERANGE', undefined, `vxlan id ${opts.vni}`);
    const dstPort = opts.dstPort ?? MACHINE_DEFAULTS.vxlanDstPort;
    if (!Number.isInteger(dstPort) || dstPort < 0 || dstPort > 0xffff) throw new NetlinkError('EINVAL', undefined, `vxlan dstport ${dstPort}`);
    for (const other of this.#allDevices()) {
      const c = other.vxlanConfig;
      if (c !== undefined && c.underlay === ns && c.dstPort === dstPort && c.vni === opts.vni) {
        throw new NetlinkError('EEXIST', 'A VXLAN device with the specified VNI already exists');
      }
    }
    const ttl = opts.ttl ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255) throw new NetlinkError('EINVAL', undefined, `vxlan ttl ${ttl}`);
    const lower = opts.dev === undefined ? undefined : this.#rec(opts.dev);
    const mtu = opts.mtu ?? (lower !== undefined ? lower.mtu - VXLAN_OVERHEAD : MACHINE_DEFAULTS.mtu);
    this.#checkMtuRange(mtu);
    const mac = opts.mac ?? this.#randomMac();
    const dev = this.#newRecord('vxlan', st, name, mac, mtu, MACHINE_DEFAULTS.txQueueLen);
    const config: VxlanConfig = {
      vni: opts.vni,
      dstPort,
      local: opts.local,
      remote: opts.remote,
      dev: lower,
      underlay: ns,
      learning: opts.learning ?? true,
      proxy: opts.proxy ?? false,
      ttl,
    };
    const underlay = new VxlanUnderlay(ns, opts.local, () => (lower !== undefined && !lower.deleted ? lower.iface : undefined));
    const endpoint = new VxlanEndpoint(this.#deps, {
      name, vni: opts.vni, mac, dstPort, learning: config.learning, proxyArp: config.proxy,
      ...(ttl === 0 ? {} : { ttl }),
    }, underlay);
    const names: [string, string] = [`${st.label}:${name}(vxlan)`, `${st.label}:${name}`];
    const link = new Link(this.#deps, names, { ...INTERNAL_LINK, mtu });
    endpoint.attach(link.a);
    dev.port.bind(link.b);
    dev.vxlan = endpoint;
    dev.vxlanConfig = config;
    dev.vxlanLink = link;
    // vxlan_newlink with a unicast remote: the default destination is the all-zeros entry.
    if (opts.remote !== undefined) endpoint.fdbAdd(0, opts.remote);
    this.#attachIface(dev);
    this.#refresh(dev);
    this.#announce(link, names);
    return dev;
  }

  /**
   * `ip link add link PARENT name NAME type vlan id VID`: an 802.1Q sub-interface with the
   * parent's MAC and MTU, in the parent's namespace unless told otherwise.
   */
  createVlan(name: string, parent: Netdev, vid: number, ns?: NetworkNamespace): Netdev {
    const p = this.#rec(parent);
    const st = this.#stateOf(ns ?? p.ns);
    this.#checkNewName(st, name);
    if (p.kind === 'loopback') throw new NetlinkError('EOPNOTSUPP', '8021q: VLANs not supported on device');
    if (!Number.isInteger(vid) || vid < 0 || vid > VLAN_LIMITS.maxVid) throw new NetlinkError('ERANGE', '8021q: Invalid VLAN id');
    if (p.vlanChildren.some((c) => c.vid === vid)) throw new NetlinkError('EEXIST', '8021q: VLAN device already exists');
    const dev = this.#newRecord('vlan', st, name, p.mac, p.mtu, MACHINE_DEFAULTS.txQueueLen);
    const sub = new VlanSubinterface(this.#deps, { name: `${st.label}:${name}`, vid, lower: p.port });
    let demux = p.port.vlanDemux;
    if (demux === null) {
      demux = new VlanDemux();
      p.port.setVlanDemux(demux);
    }
    demux.add(sub);
    dev.parent = p;
    dev.vid = vid;
    dev.vlanSub = sub;
    p.vlanChildren.push(dev);
    dev.port.bind(sub);
    if (st !== this.#stateOf(p.ns)) this.#ensureNsids(st, this.#stateOf(p.ns));
    this.#attachIface(dev);
    this.#refresh(dev);
    return dev;
  }

  /**
   * A NIC plugged into a LAN (the world made the link, whose end `port` is): an Ethernet
   * device `ifname`, up unless told otherwise.
   */
  attachLanPort(ifname: string, port: Port, mac: Mac, opts: AttachLanPortOptions = {}): Netdev {
    const st = this.#stateOf(opts.ns ?? this.root);
    this.#checkNewName(st, ifname);
    const mtu = opts.mtu ?? port.mtu;
    const dev = this.#newRecord('ethernet', st, ifname, mac, mtu, MACHINE_DEFAULTS.txQueueLen);
    dev.lanPort = port;
    dev.port.bind(port);
    this.#attachIface(dev);
    this.#refresh(dev);
    if (opts.up ?? true) this.setUp(dev, true);
    return dev;
  }

  // -------------------------------------------------------------------------------------
  // Devices: changes

  /** `ip link set DEV up|down`. Throws EADDRINUSE when a VXLAN device cannot bind its port. */
  setUp(device: Netdev, up: boolean): void {
    const dev = this.#rec(device);
    if (dev.up === up) return;
    if (dev.kind === 'vxlan' && up) {
      const c = dev.vxlanConfig!;
      try {
        this.#vxlanSockets.open(c.underlay, c.dstPort, dev.vxlan!);
      } catch (e) {
        if (e instanceof StackError && e.code === 'EADDRINUSE') throw new NetlinkError('EADDRINUSE', undefined, `vxlan ${dev.name} port ${c.dstPort}`);
        throw e;
      }
    }
    if (dev.kind === 'vxlan' && !up) {
      const c = dev.vxlanConfig!;
      this.#vxlanSockets.close(c.underlay, c.dstPort, dev.vxlan!);
    }
    dev.up = up;
    if (up) dev.everUp = true;
    if (dev.iface !== undefined) dev.ns.setLinkUp(dev.name, up);
    if (dev.kind === 'veth') {
      const peer = dev.peer!;
      if (up && peer.up && dev.link === undefined) this.#makeVethLink(dev);
      this.#refresh(dev);
      this.#refresh(peer);
    } else {
      this.#refresh(dev);
    }
    if (dev.kind === 'bridge') for (const p of this.#portsOf(dev)) this.#refresh(p);
  }

  /**
   * `ip link set DEV master BRIDGE`. Throws EOPNOTSUPP when BRIDGE is no bridge, ELOOP (with
   * the kernel's message) when DEV is a bridge, EINVAL for the loopback.
   */
  setMaster(device: Netdev, master: Netdev): void {
    const dev = this.#rec(device);
    const br = this.#rec(master);
    if (dev.master === br) return;
    if (br.kind !== 'bridge') throw new NetlinkError('EOPNOTSUPP', undefined, `${dev.name} master ${br.name}`);
    if (dev.kind === 'bridge') throw new NetlinkError('ELOOP', 'Can not enslave a bridge to a bridge');
    if (dev.kind === 'loopback') throw new NetlinkError('EINVAL', undefined, `${dev.name} master ${br.name}`);
    if (dev.ns !== br.ns) throw new NetlinkError('EINVAL', undefined, `${dev.name} master ${br.name}`);
    if (dev.master !== undefined) this.#release(dev);
    this.#detachIface(dev);
    br.bridge!.addPort(dev.port, { mac: dev.mac, name: dev.name });
    dev.master = br;
    this.#recalcBridge(br);
    this.#refresh(dev);
    this.#refresh(br);
  }

  /** `ip link set DEV nomaster`: released from its bridge, the device is an IP interface again. */
  setNomaster(device: Netdev): void {
    const dev = this.#rec(device);
    if (dev.master === undefined) return;
    this.#release(dev);
    this.#attachIface(dev);
    this.#refresh(dev);
  }

  /**
   * `ip link set DEV netns NS`: the device leaves its bridge, goes down, loses its addresses,
   * and appears in NS with its ifindex if free there. Throws EINVAL for the loopback and
   * bridges (netns-local), EEXIST when NS has a device of that name.
   */
  setNetns(device: Netdev, target: NetworkNamespace): void {
    const dev = this.#rec(device);
    const to = this.#stateOf(target);
    const from = this.#stateOf(dev.ns);
    if (to === from) return;
    if (dev.kind === 'loopback' || dev.kind === 'bridge') throw new NetlinkError('EINVAL', undefined, `${dev.name} netns`);
    if (to.byName.has(dev.name)) throw new NetlinkError('EEXIST', undefined, `${dev.name} netns`);
    if (dev.master !== undefined) this.#release(dev);
    if (dev.up) this.setUp(dev, false);
    this.#detachIface(dev);
    from.byIndex.delete(dev.ifindex);
    from.byName.delete(dev.name);
    dev.ifindex = this.#allocIfindex(to, dev.ifindex);
    dev.ns = target;
    to.byIndex.set(dev.ifindex, dev);
    to.byName.set(dev.name, dev);
    dev.port.name = `${to.label}:${dev.name}`;
    if (dev.peer !== undefined && dev.peer.ns !== target) this.#ensureNsids(to, this.#stateOf(dev.peer.ns));
    if (dev.parent !== undefined && dev.parent.ns !== target) this.#ensureNsids(to, this.#stateOf(dev.parent.ns));
    this.#attachIface(dev);
    this.#refresh(dev);
  }

  /** `ip link set DEV name NEW`. Throws EBUSY while the device is up, EEXIST, EINVAL. */
  rename(device: Netdev, newName: string): void {
    const dev = this.#rec(device);
    if (newName === dev.name) return;
    if (!validIfname(newName)) throw new NetlinkError('EINVAL', undefined, `rename ${dev.name}`);
    if (dev.up) throw new NetlinkError('EBUSY', undefined, `rename ${dev.name}`);
    const st = this.#stateOf(dev.ns);
    if (st.byName.has(newName)) throw new NetlinkError('EEXIST', undefined, `rename ${dev.name}`);
    this.#renameRecord(dev, newName);
  }

  /** `ip link set DEV mtu N`: the kernel's range checks and their messages. */
  setMtu(device: Netdev, mtu: number): void {
    const dev = this.#rec(device);
    if (dev.kind === 'loopback') throw new NetlinkError('EOPNOTSUPP', 'cnmlab: the loopback MTU is fixed at 65536');
    if (!Number.isInteger(mtu) || mtu < MACHINE_DEFAULTS.minMtu) throw new NetlinkError('EINVAL', 'mtu less than device minimum');
    if (dev.kind === 'vlan') {
      if (mtu > dev.parent!.mtu) throw new NetlinkError('ERANGE', undefined, `${dev.name} mtu`);
    } else {
      const max = dev.kind === 'vxlan'
        ? (dev.vxlanConfig!.dev !== undefined ? dev.vxlanConfig!.dev.mtu - VXLAN_OVERHEAD : MACHINE_DEFAULTS.maxMtu - VXLAN_OVERHEAD)
        : MACHINE_DEFAULTS.maxMtu;
      if (mtu > max) throw new NetlinkError('EINVAL', 'mtu greater than device maximum');
    }
    if (dev.kind === 'bridge') dev.mtuSetByUser = true;
    this.#applyMtu(dev, mtu);
  }

  /** `ip link set DEV address MAC`. Throws EADDRNOTAVAIL for a group or zero address, EBUSY for a running veth or NIC. */
  setMac(device: Netdev, mac: Mac): void {
    const dev = this.#rec(device);
    if (!isValidUnicastMac(mac)) throw new NetlinkError('EADDRNOTAVAIL', undefined, `${dev.name} address`);
    if (dev.kind === 'loopback') throw new NetlinkError('EOPNOTSUPP', undefined, `${dev.name} address`);
    if ((dev.kind === 'veth' || dev.kind === 'ethernet') && dev.up) throw new NetlinkError('EBUSY', undefined, `${dev.name} address`);
    if (dev.kind === 'vxlan') throw new NetlinkError('EOPNOTSUPP', 'cnmlab: the MAC of a VXLAN device is fixed when it is made');
    if (dev.kind === 'bridge') {
      dev.macSetByUser = true;
      this.#applyBridgeMac(dev, mac);
      return;
    }
    this.#applyMac(dev, mac);
  }

  /** `ip link set DEV promisc on|off`: the NIC accepts frames for any address. */
  setPromisc(device: Netdev, on: boolean): void {
    const dev = this.#rec(device);
    dev.promisc = on;
    if (dev.iface?.nic !== undefined) dev.iface.nic.promiscuous = on;
  }

  /** `ip link set DEV txqueuelen N`. */
  setTxQueueLen(device: Netdev, qlen: number): void {
    const dev = this.#rec(device);
    if (!Number.isInteger(qlen) || qlen < 0) throw new NetlinkError('EINVAL', undefined, `${dev.name} txqueuelen`);
    dev.txQueueLen = qlen;
  }

  /**
   * `ip link del DEV`: a veth pair goes as a whole; VLANs on the device go too. Throws
   * EOPNOTSUPP for the loopback and NICs (no rtnl dellink).
   */
  deleteLink(device: Netdev): void {
    const dev = this.#rec(device);
    if (dev.kind === 'loopback' || dev.kind === 'ethernet') throw new NetlinkError('EOPNOTSUPP', undefined, `delete ${dev.name}`);
    this.#destroy(dev);
  }

  // -------------------------------------------------------------------------------------
  // Addresses and neighbours

  /** `ip addr add PREFIX dev DEV [brd …]`. Throws StackError EEXIST; NetlinkError for a device that is no IP interface. */
  addAddress(device: Netdev, prefix: Ipv4Prefix, opts: AddAddressOptions = {}): InterfaceAddress {
    const dev = this.#rec(device);
    this.#requireIface(dev, 'address');
    const a = dev.ns.addAddress(dev.name, prefix);
    const brd = opts.broadcast ?? 'auto';
    if (brd === 'none') this.#noBroadcast.add(a);
    else if (brd !== 'auto') this.#broadcastShown.set(a, brd);
    return a;
  }

  /** `ip addr del PREFIX dev DEV`. Throws StackError EADDRNOTAVAIL. */
  delAddress(device: Netdev, prefix: Ipv4Prefix): void {
    const dev = this.#rec(device);
    this.#requireIface(dev, 'address');
    dev.ns.delAddress(dev.name, prefix);
  }

  /** The broadcast address `ip addr` shows for `a` ("brd"), or undefined when it shows none. */
  shownBroadcast(a: InterfaceAddress): Ipv4 | undefined {
    if (this.#noBroadcast.has(a)) return undefined;
    const chosen = this.#broadcastShown.get(a);
    if (chosen !== undefined) return chosen;
    return a.broadcast === 0 ? undefined : a.broadcast;
  }

  /**
   * `ip neigh add|replace IP lladdr MAC dev DEV nud STATE`. On a VXLAN device the entry is also
   * what its ARP proxy answers with (arp_reduce reads the device's neighbour table).
   */
  setNeighbour(device: Netdev, ip: Ipv4, mac: Mac, state: 'permanent' | 'noarp' | 'reachable' | 'stale', mode: 'add' | 'replace'): void {
    const dev = this.#rec(device);
    if (dev.kind === 'vxlan') {
      const known = dev.vxlan!.neighbours().some((n) => n.ip === ip);
      if (known && mode === 'add') throw new NetlinkError('EEXIST', undefined, 'neigh add');
      if (dev.iface !== undefined) dev.ns.setNeighbour(dev.name, ip, mac, state, 'replace');
      dev.vxlan!.neighAdd(ip, mac);
      this.#vxlanNeighStates.set(dev, new Map([...(this.#vxlanNeighStates.get(dev) ?? []), [ip, state]]));
      return;
    }
    this.#requireIface(dev, 'neighbour');
    dev.ns.setNeighbour(dev.name, ip, mac, state, mode);
  }

  /** `ip neigh del IP dev DEV`. Throws ENOENT when there is no such entry. */
  deleteNeighbour(device: Netdev, ip: Ipv4): void {
    const dev = this.#rec(device);
    if (dev.kind === 'vxlan') {
      const had = dev.vxlan!.neighDel(ip);
      this.#vxlanNeighStates.get(dev)?.delete(ip);
      let hadStack = false;
      if (dev.iface !== undefined && dev.ns.neighbours.lookup(dev.iface, ip) !== undefined) {
        dev.ns.neighbours.delete(dev.iface, ip);
        hadStack = true;
      }
      if (!had && !hadStack) throw new NetlinkError('ENOENT', undefined, 'neigh del');
      return;
    }
    this.#requireIface(dev, 'neighbour');
    const e = dev.ns.neighbours.lookup(dev.iface!, ip);
    if (e === undefined) throw new NetlinkError('ENOENT', undefined, 'neigh del');
    dev.ns.neighbours.delete(dev.iface!, ip);
  }

  /** The neighbour entries of `ns` as `ip neigh show` lists them: by ifindex, then address. */
  neighbours(ns: NetworkNamespace): NeighbourRow[] {
    const st = this.#stateOf(ns);
    const rows: NeighbourRow[] = [];
    for (const e of ns.neighbours.entries()) {
      const dev = st.byIndex.get(e.iface.ifindex);
      if (dev !== undefined) rows.push({ ip: e.ip, dev, mac: e.mac, state: e.state });
    }
    for (const dev of st.byIndex.values()) {
      if (dev.kind !== 'vxlan' || dev.iface !== undefined) continue;
      const states = this.#vxlanNeighStates.get(dev);
      for (const n of dev.vxlan!.neighbours()) rows.push({ ip: n.ip, dev, mac: n.mac, state: states?.get(n.ip) ?? 'permanent' });
    }
    return rows.sort((a, b) => a.dev.ifindex - b.dev.ifindex || a.ip - b.ip);
  }

  // -------------------------------------------------------------------------------------
  // Forwarding databases

  /**
   * `bridge fdb show` for `ns`, in the kernel's dump order: device by device (ifindex order),
   * first the entries the device's bridge holds for it (newest first), then the device's own
   * table: its unicast and multicast address lists ("self permanent"; the loopback has none),
   * a VXLAN device's remotes, a bridge's own addresses ("master" of itself).
   */
  fdb(ns: NetworkNamespace): FdbRow[] {
    const rows: FdbRow[] = [];
    for (const dev of this.links(ns) as NetdevRecord[]) {
      if (dev.kind === 'loopback') continue;
      const br = dev.master;
      if (br !== undefined) rows.push(...this.#bridgeRows(br, dev));
      switch (dev.kind) {
        case 'vxlan': {
          const statics = this.#vxlanStatic.get(dev);
          for (const e of dev.vxlan!.fdb()) {
            rows.push({
              mac: e.mac, dev, dst: e.remoteIp === 0 ? undefined : e.remoteIp, self: true, master: undefined,
              state: !e.isStatic ? 'reachable' : statics?.has(e.mac) ? 'static' : 'permanent',
              ageNs: e.ageNs, portNo: undefined, isLocal: false,
            });
          }
          break;
        }
        case 'bridge':
          rows.push(...this.#selfAddressRows(dev));
          rows.push(...this.#bridgeRows(dev, undefined));
          break;
        case 'ethernet':
        case 'veth':
        case 'vlan':
          rows.push(...this.#selfAddressRows(dev));
          break;
      }
    }
    return rows;
  }

  /**
   * `bridge fdb add|append|replace MAC dev DEV [self|master] [dst IP] [permanent|static|dynamic]`.
   * Errors as the kernel: EEXIST (add of an existing entry), EINVAL (a state the target cannot
   * hold, as ndo_dflt_fdb_add refusing anything but local addresses), EOPNOTSUPP (master on a
   * device that is no bridge port).
   */
  fdbAdd(device: Netdev, mac: Mac, change: FdbChange): void {
    const dev = this.#rec(device);
    if (change.target === 'master') {
      const br = dev.master;
      if (br === undefined) {
        if (dev.kind === 'bridge') {
          this.#bridgeSelfAdd(dev, mac, change);
          return;
        }
        throw new NetlinkError('EOPNOTSUPP', undefined, 'fdb add master');
      }
      const bridge = br.bridge!;
      const existing = bridge.fdb().find((e) => e.mac === mac);
      if (existing !== undefined && change.mode === 'add') throw new NetlinkError('EEXIST', undefined, 'fdb add');
      if (change.state === 'dynamic') throw new NetlinkError('EOPNOTSUPP', 'cnmlab: dynamic entries cannot be added to a bridge FDB');
      if (!isValidUnicastMac(mac)) throw new NetlinkError('EINVAL', undefined, 'fdb add');
      bridge.addStaticFdb(mac, dev.port, change.state === 'permanent');
      return;
    }
    switch (dev.kind) {
      case 'vxlan': {
        if (change.state === 'dynamic') throw new NetlinkError('EOPNOTSUPP', 'cnmlab: dynamic entries cannot be added to a VXLAN FDB');
        const ep = dev.vxlan!;
        const remote = change.dst ?? 0;
        const existing = ep.fdb().filter((e) => e.mac === mac);
        if (change.mode === 'add' && existing.length > 0) throw new NetlinkError('EEXIST', undefined, 'vxlan fdb add');
        if (change.mode === 'append') {
          if (existing.some((e) => e.remoteIp === remote)) throw new NetlinkError('EEXIST', undefined, 'vxlan fdb append');
          ep.fdbAppend(mac, remote);
        } else {
          ep.fdbAdd(mac, remote);
        }
        // NUD_NOARP without NUD_PERMANENT: never aged, listed as "static".
        let statics = this.#vxlanStatic.get(dev);
        if (change.state === 'static') {
          if (statics === undefined) this.#vxlanStatic.set(dev, (statics = new Set()));
          statics.add(mac);
        } else if (change.mode !== 'append') {
          statics?.delete(mac);
        }
        return;
      }
      case 'bridge':
        this.#bridgeSelfAdd(dev, mac, change);
        return;
      case 'loopback':
        throw new NetlinkError('EINVAL', undefined, 'fdb add');
      case 'ethernet':
      case 'veth':
      case 'vlan': {
        // ndo_dflt_fdb_add: "default FDB implementation only supports local addresses".
        if (change.state !== 'permanent') throw new NetlinkError('EINVAL', undefined, 'fdb add');
        if (dev.unicastAddresses.includes(mac) || this.#multicastList(dev).includes(mac)) {
          if (change.mode === 'add') throw new NetlinkError('EEXIST', undefined, 'fdb add');
          return;
        }
        if (!isValidUnicastMac(mac)) throw new NetlinkError('EINVAL', undefined, 'fdb add');
        dev.unicastAddresses.push(mac);
        return;
      }
    }
  }

  /** `bridge fdb del MAC dev DEV [self|master] [dst IP]`. Throws ENOENT when nothing matched. */
  fdbDelete(device: Netdev, mac: Mac, target: 'self' | 'master', dst?: Ipv4): void {
    const dev = this.#rec(device);
    if (target === 'master') {
      const br = dev.master ?? (dev.kind === 'bridge' ? dev : undefined);
      if (br === undefined) throw new NetlinkError('EOPNOTSUPP', undefined, 'fdb del master');
      const bridge = br.bridge!;
      const portName = br === dev ? bridge.name : dev.name;
      const e = bridge.fdb().find((x) => x.mac === mac && x.port === portName);
      if (e === undefined) throw new NetlinkError('ENOENT', undefined, 'fdb del');
      bridge.deleteFdb(mac);
      if (br === dev && mac === dev.mac) bridge.setMac(dev.mac);
      return;
    }
    switch (dev.kind) {
      case 'vxlan':
        if (!dev.vxlan!.fdbDel(mac, dst)) throw new NetlinkError('ENOENT', undefined, 'vxlan fdb del');
        if (!dev.vxlan!.fdb().some((e) => e.mac === mac)) this.#vxlanStatic.get(dev)?.delete(mac);
        return;
      case 'bridge': {
        const bridge = dev.bridge!;
        const e = bridge.fdb().find((x) => x.mac === mac && x.port === bridge.name);
        if (e === undefined) throw new NetlinkError('ENOENT', undefined, 'fdb del');
        bridge.deleteFdb(mac);
        return;
      }
      case 'loopback':
        throw new NetlinkError('EINVAL', undefined, 'fdb del');
      case 'ethernet':
      case 'veth':
      case 'vlan': {
        const i = dev.unicastAddresses.indexOf(mac);
        if (i < 0) throw new NetlinkError('ENOENT', undefined, 'fdb del');
        dev.unicastAddresses.splice(i, 1);
        return;
      }
    }
  }

  /**
   * `bridge link set dev PORT hairpin|learning|flood on|off`. Throws EOPNOTSUPP when the device
   * is no bridge port (rtnl_bridge_setlink finds no master).
   */
  setBridgePortFlag(device: Netdev, flag: 'hairpin' | 'learning' | 'flood', on: boolean): void {
    const dev = this.#rec(device);
    const br = dev.master;
    if (br === undefined) throw new NetlinkError('EOPNOTSUPP', undefined, `${dev.name} is no bridge port`);
    const bridge = br.bridge!;
    switch (flag) {
      case 'hairpin':
        bridge.setHairpin(dev.port, on);
        return;
      case 'learning':
        bridge.setLearning(dev.port, on);
        return;
      case 'flood':
        bridge.setFlood(dev.port, on);
        return;
    }
  }

  /** A port's flags as the bridge keeps them. */
  bridgePortFlags(device: Netdev): { hairpin: boolean; learning: boolean; flood: boolean } | undefined {
    const dev = this.#rec(device);
    const br = dev.master;
    if (br === undefined) return undefined;
    const p = br.bridge!.ports().find((x) => x.name === dev.name);
    return p === undefined ? undefined : { hairpin: p.hairpin, learning: p.learning, flood: p.flood };
  }

  /** What `bridge link show` prints about a bridge port (undefined for a device that is none). */
  bridgePortState(device: Netdev): BridgePortState | undefined {
    const dev = this.#rec(device);
    const br = dev.master;
    if (br === undefined) return undefined;
    return {
      state: dev.operUp && br.up ? 'forwarding' : 'disabled',
      priority: MACHINE_DEFAULTS.bridgePortPriority,
      cost: this.#pathCost(dev),
    };
  }

  // -------------------------------------------------------------------------------------
  // Internals: namespaces and records

  /** The recorded state of each VXLAN neighbour (the endpoint keeps only the addresses). */
  readonly #vxlanNeighStates = new Map<NetdevRecord, Map<Ipv4, NeighbourState>>();
  /** VXLAN FDB entries added as `static` (NUD_NOARP) rather than `permanent`. */
  readonly #vxlanStatic = new Map<NetdevRecord, Set<Mac>>();
  /** Per-pair link parameters given at creation. */
  readonly #vethParams = new Map<NetdevRecord, Partial<LinkParams>>();

  #registerNamespace(ns: NetworkNamespace, name: string, label: string, listed: boolean): NamespaceState {
    const st = new NamespaceState(ns, name, label, listed);
    this.#states.set(ns, st);
    if (ns !== this.root) this.#byName.set(name, st);
    const lo = new NetdevRecord('loopback', 'lo', ns.loopback.ifindex, ns, 0, MACHINE_DEFAULTS.loopbackMtu, MACHINE_DEFAULTS.txQueueLen, `${label}:lo`);
    lo.up = ns.loopback.up;
    lo.everUp = true;
    lo.carrier = true;
    lo.iface = ns.loopback;
    // inetdev_event on the loopback: 127.0.0.1/8 without a broadcast address.
    for (const a of ns.loopback.addresses) this.#noBroadcast.add(a);
    st.byIndex.set(lo.ifindex, lo);
    st.byName.set('lo', lo);
    st.lastIfindex = lo.ifindex;
    return st;
  }

  #stateOf(ns: NetworkNamespace): NamespaceState {
    const st = this.#states.get(ns);
    if (st === undefined) throw new NetlinkError('EINVAL', undefined, `namespace ${ns.name} is not one of ${this.name}'s`);
    return st;
  }

  #rec(dev: Netdev): NetdevRecord {
    if (!(dev instanceof NetdevRecord) || dev.deleted || !this.#states.has(dev.ns)) throw new NetlinkError('ENODEV', undefined, dev.name);
    return dev;
  }

  *#allDevices(): Generator<NetdevRecord> {
    for (const st of this.#states.values()) yield* st.byIndex.values();
  }

  #checkNewName(st: NamespaceState, name: string): void {
    if (!validIfname(name)) throw new NetlinkError('EINVAL', undefined, `ifname ${JSON.stringify(name)}`);
    if (st.byName.has(name)) throw new NetlinkError('EEXIST', undefined, `link ${name}`);
  }

  #checkMtuRange(mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < MACHINE_DEFAULTS.minMtu) throw new NetlinkError('EINVAL', 'mtu less than device minimum');
    if (mtu > MACHINE_DEFAULTS.maxMtu) throw new NetlinkError('EINVAL', 'mtu greater than device maximum');
  }

  /** A name free in `st`: prefix + the lowest free number (dev_alloc_name's "dev%d"). */
  #freeName(st: NamespaceState, prefix: string): string {
    for (let i = 0; ; i++) if (!st.byName.has(`${prefix}${i}`)) return `${prefix}${i}`;
  }

  /** dev_index_reserve: `wanted` when free, else the next free index after the last allocated one. */
  #allocIfindex(st: NamespaceState, wanted?: number): number {
    if (wanted !== undefined && !st.byIndex.has(wanted)) return wanted;
    let i = st.lastIfindex;
    do {
      i = i >= 0x7fff_ffff ? 1 : i + 1;
    } while (st.byIndex.has(i));
    st.lastIfindex = i;
    return i;
  }

  #newRecord(kind: NetdevRecord['kind'], st: NamespaceState, name: string, mac: Mac, mtu: number, qlen: number): NetdevRecord {
    const ifindex = this.#allocIfindex(st);
    const dev = new NetdevRecord(kind, name, ifindex, st.ns, mac, mtu, qlen, `${st.label}:${name}`);
    st.byIndex.set(ifindex, dev);
    st.byName.set(name, dev);
    return dev;
  }

  /** eth_random_addr: random bytes, group bit cleared, locally administered bit set. */
  #randomMac(): Mac {
    const b = this.#macRng.bytes(6);
    b[0] = (b[0]! & 0xfe) | 0x02;
    let mac = 0;
    for (let i = 0; i < 6; i++) mac = mac * 256 + b[i]!;
    return mac;
  }

  /** peernet2id_alloc in both directions: the lowest free id in each namespace. */
  #ensureNsids(a: NamespaceState, b: NamespaceState): void {
    const alloc = (from: NamespaceState, to: NamespaceState): void => {
      if (from === to || from.nsids.has(to)) return;
      const used = new Set(from.nsids.values());
      let id = 0;
      while (used.has(id)) id++;
      from.nsids.set(to, id);
    };
    alloc(a, b);
    alloc(b, a);
  }

  #announce(link: Link, names: readonly [string, string]): void {
    for (const l of [...this.#listeners]) l(link, names);
  }

  // -------------------------------------------------------------------------------------
  // Internals: the IP interface of a device

  /** Makes the device an interface of its namespace's stack (not for ports and the loopback). */
  #attachIface(dev: NetdevRecord): void {
    if (dev.kind === 'loopback' || dev.master !== undefined || dev.iface !== undefined) return;
    const nic = new Nic(this.#deps, dev.port, { name: dev.name, mac: dev.mac, mtu: dev.mtu });
    nic.promiscuous = dev.promisc;
    dev.iface = dev.ns.addInterface(nic, { ifindex: dev.ifindex, up: dev.up });
  }

  #detachIface(dev: NetdevRecord): void {
    if (dev.kind === 'loopback' || dev.iface === undefined) return;
    dev.ns.removeInterface(dev.name);
    dev.iface = undefined;
    dev.port.detachReceiver();
  }

  #requireIface(dev: NetdevRecord, what: string): void {
    if (dev.iface === undefined) {
      throw new NetlinkError('EOPNOTSUPP', `cnmlab: ${dev.name} is a bridge port; ${what}es on bridge ports are not emulated`);
    }
  }

  #renameRecord(dev: NetdevRecord, newName: string): void {
    const st = this.#stateOf(dev.ns);
    let saved: { prefix: Ipv4Prefix; brd: Ipv4 | 'none' | undefined }[] = [];
    if (dev.iface !== undefined && dev.kind !== 'loopback') {
      saved = dev.iface.addresses.map((a) => ({
        prefix: { addr: a.address, len: a.prefixLen },
        brd: this.#noBroadcast.has(a) ? 'none' : this.#broadcastShown.get(a),
      }));
      this.#detachIface(dev);
    }
    st.byName.delete(dev.name);
    dev.name = newName;
    st.byName.set(newName, dev);
    dev.port.name = `${st.label}:${newName}`;
    const br = dev.master;
    if (br !== undefined) {
      br.bridge!.removePort(dev.port);
      br.bridge!.addPort(dev.port, { mac: dev.mac, name: newName });
      this.#recalcBridge(br);
    } else if (dev.kind !== 'loopback') {
      this.#attachIface(dev);
      for (const s of saved) {
        const a = dev.ns.addAddress(dev.name, s.prefix);
        if (s.brd === 'none') this.#noBroadcast.add(a);
        else if (s.brd !== undefined) this.#broadcastShown.set(a, s.brd);
      }
    }
  }

  // -------------------------------------------------------------------------------------
  // Internals: state

  /** Recomputes carrier and the port gate of `dev`, and of what depends on it when that changed. */
  #refresh(dev: NetdevRecord): void {
    if (dev.deleted) return;
    const wasOper = dev.operUp;
    const wasGate = dev.port.operUp;
    dev.carrier = this.#carrier(dev);
    const br = dev.master;
    dev.port.operUp = dev.kind === 'bridge' ? dev.up : dev.operUp && (br === undefined || br.up);
    if (wasOper !== dev.operUp || wasGate !== dev.port.operUp) {
      if (br !== undefined) {
        if (!dev.port.operUp) this.#flushLearnt(br, dev);
        this.#refresh(br);
      }
      for (const child of dev.vlanChildren) this.#refresh(child);
    }
  }

  #carrier(dev: NetdevRecord): boolean {
    switch (dev.kind) {
      case 'loopback':
      case 'ethernet':
      case 'vxlan':
        return true;
      case 'veth':
        return dev.up && dev.peer !== undefined && !dev.peer.deleted && dev.peer.up;
      case 'bridge':
        return this.#portsOf(dev).some((p) => p.operUp);
      case 'vlan':
        return dev.parent !== undefined && !dev.parent.deleted && dev.parent.operUp;
    }
  }

  #portsOf(br: NetdevRecord): NetdevRecord[] {
    const ports: NetdevRecord[] = [];
    const st = this.#states.get(br.ns);
    if (st === undefined) return ports;
    for (const d of st.byIndex.values()) if (d.master === br) ports.push(d);
    return ports.sort((a, b) => a.ifindex - b.ifindex);
  }

  /** br_fdb_delete_by_port(…, do_all = 0): what the bridge learnt on a port that stopped forwarding. */
  #flushLearnt(br: NetdevRecord, port: NetdevRecord): void {
    const bridge = br.bridge!;
    for (const e of bridge.fdb()) if (e.port === port.name && !e.isStatic) bridge.deleteFdb(e.mac);
  }

  /** br_del_if: the port's entries go, then the bridge recomputes its MAC and MTU. */
  #release(dev: NetdevRecord): void {
    const br = dev.master!;
    br.bridge!.removePort(dev.port);
    dev.master = undefined;
    this.#recalcBridge(br);
    this.#refresh(dev);
    this.#refresh(br);
  }

  /** br_stp_recalculate_bridge_id and br_mtu_auto_adjust. */
  #recalcBridge(br: NetdevRecord): void {
    const ports = this.#portsOf(br);
    if (!br.macSetByUser && ports.length > 0) {
      let min = ports[0]!.mac;
      for (const p of ports) if (p.mac < min) min = p.mac;
      this.#applyBridgeMac(br, min);
    } else {
      // The own entry may have been a removed port's local entry: make sure the bridge has one.
      br.bridge!.setMac(br.mac);
    }
    if (!br.mtuSetByUser) {
      let mtu: number = MACHINE_DEFAULTS.mtu;
      if (ports.length > 0) {
        mtu = ports[0]!.mtu;
        for (const p of ports) if (p.mtu < mtu) mtu = p.mtu;
      }
      if (mtu !== br.mtu) this.#applyMtu(br, mtu);
    }
  }

  #applyBridgeMac(br: NetdevRecord, mac: Mac): void {
    br.bridge!.setMac(mac);
    if (br.mac === mac) return;
    const old = br.mac;
    br.mac = mac;
    if (br.iface?.nic !== undefined) br.iface.nic.mac = mac;
    this.#followParentMac(br, old);
  }

  #applyMac(dev: NetdevRecord, mac: Mac): void {
    const old = dev.mac;
    if (old === mac) return;
    dev.mac = mac;
    if (dev.iface?.nic !== undefined) dev.iface.nic.mac = mac;
    const br = dev.master;
    if (br !== undefined) {
      // br_fdb_changeaddr: the port's local entry moves to the new address.
      const bridge = br.bridge!;
      if (bridge.fdb().some((e) => e.mac === old && e.port === dev.name && e.isLocal)) bridge.deleteFdb(old);
      bridge.addStaticFdb(mac, dev.port, true);
      this.#recalcBridge(br);
    }
    this.#followParentMac(dev, old);
  }

  /** vlan_sync_address: a VLAN that had its parent's old MAC takes the new one. */
  #followParentMac(dev: NetdevRecord, old: Mac): void {
    for (const child of dev.vlanChildren) if (child.mac === old) this.#applyMac(child, dev.mac);
  }

  #applyMtu(dev: NetdevRecord, mtu: number): void {
    dev.mtu = mtu;
    if (dev.iface?.nic !== undefined) dev.ns.setInterfaceMtu(dev.name, mtu);
    if (dev.kind === 'veth' && dev.link !== undefined) {
      dev.link.setParams({ mtu: Math.min(dev.mtu, dev.peer!.mtu) });
    }
    if (dev.kind === 'vxlan' && dev.vxlanLink !== undefined) dev.vxlanLink.setParams({ mtu });
    // vlan_device_event NETDEV_CHANGEMTU: a VLAN never exceeds its parent.
    for (const child of dev.vlanChildren) if (child.mtu > mtu) this.#applyMtu(child, mtu);
    if (dev.master !== undefined) this.#recalcBridge(dev.master);
  }

  /** The veth pair's Link, made when both ends are first up, with the ends named after where they are now. */
  #makeVethLink(dev: NetdevRecord): void {
    const a = dev.vethEnd === 'a' ? dev : dev.peer!;
    const b = a.peer!;
    const names: [string, string] = [`${this.labelOf(a.ns)}:${a.name}`, `${this.labelOf(b.ns)}:${b.name}`];
    const params = { ...VETH_DEFAULTS, ...this.#opts.vethParams, ...this.#vethParams.get(a), mtu: Math.min(a.mtu, b.mtu) };
    const link = new Link(this.#deps, names, params);
    a.link = link;
    b.link = link;
    a.port.bind(link.a);
    b.port.bind(link.b);
    this.#announce(link, names);
  }

  /** Removes a device (and its veth peer and VLANs) from everything. */
  #destroy(dev: NetdevRecord): void {
    if (dev.deleted) return;
    for (const child of [...dev.vlanChildren]) this.#destroy(child);
    // vxlan_handle_lowerdev_unregister: a VXLAN device goes with its underlay device.
    for (const other of [...this.#allDevices()]) if (other.vxlanConfig?.dev === dev) this.#destroy(other);
    if (dev.kind === 'bridge') {
      for (const p of this.#portsOf(dev)) {
        this.#release(p);
        this.#attachIface(p);
        this.#refresh(p);
      }
    }
    if (dev.master !== undefined) this.#release(dev);
    if (dev.up) this.setUp(dev, false);
    this.#detachIface(dev);
    dev.port.unbind();
    if (dev.kind === 'vlan') {
      const parent = dev.parent!;
      parent.port.vlanDemux?.remove(dev.vlanSub!);
      const i = parent.vlanChildren.indexOf(dev);
      if (i >= 0) parent.vlanChildren.splice(i, 1);
      if (parent.port.vlanDemux?.size === 0) parent.port.setVlanDemux(null);
    }
    const st = this.#stateOf(dev.ns);
    st.byIndex.delete(dev.ifindex);
    st.byName.delete(dev.name);
    dev.deleted = true;
    this.#vxlanNeighStates.delete(dev);
    this.#vxlanStatic.delete(dev);
    this.#vethParams.delete(dev);
    if (dev.kind === 'veth' && dev.peer !== undefined && !dev.peer.deleted) this.#destroy(dev.peer);
  }

  // -------------------------------------------------------------------------------------
  // Internals: FDB rows

  /** The rows a bridge holds for `port` (or, with `port` undefined, for the bridge itself). */
  #bridgeRows(br: NetdevRecord, port: NetdevRecord | undefined): FdbRow[] {
    const bridge = br.bridge!;
    const name = port === undefined ? bridge.name : port.name;
    const portNo = port === undefined ? undefined : bridge.ports().find((p) => p.name === port.name)?.id;
    const rows: FdbRow[] = [];
    for (const e of bridge.fdb()) {
      if (e.port !== name) continue;
      rows.push({
        mac: e.mac, dev: port ?? br, dst: undefined, self: false, master: br,
        state: e.isLocal ? 'permanent' : e.isStatic ? 'static' : 'reachable',
        ageNs: e.ageNs, portNo, isLocal: e.isLocal,
      });
    }
    return rows;
  }

  /** ndo_dflt_fdb_dump: the device's unicast list, then its multicast list, as "self permanent". */
  #selfAddressRows(dev: NetdevRecord): FdbRow[] {
    const rows: FdbRow[] = [];
    for (const mac of [...dev.unicastAddresses, ...this.#multicastList(dev)]) {
      rows.push({ mac, dev, dst: undefined, self: true, master: undefined, state: 'permanent', ageNs: 0, portNo: undefined, isLocal: false });
    }
    return rows;
  }

  /**
   * The device's multicast address list: the groups every interface joins when it goes up
   * (IPv6 all-nodes, IPv4 all-hosts: NIC_DEFAULTS.multicast, in the order the kernel fixture
   * bridge-fdb.txt lists them), left when it goes down.
   */
  #multicastList(dev: NetdevRecord): Mac[] {
    if (!dev.up) return [];
    const nic = dev.iface?.nic;
    return nic !== undefined ? nic.multicastList() : [...NIC_DEFAULTS.multicast];
  }

  /** `bridge fdb add MAC dev BR [self]`: an address of the bridge itself (only local ones). */
  #bridgeSelfAdd(br: NetdevRecord, mac: Mac, change: FdbChange): void {
    if (change.state !== 'permanent') throw new NetlinkError('EINVAL', undefined, 'fdb add');
    const bridge = br.bridge!;
    if (bridge.fdb().some((e) => e.mac === mac) && change.mode === 'add') throw new NetlinkError('EEXIST', undefined, 'fdb add');
    if (!isValidUnicastMac(mac)) throw new NetlinkError('EINVAL', undefined, 'fdb add');
    bridge.addStaticFdb(mac, 'self');
  }

  /**
   * br_get_path_cost: from the port's link speed (10 Gbit/s → 2, 1 Gbit/s → 4, 100 Mbit/s →
   * 19, else 100). A veth reports 10 Gbit/s, a VLAN its parent's speed, a NIC its LAN's rate,
   * a VXLAN device no speed at all.
   */
  #pathCost(dev: NetdevRecord): number {
    let d: NetdevRecord = dev;
    while (d.kind === 'vlan' && d.parent !== undefined) d = d.parent;
    let speed = 0;
    if (d.kind === 'veth') speed = 10e9;
    else if (d.kind === 'ethernet' && d.lanPort instanceof LinkEnd) speed = d.lanPort.link.params.rate;
    if (speed >= 10e9) return 2;
    if (speed >= 1e9) return 4;
    if (speed >= 100e6) return 19;
    return 100;
  }
}
