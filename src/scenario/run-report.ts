/**
 * What a run produced, step by step: the data behind the transcript, `--quiet` and `--json`
 * (transcript.ts formats it). Everything here is a pure function of the scenario and the seed;
 * wall-clock figures are the CLI's and are passed to the formatters separately.
 */
import type { Nanos } from '../sim';
import type { SourcePos } from './scenario-error';
import type { CaptureManifest } from './capture-set';

/** A piece of a process's output, in the order the process wrote it (a terminal interleaves them). */
export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Which part of a step's `expect:` (or `capture:`) a check comes from. */
export type CheckKind = 'exit' | 'stdout' | 'not_stdout' | 'stderr' | 'not_stderr' | 'capture';

/** One expectation or capture, judged. */
export interface CheckResult {
  readonly kind: CheckKind;
  /** What the file said: "0", "5 packets transmitted", "/ttl=6[34]/", the capture's regex. */
  readonly source: string;
  readonly pos: SourcePos;
  readonly passed: boolean;
  /** Why it failed, e.g. `stdout does not contain "5 packets transmitted"` (empty when it passed). */
  readonly message: string;
}

/**
 * How a step ended:
 * - `done`: the command exited (or the sleep elapsed) and every check held;
 * - `failed`: the command exited and at least one check failed;
 * - `killed`: the process did not exit within the time limit and was killed (exit 137);
 * - `not-run`: the command needs a variable an earlier capture did not set.
 */
export type StepStatus = 'done' | 'failed' | 'killed' | 'not-run';

export interface RunStepResult {
  readonly kind: 'run';
  /** 0-based index in `steps:`. */
  readonly index: number;
  readonly pos: SourcePos;
  readonly on: string;
  /** The command line as written in the file. */
  readonly command: string;
  /** The words it was split into (variables expanded); empty when it was not run. */
  readonly argv: readonly string[];
  readonly output: readonly OutputChunk[];
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; absent when the step was not run. */
  readonly exit?: number;
  readonly startNs: Nanos;
  readonly endNs: Nanos;
  readonly checks: readonly CheckResult[];
  /** Variables this step set. */
  readonly captured: Readonly<Record<string, string>>;
  readonly status: StepStatus;
  /** The runner's own explanation when a step was killed or not run. */
  readonly note?: string;
  /** Whether the step counts in the summary: it has expectations or captures, or it went wrong. */
  readonly counted: boolean;
}

export interface SleepStepResult {
  readonly kind: 'sleep';
  readonly index: number;
  readonly pos: SourcePos;
  readonly duration: Nanos;
  readonly startNs: Nanos;
  readonly endNs: Nanos;
  readonly status: 'done';
  readonly counted: false;
}

export type StepResult = RunStepResult | SleepStepResult;

/** Counters of one direction of a link. */
export interface LinkDirectionReport {
  readonly frames: number;
  readonly bytes: number;
  /** Drops by reason (only reasons that happened). */
  readonly drops: Readonly<Record<string, number>>;
}

/** A link's counters: `aToB` is what its first end sent (for a LAN port, the switch to the NIC). */
export interface LinkReport {
  readonly name: string;
  readonly ends: readonly [string, string];
  /** The LAN of a LAN port. */
  readonly lan?: string;
  readonly aToB: LinkDirectionReport;
  readonly bToA: LinkDirectionReport;
}

export interface RunReport {
  readonly scenario: string;
  readonly description?: string;
  readonly file: string;
  /** The seed the run used (the scenario's, or --seed). */
  readonly seed: number;
  readonly steps: readonly StepResult[];
  /** Counted steps whose checks all held, and counted steps that did not. */
  readonly passed: number;
  readonly failed: number;
  /** Simulated time when the last step ended. */
  readonly simulatedNs: Nanos;
  /** Scheduler events executed. */
  readonly events: number;
  /** Set when the run stopped before its last step (an event budget exceeded). */
  readonly aborted?: { readonly index: number; readonly pos: SourcePos; readonly message: string };
  readonly links: readonly LinkReport[];
  /** Present when captures were written. */
  readonly captures?: CaptureManifest;
}

/** Whether the run as a whole held: no failed step and not aborted. */
export function runSucceeded(r: RunReport): boolean {
  return r.failed === 0 && r.aborted === undefined;
}
