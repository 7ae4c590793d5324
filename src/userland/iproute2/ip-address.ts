/**
 * `ip address` (ip/ipaddress.c do_ipaddr, ipaddr_modify, ipaddr_flush): add, change, replace,
 * delete, flush, and show (ip-link-list.ts).
 *
 * `ip addr add` without `brd` sets no broadcast address, so `ip addr` then shows none; `brd +`
 * computes the subnet's. Deleting an address given without a prefix length is iproute2's
 * "wildcard deletion" (the first address with that local address goes, after a warning).
 */
import { formatIpv4, parseCidr, parseIpv4, prefixMask, type Ipv4, type Ipv4Prefix } from '../../wire';
import type { InterfaceAddress } from '../../stack';
import { UsageError } from '../usage-error';
import { Args, duparg, duparg2, invarg, matches } from './command-line';
import { CommandFailed, kernelCall, EXIT_STATUS } from './kernel-errors';
import { deviceOrFail, type IpContext } from './ip-context';
import { listLinks } from './ip-link-list';

const IP_STATUS_KERNEL = EXIT_STATUS.ipKernel;

export function ipAddress(ctx: IpContext, args: Args): number {
  if (args.done) return listLinks(ctx, args, false);
  const w = args.word;
  args.advance();
  if (matches(w, 'add')) return modify(ctx, args, 'add');
  if (matches(w, 'change') || w === 'chg') return modify(ctx, args, 'replace');
  if (matches(w, 'replace')) return modify(ctx, args, 'replace');
  if (matches(w, 'delete')) return modify(ctx, args, 'delete');
  if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return listLinks(ctx, args, false);
  if (matches(w, 'flush')) return flush(ctx, args);
  if (matches(w, 'save') || matches(w, 'showdump') || matches(w, 'restore')) throw new UsageError(`cnmlab: "ip address ${w}" is not emulated`);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "ip address help" is not emulated (see ip-address(8))');
  throw new UsageError(`Command "${w}" is unknown, try "ip address help".`);
}

interface LocalPrefix {
  readonly prefix: Ipv4Prefix;
  /** False when no "/len" was typed (PREFIXLEN_SPECIFIED unset). */
  readonly lenGiven: boolean;
  readonly text: string;
}

function prefixArg(text: string): LocalPrefix {
  try {
    return { prefix: parseCidr(text), lenGiven: text.includes('/'), text };
  } catch {
    throw new UsageError(`Error: any valid prefix is expected rather than "${text}".`);
  }
}

