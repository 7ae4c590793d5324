/**
 * libnetwork's default IPAM driver: address spaces, pools and the addresses inside them.
 *
 * Pools (docker-facts §2.2): a network without --subnet gets a predefined pool. The "19.03"
 * profile picks it round-robin ("next fit", LN ipam/allocator.go getPredefinedPool): the search
 * starts after the last pool handed out, so a freed 172.18.0.0/16 is not reused until the list
 * wraps. The "29" profile (v27 ipams/defaultipam) picks the lowest free gap, so it is reused at
 * once. Predefined pools that overlap a prefix the host uses (its on-link routes, its
 * nameservers) are skipped: 19.03 does it outside the allocator (LN network.go
 * requestPoolHelper holds the overlapping pool, asks again and releases the held pools at the
 * end, which still advances the round-robin index); v27 excludes them in the gap search itself.
 *
 * Pools given by the user: a pool that overlaps an allocated pool, or equals one, is refused
 * (ErrPoolOverlap); an --ip-range request shares its parent pool's bitmap and skips the overlap
 * check (the inconsistency of moby#46756, kept because both versions have it).
 *
 * Addresses (§2.3): the network and broadcast addresses are reserved up front; dynamic requests
 * take the lowest free address (serial mode continues after the last one instead); a preferred
 * address (gateway, --ip, aux) is marked in the same bitmap. Only the parent pool's ends are
 * reserved, so with --ip-range the range's own first and last addresses are allocatable.
 */
import { formatCidr, networkOf, prefixContains, prefixesOverlap, prefixMask, broadcastOf } from '../../wire';
import type { Ipv4, Ipv4Prefix } from '../../wire';
import type { EngineProfile } from '../engine-profile';
import { AddressBitmap } from './address-bitmap';
import { IpamError } from './ipam-error';
import { GLOBAL_DEFAULT_POOLS, LOCAL_DEFAULT_POOLS, PredefinedPoolList } from './predefined-pools';
import type { NetworkToSplit } from './predefined-pools';

/** ipamapi default address space names (GetDefaultAddressSpaces). */
export type AddressSpaceName = 'LocalDefault' | 'GlobalDefault';
export const LOCAL_ADDRESS_SPACE: AddressSpaceName = 'LocalDefault';
export const GLOBAL_ADDRESS_SPACE: AddressSpaceName = 'GlobalDefault';

export interface PoolRequest {
  readonly addressSpace: AddressSpaceName;
  /** --subnet; host bits are allowed and ignored (the pool is the masked prefix). */
  readonly pool?: Ipv4Prefix;
  /** --ip-range (SubPool); requires `pool`. */
  readonly subPool?: Ipv4Prefix;
  /**
   * Prefixes already used by the host (netutils.InferReservedNetworks: on-link routes and
   * nameservers as /32s). Only consulted when no `pool` is given.
   */
  readonly reserved?: readonly Ipv4Prefix[];
}

export interface PoolGrant {
  /** "LocalDefault/172.18.0.0/16", or with an --ip-range ".../10.0.0.0/24/10.0.0.128/25". */
  readonly poolId: string;
  /** The pool, network address masked. */
  readonly pool: Ipv4Prefix;
  readonly subPool: Ipv4Prefix | undefined;
}

export interface AddressOptions {
  /** com.docker.network.ipam.serial=true: continue after the last allocation (swarm). */
  readonly serial?: boolean;
}

/** IPAM_DEFAULTS: the pool lists the daemon starts with (`--default-address-pool` replaces the local one). */
export const IPAM_DEFAULTS = {
  localPools: LOCAL_DEFAULT_POOLS,
  globalPools: GLOBAL_DEFAULT_POOLS,
} as const;

export interface IpamOptions {
  readonly localPools?: readonly NetworkToSplit[];
  readonly globalPools?: readonly NetworkToSplit[];
}

