// Connection tracking and NAT: MASQUERADE out and back, DNAT, port clashes, ICMP errors and
// echo through NAT, REDIRECT, timeouts; packets checked byte-wise with valid checksums.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { netfilterOf, type UdpErrorReport } from '../src/stack';
import { IcmpPacket, formatIpv4, readU16 } from '../src/wire';
import { datagrams, expectChecksumsValid, ipt, natTopology } from './netfilter-harness';
import { ip, newSim } from './stack-harness';

const PAYLOAD = new TextEncoder().encode('hello through the NAT');

describe('netfilter: conntrack and NAT', () => {
  it('MASQUERADE rewrites the source on the way out and the destination on the way back, with valid checksums', () => {
    const sim = newSim();
    const { client, router, server, inside, outside } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.0.0.0/24', '!', '-o', 'eth0', '-j', 'MASQUERADE');
    const seen: string[] = [];
    const srv = server.udp.bind(7);
    srv.onMessage((payload, src, sport) => {
      seen.push(`${formatIpv4(src)}:${sport}`);
      srv.send(src, sport, payload);
    });
    const got: string[] = [];
    const cli = client.udp.bind(40000);
    cli.onMessage((payload, src, sport, dst) => got.push(`${formatIpv4(src)}:${sport} -> ${formatIpv4(dst)} ${new TextDecoder().decode(payload)}`));
    cli.send(ip('192.168.1.2'), 7, PAYLOAD);
    sim.scheduler.run({ until: ms(50) });

    expect(seen).to.deep.equal(['192.168.1.1:40000']);
    expect(got).to.deep.equal(['192.168.1.2:7 -> 10.0.0.2 hello through the NAT']);
    const [outReq, outRep] = datagrams(outside);
    expect(formatIpv4(outReq!.src)).to.equal('192.168.1.1');
    expect(readU16(outReq!.payload, 0)).to.equal(40000);
    expect(formatIpv4(outRep!.dst)).to.equal('192.168.1.1');
    const [inReq, inRep] = datagrams(inside);
    expect(formatIpv4(inRep!.dst)).to.equal('10.0.0.2');
    expect(formatIpv4(inRep!.src)).to.equal('192.168.1.2');
    // Byte-wise: only the source address and the two checksums differ, and the TTL went down by one.
    const a = inReq!.packet;
    const b = outReq!.packet;
    const differing: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing.push(i);
    expect(differing.every((i) => i === 8 || i === 10 || i === 11 || (i >= 12 && i <= 15) || i === 26 || i === 27)).to.equal(true);
    expect(b[8]).to.equal(a[8]! - 1);
    for (const d of [...datagrams(inside), ...datagrams(outside)]) expectChecksumsValid(d);
  });

  it('translates every fragment of a fragmented datagram (the first fragment\'s connection carries the rest)', () => {
    const sim = newSim();
    const { client, router, server, outside } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth1', '-j', 'MASQUERADE');
    const got: string[] = [];
    server.udp.bind(7).onMessage((p, src, sport) => got.push(`${formatIpv4(src)}:${sport} ${p.length}`));
    client.udp.bind(40000).send(ip('192.168.1.2'), 7, new Uint8Array(3000).fill(0x5a));
    sim.scheduler.run({ until: ms(50) });
    expect(got).to.deep.equal(['192.168.1.1:40000 3000']);
    const fragments = datagrams(outside).filter((d) => d.protocol === 17);
    expect(fragments.map((d) => `${formatIpv4(d.src)} ${d.fragmentOffset}`)).to.deep.equal(['192.168.1.1 0', '192.168.1.1 1480', '192.168.1.1 2960']);
    for (const d of fragments) expect(d.checksumValid).to.equal(true);
  });

  it('remaps the source port when two inside hosts use the same one towards the same server', () => {
    const sim = newSim();
    const { client, router, server, outside } = natTopology(sim);
    router.addAddress('eth0', '10.0.0.3/24');
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth1', '-j', 'MASQUERADE');
    const srv = server.udp.bind(7);
    srv.onMessage((p, src, sport) => srv.send(src, sport, p));
    // The router itself (from 192.168.1.1:5000) and the client (10.0.0.2:5000) both talk to server:7.
    const fromRouter: number[] = [];
    const r = router.udp.bind(5000, ip('192.168.1.1'));
    r.onMessage((p) => fromRouter.push(p.length));
    const fromClient: number[] = [];
    const c = client.udp.bind(5000);
    c.onMessage((p) => fromClient.push(p.length));
    r.send(ip('192.168.1.2'), 7, new Uint8Array(3));
    sim.scheduler.run({ until: ms(10) });
    c.send(ip('192.168.1.2'), 7, new Uint8Array(5));
    sim.scheduler.run({ until: ms(50) });
    const sports = datagrams(outside).filter((d) => d.dst === ip('192.168.1.2')).map((d) => readU16(d.payload, 0));
    expect(sports[0]).to.equal(5000);
    expect(sports[1]).to.equal(5001);
    expect(fromRouter).to.deep.equal([3]);
    expect(fromClient).to.deep.equal([5]);
  });

  it('DNAT sends a published port to the inside host and un-NATs its replies', () => {
    const sim = newSim();
    const { client, router, server, outside } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'PREROUTING', '-i', 'eth1', '-p', 'udp', '--dport', '8053', '-j', 'DNAT', '--to-destination', '10.0.0.2:53');
    server.addRoute({ dst: '10.0.0.0/24', via: '192.168.1.1' });
    const inner = client.udp.bind(53);
    const seen: string[] = [];
    inner.onMessage((p, src, sport, dst) => {
      seen.push(`${formatIpv4(src)}:${sport} -> ${formatIpv4(dst)}`);
      inner.send(src, sport, p);
    });
    const replies: string[] = [];
    const s = server.udp.bind(33333);
    s.onMessage((_p, src, sport) => replies.push(`${formatIpv4(src)}:${sport}`));
    s.send(ip('192.168.1.1'), 8053, PAYLOAD);
    sim.scheduler.run({ until: ms(50) });
    expect(seen).to.deep.equal(['192.168.1.2:33333 -> 10.0.0.2']);
    expect(replies).to.deep.equal(['192.168.1.1:8053']);
    for (const d of datagrams(outside)) expectChecksumsValid(d);
    const conns = netfilterOf(router).conntrack.entries(sim.scheduler.now);
    expect(conns).to.have.length(1);
    expect(conns[0]!.dnat).to.equal(true);
  });

  it('translates ping (ICMP echo) both ways and keeps the identifier', () => {
    const sim = newSim();
    const { client, router, outside } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.0.0.0/24', '-o', 'eth1', '-j', 'MASQUERADE');
    const sock = client.icmp.open();
    const replies: string[] = [];
    sock.onMessage((m) => replies.push(`${m.message.type} ${formatIpv4(m.srcIp)} id=${m.message.identifier} seq=${m.message.sequence}`));
    sock.sendEcho(ip('192.168.1.2'), 0x4242, 1, new Uint8Array(56));
    sim.scheduler.run({ until: ms(50) });
    expect(replies).to.deep.equal([`0 192.168.1.2 id=${0x4242} seq=1`]);
    const out = datagrams(outside);
    expect(formatIpv4(out[0]!.src)).to.equal('192.168.1.1');
    expect(IcmpPacket.parse(out[0]!.payload).identifier).to.equal(0x4242);
    for (const d of out) expectChecksumsValid(d);
  });

  it('translates an ICMP error about a NATed flow (RELATED): outer and quoted headers, checksums recomputed', () => {
    const sim = newSim();
    const { client, router, inside } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth1', '-j', 'MASQUERADE');
    ipt(router, '-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'RELATED', '-j', 'ACCEPT');
    const errors: UdpErrorReport[] = [];
    const c = client.udp.bind(41000);
    c.onError((e) => errors.push(e));
    c.send(ip('192.168.1.2'), 9999, PAYLOAD); // nobody listens on the server: port unreachable
    sim.scheduler.run({ until: ms(50) });
    expect(errors).to.have.length(1);
    expect(errors[0]!.type).to.equal(3);
    expect(errors[0]!.code).to.equal(3);
    expect(formatIpv4(errors[0]!.originalSrc)).to.equal('10.0.0.2');
    expect(errors[0]!.originalSrcPort).to.equal(41000);
    const icmp = datagrams(inside).find((d) => d.protocol === 1)!;
    expect(formatIpv4(icmp.dst)).to.equal('10.0.0.2');
    expectChecksumsValid(icmp);
    // The quoted header's checksum is valid too.
    const quote = IcmpPacket.parse(icmp.payload).data;
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (quote[i]! << 8) | quote[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).to.equal(0xffff);
    const rule = ipt(router, '-L', 'FORWARD', '-v', '-n', '-x');
    expect(rule).to.match(/\n +1 +\d+ ACCEPT +all/);
  });

  it('REDIRECT in OUTPUT delivers a local datagram to 127.0.0.1 on another port and answers from the original one', () => {
    const sim = newSim();
    const { server } = natTopology(sim);
    ipt(server, '-t', 'nat', '-A', 'OUTPUT', '-p', 'udp', '-d', '192.168.1.2', '--dport', '53', '-j', 'REDIRECT', '--to-ports', '5353');
    const listener = server.udp.bind(5353, ip('127.0.0.1'));
    const seen: string[] = [];
    listener.onMessage((p, src, sport, dst) => {
      seen.push(`${formatIpv4(dst)}:5353 from ${formatIpv4(src)}:${sport}`);
      listener.send(src, sport, p);
    });
    const answers: string[] = [];
    const c = server.udp.bind(44444);
    c.onMessage((_p, src, sport) => answers.push(`${formatIpv4(src)}:${sport}`));
    c.send(ip('192.168.1.2'), 53, PAYLOAD);
    sim.scheduler.run({ until: ms(10) });
    expect(seen).to.deep.equal(['127.0.0.1:5353 from 192.168.1.2:44444']);
    expect(answers).to.deep.equal(['192.168.1.2:53']);
  });

  it('forgets an unanswered UDP flow after 30 s and an answered one after 120 s (Linux defaults)', () => {
    const sim = newSim();
    const { client, router, server } = natTopology(sim);
    ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth1', '-j', 'MASQUERADE');
    const c = client.udp.bind(40000);
    c.send(ip('192.168.1.2'), 9, new Uint8Array(1)); // no reply (the server's port 9 is closed; ICMP is not a reply)
    sim.scheduler.run({ until: sec(29) });
    const ct = netfilterOf(router).conntrack;
    expect(ct.entries(sim.scheduler.now)).to.have.length(1);
    sim.scheduler.run({ until: sec(31) });
    expect(ct.entries(sim.scheduler.now)).to.have.length(0);

    const srv = server.udp.bind(7);
    srv.onMessage((p, src, sport) => srv.send(src, sport, p));
    c.send(ip('192.168.1.2'), 7, new Uint8Array(1));
    sim.scheduler.run({ until: sec(31) + sec(119) });
    expect(ct.entries(sim.scheduler.now)).to.have.length(1);
    expect(ct.entries(sim.scheduler.now)[0]!.seenReply).to.equal(true);
    sim.scheduler.run({ until: sec(31) + sec(121) });
    expect(ct.entries(sim.scheduler.now)).to.have.length(0);
  });
});
