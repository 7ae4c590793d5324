/**
 * Wall-clock text for tools that print the date (dig's ";; WHEN:"): the scenario's start plus
 * simulated time, formatted in UTC (a container's time zone) with integer calendar arithmetic,
 * never Date (DESIGN.md "Determinism").
 */
import type { Nanos } from '../../sim';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Whole Unix seconds `elapsed` after `startUnixNs` (a Unix time in nanoseconds). */
export function unixSecondsAt(startUnixNs: bigint, elapsed: Nanos): number {
  return Number((startUnixNs + BigInt(Math.round(elapsed))) / 1_000_000_000n);
}

/** strftime("%a %b %d %H:%M:%S UTC %Y") of a Unix time, e.g. "Sun Apr 26 19:37:50 UTC 2020". */
export function formatCTimeUtc(unixSeconds: number): string {
  const days = Math.floor(unixSeconds / 86400);
  const secOfDay = unixSeconds - days * 86400;
  // H. Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const weekday = ((days % 7) + 11) % 7; // 1970-01-01 was a Thursday
  const h = Math.floor(secOfDay / 3600);
  const m = Math.floor((secOfDay % 3600) / 60);
  const s = secOfDay % 60;
  return `${DAYS[weekday]} ${MONTHS[month - 1]} ${p2(day)} ${p2(h)}:${p2(m)}:${p2(s)} UTC ${year}`;
}