interface MasterPool {
  readonly pool: Ipv4Prefix;
  readonly bitmap: AddressBitmap;
  /** Requested directly (not only as the parent of --ip-range pools). */
  explicit: boolean;
  readonly children: Set<string>;
}

interface ChildPool {
  readonly masterKey: string;
  readonly subPool: Ipv4Prefix;
  /** Ordinals (relative to the master's network address) of the range's first and last address. */
  readonly first: number;
  readonly last: number;
}

class AddressSpace {
  readonly name: AddressSpaceName;
  readonly predefined: PredefinedPoolList;
  readonly masters = new Map<string, MasterPool>();
  readonly children = new Map<string, ChildPool>();
  /** Round-robin: where the next predefined search starts (LN predefinedStartIndices). */
  startIndex = 0;

  constructor(name: AddressSpaceName, predefined: PredefinedPoolList) {
    this.name = name;
    this.predefined = predefined;
  }

  overlapsMaster(p: Ipv4Prefix): boolean {
    for (const m of this.masters.values()) if (prefixesOverlap(m.pool, p)) return true;
    return false;
  }
}

function masked(p: Ipv4Prefix): Ipv4Prefix {
  return { addr: networkOf(p), len: p.len };
}

/** v27 newAddrSpace: sort the predefined list and drop entries overlapping an earlier one. */
function sortedWithoutOverlaps(list: readonly NetworkToSplit[]): NetworkToSplit[] {
  const sorted = [...list].sort((a, b) => networkOf(a.base) - networkOf(b.base) || a.base.len - b.base.len);
  const out: NetworkToSplit[] = [];
  for (const e of sorted) if (!out.some((o) => prefixesOverlap(o.base, e.base))) out.push(e);
  return out;
}

export class Ipam {
  readonly #profile: EngineProfile;
  readonly #spaces: Map<AddressSpaceName, AddressSpace>;

