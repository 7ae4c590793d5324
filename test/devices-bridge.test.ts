import { expect } from 'chai';
import { Bridge, BRIDGE_DEFAULTS, ForwardingLoopError, Link, Nic, type Port } from '../src/devices';
import { formatMac } from '../src/wire';
import { sec, us } from '../src/sim';
import { Probe, collectTrace, mac, newSim, rawFrame, type Sim } from './devices-harness';

const BR = mac('02:42:5c:1d:3e:01');
const C1 = mac('02:42:0a:00:00:02');
const C2 = mac('02:42:0a:00:00:03');
const C3 = mac('02:42:0a:00:00:04');
const X = mac('02:42:0a:00:00:99');
const BCAST = mac('ff:ff:ff:ff:ff:ff');

interface World {
  sim: Sim;
  br: Bridge;
  /** What arrives at each container's end of its veth. */
  c: Probe[];
  ports: Port[];
  /** The host's Nic on the bridge's own interface, and what the host stack got. */
  host: Nic;
  up: Uint8Array[];
}

function world(n = 3, opts: { ageingTime?: number } = {}): World {
  const sim = newSim();
  const br = new Bridge(sim, { name: 'h:br0', mac: BR, ...opts });
  const host = new Nic(sim, br.selfPort, { name: 'h:br0', mac: BR });
  const up: Uint8Array[] = [];
  host.setHandler((f) => up.push(f));
  const c: Probe[] = [];
  const ports: Port[] = [];
  for (let i = 1; i <= n; i++) {
    const veth = new Link(sim, [`c${i}:eth0`, `h:veth${i}`]);
    c.push(new Probe(sim, veth.a));
    ports.push(veth.b);
    br.addPort(veth.b);
  }
  return { sim, br, c, ports, host, up };
}

const counts = (w: World): number[] => w.c.map((p) => p.count);
const clear = (w: World): void => {
  for (const p of w.c) p.clear();
  w.up.length = 0;
};
const run = (w: World, until?: number): void => {
  w.sim.scheduler.run(until === undefined ? {} : { until });
};
const fdbMacs = (br: Bridge): string[] => br.fdb().map((e) => `${formatMac(e.mac)} ${e.port}${e.isLocal ? ' local' : ''}${e.isStatic ? ' static' : ''}`);

