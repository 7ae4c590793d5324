/**
 * `cnmlab`: the command line (SCENARIOS.md "Running"). The only code that touches files, the
 * wall clock and `process`; everything it runs is deterministic.
 *
 * Exit status: 0 every expectation held; 1 an expectation failed; 2 a scenario is invalid (one
 * line, file:line:col) or the command line is wrong; 3 the emulator failed (a bug, with a stack
 * trace). With several scenarios, each runs and the status is the worst one (3 > 2 > 1 > 0).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  checkScenario, defaultPrograms, formatPos, formatTranscript, loadScenarioText, reportJson, runScenario, runSucceeded,
  ScenarioError, type CaptureFileOpener, type ProgramInstaller, type RunReport, type Scenario,
} from '../scenario';
import { BENCH_HELP, MAIN_HELP, RUN_HELP, VALIDATE_HELP } from './help';
import { benchCommand } from './bench-command';
import { FileSink } from './file-sink';
import { ProgressLine } from './progress-line';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal (the progress line shows only there). */
  readonly stderrIsTty: boolean;
}

export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 3 } as const;

/** Defaults of `cnmlab run`. */
export const RUN_DEFAULTS = {
  /** Captures go to DIR/<scenario name>/. */
  capturesDir: 'captures',
} as const;

const processIo: CliIo = {
  stdout: (t) => { process.stdout.write(t); },
  stderr: (t) => { process.stderr.write(t); },
  get stderrIsTty() { return process.stderr.isTTY === true; },
};

/** What a run can be given besides argv (tests give their own programs). */
export interface CliOptions {
  /** The programs every machine knows (default: defaultPrograms()). */
  readonly programs?: readonly ProgramInstaller[];
}

