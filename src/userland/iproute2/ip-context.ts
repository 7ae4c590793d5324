/**
 * What every `ip` sub-command works with: the machine, the namespace `ip` runs in (after
 * `-n NS`), the global options, and the output streams.
 */
import type { Machine, Netdev, NetworkNamespace } from '../../stack';
import type { ProgramEnv, ProgramIo } from '../program';
import { CommandFailed } from './kernel-errors';

export interface IpOptions {
  /** -s, repeatable. */
  readonly stats: number;
  /** -br. */
  readonly brief: boolean;
  /** -4 (inet), -0/-f link (link), or none. */
  readonly family: 'any' | 'inet' | 'inet6' | 'link';
}

export interface IpContext {
  readonly machine: Machine;
  readonly ns: NetworkNamespace;
  readonly env: ProgramEnv<NetworkNamespace, Machine>;
  readonly io: ProgramIo;
  readonly opts: IpOptions;
}

/** ll_name_to_index, or iproute2's nodev(): `Cannot find device "X"` and exit 1. */
export function deviceOrFail(ctx: IpContext, name: string, status = 1): Netdev {
  const dev = ctx.machine.link(ctx.ns, name);
  if (dev === undefined) throw new CommandFailed(`Cannot find device "${name}"\n`, status);
  return dev;
}
