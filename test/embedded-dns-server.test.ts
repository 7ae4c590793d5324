// Docker's embedded DNS server in a container namespace: queries to 127.0.0.11:53 travel over
// the container's loopback through its own DNAT rules; names, aliases, short IDs, reverse
// lookups, AAAA, forwarding to external servers through the host's MASQUERADE.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { NetworkNamespace, netfilterOf } from '../src/stack';
import { DnsClass, DnsRcode, DnsType, emitDns, formatIpv4, parseDns, toHex, type DnsMessage } from '../src/wire';
import {
  arrangeUserFilterRule, embeddedDnsStarter, iptablesRunnerFor, programBridgeNetwork, programDockerChains, startEmbeddedDns,
  type EmbeddedDnsNames, type EmbeddedDnsOptions,
} from '../src/docker';
import { Link, Nic } from '../src/devices';
import { dockerLikeHost, ipt } from './netfilter-harness';
import { ip, mac, newSim, type Sim } from './stack-harness';

const NAMES: Record<string, string[]> = {
  c2: ['10.0.0.3'],
  '3225b6d14177': ['10.0.0.3'],
  web: ['10.0.0.3', '10.0.0.4', '10.0.0.5'],
  'c2.demo-bridge': ['10.0.0.3'],
};
const names: EmbeddedDnsNames = {
  lookup: (n) => NAMES[n.replace(/\.$/, '').toLowerCase()]?.map(ip),
  reverse: (a) => (formatIpv4(a) === '10.0.0.3' ? 'c2.demo-bridge' : undefined),
};

interface Setup {
  sim: Sim;
  c1: NetworkNamespace;
  upstream: NetworkNamespace;
}

/** A host with a user bridge, container c1 (10.0.0.2) and an "internet" resolver at 192.168.1.2. */
function setup(seed = 1): Setup {
  const sim = newSim(seed);
  const h = dockerLikeHost(sim);
  const upstream = new NetworkNamespace(sim, 'resolver');
  const link = new Link(sim, ['host:eth0', 'resolver:eth0']);
  h.host.addInterface(new Nic(sim, link.a, { name: 'eth0', mac: mac('02:00:00:00:09:01') }));
  upstream.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: mac('02:00:00:00:09:02') }));
  h.host.addAddress('eth0', '192.168.1.1/24');
  upstream.addAddress('eth0', '192.168.1.2/24');
  const run = iptablesRunnerFor(h.host);
  programDockerChains(run, { forwardPolicyDrop: true });
  arrangeUserFilterRule(run);
  h.addBridge('br-demo', '10.0.0.1/24', '02:42:00:00:00:02');
  programBridgeNetwork(run, { bridgeName: 'br-demo', subnet: { addr: ip('10.0.0.0'), len: 24 }, enableIcc: true, enableIpMasquerade: true, internal: false });
  arrangeUserFilterRule(run);
  const c1 = h.addContainer('c1', 'br-demo', '10.0.0.2/24', '10.0.0.1', '02:42:0a:00:00:02');
  return { sim, c1, upstream };
}

function start(s: Setup, opts: Partial<EmbeddedDnsOptions> = {}) {
  return startEmbeddedDns(s.c1, names, { rng: s.sim.rng.fork('dns:c1'), ...opts });
}

function queryOf(name: string, type: number, id = 0x1234): DnsMessage {
  return {
    id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0,
    questions: [{ name, type, class: DnsClass.IN }], answers: [], authorities: [], additionals: [],
  };
}

interface Answer {
  from: string;
  msg: DnsMessage;
  bytes: Uint8Array;
  at: number;
}

/** Sends a query from `ns` to 127.0.0.11:53 and collects what comes back. */
function ask(s: Setup, name: string, type: number = DnsType.A, id = 0x1234): Answer[] {
  const got: Answer[] = [];
  const sock = s.c1.udp.bind(0);
  sock.onMessage((p, src, sport) => got.push({ from: `${formatIpv4(src)}:${sport}`, msg: parseDns(p), bytes: p.slice(), at: s.sim.scheduler.now }));
  sock.send(ip('127.0.0.11'), 53, emitDns(queryOf(name, type, id)));
  return got;
}

/** A resolver on `ns` answering `answer(query)`; returns what it saw, with the sender. */
function upstreamServer(ns: NetworkNamespace, answer: (q: DnsMessage) => DnsMessage): { q: DnsMessage; from: string }[] {
  const seen: { q: DnsMessage; from: string }[] = [];
  const sock = ns.udp.bind(53);
  sock.onMessage((p, src, sport) => {
    const q = parseDns(p);
    seen.push({ q, from: formatIpv4(src) });
    sock.send(src, sport, emitDns(answer(q)));
  });
  return seen;
}

