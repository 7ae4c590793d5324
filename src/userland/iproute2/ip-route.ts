/**
 * `ip route` (ip/iproute.c): show, get, add, change, replace, append, delete, flush on the
 * main table.
 *
 *   default via 10.0.0.1 dev eth0
 *   10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2
 *
 * Each attribute is printed as "WORD VALUE " (so a line ends with a space): the type unless
 * unicast, the destination ("default", a bare address for a /32), "via", "dev", "proto" unless
 * boot (what `ip route add` sets), "scope" unless global, "src", "metric" unless 0, then the
 * flags ("onlink", "linkdown" when the device has no carrier). A filter on an attribute drops
 * that attribute from the lines (`ip route show dev eth0` prints no "dev eth0").
 *
 * The kernel's refusals keep their extended-ack texts: "Nexthop has invalid gateway",
 * "Nexthop device is not up", "Device for nexthop is not up", "Invalid prefix for given prefix
 * length", "Invalid prefsrc address"; a missing route to delete is "No such process" (ESRCH).
 */
import { formatIpv4, parseCidr, parseIpv4, prefixMask, type Ipv4, type Ipv4Prefix } from '../../wire';
import { Cast, StackError, type NetInterface, type Route, type RouteProto, type RouteScope, type RouteSpec, type RouteType } from '../../stack';
import { UsageError } from '../usage-error';
import { Args, duparg2, invarg, matches, parseCInteger } from './command-line';
import { CommandFailed, kernelCall, EXIT_STATUS } from './kernel-errors';
import { deviceOrFail, type IpContext } from './ip-context';

const IP_STATUS_KERNEL = EXIT_STATUS.ipKernel;
const TYPES: readonly RouteType[] = ['unicast', 'blackhole', 'unreachable', 'prohibit'];
const OTHER_TYPES = ['local', 'broadcast', 'multicast', 'throw', 'nat', 'anycast'];
const PROTOS: readonly RouteProto[] = ['kernel', 'boot', 'static', 'dhcp'];
const SCOPES: readonly RouteScope[] = ['global', 'link', 'host'];

export function ipRoute(ctx: IpContext, args: Args): number {
  if (args.done) return list(ctx, args, 'show');
  const w = args.word;
  args.advance();
  if (matches(w, 'add')) return modify(ctx, args, 'add');
  if (matches(w, 'change') || w === 'chg') return modify(ctx, args, 'change');
  if (matches(w, 'replace')) return modify(ctx, args, 'replace');
  if (matches(w, 'prepend')) return modify(ctx, args, 'add');
  if (matches(w, 'append')) return modify(ctx, args, 'append');
  if (matches(w, 'test')) throw new UsageError('cnmlab: "ip route test" is not emulated');
  if (matches(w, 'delete')) return modify(ctx, args, 'delete');
  if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return list(ctx, args, 'show');
  if (matches(w, 'get')) return get(ctx, args);
  if (matches(w, 'flush')) return list(ctx, args, 'flush');
  if (matches(w, 'save') || matches(w, 'restore') || matches(w, 'showdump')) throw new UsageError(`cnmlab: "ip route ${w}" is not emulated`);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "ip route help" is not emulated (see ip-route(8))');
  throw new UsageError(`Command "${w}" is unknown, try "ip route help".`);
}

function prefixArg(text: string): Ipv4Prefix {
  if (text === 'default' || text === 'all' || text === 'any') return { addr: 0, len: 0 };
  try {
    return parseCidr(text);
  } catch {
    throw new UsageError(`Error: any valid prefix is expected rather than "${text}".`);
  }
}

function addressArg(text: string): Ipv4 {
  try {
    return parseIpv4(text);
  } catch {
    throw new UsageError(`Error: any valid address is expected rather than "${text}".`);
  }
}

function notEmulated(what: string): never {
  throw new UsageError(`cnmlab: ${what} is not emulated`);
}

function tableArg(v: string): void {
  if (v !== 'main' && v !== '254') notEmulated(`routing table "${v}" (only the main table is)`);
}

interface RouteArgs {
  dst: Ipv4Prefix | undefined;
  type: RouteType | undefined;
  via: Ipv4 | undefined;
  dev: string | undefined;
  src: Ipv4 | undefined;
  metric: number | undefined;
  proto: RouteProto | undefined;
  scope: RouteScope | undefined;
  onlink: boolean;
}

