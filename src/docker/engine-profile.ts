/**
 * Engine profiles (DESIGN.md "Engine profiles"; docker-facts "Version matrix"). Docker's
 * networking changed between releases; a profile is a table of the choices that differ, read by
 * the code that differs, never a fork of that code. `"19.03"` (the default) reproduces the
 * classic documentation and tutorials; `"29"` reproduces a current Engine.
 *
 * Heads up: error texts are functions of their arguments so that every caller formats them the
 * same way; each one quotes the Docker source it comes from.
 */

export type EngineVersion = '19.03' | '29';
export const ENGINE_VERSIONS: readonly EngineVersion[] = ['19.03', '29'];
export const DEFAULT_ENGINE_VERSION: EngineVersion = '19.03';

/** The fields of `docker network inspect`, in the order the Engine's struct declares them. */
export type InspectField =
  | 'Name' | 'Id' | 'Created' | 'Scope' | 'Driver' | 'EnableIPv4' | 'EnableIPv6' | 'IPAM'
  | 'Internal' | 'Attachable' | 'Ingress' | 'ConfigFrom' | 'ConfigOnly' | 'Containers'
  | 'Options' | 'Labels' | 'Peers' | 'Services';

/** Error texts that differ by version (docker-facts §2.1, §2.3, §8.5). */
export interface EngineErrors {
  /** A user subnet overlapping an allocated pool (ipamapi.ErrPoolOverlap, wrapped on v27+). */
  poolOverlap(): string;
  /** The default local pools are used up (LN getPredefinedPool / v27 ErrNoMoreSubnets). */
  defaultPoolsExhausted(): string;
  /** ipamapi.ErrNoAvailableIPs. */
  noAvailableAddresses(): string;
  /** ipamapi.ErrIPOutOfRange. */
  addressOutOfRange(): string;
  /** ipamapi.ErrIPAlreadyAllocated (same text in every version). */
  addressInUse(): string;
  /** ipamapi.ErrInvalidPool. */
  invalidPool(): string;
  /** ipamapi.ErrInvalidSubPool. */
  invalidSubPool(): string;
  /** libnetwork ActiveEndpointsError: deleting a network that has endpoints. */
  activeEndpoints(name: string, id: string, endpoints: readonly { readonly name: string; readonly id: string }[]): string;
  /** `--ip` / `--ip6` on a network that is not user-defined (runconfig ErrUnsupportedNetworkAndIP). */
  ipOnDefaultNetwork(): string;
  /** `--alias` on a network that is not user-defined (runconfig ErrUnsupportedNetworkAndAlias). */
  aliasOnDefaultNetwork(): string;
  /** A static IP that no subnet of the network contains. */
  ipNotInAnySubnet(ip: string): string;
  /** A subnet the daemon cannot parse (20.10: daemon getIpamConfig; v25+: IPAM validation). */
  badSubnet(subnet: string): string;
  /** Host bits set in --subnet, or undefined when the version accepts it (accepted before v25). */
  subnetHostBits(given: string, expected: string): string | undefined;
  /** An aux address outside the network's pool (the typo is 19.03's own). */
  auxAddressOutsidePool(key: string, value: string, pool: string): string;
  /** libnetwork ErrInvalidName: a network name that is empty or only spaces. */
  invalidName(name: string): string;
  /** `docker network connect` to the host network. */
  connectToHostNetwork(): string;
  /** `docker network ls -f foo=bar`. */
  invalidFilter(key: string): string;
  /** `docker network ls -f type=foo`. */
  invalidTypeFilter(value: string): string;
}

