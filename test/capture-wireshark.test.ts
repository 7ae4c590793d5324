// SCENARIOS.md "Captures": every capture opens in Wireshark with no malformed packet and with
// correct IP, ICMP and UDP checksums. This test builds one frame of every protocol cnmlab
// speaks with the wire emitters, writes them to a pcap and a pcapng, and asks tshark what it
// sees: ../shared/tools/check-captures must find no problem, each frame's protocol stack must
// be the expected one, and the pcapng must show interface names and packet comments.
// Without tshark (it is installed in CI by .ci/run) the tshark checks are skipped.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemorySink, PcapWriter, PcapngWriter, readCapture } from '../src/pcap';
import { ms, us } from '../src/sim';
import {
  ArpOp,
  DnsClass,
  DnsRcode,
  DnsType,
  EtherType,
  IcmpTimeExceededCode,
  IcmpUnreachCode,
  IpProtocol,
  MAC_BROADCAST,
  MAC_ZERO,
  VXLAN_HEADER_LEN,
  VXLAN_PORT,
  buildEthernetFrame,
  emitArp,
  emitDns,
  emitIcmp,
  emitIpv4,
  emitUdp,
  emitVxlan,
  icmpErrorQuote,
  icmpLength,
  macFromIpv4,
  parseIpv4,
  parseMac,
  toHex,
} from '../src/wire';
import type { DnsMessage, EthernetRepr, IcmpRepr, Ipv4 } from '../src/wire';

const REPO = resolve(__dirname, '..', '..');
const CHECK_CAPTURES = join(REPO, '..', 'shared', 'tools', 'check-captures');

// Addresses of a Docker-like topology: containers on 10.0.0.0/24 behind bridge br0, hosts on
// 192.168.1.0/24, containers' MACs 02:42 + IPv4 (Docker's classic scheme).
const C1 = parseIpv4('10.0.0.2');
const C2 = parseIpv4('10.0.0.3');
const GW = parseIpv4('10.0.0.1');
const DNS_SERVER = parseIpv4('127.0.0.11');
const NODE1 = parseIpv4('192.168.1.10');
const NODE2 = parseIpv4('192.168.1.11');
const C1_MAC = macFromIpv4(C1);
const C2_MAC = macFromIpv4(C2);
const GW_MAC = parseMac('02:42:ac:11:00:01');
const NODE1_MAC = parseMac('52:54:00:12:34:56');
const NODE2_MAC = parseMac('52:54:00:65:43:21');

function arpFrame(op: number, senderMac: number, senderIp: Ipv4, targetMac: number, targetIp: Ipv4, dst: number): Uint8Array {
  const arp = new Uint8Array(28);
  emitArp({ op, senderMac, senderIp, targetMac, targetIp }, arp);
  return buildEthernetFrame({ dst, src: senderMac, etherType: EtherType.ARP }, arp);
}

/** An IPv4 packet whose payload is written by `emitPayload` at offset 20 (no options). */
function ipv4Packet(src: Ipv4, dst: Ipv4, protocol: number, ttl: number, id: number, payloadLength: number, emitPayload: (buf: Uint8Array, at: number) => void): Uint8Array {
  const buf = new Uint8Array(20 + payloadLength);
  const at = emitIpv4({ src, dst, protocol, ttl, identification: id, payloadLength, dontFragment: true }, buf);
  emitPayload(buf, at);
  return buf;
}

function icmpPacket(src: Ipv4, dst: Ipv4, ttl: number, id: number, repr: IcmpRepr): Uint8Array {
  return ipv4Packet(src, dst, IpProtocol.ICMP, ttl, id, icmpLength(repr), (buf, at) => emitIcmp(repr, buf, at));
}

function udpPacket(src: Ipv4, dst: Ipv4, ttl: number, id: number, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return ipv4Packet(src, dst, IpProtocol.UDP, ttl, id, 8 + payload.length, (buf, at) => emitUdp({ srcPort, dstPort }, payload, buf, at, src, dst));
}

function ipFrame(eth: Omit<EthernetRepr, 'etherType'>, ip: Uint8Array): Uint8Array {
  return buildEthernetFrame({ ...eth, etherType: EtherType.IPv4 }, ip);
}

/** busybox ping's 56 data bytes: a timestamp-like prefix, then 0x10.. counting up. */
function pingData(): Uint8Array {
  return Uint8Array.from({ length: 56 }, (_, i) => (i < 8 ? 0 : i + 8));
}

const dnsQuery: DnsMessage = {
  id: 0x1a2b, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: DnsRcode.NoError,
  questions: [{ name: 'container2', type: DnsType.A, class: DnsClass.IN }],
  answers: [], authorities: [], additionals: [],
};
const dnsResponse: DnsMessage = {
  ...dnsQuery, qr: true, ra: true,
  questions: [{ name: 'web.demo-net', type: DnsType.A, class: DnsClass.IN }],
  answers: [
    { name: 'web.demo-net', type: DnsType.CNAME, class: DnsClass.IN, ttl: 600, data: { kind: 'CNAME', name: 'tasks.web.demo-net' } },
    { name: 'tasks.web.demo-net', type: DnsType.A, class: DnsClass.IN, ttl: 600, data: { kind: 'A', address: C2 } },
  ],
};

