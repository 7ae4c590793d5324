/**
 * `ip neighbour` (ip/ipneigh.c): show, add, change, replace, delete, flush.
 *
 *   10.0.0.3 dev eth0 lladdr 02:42:0a:00:00:03 REACHABLE
 *   10.0.0.9 dev eth0  FAILED
 *
 * "dev X " is left out when the listing is filtered by device; an entry without a link-layer
 * address prints its state after two spaces. `ip neigh show` hides NOARP entries unless a `nud`
 * filter asks for them. Entries on a VXLAN device are what its ARP proxy answers with.
 */
import { formatIpv4, formatMac, parseCidr, parseIpv4, prefixContains, type Ipv4, type Ipv4Prefix } from '../../wire';
import type { NeighbourState } from '../../stack';
import { UsageError } from '../usage-error';
import { Args, duparg, duparg2, invarg, matches, parseLladdr } from './command-line';
import { CommandFailed, kernelCall, EXIT_STATUS } from './kernel-errors';
import { deviceOrFail, type IpContext } from './ip-context';

const IP_STATUS_KERNEL = EXIT_STATUS.ipKernel;
const STATES: readonly NeighbourState[] = ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp', 'permanent'];

export function ipNeigh(ctx: IpContext, args: Args): number {
  if (args.done) return show(ctx, args, false);
  const w = args.word;
  args.advance();
  if (matches(w, 'add')) return modify(ctx, args, 'add');
  if (matches(w, 'change') || w === 'chg') return modify(ctx, args, 'change');
  if (matches(w, 'replace')) return modify(ctx, args, 'replace');
  if (matches(w, 'delete')) return modify(ctx, args, 'delete');
  if (matches(w, 'get')) throw new UsageError('cnmlab: "ip neigh get" is not emulated');
  if (matches(w, 'show') || matches(w, 'lst') || matches(w, 'list')) return show(ctx, args, false);
  if (matches(w, 'flush')) return show(ctx, args, true);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "ip neigh help" is not emulated (see ip-neighbour(8))');
  throw new UsageError(`Command "${w}" is unknown, try "ip neigh help".`);
}

/** nud_state_a2n (abbreviations of permanent, reachable and failed allowed). */
function nudArg(v: string): NeighbourState | 'none' | undefined {
  if (matches(v, 'permanent')) return 'permanent';
  if (matches(v, 'reachable')) return 'reachable';
  if (v === 'noarp') return 'noarp';
  if (v === 'none') return 'none';
  if (v === 'stale') return 'stale';
  if (v === 'incomplete') return 'incomplete';
  if (v === 'delay') return 'delay';
  if (v === 'probe') return 'probe';
  if (matches(v, 'failed')) return 'failed';
  return undefined;
}

function addressArg(text: string): Ipv4 {
  try {
    return parseIpv4(text);
  } catch {
    throw new UsageError(`Error: any valid address is expected rather than "${text}".`);
  }
}