/** Runs the command line `argv` (without "node" and the script). Resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo, opts: CliOptions = {}): Promise<number> {
  try {
    return await dispatch([...argv], io, opts.programs ?? defaultPrograms());
  } catch (e) {
    io.stderr(`cnmlab: internal error (a bug): ${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
    return EXIT.internal;
  }
}

async function dispatch(argv: string[], io: CliIo, programs: readonly ProgramInstaller[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      io.stderr(MAIN_HELP);
      return EXIT.invalid;
    case '-h':
    case '--help':
      io.stdout(MAIN_HELP);
      return EXIT.ok;
    case 'help': {
      const topic = rest[0];
      const text = topic === undefined ? MAIN_HELP : HELP_BY_COMMAND[topic];
      if (text === undefined) return usageError(io, `help: unknown command "${topic}" (expected run, validate or bench)`);
      io.stdout(text);
      return EXIT.ok;
    }
    case '-V':
    case '--version':
      io.stdout(`cnmlab ${version()}\n`);
      return EXIT.ok;
    case 'run':
      return run(rest, io, programs);
    case 'validate':
      return validate(rest, io, programs);
    case 'bench':
      return bench(rest, io);
    default:
      return usageError(io, `unknown command "${command}" (expected run, validate or bench)`);
  }
}

const HELP_BY_COMMAND: Readonly<Record<string, string>> = { run: RUN_HELP, validate: VALIDATE_HELP, bench: BENCH_HELP };

function usageError(io: CliIo, message: string, command?: string): number {
  const help = command === undefined ? "'cnmlab --help'" : `'cnmlab ${command} --help'`;
  io.stderr(`cnmlab: ${message}\nRun ${help} for usage.\n`);
  return EXIT.invalid;
}

/** package.json's version (dist/src/cli/main.js → the package root). */
function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/** node:util parseArgs, with its errors turned into one short line. */
function parse(command: string, args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options'], io: CliIo): Parsed | number {
  try {
    const { values, positionals } = parseArgs({ args, options: options ?? {}, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    let message = err.message ?? String(e);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) message = `unknown option '${unknown[1]}'`;
    else if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') message = message.replace(/^Option '([^']+)'.*argument missing$/, "option '$1' needs a value");
    return usageError(io, `${command}: ${message}`, command);
  }
}

function readScenario(file: string, io: CliIo): Scenario | number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    io.stderr(`cnmlab: cannot read ${file}: ${why}\n`);
    return EXIT.invalid;
  }
  try {
    return loadScenarioText(text, file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.stderr(`${e.toString()}\n`);
    return EXIT.invalid;
  }
}

async function validate(args: string[], io: CliIo, programs: readonly ProgramInstaller[]): Promise<number> {
  const parsed = parse('validate', args, { help: { type: 'boolean', short: 'h' } }, io);
  if (typeof parsed === 'number') return parsed;
  if (parsed.values.help) { io.stdout(VALIDATE_HELP); return EXIT.ok; }
  if (parsed.positionals.length === 0) return usageError(io, 'validate: no scenario file given', 'validate');
  let status: number = EXIT.ok;
  for (const file of parsed.positionals) {
    const scenario = readScenario(file, io);
    if (typeof scenario === 'number') { status = Math.max(status, scenario); continue; }
    try {
      checkScenario(scenario, { programs });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      io.stderr(`${e.toString()}\n`);
      status = Math.max(status, EXIT.invalid);
      continue;
    }
    const n = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;
    io.stdout(`${file}: ok (${n(scenario.hosts.size, 'host')}, ${n(scenario.routers.size, 'router')}, ${n(scenario.lans.size, 'LAN')}, ${n(scenario.steps.length, 'step')})\n`);
  }
  return status;
}

const RUN_OPTIONS = {
  captures: { type: 'string' },
  'no-captures': { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function run(args: string[], io: CliIo, programs: readonly ProgramInstaller[]): Promise<number> {
  const parsed = parse('run', args, RUN_OPTIONS, io);
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  if (v.help) { io.stdout(RUN_HELP); return EXIT.ok; }
  if (parsed.positionals.length === 0) return usageError(io, 'run: no scenario file given', 'run');
  if (v['no-captures'] && v.captures !== undefined) return usageError(io, 'run: --captures and --no-captures contradict each other', 'run');
  let seed: number | undefined;
  if (typeof v.seed === 'string') {
    seed = /^[0-9]+$/.test(v.seed) ? Number(v.seed) : NaN;
    if (!Number.isSafeInteger(seed)) return usageError(io, `run: --seed: found "${v.seed}", expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}`, 'run');
  }
  const capturesDir = v['no-captures'] ? undefined : typeof v.captures === 'string' ? v.captures : RUN_DEFAULTS.capturesDir;
  const json = v.json === true;
  const quiet = v.quiet === true && !json;

  let status: number = EXIT.ok;
  const runs: object[] = [];
  let first = true;
  for (const file of parsed.positionals) {
    const scenario = readScenario(file, io);
    if (typeof scenario === 'number') {
      status = Math.max(status, scenario);
      if (json) runs.push({ file, exit: scenario, error: 'the scenario could not be loaded (see stderr)' });
      continue;
    }
    const folder = capturesDir === undefined ? undefined : join(capturesDir, scenario.name);
    const started = performance.now();
    const progress = io.stderrIsTty ? new ProgressLine(scenario.name, (t) => io.stderr(t), () => performance.now()) : undefined;
    let report: RunReport;
    try {
      if (folder !== undefined) removeOldCaptures(folder);
      report = runScenario(scenario, {
        programs,
        ...(seed === undefined ? {} : { seed }),
        ...(folder === undefined ? {} : { captures: fileOpener(folder) }),
        ...(progress === undefined ? {} : { onProgress: (p) => progress.update(p, scenario.steps.length) }),
      });
    } catch (e) {
      progress?.clear();
      if (!(e instanceof ScenarioError)) {
        io.stderr(`cnmlab: internal error (a bug) while running ${file}: ${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
        status = Math.max(status, EXIT.internal);
        if (json) runs.push({ file, exit: EXIT.internal, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
      io.stderr(`${e.toString()}\n`);
      status = Math.max(status, EXIT.invalid);
      if (json) runs.push({ file, exit: EXIT.invalid, error: { at: formatPos(e.pos), message: e.message } });
      continue;
    }
    progress?.clear();
    const wallSeconds = (performance.now() - started) / 1000;
    const capturesPath = folder === undefined ? undefined : `${folder}/`;
    const exit = runSucceeded(report) ? EXIT.ok : EXIT.failed;
    status = Math.max(status, exit);
    const shown = { wallSeconds, ...(capturesPath === undefined ? {} : { capturesPath }) };
    if (json) {
      runs.push({ exit, ...reportJson(report, shown) });
    } else {
      if (!first) io.stdout('\n');
      io.stdout(formatTranscript(report, { ...shown, quiet }));
      first = false;
    }
  }
  if (json) io.stdout(`${JSON.stringify({ cnmlab: version(), exit: status, runs }, null, 2)}\n`);
  return status;
}

/** Capture files of one scenario go in `folder`. */
function fileOpener(folder: string): CaptureFileOpener {
  return (path) => new FileSink(join(folder, path));
}

/**
 * Removes the capture files an earlier run of the same scenario left (its links may have been
 * different), so the folder holds exactly what the manifest lists. Only cnmlab's own kinds of
 * files are touched.
 */
function removeOldCaptures(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const n of names) {
    if (n.endsWith('.pcap') || n.endsWith('.pcapng') || n === 'manifest.json') rmSync(join(folder, n), { force: true });
  }
}

/** `cnmlab bench`: src/bench runs BENCH.md's workloads; bench-command.ts gives them the wall clock. */
async function bench(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(BENCH_HELP); return EXIT.ok; }
  return benchCommand(args, io);
}