interface Sample {
  what: string;
  /** tshark's frame.protocols for it. */
  protocols: string;
  frame: Uint8Array;
  /** pcapng interface (index into INTERFACES) and packet comment. */
  iface: number;
  comment: string;
}

const INTERFACES = ['docker-host:veth1a2b3c4', 'docker-host:br0', 'lan1:node1.eth0'];

function samples(): Sample[] {
  const probe = udpPacket(C1, C2, 1, 0x4d2, 40000, 33434, new Uint8Array(32)); // traceroute's first probe
  const vxlanInner = arpFrame(ArpOp.Request, C1_MAC, C1, MAC_ZERO, C2, MAC_BROADCAST);
  const vxlanPayload = new Uint8Array(VXLAN_HEADER_LEN + vxlanInner.length);
  vxlanPayload.set(vxlanInner, emitVxlan({ vni: 4097 }, vxlanPayload));
  const dnsQ = emitDns(dnsQuery);
  const dnsR = emitDns(dnsResponse);
  return [
    {
      what: 'ARP request', protocols: 'eth:ethertype:arp', iface: 0, comment: 'c1 eth0: who-has 10.0.0.3',
      frame: arpFrame(ArpOp.Request, C1_MAC, C1, MAC_ZERO, C2, MAC_BROADCAST),
    },
    {
      what: 'ARP reply', protocols: 'eth:ethertype:arp', iface: 0, comment: 'c2 eth0: 10.0.0.3 is-at 02:42:0a:00:00:03',
      frame: arpFrame(ArpOp.Reply, C2_MAC, C2, C1_MAC, C1, C1_MAC),
    },
    {
      what: 'ICMP echo request', protocols: 'eth:ethertype:ip:icmp:data', iface: 1, comment: 'br0: forwarded, learned port',
      frame: ipFrame({ dst: C2_MAC, src: C1_MAC }, icmpPacket(C1, C2, 64, 0x1234, { kind: 'echo-request', identifier: 0x0b0b, sequence: 0, data: pingData() })),
    },
    {
      what: 'ICMP echo reply', protocols: 'eth:ethertype:ip:icmp:data', iface: 1, comment: 'br0: forwarded, learned port',
      frame: ipFrame({ dst: C1_MAC, src: C2_MAC }, icmpPacket(C2, C1, 64, 0x5678, { kind: 'echo-reply', identifier: 0x0b0b, sequence: 0, data: pingData() })),
    },
    {
      what: 'ICMP port unreachable quoting a UDP probe', protocols: 'eth:ethertype:ip:icmp:ip:udp', iface: 0, comment: 'c2: port 33434 unreachable',
      frame: ipFrame({ dst: C1_MAC, src: C2_MAC }, icmpPacket(C2, C1, 64, 0x9abc, { kind: 'dest-unreachable', code: IcmpUnreachCode.Port, quote: icmpErrorQuote(probe) })),
    },
    {
      what: 'ICMP fragmentation needed with the next-hop MTU', protocols: 'eth:ethertype:ip:icmp:ip:udp', iface: 0, comment: 'gw: fragmentation needed, mtu 1450',
      frame: ipFrame({ dst: C1_MAC, src: GW_MAC }, icmpPacket(GW, C1, 64, 0x9abd, { kind: 'dest-unreachable', code: IcmpUnreachCode.FragNeeded, nextHopMtu: 1450, quote: icmpErrorQuote(probe) })),
    },
    {
      what: 'ICMP time exceeded quoting a UDP probe', protocols: 'eth:ethertype:ip:icmp:ip:udp', iface: 0, comment: 'gw: TTL expired in transit',
      frame: ipFrame({ dst: C1_MAC, src: GW_MAC }, icmpPacket(GW, C1, 64, 0x9abe, { kind: 'time-exceeded', code: IcmpTimeExceededCode.TtlInTransit, quote: icmpErrorQuote(probe) })),
    },
    {
      what: 'UDP datagram', protocols: 'eth:ethertype:ip:udp:data', iface: 1, comment: 'c1: udp 40000 > 33434',
      frame: ipFrame({ dst: GW_MAC, src: C1_MAC }, probe),
    },
    {
      what: 'DNS query', protocols: 'eth:ethertype:ip:udp:dns', iface: 0, comment: 'c1: A? container2',
      frame: ipFrame({ dst: GW_MAC, src: C1_MAC }, udpPacket(C1, DNS_SERVER, 64, 0x1111, 51000, 53, dnsQ)),
    },
    {
      what: 'compressed DNS response', protocols: 'eth:ethertype:ip:udp:dns', iface: 0, comment: 'embedded DNS: web.demo-net CNAME tasks.web.demo-net A 10.0.0.3',
      frame: ipFrame({ dst: C1_MAC, src: GW_MAC }, udpPacket(DNS_SERVER, C1, 64, 0x2222, 53, 51000, dnsR)),
    },
    {
      what: '802.1Q-tagged ICMP echo request', protocols: 'eth:ethertype:vlan:ethertype:ip:icmp:data', iface: 2, comment: 'eth0.10: tagged VLAN 10',
      frame: buildEthernetFrame(
        { dst: NODE2_MAC, src: NODE1_MAC, etherType: EtherType.IPv4, vlan: { vid: 10, pcp: 0 } },
        icmpPacket(NODE1, NODE2, 64, 0x3333, { kind: 'echo-request', identifier: 7, sequence: 1, data: pingData() }),
      ),
    },
    {
      what: 'VXLAN-encapsulated ARP request', protocols: 'eth:ethertype:ip:udp:vxlan:eth:ethertype:arp', iface: 2, comment: 'vxlan0: encapsulated to 192.168.1.11 VNI 4097',
      frame: ipFrame({ dst: NODE2_MAC, src: NODE1_MAC }, udpPacket(NODE1, NODE2, 64, 0x4444, 49152, VXLAN_PORT, vxlanPayload)),
    },
  ];
}

