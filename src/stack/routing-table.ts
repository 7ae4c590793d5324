/**
 * The main routing table (`ip route`): longest-prefix match over IPv4 routes.
 *
 * Structure: one Map per prefix length (0..32), keyed by the masked destination, holding the
 * routes of that prefix sorted by metric; plus the list of prefix lengths that have at least
 * one route, longest first. A lookup probes the maps from the longest non-empty length down and
 * stops at the first hit, so it costs at most 33 Map probes whatever the table's size: 100,000
 * /24 routes cost the same lookup as ten (BENCH.md W3-10k must not slow down with table size).
 * The kernel's fib_trie has the same property by another means (an LC-trie).
 *
 * Heads up: local and broadcast addresses (Linux's `local` table) are not routes here; the
 * namespace checks its own addresses before it consults this table, which is what the local
 * table's priority (rule 0) achieves in Linux.
 */
import { formatIpv4, prefixMask, type Ipv4 } from '../wire';
import type { NetInterface } from './net-interface';
import { StackError } from './stack-error';

/** Who installed the route (rtnetlink RTPROT_*), as `ip route` prints it. */
export type RouteProto = 'kernel' | 'boot' | 'static' | 'dhcp';
/** rtnetlink RT_SCOPE_*: link = directly attached, global = via a gateway. */
export type RouteScope = 'global' | 'link' | 'host';
/** rtnetlink RTN_*: unicast forwards; the others reject (blackhole silently, with ICMP otherwise). */
export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';

export interface Route {
  readonly type: RouteType;
  /** The network address (host bits zero). */
  readonly dst: Ipv4;
  readonly prefixLen: number;
  /** The next hop ("via"); undefined for a directly connected network. */
  readonly gateway: Ipv4 | undefined;
  /** The egress interface ("dev"); undefined only for blackhole/unreachable/prohibit. */
  readonly dev: NetInterface | undefined;
  /** The preferred source address ("src"). */
  readonly src: Ipv4 | undefined;
  readonly metric: number;
  readonly proto: RouteProto;
  readonly scope: RouteScope;
  /** "onlink": the gateway is on the link even though no connected route covers it. */
  readonly onlink: boolean;
}

/** What `addRoute` accepts: the table fills in the defaults iproute2 would. */
export interface RouteSpec {
  readonly type?: RouteType;
  readonly dst: Ipv4;
  readonly prefixLen: number;
  readonly gateway?: Ipv4;
  readonly dev?: NetInterface;
  readonly src?: Ipv4;
  readonly metric?: number;
  readonly proto?: RouteProto;
  readonly scope?: RouteScope;
  readonly onlink?: boolean;
}

/** Defaults of `ip route add` (iproute2 + kernel). */
export const ROUTE_DEFAULTS = {
  /** `ip route add` without `proto` says RTPROT_BOOT. */
  proto: 'boot' as RouteProto,
  metric: 0,
  type: 'unicast' as RouteType,
};

export interface RoutingTableStats {
  /** Lookups made. */
  lookups: number;
  /** Map probes made by those lookups (at most 33 each). */
  probes: number;
}

export class RoutingTable {
  /** Per prefix length: masked dst → routes of that prefix, lowest metric first. */
  readonly #byLength: Map<number, Route[]>[] = Array.from({ length: 33 }, () => new Map());
  /** Non-empty prefix lengths, longest first. */
  #lengths: number[] = [];
  #size = 0;
  #generation = 0;
  readonly stats: RoutingTableStats = { lookups: 0, probes: 0 };