function parseRoute(args: Args): RouteArgs {
  const r: RouteArgs = { dst: undefined, type: undefined, via: undefined, dev: undefined, src: undefined, metric: undefined, proto: undefined, scope: undefined, onlink: false };
  while (!args.done) {
    const w = args.word;
    if (w === 'src') r.src = addressArg(args.value());
    else if (w === 'via') {
      let v = args.value();
      if (v === 'inet') v = args.value();
      r.via = addressArg(v);
    } else if (w === 'dev' || w === 'oif') r.dev = args.value();
    else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = args.value();
      const n = parseCInteger(v);
      if (n === undefined || n < 0) invarg('"metric" value is invalid\n', v);
      r.metric = n;
    } else if (w === 'onlink') r.onlink = true;
    else if (w === 'table') tableArg(args.value());
    else if (matches(w, 'protocol')) {
      const v = args.value();
      if (!(PROTOS as readonly string[]).includes(v)) {
        if (/^\d+$/.test(v) || ['ra', 'redirect', 'zebra', 'bird', 'dnrouted', 'xorp', 'ntk', 'mrt', 'gated', 'babel', 'bgp', 'isis', 'ospf', 'rip', 'eigrp'].includes(v)) notEmulated(`route protocol "${v}"`);
        invarg('"protocol" value is invalid\n', v);
      }
      r.proto = v as RouteProto;
    } else if (matches(w, 'scope')) {
      const v = args.value();
      const s = v === 'universe' ? 'global' : v;
      if (!(SCOPES as readonly string[]).includes(s)) invarg('invalid "scope" value\n', v);
      r.scope = s as RouteScope;
    } else if (['from', 'tos', 'dsfield', 'expires', 'mtu', 'hoplimit', 'advmss', 'reordering', 'rtt', 'rttvar', 'window', 'cwnd', 'initcwnd',
      'initrwnd', 'features', 'quickack', 'congctl', 'rto_min', 'ssthresh', 'realms', 'realm', 'nexthop', 'nhid', 'encap', 'ttl-propagate',
      'pref', 'vrf', 'as', 'fastopen_no_cookie', 'mark', 'iif'].includes(w)) {
      notEmulated(`"ip route … ${w}"`);
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      if (!/^\d/.test(v) && ((TYPES as readonly string[]).includes(v) || OTHER_TYPES.includes(v))) {
        if (OTHER_TYPES.includes(v)) notEmulated(`routes of type "${v}"`);
        r.type = v as RouteType;
        v = args.value();
      }
      if (matches(v, 'help')) throw new UsageError('cnmlab: "ip route help" is not emulated (see ip-route(8))');
      if (r.dst !== undefined) duparg2('to', v);
      r.dst = prefixArg(v);
    }
    args.advance();
  }
  return r;
}

/** The kernel's messages for what NetworkNamespace.addRoute reports as EINVAL. */
function routeRewrite(r: RouteArgs) {
  return (errno: string): { errno: 'EINVAL'; extack: string } | undefined => {
    if (errno !== 'EINVAL') return undefined;
    if (r.dst !== undefined && ((r.dst.addr & prefixMask(r.dst.len)) >>> 0) !== r.dst.addr) return { errno: 'EINVAL', extack: 'Invalid prefix for given prefix length' };
    if (r.via !== undefined) return { errno: 'EINVAL', extack: 'Nexthop has invalid gateway' };
    if (r.src !== undefined) return { errno: 'EINVAL', extack: 'Invalid prefsrc address' };
    return undefined;
  };
}