export interface EngineProfile {
  readonly version: EngineVersion;
  /**
   * Bridge/macvlan container MAC: `02:42` + the IPv4 bytes (≤ v27, netutils.GenerateMACFromIP)
   * or 6 random bytes with the local bit set and the multicast bit clear (v28+, bc130f367d).
   */
  readonly containerMac: 'ip-derived' | 'random';
  /** Unsolicited ARPs sent when a container interface comes up (v28+: 3, 1 s apart). */
  readonly unsolicitedArp: { readonly count: number; readonly intervalMs: number };
  /** `docker network ls` tabwriter: minwidth 20 before CLI 20.10 (dace8fdc75), 10 after. */
  readonly networkLsTable: { readonly minWidth: number; readonly tabWidth: number; readonly padding: number };
  /**
   * Which default pool a network without --subnet gets: round-robin "next fit"
   * (LN predefinedStartIndices, ≤ v26) or the lowest free gap (v27 defaultipam).
   */
  readonly poolSelection: 'round-robin' | 'lowest-gap';
  /** First VNI the swarm overlay allocator hands out (ovmanager vxlanIDStart, since 1.13). */
  readonly overlayVniStart: number;
  /** Sandbox `ethN` naming: a per-sandbox counter never reused (LN) or the lowest unused suffix (v29). */
  readonly interfaceNaming: 'counter' | 'lowest-unused';
  /** Field order of `docker network inspect`. */
  readonly inspectFieldOrder: readonly InspectField[];
  /** `"Config"` of host/none in inspect: `[]` (20.10 sets an empty slice) or `null` (v29 leaves it nil). */
  readonly specialNetworkIpamConfig: 'empty' | 'null';
  /**
   * Internal bridge networks: ≤ v24 the container still gets a default route via the bridge IP
   * (egress dropped by iptables); v25+ sets no gateway at all (cbc2a71c27).
   */
  readonly internalNetworkHasGateway: boolean;
  /** IPv4 /31 and /32 pools: 19.03 reserves the first and last address anyway; v27+ reserves none. */
  readonly reserveEndsOfPointToPoint: boolean;
  /** Layout of the filter-FORWARD rules the bridge driver installs (docker-facts §3.3). */
  readonly iptablesLayout: 'classic' | 'docker-forward';
  /** macvlan/ipvlan: the gateway is allocated from IPAM (≤ v27) or only if --gateway is given (v28+). */
  readonly macvlanGatewayFromIpam: boolean;
  readonly errors: EngineErrors;
}

/** 19.03/20.10 field order (v20.10.24 api/types/types.go NetworkResource). */
const CLASSIC_INSPECT_ORDER: readonly InspectField[] = [
  'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable',
  'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels', 'Peers', 'Services',
];

/** v29 field order: Network is an embedded struct, so Containers comes after Labels and Peers. */
const V29_INSPECT_ORDER: readonly InspectField[] = [
  'Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal',
  'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Options', 'Labels', 'Peers', 'Containers',
  'Services',
];

const POOL_OVERLAP = 'Pool overlaps with other one on this address space';

export const ENGINE_19_03: EngineProfile = {
  version: '19.03',
  containerMac: 'ip-derived',
  unsolicitedArp: { count: 0, intervalMs: 0 },
  networkLsTable: { minWidth: 20, tabWidth: 1, padding: 3 },
  poolSelection: 'round-robin',
  overlayVniStart: 4096,
  interfaceNaming: 'counter',
  inspectFieldOrder: CLASSIC_INSPECT_ORDER,
  specialNetworkIpamConfig: 'empty',
  internalNetworkHasGateway: true,
  reserveEndsOfPointToPoint: true,
  iptablesLayout: 'classic',
  macvlanGatewayFromIpam: true,
  errors: {
    poolOverlap: () => POOL_OVERLAP,
    defaultPoolsExhausted: () =>
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    noAvailableAddresses: () => 'No available addresses on this pool',
    addressOutOfRange: () => 'Requested address is out of range',
    addressInUse: () => 'Address already in use',
    invalidPool: () => 'Invalid Address Pool',
    invalidSubPool: () => 'Invalid Address SubPool',
    activeEndpoints: (name, id) => `network ${name} id ${id} has active endpoints`,
    ipOnDefaultNetwork: () => 'user specified IP address is supported on user defined networks only',
    aliasOnDefaultNetwork: () => 'network-scoped alias is supported only for containers in user defined networks',
    ipNotInAnySubnet: (ip) => `Invalid address ${ip}: It does not belong to any of this network's subnets`,
    badSubnet: (subnet) => `Invalid subnet ${subnet} : invalid CIDR address: ${subnet}`,
    subnetHostBits: () => undefined,
    auxAddressOutsidePool: (k, v, pool) => `auxilairy address: (${k}:${v}) must belong to the master pool: ${pool}`,
    invalidName: (name) => `invalid name: ${name}`,
    connectToHostNetwork: () => 'container cannot be disconnected from host network or connected to host network',
    invalidFilter: (key) => `Invalid filter '${key}'`,
    invalidTypeFilter: (value) => `Invalid filter: 'type'='${value}'`,
  },
};

