// busybox nslookup (FEATURE_NSLOOKUP_BIG) against a table-driven DNS server. The expected
// transcripts are what busybox's nslookup printed against the same table in a real network
// namespace (only the server differs: Docker's 127.0.0.11 here as there).
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import { UsageError } from '../src/userland';
import { nslookup } from '../src/userland/net';
import { bridgeTopology, dnsServer, ip, machine, newSim, ptrName, run, type DnsTable } from './userland-net-harness';

const TABLE: DnsTable = {
  a: { c2: '10.0.0.3', c3: '10.0.0.4', multi: ['10.0.0.5', '10.0.0.6'], 'c2.example': '10.0.0.3' },
  aaaa: { v6: '2001:db8:0:0:0:0:0:1' },
  cname: { www: 'c2.example' },
  ptr: { [ptrName('10.0.0.3')]: 'c2.net1' },
  servfail: ['fail'],
};

const HEADER = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n';

function setup(resolvConf = 'nameserver 127.0.0.11\noptions ndots:0\n', table: DnsTable = TABLE) {
  const sim = newSim();
  const t = bridgeTopology(sim);
  t.c1.addAddress('lo', '127.0.0.11/8');
  const server = dnsServer(t.c1, table, { address: ip('127.0.0.11') });
  return { sim, ...t, server, m: machine(t.c1, resolvConf) };
}