function modify(ctx: IpContext, args: Args, cmd: 'add' | 'change' | 'replace' | 'append' | 'delete'): number {
  const r = parseRoute(args);
  if (r.dst === undefined) throw new UsageError('cnmlab: a route needs a destination ("ip route help" is not emulated)');
  const dev = r.dev === undefined ? undefined : deviceOrFail(ctx, r.dev);
  const ns = ctx.ns;
  const dst = r.dst;
  if (cmd === 'delete') {
    const iface = dev?.iface;
    if (dev !== undefined && iface === undefined) throw new CommandFailed('RTNETLINK answers: No such process\n', IP_STATUS_KERNEL);
    kernelCall(IP_STATUS_KERNEL, () => {
      ns.routes.delete({
        dst: dst.addr, prefixLen: dst.len,
        ...(r.type === undefined ? {} : { type: r.type }),
        ...(r.via === undefined ? {} : { gateway: r.via }),
        ...(iface === undefined ? {} : { dev: iface }),
        ...(r.src === undefined ? {} : { src: r.src }),
        ...(r.metric === undefined ? {} : { metric: r.metric }),
        ...(r.proto === undefined ? {} : { proto: r.proto }),
        ...(r.scope === undefined ? {} : { scope: r.scope }),
      });
    }, (errno) => (errno === 'ENOENT' ? { errno: 'ESRCH' } : undefined));
    return 0;
  }
  const type = r.type ?? 'unicast';
  if (dev !== undefined) {
    if (dev.iface === undefined) notEmulated(`a route through ${dev.name}, a bridge port,`);
    if (type === 'unicast' && !dev.up) {
      throw new CommandFailed(r.via !== undefined ? 'Error: Nexthop device is not up.\n' : 'Error: Device for nexthop is not up.\n', IP_STATUS_KERNEL);
    }
  }
  // iproute2: no gateway and no nexthop makes a unicast route scope link.
  const scope = r.scope ?? (type === 'unicast' && r.via === undefined ? 'link' : undefined);
  const input = {
    dst,
    type,
    ...(r.via === undefined ? {} : { via: r.via }),
    ...(dev === undefined ? {} : { dev: dev.name }),
    ...(r.src === undefined ? {} : { src: r.src }),
    ...(r.metric === undefined ? {} : { metric: r.metric }),
    ...(r.proto === undefined ? {} : { proto: r.proto }),
    ...(scope === undefined ? {} : { scope }),
    ...(r.onlink ? { onlink: true } : {}),
  };
  const metric = r.metric ?? 0;
  const net = (dst.addr & prefixMask(dst.len)) >>> 0;
  const existing = ns.routes.routesFor(net, dst.len).find((x) => x.metric === metric && net === dst.addr);
  if (cmd === 'change' && existing === undefined) throw new CommandFailed('RTNETLINK answers: No such file or directory\n', IP_STATUS_KERNEL);
  const remove = (x: Route): void => {
    ns.routes.delete({
      dst: x.dst, prefixLen: x.prefixLen, metric: x.metric, proto: x.proto, type: x.type,
      ...(x.gateway === undefined ? {} : { gateway: x.gateway }),
      ...(x.dev === undefined ? {} : { dev: x.dev }),
    });
  };
  if (existing !== undefined && cmd !== 'add') {
    kernelCall(IP_STATUS_KERNEL, () => {
      // Validate and build the new route through the namespace, with the old one out of the way.
      remove(existing);
      let added: Route;
      try {
        added = ns.addRoute(input);
      } catch (e) {
        ns.routes.add(specOf(existing));
        throw e;
      }
      if (cmd === 'append') {
        // fib_table_insert with NLM_F_APPEND: after the routes of that prefix and metric.
        remove(added);
        ns.routes.add(specOf(existing));
        ns.routes.append(specOf(added));
      }
    }, routeRewrite(r));
    return 0;
  }
  kernelCall(IP_STATUS_KERNEL, () => ns.addRoute(input), routeRewrite(r));
  return 0;
}

/** A Route as a RouteSpec (to put a route back). */
function specOf(r: Route): RouteSpec {
  return {
    type: r.type, dst: r.dst, prefixLen: r.prefixLen, metric: r.metric, proto: r.proto, scope: r.scope, onlink: r.onlink,
    ...(r.gateway === undefined ? {} : { gateway: r.gateway }),
    ...(r.dev === undefined ? {} : { dev: r.dev }),
    ...(r.src === undefined ? {} : { src: r.src }),
  };
}

interface ListFilter {
  dev: string | undefined;
  proto: RouteProto | undefined;
  scope: RouteScope | undefined;
  type: RouteType | undefined;
  exact: Ipv4Prefix | undefined;
  via: Ipv4 | undefined;
  src: Ipv4 | undefined;
  metric: number | undefined;
}

