/**
 * Wall-clock text for tools that print the date (dig's ";; WHEN:"): the scenario's start plus
 * simulated time, formatted in UTC (a container's time zone) with integer calendar arithmetic,
 * never Date (DESIGN.md "Determinism").
 */
import { civilFromUnixSeconds, type Nanos } from '../../sim';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Whole Unix seconds `elapsed` after `startUnixNs` (a Unix time in nanoseconds). */
export function unixSecondsAt(startUnixNs: bigint, elapsed: Nanos): number {
  return Number((startUnixNs + BigInt(Math.round(elapsed))) / 1_000_000_000n);
}

/** strftime("%a %b %d %H:%M:%S UTC %Y") of a Unix time, e.g. "Sun Apr 26 19:37:50 UTC 2020". */
export function formatCTimeUtc(unixSeconds: number): string {
  const { year, month, day, hour: h, minute: m, second: s, weekday } = civilFromUnixSeconds(unixSeconds);
  return `${DAYS[weekday]} ${MONTHS[month - 1]} ${p2(day)} ${p2(h)}:${p2(m)}:${p2(s)} UTC ${year}`;
}
