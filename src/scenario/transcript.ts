/**
 * The transcript of a run (SCENARIOS.md "Running"): what a terminal would have shown, then a
 * summary. Also the quiet form (`--quiet`) and the JSON document (`--json`).
 *
 *   routed: Two LANs joined by a router.          ← "name: description" (or just the name)
 *   pc1$ ping -c 1 10.2.0.10                      ← each step: the machine's prompt, the command
 *   PING 10.2.0.10 (10.2.0.10): 56 data bytes     ← its output, stdout and stderr interleaved
 *   …                                               as the program wrote them
 *   FAIL routed.yaml:14:17: stdout does not contain "0% packet loss"   ← a failed check
 *   # sleep 30s                                   ← a sleep step
 *                                                 ← a blank line
 *   0 passed, 1 failed (simulated 1.004 s, wall 0.02 s)
 *   captures: captures/routed/ (4 links, 10 frames)
 *
 * A command written over several lines shows its continuation lines after "> ", as a shell's
 * PS2 prompt would. Output that does not end with a newline gets one, so the next prompt starts
 * a line. Wall time and the capture folder's path are the CLI's, passed in: the rest depends
 * only on the scenario and the seed, so the same run prints the same text.
 */
import { formatSimTime } from '../sim';
import { formatDuration } from './units';
import type { SourcePos } from './scenario-error';
import type { CheckResult, RunReport, RunStepResult, StepResult } from './run-report';

export interface TranscriptOptions {
  /** `--quiet`: only failed steps and the summary. */
  readonly quiet?: boolean;
  /** Wall-clock seconds the run took (omitted from the summary when absent). */
  readonly wallSeconds?: number;
  /** The capture folder as the user should read it ("captures/routed/"). */
  readonly capturesPath?: string;
}

/** "file:line:col", the way compilers point at a place. */
export function formatPos(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

/** The prompt line(s) of a command: `host$ cmd`, continuation lines after "> ". */
export function promptLines(on: string, command: string): string {
  const lines = command.replace(/\s+$/, '').split('\n');
  return `${on}$ ${lines[0]}\n${lines.slice(1).map((l) => `> ${l}\n`).join('')}`;
}

/** The lines that mark what went wrong in a step (empty when it held). */
export function failureLines(step: RunStepResult): string {
  let s = '';
  if (step.note !== undefined) s += `FAIL ${formatPos(step.pos)}: ${step.note}\n`;
  for (const c of step.checks) if (!c.passed) s += `FAIL ${formatPos(c.pos)}: ${c.message}\n`;
  return s;
}

function outputText(step: RunStepResult): string {
  let s = '';
  for (const c of step.output) s += c.text;
  return s === '' || s.endsWith('\n') ? s : `${s}\n`;
}

function stepText(step: StepResult): string {
  if (step.kind === 'sleep') return `# sleep ${formatDuration(step.duration)}\n`;
  return promptLines(step.on, step.command) + outputText(step) + failureLines(step);
}

/** The summary line: "N passed, N failed (simulated 4.012 s, wall 0.05 s)". */
export function summaryLine(report: RunReport, wallSeconds?: number): string {
  const wall = wallSeconds === undefined ? '' : `, wall ${wallSeconds.toFixed(2)} s`;
  return `${report.passed} passed, ${report.failed} failed (simulated ${formatSimTime(report.simulatedNs)}${wall})`;
}

/** The capture line: "captures: captures/x/ (7 links, 42 frames)", or nothing without captures. */
export function capturesLine(report: RunReport, path: string | undefined): string {
  const m = report.captures;
  if (m === undefined || path === undefined) return '';
  const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  return `captures: ${path} (${plural(m.links, 'link')}, ${plural(m.frames, 'frame')})\n`;
}

/** The whole transcript of one run. */
export function formatTranscript(report: RunReport, opts: TranscriptOptions = {}): string {
  let s = '';
  if (!opts.quiet) s += report.description === undefined ? `${report.scenario}\n` : `${report.scenario}: ${report.description}\n`;
  for (const step of report.steps) {
    if (opts.quiet && (step.kind === 'sleep' || step.status === 'done')) continue;
    s += stepText(step);
  }
  if (report.aborted !== undefined) s += `ABORTED ${formatPos(report.aborted.pos)}: ${report.aborted.message}\n`;
  s += `\n${summaryLine(report, opts.wallSeconds)}\n`;
  s += capturesLine(report, opts.capturesPath);
  return s;
}

function checkJson(c: CheckResult): object {
  return { kind: c.kind, expected: c.source, at: formatPos(c.pos), passed: c.passed, ...(c.passed ? {} : { message: c.message }) };
}

function stepJson(step: StepResult): object {
  if (step.kind === 'sleep') {
    return { index: step.index, at: formatPos(step.pos), kind: 'sleep', duration: formatDuration(step.duration), startNs: step.startNs, endNs: step.endNs, status: step.status };
  }
  return {
    index: step.index,
    at: formatPos(step.pos),
    kind: 'run',
    on: step.on,
    command: step.command,
    argv: step.argv,
    ...(step.exit === undefined ? {} : { exit: step.exit }),
    stdout: step.stdout,
    stderr: step.stderr,
    startNs: step.startNs,
    endNs: step.endNs,
    status: step.status,
    ...(step.note === undefined ? {} : { note: step.note }),
    expectations: step.checks.map(checkJson),
    captured: step.captured,
  };
}

/** The `--json` document of one run (the CLI wraps several runs in one document). */
export function reportJson(report: RunReport, opts: Pick<TranscriptOptions, 'wallSeconds' | 'capturesPath'> = {}): object {
  return {
    scenario: report.scenario,
    ...(report.description === undefined ? {} : { description: report.description }),
    file: report.file,
    seed: report.seed,
    ok: report.failed === 0 && report.aborted === undefined,
    passed: report.passed,
    failed: report.failed,
    simulatedNs: report.simulatedNs,
    ...(opts.wallSeconds === undefined ? {} : { wallSeconds: opts.wallSeconds }),
    events: report.events,
    ...(report.aborted === undefined ? {} : { aborted: { at: formatPos(report.aborted.pos), message: report.aborted.message } }),
    steps: report.steps.map(stepJson),
    links: report.links,
    ...(report.captures === undefined ? {} : { captures: { ...(opts.capturesPath === undefined ? {} : { path: opts.capturesPath }), ...report.captures } }),
  };
}