  constructor(profile: EngineProfile, options: IpamOptions = {}) {
    this.#profile = profile;
    const local = options.localPools ?? IPAM_DEFAULTS.localPools;
    const global = options.globalPools ?? IPAM_DEFAULTS.globalPools;
    const arrange = (l: readonly NetworkToSplit[]) =>
      new PredefinedPoolList(profile.poolSelection === 'lowest-gap' ? sortedWithoutOverlaps(l) : l);
    this.#spaces = new Map([
      [LOCAL_ADDRESS_SPACE, new AddressSpace(LOCAL_ADDRESS_SPACE, arrange(local))],
      [GLOBAL_ADDRESS_SPACE, new AddressSpace(GLOBAL_ADDRESS_SPACE, arrange(global))],
    ]);
  }

  /** Allocates a pool (RequestPool). Throws IpamError. */
  requestPool(req: PoolRequest): PoolGrant {
    const space = this.#space(req.addressSpace);
    if (req.pool === undefined) {
      if (req.subPool !== undefined) throw this.#error('invalidSubPool');
      const pool = this.#requestPredefined(space, req.reserved ?? []);
      return { poolId: `${space.name}/${formatCidr(pool)}`, pool, subPool: undefined };
    }

    const pool = masked(req.pool);
    const key = formatCidr(pool);
    if (req.subPool === undefined) {
      if (space.masters.has(key) || space.overlapsMaster(pool)) throw this.#error('poolOverlap');
      this.#addMaster(space, key, pool, true);
      return { poolId: `${space.name}/${key}`, pool, subPool: undefined };
    }

    const sub = req.subPool;
    const childKey = `${key}/${formatCidr(sub)}`;
    if (space.children.has(childKey)) throw this.#error('poolOverlap');
    const master = space.masters.get(key) ?? this.#addMaster(space, key, pool, false);
    // LN getAddressRange: the range's network and broadcast addresses, as host parts of the
    // parent pool (so a range wider than its parent is clipped to the parent).
    const hostMask = ~prefixMask(pool.len) >>> 0;
    const first = (networkOf(sub) & hostMask) >>> 0;
    const last = (broadcastOf(sub) & hostMask) >>> 0;
    if (first > last) throw this.#error('invalidSubPool');
    master.children.add(childKey);
    space.children.set(childKey, { masterKey: key, subPool: sub, first, last });
    return { poolId: `${space.name}/${childKey}`, pool, subPool: sub };
  }

  /** Releases a pool (ReleasePool); its addresses go with it once no range pool uses it. */
  releasePool(poolId: string): void {
    const { space, key, childKey } = this.#parsePoolId(poolId);
    if (childKey !== undefined) {
      const child = space.children.get(childKey);
      if (!child) throw this.#error('badPool');
      space.children.delete(childKey);
      const master = space.masters.get(child.masterKey)!;
      master.children.delete(childKey);
      if (master.children.size === 0 && !master.explicit) space.masters.delete(child.masterKey);
      return;
    }
    const master = space.masters.get(key);
    if (!master || !master.explicit) throw this.#error('badPool');
    master.explicit = false;
    if (master.children.size === 0) space.masters.delete(key);
  }

  /**
   * Allocates an address (RequestAddress): `preferred` if given (gateway, --ip, aux address),
   * else the lowest free one in the pool's range. Throws IpamError.
   */
  requestAddress(poolId: string, preferred?: Ipv4, options: AddressOptions = {}): Ipv4 {
    const { master, range } = this.#lookup(poolId);
    if (preferred !== undefined && !prefixContains(master.pool, preferred)) throw this.#error('addressOutOfRange');
    if (master.bitmap.free <= 0) throw this.#error('noAvailableAddresses');
    const base = networkOf(master.pool);
    if (preferred !== undefined) {
      if (!master.bitmap.set(preferred - base)) throw this.#error('addressInUse');
      return preferred;
    }
    const ordinal = master.bitmap.takeLowestFree(range?.first, range?.last, options.serial === true);
    if (ordinal === undefined) throw this.#error('noAvailableAddresses');
    return (base + ordinal) >>> 0;
  }

  /** Frees an address (ReleaseAddress). Freeing a free address is not an error (bitseq Unset). */
  releaseAddress(poolId: string, address: Ipv4): void {
    const { master } = this.#lookup(poolId);
    if (!prefixContains(master.pool, address)) throw this.#error('addressOutOfRange');
    master.bitmap.unset(address - networkOf(master.pool));
  }

  /** Whether `address` is allocated in the pool of `poolId`. */
  isAllocated(poolId: string, address: Ipv4): boolean {
    const { master } = this.#lookup(poolId);
    return prefixContains(master.pool, address) && master.bitmap.isSet(address - networkOf(master.pool));
  }

  /** Addresses in use in the pool of `poolId`, including the reserved network/broadcast ones. */
  usedAddresses(poolId: string): number {
    return this.#lookup(poolId).master.bitmap.used;
  }

  /** The allocated pools of an address space, in allocation-independent (address) order. */
  allocatedPools(space: AddressSpaceName = LOCAL_ADDRESS_SPACE): Ipv4Prefix[] {
    return [...this.#space(space).masters.values()].map((m) => m.pool).sort((a, b) => a.addr - b.addr);
  }

  #requestPredefined(space: AddressSpace, reserved: readonly Ipv4Prefix[]): Ipv4Prefix {
    switch (this.#profile.poolSelection) {
      case 'lowest-gap': {
        const pool = this.#lowestGap(space, reserved);
        this.#addMaster(space, formatCidr(pool), pool, true);
        return pool;
      }
      case 'round-robin': {
        // LN network.go requestPoolHelper: hold pools that overlap the host, ask again, and
        // release the held ones when done (the round-robin index has moved past them).
        const held: string[] = [];
        try {
          for (;;) {
            const pool = this.#nextRoundRobin(space);
            const key = formatCidr(pool);
            this.#addMaster(space, key, pool, true);
            if (!reserved.some((r) => prefixesOverlap(r, pool))) return pool;
            held.push(key);
          }
        } finally {
          for (const key of held) space.masters.delete(key);
        }
      }
    }
  }

  /** LN getPredefineds + getPredefinedPool + updateStartIndex, faithfully (including its wrap to 0). */
  #nextRoundRobin(space: AddressSpace): Ipv4Prefix {
    const list = space.predefined;
    const start = space.startIndex < list.length ? space.startIndex : 0;
    for (let i = 0; i < list.length; i++) {
      const pool = list.at((start + i) % list.length);
      if (space.masters.has(formatCidr(pool)) || space.overlapsMaster(pool)) continue;
      const next = space.startIndex + i + 1;
      space.startIndex = next >= list.length ? 0 : next;
      return pool;
    }
    throw this.#error('defaultPoolsExhausted');
  }

  /** v27 allocatePredefinedPool: the lowest subnet, in sorted list order, overlapping nothing. */
  #lowestGap(space: AddressSpace, reserved: readonly Ipv4Prefix[]): Ipv4Prefix {
    const blockers = [...[...space.masters.values()].map((m) => m.pool), ...reserved];
    for (const entry of space.predefined.entries) {
      const step = 2 ** (32 - entry.size);
      const end = broadcastOf(entry.base);
      let candidate = networkOf(entry.base);
      while (candidate <= end) {
        const pool = { addr: candidate, len: entry.size };
        let skipTo = -1;
        for (const b of blockers) {
          if (prefixesOverlap(b, pool)) skipTo = Math.max(skipTo, broadcastOf(b) + 1);
        }
        if (skipTo < 0) return pool;
        // Next aligned subnet after everything that overlapped this one.
        candidate = Math.ceil(Math.max(skipTo, candidate + step) / step) * step;
      }
    }
    throw this.#error('defaultPoolsExhausted');
  }

  #addMaster(space: AddressSpace, key: string, pool: Ipv4Prefix, explicit: boolean): MasterPool {
    const bitmap = new AddressBitmap(2 ** (32 - pool.len));
    // LN insertBitMask reserves the network and broadcast addresses whatever the size; v27
    // newPoolData skips both for /31 and /32 (RFC 3021 point-to-point links).
    if (pool.len < 31 || this.#profile.reserveEndsOfPointToPoint) {
      bitmap.set(0);
      bitmap.set(bitmap.size - 1);
    }
    const master: MasterPool = { pool, bitmap, explicit, children: new Set() };
    space.masters.set(key, master);
    return master;
  }

  #lookup(poolId: string): { master: MasterPool; range: ChildPool | undefined } {
    const { space, key, childKey } = this.#parsePoolId(poolId);
    if (childKey !== undefined) {
      const child = space.children.get(childKey);
      if (!child) throw this.#error('badPool', `cannot find address pool for poolID:${poolId}`);
      return { master: space.masters.get(child.masterKey)!, range: child };
    }
    const master = space.masters.get(key);
    if (!master) throw this.#error('badPool', `cannot find address pool for poolID:${poolId}`);
    return { master, range: undefined };
  }

  #parsePoolId(poolId: string): { space: AddressSpace; key: string; childKey: string | undefined } {
    const parts = poolId.split('/');
    if (parts.length !== 3 && parts.length !== 5) throw this.#error('badPool', `invalid pool id: ${poolId}`);
    const space = this.#spaces.get(parts[0] as AddressSpaceName);
    if (!space) throw this.#error('badPool', `invalid pool id: ${poolId}`);
    const key = `${parts[1]}/${parts[2]}`;
    return { space, key, childKey: parts.length === 5 ? `${key}/${parts[3]}/${parts[4]}` : undefined };
  }

  #space(name: AddressSpaceName): AddressSpace {
    return this.#spaces.get(name)!;
  }

  #error(code: ConstructorParameters<typeof IpamError>[0], detail?: string): IpamError {
    return new IpamError(code, this.#profile.errors, detail);
  }
}