export const ENGINE_29: EngineProfile = {
  version: '29',
  containerMac: 'random',
  unsolicitedArp: { count: 3, intervalMs: 1000 },
  networkLsTable: { minWidth: 10, tabWidth: 1, padding: 3 },
  poolSelection: 'lowest-gap',
  overlayVniStart: 4096,
  interfaceNaming: 'lowest-unused',
  inspectFieldOrder: V29_INSPECT_ORDER,
  specialNetworkIpamConfig: 'null',
  internalNetworkHasGateway: false,
  reserveEndsOfPointToPoint: false,
  iptablesLayout: 'docker-forward',
  macvlanGatewayFromIpam: false,
  errors: {
    poolOverlap: () => `invalid pool request: ${POOL_OVERLAP}`,
    defaultPoolsExhausted: () => 'all predefined address pools have been fully subnetted',
    noAvailableAddresses: () => 'no available addresses on this pool',
    addressOutOfRange: () => 'requested address is out of range',
    addressInUse: () => 'Address already in use',
    invalidPool: () => 'invalid address pool',
    invalidSubPool: () => 'invalid address subpool',
    // moby network.go delete(): `name:%q id:%q` with the short endpoint ID, joined by ", ".
    activeEndpoints: (name, _id, endpoints) =>
      `network ${name} has active endpoints (${endpoints.map((e) => `name:"${e.name}" id:"${e.id.slice(0, 12)}"`).join(', ')})`,
    ipOnDefaultNetwork: () => 'user-specified IP address is supported on user-defined networks only',
    aliasOnDefaultNetwork: () => 'network-scoped aliases are only supported for user-defined networks',
    ipNotInAnySubnet: (ip) => `no configured subnet contains IP address ${ip}`,
    badSubnet: (subnet) => `invalid subnet ${subnet}: invalid CIDR block notation`,
    subnetHostBits: (given, expected) => `invalid network config:\ninvalid subnet ${given}: it should be ${expected}`,
    auxAddressOutsidePool: (k, v, pool) => `auxiliary address: (${k}:${v}) must belong to the master pool: ${pool}`,
    invalidName: () => 'invalid name: name is empty',
    connectToHostNetwork: () => 'cannot connect container to host network - container must be created in host network mode',
    invalidFilter: (key) => `invalid filter '${key}'`,
    invalidTypeFilter: (value) => `invalid filter: 'type'='${value}'`,
  },
};

const PROFILES: Readonly<Record<EngineVersion, EngineProfile>> = { '19.03': ENGINE_19_03, '29': ENGINE_29 };

export function isEngineVersion(text: string): text is EngineVersion {
  return (ENGINE_VERSIONS as readonly string[]).includes(text);
}

/** The profile of a scenario's `engine:` key (default "19.03"). */
export function engineProfile(version: EngineVersion = DEFAULT_ENGINE_VERSION): EngineProfile {
  return PROFILES[version];
}
