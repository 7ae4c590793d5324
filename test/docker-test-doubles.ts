// Test doubles for the docker control plane: a HostDataplane that keeps just enough state to
// catch misuse (links per namespace, routes) and logs every call, and a bridge-like driver that
// does what the real bridge driver's control plane asks of the host, without devices.
import { formatCidr, formatIpv4, macFromIpv4 } from '../src/wire';
import type { Ipv4Prefix, Mac } from '../src/wire';
import { EMPTY_JOIN_INFO, IdGenerator, NetworkController, NullDriver, HostDriver } from '../src/docker';
import type {
  BridgeLinkOptions, CreateEndpointRequest, CreateNetworkRequest, EngineProfile, HostDataplane, JoinInfo,
  JoinRequest, NetnsHandle, NetworkDriver, RouteSpec, VethOptions,
} from '../src/docker';
import { Rng } from '../src/sim';

const HOST_NS = '/proc/self/ns/net';

function routeText(r: RouteSpec): string {
  const dst = r.destination.len === 0 ? 'default' : formatCidr(r.destination);
  return `${dst}${r.via !== undefined ? ` via ${formatIpv4(r.via)}` : ''}${r.device ? ` dev ${r.device}` : ''}`;
}

export class RecordingDataplane implements HostDataplane {
  readonly hostNamespace: NetnsHandle = { path: HOST_NS };
  readonly log: string[] = [];
  reserved: Ipv4Prefix[] = [];
  readonly #links = new Map<string, Set<string>>([[HOST_NS, new Set(['lo'])]]);
  readonly #routes = new Map<string, string[]>([[HOST_NS, []]]);
  /** veth peers by name (names are unique across namespaces in these tests). */
  readonly #peers = new Map<string, string>();

