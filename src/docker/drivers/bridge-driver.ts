/**
 * The bridge driver (libnetwork drivers/bridge; docker-facts §3.1–§3.3): a Linux bridge in the
 * host namespace per network (`docker0` for the default network, `br-<id12>` for the others)
 * holding the gateway address, and per endpoint a veth pair whose host end is a bridge port
 * and whose other end the sandbox takes in as `eth0`, `eth1`, ….
 *
 * What happens when (as in 19.03's bridge.go):
 * - configure (the constructor): the iptables chains, then net.ipv4.ip_forward = 1 (and the
 *   FORWARD policy DROP if Docker is the one that turned forwarding on).
 * - CreateNetwork: the bridge with a random `02:42…` MAC (and the MTU option), the gateway
 *   address, the network's iptables rules, the isolation rules, br_netfilter when ICC is off,
 *   the bridge up; then DOCKER-USER is put back at the top of FORWARD.
 * - CreateEndpoint: the veth pair (`veth` + 7 random hex digits on both ends), its host end
 *   enslaved to the bridge and up (hairpin on only without the userland proxy), and the
 *   container MAC: `02:42` + the IPv4 bytes in 19.03, random in v28+.
 * - Join: the interface names (the container end, prefix `eth`) and the gateway (none for an
 *   internal network from v25 on).
 * - DeleteEndpoint: deletes the veth pair (its container end is back in the host namespace by
 *   then). DeleteNetwork: the bridge (never docker0) and the network's rules.
 */
import { formatCidr, networkOf } from '../../wire';
import type { Rng } from '../../sim';
import { DaemonError } from '../daemon-error';
import type { EngineProfile } from '../engine-profile';
import { EMPTY_JOIN_INFO } from '../libnetwork/driver';
import type {
  CreateEndpointRequest, CreateNetworkRequest, DriverCapability, JoinInfo, JoinRequest, NetworkDriver,
} from '../libnetwork/driver';
import type { HostDataplane } from '../libnetwork/host-dataplane';
import { electContainerMac, generateIfaceName, generateRandomMac } from '../libnetwork/netutils';
import { BridgeFirewall } from './bridge-firewall';
import type { BridgeFirewallConfig } from './bridge-firewall';
import { parseBridgeNetworkConfig } from './bridge-options';
import type { BridgeNetworkConfig } from './bridge-options';

/**
 * BRIDGE_DRIVER_DEFAULTS: dockerd's defaults for the driver as a whole
 * (config_linux.go: --userland-proxy=true, --iptables=true, --ip-forward=true).
 */
export const BRIDGE_DRIVER_DEFAULTS = {
  userlandProxy: true,
  /** LN sets TxQLen 0 on the host end of a veth. */
  hostVethTxQueueLen: 0,
} as const;

export interface BridgeDriverOptions {
  readonly dataplane: HostDataplane;
  readonly profile: EngineProfile;
  /** The driver's own stream: bridge MACs, veth names, random container MACs (v28+). */
  readonly rng: Rng;
  readonly userlandProxy?: boolean;
}

interface BridgeEndpoint {
  readonly id: string;
  /** The host end, a port of the bridge ("veth1a2b3c4"). */
  readonly hostIfName: string;
  /** The other end's name in the host namespace, before the sandbox takes it in. */
  readonly containerIfName: string;
}

interface BridgeNetwork {
  readonly id: string;
  readonly config: BridgeNetworkConfig;
  readonly firewall: BridgeFirewallConfig;
  /** The bridge's address (the gateway), with the pool's prefix length. */
  readonly gateway: number | undefined;
  readonly endpoints: Map<string, BridgeEndpoint>;
}

const LOCAL: DriverCapability = { dataScope: 'local', connectivityScope: 'local' };

export class BridgeDriver implements NetworkDriver {
  readonly type = 'bridge';
  readonly builtIn = true;
  readonly capability = LOCAL;
  readonly #dp: HostDataplane;
  readonly #profile: EngineProfile;
  readonly #rng: Rng;
  readonly #userlandProxy: boolean;
  readonly #firewall: BridgeFirewall;
  readonly #networks = new Map<string, BridgeNetwork>();

  constructor(options: BridgeDriverOptions) {
    this.#dp = options.dataplane;
    this.#profile = options.profile;
    this.#rng = options.rng;
    this.#userlandProxy = options.userlandProxy ?? BRIDGE_DRIVER_DEFAULTS.userlandProxy;
    this.#firewall = new BridgeFirewall(this.#dp, options.profile.iptablesLayout, this.#userlandProxy);
    const forwarding = this.#dp.getSysctl(this.#dp.hostNamespace, 'net.ipv4.ip_forward') === '1';
    this.#firewall.setupDriver(forwarding);
    this.#firewall.arrangeUserFilterRule();
  }

  /** The bridge device of network `networkId` ("docker0", "br-3225b6d14177"). */
  bridgeName(networkId: string): string | undefined {
    return this.#networks.get(networkId)?.config.bridgeName;
  }

  /** The host end of an endpoint's veth pair. */
  hostInterfaceName(networkId: string, endpointId: string): string | undefined {
    return this.#networks.get(networkId)?.endpoints.get(endpointId)?.hostIfName;
  }

