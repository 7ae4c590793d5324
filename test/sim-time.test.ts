import { expect } from 'chai';
import { formatSimTime, ms, ns, sec, us } from '../src/sim';

describe('simulated time helpers', () => {
  it('convert units to integer nanoseconds, rounding', () => {
    expect(ns(1.5)).to.equal(2);
    expect(us(1)).to.equal(1_000);
    expect(us(0.5)).to.equal(500);
    expect(ms(50)).to.equal(50_000_000);
    expect(sec(1)).to.equal(1_000_000_000);
    expect(sec(0.1)).to.equal(100_000_000); // 0.1 * 1e9 is not exact in binary; rounding makes it so
    expect(Number.isInteger(us(0.0001))).to.equal(true);
  });

  it('format like the transcript summary: seconds with milliseconds', () => {
    expect(formatSimTime(sec(4) + ms(12))).to.equal('4.012 s');
    expect(formatSimTime(0)).to.equal('0.000 s');
    expect(formatSimTime(us(180))).to.equal('0.000 s');
    expect(formatSimTime(us(1500))).to.equal('0.002 s');
    expect(formatSimTime(sec(30))).to.equal('30.000 s');
    expect(formatSimTime(sec(86400) + ms(999) + us(600))).to.equal('86401.000 s');
  });
});
