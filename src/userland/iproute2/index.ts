// iproute2's `ip` and `bridge`, and bridge-utils' `brctl`, over a Machine.
import type { Machine, NetworkNamespace } from '../../stack';
import type { ProgramRegistry } from '../program';
import { bridgeProgram } from './bridge-command';
import { brctlProgram } from './brctl-command';
import { ipProgram } from './ip-command';

export { bridgeProgram } from './bridge-command';
export { brctlProgram } from './brctl-command';
export { ipProgram } from './ip-command';
// What rtnetlink dumps show of a device, shared with busybox's `ip` (userland/busybox-ip).
export { isRunning, linkTarget, orderedAddresses, qdiscOf } from './link-format';
export { CommandFailed, exitingProgram } from './kernel-errors';
export { Args } from './command-line';

/** Registers `ip`, `bridge` and `brctl`. */
export function registerIproute2<R extends ProgramRegistry<NetworkNamespace, Machine>>(registry: R): R {
  registry.register('ip', ipProgram);
  registry.register('bridge', bridgeProgram);
  registry.register('brctl', brctlProgram);
  return registry;
}