describe('userland: nslookup (busybox)', () => {
  it('looks a container name up as A and AAAA and prints both answers', () => {
    const { sim, m, server } = setup();
    const r = run(sim, nslookup, ['nslookup', 'c2'], m);
    expect(r.stdout).to.equal(`${HEADER}Non-authoritative answer:\nName:\tc2\nAddress: 10.0.0.3\n\nNon-authoritative answer:\n\n`);
    expect(r).to.include({ stderr: '', exit: 0 });
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A c2', 'AAAA c2']);
    // musl's res_mkquery sets RD and AD.
    expect(server.queries.every((q) => q.message.rd && q.message.ad === true)).to.equal(true);
  });

  it('prints NXDOMAIN once per query and exits 1', () => {
    const { sim, m } = setup();
    const r = run(sim, nslookup, ['nslookup', 'c9'], m);
    expect(r.stdout).to.equal(`${HEADER}** server can't find c9: NXDOMAIN\n\n** server can't find c9: NXDOMAIN\n\n`);
    expect(r.exit).to.equal(1);
  });

  it('prints SERVFAIL after resending it twice per query', () => {
    const { sim, m, server } = setup();
    const r = run(sim, nslookup, ['nslookup', 'fail'], m);
    expect(r.stdout).to.equal(`${HEADER}** server can't find fail: SERVFAIL\n\n** server can't find fail: SERVFAIL\n\n`);
    expect(r.exit).to.equal(1);
    // 2 queries sent, then up to 2 × 2 immediate resends on SERVFAIL.
    expect(server.queries).to.have.length(6);
  });

  it('turns an address into a PTR query', () => {
    const { sim, m, server } = setup();
    const r = run(sim, nslookup, ['nslookup', '10.0.0.3'], m);
    expect(r.stdout).to.equal(`${HEADER}Non-authoritative answer:\n3.0.0.10.in-addr.arpa\tname = c2.net1\n\n`);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['PTR 3.0.0.10.in-addr.arpa']);
    const missing = run(sim, nslookup, ['nslookup', '10.0.0.9'], m);
    expect(missing.stdout).to.equal(`${HEADER}** server can't find 9.0.0.10.in-addr.arpa: NXDOMAIN\n\n`);
    expect(missing.exit).to.equal(1);
  });

  it('prints several addresses, CNAMEs and IPv6 answers', () => {
    const { sim, m } = setup();
    expect(run(sim, nslookup, ['nslookup', 'multi'], m).stdout).to.equal(
      `${HEADER}Non-authoritative answer:\nName:\tmulti\nAddress: 10.0.0.5\nName:\tmulti\nAddress: 10.0.0.6\n\nNon-authoritative answer:\n\n`);
    expect(run(sim, nslookup, ['nslookup', 'www'], m).stdout).to.equal(
      `${HEADER}Non-authoritative answer:\nwww\tcanonical name = c2.example\nName:\tc2.example\nAddress: 10.0.0.3\n\n`
      + 'Non-authoritative answer:\nwww\tcanonical name = c2.example\n\n');
    expect(run(sim, nslookup, ['nslookup', 'v6'], m).stdout).to.equal(
      `${HEADER}Non-authoritative answer:\n\nNon-authoritative answer:\nName:\tv6\nAddress: 2001:db8::1\n\n`);
  });

  it('-type= chooses the query; the second operand chooses the server', () => {
    const { sim, m, server } = setup();
    const a = run(sim, nslookup, ['nslookup', '-type=a', 'c2'], m);
    expect(a.stdout).to.equal(`${HEADER}Non-authoritative answer:\nName:\tc2\nAddress: 10.0.0.3\n\n`);
    const explicit = run(sim, nslookup, ['nslookup', 'c3', '127.0.0.11'], machine(m.ns));
    expect(explicit.stdout).to.equal(`${HEADER}Non-authoritative answer:\nName:\tc3\nAddress: 10.0.0.4\n\nNon-authoritative answer:\n\n`);
    expect(server.queries.map((q) => q.text).slice(0, 1)).to.deep.equal(['A c2']);
  });

  it('says "no servers could be reached" after 5 s of silence (two sends, 2.5 s apart)', () => {
    const { sim, c1, m } = setup();
    const silent = dnsServer(c1, {}, { address: ip('127.0.0.13'), silent: true });
    const r = run(sim, nslookup, ['nslookup', 'c2', '127.0.0.13'], m);
    expect(r).to.include({ stdout: ';; connection timed out; no servers could be reached\n\n', stderr: '', exit: 1 });
    expect(r.elapsed).to.equal(sec(5));
    expect(silent.queries.map((q) => [q.text, q.time - silent.queries[0]!.time])).to.deep.equal([
      ['A c2', 0], ['AAAA c2', 0], ['A c2', ms(2500)], ['AAAA c2', ms(2500)],
    ]);
  });

  it('reports an ICMP port unreachable from a server without DNS as a read error, and times out', () => {
    const { sim, m } = setup();
    // 10.0.0.3 (c2) has no DNS service: each query draws a port unreachable, the connected
    // socket's pending error, which poll() wakes up for. (On Linux a veth round trip completes
    // inside the first write(), so there the second write fails instead: "write to
    // '10.0.0.3': Connection refused" at once. The 25 µs veth delay lets both writes out.)
    const r = run(sim, nslookup, ['nslookup', 'c2', '10.0.0.3'], m);
    expect(r.stdout).to.equal(';; connection timed out; no servers could be reached\n\n');
    expect(r.stderr).to.equal('nslookup: read: Connection refused\n'.repeat(4));
    expect(r.exit).to.equal(1);
  });

  it('does not hear of a net unreachable (a soft error): the server just times out', () => {
    const { sim, m } = setup();
    // c1 → 10.0.0.1, which has no route to 10.9.9.9 and says so with ICMP net unreachable.
    const r = run(sim, nslookup, ['nslookup', 'c2', '10.9.9.9'], m);
    expect(r).to.include({ stdout: ';; connection timed out; no servers could be reached\n\n', stderr: '', exit: 1 });
    expect(r.elapsed).to.equal(sec(5));
  });

  it('tries the next nameserver of resolv.conf when the first stays silent', () => {
    const { sim, c1 } = setup();
    dnsServer(c1, {}, { address: ip('127.0.0.13'), silent: true });
    const m = machine(c1, 'nameserver 127.0.0.13\nnameserver 127.0.0.11\n');
    const r = run(sim, nslookup, ['nslookup', '-type=a', 'c2'], m);
    expect(r.stdout).to.equal(`${HEADER}Non-authoritative answer:\nName:\tc2\nAddress: 10.0.0.3\n\n`);
    expect(r.elapsed).to.equal(sec(5));
  });

  it('appends the search domain to a dotless name instead of asking the bare name', () => {
    const { sim, c1, server } = setup();
    const m = machine(c1, 'nameserver 127.0.0.11\nsearch example\n');
    const r = run(sim, nslookup, ['nslookup', '-type=a', 'c2'], m);
    expect(r.stdout).to.equal(`${HEADER}Non-authoritative answer:\nName:\tc2.example\nAddress: 10.0.0.3\n\n`);
    expect(server.queries.map((q) => q.text)).to.deep.equal(['A c2.example']);
  });

  it('leaves out "Non-authoritative answer:" for an authoritative server', () => {
    const { sim, m } = setup(undefined, { ...TABLE, authoritative: true });
    expect(run(sim, nslookup, ['nslookup', '-type=a', 'c2'], m).stdout).to.equal(`${HEADER}Name:\tc2\nAddress: 10.0.0.3\n\n`);
  });

  it('refuses unknown options and types', () => {
    const { sim, m } = setup();
    expect(() => run(sim, nslookup, ['nslookup', '-bogus', 'c2'], m)).to.throw(UsageError, 'Usage: nslookup');
    expect(() => run(sim, nslookup, ['nslookup', '-type=bogus', 'c2'], m)).to.throw(UsageError, 'invalid query type "bogus"');
    expect(() => run(sim, nslookup, ['nslookup'], m)).to.throw(UsageError);
  });

  it('is deterministic', () => {
    const once = (): string => {
      const { sim, m } = setup();
      return run(sim, nslookup, ['nslookup', 'c2'], m).output + run(sim, nslookup, ['nslookup', 'c9'], m).output;
    };
    expect(once()).to.equal(once());
  });
});
