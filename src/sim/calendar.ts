/**
 * The proleptic Gregorian calendar in integer arithmetic, so that wall-clock text (pcap start
 * times, Docker's "Created", dig's ";; WHEN:") follows from the scenario's start and simulated
 * time without the Date object (DESIGN.md "Determinism": Date is banned outside src/cli).
 *
 * The algorithms are H. Hinnant's "days_from_civil" and "civil_from_days" (chrono-Compatible
 * Low-Level Date Algorithms): years are shifted to start in March so that the leap day is the
 * last day of the year, and 400-year eras repeat exactly.
 */

/** Days from 1970-01-01 to a date (month 1–12); negative before 1970. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** A UTC calendar time broken down, as gmtime() gives it (weekday 0 = Sunday). */
export interface CivilTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

/** gmtime() of whole Unix seconds. */
export function civilFromUnixSeconds(unixSeconds: number): CivilTime {
  const days = Math.floor(unixSeconds / 86_400);
  const secOfDay = unixSeconds - days * 86_400;
  return {
    ...civilFromDays(days),
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    weekday: ((days % 7) + 11) % 7, // 1970-01-01 was a Thursday
  };
}
