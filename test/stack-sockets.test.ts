// Sockets on a LAN: broadcast and multicast delivery, SO_BROADCAST, ICMP error rate limiting.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { EtherType, Ipv4Packet, frameDst, frameEtherType, formatMac } from '../src/wire';
import { ip, lan, newSim, record } from './stack-harness';

describe('stack: sockets on a LAN', () => {
  it('delivers a subnet broadcast and a limited broadcast to every wildcard socket on the port, without ARP', () => {
    const sim = newSim();
    const { hosts, links } = lan(sim, 3);
    const frames = record(sim, links[0]!);
    const got: string[] = [];
    for (const h of hosts.slice(1)) h.udp.bind(9).onMessage((p, src, _sp, dst) => got.push(`${h.name} ${p[0]} from ${src} to ${dst}`));
    const s = hosts[0]!.udp.bind(0);
    expect(() => s.send(ip('10.0.0.255'), 9, Uint8Array.of(1))).to.throw(/Permission denied/);
    s.broadcast = true;
    s.send(ip('10.0.0.255'), 9, Uint8Array.of(1));
    // Linux: the limited broadcast needs a route or a bound device ("Network is unreachable").
    expect(() => s.send(ip('255.255.255.255'), 9, Uint8Array.of(2))).to.throw(/Network unreachable/);
    s.bindIface = hosts[0]!.interface('eth0');
    s.send(ip('255.255.255.255'), 9, Uint8Array.of(2));
    sim.scheduler.run({ until: ms(10) });
    expect(got.sort()).to.deep.equal([
      `h2 1 from ${ip('10.0.0.1')} to ${ip('10.0.0.255')}`, `h2 2 from ${ip('10.0.0.1')} to ${ip('255.255.255.255')}`,
      `h3 1 from ${ip('10.0.0.1')} to ${ip('10.0.0.255')}`, `h3 2 from ${ip('10.0.0.1')} to ${ip('255.255.255.255')}`,
    ]);
    expect(frames.filter((f) => frameEtherType(f.frame) === EtherType.ARP)).to.have.length(0);
    expect(frames.every((f) => frameDst(f.frame) === 0xffff_ffff_ffff)).to.equal(true);
  });

  it('sends multicast to the group MAC with TTL 1 and delivers 224.0.0.1 (all hosts)', () => {
    const sim = newSim();
    const { hosts, links } = lan(sim, 2);
    const frames = record(sim, links[0]!);
    const got: number[] = [];
    hosts[1]!.udp.bind(5353).onMessage((p) => got.push(p.length));
    // As in Linux, multicast needs a route: `ip route add 224.0.0.0/4 dev eth0`.
    expect(() => hosts[0]!.udp.bind(0).send(ip('224.0.0.1'), 5353, new Uint8Array(12))).to.throw(/Network unreachable/);
    hosts[0]!.addRoute({ dst: '224.0.0.0/4', dev: 'eth0' });
    hosts[0]!.udp.bind(0).send(ip('224.0.0.1'), 5353, new Uint8Array(12));
    hosts[0]!.udp.bind(0).send(ip('224.0.0.251'), 5353, new Uint8Array(12)); // not joined: dropped
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.deep.equal([12]);
    expect(formatMac(frameDst(frames[0]!.frame))).to.equal('01:00:5e:00:00:01');
    expect(Ipv4Packet.parse(frames[0]!.frame.subarray(14)).ttl).to.equal(1);
  });

  it('rate-limits ICMP errors per destination: a burst of 6, then one per second', () => {
    const sim = newSim();
    const { hosts } = lan(sim, 2);
    const [a, b] = hosts as [typeof hosts[0], typeof hosts[0]];
    const s = a.udp.bind(0);
    const errs: number[] = [];
    s.onError(() => errs.push(sim.scheduler.now));
    s.send(ip('10.0.0.2'), 7, new Uint8Array(1)); // resolve ARP first
    sim.scheduler.run({ until: ms(10) });
    for (let i = 0; i < 10; i++) s.send(ip('10.0.0.2'), 7, new Uint8Array(1));
    sim.scheduler.run({ until: ms(20) });
    expect(errs).to.have.length(6); // the first error used one token of the burst of 6
    sim.scheduler.run({ until: sec(1) + ms(15) });
    for (let i = 0; i < 3; i++) s.send(ip('10.0.0.2'), 7, new Uint8Array(1));
    sim.scheduler.run({ until: sec(2) });
    expect(errs).to.have.length(7);
    expect(b.icmp.stats.outRateLimited).to.equal(7);
  });
});
