// busybox's small programs: arp, hostname, cat, sleep, echo, true, false.
import type { Machine, NetworkNamespace } from '../../stack';
import type { ProgramRegistry } from '../program';
import { arpProgram } from './arp';
import { catProgram } from './cat';
import { echoProgram } from './echo';
import { falseProgram, trueProgram } from './exit-status';
import { hostnameProgram } from './hostname';
import { sleepProgram } from './sleep';

export { arpProgram } from './arp';
export { catProgram } from './cat';
export { echoProgram } from './echo';
export { falseProgram, trueProgram } from './exit-status';
export { hostnameProgram } from './hostname';
export { sleepProgram } from './sleep';

/** Registers arp, hostname, cat, sleep, echo, true and false. */
export function registerBasicPrograms<R extends ProgramRegistry<NetworkNamespace, Machine>>(registry: R): R {
  registry.register('arp', arpProgram);
  registry.register('hostname', hostnameProgram);
  registry.register('cat', catProgram);
  registry.register('sleep', sleepProgram);
  registry.register('echo', echoProgram);
  registry.register('true', trueProgram);
  registry.register('false', falseProgram);
  return registry;
}
