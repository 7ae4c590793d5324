// DNS messages (RFC 1035): header, questions, records, name compression and the guards
// against hostile bytes (pointer loops, forward pointers, over-long names, lying counts).
import { expect } from 'chai';
import fc from 'fast-check';
import {
  DnsClass, DnsRcode, DnsType, WireError, dnsRcodeName, dnsTypeName, emitDns, fromHex, ipv4OfReverseName,
  parseDns, parseIpv4, reverseNameOf, toHex,
} from '../src/wire';
import type { DnsMessage, DnsQuestion, DnsRdata, DnsRecord } from '../src/wire';

/** A container asks Docker's embedded DNS server for "c2" (written by hand). */
const QUERY = fromHex([
  '12 34', //       ID 0x1234
  '01 00', //       flags: QR 0 (query), opcode 0, RD 1
  '00 01', //       QDCOUNT 1
  '00 00', //       ANCOUNT 0
  '00 00', //       NSCOUNT 0
  '00 00', //       ARCOUNT 0
  '02 63 32 00', // QNAME "c2" (offset 12)
  '00 01', //       QTYPE A
  '00 01', //       QCLASS IN
].join(''));

/** The answer, its owner name compressed to a pointer to the question's name. */
const RESPONSE = fromHex([
  '12 34', //       ID 0x1234
  '81 80', //       flags: QR 1, opcode 0, AA 0, TC 0, RD 1, RA 1, RCODE 0
  '00 01 00 01 00 00 00 00', // one question, one answer
  '02 63 32 00 00 01 00 01', // question: "c2" A IN
  'c0 0c', //       answer NAME: pointer to offset 12 ("c2")
  '00 01', //       TYPE A
  '00 01', //       CLASS IN
  '00 00 02 58', // TTL 600
  '00 04', //       RDLENGTH 4
  '0a 00 00 03', // RDATA 10.0.0.3
].join(''));

/** Every record kind, with compression in owner names and in CNAME rdata (written by hand). */
const RICH = fromHex([
  'be ef', //       ID 0xbeef
  '85 80', //       flags: QR 1, AA 1, RD 1, RA 1
  '00 01 00 05 00 00 00 01', // 1 question, 5 answers, 0 authority, 1 additional
  // offset 12: question "www.example.com" ANY IN ("example" is at 16, "com" at 24)
  '03 77 77 77 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00', '00 ff 00 01',
  // offset 33: www.example.com CNAME web.example.com ("web" at 45, then a pointer to 16)
  'c0 0c 00 05 00 01 00 00 01 2c 00 06', '03 77 65 62 c0 10',
  // offset 51: web.example.com A 10.0.0.3
  'c0 2d 00 01 00 01 00 00 01 2c 00 04', '0a 00 00 03',
  // offset 67: web.example.com AAAA fd00::3
  'c0 2d 00 1c 00 01 00 00 01 2c 00 10', 'fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03',
  // offset 95: _http._tcp.example.com SRV 0 5 80 web.example.com (target never compressed, RFC 2782)
  '05 5f 68 74 74 70 04 5f 74 63 70 c0 10', '00 21 00 01 00 00 00 3c 00 17',
  '00 00 00 05 00 50', '03 77 65 62 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00',
  // offset 141: www.example.com TXT "v=spf1 -all" ""
  'c0 0c 00 10 00 01 00 00 01 2c 00 0d', '0b 76 3d 73 70 66 31 20 2d 61 6c 6c 00',
  // offset 166 (additional): example.com MX 10 mail.example.com, carried raw (its pointer too)
  'c0 10 00 0f 00 01 00 00 01 2c 00 09', '00 0a 04 6d 61 69 6c c0 10',
].join(''));

