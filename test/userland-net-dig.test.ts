// dig (BIND 9.18) against a table-driven DNS server: the full layout (checked against dig
// 9.18.49 on the same table), +short, failures and the query on the wire.
import { expect } from 'chai';
import { sec } from '../src/sim';
import { DnsType, EtherType, IpProtocol, Ipv4Packet, frameEtherType } from '../src/wire';
import { record } from './stack-harness';
import { UsageError } from '../src/userland';
import { DIG_DEFAULTS, makeDig } from '../src/userland/net';
import { bridgeTopology, dnsServer, ip, machine, newSim, ptrName, run, type DnsTable } from './userland-net-harness';

const TABLE: DnsTable = {
  a: { c2: '10.0.0.3', c3: '10.0.0.4', multi: ['10.0.0.5', '10.0.0.6'], 'a-rather-long-container-name': '10.0.0.7' },
  ptr: { [ptrName('10.0.0.3')]: 'c2.net1' },
  servfail: ['fail'],
};

/** 2020-04-26T19:37:50Z, SCENARIOS.md's example start. */
const START = 1587929870n * 1_000_000_000n;
const dig = makeDig({ start: START });
const V = DIG_DEFAULTS.version;

function setup() {
  const sim = newSim();
  const t = bridgeTopology(sim);
  t.c1.addAddress('lo', '127.0.0.11/8');
  const server = dnsServer(t.c1, TABLE, { address: ip('127.0.0.11') });
  return { sim, ...t, server, m: machine(t.c1, 'nameserver 127.0.0.11\noptions ndots:0\n') };
}

/** Replaces the random query ID in dig's header line, which the test cannot know in advance. */
const anyId = (s: string): string => s.replace(/id: \d+/g, 'id: N');

