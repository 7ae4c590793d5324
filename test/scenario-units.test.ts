// Units of scenario files (SCENARIOS.md "Durations … Rates … Loss") and the `start:` timestamp.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  civilFromDays, daysFromCivil, formatDuration, formatIsoUtc, parseDuration, parseIsoUtc, parsePercent, parseRate,
  ValueSyntaxError,
} from '../src/scenario';

describe('scenario units: durations', () => {
  it('reads every unit into integer nanoseconds', () => {
    expect(parseDuration('7ns')).to.equal(7);
    expect(parseDuration('50us')).to.equal(50_000);
    expect(parseDuration('20ms')).to.equal(20_000_000);
    expect(parseDuration('1.5s')).to.equal(1_500_000_000);
    expect(parseDuration('30s')).to.equal(30_000_000_000);
    expect(parseDuration('2m')).to.equal(120_000_000_000);
    expect(parseDuration('1h')).to.equal(3_600_000_000_000);
    expect(parseDuration('1d')).to.equal(86_400_000_000_000);
  });

  it('is exact where floating point is not', () => {
    // 1.15 * 1e6 is 1149999.9999999998 in binary floating point.
    expect(parseDuration('1.15ms')).to.equal(1_150_000);
    expect(parseDuration('0.1s')).to.equal(100_000_000);
    expect(parseDuration('.5us')).to.equal(500);
  });

  it('accepts a bare 0 and nothing else without a unit', () => {
    expect(parseDuration('0')).to.equal(0);
    expect(parseDuration('0s')).to.equal(0);
    expect(() => parseDuration('5')).to.throw(ValueSyntaxError, 'without a unit');
  });

  it('refuses what is not a duration, saying what was expected', () => {
    expect(() => parseDuration('50 usec')).to.throw(ValueSyntaxError, 'found unit "usec"');
    expect(() => parseDuration('-5s')).to.throw(ValueSyntaxError, 'expected a duration');
    expect(() => parseDuration('s')).to.throw(ValueSyntaxError);
    expect(() => parseDuration('1e3s')).to.throw(ValueSyntaxError);
    expect(() => parseDuration('1.5ns')).to.throw(ValueSyntaxError, 'not a whole number of nanoseconds');
    expect(() => parseDuration('')).to.throw(ValueSyntaxError);
    expect(() => parseDuration('1000000d')).to.throw(ValueSyntaxError, 'too long');
  });

  it('formats durations readably', () => {
    expect(formatDuration(0)).to.equal('0s');
    expect(formatDuration(7)).to.equal('7ns');
    expect(formatDuration(50_000)).to.equal('50us');
    expect(formatDuration(181_000)).to.equal('181us');
    expect(formatDuration(1_500_000_000)).to.equal('1.5s');
    expect(formatDuration(5_400_000_000_000)).to.equal('1.5h');
    expect(formatDuration(86_400_000_000_000)).to.equal('1d');
    expect(formatDuration(1_234_567_891)).to.equal('1.234567891s');
    expect(() => formatDuration(-1)).to.throw(RangeError);
  });

  it('formatDuration round-trips through parseDuration', () => {
    fc.assert(fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), (ns) => parseDuration(formatDuration(ns)) === ns), { numRuns: 2000 });
  });
});