/** A reverse lookup and its PTR answer (written by hand). */
const PTR_RESPONSE = fromHex([
  '00 07 81 80 00 01 00 01 00 00 00 00', // ID 7, response, RD RA, 1 question, 1 answer
  '01 33 01 30 01 30 02 31 30 07 69 6e 2d 61 64 64 72 04 61 72 70 61 00', // "3.0.0.10.in-addr.arpa"
  '00 0c 00 01', //                      PTR IN
  'c0 0c 00 0c 00 01 00 00 02 58 00 0a', // answer: same name, PTR IN, TTL 600, 10 bytes
  '02 63 32 05 6d 79 6e 65 74 00', //     "c2.mynet"
].join(''));

const EMPTY_MESSAGE: DnsMessage = {
  id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, rcode: 0,
  questions: [], answers: [], authorities: [], additionals: [],
};

function withBytes(vector: Uint8Array, edits: Record<number, number>): Uint8Array {
  const b = Uint8Array.from(vector);
  for (const [at, v] of Object.entries(edits)) b[Number(at)] = v;
  return b;
}

/** A message made of a header and hand-written bytes after it. */
function message(counts: string, body: string): Uint8Array {
  return fromHex(`ab cd 01 00 ${counts} ${body}`);
}

// ---- generators for the properties ----
const label = fc.oneof(
  fc.constantFrom('c1', 'c2', 'web', 'example', 'com', 'mynet', '_tcp', 'Web', 'in-addr', 'arpa'),
  fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/),
);
const name = fc.array(label, { maxLength: 4 }).map((labels) => labels.join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const KNOWN_TYPES: readonly number[] = [DnsType.A, DnsType.NS, DnsType.CNAME, DnsType.PTR, DnsType.TXT, DnsType.AAAA, DnsType.SRV];
const typedRecord = (type: number, klass: fc.Arbitrary<number>, data: fc.Arbitrary<DnsRdata>): fc.Arbitrary<DnsRecord> =>
  fc.record({ name, type: fc.constant(type), class: klass, ttl: u32, data });
const record: fc.Arbitrary<DnsRecord> = fc.oneof(
  typedRecord(DnsType.A, fc.constant(DnsClass.IN), u32.map((address): DnsRdata => ({ kind: 'A', address }))),
  typedRecord(DnsType.AAAA, fc.constant(DnsClass.IN),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((address): DnsRdata => ({ kind: 'AAAA', address }))),
  typedRecord(DnsType.CNAME, u16, name.map((n): DnsRdata => ({ kind: 'CNAME', name: n }))),
  typedRecord(DnsType.PTR, u16, name.map((n): DnsRdata => ({ kind: 'PTR', name: n }))),
  typedRecord(DnsType.NS, u16, name.map((n): DnsRdata => ({ kind: 'NS', name: n }))),
  typedRecord(DnsType.SRV, fc.constant(DnsClass.IN), fc.record({ kind: fc.constant('SRV' as const), priority: u16, weight: u16, port: u16, target: name })),
  typedRecord(DnsType.TXT, u16, fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 3 })
    .map((strings): DnsRdata => ({ kind: 'TXT', strings }))),
  fc.record({
    name,
    type: u16.filter((t) => !KNOWN_TYPES.includes(t)),
    class: u16,
    ttl: u32,
    data: fc.uint8Array({ maxLength: 20 }).map((rdata): DnsRdata => ({ kind: 'raw', rdata })),
  }),
);
const question: fc.Arbitrary<DnsQuestion> = fc.record({ name, type: u16, class: u16 });
const dnsMessage: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16, qr: fc.boolean(), opcode: fc.integer({ min: 0, max: 15 }), aa: fc.boolean(), tc: fc.boolean(),
  rd: fc.boolean(), ra: fc.boolean(), rcode: fc.integer({ min: 0, max: 15 }),
  questions: fc.array(question, { maxLength: 3 }),
  answers: fc.array(record, { maxLength: 4 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record, { maxLength: 2 }),
}).chain((m) => fc.record({ ad: fc.boolean(), cd: fc.boolean() }).map(({ ad, cd }): DnsMessage => ({
  ...m, ...(ad ? { ad: true } : {}), ...(cd ? { cd: true } : {}),
})));

