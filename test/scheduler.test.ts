import { expect } from 'chai';
import fc from 'fast-check';
import { Scheduler, ms, sec, us } from '../src/sim';

describe('Scheduler', () => {
  it('runs events in time order, and same-time events in insertion order', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.schedule(30, (x: string) => log.push(x), 'c@30');
    s.schedule(10, (x: string) => log.push(x), 'a@10');
    s.schedule(30, (x: string) => log.push(x), 'd@30');
    s.schedule(10, (x: string) => log.push(x), 'b@10');
    s.schedule(0, (x: string) => log.push(x), 'z@0');
    const r = s.run();
    expect(log).to.deep.equal(['z@0', 'a@10', 'b@10', 'c@30', 'd@30']);
    expect(r).to.deep.equal({ executed: 5, stoppedBy: 'empty' });
    expect(s.now).to.equal(30);
  });

  it('passes the argument and advances now to each event time', () => {
    const s = new Scheduler();
    const seen: [number, number][] = [];
    s.schedule(us(5), (n: number) => seen.push([n, s.now]), 7);
    s.scheduleAt(ms(2), (n: number) => seen.push([n, s.now]), 8);
    s.run();
    expect(seen).to.deep.equal([[7, 5_000], [8, 2_000_000]]);
  });

  it('runs events scheduled from inside a callback, zero delay after the current nanosecond queue', () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.schedule(10, () => {
      log.push('first');
      s.schedule(0, () => log.push('child of first (same ns, queued after second)'));
      s.schedule(5, () => log.push('grandchild at 15'));
    });
    s.schedule(10, () => log.push('second'));
    s.schedule(12, () => log.push('at 12'));
    s.run();
    expect(log).to.deep.equal(['first', 'second', 'child of first (same ns, queued after second)', 'at 12', 'grandchild at 15']);
  });

  it('cancels pending events only, and says whether it did', () => {
    const s = new Scheduler();
    const log: number[] = [];
    const a = s.schedule(10, () => log.push(1));
    const b = s.schedule(20, () => log.push(2));
    const c = s.schedule(30, () => log.push(3));
    expect(s.pending).to.equal(3);
    expect(s.cancel(b)).to.equal(true);
    expect(s.cancel(b)).to.equal(false); // already cancelled
    expect(s.pending).to.equal(2);
    s.run({ until: 10 });
    expect(s.cancel(a)).to.equal(false); // already ran
    expect(s.cancel(12345678)).to.equal(false); // never existed
    expect(s.cancel(-1)).to.equal(false);
    s.run();
    expect(log).to.deep.equal([1, 3]);
    expect(s.cancel(c)).to.equal(false);
    expect(s.stats).to.deep.equal({ scheduled: 3, executed: 2, cancelled: 1 });
  });

  it('does not let a stale id cancel a newer event that reuses its slot', () => {
    const s = new Scheduler();
    const old = s.schedule(1, () => {});
    s.run();
    let ran = false;
    const fresh = s.schedule(1, () => (ran = true));
    expect(fresh).to.not.equal(old);
    expect(s.cancel(old)).to.equal(false);
    s.run();
    expect(ran).to.equal(true);
  });

  it('cancels from inside a callback an event due at the same nanosecond', () => {
    const s = new Scheduler();
    const log: string[] = [];
    let victim = 0;
    s.schedule(5, () => {
      log.push('killer');
      s.cancel(victim);
    });
    victim = s.schedule(5, () => log.push('victim'));
    s.schedule(5, () => log.push('bystander'));
    s.run();
    expect(log).to.deep.equal(['killer', 'bystander']);
  });

  it('run({ until }) runs events at or before until and then sets now = until, even when idle', () => {
    const s = new Scheduler();
    const log: number[] = [];
    s.schedule(100, () => log.push(100));
    s.schedule(200, () => log.push(200));
    s.schedule(201, () => log.push(201));
    expect(s.run({ until: 200 })).to.deep.equal({ executed: 2, stoppedBy: 'until' });
    expect(log).to.deep.equal([100, 200]);
    expect(s.now).to.equal(200);
    expect(s.pending).to.equal(1);
    // The scenario's `sleep: 30s` step: nothing is due for a long while, time advances anyway.
    expect(s.run({ until: sec(30) })).to.deep.equal({ executed: 1, stoppedBy: 'until' });
    expect(s.now).to.equal(sec(30));
    expect(s.run({ until: sec(40) })).to.deep.equal({ executed: 0, stoppedBy: 'until' });
    expect(s.now).to.equal(sec(40));
    // Scheduling relative to the advanced clock.
    s.schedule(1, () => log.push(s.now));
    s.run();
    expect(log.at(-1)).to.equal(sec(40) + 1);
  });

  it('keeps order across run({ until }) boundaries that fall between far-apart events', () => {
    const s = new Scheduler();
    const log: number[] = [];
    for (const t of [sec(1), ms(1500), sec(3), sec(3) + 1]) s.scheduleAt(t, () => log.push(t));
    s.run({ until: ms(1200) });
    // An event inserted after the stop, earlier than everything still pending.
    s.schedule(ms(100), () => log.push(s.now));
    s.run({ until: ms(1300) });
    s.scheduleAt(ms(1400), () => log.push(s.now));
    s.run();
    expect(log).to.deep.equal([sec(1), ms(1300), ms(1400), ms(1500), sec(3), sec(3) + 1]);
  });

  it('run({ maxEvents }) stops after that many events and leaves now at the last one', () => {
    const s = new Scheduler();
    let n = 0;
    const tick = (): void => {
      n++;
      s.schedule(10, tick);
    };
    s.schedule(0, tick);
    expect(s.run({ maxEvents: 5 })).to.deep.equal({ executed: 5, stoppedBy: 'maxEvents' });
    expect(n).to.equal(5);
    expect(s.now).to.equal(40);
    // An event scheduled now, before the one still pending, still runs first.
    const log: string[] = [];
    s.schedule(3, () => log.push('early'));
    s.run({ maxEvents: 1 });
    expect(log).to.deep.equal(['early']);
    expect(s.now).to.equal(43);
  });

  it('reports until, not maxEvents, when the limit is hit but nothing more is due before until', () => {
    const s = new Scheduler();
    s.schedule(10, () => {});
    s.schedule(1000, () => {});
    expect(s.run({ until: 500, maxEvents: 1 })).to.deep.equal({ executed: 1, stoppedBy: 'until' });
    expect(s.now).to.equal(500);
    expect(s.run({ maxEvents: 1 })).to.deep.equal({ executed: 1, stoppedBy: 'maxEvents' });
    expect(s.run({ maxEvents: 1 })).to.deep.equal({ executed: 0, stoppedBy: 'empty' });
  });

  it('step() runs exactly one event', () => {
    const s = new Scheduler();
    const log: number[] = [];
    s.schedule(7, () => log.push(7));
    s.schedule(3, () => log.push(3));
    expect(s.step()).to.equal(true);
    expect(log).to.deep.equal([3]);
    expect(s.now).to.equal(3);
    expect(s.step()).to.equal(true);
    expect(s.step()).to.equal(false);
    expect(log).to.deep.equal([3, 7]);
  });

  it('refuses negative, NaN, fractional and past times', () => {
    const s = new Scheduler();
    expect(() => s.schedule(-1, () => {})).to.throw(RangeError);
    expect(() => s.schedule(NaN, () => {})).to.throw(RangeError);
    expect(() => s.schedule(1.5, () => {})).to.throw(RangeError);
    expect(() => s.schedule(Infinity, () => {})).to.throw(RangeError);
    s.run({ until: 100 });
    expect(() => s.scheduleAt(99, () => {})).to.throw(RangeError);
    expect(() => s.run({ until: 50 })).to.throw(RangeError);
    expect(s.pending).to.equal(0);
  });

  it('orders events far apart in time, across every level of the wheel', () => {
    const s = new Scheduler();
    const times = [2 ** 52, 2 ** 40 + 3, 2 ** 33, 2 ** 32 - 1, 2 ** 32, 2 ** 31, 2 ** 30 + 7, 12345, 0, 31, 32, 1023, 1024];
    const log: number[] = [];
    for (const t of times) s.scheduleAt(t, () => log.push(s.now));
    s.run();
    expect(log).to.deep.equal([...times].sort((a, b) => a - b));
  });

  it('survives growth beyond its initial capacity', () => {
    const s = new Scheduler();
    let count = 0;
    for (let i = 0; i < 5000; i++) s.schedule(5000 - i, () => count++);
    expect(s.pending).to.equal(5000);
    s.run();
    expect(count).to.equal(5000);
  });

  it('property: any sequence of schedules, cancels and partial runs executes in (time, insertion) order', () => {
    type Op =
      | { op: 'schedule'; delay: number }
      | { op: 'cancel'; pick: number }
      | { op: 'run'; until: number }
      | { op: 'spawn'; delay: number };
    const delay = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, 31, 32, 1024, 2 ** 32));
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: delay.map((d) => ({ op: 'schedule' as const, delay: d })) },
      { weight: 2, arbitrary: fc.nat().map((p) => ({ op: 'cancel' as const, pick: p })) },
      { weight: 1, arbitrary: delay.map((d) => ({ op: 'run' as const, until: d })) },
      { weight: 2, arbitrary: delay.map((d) => ({ op: 'spawn' as const, delay: d })) },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const s = new Scheduler();
        // Reference model: every scheduled event with (time, seq); executed log must equal the
        // live events sorted by (time, seq), and times must never go backwards.
        const model = new Map<number, { time: number; seq: number; id: number }>();
        const executed: number[] = [];
        const ids: number[] = [];
        let seq = 0;
        let lastTime = 0;
        const add = (time: number, spawnDelay: number | undefined): void => {
          const mySeq = seq++;
          const cb = (): void => {
            expect(s.now).to.equal(time);
            expect(s.now).to.be.at.least(lastTime);
            lastTime = s.now;
            executed.push(mySeq);
            model.delete(mySeq);
            if (spawnDelay !== undefined) add(s.now + spawnDelay, undefined);
          };
          const id = s.scheduleAt(time, cb);
          ids.push(id);
          model.set(mySeq, { time, seq: mySeq, id });
        };
        const expectedOrder: number[] = [];
        const drainModel = (until: number): void => {
          // Spawned children join the model as their parents run; sort lazily by simulating.
          for (;;) {
            let best: { time: number; seq: number } | undefined;
            for (const e of model.values()) if (e.time <= until && (!best || e.time < best.time || (e.time === best.time && e.seq < best.seq))) best = e;
            if (!best) return;
            expectedOrder.push(best.seq);
            const before = executed.length;
            expect(s.step()).to.equal(true);
            expect(executed.length).to.equal(before + 1);
          }
        };
        for (const o of ops) {
          switch (o.op) {
            case 'schedule':
              add(s.now + o.delay, undefined);
              break;
            case 'spawn':
              add(s.now + o.delay, o.delay);
              break;
            case 'cancel': {
              if (ids.length === 0) break;
              const id = ids[o.pick % ids.length]!;
              const entry = [...model.values()].find((e) => e.id === id);
              expect(s.cancel(id)).to.equal(entry !== undefined);
              if (entry) model.delete(entry.seq);
              break;
            }
            case 'run': {
              const until = s.now + o.until;
              drainModel(until);
              expect(s.run({ until })).to.deep.equal({ executed: 0, stoppedBy: 'until' });
              expect(s.now).to.equal(until);
              break;
            }
          }
          expect(s.pending).to.equal(model.size);
        }
        drainModel(Infinity);
        expect(s.run().executed).to.equal(0);
        expect(executed).to.deep.equal(expectedOrder);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a plain run executes every live event sorted by (time, seq)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.boolean()), { maxLength: 300 }),
        fc.integer({ min: 0, max: 3000 }),
        (events, firstRun) => {
          const s = new Scheduler();
          s.run({ until: firstRun });
          const log: number[] = [];
          const ids = events.map(([d], i) => s.schedule(d, () => log.push(i)));
          events.forEach(([, cancel], i) => cancel && s.cancel(ids[i]!));
          s.run();
          const expected = events
            .map(([d, cancel], i) => ({ d, cancel, i }))
            .filter((e) => !e.cancel)
            .sort((a, b) => a.d - b.d || a.i - b.i)
            .map((e) => e.i);
          expect(log).to.deep.equal(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
