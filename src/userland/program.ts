/**
 * Programs: what a scenario step (or `docker exec`) runs inside a network namespace.
 *
 * A program is a function that starts a process: it reads argv, writes to stdout/stderr, uses
 * sockets of its namespace, and calls `exit(code)` exactly once, possibly much later in
 * simulated time (ping -c 5 exits after ~4 s of simulated time). It never blocks: it schedules
 * its next step with the scheduler, like every device. The runner starts it and runs the
 * scheduler until the process has exited.
 *
 * Heads up: a program that prints must print the exact bytes the real tool prints (busybox
 * for containers, iproute2 for `ip`), newline included, because transcripts are compared
 * byte for byte with real terminals.
 */
import type { Rng, Scheduler } from '../sim';

/** A file system of plain text files, enough for /etc/hosts, /etc/resolv.conf, /etc/hostname. */
export interface VirtualFiles {
  read(path: string): string | undefined;
  write(path: string, content: string): void;
  list(): string[];
}

export class MemoryFiles implements VirtualFiles {
  readonly #files = new Map<string, string>();
  constructor(initial?: Record<string, string>) {
    if (initial) for (const [k, v] of Object.entries(initial)) this.#files.set(k, v);
  }
  read(path: string): string | undefined { return this.#files.get(path); }
  write(path: string, content: string): void { this.#files.set(path, content); }
  list(): string[] { return [...this.#files.keys()].sort(); }
}

export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * What a process sees of its machine. `N` is the namespace type and `S` the machine type of
 * the stack layer; they are parameters so that this contract does not pin the stack's API.
 */
export interface ProgramEnv<N = unknown, S = unknown> {
  readonly scheduler: Scheduler;
  /** This process's own RNG stream (ephemeral ports, ping ids, DNS ids). */
  readonly rng: Rng;
  /** The namespace the process runs in. */
  readonly ns: N;
  /** The machine (host kernel) the namespace belongs to: `ip netns`, `ip link add`, … use it. */
  readonly machine: S;
  readonly files: VirtualFiles;
  readonly hostname: string;
  /** Other programs, for `ip netns exec NS CMD…` and shells that run a command. */
  readonly programs: ProgramRegistry<N, S>;
}

/** A started process. `kill` stops it early (the runner's time limit): exit status 137. */
export interface ProcessHandle {
  kill(): void;
}

export type Program<N = unknown, S = unknown> = (
  argv: readonly string[],
  env: ProgramEnv<N, S>,
  io: ProgramIo,
  exit: (code: number) => void,
) => ProcessHandle | void;

export class ProgramRegistry<N = unknown, S = unknown> {
  readonly #programs = new Map<string, Program<N, S>>();
  register(name: string, program: Program<N, S>): this {
    this.#programs.set(name, program);
    return this;
  }
  lookup(name: string): Program<N, S> | undefined {
    return this.#programs.get(name);
  }
  names(): string[] {
    return [...this.#programs.keys()].sort();
  }
}