describe('wire/dns', () => {
  it('reads a query: header flags, counts and the question', () => {
    expect(parseDns(QUERY)).to.deep.equal({
      id: 0x1234, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: DnsRcode.NoError,
      questions: [{ name: 'c2', type: DnsType.A, class: DnsClass.IN }],
      answers: [], authorities: [], additionals: [],
    });
  });

  it('reads a response whose answer name is a compression pointer', () => {
    const m = parseDns(RESPONSE);
    expect([m.qr, m.rd, m.ra, m.aa]).to.deep.equal([true, true, true, false]);
    expect(m.answers).to.deep.equal([
      { name: 'c2', type: DnsType.A, class: DnsClass.IN, ttl: 600, data: { kind: 'A', address: parseIpv4('10.0.0.3') } },
    ]);
  });

  it('reads every record kind', () => {
    const m = parseDns(RICH);
    expect(m.aa).to.equal(true);
    expect(m.questions).to.deep.equal([{ name: 'www.example.com', type: DnsType.ANY, class: DnsClass.IN }]);
    expect(m.answers.map((a) => [a.name, a.type, a.ttl])).to.deep.equal([
      ['www.example.com', DnsType.CNAME, 300],
      ['web.example.com', DnsType.A, 300],
      ['web.example.com', DnsType.AAAA, 300],
      ['_http._tcp.example.com', DnsType.SRV, 60],
      ['www.example.com', DnsType.TXT, 300],
    ]);
    expect(m.answers.map((a) => a.data)).to.deep.equal([
      { kind: 'CNAME', name: 'web.example.com' },
      { kind: 'A', address: parseIpv4('10.0.0.3') },
      { kind: 'AAAA', address: fromHex('fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03') },
      { kind: 'SRV', priority: 0, weight: 5, port: 80, target: 'web.example.com' },
      { kind: 'TXT', strings: ['v=spf1 -all', ''] },
    ]);
    expect(m.additionals).to.deep.equal([{
      name: 'example.com', type: DnsType.MX, class: DnsClass.IN, ttl: 300, data: { kind: 'raw', rdata: fromHex('00 0a 04 6d 61 69 6c c0 10') },
    }]);
    expect(parseDns(PTR_RESPONSE).answers).to.deep.equal([
      { name: '3.0.0.10.in-addr.arpa', type: DnsType.PTR, class: DnsClass.IN, ttl: 600, data: { kind: 'PTR', name: 'c2.mynet' } },
    ]);
  });

  it('emits each vector byte for byte, compressing names as the hand-written bytes do', () => {
    for (const vector of [QUERY, RESPONSE, RICH, PTR_RESPONSE]) {
      expect(toHex(emitDns(parseDns(vector)))).to.equal(toHex(vector));
    }
  });

  it('compresses repeated names when emitting', () => {
    const a = (n: string): DnsRecord => ({ name: n, type: DnsType.A, class: DnsClass.IN, ttl: 600, data: { kind: 'A', address: 1 } });
    const m: DnsMessage = { ...EMPTY_MESSAGE, answers: [a('c1.mynet'), a('c1.mynet'), a('c2.mynet'), a('mynet')] };
    const bytes = emitDns(m);
    // 12 header + c1.mynet (10) + 10 + 4, then three pointers (2 + 14 each), "c2" + pointer (5 + 14).
    expect(bytes.length).to.equal(12 + (10 + 14) + (2 + 14) + (5 + 14) + (2 + 14));
    expect(toHex(bytes.subarray(36, 38))).to.equal('c0 0c'); // the second c1.mynet
    expect(toHex(bytes.subarray(52, 57))).to.equal('02 63 32 c0 0f'); // c2 + "mynet" at 15
    expect(parseDns(bytes)).to.deep.equal(m);
  });

  it('never points beyond offset 0x3fff (pointers have 14 bits)', () => {
    const big: DnsRecord = { name: 'q', type: 99, class: 1, ttl: 0, data: { kind: 'raw', rdata: new Uint8Array(17000) } };
    const late: DnsRecord = { name: 'late.example', type: DnsType.A, class: DnsClass.IN, ttl: 1, data: { kind: 'A', address: 2 } };
    const m: DnsMessage = { ...EMPTY_MESSAGE, answers: [big, late, late] };
    expect(parseDns(emitDns(m))).to.deep.equal(m);
  });

  it('writes label octets outside plain ASCII in master-file escapes, and back', () => {
    // One label "a.b c" (with a dot and a space), then "d".
    const bytes = message('00 01 00 00 00 00 00 00', '05 61 2e 62 20 63 01 64 00 00 01 00 01');
    const m = parseDns(bytes);
    expect(m.questions[0]!.name).to.equal('a\\.b\\032c.d');
    expect(toHex(emitDns(m))).to.equal(toHex(bytes));
    // A trailing dot (absolute name) is accepted on emit; "" is the root.
    const q = (n: string): DnsMessage => ({ ...EMPTY_MESSAGE, questions: [{ name: n, type: 1, class: 1 }] });
    expect(toHex(emitDns(q('c2.')))).to.equal(toHex(emitDns(q('c2'))));
    expect(toHex(emitDns(q('')).subarray(12))).to.equal('00 00 01 00 01');
    expect(parseDns(emitDns(q(''))).questions[0]!.name).to.equal('');
  });

  it('parses header flags, opcode and rcode bits', () => {
    const nx = withBytes(RESPONSE, { 2: 0x85, 3: 0xb3 }); // QR, AA, RD | RA, AD, CD, RCODE 3
    const m = parseDns(nx);
    expect([m.qr, m.aa, m.tc, m.rd, m.ra, m.ad, m.cd, m.rcode]).to.deep.equal([true, true, false, true, true, true, true, DnsRcode.NXDomain]);
    expect(toHex(emitDns(m))).to.equal(toHex(nx));
    const update = parseDns(withBytes(QUERY, { 2: 0x2a, 3: 0x05 })); // opcode 5 (UPDATE), TC, RCODE 5
    expect([update.opcode, update.tc, update.rcode]).to.deep.equal([5, true, DnsRcode.Refused]);
    expect('ad' in update).to.equal(false);
  });

  it('refuses a compression-pointer loop', () => {
    // The question's name is a pointer to itself.
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', 'c0 0c 00 01 00 01'))).to.throw(WireError, 'dns: compression pointer loop');
    // "a" then a pointer back to "a": a.a.a.a…
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', '01 61 c0 0c 00 01 00 01'))).to.throw(WireError, 'compression pointer loop');
    // Two pointers at each other: the second question's name (at 19) points to 25, which points
    // back to 19. Every loop needs a pointer that does not point strictly backwards.
    expect(() => parseDns(message('00 02 00 00 00 00 00 00', '01 61 00 00 01 00 01 c0 19 00 01 00 01 c0 13')))
      .to.throw(WireError, 'compression pointer forward');
  });

  it('refuses a chain of pointers to pointers longer than any name needs', () => {
    // A root question at 12; a raw record (type 99) whose rdata, from offset 28, holds n
    // pointers, each to the one before it (the first to the root name at 12); then an A record
    // whose owner name is a pointer to the last of them: n + 1 hops to read "".
    const chained = (n: number): Uint8Array => {
      const pointers = Array.from({ length: n }, (_, i) => {
        const to = i === 0 ? 12 : 28 + 2 * (i - 1);
        return `${(0xc0 | (to >> 8)).toString(16)} ${(to & 0xff).toString(16).padStart(2, '0')}`;
      });
      const last = 28 + 2 * (n - 1);
      const rdLength = (2 * n).toString(16).padStart(4, '0');
      return message('00 01 00 02 00 00 00 00', [
        '00 00 01 00 01', //                                   question: root, A, IN (12..16)
        `00 00 63 00 01 00 00 00 00 ${rdLength}`, ...pointers, // raw record at 17, rdata at 28
        `${(0xc0 | (last >> 8)).toString(16)} ${(last & 0xff).toString(16).padStart(2, '0')}`,
        '00 01 00 01 00 00 00 00 00 04 0a 00 00 03', //          A IN 10.0.0.3
      ].join(' '));
    };
    expect(parseDns(chained(100)).answers[1]).to.deep.include({ name: '', type: DnsType.A });
    expect(() => parseDns(chained(200))).to.throw(WireError, 'dns: too many compression pointers');
  });

  it('refuses forward and out-of-range pointers, and unknown label types', () => {
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', 'c0 10 00 01 00 01 00'))).to.throw(WireError, 'compression pointer forward');
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', 'c0 ff 00 01 00 01'))).to.throw(WireError, 'compression pointer out of range');
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', '41 61 00 00 01 00 01'))).to.throw(WireError, 'unsupported label type');
  });

  it('refuses names longer than 255 octets, however they are assembled', () => {
    const label63 = '3f' + ' 61'.repeat(63);
    // Four 63-octet labels: 4 × 64 + 1 = 257 octets.
    expect(() => parseDns(message('00 01 00 00 00 00 00 00', `${label63} ${label63} ${label63} ${label63} 00 00 01 00 01`)))
      .to.throw(WireError, 'name longer than 255 octets');
    // Three labels (193 octets) plus a pointer to a 63-octet one: 257 again.
    const body = `${label63} 00 00 01 00 01 ${label63} ${label63} ${label63} c0 0c 00 01 00 01`;
    expect(() => parseDns(message('00 02 00 00 00 00 00 00', body))).to.throw(WireError, 'name longer than 255 octets');
    // 255 exactly is fine: three 63-octet labels, one 61-octet label, the root.
    const ok = `${label63} ${label63} ${label63} 3d${' 62'.repeat(61)} 00 00 01 00 01`;
    expect(parseDns(message('00 01 00 00 00 00 00 00', ok)).questions[0]!.name.length).to.equal(253);
  });

  it('refuses truncated messages and counts or lengths that lie', () => {
    expect(() => parseDns(QUERY.subarray(0, 11))).to.throw(WireError, 'dns: truncated');
    expect(() => parseDns(QUERY.subarray(0, 19))).to.throw(WireError, 'dns: truncated');
    expect(() => parseDns(withBytes(QUERY, { 5: 2 }))).to.throw(WireError, 'dns: truncated'); // QDCOUNT 2, one question
    expect(() => parseDns(withBytes(QUERY, { 7: 1 }))).to.throw(WireError, 'dns: truncated'); // ANCOUNT 1, no answer
    expect(() => parseDns(withBytes(RESPONSE, { 31: 5 }))).to.throw(WireError, 'record data exceeds message');
    expect(() => parseDns(withBytes(RESPONSE, { 31: 3 }))).to.throw(WireError, 'A rdata not 4 octets');
    // CNAME rdata whose name ends before RDLENGTH does.
    expect(() => parseDns(withBytes(RICH, { 44: 7 }))).to.throw(WireError, 'CNAME rdata length mismatch');
    // An SRV too short for its fixed fields.
    const srv = message('00 00 00 01 00 00 00 00', '00 00 21 00 01 00 00 00 00 00 03 00 00 00');
    expect(() => parseDns(srv)).to.throw(WireError, 'SRV rdata too short');
    // A TXT string that overruns its rdata.
    const txt = message('00 00 00 01 00 00 00 00', '00 00 10 00 01 00 00 00 00 00 02 05 61');
    expect(() => parseDns(txt)).to.throw(WireError, 'TXT string overruns rdata');
  });

  it('keeps TXT that is not UTF-8, and A records of another class, as raw rdata', () => {
    const txt = parseDns(message('00 00 00 01 00 00 00 00', '00 00 10 00 01 00 00 00 00 00 02 01 ff'));
    expect(txt.answers[0]!.data).to.deep.equal({ kind: 'raw', rdata: fromHex('01 ff') });
    const chaos = parseDns(message('00 00 00 01 00 00 00 00', '00 00 01 00 03 00 00 00 00 00 02 ab cd'));
    expect(chaos.answers[0]!.data).to.deep.equal({ kind: 'raw', rdata: fromHex('ab cd') });
  });

  it('refuses to emit names and strings the wire cannot carry', () => {
    const q = (n: string): DnsMessage => ({ ...EMPTY_MESSAGE, questions: [{ name: n, type: 1, class: 1 }] });
    expect(() => emitDns(q('a'.repeat(64)))).to.throw(WireError, 'label longer than 63 octets');
    expect(() => emitDns(q(Array(5).fill('a'.repeat(63)).join('.')))).to.throw(WireError, 'name longer than 255 octets');
    expect(() => emitDns(q('a..b'))).to.throw(WireError, 'empty label');
    expect(() => emitDns(q('.a'))).to.throw(WireError, 'empty label');
    expect(() => emitDns(q('a\\256'))).to.throw(WireError, 'bad escape in name');
    expect(() => emitDns(q('a\\'))).to.throw(WireError, 'bad escape in name');
    // Non-ASCII text goes out as its UTF-8 octets, and comes back escaped.
    expect(parseDns(emitDns(q('ü.de'))).questions[0]!.name).to.equal('\\195\\188.de');
    const txt: DnsRecord = { name: 'x', type: DnsType.TXT, class: 1, ttl: 0, data: { kind: 'TXT', strings: ['x'.repeat(256)] } };
    expect(() => emitDns({ ...EMPTY_MESSAGE, answers: [txt] })).to.throw(WireError, 'TXT string longer than 255 octets');
  });

  it('names reverse-lookup domains (RFC 1035 §3.5) and reads them back', () => {
    expect(reverseNameOf(parseIpv4('10.0.0.3'))).to.equal('3.0.0.10.in-addr.arpa');
    expect(reverseNameOf(parseIpv4('192.168.50.11'))).to.equal('11.50.168.192.in-addr.arpa');
    expect(ipv4OfReverseName('3.0.0.10.in-addr.arpa')).to.equal(parseIpv4('10.0.0.3'));
    expect(ipv4OfReverseName('3.0.0.10.IN-ADDR.ARPA.')).to.equal(parseIpv4('10.0.0.3'));
    expect(ipv4OfReverseName('0.10.in-addr.arpa')).to.equal(undefined);
    expect(ipv4OfReverseName('300.0.0.10.in-addr.arpa')).to.equal(undefined);
  });

  it('names types and rcodes as dig does', () => {
    expect([dnsTypeName(1), dnsTypeName(28), dnsTypeName(33), dnsTypeName(99)]).to.deep.equal(['A', 'AAAA', 'SRV', 'TYPE99']);
    expect([dnsRcodeName(0), dnsRcodeName(2), dnsRcodeName(3), dnsRcodeName(5)]).to.deep.equal(['NOERROR', 'SERVFAIL', 'NXDOMAIN', 'REFUSED']);
  });

  it('property: parse(emit(m)) equals m', () => {
    fc.assert(fc.property(dnsMessage, (m) => {
      expect(parseDns(emitDns(m))).to.deep.equal(m);
    }), { numRuns: 300 });
  });

  it('property: random bytes, and damaged messages, throw nothing but WireError', () => {
    const damaged = fc.tuple(fc.constantFrom(RICH, RESPONSE, PTR_RESPONSE), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([vector, edits, cut]) => {
        const b = Uint8Array.from(vector);
        for (const [at, v] of edits) b[at % b.length] = v;
        return b.subarray(0, b.length - (cut % 8));
      });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), damaged), (b) => {
      try {
        parseDns(b);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
