/**
 * busybox's `ip` applet (networking/ip.c ip_main, libiproute/ip_parse_common_args.c), as
 * alpine's and busybox's images have it (busybox 1.3x, all of ip's objects built in).
 *
 * Options, before the object: -4, -6, -0, -f[amily] inet|inet6|link, -o[neline], and `--`;
 * each is matched by prefix ("-o", "-onel"), "--x" is "-x". That is all: iproute2's -br, -s,
 * -d, -n, -c, -j, … make busybox print its usage and exit 1, which for cnmlab is a malformed
 * step (UsageError), as is an unknown object or none.
 *
 * Objects, by prefix: address, route (also "r"), link, tunnel, tunl, rule, neigh ("ip t" is
 * ambiguous). `ip tunnel`, `ip rule` and `ip neigh` are not emulated: busybox's `ip neigh`
 * prints the kernel's reference and probe counters of each entry ("ref 1 used 0/0/0 probes 4
 * REACHABLE"), which cnmlab's neighbour table does not keep the kernel's way.
 *
 * Messages go to stderr as "ip: TEXT" (bb_error_msg), and the exit statuses are busybox's: 1
 * for a fatal error (2 under `ip link`), 2 when the kernel refused a request.
 */
import type { Machine, NetworkNamespace } from '../../stack';
import { exitingProgram } from '../iproute2';
import type { Program, ProgramEnv, ProgramIo } from '../program';
import { UsageError } from '../usage-error';
import { appletArgs, keywordIndex, type Family } from './applet-args';
import type { AppletContext } from './applet-context';
import { ipAddress } from './ip-address';
import { ipLink } from './ip-link';
import { ipRoute } from './ip-route';

/** What bb_show_usage prints instead of running: the applet's usage (not emulated). */
function usage(why: string): never {
  throw new UsageError(`cnmlab: ${why}; busybox's ip would print its usage `
    + '("ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]", OPTIONS := -f[amily] inet|inet6|link | -o[neline]) and exit 1');
}

export const busyboxIpProgram: Program<NetworkNamespace, Machine> = exitingProgram(runIp);

function runIp(words: readonly string[], env: ProgramEnv<NetworkNamespace, Machine>, io: ProgramIo): number {
  const options = ['oneline', 'family', '4', '6', '0'];
  const families: readonly Family[] = ['inet', 'inet6', 'packet'];
  let family: Family = 'unspec';
  let oneline = false;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-')) break;
    let opt = w.slice(1);
    if (opt.startsWith('-')) {
      opt = opt.slice(1);
      if (opt === '') {
        i++;
        break;
      }
    }
    const key = keywordIndex(options, opt);
    if (key < 0) usage(`busybox's ip has no option "${w}"`);
    if (key === 0) {
      oneline = true;
    } else if (key === 1) {
      const name = words[++i];
      if (name === undefined) usage(`"${w}" needs a family`);
      const f = ['inet', 'inet6', 'link'].indexOf(name);
      if (f < 0) throw new UsageError(`invalid argument '${name}' to 'family'`);
      family = families[f]!;
    } else {
      family = families[key - 2]!;
    }
  }
  const object = words[i];
  if (object === undefined) usage('"ip" needs an object');
  const objects = ['address', 'route', 'r', 'link', 'tunnel', 'tunl', 'rule', 'neigh'];
  const which = objects[keywordIndex(objects, object)];
  if (which === undefined) usage(`busybox's ip has no object "${object}"`);
  const ctx: AppletContext = { machine: env.machine, ns: env.ns, io, family, oneline };
  const args = appletArgs(words.slice(i + 1));
  switch (which) {
    case 'address':
      return ipAddress(ctx, args);
    case 'route':
    case 'r':
      return ipRoute(ctx, args);
    case 'link':
      return ipLink(ctx, args);
    default:
      throw new UsageError(`cnmlab: busybox's "ip ${which}" is not emulated (see busybox-ip-command.ts)`);
  }
}
