/**
 * One run of a scenario, end to end: build the world, attach the captures, check that every
 * step names a command its machine knows, run the steps, close the captures, and report.
 * The CLI calls this; so do tests, with in-memory capture sinks.
 */
import { DecisionNotes, type LinkDirectionStats } from '../devices';
import { CommandSyntaxError, splitCommand } from './shell-words';
import { CaptureSet, type CaptureFileOpener, type CaptureManifest } from './capture-set';
import { Runner, unknownCommandError, type RunnerOptions } from './runner';
import { World, type ProgramInstaller } from './world';
import type { Scenario } from './scenario-types';
import type { LinkDirectionReport, LinkReport, RunReport } from './run-report';

export interface RunScenarioOptions extends RunnerOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** The programs every machine knows. */
  readonly programs?: readonly ProgramInstaller[];
  /** Opens a file of the scenario's capture folder; absent: no captures are written. */
  readonly captures?: CaptureFileOpener;
}

/**
 * Checks what can be checked without running: the world can be built and every step's command
 * is one its machine knows. Throws ScenarioError at the first step that names an unknown
 * command (the same error the runner gives when it reaches that step).
 */
export function checkScenario(scenario: Scenario, opts: Pick<RunScenarioOptions, 'seed' | 'programs'> = {}): World {
  const world = new World(scenario, opts);
  checkCommands(world);
  return world;
}

/** Runs a scenario. Throws ScenarioError when a step is invalid (unknown command, bad flag). */
export function runScenario(scenario: Scenario, opts: RunScenarioOptions = {}): RunReport {
  const world = new World(scenario, opts);
  checkCommands(world);

  let captures: CaptureSet | undefined;
  if (opts.captures) {
    const notes = new DecisionNotes();
    world.trace.subscribe(notes.observe);
    captures = new CaptureSet({ scenario: scenario.name, seed: world.seed, startNs: scenario.start, open: opts.captures, commentFor: notes.commentFor });
    const set = captures;
    for (const l of world.links) set.declareLink(l.link.name, l.ends, l.lan !== undefined);
    // Links made during the run get their file when they are made, frames or not.
    world.onLinkCreated((l) => set.declareLink(l.link.name, l.ends, l.lan !== undefined));
    world.trace.subscribe(set.observe);
  }

  const runner = new Runner(world, {
    ...opts,
    onStepEnd: (result) => {
      // SCENARIOS.md: capture files are complete up to the end of every step, so a crash
      // later leaves files Wireshark can read.
      captures?.flush();
      opts.onStepEnd?.(result);
    },
  });
  let manifest: CaptureManifest | undefined;
  let outcome;
  try {
    outcome = runner.runAll();
  } finally {
    manifest = captures?.close();
  }

  let passed = 0;
  // A step that stopped the run failed too.
  let failed = outcome.aborted === undefined ? 0 : 1;
  for (const s of outcome.steps) {
    if (!s.counted) continue;
    if (s.status === 'done') passed++;
    else failed++;
  }
  const report: RunReport = {
    scenario: scenario.name,
    file: scenario.file,
    seed: world.seed,
    steps: outcome.steps,
    passed,
    failed,
    simulatedNs: world.scheduler.now,
    events: outcome.events,
    links: world.links.map((l): LinkReport => ({
      name: l.link.name,
      ends: l.ends,
      ...(l.lan === undefined ? {} : { lan: l.lan }),
      aToB: directionReport(l.link.stats.aToB),
      bToA: directionReport(l.link.stats.bToA),
    })),
    ...(scenario.description === undefined ? {} : { description: scenario.description }),
    ...(outcome.aborted === undefined ? {} : { aborted: { ...outcome.aborted, pos: scenario.steps[outcome.aborted.index]!.pos } }),
    ...(manifest === undefined ? {} : { captures: manifest }),
  };
  return report;
}

function directionReport(s: LinkDirectionStats): LinkDirectionReport {
  const drops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(s.drops)) if (n > 0) drops[reason] = n;
  return { frames: s.frames, bytes: s.bytes, drops };
}

/** Marks a variable's value so that a command name coming from a variable is recognised. */
const FROM_VARIABLE = '\u0000';

/** Every run step's command must be one its machine knows (unless the name comes from a variable). */
function checkCommands(world: World): void {
  // The loader's rule: variables come from earlier captures; their values are not known yet.
  const vars = new Map<string, string>();
  for (const step of world.scenario.steps) {
    if (step.kind !== 'run') continue;
    let name: string | undefined;
    try {
      name = splitCommand(step.run, vars)[0];
    } catch (e) {
      if (!(e instanceof CommandSyntaxError)) throw e;
    }
    for (const v of step.capture?.keys() ?? []) vars.set(v, `${FROM_VARIABLE}${v}`);
    if (name === undefined || name.includes(FROM_VARIABLE)) continue;
    const machine = world.machine(step.on);
    if (machine.programs.lookup(name) === undefined) throw unknownCommandError(machine, step.pos, name);
  }
}
