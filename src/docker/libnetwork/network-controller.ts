/**
 * The NetworkController: one per Docker host, the entry point of libnetwork (docker-facts §1.1).
 * It binds drivers to networks, creates sandboxes, and holds the host's IPAM. It also carries
 * the parts of the daemon that sit directly on top of libnetwork for networks: the predefined
 * networks bridge/host/none, the checks `docker network create` and `rm` go through
 * (predefined names, duplicate names), and network lookup by name, ID or ID prefix.
 */
import { formatCidr, formatIpv4, networkOf, prefixesOverlap } from '../../wire';
import type { Ipv4Prefix } from '../../wire';
import type { Nanos } from '../../sim';
import { DaemonError } from '../daemon-error';
import type { EngineProfile } from '../engine-profile';
import { parseGoCidr } from '../go-net';
import type { IdGenerator } from '../ids';
import { Ipam } from '../ipam/ipam';
import type { IpamOptions } from '../ipam/ipam';
import { LOCAL_DEFAULT_POOLS, PredefinedPoolList } from '../ipam/predefined-pools';
import type { NetworkDriver } from './driver';
import type { HostDataplane } from './host-dataplane';
import type { LibnetworkContext } from './libnetwork-context';
import { Network } from './network';
import type { NetworkOptions } from './network';
import { Sandbox } from './sandbox';
import type { SandboxOptions } from './sandbox';

/**
 * Names the daemon reserves (runconfig.IsPreDefinedNetwork: NetworkMode bridge, host, none and
 * "default"); they cannot be created by users and the first three cannot be removed.
 */
export const PREDEFINED_NETWORK_NAMES: readonly string[] = ['bridge', 'host', 'none', 'default'];

export function isPredefinedNetworkName(name: string): boolean {
  return PREDEFINED_NETWORK_NAMES.includes(name);
}

/**
 * DAEMON_NETWORK_DEFAULTS: dockerd's networking flags as a fresh install has them
 * (daemon/config: --bridge docker0, --mtu 1500, --icc, --ip-masq, --ip 0.0.0.0, no --bip).
 */
export const DAEMON_NETWORK_DEFAULTS = {
  bridgeName: 'docker0',
  mtu: 1500,
  interContainerCommunication: true,
  ipMasquerade: true,
  defaultBindingIp: '0.0.0.0',
  /** --bip, e.g. "192.168.99.1/24"; undefined = the first default pool the host does not use. */
  bridgeIp: undefined as string | undefined,
  /** --fixed-cidr: the allocatable sub-range of the default bridge. */
  fixedCidr: undefined as string | undefined,
};

export type DaemonNetworkConfig = typeof DAEMON_NETWORK_DEFAULTS;

export interface NetworkControllerOptions {
  readonly profile: EngineProfile;
  readonly ids: IdGenerator;
  readonly dataplane: HostDataplane;
  /** Simulated time now. */
  readonly now: () => Nanos;
  readonly ipam?: IpamOptions;
}

/** A `--subnet` block of a create request, as the API carries it (network.IPAMConfig). */
export interface IpamConfigRequest {
  readonly subnet?: string;
  readonly ipRange?: string;
  readonly gateway?: string;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

/** The body of POST /networks/create (types.NetworkCreateRequest), as the CLI builds it. */
export interface NetworkCreateRequest {
  readonly name: string;
  /** "" or absent: the daemon's default driver, "bridge". */
  readonly driver?: string;
  /** The CLI always sets it; the daemon then refuses a second network with the same name. */
  readonly checkDuplicate?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly ingress?: boolean;
  /** v29 `--ipv4=false`; absent means true. */
  readonly enableIPv4?: boolean;
  readonly enableIPv6?: boolean;
  readonly scope?: string;
  readonly configOnly?: boolean;
  readonly configFrom?: string;
  readonly ipam?: {
    readonly driver?: string;
    readonly options?: Readonly<Record<string, string>> | null;
    readonly config?: readonly IpamConfigRequest[];
  };
  readonly options?: Readonly<Record<string, string>> | null;
  readonly labels?: Readonly<Record<string, string>> | null;
}

export class NetworkController {
  readonly profile: EngineProfile;
  readonly ipam: Ipam;
  readonly #ctx: LibnetworkContext;
  readonly #drivers = new Map<string, NetworkDriver>();
  readonly #networks = new Map<string, Network>();
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #localPools: PredefinedPoolList;