describe('embedded DNS server', () => {
  it('answers A for a container name from 127.0.0.11:53, TTL 600, RA, case-insensitively, over its DNAT rules', () => {
    const s = setup();
    const server = start(s);
    const got = ask(s, 'C2');
    s.sim.scheduler.run({ until: ms(10) });
    expect(got).to.have.length(1);
    const a = got[0]!;
    expect(a.from).to.equal('127.0.0.11:53');
    expect(a.msg.rcode).to.equal(DnsRcode.NoError);
    expect(a.msg.ra).to.equal(true);
    expect(a.msg.answers).to.deep.equal([{ name: 'C2', type: DnsType.A, class: DnsClass.IN, ttl: 600, data: { kind: 'A', address: ip('10.0.0.3') } }]);
    // miekg/dns packs the embedded server's own answers without name compression.
    expect(toHex(a.bytes, '')).to.equal('12348180000100010000000002433200000100010243320000010001000002580004' + '0a000003');
    const rules = ipt(s.c1, '-t', 'nat', '-S', '-v');
    expect(rules).to.contain(`-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -c 1 48 -j DNAT --to-destination 127.0.0.11:${server.udpPort}\n`);
    expect(server.stats).to.deep.include({ queries: 1, local: 1, forwarded: 0 });
  });

  it('installs the resolver\'s nat rules in the container, as `iptables -t nat -S` shows them', () => {
    const s = setup();
    const server = start(s);
    expect(ipt(s.c1, '-t', 'nat', '-S')).to.equal([
      '-P PREROUTING ACCEPT',
      '-P INPUT ACCEPT',
      '-P OUTPUT ACCEPT',
      '-P POSTROUTING ACCEPT',
      '-N DOCKER_OUTPUT',
      '-N DOCKER_POSTROUTING',
      '-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT',
      '-A POSTROUTING -d 127.0.0.11/32 -j DOCKER_POSTROUTING',
      `-A DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:${server.tcpPort}`,
      `-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:${server.udpPort}`,
      `-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p tcp -m tcp --sport ${server.tcpPort} -j SNAT --to-source :53`,
      `-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p udp -m udp --sport ${server.udpPort} -j SNAT --to-source :53`,
    ].map((l) => `${l}\n`).join(''));
    expect(server.udpPort).to.be.within(32768, 60999);
    expect(server.tcpPort).to.be.within(32768, 60999);
  });

  it('answers aliases with every address, shuffled by its RNG stream, and the short container ID', () => {
    const orders = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = setup(seed);
      start(s);
      const got = ask(s, 'web');
      s.sim.scheduler.run({ until: ms(10) });
      const addrs = got[0]!.msg.answers.map((r) => (r.data.kind === 'A' ? formatIpv4(r.data.address) : ''));
      expect([...addrs].sort()).to.deep.equal(['10.0.0.3', '10.0.0.4', '10.0.0.5']);
      orders.add(addrs.join(','));
    }
    expect(orders.size, 'different seeds give different orders').to.be.greaterThan(1);
    const s = setup();
    start(s);
    const got = ask(s, '3225b6d14177');
    s.sim.scheduler.run({ until: ms(10) });
    expect(got[0]!.msg.answers.map((r) => r.data)).to.deep.equal([{ kind: 'A', address: ip('10.0.0.3') }]);
  });

  it('gives AAAA of a known name an empty NOERROR, answers PTR with name.network, ignores a PTR outside the reverse trees', () => {
    const s = setup();
    start(s);
    const aaaa = ask(s, 'c2', DnsType.AAAA, 1);
    const ptr = ask(s, '3.0.0.10.in-addr.arpa', DnsType.PTR, 2);
    const bad = ask(s, 'c2.example', DnsType.PTR, 3);
    s.sim.scheduler.run({ until: ms(10) });
    expect(aaaa[0]!.msg).to.deep.include({ rcode: DnsRcode.NoError, answers: [] });
    expect(ptr[0]!.msg.answers).to.deep.equal([
      { name: '3.0.0.10.in-addr.arpa', type: DnsType.PTR, class: DnsClass.IN, ttl: 600, data: { kind: 'PTR', name: 'c2.demo-bridge' } },
    ]);
    expect(bad).to.deep.equal([]);
  });

  it('forwards an unknown name from the container namespace (through the host\'s MASQUERADE) and relays the answer', () => {
    const s = setup();
    const seen = upstreamServer(s.upstream, (q) => ({
      ...q, qr: true, ra: true,
      answers: [{ name: q.questions[0]!.name, type: DnsType.A, class: DnsClass.IN, ttl: 300, data: { kind: 'A', address: ip('93.184.216.34') } }],
    }));
    const server = start(s, { upstreams: [{ ip: '192.168.1.2', hostLoopback: false }] });
    const got = ask(s, 'example.com', DnsType.A, 0x4321);
    s.sim.scheduler.run({ until: ms(50) });
    expect(seen).to.have.length(1);
    expect(seen[0]!.q.id).to.equal(0x4321);
    // Sent from the container's namespace (10.0.0.2), masqueraded by the host.
    expect(seen[0]!.from).to.equal('192.168.1.1');
    const fromContainer = netfilterOf(s.c1).conntrack.entries(s.sim.scheduler.now).filter((c) => c.orig.src === ip('10.0.0.2'));
    expect(fromContainer.map((c) => `${formatIpv4(c.orig.dst)}:${c.orig.dport}`)).to.deep.equal(['192.168.1.2:53']);
    expect(got).to.have.length(1);
    expect(got[0]!.from).to.equal('127.0.0.11:53');
    expect(got[0]!.msg.answers.map((r) => r.data)).to.deep.equal([{ kind: 'A', address: ip('93.184.216.34') }]);
    expect(server.stats).to.deep.include({ queries: 1, local: 0, forwarded: 1 });
  });

  it('contacts a host-loopback server (127.0.0.53) from the host namespace; stop() closes the server', () => {
    const s = setup();
    const hostNs = new NetworkNamespace(s.sim, 'docker-host');
    const local = hostNs.udp.bind(53, ip('127.0.0.53'));
    local.onMessage((p, src, sport) => {
      const q = parseDns(p);
      local.send(src, sport, emitDns({ ...q, qr: true, ra: true, answers: [{ name: q.questions[0]!.name, type: DnsType.A, class: DnsClass.IN, ttl: 5, data: { kind: 'A', address: ip('10.9.9.9') } }] }));
    });
    const stop = embeddedDnsStarter({ rng: s.sim.rng, hostNamespace: hostNs })(s.c1, names, [{ ip: '127.0.0.53', hostLoopback: true }]);
    const got = ask(s, 'host.lan');
    s.sim.scheduler.run({ until: ms(10) });
    expect(got[0]!.msg.answers.map((r) => r.data)).to.deep.equal([{ kind: 'A', address: ip('10.9.9.9') }]);
    stop();
    const late = ask(s, 'c2');
    s.sim.scheduler.run({ until: ms(20) });
    expect(late).to.deep.equal([]);
  });

  it('tries the next server after a SERVFAIL; relays the last SERVFAIL when every server fails', () => {
    const s = setup();
    s.upstream.addAddress('eth0', '192.168.1.3/24');
    for (const addr of ['192.168.1.2', '192.168.1.3']) {
      // A server answers from the address it was asked on (bound to it).
      const sock = s.upstream.udp.bind(53, ip(addr));
      sock.onMessage((p, src, sport) => {
        const q = parseDns(p);
        const ok = addr === '192.168.1.3';
        sock.send(src, sport, emitDns({
          ...q, qr: true, ra: true, rcode: ok ? DnsRcode.NoError : DnsRcode.ServFail,
          answers: ok ? [{ name: q.questions[0]!.name, type: DnsType.A, class: DnsClass.IN, ttl: 30, data: { kind: 'A', address: ip('1.2.3.4') } }] : [],
        }));
      });
    }
    start(s, { upstreams: [{ ip: '192.168.1.2', hostLoopback: false }, { ip: '192.168.1.3', hostLoopback: false }] });
    const good = ask(s, 'two.example');
    s.sim.scheduler.run({ until: ms(50) });
    expect(good[0]!.msg.answers.map((r) => r.data)).to.deep.equal([{ kind: 'A', address: ip('1.2.3.4') }]);

    const t = setup();
    const only = t.upstream.udp.bind(53);
    only.onMessage((p, src, sport) => only.send(src, sport, emitDns({ ...parseDns(p), qr: true, rcode: DnsRcode.ServFail })));
    start(t, { upstreams: [{ ip: '192.168.1.2', hostLoopback: false }] });
    const bad = ask(t, 'nope.example');
    t.sim.scheduler.run({ until: ms(50) });
    expect(bad[0]!.msg.rcode).to.equal(DnsRcode.ServFail);
  });

  it('when no server answers: Docker 19.03 stays silent; with noAnswer "servfail" the client gets SERVFAIL after the 4 s exchange timeouts', () => {
    // One server does not exist (no ARP answer: the exchange times out), the other has no DNS
    // server (port unreachable: fails at once).
    const upstreams = [{ ip: '192.168.1.99', hostLoopback: false }, { ip: '192.168.1.2', hostLoopback: false }];
    const s = setup();
    const server = start(s, { upstreams });
    const silent = ask(s, 'unknown.example');
    s.sim.scheduler.run({ until: sec(10) });
    expect(silent).to.deep.equal([]);
    expect(server.stats.unanswered).to.equal(1);

    const t = setup();
    start(t, { upstreams, noAnswer: 'servfail' });
    const failed = ask(t, 'unknown.example');
    t.sim.scheduler.run({ until: sec(10) });
    expect(failed).to.have.length(1);
    expect(failed[0]!.msg.rcode).to.equal(DnsRcode.ServFail);
    expect(failed[0]!.at).to.be.within(sec(4), sec(4) + ms(10));
  });
});
