/**
 * One invocation of the docker CLI: where it writes, how it ends, and the Docker CLI's ways of
 * reporting errors (cli/command/container/run.go reportError, cmd/docker/docker.go main):
 *
 * - an API error is printed as `Error response from daemon: <msg>` (exit 1);
 * - "not found" answers of the calls the client wraps (inspect, rm, network rm/inspect, exec's
 *   pre-check) become `Error: No such container: X` / `Error: No such network: X`;
 * - `docker run`/`create` errors before the container starts: `docker: <msg>.` plus
 *   `See 'docker run --help'.` (exit 125).
 */
import type { Scheduler } from '../../sim';
import type { ProcessHandle, ProgramIo } from '../../userland';
import { DaemonError, formatDaemonError } from '../daemon-error';
import type { DockerEngine } from '../engine/docker-engine';
import { GENERAL_ERROR_EXIT_CODE, parseCommandLine } from './command-line';
import type { CommandSpec, ParsedFlags } from './command-line';

export class CliSession {
  readonly engine: DockerEngine;
  readonly scheduler: Scheduler;
  readonly #io: ProgramIo;
  readonly #exit: (code: number) => void;
  #done = false;

  constructor(engine: DockerEngine, scheduler: Scheduler, io: ProgramIo, exit: (code: number) => void) {
    this.engine = engine;
    this.scheduler = scheduler;
    this.#io = io;
    this.#exit = exit;
  }

  get done(): boolean {
    return this.#done;
  }

  out(text: string): void {
    if (!this.#done) this.#io.stdout(text);
  }

  err(text: string): void {
    if (!this.#done) this.#io.stderr(text);
  }

  /** Ends the command with `code`. */
  exit(code: number): void {
    if (this.#done) return;
    this.#done = true;
    this.#exit(code);
  }

  /** Prints `text` on stderr and exits with `code`. */
  fail(text: string, code = GENERAL_ERROR_EXIT_CODE): void {
    this.err(text.endsWith('\n') ? text : `${text}\n`);
    this.exit(code);
  }

  /** Prints an error the way cmd/docker's main does (`Error response from daemon: …` for API errors). */
  failWith(e: unknown): void {
    if (e instanceof DaemonError) {
      this.fail(formatDaemonError(e));
      return;
    }
    throw e;
  }

  /**
   * Parses `argv` against `spec`; on a flag or argument error prints Docker's message and
   * exits, on `--help` prints the usage; returns undefined in both cases.
   */
  parse(spec: CommandSpec, argv: readonly string[]): { flags: ParsedFlags; args: readonly string[] } | undefined {
    const r = parseCommandLine(spec, argv, this.engine.profile.version);
    switch (r.kind) {
      case 'ok':
        return { flags: r.flags, args: r.args };
      case 'help':
        this.out(`\nUsage:  ${spec.useLine}\n\n${spec.short}\n`);
        this.exit(0);
        return undefined;
      case 'error':
        this.err(r.stderr);
        this.exit(r.exitCode);
        return undefined;
    }
  }
}

/** What a command returns: nothing when it has already exited, or a handle while it runs on. */
export type CommandResult = ProcessHandle | undefined;

/** A "No such X" the client reports for a daemon 404 (client/errors.go objectNotFoundError). */
export function noSuch(kind: 'container' | 'network' | 'object', term: string): string {
  return `Error: No such ${kind}: ${term}`;
}

/** Is `e` the daemon's 404? */
export function isNotFound(e: unknown): e is DaemonError {
  return e instanceof DaemonError && e.kind === 'notFound';
}