  links(ns: NetnsHandle | string): string[] {
    return [...(this.#links.get(typeof ns === 'string' ? ns : ns.path) ?? [])];
  }
  routes(ns: NetnsHandle | string): string[] {
    return [...(this.#routes.get(typeof ns === 'string' ? ns : ns.path) ?? [])];
  }
  namespaces(): string[] {
    return [...this.#links.keys()];
  }

  #ns(ns: NetnsHandle): Set<string> {
    const l = this.#links.get(ns.path);
    if (!l) throw new Error(`no namespace ${ns.path}`);
    return l;
  }
  #need(ns: NetnsHandle, name: string): void {
    if (!this.#ns(ns).has(name)) throw new Error(`no link ${name} in ${ns.path}`);
  }

  createNamespace(path: string): NetnsHandle {
    if (this.#links.has(path)) throw new Error(`namespace ${path} exists`);
    this.#links.set(path, new Set(['lo']));
    this.#routes.set(path, []);
    this.log.push(`netns add ${path}`);
    return { path };
  }
  destroyNamespace(ns: NetnsHandle): void {
    this.#ns(ns);
    this.#links.delete(ns.path);
    this.#routes.delete(ns.path);
    this.log.push(`netns del ${ns.path}`);
  }
  linkExists(ns: NetnsHandle, name: string): boolean {
    return this.#ns(ns).has(name);
  }
  createBridge(name: string, options: BridgeLinkOptions): void {
    this.#ns(this.hostNamespace).add(name);
    this.log.push(`link add ${name} type bridge mac ${options.mac}`);
  }
  createVethPair(hostName: string, peerName: string, _options: VethOptions): void {
    const host = this.#ns(this.hostNamespace);
    if (host.has(hostName) || host.has(peerName)) throw new Error('link exists');
    host.add(hostName);
    host.add(peerName);
    this.#peers.set(hostName, peerName);
    this.#peers.set(peerName, hostName);
    this.log.push(`link add ${hostName} type veth peer ${peerName}`);
  }
  deleteLink(ns: NetnsHandle, name: string): void {
    this.#need(ns, name);
    this.#ns(ns).delete(name);
    // Deleting one end of a veth pair deletes the other, wherever it is.
    const peer = this.#peers.get(name);
    if (peer !== undefined) {
      for (const links of this.#links.values()) links.delete(peer);
      this.#peers.delete(peer);
      this.#peers.delete(name);
    }
    this.log.push(`link del ${name}`);
  }
  setLinkMaster(name: string, bridgeName: string): void {
    this.#need(this.hostNamespace, name);
    this.log.push(`link set ${name} master ${bridgeName}`);
  }
  setHairpinMode(portName: string, on: boolean): void {
    this.log.push(`hairpin ${portName} ${on}`);
  }
  setLinkUp(ns: NetnsHandle, name: string): void {
    this.#need(ns, name);
    this.log.push(`[${ns.path}] link set ${name} up`);
  }
  setLinkMac(ns: NetnsHandle, name: string, mac: Mac): void {
    this.#need(ns, name);
    this.log.push(`[${ns.path}] link set ${name} address ${mac}`);
  }
  setLinkMtu(ns: NetnsHandle, name: string, mtu: number): void {
    this.#need(ns, name);
    this.log.push(`[${ns.path}] link set ${name} mtu ${mtu}`);
  }
  addAddress(ns: NetnsHandle, name: string, address: Ipv4Prefix): void {
    this.#need(ns, name);
    this.log.push(`[${ns.path}] addr add ${formatCidr(address)} dev ${name}`);
  }
  moveLink(from: NetnsHandle, name: string, to: NetnsHandle, newName: string): void {
    this.#need(from, name);
    this.#ns(from).delete(name);
    this.#ns(to).add(newName);
    const peer = this.#peers.get(name);
    if (peer !== undefined && newName !== name) {
      this.#peers.delete(name);
      this.#peers.set(newName, peer);
      this.#peers.set(peer, newName);
    }
    this.log.push(`[${from.path}] link set ${name} netns ${to.path} name ${newName}`);
  }
  addRoute(ns: NetnsHandle, route: RouteSpec): void {
    const list = this.#routes.get(ns.path)!;
    const text = routeText(route);
    if (list.includes(text)) throw new Error(`route exists: ${text}`);
    list.push(text);
    this.log.push(`[${ns.path}] route add ${text}`);
  }
  deleteRoute(ns: NetnsHandle, route: RouteSpec): void {
    const list = this.#routes.get(ns.path)!;
    const text = routeText(route);
    const i = list.indexOf(text);
    if (i < 0) throw new Error(`no route ${text}`);
    list.splice(i, 1);
    this.log.push(`[${ns.path}] route del ${text}`);
  }
  readonly sysctls = new Map<string, string>();
  setSysctl(ns: NetnsHandle, key: string, value: string): void {
    this.sysctls.set(`${ns.path} ${key}`, value);
    this.log.push(`sysctl ${key}=${value}`);
  }
  getSysctl(ns: NetnsHandle, key: string): string | undefined {
    return this.sysctls.get(`${ns.path} ${key}`) ?? (key === 'net.ipv4.ip_forward' ? '0' : undefined);
  }
  iptables(argv: readonly string[]): number {
    this.log.push(`iptables ${argv.join(' ')}`);
    return 0;
  }
  reservedPrefixes(): Ipv4Prefix[] {
    return this.reserved;
  }
}

/**
 * The parts of the bridge driver that only need the HostDataplane: a veth per endpoint, the
 * 02:42+IP MAC, the gateway on join (none for internal networks when the profile says so).
 */
export class FakeBridgeDriver implements NetworkDriver {
  readonly type = 'bridge';
  readonly builtIn = true;
  readonly capability = { dataScope: 'local', connectivityScope: 'local' } as const;
  readonly networks = new Map<string, CreateNetworkRequest>();
  readonly external: string[] = [];
  readonly #dp: RecordingDataplane;
  readonly #profile: EngineProfile;
  readonly #veths = new Map<string, string>();
  #counter = 0;

  constructor(dp: RecordingDataplane, profile: EngineProfile) {
    this.#dp = dp;
    this.#profile = profile;
  }
  createNetwork(req: CreateNetworkRequest): void {
    this.networks.set(req.networkId, req);
  }
  deleteNetwork(networkId: string): void {
    this.networks.delete(networkId);
  }
  createEndpoint(req: CreateEndpointRequest): void {
    req.iface.macAddress = req.userMacAddress ?? (req.iface.address ? macFromIpv4(req.iface.address.addr) : undefined);
  }
  deleteEndpoint(_networkId: string, endpointId: string): void {
    const host = this.#veths.get(endpointId);
    if (host) this.#dp.deleteLink(this.#dp.hostNamespace, host);
    this.#veths.delete(endpointId);
  }
  join(req: JoinRequest): JoinInfo {
    const n = this.#counter++;
    const host = `veth${n}h`;
    const peer = `veth${n}c`;
    this.#dp.createVethPair(host, peer, {});
    this.#veths.set(req.endpointId, host);
    const net = this.networks.get(req.networkId)!;
    const gw = net.ipv4Data[0]?.gateway;
    const withGateway = gw !== undefined && (!net.internal || this.#profile.internalNetworkHasGateway);
    return {
      ...EMPTY_JOIN_INFO,
      interfaceName: { srcName: peer, dstPrefix: 'eth' },
      ...(withGateway ? { gateway: gw.addr } : {}),
    };
  }
  leave(): void {}
  programExternalConnectivity(_networkId: string, endpointId: string): void {
    this.external.push(`+${endpointId.slice(0, 4)}`);
  }
  revokeExternalConnectivity(_networkId: string, endpointId: string): void {
    this.external.push(`-${endpointId.slice(0, 4)}`);
  }
}

export interface TestHost {
  readonly controller: NetworkController;
  readonly dataplane: RecordingDataplane;
  readonly bridge: FakeBridgeDriver;
  /** Moves the simulated clock. */
  advance(ns: number): void;
}

/** A controller with null/host/fake-bridge drivers and the default networks, as dockerd starts. */
export function testHost(profile: EngineProfile, seed = 1, reserved: Ipv4Prefix[] = []): TestHost {
  const dataplane = new RecordingDataplane();
  dataplane.reserved = reserved;
  let now = 0;
  const controller = new NetworkController({
    profile,
    ids: new IdGenerator(Rng.fromSeed(seed).fork('docker:ids')),
    dataplane,
    now: () => now,
  });
  const bridge = new FakeBridgeDriver(dataplane, profile);
  controller.registerDriver(new NullDriver());
  controller.registerDriver(new HostDriver());
  controller.registerDriver(bridge);
  controller.createDefaultNetworks();
  return { controller, dataplane, bridge, advance: (ns) => { now += ns; } };
}
