/**
 * What every busybox `ip` command works with (the namespace the process runs in, the global
 * options), and the two ways it fails once the command line is read: a device that does not
 * exist, and a request the kernel refuses.
 *
 * Heads up: this `ip` is a Docker container's. Docker starts containers without
 * CAP_NET_ADMIN (cnmlab refuses `--privileged` and `--cap-add`), and rtnetlink_rcv_msg checks
 * that capability before anything else for every request but a dump or a get, so each change
 * (`ip addr add`, `ip route del`, `ip link add`) fails with EPERM however it was written, as in
 * a real container: "ip: RTNETLINK answers: Operation not permitted", exit status 2.
 */
import type { Machine, Netdev, NetworkNamespace } from '../../stack';
import { CommandFailed } from '../iproute2';
import type { ProgramIo } from '../program';
import type { Family } from './applet-args';

export interface AppletContext {
  readonly machine: Machine;
  readonly ns: NetworkNamespace;
  readonly io: ProgramIo;
  /** -4, -6, -0 or -f FAMILY (preferred_family). */
  readonly family: Family;
  /** -o: records on one line, '\' where a newline was (_SL_). */
  readonly oneline: boolean;
}

/** bb_error_msg_and_die: "ip: TEXT" on stderr, exit with `status` (xfunc_error_retval). */
export function die(text: string, status: number): never {
  throw new CommandFailed(`ip: ${text}\n`, status);
}

/** xll_name_to_index (if_nametoindex in the process's namespace), dying when there is none. */
export function deviceOrDie(ctx: AppletContext, name: string, status: number): Netdev {
  const dev = ctx.machine.link(ctx.ns, name);
  if (dev === undefined) die(`can't find device '${name}'`, status);
  return dev;
}

/** rtnl_talk's report of a refused change (see the file comment); the command returns 2. */
export function changeRefused(): never {
  die('RTNETLINK answers: Operation not permitted', 2);
}
