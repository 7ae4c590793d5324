// The stub resolver (musl's getaddrinfo / getnameinfo): /etc/hosts, resolv.conf, DNS queries
// through the namespace, search domains, timeouts and retries in simulated time.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { formatIpv4 } from '../src/wire';
import {
  StubResolver, formatIpv6, inetAton, inetPton6, lookupHostsByAddress, lookupHostsByName, parseResolvConf,
  type LookupFamily, type LookupResult,
} from '../src/userland/resolver';
import { MemoryFiles } from '../src/userland';
import { bridgeTopology, dnsServer, ip, newSim, ptrName, type Sim } from './userland-net-harness';

describe('resolver: address literals (musl inet_aton, inet_pton, inet_ntop)', () => {
  it('reads the classic inet_aton forms and rejects the rest', () => {
    const cases: [string, string | undefined][] = [
      ['10.0.0.3', '10.0.0.3'], ['10.1', '10.0.0.1'], ['10.1.2', '10.1.0.2'], ['167772163', '10.0.0.3'],
      ['0x7f.1', '127.0.0.1'], ['010.0.0.1', '8.0.0.1'], ['10.0.0.256', undefined], ['10.0.0.1.', undefined],
      ['1.2.3.4.5', undefined], ['c2', undefined], ['', undefined], ['08.1.1.1', undefined], [' 10.0.0.1', undefined],
    ];
    for (const [text, want] of cases) {
      const got = inetAton(text);
      expect(got === undefined ? undefined : formatIpv4(got), text).to.equal(want);
    }
  });

  it('prints IPv6 like musl: the longest zero run as ::, v4-mapped as a dotted quad', () => {
    const cases: [string, string][] = [
      ['::1', '::1'], ['fe80:0:0:0:0:0:0:1', 'fe80::1'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:10.0.0.3', '::ffff:10.0.0.3'], ['1:0:0:0:0:0:0:0', '1::'], ['::', '::'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    ];
    for (const [text, want] of cases) expect(formatIpv6(inetPton6(text)!), text).to.equal(want);
    expect(inetPton6('1::2::3')).to.equal(undefined);
    expect(inetPton6('10.0.0.1')).to.equal(undefined);
  });
});

describe('resolver: resolv.conf and /etc/hosts as musl reads them', () => {
  it('takes three nameservers, the last search line and clamped options', () => {
    const c = parseResolvConf('nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.example b.example\n'
      + 'nameserver ::1\nnameserver 10.0.0.4\ndomain last.example\noptions ndots:20 timeout:2 attempts:3\nnameserverx 1.1.1.1\n');
    expect(c.nameservers.map(formatIpv4)).to.deep.equal(['10.0.0.1', '10.0.0.2']);
    expect(c.skippedIpv6).to.deep.equal(['::1']);
    expect(c.search).to.deep.equal(['last.example']);
    expect(c).to.include({ ndots: 15, timeout: 2, attempts: 3 });
  });

  it('falls back to 127.0.0.1, ndots 1, timeout 5, attempts 2', () => {
    const c = parseResolvConf(undefined);
    expect(c.nameservers.map(formatIpv4)).to.deep.equal(['127.0.0.1']);
    expect(c).to.include({ ndots: 1, timeout: 5, attempts: 2 });
    expect(c.search).to.deep.equal([]);
  });

  it('matches whole, case-sensitive words; the canonical name is the first name of the first line', () => {
    const hosts = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.0.0.3\tc2 c2.net # a comment c9\n10.0.0.33 c2\n10.0.0.4\tc3';
    const m = lookupHostsByName(hosts, 'c2', 'inet');
    expect(m.ipv4.map(formatIpv4)).to.deep.equal(['10.0.0.3', '10.0.0.33']);
    expect(m.canonicalName).to.equal('c2');
    expect(lookupHostsByName(hosts, 'C2', 'inet').ipv4).to.deep.equal([]);
    expect(lookupHostsByName(hosts, 'c9', 'inet').ipv4).to.deep.equal([]); // in a comment
    expect(lookupHostsByName(hosts, 'c3', 'inet').ipv4).to.deep.equal([]); // last line, no newline
    expect(lookupHostsByName(hosts, 'ip6-localhost', 'inet').wrongFamilyOnly).to.equal(true);
    expect(lookupHostsByName(hosts, 'localhost', 'unspec').ipv6.length).to.equal(1);
    expect(lookupHostsByAddress(hosts, ip('10.0.0.3'))).to.equal('c2');
    expect(lookupHostsByAddress(hosts, ip('10.0.0.9'))).to.equal(undefined);
  });
});

/** Runs one getaddrinfo to completion; returns the result and when it came. */
function lookup(sim: Sim, r: StubResolver, name: string, family: LookupFamily = 'unspec'): { result: LookupResult; at: number } {
  let out: { result: LookupResult; at: number } | undefined;
  const start = sim.scheduler.now;
  r.getaddrinfo(name, family, (result) => { out = { result, at: sim.scheduler.now - start }; });
  while (out === undefined && sim.scheduler.step());
  return out!;
}

function v4(result: LookupResult): string[] {
  return result.ok ? result.ipv4.map(formatIpv4) : [`error:${result.error}`];
}

describe('resolver: getaddrinfo through DNS', () => {
  function setup(resolvConf: string, hosts = '127.0.0.1\tlocalhost\n'): { sim: Sim; resolver: StubResolver; c1: ReturnType<typeof bridgeTopology>['c1']; host: ReturnType<typeof bridgeTopology>['host'] } {
    const sim = newSim();
    const { c1, host } = bridgeTopology(sim);
    const files = new MemoryFiles({ '/etc/resolv.conf': resolvConf, '/etc/hosts': hosts });
    return { sim, c1, host, resolver: new StubResolver({ ns: c1, files, scheduler: sim.scheduler, rng: sim.rng.fork('test') }) };
  }

  it('asks A and AAAA in parallel and answers with the A records', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\n');
    const server = dnsServer(host, { a: { c2: '10.0.0.3' } });
    const { result, at } = lookup(sim, resolver, 'c2');
    expect(v4(result)).to.deep.equal(['10.0.0.3']);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A c2', 'AAAA c2']);
    // Both sent at once, from one socket, without the AD flag that res_mkquery sets.
    expect(server.queries[0]!.time).to.equal(server.queries[1]!.time);
    expect(server.queries[0]!.srcPort).to.equal(server.queries[1]!.srcPort);
    expect(server.queries.every((q) => q.message.rd && !q.message.ad)).to.equal(true);
    expect(at).to.be.below(ms(1)); // ARP, then one exchange over the bridge
  });

  it('asks only A for AF_INET and reads /etc/hosts before DNS', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\n', '127.0.0.1\tlocalhost\n10.0.0.3\tc2\n');
    const server = dnsServer(host, { a: { c3: '10.0.0.4' } });
    expect(v4(lookup(sim, resolver, 'c2', 'inet').result)).to.deep.equal(['10.0.0.3']);
    expect(server.queries).to.have.length(0);
    expect(v4(lookup(sim, resolver, 'c3', 'inet').result)).to.deep.equal(['10.0.0.4']);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A c3']);
  });

  it('tries the search domains first when the name has fewer dots than ndots, and moves on after NXDOMAIN', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\nsearch one.example two.example\n');
    const server = dnsServer(host, { a: { 'c2.two.example': '10.0.0.3', 'x.y': '10.0.0.7' } });
    const r = lookup(sim, resolver, 'c2', 'inet').result;
    expect(v4(r)).to.deep.equal(['10.0.0.3']);
    expect(r.ok && r.canonicalName).to.equal('c2.two.example');
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A c2.one.example', 'A c2.two.example']);
    server.queries.length = 0;
    expect(v4(lookup(sim, resolver, 'x.y', 'inet').result)).to.deep.equal(['10.0.0.7']);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A x.y']); // one dot ≥ ndots 1
    server.queries.length = 0;
    expect(v4(lookup(sim, resolver, 'nowhere', 'inet').result)).to.deep.equal(['error:noname']);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A nowhere.one.example', 'A nowhere.two.example', 'A nowhere']);
  });

  it('follows a CNAME into the canonical name', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\n');
    dnsServer(host, { cname: { www: 'web.example' }, a: { 'web.example': '10.0.0.8' } });
    const r = lookup(sim, resolver, 'www', 'inet').result;
    expect(v4(r)).to.deep.equal(['10.0.0.8']);
    expect(r.ok && r.canonicalName).to.equal('web.example');
  });

  it('gives up after 5 s with two sends per server, to every server in parallel', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\nnameserver 10.0.0.3\n');
    const silent = dnsServer(host, {}, { silent: true });
    const { result, at } = lookup(sim, resolver, 'c2', 'inet');
    expect(v4(result)).to.deep.equal(['error:again']);
    expect(at).to.equal(sec(5));
    // 10.0.0.1 gets the query at 0 (+ ARP) and at 2.5 s; 10.0.0.3 (c2, no DNS service) gets
    // it too, and its port unreachable reaches no one (the socket is not connected).
    expect(silent.queries.map((q) => Math.round(q.time / 1e6))).to.deep.equal([0, 2500]);
  });

  it('honours options timeout and attempts', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\noptions timeout:3 attempts:3\n');
    const silent = dnsServer(host, {}, { silent: true });
    const { at } = lookup(sim, resolver, 'c2', 'inet');
    expect(at).to.equal(sec(3));
    expect(silent.queries).to.have.length(3);
  });

  it('resends a SERVFAIL at once, then waits out the timeout and fails with "again"', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\n');
    const server = dnsServer(host, { servfail: ['broken'] });
    const { result, at } = lookup(sim, resolver, 'broken', 'inet');
    expect(v4(result)).to.deep.equal(['error:again']);
    expect(at).to.equal(sec(5));
    // 1 + 2 immediate resends in the first round, 1 + 2 in the second.
    expect(server.queries).to.have.length(6);
  });

  it('fails with "nodata" for a name without an A record, and stops searching', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\nsearch one.example\n');
    const server = dnsServer(host, { aaaa: { 'v6.one.example': '2001:db8:0:0:0:0:0:1' } });
    expect(v4(lookup(sim, resolver, 'v6', 'inet').result)).to.deep.equal(['error:nodata']);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A v6.one.example']);
  });

  it('reverse-resolves through /etc/hosts, then PTR', () => {
    const { sim, host, resolver } = setup('nameserver 10.0.0.1\n', '127.0.0.1\tlocalhost\n10.0.0.3\tc2 c2.alias\n');
    const server = dnsServer(host, { ptr: { [ptrName('10.0.0.1')]: 'gw.net1' } });
    const names: (string | undefined)[] = [];
    for (const a of ['10.0.0.3', '10.0.0.1', '10.0.0.9']) {
      let done = false;
      resolver.getnameinfo(ip(a), (n) => { names.push(n); done = true; });
      while (!done && sim.scheduler.step());
    }
    expect(names).to.deep.equal(['c2', 'gw.net1', undefined]);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['PTR 1.0.0.10.in-addr.arpa', 'PTR 9.0.0.10.in-addr.arpa']);
  });
});