  /** Bumped by every change, so that callers may cache lookups (see Ipv4Layer.pathGeneration). */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a route (`ip route add`). Throws EEXIST when a route with the same prefix and metric
   * exists (the kernel's NLM_F_EXCL check), EINVAL for a bad prefix.
   */
  add(spec: RouteSpec): Route {
    const route = normaliseRoute(spec);
    const list = this.#listFor(route.dst, route.prefixLen, true)!;
    if (list.some((r) => r.metric === route.metric)) {
      throw new StackError('EEXIST', `route ${formatIpv4(route.dst)}/${route.prefixLen}`);
    }
    insertByMetric(list, route);
    this.#size++;
    this.#generation++;
    return route;
  }

  /**
   * Adds a route after any with the same prefix and metric (`ip route append`, and the kernel's
   * own connected routes: fib_magic uses NLM_F_APPEND, so two interfaces in one subnet both get
   * one, and the first stays in use).
   */
  append(spec: RouteSpec): Route {
    const route = normaliseRoute(spec);
    const list = this.#listFor(route.dst, route.prefixLen, true)!;
    insertByMetric(list, route);
    this.#size++;
    this.#generation++;
    return route;
  }

  /** Adds or replaces the route with the same prefix and metric (`ip route replace`). */
  replace(spec: RouteSpec): Route {
    const route = normaliseRoute(spec);
    const list = this.#listFor(route.dst, route.prefixLen, true)!;
    const i = list.findIndex((r) => r.metric === route.metric);
    if (i >= 0) list.splice(i, 1);
    else this.#size++;
    insertByMetric(list, route);
    this.#generation++;
    return route;
  }

  /**
   * Deletes the first route of that prefix matching every field given (`ip route del` matches
   * only what the user typed). Throws ESRCH-like ENOENT ("No such process" in iproute2 is
   * ESRCH; callers print their own text) when none matches.
   */
  delete(match: Partial<Route> & { dst: Ipv4; prefixLen: number }): Route {
    const list = this.#listFor((match.dst & prefixMask(match.prefixLen)) >>> 0, match.prefixLen, false);
    const i = list ? list.findIndex((r) => routeMatches(r, match)) : -1;
    if (!list || i < 0) throw new StackError('ENOENT', `route ${formatIpv4(match.dst)}/${match.prefixLen}`);
    const [removed] = list.splice(i, 1);
    this.#size--;
    this.#generation++;
    if (list.length === 0) this.#dropEmpty(removed!.dst, removed!.prefixLen);
    return removed!;
  }

  /** Deletes every route for which `pred` holds (device down or removed, address deleted). */
  deleteWhere(pred: (r: Route) => boolean): Route[] {
    const removed: Route[] = [];
    for (const len of [...this.#lengths]) {
      const map = this.#byLength[len]!;
      for (const [key, list] of [...map]) {
        for (let i = list.length - 1; i >= 0; i--) {
          if (pred(list[i]!)) removed.push(...list.splice(i, 1));
        }
        if (list.length === 0) this.#dropEmpty(key, len);
      }
    }
    this.#size -= removed.length;
    if (removed.length > 0) this.#generation++;
    return removed;
  }

  /** Longest-prefix match: the lowest-metric route of the longest prefix containing `dst`. */
  lookup(dst: Ipv4): Route | undefined {
    this.stats.lookups++;
    const lengths = this.#lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]!;
      this.stats.probes++;
      const list = this.#byLength[len]!.get(len === 0 ? 0 : (dst & ((0xffff_ffff << (32 - len)) >>> 0)) >>> 0);
      if (list !== undefined) return list[0];
    }
    return undefined;
  }

  /** Longest-prefix match among the routes through `dev` only (a socket bound to a device). */
  lookupVia(dst: Ipv4, dev: NetInterface): Route | undefined {
    this.stats.lookups++;
    for (const len of this.#lengths) {
      this.stats.probes++;
      const list = this.#byLength[len]!.get((dst & prefixMask(len)) >>> 0);
      const hit = list?.find((r) => r.dev === dev);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  /** The routes of one exact prefix, lowest metric first. */
  routesFor(dst: Ipv4, prefixLen: number): readonly Route[] {
    return this.#byLength[prefixLen]?.get((dst & prefixMask(prefixLen)) >>> 0) ?? [];
  }

  /**
   * Every route in the order `ip route show` prints them (fib_trie order): by destination
   * address, then shorter prefix first, then metric.
   */
  routes(): Route[] {
    const all: Route[] = [];
    for (const map of this.#byLength) for (const list of map.values()) all.push(...list);
    return all.sort((a, b) => a.dst - b.dst || a.prefixLen - b.prefixLen || a.metric - b.metric);
  }

  #listFor(dst: Ipv4, len: number, create: boolean): Route[] | undefined {
    const map = this.#byLength[len];
    if (!map) return undefined;
    let list = map.get(dst);
    if (!list && create) {
      list = [];
      map.set(dst, list);
      if (map.size === 1) this.#lengths = [...this.#lengths, len].sort((a, b) => b - a);
    }
    return list;
  }

  #dropEmpty(dst: Ipv4, len: number): void {
    const map = this.#byLength[len]!;
    map.delete(dst);
    if (map.size === 0) this.#lengths = this.#lengths.filter((l) => l !== len);
  }
}

function normaliseRoute(spec: RouteSpec): Route {
  if (!Number.isInteger(spec.prefixLen) || spec.prefixLen < 0 || spec.prefixLen > 32) {
    throw new StackError('EINVAL', `route prefix length ${spec.prefixLen}`);
  }
  const type = spec.type ?? ROUTE_DEFAULTS.type;
  const dst = (spec.dst & prefixMask(spec.prefixLen)) >>> 0;
  // The kernel refuses "10.0.0.1/24": iproute2 says "Invalid prefix for given prefix length".
  if (dst !== spec.dst >>> 0) throw new StackError('EINVAL', `route ${formatIpv4(spec.dst)}/${spec.prefixLen} has host bits set`);
  if (type === 'unicast' && !spec.dev) throw new StackError('ENODEV', `route ${formatIpv4(dst)}/${spec.prefixLen}`);
  return {
    type,
    dst,
    prefixLen: spec.prefixLen,
    gateway: spec.gateway,
    dev: type === 'unicast' ? spec.dev : undefined,
    src: spec.src,
    metric: spec.metric ?? ROUTE_DEFAULTS.metric,
    proto: spec.proto ?? ROUTE_DEFAULTS.proto,
    // iproute2: a unicast route without a gateway is scope link, anything else scope global.
    scope: spec.scope ?? (type === 'unicast' && spec.gateway === undefined ? 'link' : 'global'),
    onlink: spec.onlink ?? false,
  };
}

function insertByMetric(list: Route[], route: Route): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.metric > route.metric) i--;
  list.splice(i, 0, route);
}

function routeMatches(r: Route, m: Partial<Route>): boolean {
  return (m.type === undefined || r.type === m.type)
    && (m.gateway === undefined || r.gateway === m.gateway)
    && (m.dev === undefined || r.dev === m.dev)
    && (m.src === undefined || r.src === m.src)
    && (m.metric === undefined || r.metric === m.metric)
    && (m.proto === undefined || r.proto === m.proto)
    && (m.scope === undefined || r.scope === m.scope);
}