  constructor(options: NetworkControllerOptions) {
    this.profile = options.profile;
    this.#localPools = new PredefinedPoolList(options.ipam?.localPools ?? LOCAL_DEFAULT_POOLS);
    this.ipam = new Ipam(options.profile, options.ipam);
    this.#ctx = {
      profile: options.profile,
      ids: options.ids,
      ipam: this.ipam,
      dataplane: options.dataplane,
      now: options.now,
    };
  }

  get dataplane(): HostDataplane {
    return this.#ctx.dataplane;
  }

  registerDriver(driver: NetworkDriver): void {
    if (this.#drivers.has(driver.type)) throw new Error(`driver ${driver.type} already registered`);
    this.#drivers.set(driver.type, driver);
  }

  driver(type: string): NetworkDriver | undefined {
    return this.#drivers.get(type);
  }

  /**
   * controller.NewNetwork: validates the name, draws the ID, resolves the driver, allocates the
   * pools and creates the driver's network. No predefined-name or duplicate check (the daemon's
   * job, see createNetwork).
   */
  newNetwork(driverType: string, name: string, options: NetworkOptions = {}): Network {
    if (name.trim() === '') throw new DaemonError('invalidParameter', this.profile.errors.invalidName(name));
    const id = this.#ctx.ids.randomId();
    const driver = this.#drivers.get(driverType);
    if (!driver) throw new DaemonError('notFound', `plugin "${driverType}" not found`);
    const network = new Network(this.#ctx, driver, id, name, options);
    network.allocateAndCreate(() => this.#ctx.dataplane.reservedPrefixes());
    this.#networks.set(id, network);
    return network;
  }

  /**
   * What the daemon does for POST /networks/create (daemon/network.go createNetwork): refuses
   * predefined and (with checkDuplicate) taken names, validates the IPAM configuration, then
   * creates the network.
   */
  createNetwork(req: NetworkCreateRequest): Network {
    const { errors } = this.profile;
    if (isPredefinedNetworkName(req.name)) {
      throw new DaemonError('forbidden', `operation is not permitted on predefined ${req.name} network `);
    }
    if (req.checkDuplicate !== false && this.networkByName(req.name)) {
      throw new DaemonError('conflict', `network with name ${req.name} already exists`);
    }
    const unsupported = (what: string) => new DaemonError('notImplemented', `cnmlab does not emulate ${what} yet`);
    if (req.enableIPv6 || req.enableIPv4 === false) throw unsupported('IPv6 networks');
    if (req.ingress) throw unsupported('ingress networks (swarm)');
    if (req.configOnly || (req.configFrom ?? '') !== '') throw unsupported('configuration-only networks');
    if (req.scope && req.scope !== 'local') throw unsupported(`networks with scope "${req.scope}"`);
    const ipamDriver = req.ipam?.driver || 'default';
    if (ipamDriver !== 'default') throw new DaemonError('notFound', `plugin "${ipamDriver}" not found`);

    const v4: { preferredPool: string; subPool: string; gateway: string; auxAddresses: Record<string, string> }[] = [];
    for (const c of req.ipam?.config ?? []) {
      const subnet = c.subnet ?? '';
      if (subnet.includes(':')) throw unsupported('IPv6 subnets');
      const parsed = parseGoCidr(subnet);
      if (!parsed) throw new DaemonError('invalidParameter', errors.badSubnet(subnet));
      const canonical = formatCidr({ addr: networkOf(parsed), len: parsed.len });
      if (canonical !== subnet) {
        const refused = errors.subnetHostBits(subnet, canonical);
        if (refused !== undefined) throw new DaemonError('invalidParameter', refused);
      }
      v4.push({ preferredPool: subnet, subPool: c.ipRange ?? '', gateway: c.gateway ?? '', auxAddresses: { ...(c.auxAddresses ?? {}) } });
    }
    return this.newNetwork(req.driver || 'bridge', req.name, {
      driverOptions: req.options ?? null,
      labels: req.labels ?? null,
      internal: req.internal ?? false,
      attachable: req.attachable ?? false,
      enableIPv6: false,
      ipamDriver,
      ipamOptions: req.ipam?.options ?? null,
      ipamV4Config: v4,
    });
  }

  /**
   * The predefined networks every Docker host has, created the way dockerd does at start
   * (daemon_unix.go initNetworkController): "none" (null), "host" (host), then "bridge"
   * (docker0) with the daemon's options. docker0 keeps the address it was given on the host's
   * first start: --bip, or else the first default pool that no host route or nameserver uses
   * (netutils.ElectInterfaceAddresses), with its first address as the gateway.
   */
  createDefaultNetworks(config: DaemonNetworkConfig = DAEMON_NETWORK_DEFAULTS): void {
    this.newNetwork('null', 'none');
    this.newNetwork('host', 'host');
    const bip = config.bridgeIp !== undefined ? parseGoCidr(config.bridgeIp) : this.#electBridgeAddress();
    if (!bip) throw new DaemonError('invalidParameter', `invalid --bip ${config.bridgeIp ?? ''}`);
    const pool = { addr: networkOf(bip), len: bip.len };
    this.newNetwork('bridge', 'bridge', {
      driverOptions: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': String(config.interContainerCommunication),
        'com.docker.network.bridge.enable_ip_masquerade': String(config.ipMasquerade),
        'com.docker.network.bridge.host_binding_ipv4': config.defaultBindingIp,
        'com.docker.network.bridge.name': config.bridgeName,
        'com.docker.network.driver.mtu': String(config.mtu),
      },
      labels: {},
      ipamV4Config: [{
        preferredPool: formatCidr(pool),
        subPool: config.fixedCidr ?? '',
        // initBridgeDriver: the bridge's own address is the gateway if its host part is usable.
        gateway: bip.addr !== pool.addr ? formatIpv4(bip.addr) : '',
        auxAddresses: {},
      }],
    });
  }

  /** Networks in creation order. */
  networks(): Network[] {
    return [...this.#networks.values()];
  }

  networkById(id: string): Network | undefined {
    return this.#networks.get(id);
  }

  networkByName(name: string): Network | undefined {
    for (const n of this.#networks.values()) if (n.name === name) return n;
    return undefined;
  }

  /**
   * daemon.FindNetwork: a full ID, else a unique full name, else a unique ID prefix; an
   * ambiguous term or no match is an error.
   */
  findNetwork(term: string): Network {
    const byName: Network[] = [];
    const byPrefix: Network[] = [];
    for (const n of this.#networks.values()) {
      if (n.id === term) return n;
      if (n.name === term) byName.push(n);
      if (n.id.startsWith(term)) byPrefix.push(n);
    }
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) {
      throw new DaemonError('invalidParameter', `network ${term} is ambiguous (${byName.length} matches found on name)`);
    }
    if (byPrefix.length === 1) return byPrefix[0]!;
    if (byPrefix.length > 1) {
      throw new DaemonError('invalidParameter', `network ${term} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    }
    throw new DaemonError('notFound', `network ${term} not found`);
  }

  /**
   * DELETE /networks/{term} (daemon.DeleteNetwork): predefined networks cannot be removed; a
   * network with endpoints is refused, wrapped as the daemon wraps it.
   */
  removeNetwork(term: string): Network {
    const network = this.findNetwork(term);
    if (isPredefinedNetworkName(network.name)) {
      throw new DaemonError('forbidden', `${network.name} is a pre-defined network and cannot be removed`);
    }
    try {
      network.delete();
    } catch (e) {
      if (e instanceof DaemonError) throw new DaemonError(e.kind, `error while removing network: ${e.message}`);
      throw e;
    }
    this.#networks.delete(network.id);
    return network;
  }

  /**
   * controller.NewSandbox for a container: a new namespace (or the host's, for
   * `--network host`), with a sandbox ID drawn from the ID stream.
   */
  newSandbox(containerId: string, options: SandboxOptions = {}): Sandbox {
    const id = this.#ctx.ids.randomId();
    const sandbox = new Sandbox(this.#ctx, id, containerId, options);
    this.#sandboxes.set(id, sandbox);
    return sandbox;
  }

  /** Sandbox.Delete, and forget it. */
  deleteSandbox(sandbox: Sandbox): void {
    sandbox.delete();
    this.#sandboxes.delete(sandbox.id);
  }

  sandboxes(): Sandbox[] {
    return [...this.#sandboxes.values()];
  }

  sandboxByContainerId(containerId: string): Sandbox | undefined {
    for (const s of this.#sandboxes.values()) if (s.containerId === containerId) return s;
    return undefined;
  }

  /** netutils.FindAvailableNetwork over the default local pools, with .1 as the bridge address. */
  #electBridgeAddress(): Ipv4Prefix {
    const reserved = this.#ctx.dataplane.reservedPrefixes();
    const list = this.#localPools;
    for (let i = 0; i < list.length; i++) {
      const pool = list.at(i);
      if (!reserved.some((r) => prefixesOverlap(r, pool))) return { addr: pool.addr + 1, len: pool.len };
    }
    throw new DaemonError('unavailable', this.profile.errors.defaultPoolsExhausted());
  }
}