describe('userland: dig (BIND 9.18)', () => {
  it('prints the whole answer the way dig lays it out', () => {
    const { sim, m } = setup();
    const r = run(sim, dig, ['dig', 'c2'], m);
    expect(anyId(r.stdout)).to.equal([
      '',
      `; <<>> DiG ${V} <<>> c2`,
      ';; global options: +cmd',
      ';; Got answer:',
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: N',
      ';; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0',
      '',
      ';; QUESTION SECTION:',
      ';c2.\t\t\t\tIN\tA',
      '',
      ';; ANSWER SECTION:',
      'c2.\t\t\t600\tIN\tA\t10.0.0.3',
      '',
      ';; Query time: 0 msec',
      ';; SERVER: 127.0.0.11#53(127.0.0.11) (UDP)',
      ';; WHEN: Sun Apr 26 19:37:50 UTC 2020',
      ';; MSG SIZE  rcvd: 36',
      '',
      '',
    ].join('\n'));
    expect(r).to.include({ stderr: '', exit: 0 });
  });

  it('aligns long names and reverse answers on dig\'s columns', () => {
    const { sim, m } = setup();
    const x = run(sim, dig, ['dig', '-x', '10.0.0.3'], m).stdout;
    expect(x).to.contain(';3.0.0.10.in-addr.arpa.\t\tIN\tPTR\n');
    expect(x).to.contain('3.0.0.10.in-addr.arpa.\t600\tIN\tPTR\tc2.net1.\n');
    const long = run(sim, dig, ['dig', 'a-rather-long-container-name'], m).stdout;
    expect(long).to.contain(';a-rather-long-container-name.\tIN\tA\n');
    // Past a column, a single space (BIND's indent(); dig 9.18.49 prints exactly this).
    expect(long).to.contain('a-rather-long-container-name. 600 IN\tA\t10.0.0.7\n');
  });

  it('+short prints the rdata only; +noall +answer only the answer lines', () => {
    const { sim, m } = setup();
    expect(run(sim, dig, ['dig', '+short', 'c2'], m).stdout).to.equal('10.0.0.3\n');
    expect(run(sim, dig, ['dig', '+short', 'multi'], m).stdout).to.equal('10.0.0.5\n10.0.0.6\n');
    expect(run(sim, dig, ['dig', '-x', '10.0.0.3', '+short'], m).stdout).to.equal('c2.net1.\n');
    expect(run(sim, dig, ['dig', '+short', 'c9'], m)).to.include({ stdout: '', exit: 0 });
    expect(run(sim, dig, ['dig', 'c2', '+noall', '+answer'], m).stdout).to.equal('c2.\t\t\t600\tIN\tA\t10.0.0.3\n');
  });

  it('shows NXDOMAIN and SERVFAIL in the header, with status 0', () => {
    const { sim, m } = setup();
    const nx = run(sim, dig, ['dig', 'c9'], m);
    expect(nx.stdout).to.match(/;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: \d+\n;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;c9\.\t\t\t\tIN\tA\n\n;; Query time/);
    expect(nx.exit).to.equal(0);
    const sf = run(sim, dig, ['dig', 'fail'], m);
    expect(sf.stdout).to.contain('status: SERVFAIL');
    expect(sf.stdout).to.contain(';; MSG SIZE  rcvd: 22\n');
  });

  it('@SERVER before the name adds "(1 server found)"; several names make several lookups', () => {
    const { sim, m } = setup();
    const at = run(sim, dig, ['dig', '@127.0.0.11', 'c2'], m).stdout;
    expect(at.split('\n').slice(0, 4)).to.deep.equal(['', `; <<>> DiG ${V} <<>> @127.0.0.11 c2`, '; (1 server found)', ';; global options: +cmd']);
    const after = run(sim, dig, ['dig', 'c2', '@127.0.0.11'], m).stdout;
    expect(after.split('\n')[2]).to.equal(';; global options: +cmd');
    const two = run(sim, dig, ['dig', 'c2', 'c3'], m).stdout;
    expect(two.match(/; <<>> DiG/g)).to.have.length(1);
    expect(two.match(/;; Got answer:/g)).to.have.length(2);
    expect(two).to.contain('c3.\t\t\t600\tIN\tA\t10.0.0.4\n');
  });

  it('sends RD+AD with an EDNS0 COOKIE, without DF; +qr shows that query', () => {
    const { sim, m, server } = setup();
    const r = run(sim, dig, ['dig', 'c2', '+qr'], m);
    const q = server.queries[0]!.message;
    expect(q).to.include({ rd: true, ad: true });
    const opt = q.additionals.find((a) => a.type === DnsType.OPT)!;
    expect(opt.class).to.equal(1232);
    const cookie = opt.data.kind === 'raw' ? Buffer.from(opt.data.rdata).toString('hex') : '';
    expect(cookie).to.match(/^000a0008[0-9a-f]{16}$/);
    expect(anyId(r.stdout)).to.contain([
      ';; Sending:',
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: N',
      ';; flags: rd ad; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1',
      '',
      ';; OPT PSEUDOSECTION:',
      '; EDNS: version: 0, flags:; udp: 1232',
      `; COOKIE: ${cookie.slice(8)}`,
      ';; QUESTION SECTION:',
      ';c2.\t\t\t\tIN\tA',
      '',
      ';; QUERY SIZE: 43',
      '',
      ';; Got answer:',
    ].join('\n'));
  });

  it('sends its UDP query without DF (BIND turns path MTU discovery off), from a fresh port per try', () => {
    const sim = newSim();
    const { c1, host, links } = bridgeTopology(sim);
    dnsServer(host, TABLE);
    const frames = record(sim, links[0]!);
    const r = run(sim, dig, ['dig', '+short', '@10.0.0.1', 'c2'], machine(c1));
    expect(r.stdout).to.equal('10.0.0.3\n');
    const queries = frames.filter((f) => frameEtherType(f.frame) === EtherType.IPv4)
      .map((f) => Ipv4Packet.parse(f.frame.subarray(14)))
      .filter((p) => p.protocol === IpProtocol.UDP && p.src === ip('10.0.0.2'));
    expect(queries).to.have.length(1);
    expect(queries[0]!.dontFragment).to.equal(false);
  });

  it('retries 3 times 5 s apart, then says no servers could be reached (exit 9)', () => {
    const { sim, c1, m } = setup();
    const silent = dnsServer(c1, {}, { address: ip('127.0.0.13'), silent: true });
    const r = run(sim, dig, ['dig', '@127.0.0.13', 'c2'], m);
    expect(r.stdout).to.equal([
      ';; communications error to 127.0.0.13#53: timed out',
      ';; communications error to 127.0.0.13#53: timed out',
      ';; communications error to 127.0.0.13#53: timed out',
      '',
      `; <<>> DiG ${V} <<>> @127.0.0.13 c2`,
      '; (1 server found)',
      ';; global options: +cmd',
      ';; no servers could be reached',
      '',
    ].join('\n'));
    expect(r.exit).to.equal(9);
    expect(r.elapsed).to.equal(sec(15));
    // Each try on a new socket (a new source port), with the same question.
    expect(new Set(silent.queries.map((q) => q.srcPort)).size).to.equal(3);
    const short = run(sim, dig, ['dig', '+short', '+tries=1', '+time=2', '@127.0.0.13', 'c2'], m);
    expect(short.stdout).to.equal(';; communications error to 127.0.0.13#53: timed out\n;; no servers could be reached\n');
    expect(short.elapsed).to.equal(sec(2));
  });

  it('reports "connection refused" at once when the server has no DNS service', () => {
    const { sim, m } = setup();
    const r = run(sim, dig, ['dig', '+short', '@10.0.0.3', 'c2'], m);
    expect(r.stdout).to.equal(';; communications error to 10.0.0.3#53: connection refused\n'.repeat(3) + ';; no servers could be reached\n');
    expect(r.exit).to.equal(9);
    expect(r.elapsed).to.be.below(sec(0.01));
  });

  it('refuses what it does not know or emulate', () => {
    const { sim, m } = setup();
    expect(() => run(sim, dig, ['dig', '+bogus', 'c2'], m)).to.throw(UsageError, 'Invalid option: +bogus');
    expect(() => run(sim, dig, ['dig', '-z', 'c2'], m)).to.throw(UsageError, 'Invalid option: -z');
    expect(() => run(sim, dig, ['dig', '+tcp', 'c2'], m)).to.throw(UsageError, 'TCP is not emulated');
  });

  it('is deterministic', () => {
    const once = (): string => {
      const { sim, m } = setup();
      return run(sim, dig, ['dig', 'c2', '+qr'], m).output;
    };
    expect(once()).to.equal(once());
  });
});
