/**
 * Puts the network tools of an alpine container into a machine's program registry: busybox's
 * ping, traceroute, nslookup and nc, and BIND's dig (alpine's bind-tools).
 */
import type { NetworkNamespace } from '../../stack';
import type { ProgramRegistry } from '../program';
import { makeDig } from './dig';
import { nc } from './nc';
import { nslookup } from './nslookup';
import { ping } from './ping';
import { traceroute } from './traceroute';

export interface NetToolsOptions {
  /** The Unix time, in nanoseconds, at simulated time 0 (the scenario's `start`; dig prints it). */
  readonly start?: bigint;
}

export function registerNetTools<S>(registry: ProgramRegistry<NetworkNamespace, S>, options: NetToolsOptions = {}): void {
  registry
    .register('ping', ping)
    .register('traceroute', traceroute)
    .register('nslookup', nslookup)
    .register('dig', makeDig(options.start === undefined ? {} : { start: options.start }))
    .register('nc', nc);
}
