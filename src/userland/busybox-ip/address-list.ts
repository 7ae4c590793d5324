/**
 * busybox's `ip addr show` and `ip link show` (networking/libiproute/ipaddress.c
 * ipaddr_list_or_flush, print_linkinfo, print_addrinfo), the format busybox kept from the
 * iproute2 it was ported from in the early 2000s:
 *
 *   1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000
 *       link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
 *       inet 127.0.0.1/8 scope host lo
 *          valid_lft forever preferred_lft forever
 *   4: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP qlen 1000
 *
 * Where it differs from today's iproute2:
 *   - no "mode DEFAULT", no "group default", no "link-netnsid": the line ends after "state X "
 *     with "qlen N" (no space after it) when the device's txqueuelen (SIOCGIFTXQLEN) is not 0;
 *   - "NAME@LINK": IFLA_LINK's index is looked up among the devices of the process's own
 *     namespace (busybox ignores IFLA_LINK_NETNSID). A veth whose peer sits in another
 *     namespace shows the peer's index as "ifN", or the name of whichever local device happens
 *     to have that index; ",M-DOWN" closes the flags when that device is down or unknown
 *     (ll_index_to_flags answers 0 for an index it does not know), so a container's eth0 always
 *     says "M-DOWN";
 *   - the flags are LOOPBACK, BROADCAST, POINTOPOINT, MULTICAST, NOARP, UP and LOWER_UP by
 *     name (NO-CARRIER first, as iproute2 does); any other flag is appended in hex with no comma
 *     (PROMISC: "<BROADCAST,MULTICAST,UP,LOWER_UP100>");
 *   - `-o` prints no link lines in `ip addr`, and puts each address on one line
 *     ("2: eth0    inet …\       valid_lft …").
 *
 * Filters: a device (`dev` optional; a second is "either "dev" is duplicate, or … is
 * garbage"), `up`, `scope SCOPE|all`, `label PATTERN`, `to PREFIX` (which also makes `ip addr`
 * list only devices with a matching IPv4 address, as -4 does). Heads up, faithfully kept: with
 * `up`, the addresses of a device that is down are still printed, without its link line
 * (print_linkinfo skips the device but reports success).
 */
import { formatIpv4, formatMac } from '../../wire';
import type { InterfaceAddress, Netdev } from '../../stack';
import { UsageError } from '../usage-error';
import { isRunning, linkTarget, orderedAddresses, qdiscOf } from '../iproute2';
import { type AppletArgs, duparg2, inetPrefix, invalidArgument, prefixMatches, scopeNumber, scopeOf, type Family, type InetPrefix } from './applet-args';
import { deviceOrDie, type AppletContext } from './applet-context';

/** print_link_flags: the named flags, any other in hex, ",M-DOWN" when asked. */
function linkFlags(dev: Netdev, mdown: boolean): string {
  const named: string[] = [];
  if (dev.kind === 'loopback') named.push('LOOPBACK');
  else named.push('BROADCAST', 'MULTICAST');
  if (dev.up) named.push('UP');
  if (dev.up && dev.carrier) named.push('LOWER_UP');
  // dev_get_flags reports IFF_PROMISC (0x100) only when the administrator asked for it.
  const rest = dev.promisc ? '100' : '';
  return `<${dev.up && !isRunning(dev) ? 'NO-CARRIER,' : ''}${named.join(',')}${rest}${mdown ? ',M-DOWN' : ''}> `;
}

/** The "@LINK" of print_linkinfo and whether it makes the flags say M-DOWN. */
function linkSuffix(ctx: AppletContext, dev: Netdev): { text: string; mdown: boolean } {
  const target = linkTarget(dev);
  if (target === undefined) return { text: '', mdown: false };
  const local = target.ns === ctx.ns ? target : ctx.machine.linkByIndex(ctx.ns, target.ifindex);
  return { text: `@${local?.name ?? `if${target.ifindex}`}`, mdown: !(local?.up ?? false) };
}

/** print_linkinfo, with its newline; `linkLayer`: the "link/ether" part (no family, or -0). */
function linkInfo(ctx: AppletContext, dev: Netdev, linkLayer: boolean): string {
  const link = linkSuffix(ctx, dev);
  let s = `${dev.ifindex}: ${dev.name}${link.text}: ${linkFlags(dev, link.mdown)}mtu ${dev.mtu} qdisc ${qdiscOf(dev)} `;
  if (dev.master !== undefined) s += `master ${dev.master.name} `;
  s += `state ${dev.operState} `;
  if (dev.txQueueLen !== 0) s += `qlen ${dev.txQueueLen}`;
  if (linkLayer) {
    const sl = ctx.oneline ? '\\' : '\n';
    s += dev.kind === 'loopback'
      ? `${sl}    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00`
      : `${sl}    link/ether ${formatMac(dev.mac)} brd ff:ff:ff:ff:ff:ff`;
  }
  return `${s}\n`;
}

