/**
 * A network as the Engine API returns it (types.NetworkResource; daemon/network.go
 * buildNetworkResource): what `docker network inspect` prints and `docker network ls` lists.
 * Built from the libnetwork objects; formatting lives in cli/.
 */
import { formatCidr, formatIpv4, formatMac } from '../wire';
import type { EngineProfile } from './engine-profile';
import type { Network } from './libnetwork/network';
import { wallTimeAt } from './wall-clock';
import type { WallTime } from './wall-clock';

/** types.EndpointResource: one entry of "Containers". */
export interface EndpointResource {
  readonly name: string;
  readonly endpointId: string;
  /** "02:42:0a:00:00:02", or "" if none. */
  readonly macAddress: string;
  /** "10.0.0.2/24", or "" if none. */
  readonly ipv4Address: string;
  readonly ipv6Address: string;
}

/** network.IPAMConfig; empty strings and an empty map are omitted from the JSON (omitempty). */
export interface IpamConfigResource {
  readonly subnet: string;
  readonly ipRange: string;
  readonly gateway: string;
  readonly auxAddresses: Readonly<Record<string, string>>;
}

export interface NetworkResource {
  readonly name: string;
  readonly id: string;
  readonly created: WallTime;
  readonly scope: string;
  readonly driver: string;
  readonly enableIPv4: boolean;
  readonly enableIPv6: boolean;
  readonly ipam: {
    readonly driver: string;
    readonly options: Readonly<Record<string, string>> | null;
    /** null = a nil slice (v29 host/none). */
    readonly config: readonly IpamConfigResource[] | null;
  };
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly configFrom: string;
  readonly configOnly: boolean;
  /** Keyed by container ID, or "ep-<endpoint ID>" for an endpoint no sandbox has joined. */
  readonly containers: Readonly<Record<string, EndpointResource>>;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * buildNetworkResource. IPAM "Config" is the configuration as the user gave it ("Subnet" exactly
 * as typed, "Gateway" only if given); only a network created without any --subnet shows what
 * IPAM picked, gateway included (buildIpamResources).
 */
export function buildNetworkResource(network: Network, start: WallTime, profile: EngineProfile): NetworkResource {
  let config: IpamConfigResource[] | null = [];
  if (network.hasSpecialDriver) {
    config = profile.specialNetworkIpamConfig === 'empty' ? [] : null;
  } else {
    for (const c of network.ipamV4Config) {
      if (c.preferredPool === '') continue;
      config.push({ subnet: c.preferredPool, ipRange: c.subPool, gateway: c.gateway, auxAddresses: c.auxAddresses });
    }
    if (config.length === 0) {
      for (const info of network.ipamV4Info) {
        config.push({
          subnet: formatCidr(info.data.pool),
          ipRange: '',
          gateway: info.data.gateway ? formatIpv4(info.data.gateway.addr) : '',
          auxAddresses: {},
        });
      }
    }
  }

  const containers: Record<string, EndpointResource> = {};
  for (const ep of network.endpoints()) {
    const key = ep.sandbox ? ep.sandbox.containerId : `ep-${ep.id}`;
    containers[key] = {
      name: ep.name,
      endpointId: ep.id,
      macAddress: ep.macAddress !== undefined ? formatMac(ep.macAddress) : '',
      ipv4Address: ep.address ? formatCidr(ep.address) : '',
      ipv6Address: '',
    };
  }

  return {
    name: network.name,
    id: network.id,
    created: wallTimeAt(start, network.created),
    scope: network.scope,
    driver: network.type,
    enableIPv4: true,
    enableIPv6: network.enableIPv6,
    ipam: { driver: network.ipamDriver, options: network.ipamOptions, config },
    internal: network.internal,
    attachable: network.attachable,
    ingress: network.ingress,
    configFrom: '',
    configOnly: false,
    containers,
    options: network.driverOptions ?? {},
    labels: network.labels ?? {},
  };
}
