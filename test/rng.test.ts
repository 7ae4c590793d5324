import { expect } from 'chai';
import { Rng } from '../src/sim';

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.next());

describe('Rng', () => {
  it('pins the first values of seed 1 (a change here changes every scenario output)', () => {
    const r = Rng.fromSeed(1);
    expect(draw(r, 3)).to.deep.equal([0.5308873315807432, 0.38697770866565406, 0.25987419043667614]);
    const u = Rng.fromSeed(1);
    expect([u.nextUint32(), u.nextUint32(), u.nextUint32()]).to.deep.equal([2280143727, 1662056603, 1116151149]);
    expect(Rng.fromSeed(1).hex(12)).to.equal('87e83b6f6310');
    expect(Rng.fromSeed(1).fork('ipam').next()).to.equal(0.29405033704824746);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    expect(draw(Rng.fromSeed(42), 50)).to.deep.equal(draw(Rng.fromSeed(42), 50));
    expect(draw(Rng.fromSeed('demo'), 50)).to.deep.equal(draw(Rng.fromSeed('demo'), 50));
    expect(draw(Rng.fromSeed(42), 5)).to.not.deep.equal(draw(Rng.fromSeed(43), 5));
    // A number seed and its string spelling are different seeds.
    expect(draw(Rng.fromSeed(1), 5)).to.not.deep.equal(draw(Rng.fromSeed('1'), 5));
  });

  it('forks depend on (seed, name) only: not on the parent\'s draws nor on other forks', () => {
    const a = Rng.fromSeed(7);
    const ipamFirst = draw(a.fork('ipam'), 20);
    const b = Rng.fromSeed(7);
    draw(b, 100); // the parent drew numbers
    b.fork('veth:container1'); // another component was added first
    expect(draw(b.fork('ipam'), 20)).to.deep.equal(ipamFirst);
    // Different names, different streams; nested forks are distinct from flat names.
    expect(draw(a.fork('ipam'), 5)).to.not.deep.equal(draw(a.fork('mac'), 5));
    expect(draw(a.fork('a').fork('b'), 5)).to.not.deep.equal(draw(a.fork('a/b'), 5));
    // A fork's stream differs from its parent's.
    expect(draw(Rng.fromSeed(7).fork('x'), 5)).to.not.deep.equal(draw(Rng.fromSeed(7), 5));
  });

  it('keeps every helper within its range', () => {
    const r = Rng.fromSeed(3);
    for (let i = 0; i < 2000; i++) {
      const x = r.next();
      expect(x).to.be.at.least(0).and.below(1);
      const u = r.nextUint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).to.equal(true);
      const k = r.int(6);
      expect(Number.isInteger(k) && k >= 0 && k < 6).to.equal(true);
      const big = r.int(2 ** 40);
      expect(Number.isInteger(big) && big >= 0 && big < 2 ** 40).to.equal(true);
    }
    expect(r.int(1)).to.equal(0);
    expect(() => r.int(0)).to.throw(RangeError);
    expect(() => r.int(2.5)).to.throw(RangeError);
  });

  it('int(n) reaches every value', () => {
    const r = Rng.fromSeed(4);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(r.int(10));
    expect([...seen].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('bytes(n) and hex(n) have the requested sizes and agree with each other', () => {
    expect(Rng.fromSeed(5).bytes(7)).to.have.length(7);
    expect(Rng.fromSeed(5).bytes(0)).to.have.length(0);
    const id = Rng.fromSeed(5).hex(64);
    expect(id).to.match(/^[0-9a-f]{64}$/);
    expect(Rng.fromSeed(5).hex(5)).to.equal(id.slice(0, 5));
    const b = Rng.fromSeed(5).bytes(3);
    expect(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')).to.equal(id.slice(0, 6));
  });

  it('exponential(mean) has that mean and chance(p) that frequency', () => {
    const r = Rng.fromSeed(6);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = r.exponential(100);
      expect(x).to.be.at.least(0);
      sum += x;
    }
    expect(sum / n).to.be.closeTo(100, 3); // standard error of the mean: 100 / sqrt(20000) ≈ 0.7
    let hits = 0;
    for (let i = 0; i < n; i++) if (r.chance(0.25)) hits++;
    expect(hits / n).to.be.closeTo(0.25, 0.015);
    expect(r.chance(0)).to.equal(false);
    expect(r.chance(1)).to.equal(true);
  });
});