function tshark(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('captures as Wireshark sees them (tshark)', function () {
  this.timeout(60_000);
  let dir = '';
  let pcapPath = '';
  let pcapngPath = '';
  const all = samples();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnmlab-captures-'));
    const start = 1_587_929_870n * 1_000_000_000n; // 2020-04-26T19:37:50Z
    const pcapSink = new MemorySink();
    const pcap = new PcapWriter(pcapSink, { startNs: start });
    const ngSink = new MemorySink();
    const ng = new PcapngWriter(ngSink, { startNs: start });
    const ids = INTERFACES.map((name) => ng.addInterface(name));
    all.forEach((s, i) => {
      const t = i === 0 ? 0 : ms(i) + us(i); // t = 0 included
      pcap.writePacket(t, s.frame);
      ng.writePacket(ids[s.iface]!, t, s.frame, s.comment);
    });
    pcap.flush();
    ng.flush();
    pcapPath = join(dir, 'every-protocol.pcap');
    pcapngPath = join(dir, 'all.pcapng');
    writeFileSync(pcapPath, pcapSink.bytes());
    writeFileSync(pcapngPath, ngSink.bytes());
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds a frame of every protocol, and our reader reads both files back', () => {
    // The response is compressed: after the 12-byte header and the 18-byte question
    // (3web8demo-net0, type, class), the first answer's owner name is a pointer to offset 12.
    expect(toHex(emitDns(dnsResponse).subarray(30, 32))).to.equal('c0 0c');
    const fromPcap = readCapture(readFileSync(pcapPath));
    const fromNg = readCapture(readFileSync(pcapngPath));
    expect(fromPcap.packets.map((p) => p.data)).to.deep.equal(all.map((s) => s.frame));
    expect(fromNg.packets.map((p) => [p.interfaceId, p.comment])).to.deep.equal(all.map((s) => [s.iface, s.comment]));
  });

  describe('with tshark', () => {
    before(function () {
      if (!hasTshark()) {
        console.log('    (tshark is not installed: skipping the Wireshark checks; CI installs it)');
        this.skip();
      }
    });

    it('../shared/tools/check-captures finds no malformed packet and no bad checksum', () => {
      const r = spawnSync('bash', [CHECK_CAPTURES, dir], { encoding: 'utf8' });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.contain('2 files');
      expect(r.stdout).to.contain(`${all.length * 2} frames, 0 with problems`);
    });

    for (const file of ['pcap', 'pcapng'] as const) {
      it(`dissects every frame of the ${file} as the expected protocol stack`, () => {
        const r = tshark(['-r', file === 'pcap' ? pcapPath : pcapngPath, '-T', 'fields', '-e', 'frame.protocols']);
        expect(r.status, r.stderr).to.equal(0);
        const got = r.stdout.trimEnd().split('\n');
        expect(got.map((p, i) => `${all[i]?.what}: ${p}`)).to.deep.equal(all.map((s) => `${s.what}: ${s.protocols}`));
      });
    }

    it('shows the pcapng interface names and packet comments', () => {
      // The comment field is frame.comment in Wireshark 3.6 and later, pkt_comment before.
      let r = tshark(['-r', pcapngPath, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment']);
      if (r.status !== 0) r = tshark(['-r', pcapngPath, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'pkt_comment']);
      expect(r.status, r.stderr).to.equal(0);
      const rows = r.stdout.trimEnd().split('\n');
      expect(rows).to.deep.equal(all.map((s) => `${INTERFACES[s.iface]}\t${s.comment}`));
    });

    it('shows nanosecond timestamps from the start time, t = 0 included', () => {
      const r = tshark(['-r', pcapPath, '-T', 'fields', '-e', 'frame.time_epoch']);
      expect(r.status, r.stderr).to.equal(0);
      const times = r.stdout.trimEnd().split('\n');
      expect(times[0]).to.equal('1587929870.000000000');
      expect(times[3]).to.equal('1587929870.003003000'); // 3 ms + 3 µs
    });
  });
});
