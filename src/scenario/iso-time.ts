/**
 * ISO 8601 / RFC 3339 timestamps ⇄ nanoseconds since the Unix epoch, computed arithmetically
 * (the Date object is banned outside src/cli, DESIGN.md "Determinism").
 *
 * Accepted: "2020-04-26" (midnight UTC), "2020-04-26T19:37:50Z", with optional fraction of up to
 * nine digits ("…50.123456789Z") and a zone that is "Z" or an offset ("+02:00"). RFC 3339 §5.6
 * allows "t"/"z" in lower case and a space instead of "T"; so does this. A time without a zone is
 * refused: it would silently mean UTC to us and local time to the reader.
 */
import { civilFromDays, daysFromCivil } from '../sim';
import { ValueSyntaxError } from './value-syntax-error';

const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;

// The calendar arithmetic lives with simulated time (src/sim/calendar.ts); re-exported for
// this module's users.
export { daysFromCivil, civilFromDays } from '../sim';

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

const EXPECTED = 'an ISO 8601 UTC time such as 2020-04-26T19:37:50Z';
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?$/;

/** Parses an ISO 8601 timestamp into nanoseconds since 1970-01-01T00:00:00Z. Throws ValueSyntaxError. */
export function parseIsoUtc(text: string): bigint {
  const m = ISO.exec(text.trim());
  if (!m) throw new ValueSyntaxError(`found "${text}", expected ${EXPECTED}`);
  const [, ys, mos, ds, hs, mis, ss, frac, zulu, sign, ohs, oms] = m;
  const year = Number(ys), month = Number(mos), day = Number(ds);
  if (month < 1 || month > 12) throw new ValueSyntaxError(`found month ${mos} in "${text}", expected 01 to 12`);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new ValueSyntaxError(`found day ${ds} in "${text}", expected 01 to ${daysInMonth(year, month)} for ${ys}-${mos}`);
  }
  let seconds = BigInt(daysFromCivil(year, month, day)) * SECONDS_PER_DAY;
  let nanos = 0n;
  if (hs !== undefined) {
    if (zulu === undefined && sign === undefined) {
      throw new ValueSyntaxError(`found "${text}" without a time zone, expected ${EXPECTED} (add Z for UTC)`);
    }
    const hour = Number(hs), minute = Number(mis), second = Number(ss ?? '0');
    // RFC 3339 allows second 60 for a leap second; POSIX time (and pcap) cannot represent it.
    if (hour > 23 || minute > 59 || second > 59) throw new ValueSyntaxError(`found "${text}", expected hours 00–23, minutes and seconds 00–59`);
    seconds += BigInt(hour * 3600 + minute * 60 + second);
    if (frac !== undefined) nanos = BigInt(frac.padEnd(9, '0'));
    if (sign !== undefined) {
      const oh = Number(ohs), om = Number(oms);
      if (oh > 23 || om > 59) throw new ValueSyntaxError(`found offset ${sign}${ohs}:${oms} in "${text}", expected at most ±23:59`);
      // "+02:00" means local time is two hours ahead of UTC, so UTC = local − offset.
      const offset = BigInt(oh * 3600 + om * 60);
      seconds += sign === '+' ? -offset : offset;
    }
  }
  return seconds * NS_PER_SECOND + nanos;
}

/** Formats nanoseconds since the epoch as RFC 3339 UTC with nine fraction digits ("…T19:37:50.000000000Z"). */
export function formatIsoUtc(ns: bigint): string {
  const seconds = ns >= 0n ? ns / NS_PER_SECOND : (ns - NS_PER_SECOND + 1n) / NS_PER_SECOND;
  const nanos = ns - seconds * NS_PER_SECOND;
  const days = seconds >= 0n ? seconds / SECONDS_PER_DAY : (seconds - SECONDS_PER_DAY + 1n) / SECONDS_PER_DAY;
  const secOfDay = Number(seconds - days * SECONDS_PER_DAY);
  const { year, month, day } = civilFromDays(Number(days));
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}T${p2(Math.floor(secOfDay / 3600))}:${p2(Math.floor(secOfDay / 60) % 60)}:${p2(secOfDay % 60)}.${nanos.toString().padStart(9, '0')}Z`;
}
