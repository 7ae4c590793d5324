// busybox's `ip` applet, the `ip` of alpine and busybox containers.
import type { Machine, NetworkNamespace } from '../../stack';
import type { ProgramRegistry } from '../program';
import { busyboxIpProgram } from './busybox-ip-command';

export { busyboxIpProgram } from './busybox-ip-command';

/** Registers busybox's `ip` (replacing iproute2's when the registry had it). */
export function registerBusyboxIp<R extends ProgramRegistry<NetworkNamespace, Machine>>(registry: R): R {
  registry.register('ip', busyboxIpProgram);
  return registry;
}