  createNetwork(req: CreateNetworkRequest): void {
    if (req.ipv4Data.length === 0) throw new DaemonError('invalidParameter', 'ipv4 pool is empty');
    if (req.ipv4Data.length > 1) throw new DaemonError('notImplemented', "bridge driver doesn't support multiple subnets");
    const data = req.ipv4Data[0]!;
    const config = parseBridgeNetworkConfig(req.networkId, req.options, req.internal);
    for (const other of this.#networks.values()) {
      // checkConflict: two networks cannot share a bridge device.
      if (other.config.bridgeName === config.bridgeName) {
        throw new DaemonError('forbidden',
          `cannot create network ${req.networkId} (${config.bridgeName}): conflicts with network ${other.id} (${other.config.bridgeName}): networks have same bridge name`);
      }
    }
    const host = this.#dp.hostNamespace;
    const network: BridgeNetwork = {
      id: req.networkId,
      config,
      firewall: {
        bridgeName: config.bridgeName,
        subnet: formatCidr({ addr: networkOf(data.pool), len: data.pool.len }),
        enableIcc: config.enableIcc,
        enableIpMasquerade: config.enableIpMasquerade,
        internal: config.internal,
      },
      gateway: data.gateway?.addr,
      endpoints: new Map(),
    };

    // setupDevice: a new bridge with an explicit random MAC (kept by the kernel), MTU if set.
    if (!this.#dp.linkExists(host, config.bridgeName)) {
      const mac = generateRandomMac(this.#rng, this.#profile);
      this.#dp.createBridge(config.bridgeName, { mac, ...(config.mtu > 0 ? { mtu: config.mtu } : {}) });
    }
    // setupBridgeIPv4: the gateway with the pool's prefix length.
    if (!config.inhibitIpv4 && data.gateway) {
      this.#dp.addAddress(host, config.bridgeName, { addr: data.gateway.addr, len: data.pool.len });
    }
    this.#firewall.setupNetwork(network.firewall);
    if (!config.enableIcc) this.#firewall.enableBridgeNetFiltering();
    this.#dp.setLinkUp(host, config.bridgeName);
    this.#networks.set(req.networkId, network);
    this.#firewall.arrangeUserFilterRule();
  }

  deleteNetwork(networkId: string): void {
    const network = this.#network(networkId);
    const host = this.#dp.hostNamespace;
    // The default bridge's device is kept (backward compatibility, LN deleteNetwork).
    if (!network.config.defaultBridge && this.#dp.linkExists(host, network.config.bridgeName)) {
      this.#dp.deleteLink(host, network.config.bridgeName);
    }
    this.#firewall.teardownNetwork(network.firewall);
    this.#networks.delete(networkId);
  }

  createEndpoint(req: CreateEndpointRequest): void {
    const network = this.#network(req.networkId);
    if (network.endpoints.has(req.endpointId)) throw new DaemonError('forbidden', `Endpoint (${req.endpointId}) already exists (Only one endpoint allowed)`);
    const address = req.iface.address;
    if (!address) throw new DaemonError('invalidParameter', 'no IPv4 address was allocated to the endpoint');
    const host = this.#dp.hostNamespace;
    const exists = (name: string) => this.#dp.linkExists(host, name);
    const hostIfName = generateIfaceName(this.#rng, exists);
    const containerIfName = hostIfName === undefined ? undefined : generateIfaceName(this.#rng, (n) => n === hostIfName || exists(n));
    if (hostIfName === undefined || containerIfName === undefined) {
      throw new DaemonError('internal', 'could not generate interface name');
    }
    const { mtu } = network.config;
    this.#dp.createVethPair(hostIfName, containerIfName, {
      ...(mtu > 0 ? { mtu } : {}),
      hostTxQueueLen: BRIDGE_DRIVER_DEFAULTS.hostVethTxQueueLen,
    });
    this.#dp.setLinkMaster(hostIfName, network.config.bridgeName);
    if (!this.#userlandProxy) this.#dp.setHairpinMode(hostIfName, true);
    this.#dp.setLinkUp(host, hostIfName);
    req.iface.macAddress = electContainerMac(this.#profile, address.addr, this.#rng, req.userMacAddress);
    network.endpoints.set(req.endpointId, { id: req.endpointId, hostIfName, containerIfName });
  }

  deleteEndpoint(networkId: string, endpointId: string): void {
    const network = this.#network(networkId);
    const ep = network.endpoints.get(endpointId);
    if (!ep) throw new DaemonError('notFound', `endpoint id ${endpointId} not found`);
    const host = this.#dp.hostNamespace;
    // Deleting either end deletes the pair; the container end is back in the host namespace.
    if (this.#dp.linkExists(host, ep.containerIfName)) this.#dp.deleteLink(host, ep.containerIfName);
    else if (this.#dp.linkExists(host, ep.hostIfName)) this.#dp.deleteLink(host, ep.hostIfName);
    network.endpoints.delete(endpointId);
  }

  join(req: JoinRequest): JoinInfo {
    const network = this.#network(req.networkId);
    const ep = network.endpoints.get(req.endpointId);
    if (!ep) throw new DaemonError('notFound', `endpoint id ${req.endpointId} not found`);
    // v25+ (cbc2a71c27): an internal network offers no gateway.
    const offerGateway = network.gateway !== undefined && (!network.config.internal || this.#profile.internalNetworkHasGateway);
    return {
      ...EMPTY_JOIN_INFO,
      interfaceName: { srcName: ep.containerIfName, dstPrefix: network.config.containerIfacePrefix },
      ...(offerGateway ? { gateway: network.gateway! } : {}),
    };
  }

  leave(networkId: string, endpointId: string): void {
    const network = this.#network(networkId);
    if (!network.endpoints.has(endpointId)) throw new DaemonError('notFound', `endpoint id ${endpointId} not found`);
  }

  #network(networkId: string): BridgeNetwork {
    const n = this.#networks.get(networkId);
    if (!n) throw new DaemonError('notFound', `network ${networkId} not found`);
    return n;
  }
}