/** print_addrinfo for one IPv4 address (static, so IFA_F_PERMANENT: never "dynamic"). */
function addressInfo(ctx: AppletContext, dev: Netdev, a: InterfaceAddress): string {
  const brd = ctx.machine.shownBroadcast(a);
  const sl = ctx.oneline ? '\\' : '\n';
  return `${ctx.oneline ? `${dev.ifindex}: ${dev.name}` : ''}    inet ${formatIpv4(a.address)}/${a.prefixLen} `
    + `${brd === undefined ? '' : `brd ${formatIpv4(brd)} `}scope ${a.scope} ${a.secondary ? 'secondary ' : ''}${dev.name}`
    + `${sl}       valid_lft forever preferred_lft forever\n`;
}

/**
 * fnmatch without flags for `label`: `*`, `?` and bracket expressions ("[0-9]", "[!a]");
 * a backslash quotes the next character.
 */
function globMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]!}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(name);
}

interface AddressFilter {
  up: boolean;
  /** G_filter.scope / scopemask: undefined for none (or `scope all`). */
  scope: number | undefined;
  label: string | undefined;
  prefix: InetPrefix | undefined;
}

/** The address filters of print_addrinfo (and of the device selection with a family). */
function addressPasses(f: AddressFilter, dev: Netdev, a: InterfaceAddress): boolean {
  if (f.scope !== undefined && scopeOf(a.scope) !== f.scope) return false;
  if (f.label !== undefined && !globMatches(f.label, dev.name)) return false;
  if (f.prefix !== undefined && f.prefix.family === 'inet' && !prefixMatches(a.address, f.prefix.addr, f.prefix.bitlen)) return false;
  return true;
}

/**
 * `ip addr [show] …` (`object` 'address') and `ip link [show] …` ('link': preferred_family
 * AF_PACKET); `status` is the exit status of the object's fatal errors (2 for `ip link`).
 */
export function listAddresses(ctx: AppletContext, args: AppletArgs, object: 'address' | 'link', status: number): number {
  let family: Family = object === 'link' ? 'packet' : ctx.family;
  const f: AddressFilter = { up: false, scope: undefined, label: undefined, prefix: undefined };
  let filterDev: string | undefined;
  const options = ['to', 'scope', 'up', 'label', 'dev'];
  while (!args.done) {
    const key = options.indexOf(args.word);
    if (key === 0) {
      f.prefix = inetPrefix(args.value(), family);
      if (family === 'unspec' && f.prefix.family === 'inet') family = 'inet';
    } else if (key === 1) {
      const v = args.value();
      const n = scopeNumber(v);
      if (n === undefined && v !== 'all') invalidArgument(v, 'scope');
      f.scope = n;
    } else if (key === 2) {
      f.up = true;
    } else if (key === 3) {
      f.label = args.value();
    } else {
      const name = key === 4 ? args.value() : args.word;
      if (filterDev !== undefined) duparg2('dev', name);
      filterDev = name;
    }
    args.advance();
  }
  const dev = filterDev === undefined ? undefined : deviceOrDie(ctx, filterDev, status);
  // cnmlab's namespaces run without IPv6: no device has an inet6 address to list.
  if (family === 'inet6') return 0;
  const linkLayer = family === 'unspec' || family === 'packet';
  const withAddresses = family !== 'packet';
  let out = '';
  for (const d of ctx.machine.links(ctx.ns)) {
    if (dev !== undefined && d !== dev) continue;
    const addrs = withAddresses ? orderedAddresses(d).filter((a) => addressPasses(f, d, a)) : [];
    // With a family (-4 or `to`), only devices that have a matching address are listed.
    if (family === 'inet' && addrs.length === 0) continue;
    const linkShown = !(ctx.oneline && withAddresses)
      && !(f.up && !d.up)
      && !(f.label !== undefined && linkLayer && !globMatches(f.label, d.name));
    if (linkShown) out += linkInfo(ctx, d, linkLayer);
    for (const a of addrs) out += addressInfo(ctx, d, a);
  }
  ctx.io.stdout(out);
  return 0;
}

/** `ip addr flush` empties devices of addresses, which a container may not do; not emulated. */
export function flushNotEmulated(object: string): never {
  throw new UsageError(`cnmlab: busybox's "ip ${object} flush" is not emulated (a container has no CAP_NET_ADMIN to flush with)`);
}
