/**
 * A libnetwork network (docker-facts §1.1): "a group of Endpoints that are able to communicate
 * with each-other directly". It owns its IPAM pools and gateway (allocated at creation, released
 * at deletion) and its endpoints; its driver gives it a data plane.
 *
 * Heads up: "host" and "null" networks are special (libnetwork hasSpecialDriver): no pools, no
 * endpoint addresses.
 */
import { formatCidr, formatIpv4, prefixContains } from '../../wire';
import type { Ipv4, Ipv4Prefix } from '../../wire';
import type { Nanos } from '../../sim';
import { DaemonError } from '../daemon-error';
import { parseGoCidr, parseGoIpv4 } from '../go-net';
import { GLOBAL_ADDRESS_SPACE, LOCAL_ADDRESS_SPACE } from '../ipam/ipam';
import type { PoolGrant } from '../ipam/ipam';
import { IpamError } from '../ipam/ipam-error';
import type { IpamData, NetworkDriver } from './driver';
import { Endpoint } from './endpoint';
import type { EndpointOptions } from './endpoint';
import type { LibnetworkContext } from './libnetwork-context';

/** libnetwork IpamConf: one `--subnet` block as the user gave it (strings, kept verbatim). */
export interface IpamConf {
  /** --subnet as typed ("10.0.0.1/24" stays "10.0.0.1/24"); "" = a default pool. */
  readonly preferredPool: string;
  /** --ip-range; "" = none. */
  readonly subPool: string;
  /** --gateway; "" = the first free address. */
  readonly gateway: string;
  readonly auxAddresses: Readonly<Record<string, string>>;
}

/** libnetwork IpamInfo: what IPAM allocated for one IpamConf. */
export interface IpamInfo {
  readonly poolId: string;
  readonly data: IpamData;
}

/** 'local' for bridge/host/null/macvlan, 'swarm' for swarm-managed networks (overlay). */
export type NetworkScope = 'local' | 'swarm' | 'global';

export interface NetworkOptions {
  /** Driver options (`-o`), shown as "Options"; null when the request carried none. */
  readonly driverOptions?: Readonly<Record<string, string>> | null;
  readonly labels?: Readonly<Record<string, string>> | null;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly ingress?: boolean;
  readonly enableIPv6?: boolean;
  readonly ipamDriver?: string;
  readonly ipamOptions?: Readonly<Record<string, string>> | null;
  readonly ipamV4Config?: readonly IpamConf[];
  /** Swarm-managed networks report scope "swarm" whatever their driver. */
  readonly dynamic?: boolean;
}

const EMPTY_IPAM_CONF: IpamConf = { preferredPool: '', subPool: '', gateway: '', auxAddresses: {} };

export class Network {
  readonly id: string;
  readonly name: string;
  readonly driver: NetworkDriver;
  readonly created: Nanos;
  readonly scope: NetworkScope;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly enableIPv6: boolean;
  readonly driverOptions: Readonly<Record<string, string>> | null;
  readonly labels: Readonly<Record<string, string>> | null;
  readonly ipamDriver: string;
  readonly ipamOptions: Readonly<Record<string, string>> | null;
  /** The IPv4 configuration as requested (one empty entry when no --subnet was given). */
  readonly ipamV4Config: readonly IpamConf[];
  readonly #ctx: LibnetworkContext;
  #ipamV4Info: IpamInfo[] = [];
  readonly #endpoints = new Map<string, Endpoint>();
  #deleted = false;

  /** Use NetworkController.newNetwork. */
  constructor(ctx: LibnetworkContext, driver: NetworkDriver, id: string, name: string, options: NetworkOptions) {
    this.#ctx = ctx;
    this.id = id;
    this.name = name;
    this.driver = driver;
    this.created = ctx.now();
    this.scope = options.dynamic ? 'swarm' : driver.capability.dataScope === 'global' ? 'global' : 'local';
    this.internal = options.internal ?? false;
    this.attachable = options.attachable ?? false;
    this.ingress = options.ingress ?? false;
    this.enableIPv6 = options.enableIPv6 ?? false;
    this.driverOptions = options.driverOptions ?? null;
    this.labels = options.labels ?? null;
    this.ipamDriver = options.ipamDriver ?? 'default';
    this.ipamOptions = options.ipamOptions ?? null;
    const v4 = options.ipamV4Config ?? [];
    this.ipamV4Config = v4.length > 0 ? v4 : [EMPTY_IPAM_CONF];
  }

  /** The driver's type name ("bridge", "host", "null"). */
  get type(): string {
    return this.driver.type;
  }

