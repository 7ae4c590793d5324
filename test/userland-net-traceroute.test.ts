// busybox traceroute through the routed fixture's topology: transcripts, the UDP probes on the
// wire, names, timeouts and unreachable marks.
import { expect } from 'chai';
import { sec } from '../src/sim';
import { EtherType, IcmpType, IpProtocol, Ipv4Packet, UdpPacket, frameEtherType } from '../src/wire';
import { UsageError } from '../src/userland';
import { traceroute } from '../src/userland/net';
import { record } from './stack-harness';
import { bridgeTopology, dnsServer, ip, machine, newSim, ptrName, routedTopology, run } from './userland-net-harness';

describe('userland: traceroute (busybox)', () => {
  it('traces the routed fixture in three hops (-n -q 1), as the kernel fixture prints it', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    const r = run(sim, traceroute, ['traceroute', '-n', '-q', '1', '10.1.0.2'], machine(c1));
    // 25 µs per veth crossing; each hop's first probe also waits for one more ARP exchange
    // (c1 → 10.0.0.1, then host → router, then router → c3), 50 µs each.
    expect(r.stdout).to.equal([
      'traceroute to 10.1.0.2 (10.1.0.2), 30 hops max, 46 byte packets',
      ' 1  10.0.0.1  0.100 ms',
      ' 2  10.9.0.2  0.150 ms',
      ' 3  10.1.0.2  0.200 ms',
      '',
    ].join('\n'));
    expect(r.exit).to.equal(0);
    expect(r.stderr).to.equal('');
  });

  it('sends 46-byte UDP probes to 33435, 33436, … with TTL = hop, DF, and seq/ttl in the data', () => {
    const sim = newSim();
    const { c1, links } = routedTopology(sim);
    const frames = record(sim, links[0]!);
    run(sim, traceroute, ['traceroute', '-n', '-q', '1', '10.1.0.2'], machine(c1));
    const probes: { ttl: number; dst: number; src: number; data: number[]; len: number; df: boolean }[] = [];
    const answers: string[] = [];
    for (const f of frames) {
      if (frameEtherType(f.frame) !== EtherType.IPv4) continue;
      const p = Ipv4Packet.parse(f.frame.subarray(14));
      if (p.protocol === IpProtocol.ICMP) answers.push(`${p.payload[0]}/${p.payload[1]} ${p.totalLength}`);
      if (p.protocol !== IpProtocol.UDP || p.src !== ip('10.0.0.2')) continue;
      const u = UdpPacket.parse(p.payload);
      probes.push({ ttl: p.ttl, dst: u.dstPort, src: u.srcPort, data: Array.from(u.payload), len: p.totalLength, df: p.dontFragment });
    }
    const zeros = new Array<number>(16).fill(0);
    expect(probes.map((p) => [p.ttl, p.dst, ...p.data])).to.deep.equal([
      [1, 33435, 1, 1, ...zeros], [2, 33436, 2, 2, ...zeros], [3, 33437, 3, 3, ...zeros],
    ]);
    expect(probes.every((p) => p.len === 46 && p.df && p.src === probes[0]!.src)).to.equal(true);
    // Two time exceeded and a port unreachable, each quoting the whole 46-byte probe (88 bytes,
    // as in the kernel fixture routed-ra.pcap).
    expect(answers).to.deep.equal([`${IcmpType.TimeExceeded}/0 74`, `${IcmpType.TimeExceeded}/0 74`, `${IcmpType.DestUnreachable}/3 74`]);
  });

  it('names each hop from /etc/hosts or a PTR answer, and "ADDR (ADDR)" when it has none', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    c1.addAddress('lo', '127.0.0.11/8');
    dnsServer(c1, { ptr: { [ptrName('10.0.0.1')]: 'gw.net1' } }, { address: ip('127.0.0.11') });
    const m = machine(c1, 'nameserver 127.0.0.11\n', '127.0.0.1\tlocalhost\n10.1.0.2\tc3 c3.alias\n');
    const r = run(sim, traceroute, ['traceroute', '-q', '2', 'c3'], m);
    expect(r.stdout).to.equal([
      'traceroute to c3 (10.1.0.2), 30 hops max, 46 byte packets',
      ' 1  gw.net1 (10.0.0.1)  0.100 ms  0.050 ms',
      ' 2  10.9.0.2 (10.9.0.2)  0.150 ms  0.100 ms',
      ' 3  c3 (10.1.0.2)  0.200 ms  0.150 ms',
      '',
    ].join('\n'));
  });

  it('prints "*" for each silent probe, after -w seconds, up to -m hops', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    // 10.0.0.9 is on c1's subnet but absent: -w 1 is over before ARP gives up (3 s).
    const r = run(sim, traceroute, ['traceroute', '-n', '-q', '2', '-w', '1', '-m', '2', '10.0.0.9'], machine(c1));
    expect(r.stdout).to.equal([
      'traceroute to 10.0.0.9 (10.0.0.9), 2 hops max, 46 byte packets',
      ' 1  *  *',
      ' 2  *  *',
      '',
    ].join('\n'));
    expect(r.elapsed).to.equal(sec(4));
    expect(r.exit).to.equal(0);
  });

  it('marks unreachables: !N from a router without a route, !H when ARP for the target fails', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    const n = run(sim, traceroute, ['traceroute', '-n', '-q', '1', '10.99.0.1'], machine(c1));
    expect(n.stdout.split('\n')[1]).to.equal(' 1  10.0.0.1  0.100 ms !N');
    expect(n.stdout.split('\n')).to.have.length(3);
    const sim2 = newSim();
    const { c1: b1 } = bridgeTopology(sim2);
    const h = run(sim2, traceroute, ['traceroute', '-n', '-q', '1', '-m', '1', '10.0.0.9'], machine(b1));
    // The kernel gives up on ARP after 3 solicitations 1 s apart and reports host unreachable
    // to the sender itself, quoting the probe.
    expect(h.stdout.split('\n')[1]).to.equal(' 1  10.0.0.2  3000.000 ms !H');
  });

  it('-I probes with ICMP echo requests; -l shows the TTL of each answer; -f starts further out', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    const icmp = run(sim, traceroute, ['traceroute', '-n', '-I', '-l', '-q', '1', '10.1.0.2'], machine(c1));
    expect(icmp.stdout).to.equal([
      'traceroute to 10.1.0.2 (10.1.0.2), 30 hops max, 46 byte packets',
      ' 1  10.0.0.1  0.100 ms (64)',
      ' 2  10.9.0.2  0.150 ms (63)',
      ' 3  10.1.0.2  0.200 ms (62)',
      '',
    ].join('\n'));
    const sim2 = newSim();
    const { c1: d1 } = routedTopology(sim2);
    const far = run(sim2, traceroute, ['traceroute', '-n', '-f', '3', '-q', '1', '10.1.0.2'], machine(d1));
    // Three ARP exchanges on the way (one per link) before the first probe gets through.
    expect(far.stdout.split('\n').slice(1)).to.deep.equal([' 3  10.1.0.2  0.300 ms', '']);
  });

  it('refuses bad arguments and names what does not resolve', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    const m = machine(c1, undefined, '127.0.0.1\tlocalhost\n');
    const attempt = (argv: string[]): string => {
      try {
        run(sim, traceroute, argv, m);
        return 'accepted';
      } catch (e) {
        expect(e).to.be.instanceOf(UsageError);
        return (e as Error).message;
      }
    };
    expect(attempt(['traceroute', '-q', '0', '10.1.0.2'])).to.equal('number 0 is not in 1..2147483647 range');
    expect(attempt(['traceroute', '-m', '300', '10.1.0.2'])).to.equal('number 300 is not in 1..255 range');
    expect(attempt(['traceroute', '10.1.0.2', '20'])).to.equal('number 20 is not in 46..32768 range');
    const bad = run(sim, traceroute, ['traceroute', 'nosuchhost'], m);
    expect(bad).to.include({ stdout: '', stderr: "traceroute: bad address 'nosuchhost'\n", exit: 1 });
  });

  it('a larger BYTES argument makes larger probes', () => {
    const sim = newSim();
    const { c1 } = routedTopology(sim);
    const r = run(sim, traceroute, ['traceroute', '-n', '-q', '1', '-m', '1', '10.1.0.2', '100'], machine(c1));
    expect(r.stdout.split('\n')[0]).to.equal('traceroute to 10.1.0.2 (10.1.0.2), 1 hops max, 100 byte packets');
  });

  it('is deterministic', () => {
    const once = (): string => {
      const sim = newSim(3);
      const { c1 } = routedTopology(sim);
      return run(sim, traceroute, ['traceroute', '-n', '10.1.0.2'], machine(c1)).output;
    };
    expect(once()).to.equal(once());
  });
});

