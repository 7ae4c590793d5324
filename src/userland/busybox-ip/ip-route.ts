/**
 * busybox's `ip route` (networking/libiproute/iproute.c): list/show, get, and the changes add,
 * append, change, delete, prepend, replace and test, which a container's kernel refuses
 * (applet-context.ts) once the command line has been read.
 *
 *   default via 10.0.0.1 dev eth0 
 *   10.0.0.0/24 dev eth0 scope link  src 10.0.0.2 
 *
 * print_route writes each attribute as "WORD VALUE ", the route type unless unicast, the
 * destination ("default", a bare address for a /32), "via", "dev", "scope" unless global, then
 * " src ADDR " and " metric N " with a space on both sides (hence "link  src"), then the flags
 * ("onlink "). It never prints the protocol ("proto kernel": "Todo" in busybox's source), nor
 * "linkdown". Unlike iproute2, a filter does not drop its attribute from the lines: `ip route
 * show dev eth0` still says "dev eth0"; `via ADDR` only hides the "via" words and filters
 * nothing; `scope S` filters and hides "scope"; `proto P` and `iif DEV` are read and ignored.
 *
 * `to PREFIX` (the default selector) keeps the routes to exactly PREFIX, `root PREFIX` those
 * inside it, `match PREFIX` those that contain it. Heads up, kept from busybox: "default",
 * "all" and "any" take the family given with -4/-f; without one they select nothing in
 * particular, so `ip route show default` lists every route and only `ip -4 route show default`
 * the default route.
 *
 * `ip route get ADDR [from ADDR] [oif|dev DEV]` prints the kernel's answer the same way: a
 * cloned route (no scope), with "from ADDR" when a source was given, else " src " and the
 * source the kernel chose.
 */
import { formatIpv4 } from '../../wire';
import { Cast, StackError, type Route } from '../../stack';
import { MUSL_STRERROR } from '../net';
import { UsageError } from '../usage-error';
import {
  type AppletArgs, duparg2, inetAddress, inetPrefix, invalidArgument, isRouteType, keywordIndex, prefixMatches, protocolNumber,
  scopeNumber, scopeOf, tableId, unsignedArg, type InetPrefix,
} from './applet-args';
import { changeRefused, deviceOrDie, die, type AppletContext } from './applet-context';

/** busybox's exit status for `ip route`'s fatal errors (xfunc_error_retval's default). */
const ROUTE_DIE_STATUS = 1;
/** RT_TABLE_MAIN. */
const MAIN_TABLE = 254;

export function ipRoute(ctx: AppletContext, args: AppletArgs): number {
  if (args.done) return list(ctx, args);
  const commands = ['a', 'add', 'append', 'change', 'chg', 'delete', 'get', 'list', 'show', 'prepend', 'replace', 'test', 'flush'];
  const cmd = keywordIndex(commands, args.word);
  if (cmd < 0) invalidArgument(args.word, 'ip');
  args.advance();
  switch (commands[cmd]) {
    case 'get':
      return get(ctx, args);
    case 'list':
    case 'show':
      return list(ctx, args);
    case 'flush':
      throw new UsageError('cnmlab: busybox\'s "ip route flush" is not emulated (a container has no CAP_NET_ADMIN to flush with)');
    default:
      return modify(ctx, args);
  }
}

/** One line of print_route. */
function routeLine(r: Route, opts: { hideVia: boolean; hideScope: boolean }): string {
  let s = r.type === 'unicast' ? '' : `${r.type} `;
  s += r.prefixLen === 0 ? 'default ' : r.prefixLen === 32 ? `${formatIpv4(r.dst)} ` : `${formatIpv4(r.dst)}/${r.prefixLen} `;
  if (r.gateway !== undefined && !opts.hideVia) s += `via ${formatIpv4(r.gateway)} `;
  if (r.dev !== undefined) s += `dev ${r.dev.name} `;
  if (r.scope !== 'global' && !opts.hideScope) s += `scope ${r.scope} `;
  if (r.src !== undefined) s += ` src ${formatIpv4(r.src)} `;
  if (r.metric !== 0) s += ` metric ${r.metric} `;
  if (r.onlink) s += 'onlink ';
  return `${s}\n`;
}

