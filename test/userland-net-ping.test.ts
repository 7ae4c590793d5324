// busybox ping: whole transcripts (RTTs follow from the link delays), the echo requests on the
// wire, unreachable hosts, names, options, errors and determinism.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { EtherType, IcmpType, Ipv4Packet, frameEtherType, readU16 } from '../src/wire';
import { UsageError } from '../src/userland';
import { ping } from '../src/userland/net';
import { record } from './stack-harness';
import { bridgeTopology, dnsServer, machine, newSim, routedTopology, run } from './userland-net-harness';

const threePings = [
  'PING 10.0.0.3 (10.0.0.3): 56 data bytes',
  '64 bytes from 10.0.0.3: seq=0 ttl=64 time=0.200 ms',
  '64 bytes from 10.0.0.3: seq=1 ttl=64 time=0.100 ms',
  '64 bytes from 10.0.0.3: seq=2 ttl=64 time=0.100 ms',
  '',
  '--- 10.0.0.3 ping statistics ---',
  '3 packets transmitted, 3 packets received, 0% packet loss',
  'round-trip min/avg/max = 0.100/0.133/0.200 ms',
  '',
].join('\n');

describe('userland: ping (busybox)', () => {
  it('pings a container on the same bridge: the whole transcript, 1 s apart, exit 0 at the third reply', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const r = run(sim, ping, ['ping', '-c', '3', '10.0.0.3'], machine(c1));
    // Four veth crossings of 25 µs each; the first echo waits for ARP (who-has + is-at).
    expect(r.stdout).to.equal(threePings);
    expect(r.stderr).to.equal('');
    expect(r.exit).to.equal(0);
    expect(r.elapsed).to.equal(sec(2) + ms(0.1));
  });

  it('sends 98-byte echo requests with DF, the pid as identifier and a microsecond timestamp', () => {
    const sim = newSim();
    const { c1, links } = bridgeTopology(sim);
    const frames = record(sim, links[0]!);
    sim.scheduler.run({ until: sec(7) });
    run(sim, ping, ['ping', '-c', '2', '10.0.0.3'], machine(c1));
    const echoes = frames.filter((f) => frameEtherType(f.frame) === EtherType.IPv4)
      .map((f) => ({ time: f.time, ip: Ipv4Packet.parse(f.frame.subarray(14)) }))
      .filter((e) => e.ip.payload[0] === IcmpType.EchoRequest);
    expect(echoes).to.have.length(2);
    const ids = new Set(echoes.map((e) => readU16(e.ip.payload, 4)));
    expect(ids.size).to.equal(1);
    for (const [k, e] of echoes.entries()) {
      expect(e.ip.packet.length + 14).to.equal(98);
      expect(e.ip.dontFragment).to.equal(true);
      expect(e.ip.ttl).to.equal(64);
      const icmp = e.ip.payload;
      expect(readU16(icmp, 6)).to.equal(k);
      // The timestamp is the send time in µs, little-endian (busybox writes it in host order):
      // 7 s and 8 s, the frames crossing the veth 25 µs (the first after ARP) later.
      const stamp = (icmp[8]! | (icmp[9]! << 8) | (icmp[10]! << 16) | (icmp[11]! << 24)) >>> 0;
      expect(stamp).to.equal(7_000_000 + k * 1_000_000);
      expect(e.time - stamp * 1000).to.equal(k === 0 ? 125_000 : 25_000);
      expect(Array.from(icmp.subarray(12)).every((b) => b === 0)).to.equal(true);
    }
  });

  it('prints nothing but the statistics for an absent host (ARP fails), exit 1 after -W', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const r = run(sim, ping, ['ping', '-c', '1', '-W', '1', '10.0.0.9'], machine(c1));
    expect(r.stdout).to.equal([
      'PING 10.0.0.9 (10.0.0.9): 56 data bytes',
      '',
      '--- 10.0.0.9 ping statistics ---',
      '1 packets transmitted, 0 packets received, 100% packet loss',
      '',
    ].join('\n'));
    expect(r.exit).to.equal(1);
    expect(r.elapsed).to.equal(sec(1));
    // Without -W it waits busybox's MAXWAIT, 10 s, even though the kernel reported the
    // host unreachable after 3 s (ICMP errors carry no echo identifier: "not our ping").
    const r2 = run(sim, ping, ['ping', '-c', '1', '10.0.0.9'], machine(c1));
    expect(r2.elapsed).to.equal(sec(10));
    expect(r2.stderr).to.equal('');
  });

  it('pings by a name from /etc/hosts and names the statistics after the argument', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const m = machine(c1, undefined, '127.0.0.1\tlocalhost\n10.0.0.3\tcontainer2 c2\n');
    const r = run(sim, ping, ['ping', '-c', '1', 'c2'], m);
    expect(r.stdout).to.equal([
      'PING c2 (10.0.0.3): 56 data bytes',
      '64 bytes from 10.0.0.3: seq=0 ttl=64 time=0.200 ms',
      '',
      '--- c2 ping statistics ---',
      '1 packets transmitted, 1 packets received, 0% packet loss',
      'round-trip min/avg/max = 0.200/0.200/0.200 ms',
      '',
    ].join('\n'));
  });

  it('resolves through the nameserver of resolv.conf (A and AAAA, like musl) before the first echo', () => {
    const sim = newSim();
    const { c1, host } = bridgeTopology(sim);
    const server = dnsServer(host, { a: { container2: '10.0.0.3' } });
    const r = run(sim, ping, ['ping', '-c', '1', 'container2'], machine(c1, 'nameserver 10.0.0.1\noptions ndots:0\n'));
    expect(r.stdout.split('\n')[0]).to.equal('PING container2 (10.0.0.3): 56 data bytes');
    expect(r.exit).to.equal(0);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A container2', 'AAAA container2']);
  });

  it('says "bad address" for a name that does not resolve (NXDOMAIN at once, no server after 5 s)', () => {
    const sim = newSim();
    const { c1, host } = bridgeTopology(sim);
    dnsServer(host, {});
    const r = run(sim, ping, ['ping', '-c', '1', 'container2'], machine(c1, 'nameserver 10.0.0.1\n'));
    expect(r).to.include({ stdout: '', stderr: "ping: bad address 'container2'\n", exit: 1 });
    expect(r.elapsed).to.be.below(ms(1));
    // No resolv.conf: musl asks 127.0.0.1, nobody listens, the unconnected socket hears no
    // ICMP error, and the lookup times out after 5 s.
    const r2 = run(sim, ping, ['ping', '-c', '1', 'container2'], machine(c1));
    expect(r2).to.include({ stdout: '', stderr: "ping: bad address 'container2'\n", exit: 1 });
    expect(r2.elapsed).to.equal(sec(5));
  });

  it('-i sets the interval, -s the data size, -q keeps only the summary', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    sim.scheduler.run({ until: sec(1) });
    const fast = run(sim, ping, ['ping', '-c', '3', '-i', '0.2', '10.0.0.3'], machine(c1));
    expect(fast.elapsed).to.equal(ms(400) + ms(0.1));
    const big = run(sim, ping, ['ping', '-c', '1', '-s', '100', '10.0.0.3'], machine(c1));
    expect(big.stdout.split('\n').slice(0, 2)).to.deep.equal([
      'PING 10.0.0.3 (10.0.0.3): 100 data bytes',
      '108 bytes from 10.0.0.3: seq=0 ttl=64 time=0.100 ms',
    ]);
    const quiet = run(sim, ping, ['ping', '-q', '-c', '2', '10.0.0.3'], machine(c1));
    expect(quiet.stdout).to.equal([
      'PING 10.0.0.3 (10.0.0.3): 56 data bytes',
      '',
      '--- 10.0.0.3 ping statistics ---',
      '2 packets transmitted, 2 packets received, 0% packet loss',
      'round-trip min/avg/max = 0.100/0.100/0.100 ms',
      '',
    ].join('\n'));
  });

  it('-s 0 leaves no room for the timestamp: no time, no round-trip line', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const r = run(sim, ping, ['ping', '-c', '1', '-s', '0', '10.0.0.3'], machine(c1));
    expect(r.stdout).to.equal([
      'PING 10.0.0.3 (10.0.0.3): 0 data bytes',
      '8 bytes from 10.0.0.3: seq=0 ttl=64',
      '',
      '--- 10.0.0.3 ping statistics ---',
      '1 packets transmitted, 1 packets received, 0% packet loss',
      '',
    ].join('\n'));
  });

  it('across two routers the replies arrive with TTL 62; -t 1 dies at the first hop, silently', () => {
    const sim = newSim();
    const { c1, c3 } = routedTopology(sim);
    const r = run(sim, ping, ['ping', '-c', '2', '10.1.0.2'], machine(c1));
    expect(r.stdout).to.match(/^64 bytes from 10\.1\.0\.2: seq=0 ttl=62 time=/m);
    expect(r.exit).to.equal(0);
    const t1 = run(sim, ping, ['ping', '-c', '1', '-W', '2', '-t', '1', '10.1.0.2'], machine(c1));
    expect(t1.stdout).to.contain('1 packets transmitted, 0 packets received, 100% packet loss');
    expect(t1.stderr).to.equal('');
    expect(t1.exit).to.equal(1);
    void c3;
  });

  it('-w stops sending at the deadline; a short count ends earlier', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const absent = run(sim, ping, ['ping', '-w', '2', '10.0.0.9'], machine(c1));
    expect(absent.stdout).to.contain('2 packets transmitted, 0 packets received, 100% packet loss');
    expect(absent.elapsed).to.equal(sec(2));
    expect(absent.exit).to.equal(1);
    const present = run(sim, ping, ['ping', '-w', '5', '-c', '2', '10.0.0.3'], machine(c1));
    expect(present.exit).to.equal(0);
    expect(present.elapsed).to.be.below(sec(1.1));
  });

  it('without -c it runs until killed', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const r = run(sim, ping, ['ping', '10.0.0.3'], machine(c1), { limit: sec(4.5) });
    expect(r.exit).to.equal(undefined);
    expect(r.stdout.match(/bytes from/g)).to.have.length(5);
    expect(r.stdout).to.not.contain('statistics');
    const pending = sim.scheduler.pending;
    sim.scheduler.run({ until: sim.scheduler.now + sec(10) });
    expect(sim.scheduler.pending).to.be.at.most(pending); // no timer of the dead process fires again
  });

  it('reports sendto errors: no route, and -I with an address that is not ours', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    c1.routes.deleteWhere((r) => r.prefixLen === 0);
    const r = run(sim, ping, ['ping', '-c', '1', '8.8.8.8'], machine(c1));
    expect(r).to.include({ stdout: 'PING 8.8.8.8 (8.8.8.8): 56 data bytes\n', stderr: 'ping: sendto: Network unreachable\n', exit: 1 });
    const i = run(sim, ping, ['ping', '-c', '1', '-I', '10.0.0.77', '10.0.0.3'], machine(c1));
    expect(i).to.include({ stdout: 'PING 10.0.0.3 (10.0.0.3) from 10.0.0.77: 56 data bytes\n', stderr: 'ping: bind: Address not available\n', exit: 1 });
  });

  it('refuses bad command lines as usage errors, with busybox/musl wording', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const m = machine(c1);
    const attempt = (argv: string[]): string => {
      try {
        run(sim, ping, argv, m);
        return 'accepted';
      } catch (e) {
        expect(e).to.be.instanceOf(UsageError);
        return (e as Error).message;
      }
    };
    expect(attempt(['ping', '-z', '10.0.0.3'])).to.equal('unrecognized option: z');
    expect(attempt(['ping', '-c'])).to.equal('option requires an argument: c');
    expect(attempt(['ping', '-c', 'abc', '10.0.0.3'])).to.equal("invalid number 'abc'");
    expect(attempt(['ping', '-s', '70000', '10.0.0.3'])).to.equal('number 70000 is not in 0..65535 range');
    expect(attempt(['ping'])).to.equal('Usage: ping [OPTIONS] HOST');
    expect(attempt(['ping', 'a', 'b'])).to.equal('Usage: ping [OPTIONS] HOST');
  });

  it('accepts options after the host (getopt_long permutes) and bundled flags', () => {
    const sim = newSim();
    const { c1 } = bridgeTopology(sim);
    const r = run(sim, ping, ['ping', '10.0.0.3', '-qc1'], machine(c1));
    expect(r.stdout).to.contain('1 packets transmitted, 1 packets received');
    expect(r.stdout).to.not.contain('bytes from');
  });

  it('gives the same transcript and identifiers for the same seed', () => {
    const once = (): string => {
      const sim = newSim(7);
      const { c1, links } = bridgeTopology(sim);
      const frames = record(sim, links[0]!);
      const r = run(sim, ping, ['ping', '-c', '3', '10.0.0.3'], machine(c1));
      return r.output + frames.map((f) => `${f.time}:${Buffer.from(f.frame).toString('hex')}`).join('\n');
    };
    expect(once()).to.equal(once());
    expect(once()).to.contain(threePings);
  });
});
