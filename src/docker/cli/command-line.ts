/**
 * Parsing a docker subcommand's argv the way cobra + pflag do in the docker CLI, with Docker's
 * own error texts and exit statuses:
 *
 * - flag errors (pflag) go through the CLI's FlagErrorFunc: 19.03 prints
 *   `unknown flag: --foo\nSee 'docker network create --help'.`; v29 prints the error, a blank
 *   line, `Usage:  <use line>`, a blank line and `Run '<cmd> --help' for more information`.
 *   Exit status 125 (cli.StatusError).
 * - argument-count errors (cli/required.go) exit 1; 19.03:
 *   `"docker network create" requires exactly 1 argument.\nSee 'docker network create --help'.\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nCreate a network`.
 * - `-h`/`--help` anywhere asks for help (checked after flags parse, before arguments).
 *
 * Flags may come before, between or after arguments (pflag interspersed mode); `--` ends flags.
 */
import type { EngineVersion } from '../engine-profile';

/**
 * bool: `--x`, `--x=false`; string: the last value wins; stringSlice (pflag StringSlice):
 * comma-separated (CSV), repeatable; list (docker opts.ListOpts): repeatable, no splitting;
 * map (opts.MapOpts): `k=v` (a bare `k` means k=""); filter (opts.FilterOpt): `name=value`.
 */
export type FlagKind = 'bool' | 'string' | 'stringSlice' | 'list' | 'map' | 'filter';

export interface FlagSpec {
  readonly name: string;
  readonly shorthand?: string;
  readonly kind: FlagKind;
  /** The value's own check (Value.Set): an error text refuses the value. */
  readonly validate?: (value: string) => string | undefined;
}

export type ArgsRule =
  | { readonly exact: number }
  | { readonly min: number; readonly max?: number }
  | { readonly max: number }
  | 'none';

export interface CommandSpec {
  /** cmd.CommandPath(): "docker network create". */
  readonly path: string;
  /** cmd.UseLine(): "docker network create [OPTIONS] NETWORK". */
  readonly useLine: string;
  /** cmd.Short: "Create a network". */
  readonly short: string;
  readonly flags: readonly FlagSpec[];
  readonly args: ArgsRule;
  /**
   * false: flags end at the first argument (cobra's SetInterspersed(false), as `docker run`
   * and `docker exec` have: what follows the image or container is the command's own argv).
   */
  readonly interspersed?: boolean;
}

/** The docker CLI's exit status for flag errors (cli.StatusError in FlagErrorFunc). */
export const FLAG_ERROR_EXIT_CODE = 125;
/** The docker CLI's exit status for other errors. */
export const GENERAL_ERROR_EXIT_CODE = 1;

export class ParsedFlags {
  readonly #values = new Map<string, string[]>();
  readonly #pairs = new Map<string, [string, string][]>();

  /** @internal */
  setScalar(name: string, value: string): void {
    this.#values.set(name, [value]);
  }
  /** @internal */
  append(name: string, values: readonly string[]): void {
    this.#values.set(name, [...(this.#values.get(name) ?? []), ...values]);
  }
  /** @internal */
  appendPair(name: string, key: string, value: string): void {
    const list = this.#pairs.get(name) ?? [];
    list.push([key, value]);
    this.#pairs.set(name, list);
  }

