// Shared by the machine-*, iproute2-* and userland-basic-* tests: a simulation, a Machine, and a
// terminal that runs a command line (split on spaces) with the userland programs and returns
// what it printed and its exit status.
import { Rng, Scheduler, TraceBus, sec } from '../src/sim';
import { Machine, type MachineOptions, type NetworkNamespace } from '../src/stack';
import { MemoryFiles, ProgramRegistry, registerBasicPrograms, registerIproute2, UsageError } from '../src/userland';

export interface Sim {
  scheduler: Scheduler;
  rng: Rng;
  trace: TraceBus;
}

export function newSim(seed: string | number = 1): Sim {
  return { scheduler: new Scheduler(), rng: Rng.fromSeed(seed), trace: new TraceBus() };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class Terminal {
  readonly registry = registerBasicPrograms(registerIproute2(new ProgramRegistry<NetworkNamespace, Machine>()));
  readonly files = new MemoryFiles();
  #n = 0;

  constructor(readonly sim: Sim, readonly machine: Machine) {}

  /** Runs `line` in `ns` (default: the root namespace) until it exits (at most 60 s of simulated time). */
  run(line: string, ns: NetworkNamespace = this.machine.root): RunResult {
    const argv = line.split(' ').filter((w) => w !== '');
    const program = this.registry.lookup(argv[0]!);
    if (program === undefined) throw new Error(`no program ${argv[0]}`);
    let stdout = '';
    let stderr = '';
    let code: number | undefined;
    program(argv, {
      scheduler: this.sim.scheduler,
      rng: this.sim.rng.fork(`process:${this.#n++}`),
      ns,
      machine: this.machine,
      files: this.files,
      hostname: this.machine.hostname,
      programs: this.registry,
    }, {
      stdout: (t) => { stdout += t; },
      stderr: (t) => { stderr += t; },
    }, (c) => { code ??= c; });
    const deadline = this.sim.scheduler.now + sec(60);
    while (code === undefined && this.sim.scheduler.now <= deadline) {
      if (!this.sim.scheduler.step()) break;
    }
    if (code === undefined) throw new Error(`${line}: did not exit`);
    return { stdout, stderr, code };
  }

  /** Runs `line` and fails unless it exits 0 with nothing on stderr; returns stdout. */
  ok(line: string, ns?: NetworkNamespace): string {
    const r = this.run(line, ns);
    if (r.code !== 0 || r.stderr !== '') throw new Error(`${line}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** The UsageError message `line` is refused with (fails if it is not refused that way). */
  usage(line: string, ns?: NetworkNamespace): string {
    try {
      this.run(line, ns);
    } catch (e) {
      if (e instanceof UsageError) return e.message;
      throw e;
    }
    throw new Error(`${line}: no UsageError`);
  }
}

export function newMachine(name = 'host', opts: MachineOptions = {}, seed: string | number = 1): { sim: Sim; machine: Machine; term: Terminal } {
  const sim = newSim(seed);
  const machine = new Machine(sim, name, opts);
  return { sim, machine, term: new Terminal(sim, machine) };
}

/** Lets simulated time pass. */
export function advance(sim: Sim, seconds: number): void {
  sim.scheduler.run({ until: sim.scheduler.now + sec(seconds) });
}