function modify(ctx: IpContext, args: Args, cmd: 'add' | 'change' | 'replace' | 'delete'): number {
  let lladdr: string | undefined;
  let state: NeighbourState | 'none' = 'permanent';
  let dst: Ipv4 | undefined;
  let dev: string | undefined;
  while (!args.done) {
    const w = args.word;
    if (matches(w, 'lladdr')) {
      const v = args.value();
      if (lladdr !== undefined) duparg('lladdr', v);
      lladdr = v;
    } else if (w === 'nud') {
      const v = args.value();
      const s = nudArg(v);
      if (s === undefined) invarg('nud state is bad', v);
      state = s;
    } else if (matches(w, 'proxy')) {
      args.value();
      throw new UsageError('cnmlab: proxy neighbour entries are not emulated');
    } else if (w === 'dev') {
      dev = args.value();
    } else if (['router', 'extern_learn', 'managed', 'protocol', 'use'].includes(w)) {
      throw new UsageError(`cnmlab: "ip neigh … ${w}" is not emulated`);
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      if (matches(v, 'help')) throw new UsageError('cnmlab: "ip neigh help" is not emulated (see ip-neighbour(8))');
      if (dst !== undefined) duparg2('to', v);
      dst = addressArg(v);
    }
    args.advance();
  }
  if (dev === undefined || dst === undefined) throw new UsageError('Device and destination are required arguments.');
  const d = deviceOrFail(ctx, dev);
  const ip = dst;
  const machine = ctx.machine;
  if (cmd === 'delete') {
    kernelCall(IP_STATUS_KERNEL, () => machine.deleteNeighbour(d, ip));
    return 0;
  }
  let mac;
  if (lladdr !== undefined && lladdr !== 'null') {
    mac = parseLladdr(lladdr);
    if (mac === undefined) throw new UsageError(`"${lladdr}" is invalid lladdr.`);
  }
  if (state !== 'permanent' && state !== 'noarp' && state !== 'reachable' && state !== 'stale') {
    throw new UsageError(`cnmlab: neighbour entries set to "${state}" are not emulated`);
  }
  if (mac === undefined) throw new CommandFailed('Error: No link layer address given.\n', IP_STATUS_KERNEL);
  const m = mac;
  const s = state;
  if (cmd === 'change' && machine.neighbours(ctx.ns).every((n) => n.dev !== d || n.ip !== ip)) {
    throw new CommandFailed('RTNETLINK answers: No such file or directory\n', IP_STATUS_KERNEL);
  }
  kernelCall(IP_STATUS_KERNEL, () => machine.setNeighbour(d, ip, m, s, cmd === 'add' ? 'add' : 'replace'));
  return 0;
}

function show(ctx: IpContext, args: Args, flush: boolean): number {
  if (flush && args.done) throw new CommandFailed('Flush requires arguments.\n', 1);
  let dev: string | undefined;
  let states: Set<NeighbourState> | undefined;
  let to: Ipv4Prefix | undefined;
  while (!args.done) {
    const w = args.word;
    if (w === 'dev') {
      const v = args.value();
      if (dev !== undefined) duparg('dev', v);
      dev = v;
    } else if (w === 'nud') {
      const v = args.value();
      states ??= new Set();
      if (v === 'all') for (const s of STATES) states.add(s);
      else {
        const s = nudArg(v);
        if (s === undefined) invarg('nud state is bad', v);
        if (s !== 'none') states.add(s);
      }
    } else if (['unused', 'proxy', 'vrf', 'master', 'nomaster'].includes(w)) {
      throw new UsageError(`cnmlab: the "${w}" selector of "ip neigh" is not emulated`);
    } else {
      let v = w;
      if (w === 'to') v = args.value();
      if (matches(v, 'help')) throw new UsageError('cnmlab: "ip neigh help" is not emulated (see ip-neighbour(8))');
      try {
        to = parseCidr(v);
      } catch {
        throw new UsageError(`Error: any valid prefix is expected rather than "${v}".`);
      }
    }
    args.advance();
  }
  // Default filter: everything but NOARP (show), everything but PERMANENT and NOARP (flush).
  const wanted = states ?? new Set(STATES.filter((s) => s !== 'noarp' && !(flush && s === 'permanent')));
  const d = dev === undefined ? undefined : deviceOrFail(ctx, dev);
  const rows = ctx.machine.neighbours(ctx.ns).filter((n) => wanted.has(n.state)
    && (d === undefined || n.dev === d) && (to === undefined || prefixContains(to, n.ip)));
  if (flush) {
    // neigh flush leaves FAILED entries alone (filter.state &= ~NUD_FAILED).
    for (const n of rows) if (n.state !== 'failed') ctx.machine.deleteNeighbour(n.dev, n.ip);
    return 0;
  }
  let out = '';
  for (const n of rows) {
    out += `${formatIpv4(n.ip)} ${d === undefined ? `dev ${n.dev.name} ` : ''}${n.mac === undefined ? '' : `lladdr ${formatMac(n.mac)}`} ${n.state.toUpperCase()}\n`;
  }
  ctx.io.stdout(out);
  return 0;
}
