/**
 * Loading of `steps:` (SCENARIOS.md "File format"): bare command strings, `run` steps with `on`,
 * `expect` and `capture`, and `sleep` steps.
 *
 * Heads up: a command is split into words only when it runs, because `${VAR}` takes values that
 * an earlier step captured. The loader still splits each command once, with every variable that
 * an earlier step's `capture:` will define, so that quoting mistakes, `$(…)`, pipes and variables
 * no step captures are reported at load time with the line and column of the offending
 * character. The runner must follow the same rule (variables come only from earlier captures).
 */
import { isMap, isScalar } from 'yaml';
import type { SourcePos } from './scenario-error';
import type { Expect, Matcher, Step } from './scenario-types';
import { compileRegex, parseMatcher } from './matcher';
import { CommandSyntaxError, splitCommand } from './shell-words';
import { parseDuration } from './units';
import { suggestion, type Entry, type Slot, type YamlReader } from './yaml-reader';

export const STEP_KEYS = ['on', 'run', 'expect', 'capture', 'sleep'] as const;
export const EXPECT_KEYS = ['exit', 'stdout', 'not_stdout', 'stderr', 'not_stderr'] as const;
/** Captured variable names, as a shell names variables (XCU 3.235 "Name"). */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const STEP_EXPECTED = `a command string, or a map with keys ${STEP_KEYS.join(', ')}`;

/** The machines a step may run on: hosts first (file order), then routers. */
export interface StepTargets {
  readonly hosts: readonly string[];
  readonly routers: readonly string[];
}

export class StepsLoader {
  readonly #r: YamlReader;
  readonly #targets: StepTargets;
  /** Variables that earlier steps capture. */
  readonly #captured = new Set<string>();

  constructor(reader: YamlReader, targets: StepTargets) {
    this.#r = reader;
    this.#targets = targets;
  }

  load(e: Entry): Step[] {
    const r: YamlReader = this.#r;
    const written = r.resolve(e.value, e.pos);
    if (written === null || (isScalar(written) && written.value === null)) return []; // `steps:` with nothing after it
    const items = r.seq(e.value, e.pos, 'steps', `a list of steps, each ${STEP_EXPECTED}`);
    return items.items.map((item, i) => {
      const path = `steps[${i}]`;
      const node = r.resolve(item as Slot, r.posOf(items));
      const pos = node ? r.posOf(node) : r.posOf(items);
      if (node === null || (isScalar(node) && node.value === null)) {
        return r.fail(pos, `${path}: found an empty step, expected ${STEP_EXPECTED}`);
      }
      if (isScalar(node)) {
        const run = r.string(node, pos, path, STEP_EXPECTED);
        return { kind: 'run', on: this.#firstHost(pos, path), run: this.#command(node, pos, path, run), pos };
      }
      if (!isMap(node)) return r.fail(pos, `${path}: found ${r.describe(node)}, expected ${STEP_EXPECTED}`);
      return this.#mapStep(r.entries(node, path, STEP_KEYS), pos, path);
    });
  }

  #firstHost(pos: SourcePos, path: string): string {
    const first = this.#targets.hosts[0];
    if (first === undefined) this.#r.fail(pos, `${path}: a step without "on:" runs on the first host, but the scenario has no hosts; add hosts: (e.g. docker-host: {}) or name a router with on:`);
    return first;
  }