  /** Whether the flag was given at all (pflag Changed). */
  changed(name: string): boolean {
    return this.#values.has(name) || this.#pairs.has(name);
  }
  bool(name: string, fallback = false): boolean {
    const v = this.#values.get(name);
    return v ? v[0] === 'true' : fallback;
  }
  string(name: string, fallback = ''): string {
    const v = this.#values.get(name);
    return v ? v[v.length - 1]! : fallback;
  }
  strings(name: string): string[] {
    return [...(this.#values.get(name) ?? [])];
  }
  /** A map flag's entries; later keys overwrite earlier ones, first-seen order kept. */
  map(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#pairs.get(name) ?? []) out[k] = v;
    return out;
  }
  /** A filter flag's (name, value) pairs in the order given. */
  pairs(name: string): [string, string][] {
    return [...(this.#pairs.get(name) ?? [])];
  }
}

/** The outcome of parsing; `stderr` is exactly what the CLI writes, final newline included. */
export type CommandLine =
  | { readonly kind: 'ok'; readonly flags: ParsedFlags; readonly args: readonly string[] }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly stderr: string; readonly exitCode: number };

const HELP_FLAG: FlagSpec = { name: 'help', shorthand: 'h', kind: 'bool' };

/** strconv.Quote for the ASCII text flags carry. */
function goQuoteArg(s: string): string {
  return JSON.stringify(s);
}

/** strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** encoding/csv reading one record, as pflag's StringSlice does. */
function readCsv(s: string): string[] {
  if (s === '') return [];
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

class FlagError extends Error {}

/** Parses `argv` (the words after the command path) against `spec`. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[], style: EngineVersion = '19.03'): CommandLine {
  const flags = new ParsedFlags();
  const args: string[] = [];
  // `docker run -h` is --hostname: the command's own -h wins over help's shorthand.
  const help: FlagSpec = spec.flags.some((f) => f.shorthand === 'h') ? { name: 'help', kind: 'bool' } : HELP_FLAG;
  const all = [...spec.flags, help];
  const byName = new Map(all.map((f) => [f.name, f]));
  const byShort = new Map(all.filter((f) => f.shorthand).map((f) => [f.shorthand!, f]));

  const set = (f: FlagSpec, value: string): void => {
    const refuse = (why: string): never => {
      const flagName = f.shorthand ? `-${f.shorthand}, --${f.name}` : `--${f.name}`;
      throw new FlagError(`invalid argument ${goQuoteArg(value)} for ${goQuoteArg(flagName)} flag: ${why}`);
    };
    const why = f.validate?.(value);
    if (why !== undefined) refuse(why);
    switch (f.kind) {
      case 'bool': {
        const b = parseBool(value);
        if (b === undefined) refuse(`strconv.ParseBool: parsing ${goQuoteArg(value)}: invalid syntax`);
        flags.setScalar(f.name, String(b));
        return;
      }
      case 'string':
        flags.setScalar(f.name, value);
        return;
      case 'stringSlice':
        flags.append(f.name, readCsv(value));
        return;
      case 'list':
        flags.append(f.name, [value]);
        return;
      case 'map': {
        const eq = value.indexOf('=');
        flags.appendPair(f.name, eq < 0 ? value : value.slice(0, eq), eq < 0 ? '' : value.slice(eq + 1));
        return;
      }
      case 'filter': {
        const eq = value.indexOf('=');
        if (eq < 0) refuse('bad format of filter (expected name=value)');
        flags.appendPair(f.name, value.slice(0, eq).trim().toLowerCase(), value.slice(eq + 1).trim());
        return;
      }
    }
  };

  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') {
        args.push(...argv.slice(i + 1));
        break;
      }
      if (!a.startsWith('-') || a === '-') {
        if (spec.interspersed === false) {
          args.push(...argv.slice(i));
          break;
        }
        args.push(a);
        continue;
      }
      if (a.startsWith('--')) {
        const body = a.slice(2);
        if (body === '' || body.startsWith('-') || body.startsWith('=')) throw new FlagError(`bad flag syntax: ${a}`);
        const eq = body.indexOf('=');
        const name = eq < 0 ? body : body.slice(0, eq);
        const f = byName.get(name);
        if (!f) throw new FlagError(`unknown flag: --${name}`);
        if (eq >= 0) set(f, body.slice(eq + 1));
        else if (f.kind === 'bool') set(f, 'true');
        else if (i + 1 < argv.length) set(f, argv[++i]!);
        else throw new FlagError(`flag needs an argument: --${name}`);
        continue;
      }
      // Shorthands: "-q", "-qf x", "-fx", "-f=x".
      let shorts = a.slice(1);
      while (shorts.length > 0) {
        const c = shorts[0]!;
        const f = byShort.get(c);
        if (!f) throw new FlagError(`unknown shorthand flag: '${c}' in -${shorts}`);
        if (shorts.length > 2 && shorts[1] === '=') {
          set(f, shorts.slice(2));
          shorts = '';
        } else if (f.kind === 'bool') {
          set(f, 'true');
          shorts = shorts.slice(1);
        } else if (shorts.length > 1) {
          set(f, shorts.slice(1));
          shorts = '';
        } else if (i + 1 < argv.length) {
          set(f, argv[++i]!);
          shorts = '';
        } else {
          throw new FlagError(`flag needs an argument: '${c}' in -${shorts}`);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    const stderr =
      style === '19.03'
        ? `${e.message}\nSee '${spec.path} --help'.`
        : `${e.message}\n\nUsage:  ${spec.useLine}\n\nRun '${spec.path} --help' for more information`;
    return { kind: 'error', stderr: `${stderr}\n`, exitCode: FLAG_ERROR_EXIT_CODE };
  }

  if (flags.bool('help')) return { kind: 'help' };
  const argError = checkArgs(spec, args.length, style);
  if (argError !== undefined) return { kind: 'error', stderr: `${argError}\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
  return { kind: 'ok', flags, args };
}

const plural = (word: string, n: number) => (n === 1 ? word : `${word}s`);

/** cli/required.go: NoArgs, ExactArgs, RequiresMinArgs, RequiresMaxArgs, RequiresRangeArgs. */
function checkArgs(spec: CommandSpec, n: number, style: EngineVersion): string | undefined {
  const rule = spec.args;
  const classic = (what: string) =>
    `"${spec.path}" ${what}.\nSee '${spec.path} --help'.\n\nUsage:  ${spec.useLine}\n\n${spec.short}`;
  const current = (what: string, tail = 'Run') =>
    `docker: '${spec.path}' ${what}\n\nUsage:  ${spec.useLine}\n\n${tail} '${spec.path} --help' for more information`;
  if (rule === 'none') {
    if (n === 0) return undefined;
    return style === '19.03' ? classic('accepts no arguments') : current('accepts no arguments');
  }
  if ('exact' in rule) {
    if (n === rule.exact) return undefined;
    const what = plural('argument', rule.exact);
    return style === '19.03'
      ? classic(`requires exactly ${rule.exact} ${what}`)
      : current(`requires ${rule.exact} ${what}`);
  }
  if ('min' in rule && rule.max !== undefined) {
    if (n >= rule.min && n <= rule.max) return undefined;
    const what = plural('argument', rule.max);
    return style === '19.03'
      ? classic(`requires at least ${rule.min} and at most ${rule.max} ${what}`)
      : current(`requires at least ${rule.min} and at most ${rule.max} ${what}`);
  }
  if ('min' in rule) {
    if (n >= rule.min) return undefined;
    const what = plural('argument', rule.min);
    return style === '19.03'
      ? classic(`requires at least ${rule.min} ${what}`)
      : current(`requires at least ${rule.min} ${what}`, 'See');
  }
  if (n <= rule.max) return undefined;
  const what = plural('argument', rule.max);
  return style === '19.03' ? classic(`requires at most ${rule.max} ${what}`) : current(`requires at most ${rule.max} ${what}`, 'SRun');
}
