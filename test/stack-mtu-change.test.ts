// `ip link set DEV mtu N` must reach sockets that already have a cached output path: the next
// datagram larger than the new MTU is fragmented (Linux re-reads dst_mtu on every send).
import { expect } from 'chai';
import { sec, type TraceEvent } from '../src/sim';
import { Ipv4Packet, parseCidr, parseIpv4 } from '../src/wire';
import { Machine } from '../src/stack';
import { newSim } from './stack-harness';

describe('stack: an MTU change reaches cached output paths', () => {
  it('fragments after the MTU shrinks, on the same socket', () => {
    const sim = newSim();
    const m = new Machine(sim, 'host1');
    const a = m.addNamespace('a', { loopbackUp: true });
    const b = m.addNamespace('b', { loopbackUp: true });
    const [va, vb] = m.createVeth('eth0', 'peer0');
    m.setNetns(va, a);
    m.setNetns(vb, b);
    m.rename(m.link(b, 'peer0')!, 'eth0');
    m.setUp(m.link(a, 'eth0')!, true);
    m.setUp(m.link(b, 'eth0')!, true);
    m.addAddress(m.link(a, 'eth0')!, parseCidr('10.0.0.1/24'));
    m.addAddress(m.link(b, 'eth0')!, parseCidr('10.0.0.2/24'));

    const ipFrames: Ipv4Packet[] = [];
    sim.trace.subscribe((e: TraceEvent) => {
      if (e.kind === 'rx' && e.port === 'b:eth0' && e.frame && e.frame[12] === 0x08 && e.frame[13] === 0x00) {
        ipFrames.push(Ipv4Packet.parse(e.frame.subarray(14)));
      }
    });
    const received: number[] = [];
    b.udp.bind(9).onMessage((p) => received.push(p.length));
    const sock = a.udp.bind(0);
    sock.send(parseIpv4('10.0.0.2'), 9, new Uint8Array(1200));
    sim.scheduler.run({ until: sec(1) });
    expect(ipFrames.filter((p) => p.protocol === 17)).to.have.length(1);

    m.setMtu(m.link(a, 'eth0')!, 1000);
    ipFrames.length = 0;
    sock.send(parseIpv4('10.0.0.2'), 9, new Uint8Array(1200));
    sim.scheduler.run({ until: sec(2) });
    const udp = ipFrames.filter((p) => p.protocol === 17);
    expect(udp).to.have.length(2);
    expect(udp[0]!.totalLength).to.be.at.most(1000);
    expect(udp[0]!.moreFragments).to.equal(true);
    expect(received).to.deep.equal([1200, 1200]);
  });
});
