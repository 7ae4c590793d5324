/**
 * The step runner: runs a scenario's steps in simulated time on a built World
 * (SCENARIOS.md "Commands a step can run" and "Running").
 *
 * - A `run` step splits its command line with the variables earlier steps captured (the same
 *   rule the loader checked with, load-steps.ts), looks the first word up in the machine's
 *   ProgramRegistry and starts that program with the machine's root namespace. Then it runs the
 *   scheduler until the process exits. Nothing here knows any command: the Docker layer makes
 *   `docker` work by registering a program, like userland registers `ping`.
 * - A `sleep` step runs the scheduler for that long: devices keep running (ARP timers, pings in
 *   flight).
 * - `expect:` is judged on the exit status and the output; `capture:` saves each regex's first
 *   group from stdout for later `${VAR}`s.
 *
 * Errors that make the scenario invalid (exit 2 in the CLI) are thrown as ScenarioError at the
 * step's position: an unknown command (naming the known ones) and a program's UsageError (a bad
 * flag). Anything else a program or device throws is a bug of the emulator and propagates.
 *
 * Limits (RUNNER_DEFAULTS): a process that has not exited after `processTimeLimit` of simulated
 * time is killed (exit 137, a clear note, the step fails); a step that executes more than
 * `maxEventsPerStep` events stops the run (a forwarding loop or a storm keeps the scheduler
 * busy without ever letting time reach the limit).
 */
import { formatSimTime, sec, type Nanos, type Rng } from '../sim';
import { UsageError, type ProcessHandle, type ProgramEnv, type ProgramIo } from '../userland';
import type { Machine, NetworkNamespace } from '../stack';
import { ScenarioError, type SourcePos } from './scenario-error';
import { CommandSyntaxError, splitCommand } from './shell-words';
import { matcherMatches } from './matcher';
import { formatDuration } from './units';
import type { Matcher, RunStep, SleepStep } from './scenario-types';
import type { World, WorldMachine } from './world';
import type { CheckKind, CheckResult, OutputChunk, RunStepResult, SleepStepResult, StepResult } from './run-report';

/** The runner's limits; each can be overridden per run. */
export interface RunnerLimits {
  /** A process still running after this much simulated time is killed. */
  readonly processTimeLimit: Nanos;
  /** More events than this in one step stop the run. */
  readonly maxEventsPerStep: number;
}

/**
 * Defaults of the runner:
 * - `processTimeLimit`: one simulated hour. Longer than any command a tutorial types (ping -c
 *   100 takes 99 s), short enough that a forgotten `-c` costs little wall time.
 * - `maxEventsPerStep`: 50 million events, some seconds of wall time; a broadcast storm in a
 *   looped topology reaches it long before its simulated time gets anywhere.
 * - `progressEvents`: how often (in events) the progress callback is called.
 */
export const RUNNER_DEFAULTS = {
  processTimeLimit: sec(3600),
  maxEventsPerStep: 50_000_000,
  progressEvents: 1 << 16,
} as const;

/** What the progress callback gets. */
export interface RunProgress {
  readonly simulatedNs: Nanos;
  /** Events executed since the run started. */
  readonly events: number;
  /** 0-based index of the step running. */
  readonly step: number;
}

export interface RunnerOptions {
  readonly limits?: Partial<RunnerLimits>;
  /** Called every RUNNER_DEFAULTS.progressEvents events and at the end of every step. */
  readonly onProgress?: (p: RunProgress) => void;
  /** Called after every step (the run flushes capture files here). */
  readonly onStepEnd?: (result: StepResult) => void;
}

/** Thrown inside the runner when a step blows the event budget; it ends the run. */
export class EventBudgetExceeded extends Error {
  override readonly name = 'EventBudgetExceeded';
}

export interface StepsOutcome {
  readonly steps: StepResult[];
  readonly aborted?: { readonly index: number; readonly message: string };
  readonly events: number;
}

export class Runner {
  readonly #world: World;
  readonly #limits: RunnerLimits;
  readonly #opts: RunnerOptions;
  readonly #vars = new Map<string, string>();
  readonly #processRng: Rng;
  readonly #eventsAtStart: number;
  #stepIndex = 0;

  constructor(world: World, opts: RunnerOptions = {}) {
    this.#world = world;
    this.#opts = opts;
    this.#limits = { ...RUNNER_DEFAULTS, ...opts.limits };
    this.#processRng = world.rng.fork('process');
    this.#eventsAtStart = world.scheduler.stats.executed;
  }

  /** Variables captured so far. */
  get variables(): ReadonlyMap<string, string> {
    return this.#vars;
  }

