// The capture of a bridge's own link is what `tcpdump -i br0` shows on a real host: tcpdump
// puts br0 in promiscuous mode, so every frame the bridge receives is seen there, including
// the unicast it forwards between two ports (../shared/fixtures/kernel/bridge-br0.pcap holds
// the containers' whole ping). The host's stack must still not receive those frames.
import { expect } from 'chai';
import { Bridge, Link, INTERNAL_LINK } from '../src/devices';
import { mac, newSim, Probe, rawFrame, collectTrace } from './devices-harness';

describe('bridge: the capture of its own interface', () => {
  function setup() {
    const sim = newSim();
    const br = new Bridge(sim, { name: 'br0', mac: mac('02:00:00:00:00:01') });
    const l1 = new Link(sim, ['br0:p1', 'c1:eth0'], INTERNAL_LINK);
    const l2 = new Link(sim, ['br0:p2', 'c2:eth0'], INTERNAL_LINK);
    br.addPort(l1.a, { name: 'p1' });
    br.addPort(l2.a, { name: 'p2' });
    const c1 = new Probe(sim, l1.b);
    const c2 = new Probe(sim, l2.b);
    const host = new Probe(sim, br.selfPort);
    return { sim, br, c1, c2, host };
  }
  const A = mac('02:42:0a:00:00:02');
  const B = mac('02:42:0a:00:00:03');

  it('sees forwarded unicast once, while the host stack does not get it', () => {
    const { sim, br, c1, c2, host } = setup();
    const rx = collectTrace(sim, ['rx']);
    c2.send(rawFrame(A, B)); // unknown destination: flooded, B learnt on p2
    sim.scheduler.run();
    const known = rawFrame(B, A);
    c1.send(known); // B is known: forwarded to p2 only
    sim.scheduler.run();

    expect(c2.frames.map((f) => f.frame)).to.include(known);
    expect(host.frames.map((f) => f.frame)).to.not.include(known);
    const onBridgeLink = rx.filter((e) => e.port === br.selfPort.name);
    expect(onBridgeLink.filter((e) => e.frame === known)).to.have.length(1);
  });
});
