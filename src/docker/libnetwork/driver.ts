/**
 * The network driver API (libnetwork driverapi/driverapi.go, docker-facts §1.1). libnetwork
 * drives a network's lifecycle through it: CreateNetwork → CreateEndpoint → Join (when a
 * container starts) → Leave → DeleteEndpoint → DeleteNetwork. Built-in drivers: bridge, host,
 * null (overlay, macvlan, ipvlan later); each registers under its type name.
 *
 * Methods throw DaemonError to refuse (e.g. the host driver's second network).
 */
import type { Ipv4, Ipv4Prefix, Mac } from '../../wire';
import type { NetnsHandle } from './host-dataplane';

export type DriverScope = 'local' | 'global';

/** driverapi.Capability. */
export interface DriverCapability {
  /** Where the driver's state lives: local (one host) or global (the swarm). */
  readonly dataScope: DriverScope;
  /** Whether its networks connect containers on one host or across hosts. */
  readonly connectivityScope: DriverScope;
}

/** driverapi.IPAMData: one IPv4 pool of the network as IPAM allocated it. */
export interface IpamData {
  readonly addressSpace: string;
  /** The pool, masked (172.18.0.0/16). */
  readonly pool: Ipv4Prefix;
  /** The gateway with the pool's prefix length (172.18.0.1/16), if one was allocated. */
  readonly gateway: Ipv4Prefix | undefined;
  /** --aux-address reservations, by name. */
  readonly auxAddresses: ReadonlyMap<string, Ipv4Prefix>;
}

export interface CreateNetworkRequest {
  readonly networkId: string;
  readonly name: string;
  /** Driver options (`-o k=v`, or the daemon's for the default bridge), as the API carries them. */
  readonly options: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly enableIPv6: boolean;
  readonly ipv4Data: readonly IpamData[];
}

/**
 * driverapi.InterfaceInfo: the endpoint's interface as libnetwork knows it before the driver
 * sees it. The driver may choose the MAC (`macAddress`), as the bridge driver does.
 */
export interface EndpointInterface {
  readonly address: Ipv4Prefix | undefined;
  macAddress: Mac | undefined;
}

export interface CreateEndpointRequest {
  readonly networkId: string;
  readonly endpointId: string;
  readonly iface: EndpointInterface;
  /** --mac-address given by the user (netlabel.MacAddress), if any. */
  readonly userMacAddress: Mac | undefined;
}

export interface JoinRequest {
  readonly networkId: string;
  readonly endpointId: string;
  /** The sandbox's namespace (its key is `namespace.path`). */
  readonly namespace: NetnsHandle;
}

/** types.NEXTHOP = 0, types.CONNECTED = 1. */
export type StaticRouteType = 'nexthop' | 'connected';

export interface StaticRoute {
  readonly destination: Ipv4Prefix;
  readonly routeType: StaticRouteType;
  readonly nextHop?: Ipv4;
}

/** driverapi.JoinInfo, as the driver fills it in. */
export interface JoinInfo {
  /**
   * InterfaceName().SetNames(srcName, dstPrefix): the host-namespace link the sandbox should
   * take in, and the prefix of its name there ("eth" → eth0, eth1, …). Absent for host and null.
   */
  readonly interfaceName?: { readonly srcName: string; readonly dstPrefix: string };
  /** SetGateway: the default route's next hop when this endpoint is the sandbox's gateway endpoint. */
  readonly gateway?: Ipv4;
  readonly staticRoutes: readonly StaticRoute[];
  /** DisableGatewayService: do not attach docker_gwbridge for external connectivity. */
  readonly disableGatewayService: boolean;
}

export const EMPTY_JOIN_INFO: JoinInfo = { staticRoutes: [], disableGatewayService: false };

export interface NetworkDriver {
  /** The name `-d` selects: "bridge", "host", "null", … */
  readonly type: string;
  readonly builtIn: boolean;
  readonly capability: DriverCapability;

  createNetwork(req: CreateNetworkRequest): void;
  deleteNetwork(networkId: string): void;
  createEndpoint(req: CreateEndpointRequest): void;
  deleteEndpoint(networkId: string, endpointId: string): void;
  join(req: JoinRequest): JoinInfo;
  leave(networkId: string, endpointId: string): void;
  /** driverapi ExtConner: called for the sandbox's gateway endpoint (port publishing). */
  programExternalConnectivity?(networkId: string, endpointId: string): void;
  revokeExternalConnectivity?(networkId: string, endpointId: string): void;
}