/** iproute_list_or_flush, listing. */
function list(ctx: AppletContext, args: AppletArgs): number {
  const keywords = ['protocol', 'dev', 'oif', 'iif', 'via', 'table', 'cache', 'from', 'to', 'scope', 'all', 'root', 'match', 'exact', 'main'];
  const family = ctx.family;
  let oif: string | undefined;
  let iif: string | undefined;
  let hideVia = false;
  let scope: number | undefined;
  let root: InetPrefix | undefined;
  let match: InetPrefix | undefined;
  while (!args.done) {
    let w = args.word;
    let key = keywordIndex(keywords, w);
    const kw = keywords[key];
    if (kw === 'protocol') {
      const v = args.value();
      if (protocolNumber(v) === undefined && v !== 'all') invalidArgument(v, 'protocol');
    } else if (kw === 'dev' || kw === 'oif') {
      oif = args.value();
    } else if (kw === 'iif') {
      iif = args.value();
    } else if (kw === 'via') {
      hideVia = inetPrefix(args.value(), family).bitlen === 32;
    } else if (kw === 'table') {
      const v = args.value();
      const t = keywords[keywordIndex(keywords, v)];
      if (t === 'cache') throw new UsageError('cnmlab: busybox\'s "ip route list table cache" is not emulated');
      if (t !== 'all' && t !== 'main') {
        const id = tableId(v);
        if (id === undefined) invalidArgument(v, 'table');
        if (id !== MAIN_TABLE) throw new UsageError(`cnmlab: routing table "${v}" is not emulated (only the main table is)`);
      }
    } else if (kw === 'cache' || kw === 'from') {
      throw new UsageError(`cnmlab: the "${w}" selector of busybox's "ip route list" is not emulated`);
    } else if (kw === 'scope') {
      const v = args.value();
      const n = scopeNumber(v);
      if (n === undefined && v !== 'all') invalidArgument(v, 'scope');
      scope = n;
    } else {
      if (kw === 'to') {
        w = args.value();
        key = keywordIndex(keywords, w);
      }
      const sel = keywords[key];
      if (sel === 'root') root = inetPrefix(args.value(), family);
      else if (sel === 'match') match = inetPrefix(args.value(), family);
      else {
        const p = inetPrefix(sel === 'exact' ? args.value() : args.word, family);
        root = p;
        match = p;
      }
    }
    args.advance();
  }
  const oifDev = oif === undefined ? undefined : deviceOrDie(ctx, oif, ROUTE_DIE_STATUS);
  if (iif !== undefined) deviceOrDie(ctx, iif, ROUTE_DIE_STATUS);
  if (family === 'inet6') return 0;
  let out = '';
  for (const r of ctx.ns.routes.routes()) {
    if (scope !== undefined && scopeOf(r.scope) !== scope) continue;
    if (root !== undefined && root.family === 'inet' && (root.bitlen > r.prefixLen || !prefixMatches(r.dst, root.addr, root.bitlen))) continue;
    if (match !== undefined && match.family === 'inet' && (match.bitlen < r.prefixLen || !prefixMatches(r.dst, match.addr, r.prefixLen))) continue;
    if (oifDev !== undefined && r.dev?.ifindex !== oifDev.ifindex) continue;
    out += routeLine(r, { hideVia, hideScope: scope !== undefined });
  }
  ctx.io.stdout(out);
  return 0;
}

