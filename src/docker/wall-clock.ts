/**
 * Wall-clock time for what Docker prints ("Created" in inspect, CreatedAt in `network ls`).
 * Heads up: no Date here (DESIGN.md "Determinism"). A wall time is the scenario's `start` plus
 * simulated nanoseconds, held as whole Unix seconds and nanoseconds (a Unix time in
 * nanoseconds exceeds 2^53) and formatted with integer calendar arithmetic in UTC, as Go's
 * time package formats a UTC time.
 */
import { civilFromUnixSeconds, type CivilTime, type Nanos } from '../sim';

export interface WallTime {
  /** Whole seconds since 1970-01-01T00:00:00Z. */
  readonly seconds: number;
  /** 0 ≤ nanos < 1e9. */
  readonly nanos: number;
}

/** The wall time `elapsed` simulated nanoseconds after `start`. */
export function wallTimeAt(start: WallTime, elapsed: Nanos): WallTime {
  const total = start.nanos + elapsed;
  const carry = Math.floor(total / 1e9);
  return { seconds: start.seconds + carry, nanos: total - carry * 1e9 };
}

/** The calendar time of a WallTime (UTC). */
function civil(t: WallTime): CivilTime {
  return civilFromUnixSeconds(t.seconds);
}

const p2 = (n: number) => String(n).padStart(2, '0');
const p4 = (n: number) => String(n).padStart(4, '0');

/** Go's ".999999999": the fraction with trailing zeros removed, nothing at all when zero. */
function trimmedFraction(nanos: number): string {
  if (nanos === 0) return '';
  return '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
}

/**
 * time.RFC3339Nano in UTC, as time.Time.MarshalJSON writes it:
 * "2020-04-26T19:37:50.123456789Z", or "2020-04-26T19:37:50Z" on a whole second.
 */
export function formatRfc3339Nano(t: WallTime): string {
  const c = civil(t);
  return `${p4(c.year)}-${p2(c.month)}-${p2(c.day)}T${p2(c.hour)}:${p2(c.minute)}:${p2(c.second)}${trimmedFraction(t.nanos)}Z`;
}

/** time.Time.String() in UTC: "2020-04-26 19:37:50.123 +0000 UTC" (what `{{.CreatedAt}}` prints). */
export function formatGoTimeString(t: WallTime): string {
  const c = civil(t);
  return `${p4(c.year)}-${p2(c.month)}-${p2(c.day)} ${p2(c.hour)}:${p2(c.minute)}:${p2(c.second)}${trimmedFraction(t.nanos)} +0000 UTC`;
}

/** Parses "2020-04-26T19:37:50Z" / "…50.5Z" / "…50+02:00" (a scenario's `start:`) into a WallTime. */
export function parseRfc3339(text: string): WallTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  // days_from_civil (H. Hinnant).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  let seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  if (m[9] !== undefined) {
    const offset = (Number(m[10]) * 3600 + Number(m[11]) * 60) * (m[9] === '+' ? 1 : -1);
    seconds -= offset;
  }
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

/** The wall time of a Unix time in nanoseconds (a scenario's `start`). */
export function wallTimeFromUnixNanos(t: bigint): WallTime {
  const s = t / 1_000_000_000n;
  const ns = t - s * 1_000_000_000n;
  return ns < 0n ? { seconds: Number(s) - 1, nanos: Number(ns + 1_000_000_000n) } : { seconds: Number(s), nanos: Number(ns) };
}
