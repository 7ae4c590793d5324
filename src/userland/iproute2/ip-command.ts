/**
 * The `ip` program (iproute2's ip/ip.c): global options, then an object (`link`, `address`,
 * `route`, `neighbour`, `netns`) and its command.
 *
 * Options, abbreviable as iproute2 allows: -4, -6, -0, -f/-family FAMILY, -s/-stats (twice for
 * more), -br/-brief, -n/-netns NS, -c/-color (no effect: a transcript is no terminal). An
 * option iproute2 has but cnmlab does not emulate (-d, -o, -j, -h, -r, -t, -b, …) is a
 * UsageError saying so; an unknown one is iproute2's `Option "-x" is unknown, try "ip -help".`
 *
 * Exit statuses: 0; 1 for a missing device and other user errors iproute2 returns from; 2
 * when the kernel refused a request; 255 for exit(-1) paths that depend on the machine's state
 * (an unknown namespace for -n, an unknown master). Malformed command lines are UsageErrors.
 */
import type { Machine, NetworkNamespace } from '../../stack';
import type { Program, ProgramEnv, ProgramIo } from '../program';
import { UsageError } from '../usage-error';
import { Args, matches } from './command-line';
import { CommandFailed } from './kernel-errors';
import type { IpContext, IpOptions } from './ip-context';
import { ipAddress } from './ip-address';
import { listLinks } from './ip-link-list';
import { ipLinkAdd, ipLinkDelete, ipLinkSet } from './ip-link-modify';
import { ipNeigh } from './ip-neigh';
import { ipNetns, type IpOutcome } from './ip-netns';
import { ipRoute } from './ip-route';

/** ip.c's objects, in its table's order (an abbreviation picks the first that matches). */
const OBJECTS = [
  'address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp',
  'fou', 'ila', 'macsec', 'tunnel', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm',
  'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'stats', 'help',
];

export const ipProgram: Program<NetworkNamespace, Machine> = (argv, env, io, exit) => {
  try {
    const outcome = runIp(argv.slice(1), env, io, exit);
    if (typeof outcome === 'number') {
      exit(outcome);
      return;
    }
    return outcome.started;
  } catch (e) {
    if (e instanceof CommandFailed) {
      io.stderr(e.stderr);
      exit(e.status);
      return;
    }
    throw e;
  }
};

function runIp(words: readonly string[], env: ProgramEnv<NetworkNamespace, Machine>, io: ProgramIo, exit: (code: number) => void): IpOutcome {
  let i = 0;
  let stats = 0;
  let brief = false;
  let family: IpOptions['family'] = 'any';
  let ns = env.ns;
  const machine = env.machine;
  while (i < words.length) {
    let opt = words[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt.startsWith('--')) opt = opt.slice(1);
    const needValue = (): string => {
      i++;
      if (i >= words.length) throw new UsageError('Command line is not complete. Try option "help"');
      return words[i]!;
    };
    if (matches(opt, '-loops')) {
      needValue();
      throw new UsageError('cnmlab: option "-loops" is not emulated');
    } else if (matches(opt, '-family')) {
      const f = needValue();
      if (f === 'inet') family = 'inet';
      else if (f === 'inet6') family = 'inet6';
      else if (f === 'link') family = 'link';
      else if (f === 'help') throw new UsageError('cnmlab: "ip -family help" is not emulated');
      else throw new UsageError(`cnmlab: address family "${f}" is not emulated`);
    } else if (opt === '-4') family = 'inet';
    else if (opt === '-6') family = 'inet6';
    else if (opt === '-0') family = 'link';
    else if (opt === '-M' || opt === '-B') throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    else if (matches(opt, '-human') || matches(opt, '-human-readable') || matches(opt, '-iec')) throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    else if (matches(opt, '-stats') || matches(opt, '-statistics')) stats++;
    else if (matches(opt, '-details') || matches(opt, '-resolve') || matches(opt, '-oneline') || matches(opt, '-timestamp')
      || matches(opt, '-tshort') || matches(opt, '-Version') || matches(opt, '-force') || matches(opt, '-batch')) {
      throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    } else if (matches(opt, '-brief')) brief = true;
    else if (matches(opt, '-json') || matches(opt, '-pretty') || matches(opt, '-rcvbuf')) throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    else if (opt === '-color' || matches(opt, '-color') || opt.startsWith('-color=') || opt.startsWith('-c=')) {
      // Colours go only to terminals; a transcript is none.
    } else if (matches(opt, '-help')) throw new UsageError('cnmlab: "ip -help" is not emulated (see ip(8))');
    else if (matches(opt, '-netns')) {
      const name = needValue();
      const target = machine.namespace(name);
      if (target === undefined || !machine.isListed(target)) throw new CommandFailed(`Cannot open network namespace "${name}": No such file or directory\n`, 255);
      ns = target;
    } else if (matches(opt, '-Numeric') || matches(opt, '-all')) throw new UsageError(`cnmlab: option "${opt}" is not emulated`);
    else throw new UsageError(`Option "${opt}" is unknown, try "ip -help".`);
    i++;
  }
  if (i >= words.length) throw new UsageError('cnmlab: "ip" without an object prints its usage, which is not emulated (see ip(8))');
  if (stats > 1) throw new UsageError('cnmlab: "ip -s -s" (the error counter details) is not emulated');
  const ctx: IpContext = { machine, ns, env: ns === env.ns ? env : { ...env, ns }, io, opts: { stats, brief, family } };
  const object = words[i]!;
  const rest = words.slice(i + 1);
  const which = OBJECTS.find((o) => matches(object, o));
  switch (which) {
    case 'address':
      return ipAddress(ctx, new Args(rest));
    case 'route':
      return ipRoute(ctx, new Args(rest));
    case 'neighbor':
    case 'neighbour':
      return ipNeigh(ctx, new Args(rest));
    case 'link':
      return ipLink(ctx, new Args(rest));
    case 'netns':
      return ipNetns(ctx, rest, exit);
    case undefined:
      throw new UsageError(`Object "${object}" is unknown, try "ip help".`);
    default:
      throw new UsageError(`cnmlab: "ip ${which}" is not emulated`);
  }
}

/** ip/iplink.c do_iplink. */
function ipLink(ctx: IpContext, args: Args): number {
  if (args.done) return listLinks(ctx, args, true);
  const w = args.word;
  args.advance();
  if (matches(w, 'add')) return ipLinkAdd(ctx, args);
  if (matches(w, 'set') || matches(w, 'change')) return ipLinkSet(ctx, args);
  if (matches(w, 'replace')) throw new UsageError('cnmlab: "ip link replace" is not emulated');
  if (matches(w, 'delete')) return ipLinkDelete(ctx, args);
  if (matches(w, 'show') || matches(w, 'lst') || matches(w, 'list')) return listLinks(ctx, args, true);
  if (matches(w, 'xstats') || matches(w, 'afstats') || matches(w, 'property')) throw new UsageError(`cnmlab: "ip link ${w}" is not emulated`);
  if (matches(w, 'help')) throw new UsageError('cnmlab: "ip link help" is not emulated (see ip-link(8))');
  throw new UsageError(`Command "${w}" is unknown, try "ip link help".`);
}