  #mapStep(entries: readonly Entry[], pos: SourcePos, path: string): Step {
    const r: YamlReader = this.#r;
    const by = new Map(entries.map((k) => [k.key, k]));
    const sleep = by.get('sleep');
    if (sleep) {
      const other = entries.find((k) => k.key !== 'sleep');
      if (other) {
        r.fail(r.posOf(other.keyNode), `${path}: "sleep" cannot be combined with "${other.key}": a sleep step only advances simulated time; put "${other.key}" in a step of its own`);
      }
      const p = `${path}.sleep`;
      const duration = r.parse(sleep.pos, p, () => parseDuration(r.text(sleep.value, sleep.pos, p, 'a duration such as 30s')));
      return { kind: 'sleep', duration, pos };
    }
    const runEntry = by.get('run');
    if (!runEntry) r.fail(pos, `${path}: missing key "run" (the command to type) or "sleep" (a duration to wait)`);
    const onEntry = by.get('on');
    const on = onEntry ? this.#target(onEntry, `${path}.on`) : this.#firstHost(pos, path);
    const runText = r.string(runEntry.value, runEntry.pos, `${path}.run`, 'a command string');
    const run = this.#command(runEntry.value, runEntry.pos, `${path}.run`, runText);
    const expectEntry = by.get('expect');
    const captureEntry = by.get('capture');
    const expect = expectEntry ? this.#expect(expectEntry, `${path}.expect`) : undefined;
    // Captures are defined after the step runs: its own command cannot use them.
    const capture = captureEntry ? this.#capture(captureEntry, `${path}.capture`) : undefined;
    return {
      kind: 'run', on, run, pos,
      ...(expect ? { expect } : {}),
      ...(capture ? { capture } : {}),
    };
  }

  #target(e: Entry, path: string): string {
    const name = this.#r.text(e.value, e.pos, path, 'the name of a host or router');
    const { hosts, routers } = this.#targets;
    if (hosts.includes(name) || routers.includes(name)) return name;
    const known = [...hosts, ...routers];
    const near = suggestion(name, known);
    return this.#r.fail(e.pos, `${path}: no host or router named "${name}"${near ? ` (did you mean "${near}"?)` : ''}; ${known.length ? `expected one of: ${known.join(', ')}` : 'the scenario declares none'} (containers are reached with docker exec)`);
  }

  /** Checks that the command splits into at least one word with the variables known so far. */
  #command(slot: Slot, pos: SourcePos, path: string, text: string): string {
    const vars = new Map([...this.#captured].map((v) => [v, v]));
    let words: string[];
    try {
      words = splitCommand(text, vars);
    } catch (err) {
      if (!(err instanceof CommandSyntaxError)) throw err;
      const hint = err.message.startsWith('unknown variable') ? '; a variable must be captured (capture:) by an earlier step' : '';
      return this.#r.fail(this.#r.posInside(slot, pos, err.offset), `${path}: ${err.message}${hint}`);
    }
    if (words.length === 0) this.#r.fail(pos, `${path}: found an empty command, expected a command to run`);
    return text;
  }

  #matchers(e: Entry, path: string): Matcher[] {
    const r: YamlReader = this.#r;
    return r.listOrOne(e.value, e.pos, path, 'a list of substrings or /regex/').map((item) => {
      const text = r.text(item.node, item.pos, item.path, 'a substring or /regex/');
      return r.parse(item.pos, item.path, () => parseMatcher(text, item.pos));
    });
  }

  #expect(e: Entry, path: string): Expect {
    const r: YamlReader = this.#r;
    const map = r.map(e.value, e.pos, path, `a map with keys ${EXPECT_KEYS.join(', ')}`);
    const out: { exit?: number; stdout: Matcher[]; notStdout: Matcher[]; stderr: Matcher[]; notStderr: Matcher[] } =
      { stdout: [], notStdout: [], stderr: [], notStderr: [] };
    for (const k of r.entries(map, path, EXPECT_KEYS)) {
      const p = `${path}.${k.key}`;
      switch (k.key) {
        case 'exit': out.exit = r.integer(k.value, k.pos, p, 0, 255, 'an exit status from 0 to 255'); break;
        case 'stdout': out.stdout = this.#matchers(k, p); break;
        case 'not_stdout': out.notStdout = this.#matchers(k, p); break;
        case 'stderr': out.stderr = this.#matchers(k, p); break;
        case 'not_stderr': out.notStderr = this.#matchers(k, p); break;
        default: r.fail(k.pos, `${p}: unexpected key`);
      }
    }
    return { ...out, pos: e.pos };
  }

  #capture(e: Entry, path: string): Map<string, RegExp> {
    const r: YamlReader = this.#r;
    const map = r.map(e.value, e.pos, path, 'a map from variable names to regular expressions with a capture group');
    const out = new Map<string, RegExp>();
    for (const k of r.entries(map, path)) {
      const p = `${path}.${k.key}`;
      if (!VARIABLE_NAME.test(k.key)) {
        r.fail(r.posOf(k.keyNode), `${path}: found variable name "${k.key}", expected a letter or "_" followed by letters, digits or "_"`);
      }
      const source = r.text(k.value, k.pos, p, 'a regular expression with a capture group, e.g. \'"Id": "([0-9a-f]{64})"\'');
      const regex = r.parse(k.pos, p, () => compileRegex(source, '', `"${source}"`));
      // The value is the first group: a regex without one would capture nothing. Matching the
      // alternation with the empty string counts the groups without knowing the text.
      const groups = (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;
      if (groups < 1) r.fail(k.pos, `${p}: found "${source}" without a capture group, expected a ( … ) around the part to save`);
      out.set(k.key, regex);
    }
    for (const name of out.keys()) this.#captured.add(name);
    return out;
  }
}
