import { expect } from 'chai';
import { TraceBus } from '../src/sim';
import type { TraceEvent } from '../src/sim';

describe('TraceBus', () => {
  const ev = (note: string): TraceEvent => ({ kind: 'decision', time: 5, device: 'br0', note });

  it('is disabled until a sink subscribes, and again after it unsubscribes', () => {
    const bus = new TraceBus();
    expect(bus.enabled).to.equal(false);
    const off = bus.subscribe(() => {});
    expect(bus.enabled).to.equal(true);
    off();
    expect(bus.enabled).to.equal(false);
  });

  it('delivers each event to every sink in subscription order', () => {
    const bus = new TraceBus();
    const log: string[] = [];
    bus.subscribe((e) => log.push(`a:${e.note}`));
    const offB = bus.subscribe((e) => log.push(`b:${e.note}`));
    bus.emit(ev('flood'));
    offB();
    offB(); // a second call is harmless
    bus.emit(ev('learn'));
    expect(log).to.deep.equal(['a:flood', 'b:flood', 'a:learn']);
  });

  it('lets a sink unsubscribe itself while an event is being delivered', () => {
    const bus = new TraceBus();
    const log: string[] = [];
    const off = bus.subscribe((e) => {
      log.push(`once:${e.note}`);
      off();
    });
    bus.subscribe((e) => log.push(`always:${e.note}`));
    bus.emit(ev('1'));
    bus.emit(ev('2'));
    expect(log).to.deep.equal(['once:1', 'always:1', 'always:2']);
  });

  it('removes only the subscription it was returned for', () => {
    const bus = new TraceBus();
    const log: string[] = [];
    const sink = (e: TraceEvent): void => void log.push(e.note ?? '');
    const off1 = bus.subscribe(sink);
    bus.subscribe(sink);
    off1();
    bus.emit(ev('x'));
    expect(log).to.deep.equal(['x']);
    expect(bus.enabled).to.equal(true);
  });
});
