/**
 * The shape of the network tools: programs of any machine type whose namespace is the stack's
 * NetworkNamespace, plus what every one of them needs at start (a scope, a resolver, a pid).
 */
import type { NetworkNamespace } from '../../stack';
import type { Rng } from '../../sim';
import type { ProcessHandle, ProgramEnv, ProgramIo } from '../program';
import { StubResolver } from '../resolver';
import { ProcessScope } from './process-scope';

/** A network tool: generic in the machine type, so any registry of NetworkNamespace programs takes it. */
export type NetProgram = <S>(
  argv: readonly string[],
  env: ProgramEnv<NetworkNamespace, S>,
  io: ProgramIo,
  exit: (code: number) => void,
) => ProcessHandle;

/** The pseudo process IDs the tools use where the real ones use getpid(). */
export const PROCESS_ID_DEFAULTS = {
  /** Smallest pid drawn (1 is the container's init). */
  min: 2,
  /** Linux's default pid_max: pids stay below it. */
  pidMax: 32768,
};

/**
 * A per-process stand-in for getpid(): ping's echo identifier, traceroute's ident. Drawn from
 * the process's own RNG stream, so the same scenario and seed give the same identifiers.
 */
export function pseudoPid(rng: Rng): number {
  const { min, pidMax } = PROCESS_ID_DEFAULTS;
  return min + rng.fork('pid').int(pidMax - min);
}

/** The scope and resolver of a starting process. */
export function startProcess<S>(env: ProgramEnv<NetworkNamespace, S>, io: ProgramIo, exit: (code: number) => void): {
  scope: ProcessScope;
  resolver: StubResolver;
} {
  const scope = new ProcessScope(env.scheduler, io, exit);
  const resolver = new StubResolver({ ns: env.ns, files: env.files, scheduler: env.scheduler, rng: env.rng.fork('resolver') });
  return { scope, resolver };
}