  /** Runs every step of the world's scenario, in order. Throws ScenarioError for an invalid step. */
  runAll(): StepsOutcome {
    const steps: StepResult[] = [];
    const scenario = this.#world.scenario;
    for (const [index, step] of scenario.steps.entries()) {
      this.#stepIndex = index;
      let result: StepResult;
      try {
        result = step.kind === 'sleep' ? this.#sleep(step, index) : this.#run(step, index);
      } catch (e) {
        if (!(e instanceof EventBudgetExceeded)) throw e;
        return { steps, aborted: { index, message: e.message }, events: this.#events() };
      }
      steps.push(result);
      this.#progress();
      this.#opts.onStepEnd?.(result);
    }
    return { steps, events: this.#events() };
  }

  #events(): number {
    return this.#world.scheduler.stats.executed - this.#eventsAtStart;
  }

  #progress(): void {
    this.#opts.onProgress?.({ simulatedNs: this.#world.scheduler.now, events: this.#events(), step: this.#stepIndex });
  }

  #sleep(step: SleepStep, index: number): SleepStepResult {
    const scheduler = this.#world.scheduler;
    const startNs = scheduler.now;
    const until = startNs + step.duration;
    const chunk = RUNNER_DEFAULTS.progressEvents;
    let budget = this.#limits.maxEventsPerStep;
    for (;;) {
      const r = scheduler.run({ until, maxEvents: Math.min(chunk, budget) });
      budget -= r.executed;
      if (r.stoppedBy !== 'maxEvents') break;
      if (budget <= 0) throw this.#overBudget(`sleep ${formatDuration(step.duration)}`);
      this.#progress();
    }
    return { kind: 'sleep', index, pos: step.pos, duration: step.duration, startNs, endNs: scheduler.now, status: 'done', counted: false };
  }

  #overBudget(what: string): EventBudgetExceeded {
    const t = formatSimTime(this.#world.scheduler.now);
    return new EventBudgetExceeded(
      `${what}: more than ${this.#limits.maxEventsPerStep} events in one step (simulated time ${t}); ` +
      'the run stopped. Frames may be circling in a forwarding loop (two bridges joined twice) or a process may be busy forever.',
    );
  }

  #run(step: RunStep, index: number): RunStepResult {
    const world = this.#world;
    const scheduler = world.scheduler;
    const machine = world.machine(step.on);
    const startNs = scheduler.now;
    const base = { kind: 'run' as const, index, pos: step.pos, on: step.on, command: step.run, startNs };

    let argv: string[];
    try {
      argv = splitCommand(step.run, this.#vars);
    } catch (e) {
      if (!(e instanceof CommandSyntaxError)) throw e;
      // The loader checked the syntax with every variable that some earlier step captures, so
      // what is left is a variable whose capture found nothing.
      const variable = /unknown variable \$\{(\w+)\}/.exec(e.message)?.[1];
      const note = variable === undefined ? `not run: ${e.message}` : `not run: it uses \${${variable}}, which no capture has set (the capture that should have found it found nothing)`;
      return {
        ...base, argv: [], output: [], stdout: '', stderr: '', endNs: startNs, checks: [], captured: {},
        status: 'not-run', note, counted: true,
      };
    }

    const name = argv[0]!;
    const program = machine.programs.lookup(name);
    if (program === undefined) throw unknownCommandError(machine, step.pos, name);

    const output: OutputChunk[] = [];
    let exitCode: number | undefined;
    const io: ProgramIo = {
      stdout: (text) => { if (exitCode === undefined && text !== '') output.push({ stream: 'stdout', text }); },
      stderr: (text) => { if (exitCode === undefined && text !== '') output.push({ stream: 'stderr', text }); },
    };
    const env: ProgramEnv<NetworkNamespace, Machine> = {
      scheduler,
      rng: this.#processRng.fork(`step:${index}`),
      ns: machine.ns,
      machine: machine.machine,
      files: machine.files,
      hostname: machine.ns.hostname,
      programs: machine.programs,
    };
    const exit = (code: number): void => {
      if (exitCode !== undefined) return;
      exitCode = Number.isInteger(code) && code >= 0 ? code & 0xff : 1;
    };

    let handle: ProcessHandle | void;
    try {
      handle = program(argv, env, io, exit);
    } catch (e) {
      if (e instanceof UsageError) throw new ScenarioError(step.pos, `${name}: ${e.message}`);
      throw e;
    }

    let timedOut = false;
    const deadline = scheduler.scheduleAt(startNs + this.#limits.processTimeLimit, () => { timedOut = true; });
    const progressMask = RUNNER_DEFAULTS.progressEvents - 1;
    let events = 0;
    while (exitCode === undefined && !timedOut) {
      if (!scheduler.step()) break;
      events++;
      if ((events & progressMask) === 0) {
        if (events >= this.#limits.maxEventsPerStep) throw this.#overBudget(`${step.on}$ ${firstLine(step.run)}`);
        this.#progress();
      }
    }
    scheduler.cancel(deadline);

    let note: string | undefined;
    if (exitCode === undefined) {
      note = `killed: still running after ${formatDuration(this.#limits.processTimeLimit)} of simulated time (a command that never ends, like ping without -c?)`;
      // Set first: like SIGKILL, the process gets no chance to print or choose its status.
      exitCode = 137;
      if (handle) handle.kill();
    }
    const code = exitCode;
    const stdout = joinStream(output, 'stdout');
    const stderr = joinStream(output, 'stderr');
    const checks = judge(step, code, stdout, stderr);
    const captured: Record<string, string> = {};
    if (step.capture) {
      for (const [variable, regex] of step.capture) {
        const m = regex.exec(stdout);
        const value = m?.[1];
        if (value === undefined) {
          checks.push({ kind: 'capture', source: regex.source, pos: step.pos, passed: false, message: `capture ${variable}: /${regex.source}/ found nothing in stdout` });
        } else {
          captured[variable] = value;
          this.#vars.set(variable, value);
          checks.push({ kind: 'capture', source: regex.source, pos: step.pos, passed: true, message: '' });
        }
      }
    }
    const killed = note !== undefined;
    const failed = killed || checks.some((c) => !c.passed);
    return {
      ...base, argv, output, stdout, stderr, exit: code, endNs: scheduler.now, checks, captured,
      status: killed ? 'killed' : failed ? 'failed' : 'done',
      ...(note === undefined ? {} : { note }),
      counted: killed || checks.length > 0,
    };
  }
}

function joinStream(output: readonly OutputChunk[], stream: OutputChunk['stream']): string {
  let s = '';
  for (const c of output) if (c.stream === stream) s += c.text;
  return s;
}

function firstLine(command: string): string {
  const nl = command.indexOf('\n');
  return nl < 0 ? command : `${command.slice(0, nl)} …`;
}

/** The error for a command no program answers to, naming the ones that exist. */
export function unknownCommandError(machine: WorldMachine, pos: SourcePos, name: string): ScenarioError {
  const known = machine.programs.names();
  if (name === 'docker' && machine.kind === 'host' && machine.docker) {
    return new ScenarioError(pos, `docker: the Docker Engine emulation is not available in this build of cnmlab, so "${machine.name}" runs no docker commands; give the steps to hosts with "docker: false" or to routers${known.length ? ` (known commands: ${known.join(', ')})` : ''}`);
  }
  if (name === 'docker') {
    const why = machine.kind === 'router' ? `"${machine.name}" is a router` : `"${machine.name}" has "docker: false"`;
    return new ScenarioError(pos, `unknown command "docker": ${why}, so it runs no Docker Engine${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const near = nearestCommand(name, known);
  const hint = near === undefined ? '' : `did you mean "${near}"? `;
  return new ScenarioError(pos, `unknown command "${name}" on ${machine.name} (${hint}${known.length ? `known: ${known.join(', ')}` : 'this machine knows no commands'})`);
}

/**
 * The known command a typo most likely meant: the smallest optimal-string-alignment distance
 * (Levenshtein plus swapping two neighbours, the commonest typing slip: "pnig" for "ping"),
 * at most 1 for names up to 5 characters and 2 beyond.
 */
function nearestCommand(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = osaDistance(name, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return bestDistance <= (name.length <= 5 ? 1 : 2) ? best : undefined;
}

function osaDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function judge(step: RunStep, exit: number, stdout: string, stderr: string): CheckResult[] {
  const e = step.expect;
  if (e === undefined) return [];
  const out: CheckResult[] = [];
  if (e.exit !== undefined) {
    const passed = exit === e.exit;
    out.push({ kind: 'exit', source: String(e.exit), pos: e.pos, passed, message: passed ? '' : `exit status ${exit}, expected ${e.exit}` });
  }
  const each = (kind: CheckKind, matchers: readonly Matcher[], text: string, want: boolean, stream: string): void => {
    for (const m of matchers) {
      const passed = matcherMatches(m, text) === want;
      out.push({ kind, source: m.source, pos: m.pos, passed, message: passed ? '' : describeMiss(m, want, stream) });
    }
  };
  each('stdout', e.stdout, stdout, true, 'stdout');
  each('not_stdout', e.notStdout, stdout, false, 'stdout');
  each('stderr', e.stderr, stderr, true, 'stderr');
  each('not_stderr', e.notStderr, stderr, false, 'stderr');
  return out;
}

function describeMiss(m: Matcher, wanted: boolean, stream: string): string {
  if ('regex' in m) return wanted ? `${stream} does not match ${m.source}` : `${stream} matches ${m.source}, which it must not`;
  return wanted ? `${stream} does not contain ${JSON.stringify(m.text)}` : `${stream} contains ${JSON.stringify(m.text)}, which it must not`;
}