/** iproute_get: the kernel's answer for a locally generated datagram to ADDR. */
function get(ctx: AppletContext, args: AppletArgs): number {
  const options = ['from', 'iif', 'oif', 'dev', 'notify', 'connected', 'to'];
  let dst: InetPrefix | undefined;
  let from: InetPrefix | undefined;
  let oif: string | undefined;
  while (!args.done) {
    const key = options.indexOf(args.word);
    if (key === 0) from = inetPrefix(args.value(), ctx.family);
    else if (key === 2 || key === 3) oif = args.value();
    else if (key === 1 || key === 4 || key === 5) throw new UsageError(`cnmlab: the "${args.word}" option of busybox's "ip route get" is not emulated`);
    else dst = inetPrefix(key === 6 ? args.value() : args.word, ctx.family);
    args.advance();
  }
  if (dst === undefined || dst.bitlen === 0) throw new UsageError('need at least destination address');
  const iface = oif === undefined ? undefined : deviceOrDie(ctx, oif, ROUTE_DIE_STATUS).iface;
  const src = from === undefined || from.bitlen === 0 ? undefined : from.addr;
  let path;
  try {
    path = ctx.ns.ipv4.resolveOutput(dst.addr, { ...(iface === undefined ? {} : { iface }), ...(src === undefined ? {} : { src }), broadcast: true });
  } catch (e) {
    if (e instanceof StackError) die(`RTNETLINK answers: ${MUSL_STRERROR[e.code === 'EACCES' ? 'EINVAL' : e.code]}`, 2);
    throw e;
  }
  if (path.cast !== Cast.Local && path.cast !== Cast.Unicast) {
    throw new UsageError('cnmlab: busybox\'s "ip route get" for a broadcast or multicast destination is not emulated');
  }
  // rt_fill_info: RTA_SRC when "from" was given, else the chosen source as RTA_PREFSRC.
  let s = `${path.cast === Cast.Local ? 'local ' : ''}${formatIpv4(dst.addr)} `;
  if (src !== undefined) s += `from ${formatIpv4(src)} `;
  if (path.cast === Cast.Unicast && path.nextHop !== dst.addr) s += `via ${formatIpv4(path.nextHop)} `;
  s += `dev ${path.iface.name} `;
  if (src === undefined) s += ` src ${formatIpv4(path.src)} `;
  ctx.io.stdout(`${s}\n`);
  return 0;
}

/** iproute_modify: reads the request as busybox does, then sends it (refused). */
function modify(ctx: AppletContext, args: AppletArgs): number {
  const keywords = ['src', 'via', 'mtu', 'advmss', 'scope', 'protocol', 'table', 'dev', 'oif', 'to', 'metric', 'onlink'];
  let dev: string | undefined;
  let dstGiven = false;
  while (!args.done) {
    const kw = keywords[keywordIndex(keywords, args.word)];
    if (kw === 'src' || kw === 'via') inetAddress(args.value(), ctx.family);
    else if (kw === 'mtu' || kw === 'advmss') {
      let v = args.value();
      if (v === 'lock') v = args.value();
      unsignedArg(v, kw);
    } else if (kw === 'scope') {
      const v = args.value();
      if (scopeNumber(v) === undefined) invalidArgument(v, 'scope');
    } else if (kw === 'protocol') {
      const v = args.value();
      if (protocolNumber(v) === undefined) invalidArgument(v, 'protocol');
    } else if (kw === 'table') {
      const v = args.value();
      if (tableId(v) === undefined) invalidArgument(v, 'table');
    } else if (kw === 'dev' || kw === 'oif') dev = args.value();
    else if (kw === 'metric') unsignedArg(args.value(), 'metric');
    else if (kw === 'onlink') {
      // RTNH_F_ONLINK in the request.
    } else {
      let v = kw === 'to' ? args.value() : args.word;
      if (!/^\d/.test(v) && isRouteType(v)) v = args.value();
      if (dstGiven) duparg2('to', v);
      inetPrefix(v, ctx.family);
      dstGiven = true;
    }
    args.advance();
  }
  if (dev !== undefined) deviceOrDie(ctx, dev, ROUTE_DIE_STATUS);
  return changeRefused();
}
