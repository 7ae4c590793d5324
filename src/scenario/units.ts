/**
 * Units of scenario files: durations ("50us", "1.5s", "1d"), rates ("1Gbit", as tc writes them)
 * and percentages ("2.5%").
 *
 * Heads up: the numbers are parsed as exact decimals (BigInt numerator over a power of ten), not
 * as floats, so "1.15ms" is exactly 1 150 000 ns and a value that is not a whole number of
 * nanoseconds (or bits per second) is an error rather than a silent rounding.
 */
import type { Nanos } from '../sim';
import { ValueSyntaxError } from './value-syntax-error';


/** Nanoseconds per unit. `m` is minutes (as in `sleep 1m`), never metres or milli-anything. */
export const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60n * 1_000_000_000n,
  h: 3600n * 1_000_000_000n,
  d: 86_400n * 1_000_000_000n,
};

/**
 * Bits per second per unit. tc(8) spells them "kbit", "mbit", "gbit" and also accepts the
 * capitalised forms; they are decimal (SI) multiples, as in tc ("mbit" = 10^6 bit/s).
 */
export const RATE_UNITS: Readonly<Record<string, bigint>> = {
  bit: 1n,
  kbit: 1_000n, Kbit: 1_000n,
  mbit: 1_000_000n, Mbit: 1_000_000n,
  gbit: 1_000_000_000n, Gbit: 1_000_000_000n,
};

interface Decimal { readonly num: bigint; readonly den: bigint }

/** "12", "1.5", ".5" → num/den exactly; undefined for anything else (signs, exponents). */
function parseDecimal(text: string): Decimal | undefined {
  const m = /^(\d*)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[1] === '' && m[2] === undefined)) return undefined;
  const frac = m[2] ?? '';
  return { num: BigInt((m[1] || '0') + frac), den: 10n ** BigInt(frac.length) };
}

function splitNumberUnit(text: string): { number: string; unit: string } | undefined {
  const m = /^([0-9.]+)\s*([A-Za-z%]*)$/.exec(text.trim());
  return m ? { number: m[1]!, unit: m[2]! } : undefined;
}

const DURATION_EXPECTED = 'a number with a unit (ns, us, ms, s, m, h, d), e.g. 50us, 1.5s, 30s, 1d';

/** Parses a duration into integer nanoseconds. A bare 0 is accepted; any other number needs a unit. */
export function parseDuration(text: string): Nanos {
  const t = text.trim();
  if (t === '0') return 0;
  const parts = splitNumberUnit(t);
  const value = parts && parseDecimal(parts.number);
  if (!parts || !value) throw new ValueSyntaxError(`found "${text}", expected a duration: ${DURATION_EXPECTED}`);
  if (parts.unit === '') throw new ValueSyntaxError(`found "${text}" without a unit, expected a duration: ${DURATION_EXPECTED}`);
  const perUnit = DURATION_UNITS[parts.unit];
  if (perUnit === undefined) throw new ValueSyntaxError(`found unit "${parts.unit}" in "${text}", expected a duration: ${DURATION_EXPECTED}`);
  const scaled = value.num * perUnit;
  if (scaled % value.den !== 0n) throw new ValueSyntaxError(`"${text}" is not a whole number of nanoseconds`);
  const ns = scaled / value.den;
  if (ns > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValueSyntaxError(`"${text}" is too long (at most ${formatDuration(Number.MAX_SAFE_INTEGER)})`);
  return Number(ns);
}

const RATE_EXPECTED = 'a rate with a unit (bit, Kbit, Mbit, Gbit), e.g. 100Mbit, 1Gbit';

/** Parses a tc-style rate into bits per second (a positive whole number). */
export function parseRate(text: string): number {
  const parts = splitNumberUnit(text);
  const value = parts && parseDecimal(parts.number);
  if (!parts || !value) throw new ValueSyntaxError(`found "${text}", expected ${RATE_EXPECTED}`);
  if (parts.unit === '') throw new ValueSyntaxError(`found "${text}" without a unit, expected ${RATE_EXPECTED}`);
  const perUnit = RATE_UNITS[parts.unit];
  if (perUnit === undefined) throw new ValueSyntaxError(`found unit "${parts.unit}" in "${text}", expected ${RATE_EXPECTED}`);
  const scaled = value.num * perUnit;
  if (scaled % value.den !== 0n) throw new ValueSyntaxError(`"${text}" is not a whole number of bits per second`);
  const bps = scaled / value.den;
  if (bps === 0n) throw new ValueSyntaxError(`found "${text}", expected a rate above zero`);
  if (bps > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValueSyntaxError(`"${text}" is too fast`);
  return Number(bps);
}

/** Parses "0%", "2.5%" (or a bare 0) into a number from 0 to 100. */
export function parsePercent(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const m = /^([0-9.]+)\s*%$/.exec(t);
  const value = m && parseDecimal(m[1]!);
  if (!m || !value) throw new ValueSyntaxError(`found "${text}", expected a percentage such as 0%, 2.5% or 100%`);
  const n = Number(m[1]);
  if (n > 100) throw new ValueSyntaxError(`found "${text}", expected a percentage from 0% to 100%`);
  return n;
}

/** Digits of n / per with up to `places` decimals, trailing zeros dropped ("1.5", "20"). */
function exactDecimal(n: bigint, per: bigint, places: number): string {
  const whole = n / per;
  const rest = n % per;
  if (rest === 0n) return whole.toString();
  const frac = rest.toString().padStart(places, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}

/**
 * Formats nanoseconds so that parseDuration reads back the same value: days, hours or minutes
 * when they are exact to three decimals ("1d", "1.5h", "2m"), else seconds, ms, us or ns with an
 * exact decimal fraction ("1.5s", "50us", "1.234567891s").
 */
export function formatDuration(ns: Nanos): string {
  if (!Number.isSafeInteger(ns) || ns < 0) throw new RangeError(`not a duration in nanoseconds: ${ns}`);
  const n = BigInt(ns);
  if (n === 0n) return '0s';
  // Minutes, hours, days only when they divide exactly into at most three decimals (1.5h, 2d).
  for (const unit of ['d', 'h', 'm'] as const) {
    const per = DURATION_UNITS[unit]!;
    if (n >= per && (n * 1000n) % per === 0n) {
      const milli = (n * 1000n) / per;
      return `${exactDecimal(milli, 1000n, 3)}${unit}`;
    }
  }
  if (n >= 1_000_000_000n) return `${exactDecimal(n, 1_000_000_000n, 9)}s`;
  if (n >= 1_000_000n) return `${exactDecimal(n, 1_000_000n, 6)}ms`;
  if (n >= 1_000n) return `${exactDecimal(n, 1_000n, 3)}us`;
  return `${n}ns`;
}