describe('devices: Bridge (802.1D as Linux does it)', () => {
  it('floods unknown unicast to every port but the ingress one, learns the source, then forwards', () => {
    const w = world();
    w.c[0]!.send(rawFrame(C2, C1));
    run(w);
    expect(counts(w), 'flooded to veth2 and veth3').to.deep.equal([0, 1, 1]);
    expect(w.up.length, 'unknown unicast is not passed up (bridge not promiscuous)').to.equal(0);
    expect(w.c[1]!.frames[0]!.time, 'two veth crossings').to.equal(us(50));
    clear(w);
    w.c[1]!.send(rawFrame(C1, C2));
    run(w);
    expect(counts(w), 'C1 was learnt on veth1').to.deep.equal([1, 0, 0]);
    clear(w);
    w.c[0]!.send(rawFrame(C2, C1));
    run(w);
    expect(counts(w), 'C2 was learnt on veth2').to.deep.equal([0, 1, 0]);
    expect(w.br.stats).to.include({ flooded: 1, forwarded: 2 });
    expect(fdbMacs(w.br)).to.deep.equal(['02:42:5c:1d:3e:01 h:br0 local static', '02:42:0a:00:00:02 h:veth1', '02:42:0a:00:00:03 h:veth2']);
  });

  it('floods broadcast and multicast to every other port and passes a copy up to the host', () => {
    const w = world();
    const b = rawFrame(BCAST, C1);
    w.c[0]!.send(b);
    const m = rawFrame(mac('01:00:5e:00:00:01'), C1);
    w.c[0]!.send(m);
    run(w);
    expect(counts(w)).to.deep.equal([0, 2, 2]);
    expect(w.up).to.deep.equal([b, m]);
    expect(w.c[1]!.frames[0]!.frame, 'flood copies share the buffer').to.equal(b);
  });

  it('ages learnt entries after 300 s: present at 299 s, gone (flooding again) at 301 s', () => {
    const w = world();
    expect(BRIDGE_DEFAULTS.ageingTime).to.equal(sec(300));
    w.c[0]!.send(rawFrame(BCAST, C1)); // learnt at t = 25 µs
    run(w);
    clear(w);
    run(w, sec(299));
    const entry = w.br.fdb().find((e) => e.mac === C1)!;
    expect(entry.port).to.equal('h:veth1');
    expect(entry.ageNs).to.equal(sec(299) - us(25));
    w.c[2]!.send(rawFrame(C1, C3));
    run(w);
    expect(counts(w), 'at 299 s C1 is known').to.deep.equal([1, 0, 0]);
    clear(w);
    run(w, sec(301));
    expect(w.br.fdb().some((e) => e.mac === C1), 'fdb() hides the expired entry').to.equal(false);
    w.c[2]!.send(rawFrame(C1, C3));
    run(w);
    expect(counts(w), 'at 301 s C1 is unknown: flooded').to.deep.equal([1, 1, 0]);
  });

  it('refreshes an entry each time the source is seen', () => {
    const w = world();
    w.c[0]!.send(rawFrame(BCAST, C1));
    run(w, sec(200));
    w.c[0]!.send(rawFrame(BCAST, C1));
    run(w, sec(450));
    clear(w);
    w.c[1]!.send(rawFrame(C1, C2));
    run(w);
    expect(counts(w)).to.deep.equal([1, 0, 0]);
  });

  it('drops a frame whose destination was learnt on its ingress port, unless the port is in hairpin mode', () => {
    const w = world();
    // Two hosts behind veth1 (as behind a switch): C1 and X.
    w.c[0]!.send(rawFrame(BCAST, X));
    run(w);
    clear(w);
    w.c[0]!.send(rawFrame(X, C1));
    run(w);
    expect(counts(w)).to.deep.equal([0, 0, 0]);
    expect(w.br.stats.drops['same-port']).to.equal(1);
    w.br.setHairpin(w.ports[0]!, true);
    w.c[0]!.send(rawFrame(X, C1));
    run(w);
    expect(counts(w), 'hairpin reflects it back out of veth1').to.deep.equal([1, 0, 0]);
  });

  it('in hairpin mode also floods back to the ingress port (should_deliver)', () => {
    const w = world();
    const id = w.br.ports().find((p) => p.name === 'h:veth1')!.id;
    w.br.setHairpin(id, true);
    w.c[0]!.send(rawFrame(BCAST, C1));
    w.c[0]!.send(rawFrame(C3, C1));
    run(w);
    expect(counts(w)).to.deep.equal([2, 2, 2]);
    expect(w.br.ports()[0]).to.include({ name: 'h:veth1', hairpin: true, learning: true, flood: true });
  });

  it('handles 01:80:C2:00:00:0X as Linux with STP off: :00 forwarded, :01 dropped, others not forwarded', () => {
    const w = world();
    const stp = rawFrame(mac('01:80:c2:00:00:00'), C1);
    w.c[0]!.send(stp);
    run(w);
    expect(counts(w), 'STP BPDUs are flooded when STP is off').to.deep.equal([0, 1, 1]);
    expect(w.br.stats.passedUp, 'and passed up to the bridge device').to.equal(1);
    clear(w);
    w.c[1]!.send(rawFrame(mac('01:80:c2:00:00:01'), C2));
    run(w);
    expect(counts(w)).to.deep.equal([0, 0, 0]);
    expect(w.br.stats.drops['mac-pause']).to.equal(1);
    expect(w.br.fdb().some((e) => e.mac === C2), 'a PAUSE frame is dropped before learning').to.equal(false);
    for (const low of ['02', '03', '0e', '0f']) w.c[2]!.send(rawFrame(mac(`01:80:c2:00:00:${low}`), C3));
    run(w);
    expect(counts(w), 'LACP, LLDP and the rest are not forwarded (group_fwd_mask 0)').to.deep.equal([0, 0, 0]);
    expect(w.br.stats.passedUp, 'nor passed up').to.equal(1);
    expect(w.br.stats.linkLocal).to.equal(4);
    expect(w.br.fdb().find((e) => e.mac === C3)?.port, 'but their source is learnt').to.equal('h:veth3');
    // 01:80:c2:00:00:10 is outside the reserved block: an ordinary multicast.
    w.c[2]!.send(rawFrame(mac('01:80:c2:00:00:10'), C3));
    run(w);
    expect(counts(w)).to.deep.equal([1, 1, 0]);
  });

  it('static entries direct frames without learning, never age, and bridge-local ones go up', () => {
    const w = world();
    w.br.addStaticFdb(X, w.ports[1]!);
    w.br.addStaticFdb(C3, 'self');
    run(w, sec(1000));
    w.c[0]!.send(rawFrame(X, C1));
    w.c[0]!.send(rawFrame(C3, C1));
    run(w);
    expect(counts(w)).to.deep.equal([0, 1, 0]);
    expect(w.br.stats.passedUp, 'the frame to the bridge-local address went up').to.equal(1);
    expect(w.host.drops['other-host'], '…and the host Nic filtered it: not its own MAC').to.equal(1);
    expect(w.br.fdb().find((e) => e.mac === X)).to.deep.include({ port: 'h:veth2', isStatic: true, isLocal: false, ageNs: 0 });
    // br_fdb_update: a static (not local) entry follows its MAC to another port.
    w.c[2]!.send(rawFrame(BCAST, X));
    run(w);
    expect(w.br.fdb().find((e) => e.mac === X)?.port).to.equal('h:veth3');
    expect(w.br.deleteFdb(X)).to.equal(true);
    expect(w.br.fdb().some((e) => e.mac === X)).to.equal(false);
    expect(() => w.br.addStaticFdb(BCAST, 'self')).to.throw(/cannot add/);
  });

  it('delivers frames for the bridge MAC to the host stack, and the host reaches containers through it', () => {
    const w = world();
    const toBridge = rawFrame(BR, C1);
    w.c[0]!.send(toBridge);
    run(w);
    expect(counts(w)).to.deep.equal([0, 0, 0]);
    expect(w.up).to.deep.equal([toBridge]);
    expect(w.host.counters.rxPackets).to.equal(1);
    expect(w.br.stats.passedUp).to.equal(1);
    // The host answers C1 (learnt on veth1), broadcasts, and sends to an unknown MAC.
    w.host.send(rawFrame(C1, BR));
    run(w);
    expect(counts(w)).to.deep.equal([1, 0, 0]);
    w.host.send(rawFrame(BCAST, BR));
    run(w);
    expect(counts(w), 'a host broadcast goes to every port').to.deep.equal([2, 1, 1]);
    expect(w.up.length, 'and not back up to the host').to.equal(1);
    w.host.send(rawFrame(X, BR));
    run(w);
    expect(counts(w)).to.deep.equal([3, 2, 2]);
    expect(w.br.fdb().filter((e) => e.mac === BR).length, 'frames from the host teach the bridge nothing').to.equal(1);
    w.host.send(rawFrame(BR, BR));
    run(w);
    expect(w.br.stats.drops['own-address']).to.equal(1);
  });

  it('lists the FDB in `bridge fdb show` order: the bridge first, then each port newest first', () => {
    const sim = newSim();
    const br = new Bridge(sim, { name: 'h:br0', mac: BR });
    const v1 = new Link(sim, ['c1:eth0', 'h:veth1']);
    const v2 = new Link(sim, ['c2:eth0', 'h:veth2']);
    br.addPort(v1.b, { mac: mac('56:00:12:27:eb:16'), name: 'veth1' });
    br.addPort(v2.b, { mac: mac('9e:bc:70:73:26:2b'), name: 'veth2' });
    const c1 = new Probe(sim, v1.a);
    const c2 = new Probe(sim, v2.a);
    c1.send(rawFrame(BCAST, C1));
    c2.send(rawFrame(C1, C2));
    sim.scheduler.run();
    // Fixture bridge-fdb.txt: "02:42:0a:00:00:02 dev veth1 master br0" before "56:00:… dev veth1 master br0 permanent".
    expect(fdbMacs(br)).to.deep.equal([
      '02:42:5c:1d:3e:01 h:br0 local static',
      '02:42:0a:00:00:02 veth1',
      '56:00:12:27:eb:16 veth1 local static',
      '02:42:0a:00:00:03 veth2',
      '9e:bc:70:73:26:2b veth2 local static',
    ]);
    // A frame to a port's own MAC goes up to the host (a local entry).
    c2.send(rawFrame(mac('56:00:12:27:eb:16'), C2));
    sim.scheduler.run();
    expect(br.stats.passedUp).to.equal(2);
    expect(c1.count).to.equal(1);
  });

  it('honours per-port learning and flood flags, and the ageing time 0 ("always flood")', () => {
    const w = world();
    w.br.setLearning(w.ports[0]!, false);
    w.br.setFlood(w.ports[2]!, false);
    w.c[0]!.send(rawFrame(BCAST, C1));
    run(w);
    expect(w.br.fdb().some((e) => e.mac === C1)).to.equal(false);
    expect(counts(w), 'broadcast still reaches a no-flood port').to.deep.equal([0, 1, 1]);
    w.c[1]!.send(rawFrame(X, C2));
    run(w);
    expect(counts(w), 'unknown unicast skips it').to.deep.equal([1, 1, 1]);

    const w0 = world(2, { ageingTime: 0 });
    w0.c[0]!.send(rawFrame(BCAST, C1));
    w0.c[1]!.send(rawFrame(C1, C2));
    run(w0);
    expect(w0.br.fdb().map((e) => e.mac)).to.deep.equal([BR]);
    expect(w0.br.stats.flooded).to.equal(2);
  });

  it('forgets a removed port and its entries', () => {
    const w = world();
    w.c[1]!.send(rawFrame(BCAST, C2));
    run(w);
    w.br.removePort(w.ports[1]!);
    expect(w.br.fdb().some((e) => e.mac === C2)).to.equal(false);
    clear(w);
    w.c[0]!.send(rawFrame(C2, C1));
    w.c[1]!.send(rawFrame(BCAST, C2)); // arrives at a port the bridge let go of
    run(w);
    expect(counts(w)).to.deep.equal([0, 0, 1]);
    expect(w.br.ports().map((p) => p.name)).to.deep.equal(['h:veth1', 'h:veth3']);
    expect(() => w.br.setHairpin(w.ports[1]!, true)).to.throw(/no such port/);
  });

  it('drops runts and invalid source MACs, counted per reason and traced, without throwing', () => {
    const w = world();
    const events = collectTrace(w.sim, ['drop']);
    w.c[0]!.send(new Uint8Array(0));
    w.c[0]!.send(new Uint8Array(13));
    w.c[0]!.send(rawFrame(C2, mac('01:00:5e:00:00:01'))); // multicast source
    w.c[0]!.send(rawFrame(C2, 0)); // all-zero source
    w.c[0]!.send(rawFrame(BCAST, BCAST));
    run(w);
    expect(counts(w)).to.deep.equal([0, 0, 0]);
    expect(w.br.stats.drops).to.include({ runt: 2, 'invalid-src': 3 });
    expect(events.filter((e) => e.device === 'h:br0').map((e) => e.reason)).to.deep.equal(['runt', 'runt', 'invalid-src', 'invalid-src', 'invalid-src']);
    w.host.send(new Uint8Array(5)); // the Nic refuses a runt before it reaches the bridge
    expect(w.host.counters.txErrors).to.equal(1);
    w.br.selfPort.transmit(new Uint8Array(5)); // straight into the bridge's own end
    run(w);
    expect(w.br.stats.drops.runt).to.equal(3);
  });

  it('emits learn, flood and forward decisions only when traced', () => {
    const w = world();
    w.c[0]!.send(rawFrame(C2, C1));
    run(w);
    const events = collectTrace(w.sim, ['decision']);
    w.c[1]!.send(rawFrame(C1, C2));
    run(w);
    expect(events.map((e) => e.note)).to.deep.equal(['h:br0: learned 02:42:0a:00:00:03 on h:veth2', 'h:br0: forwarded (h:veth1)']);
  });

  it('stops a broadcast storm between two bridges joined twice with an error that names the loop', () => {
    const sim = newSim();
    const br0 = new Bridge(sim, { name: 'h:br0', mac: mac('02:42:00:00:00:01') });
    const br1 = new Bridge(sim, { name: 'h:br1', mac: mac('02:42:00:00:00:02') });
    const j1 = new Link(sim, ['h:j1a', 'h:j1b']);
    const j2 = new Link(sim, ['h:j2a', 'h:j2b']);
    br0.addPort(j1.a);
    br1.addPort(j1.b);
    br0.addPort(j2.a);
    br1.addPort(j2.b);
    const veth = new Link(sim, ['c1:eth0', 'h:veth1']);
    br0.addPort(veth.b);
    const c1 = new Probe(sim, veth.a);
    c1.send(rawFrame(BCAST, C1));
    let error: unknown;
    try {
      sim.scheduler.run({ maxEvents: 100_000 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ForwardingLoopError);
    const loop = error as ForwardingLoopError;
    // br1 sees two copies per round (one per joining link), so it notices first.
    expect(loop.bridge).to.equal('h:br1');
    expect(loop.ports).to.have.members(['h:j1b', 'h:j2b']);
    expect(loop.message).to.match(/^forwarding loop at h:br1: the same flooded frame \(.+\) came back 8 times within 10 ms, entering by h:j1b, h:j2b/);
    expect(sim.scheduler.stats.executed).to.be.below(200);
  });

  it('does not mistake a frame sent twice (a duplicate, a retransmitted buffer) for a loop', () => {
    const w = world();
    const f = rawFrame(BCAST, C1);
    for (let i = 0; i < BRIDGE_DEFAULTS.loopThreshold - 1; i++) w.c[0]!.send(f);
    run(w);
    for (let i = 0; i < 3; i++) {
      run(w, w.sim.scheduler.now + BRIDGE_DEFAULTS.loopWindow + 1);
      w.c[0]!.send(f);
    }
    expect(() => run(w)).to.not.throw();
    expect(w.c[1]!.count).to.equal(BRIDGE_DEFAULTS.loopThreshold + 2);
  });
});