function list(ctx: IpContext, args: Args, action: 'show' | 'flush'): number {
  if (action === 'flush' && args.done) throw new CommandFailed('"ip route flush" requires arguments.\n', 1);
  const f: ListFilter = { dev: undefined, proto: undefined, scope: undefined, type: undefined, exact: undefined, via: undefined, src: undefined, metric: undefined };
  while (!args.done) {
    const w = args.word;
    if (w === 'table') tableArg(args.value());
    else if (w === 'dev' || w === 'oif') f.dev = args.value();
    else if (matches(w, 'protocol')) {
      const v = args.value();
      if (!(PROTOS as readonly string[]).includes(v)) invarg('invalid "protocol"\n', v);
      f.proto = v as RouteProto;
    } else if (matches(w, 'scope')) {
      const v = args.value();
      if (!(SCOPES as readonly string[]).includes(v)) invarg('invalid "scope"\n', v);
      f.scope = v as RouteScope;
    } else if (w === 'type') {
      const v = args.value();
      if (!(TYPES as readonly string[]).includes(v)) invarg('node type value is invalid\n', v);
      f.type = v as RouteType;
    } else if (w === 'via') f.via = addressArg(args.value());
    else if (w === 'src') f.src = addressArg(args.value());
    else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = args.value();
      const n = parseCInteger(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      f.metric = n;
    } else if (['vrf', 'cached', 'cloned', 'tos', 'dsfield', 'iif', 'mark', 'realm', 'realms', 'from', 'root', 'match'].some((k) => w === k || (k.length > 2 && matches(w, k)))) {
      notEmulated(`the "${w}" selector of "ip route ${action}"`);
    } else {
      let v = w;
      if (matches(w, 'exact') || w === 'to') v = args.value();
      f.exact = prefixArg(v);
    }
    args.advance();
  }
  const ns = ctx.ns;
  let devIface: NetInterface | undefined;
  if (f.dev !== undefined) {
    const d = deviceOrFail(ctx, f.dev);
    devIface = d.iface;
    if (devIface === undefined) return 0;
  }
  const routes = ns.routes.routes().filter((r) => (devIface === undefined || r.dev === devIface)
    && (f.proto === undefined || r.proto === f.proto)
    && (f.scope === undefined || r.scope === f.scope)
    && (f.type === undefined || r.type === f.type)
    && (f.via === undefined || r.gateway === f.via)
    && (f.src === undefined || r.src === f.src)
    && (f.metric === undefined || r.metric === f.metric)
    && (f.exact === undefined || (r.prefixLen === f.exact.len && r.dst === ((f.exact.addr & prefixMask(f.exact.len)) >>> 0))));
  if (action === 'flush') {
    for (const r of routes) {
      ns.routes.delete({ dst: r.dst, prefixLen: r.prefixLen, metric: r.metric, proto: r.proto, ...(r.gateway === undefined ? {} : { gateway: r.gateway }), ...(r.dev === undefined ? {} : { dev: r.dev }) });
    }
    return 0;
  }
  let out = '';
  for (const r of routes) {
    let s = r.type !== 'unicast' ? `${r.type} ` : '';
    s += `${r.prefixLen === 0 ? 'default' : r.prefixLen === 32 ? formatIpv4(r.dst) : `${formatIpv4(r.dst)}/${r.prefixLen}`} `;
    if (r.gateway !== undefined && f.via === undefined) s += `via ${formatIpv4(r.gateway)} `;
    if (r.dev !== undefined && f.dev === undefined) s += `dev ${r.dev.name} `;
    if (r.proto !== 'boot' && f.proto === undefined) s += `proto ${r.proto} `;
    if (r.scope !== 'global' && f.scope === undefined) s += `scope ${r.scope} `;
    if (r.src !== undefined && f.src === undefined) s += `src ${formatIpv4(r.src)} `;
    if (r.metric !== 0 && f.metric === undefined) s += `metric ${r.metric} `;
    if (r.onlink) s += 'onlink ';
    if (r.dev !== undefined) {
      const d = ctx.machine.linkByIndex(ns, r.dev.ifindex);
      if (d !== undefined && !d.carrier) s += 'linkdown ';
    }
    out += `${s}\n`;
  }
  ctx.io.stdout(out);
  return 0;
}

/** `ip route get ADDR`: the path a locally generated datagram to ADDR would take. */
function get(ctx: IpContext, args: Args): number {
  let dst: Ipv4 | undefined;
  let oif: string | undefined;
  let from: Ipv4 | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'oif' || w === 'dev') oif = args.value();
    else if (w === 'from') from = addressArg(args.value());
    else if (['iif', 'tos', 'dsfield', 'mark', 'vrf', 'uid', 'ipproto', 'sport', 'dport', 'connected', 'fibmatch', 'notify', 'as', 'flowlabel'].includes(w)) {
      notEmulated(`the "${w}" option of "ip route get"`);
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      if (dst !== undefined) duparg2('to', v);
      const p = prefixArg(v);
      dst = p.addr;
    }
    args.advance();
  }
  if (dst === undefined) throw new UsageError('cnmlab: "ip route get" needs an address');
  const ns = ctx.ns;
  const iface = oif === undefined ? undefined : deviceOrFail(ctx, oif).iface;
  const target = dst;
  const path = kernelCall(IP_STATUS_KERNEL, () => {
    try {
      return ns.ipv4.resolveOutput(target, { ...(iface === undefined ? {} : { iface }), ...(from === undefined ? {} : { src: from }), broadcast: true });
    } catch (e) {
      if (e instanceof StackError && e.code === 'EACCES') throw new StackError('EINVAL', 'route get');
      throw e;
    }
  });
  let s: string;
  if (path.cast === Cast.Local) {
    s = `local ${formatIpv4(target)} dev lo src ${formatIpv4(path.src)} uid 0 \n    cache <local> \n`;
  } else if (path.cast === Cast.Unicast) {
    s = `${formatIpv4(target)} ${path.nextHop !== target ? `via ${formatIpv4(path.nextHop)} ` : ''}dev ${path.iface.name} src ${formatIpv4(path.src)} uid 0 \n    cache \n`;
  } else {
    notEmulated('"ip route get" for a broadcast or multicast destination');
  }
  ctx.io.stdout(s);
  return 0;
}
