/**
 * Command lines the way busybox reads them on alpine: getopt32 over musl's getopt_long
 * (options may follow operands, "-c3" and "-c 3" are the same, flags bundle as "-qn", "--"
 * ends the options), and libbb's number parsers with their messages ("invalid number 'x'",
 * "number 300 is not in 1..255 range").
 *
 * Every complaint is a UsageError: SCENARIOS.md makes a bad flag in a step an invalid scenario,
 * and the runner prefixes the program's name ("ping: unrecognized option: z", as musl's getopt
 * words it).
 */
import { UsageError } from '../usage-error';

export interface ParsedCommandLine {
  /** How many times each flag was given (-vv counts 2). */
  readonly counts: ReadonlyMap<string, number>;
  /** The last value given to each option that takes one. */
  readonly values: ReadonlyMap<string, string>;
  /** Every value given to each option, in order. */
  readonly allValues: ReadonlyMap<string, readonly string[]>;
  /** Non-option arguments, in order. */
  readonly operands: readonly string[];
  /** Every option letter as given, in order (for "the later of -q and -v wins"). */
  readonly sequence: readonly string[];
}

export const INT_MAX = 0x7fff_ffff;

/**
 * Parses `args` (without argv[0]) against a getopt spec: letters, each followed by ':' when it
 * takes a value. Options and operands may be mixed; "--" makes the rest operands.
 */
export function getopt(args: readonly string[], spec: string): ParsedCommandLine {
  const takesValue = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':') continue;
    takesValue.set(c, spec[i + 1] === ':');
  }
  const counts = new Map<string, number>();
  const values = new Map<string, string>();
  const allValues = new Map<string, string[]>();
  const operands: string[] = [];
  const sequence: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    if (a.startsWith('--')) throw new UsageError(`unrecognized option: ${a}`);
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      const wants = takesValue.get(c);
      if (wants === undefined) throw new UsageError(`unrecognized option: ${c}`);
      counts.set(c, (counts.get(c) ?? 0) + 1);
      sequence.push(c);
      if (!wants) continue;
      let value: string;
      if (k + 1 < a.length) {
        value = a.slice(k + 1);
      } else {
        const next = args[i + 1];
        if (next === undefined) throw new UsageError(`option requires an argument: ${c}`);
        value = next;
        i++;
      }
      values.set(c, value);
      const list = allValues.get(c) ?? [];
      list.push(value);
      allValues.set(c, list);
      break;
    }
  }
  return { counts, values, allValues, operands, sequence };
}

/** libbb's xatou_range (base 10, or 16): a whole unsigned number in [lo, hi]. */
export function xatouRange(text: string, lo: number, hi: number, base: 10 | 16 = 10): number {
  const digits = base === 16 ? /^(0[xX])?[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!digits.test(text)) throw new UsageError(`invalid number '${text}'`);
  const n = base === 16 ? parseInt(text, 16) : Number(text);
  if (!(n >= lo && n <= hi)) throw new UsageError(`number ${text} is not in ${lo}..${hi} range`);
  return n;
}

/** getopt32's "+" options and xatoi_positive: 0..INT_MAX. */
export function xatoiPositive(text: string): number {
  return xatouRange(text, 0, INT_MAX);
}

/** libbb's duration suffixes (sleep, ping -i). */
const DURATION_SUFFIXES: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * libbb's parse_duration_str: "1", "0.2", "1.5m", "2h" → seconds (a fraction allowed).
 * Anything else is a usage error.
 */
export function parseDurationSeconds(text: string): number {
  const m = /^([0-9]*\.?[0-9]*)([a-z]?)$/.exec(text);
  if (!m || m[1] === '' || m[1] === '.') throw new UsageError(`invalid number '${text}'`);
  const scale = DURATION_SUFFIXES[m[2]!];
  if (scale === undefined) throw new UsageError(`invalid number '${text}'`);
  if (!m[1]!.includes('.') && m[1]!.length > 0) return Number(m[1]) * scale;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) throw new UsageError(`invalid number '${text}'`);
  return value * scale;
}