function modify(ctx: IpContext, args: Args, cmd: 'add' | 'replace' | 'delete'): number {
  let dev: string | undefined;
  let label: string | undefined;
  let local: LocalPrefix | undefined;
  let brd: Ipv4 | 'auto' | 'zero' | undefined;
  let scope: string | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'peer' || w === 'remote' || matches(w, 'anycast') || w === 'metric' || w === 'priority' || w === 'proto'
      || ['home', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin'].includes(w)) {
      throw new UsageError(`cnmlab: "ip address ${cmd} … ${w}" is not emulated`);
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = args.value();
      if (brd !== undefined) duparg('broadcast', v);
      if (v === '+') brd = 'auto';
      else if (v === '-') brd = 'zero';
      else {
        try {
          brd = parseIpv4(v);
        } catch {
          throw new UsageError(`Error: any valid address is expected rather than "${v}".`);
        }
      }
    } else if (matches(w, 'scope')) {
      const v = args.value();
      if (!['host', 'link', 'global', 'site', 'nowhere', 'universe'].includes(v) && !/^\d+$/.test(v)) invarg('invalid scope value.', v);
      scope = v === 'universe' ? 'global' : v;
    } else if (w === 'dev') {
      dev = args.value();
    } else if (w === 'label') {
      label = args.value();
    } else if (matches(w, 'valid_lft') || matches(w, 'preferred_lft')) {
      const v = args.value();
      if (v !== 'forever') throw new UsageError(`cnmlab: address lifetimes other than "forever" are not emulated`);
    } else {
      let v = w;
      if (matches(w, 'local')) v = args.value();
      if (local !== undefined) duparg2('local', v);
      local = prefixArg(v);
    }
    args.advance();
  }
  if (dev === undefined) throw new UsageError('Not enough information: "dev" argument is required.');
  if (label !== undefined && label !== dev) {
    if (!label.startsWith(`${dev}:`)) throw new UsageError(`"label" (${label}) must match "dev" (${dev}) or be prefixed by "dev" with a colon.`);
    throw new UsageError('cnmlab: address labels ("dev:alias") are not emulated');
  }
  const d = deviceOrFail(ctx, dev);
  const machine = ctx.machine;
  if (local === undefined) throw new CommandFailed('RTNETLINK answers: Invalid argument\n', IP_STATUS_KERNEL);
  const p = local.prefix;
  if (scope !== undefined) {
    const natural = p.addr >>> 24 === 127 ? 'host' : 'global';
    if (scope !== natural) throw new UsageError(`cnmlab: addresses of scope ${scope} are not emulated (the kernel's choice for ${formatIpv4(p.addr)} is ${natural})`);
  }
  if (cmd === 'delete') {
    if (!local.lenGiven) {
      ctx.io.stderr('Warning: Executing wildcard deletion to stay compatible with old scripts.\n'
        + `         Explicitly specify the prefix length (${local.text}/32) to avoid this warning.\n`
        + '         This special behaviour is likely to disappear in further releases,\n'
        + '         fix your scripts!\n');
      const a = d.iface?.addresses.find((x) => x.address === p.addr);
      if (a === undefined) throw new CommandFailed('RTNETLINK answers: Cannot assign requested address\n', IP_STATUS_KERNEL);
      kernelCall(IP_STATUS_KERNEL, () => machine.delAddress(d, { addr: a.address, len: a.prefixLen }));
      return 0;
    }
    kernelCall(IP_STATUS_KERNEL, () => machine.delAddress(d, p));
    return 0;
  }
  const broadcast = brd === undefined ? 'none' as const
    : brd === 'auto' ? 'auto' as const
      : brd === 'zero' ? ((p.addr & prefixMask(p.len)) >>> 0)
        : brd;
  const existing = d.iface?.addresses.find((a) => a.address === p.addr && a.prefixLen === p.len);
  if (cmd === 'replace' && existing !== undefined) {
    kernelCall(IP_STATUS_KERNEL, () => machine.delAddress(d, p));
  }
  kernelCall(IP_STATUS_KERNEL, () => machine.addAddress(d, p, { broadcast }));
  return 0;
}

/** `ip address flush dev DEV`: every address of the device (secondaries go with their primaries). */
function flush(ctx: IpContext, args: Args): number {
  if (args.done) throw new CommandFailed('Flush requires arguments.\n', 255);
  let dev: string | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'dev') dev = args.value();
    else if (['to', 'scope', 'label', 'up', 'down', 'primary', 'secondary', 'permanent', 'dynamic'].includes(w)) {
      throw new UsageError(`cnmlab: the "${w}" selector of "ip address flush" is not emulated`);
    } else {
      if (dev !== undefined) duparg2('dev', w);
      dev = w;
    }
    args.advance();
  }
  if (dev === undefined) throw new UsageError('cnmlab: "ip address flush" needs "dev DEV" here');
  const d = ctx.machine.link(ctx.ns, dev);
  if (d === undefined) throw new CommandFailed(`Device "${dev}" does not exist.\n`, 1);
  const before: InterfaceAddress[] = [...(d.iface?.addresses ?? [])];
  if (before.length === 0) {
    if (ctx.opts.stats > 0) ctx.io.stdout('Nothing to flush.\n');
    return 0;
  }
  for (const a of before) {
    if (!d.iface!.addresses.includes(a)) continue;
    kernelCall(IP_STATUS_KERNEL, () => ctx.machine.delAddress(d, { addr: a.address, len: a.prefixLen }));
  }
  if (ctx.opts.stats > 0) ctx.io.stdout(`\n*** Round 1, deleting ${before.length} addresses ***\n*** Flush is complete after 1 round ***\n`);
  return 0;
}
