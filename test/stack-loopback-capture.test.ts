// The loopback is captured like a link (`tcpdump -i lo`): the embedded DNS server's queries to
// 127.0.0.11 must show up in a container's capture (issue 5, SCENARIOS.md "Captures").
import { expect } from 'chai';
import { sec, type TraceEvent } from '../src/sim';
import { EtherType, Ipv4Packet, IpProtocol, UdpPacket, frameEtherType, parseIpv4 } from '../src/wire';
import { Machine } from '../src/stack';
import { linkFileStem, endsFromLinkName } from '../src/scenario/capture-naming';
import { newSim } from './stack-harness';

describe('stack: the loopback as a captured link', () => {
  it('emits one rx event per loopback frame, on a link named after the namespace label', () => {
    const sim = newSim();
    const m = new Machine(sim, 'host1');
    const ns = m.addNamespace('netns-path-abc', { label: 'container1', loopbackUp: true });
    const seen: TraceEvent[] = [];
    sim.trace.subscribe((e) => { if (e.kind === 'rx') seen.push(e); });
    const server = ns.udp.bind(53);
    const got: string[] = [];
    server.onMessage((payload) => got.push(new TextDecoder().decode(payload)));
    ns.udp.bind(0).send(parseIpv4('127.0.0.1'), 53, new TextEncoder().encode('query'));
    sim.scheduler.run({ until: sec(1) });

    expect(got).to.deep.equal(['query']);
    expect(seen).to.have.length(1);
    const e = seen[0]!;
    expect(e.device).to.equal('container1:lo');
    expect(e.port).to.equal('container1:lo');
    // An Ethernet II frame carrying IPv4/UDP from 127.0.0.1 to 127.0.0.1:53, as tcpdump shows on lo.
    expect(frameEtherType(e.frame!)).to.equal(EtherType.IPv4);
    const ipPkt = Ipv4Packet.parse(e.frame!.subarray(14), { verifyChecksum: true });
    expect(ipPkt.protocol).to.equal(IpProtocol.UDP);
    expect(ipPkt.dst).to.equal(parseIpv4('127.0.0.1'));
    expect(UdpPacket.parse(ipPkt.payload).dstPort).to.equal(53);
  });

  it('names the capture file after the interface once, not twice', () => {
    const ends = endsFromLinkName('container1:lo', 'container1:lo');
    expect(ends).to.deep.equal(['container1:lo', 'container1:lo']);
    expect(linkFileStem(ends, false)).to.equal('container1.lo');
  });
});

describe('stack: source address towards 127.0.0.0/8', () => {
  it('uses 127.0.0.1 for an unassigned loopback address, the address itself when assigned', () => {
    const sim = newSim();
    const m = new Machine(sim, 'host1');
    const ns = m.addNamespace('c1', { loopbackUp: true });
    const sources: string[] = [];
    const collect = (_p: Uint8Array, srcIp: number): void => { sources.push(`${srcIp >>> 24}.${(srcIp >>> 16) & 255}.${(srcIp >>> 8) & 255}.${srcIp & 255}`); };
    ns.udp.bind(53, parseIpv4('127.0.0.11')).onMessage(collect);
    ns.udp.bind(54, parseIpv4('127.0.0.1')).onMessage(collect);
    const client = ns.udp.bind(0);
    client.send(parseIpv4('127.0.0.11'), 53, new Uint8Array(4)); // like Docker's resolver address
    client.send(parseIpv4('127.0.0.1'), 54, new Uint8Array(4));
    sim.scheduler.run({ until: sec(1) });
    expect(sources).to.deep.equal(['127.0.0.1', '127.0.0.1']);
  });
});