  /** libnetwork hasSpecialDriver: host and null networks have no IPAM. */
  get hasSpecialDriver(): boolean {
    return this.type === 'host' || this.type === 'null';
  }

  /** What IPAM allocated, one entry per IpamConf (empty for host and null). */
  get ipamV4Info(): readonly IpamInfo[] {
    return this.#ipamV4Info;
  }

  get isDeleted(): boolean {
    return this.#deleted;
  }

  /** Endpoints in creation order. */
  endpoints(): Endpoint[] {
    return [...this.#endpoints.values()];
  }

  endpointByName(name: string): Endpoint | undefined {
    for (const ep of this.#endpoints.values()) if (ep.name === name) return ep;
    return undefined;
  }

  endpointById(id: string): Endpoint | undefined {
    return this.#endpoints.get(id);
  }

  /**
   * Network.CreateEndpoint: a new endpoint named `name` (the container's name), with an address
   * from this network's pools unless the network is host/null. The container joins it later.
   */
  createEndpoint(name: string, options: EndpointOptions = {}): Endpoint {
    this.#assertLive();
    if (name.trim() === '') throw new DaemonError('invalidParameter', this.#ctx.profile.errors.invalidName(name));
    if (this.endpointByName(name)) {
      throw new DaemonError('forbidden', `endpoint with name ${name} already exists in network ${this.name}`);
    }
    const id = this.#ctx.ids.randomId();
    const assigned = this.hasSpecialDriver ? undefined : this.#assignAddress(options);
    const ep = new Endpoint(this.#ctx, this, id, name, options, assigned);
    try {
      this.driver.createEndpoint({
        networkId: this.id,
        endpointId: id,
        iface: ep.iface,
        userMacAddress: options.macAddress,
      });
    } catch (e) {
      if (assigned) this.#ctx.ipam.releaseAddress(assigned.poolId, assigned.address.addr);
      throw e;
    }
    this.#endpoints.set(id, ep);
    return ep;
  }

  /** Called by Endpoint.delete once the driver has let go of it. */
  forgetEndpoint(ep: Endpoint): void {
    this.#endpoints.delete(ep.id);
  }

  /**
   * Network.Delete: refused while endpoints exist (ActiveEndpointsError). A driver's "forbidden"
   * refusal is honoured (host/null cannot be deleted); other driver errors do not stop it.
   */
  delete(): void {
    this.#assertLive();
    if (this.#endpoints.size > 0) {
      const eps = this.endpoints().map((e) => ({ name: e.name, id: e.id }));
      throw new DaemonError('forbidden', this.#ctx.profile.errors.activeEndpoints(this.name, this.id, eps));
    }
    try {
      this.driver.deleteNetwork(this.id);
    } catch (e) {
      if (e instanceof DaemonError && e.kind === 'forbidden') throw e;
    }
    this.#releaseIpam(this.#ipamV4Info);
    this.#ipamV4Info = [];
    this.#deleted = true;
  }

  /**
   * Allocates the pools, gateways and aux addresses (libnetwork ipamAllocate) and creates the
   * driver's network; undoes the allocations if anything fails. Called once by the controller.
   */
  allocateAndCreate(reserved: () => Ipv4Prefix[]): void {
    if (!this.hasSpecialDriver) this.#ipamV4Info = this.#allocateIpam(reserved);
    try {
      this.driver.createNetwork({
        networkId: this.id,
        name: this.name,
        options: this.driverOptions ?? {},
        internal: this.internal,
        enableIPv6: this.enableIPv6,
        ipv4Data: this.#ipamV4Info.map((i) => i.data),
      });
    } catch (e) {
      this.#releaseIpam(this.#ipamV4Info);
      this.#ipamV4Info = [];
      throw e;
    }
  }

  #allocateIpam(reserved: () => Ipv4Prefix[]): IpamInfo[] {
    const { ipam, profile } = this.#ctx;
    const addressSpace = this.scope === 'local' ? LOCAL_ADDRESS_SPACE : GLOBAL_ADDRESS_SPACE;
    const done: IpamInfo[] = [];
    let grant: PoolGrant | undefined;
    const taken: Ipv4[] = [];
    try {
      for (const cfg of this.ipamV4Config) {
        const pool = cfg.preferredPool === '' ? undefined : parseGoCidr(cfg.preferredPool);
        const subPool = cfg.subPool === '' ? undefined : parseGoCidr(cfg.subPool);
        if (cfg.preferredPool !== '' && pool === undefined) throw new IpamError('invalidPool', profile.errors);
        if (cfg.subPool !== '' && subPool === undefined) throw new IpamError('invalidSubPool', profile.errors);
        grant = ipam.requestPool({
          addressSpace,
          ...(pool ? { pool } : {}),
          ...(subPool ? { subPool } : {}),
          // LN requestPoolHelper: only local-scope default pools are checked against the host.
          ...(pool === undefined && addressSpace === LOCAL_ADDRESS_SPACE ? { reserved: reserved() } : {}),
        });
        taken.length = 0;

        let gateway: Ipv4;
        try {
          const preferred = cfg.gateway === '' ? undefined : parseGoIpv4(cfg.gateway);
          if (cfg.gateway !== '' && preferred === undefined) {
            throw new DaemonError('invalidParameter', `invalid gateway address ${cfg.gateway} in Ipam configuration`);
          }
          gateway = ipam.requestAddress(grant.poolId, preferred);
        } catch (e) {
          if (!(e instanceof IpamError)) throw e;
          throw new DaemonError('internal', `failed to allocate gateway (${cfg.gateway}): ${e.message}`);
        }
        taken.push(gateway);

        const aux = new Map<string, Ipv4Prefix>();
        // Go ranges over the map in random order; cnmlab goes by key so runs repeat.
        for (const key of Object.keys(cfg.auxAddresses).sort()) {
          const text = cfg.auxAddresses[key]!;
          const ip = parseGoIpv4(text);
          if (ip === undefined) {
            throw new DaemonError('invalidParameter', `non parsable secondary ip address (${key}:${text}) passed for network ${this.name}`);
          }
          if (!prefixContains(grant.pool, ip)) {
            throw new DaemonError('forbidden', profile.errors.auxAddressOutsidePool(key, text, formatCidr(grant.pool)));
          }
          try {
            ipam.requestAddress(grant.poolId, ip);
            taken.push(ip);
          } catch (e) {
            if (!(e instanceof IpamError)) throw e;
            if (e.code !== 'addressOutOfRange') {
              throw new DaemonError('internal', `failed to allocate secondary ip address (${key}:${text}): ${e.message}`);
            }
          }
          aux.set(key, { addr: ip, len: grant.pool.len });
        }
        done.push({
          poolId: grant.poolId,
          data: { addressSpace, pool: grant.pool, gateway: { addr: gateway, len: grant.pool.len }, auxAddresses: aux },
        });
        grant = undefined;
      }
      return done;
    } catch (e) {
      if (grant) {
        for (const ip of taken) ipam.releaseAddress(grant.poolId, ip);
        ipam.releasePool(grant.poolId);
      }
      this.#releaseIpam(done);
      throw e;
    }
  }

  #releaseIpam(infos: readonly IpamInfo[]): void {
    const { ipam } = this.#ctx;
    // LN ipamReleaseVersion: the gateway, then the aux addresses, then the pool.
    for (const info of infos) {
      if (info.data.gateway) ipam.releaseAddress(info.poolId, info.data.gateway.addr);
      for (const aux of info.data.auxAddresses.values()) {
        if (ipam.isAllocated(info.poolId, aux.addr)) ipam.releaseAddress(info.poolId, aux.addr);
      }
      ipam.releasePool(info.poolId);
    }
  }

  /**
   * libnetwork endpoint.assignAddressVersion: a static address goes to the pool that contains
   * it; otherwise the pools are tried in order until one has a free address.
   */
  #assignAddress(options: EndpointOptions): { poolId: string; address: Ipv4Prefix } {
    const { ipam, profile } = this.#ctx;
    const wanted = options.ipv4Address;
    for (const info of this.#ipamV4Info) {
      if (wanted !== undefined && !prefixContains(info.data.pool, wanted)) continue;
      try {
        const addr = ipam.requestAddress(info.poolId, wanted, { serial: options.serialAddress === true });
        return { poolId: info.poolId, address: { addr, len: info.data.pool.len } };
      } catch (e) {
        if (!(e instanceof IpamError) || e.code !== 'noAvailableAddresses' || wanted !== undefined) throw e;
      }
    }
    if (wanted !== undefined) {
      throw new DaemonError('invalidParameter', profile.errors.ipNotInAnySubnet(formatIpv4(wanted)));
    }
    throw new DaemonError('unavailable', `no available IPv4 addresses on this network's address pools: ${this.name} (${this.id})`);
  }

  #assertLive(): void {
    if (this.#deleted) throw new DaemonError('notFound', `unknown network ${this.name} id ${this.id}`);
  }
}