describe('scenario units: rates and percentages', () => {
  it('reads tc rate units, both spellings, into bits per second', () => {
    expect(parseRate('9600bit')).to.equal(9600);
    expect(parseRate('64Kbit')).to.equal(64_000);
    expect(parseRate('64kbit')).to.equal(64_000);
    expect(parseRate('100Mbit')).to.equal(100_000_000);
    expect(parseRate('100mbit')).to.equal(100_000_000);
    expect(parseRate('1Gbit')).to.equal(1_000_000_000);
    expect(parseRate('2.5gbit')).to.equal(2_500_000_000);
  });

  it('refuses rates without a known unit, zero and fractions of a bit', () => {
    expect(() => parseRate('1GB')).to.throw(ValueSyntaxError, 'found unit "GB"');
    expect(() => parseRate('1000')).to.throw(ValueSyntaxError, 'without a unit');
    expect(() => parseRate('0Mbit')).to.throw(ValueSyntaxError, 'above zero');
    expect(() => parseRate('1.5bit')).to.throw(ValueSyntaxError, 'whole number of bits');
    expect(() => parseRate('fast')).to.throw(ValueSyntaxError, 'expected a rate');
  });

  it('reads percentages from 0 to 100', () => {
    expect(parsePercent('0%')).to.equal(0);
    expect(parsePercent('0')).to.equal(0);
    expect(parsePercent('2.5%')).to.equal(2.5);
    expect(parsePercent('100%')).to.equal(100);
    expect(() => parsePercent('150%')).to.throw(ValueSyntaxError, 'from 0% to 100%');
    expect(() => parsePercent('5')).to.throw(ValueSyntaxError, 'expected a percentage');
    expect(() => parsePercent('-1%')).to.throw(ValueSyntaxError);
  });
});

describe('scenario units: ISO 8601 start times', () => {
  it('computes nanoseconds since the epoch without Date', () => {
    expect(parseIsoUtc('1970-01-01T00:00:00Z')).to.equal(0n);
    expect(parseIsoUtc('2020-04-26T19:37:50Z')).to.equal(1_587_929_870_000_000_000n);
    expect(parseIsoUtc('2000-03-01')).to.equal(951_868_800_000_000_000n);
    expect(parseIsoUtc('2024-02-29T12:00:00.123456789Z')).to.equal(1_709_208_000_123_456_789n);
    expect(parseIsoUtc('2020-04-26 19:37:50z')).to.equal(1_587_929_870_000_000_000n);
  });

  it('applies a zone offset', () => {
    expect(parseIsoUtc('2020-04-26T21:37:50+02:00')).to.equal(parseIsoUtc('2020-04-26T19:37:50Z'));
    expect(parseIsoUtc('2020-04-26T14:07:50-05:30')).to.equal(parseIsoUtc('2020-04-26T19:37:50Z'));
  });

  it('knows the calendar: leap years and month lengths', () => {
    expect(() => parseIsoUtc('2023-02-29T00:00:00Z')).to.throw(ValueSyntaxError, 'expected 01 to 28');
    expect(() => parseIsoUtc('1900-02-29')).to.throw(ValueSyntaxError, 'expected 01 to 28');
    expect(parseIsoUtc('2000-02-29')).to.equal(951_782_400_000_000_000n);
    expect(() => parseIsoUtc('2020-04-31')).to.throw(ValueSyntaxError, 'expected 01 to 30');
    expect(() => parseIsoUtc('2020-13-01')).to.throw(ValueSyntaxError, 'month 13');
    expect(() => parseIsoUtc('2020-04-26T24:00:00Z')).to.throw(ValueSyntaxError, 'hours 00–23');
    expect(() => parseIsoUtc('2016-12-31T23:59:60Z')).to.throw(ValueSyntaxError);
  });

  it('refuses a time without a zone and other shapes', () => {
    expect(() => parseIsoUtc('2020-04-26T19:37:50')).to.throw(ValueSyntaxError, 'without a time zone');
    expect(() => parseIsoUtc('26/04/2020')).to.throw(ValueSyntaxError, 'expected an ISO 8601 UTC time');
    expect(() => parseIsoUtc('2020-04-26T19:37:50.1234567891Z')).to.throw(ValueSyntaxError);
  });

  it('days_from_civil and civil_from_days are inverse over four centuries and more', () => {
    fc.assert(fc.property(fc.integer({ min: -800_000, max: 800_000 }), (days) => {
      const { year, month, day } = civilFromDays(days);
      return daysFromCivil(year, month, day) === days;
    }), { numRuns: 2000 });
  });

  it('formats what it parses', () => {
    expect(formatIsoUtc(1_587_929_870_000_000_000n)).to.equal('2020-04-26T19:37:50.000000000Z');
    expect(formatIsoUtc(0n)).to.equal('1970-01-01T00:00:00.000000000Z');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 253_402_300_799_999_999_999n }), (ns) => parseIsoUtc(formatIsoUtc(ns)) === ns), { numRuns: 1000 });
  });
});
