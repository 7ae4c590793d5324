// The real kernel's frames (../shared/fixtures/kernel/*.pcap, see the README there) as test
// vectors: every frame parses with our codecs down to ICMP, UDP and the frames inside VXLAN,
// and re-emitting it from nothing but its Reprs (plus leaf payload bytes) gives the same bytes.
//
// The one exception is the UDP checksum: the kernel computes it late (checksum offload,
// CHECKSUM_PARTIAL), so tcpdump on a veth saw only the pseudo-header's partial sum in the field.
// cnmlab writes the final checksum, so the comparison masks UDP checksum fields, and checks
// separately that the kernel's value is that partial sum and that ours verifies.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCapture } from '../src/pcap';
import {
  ArpPacket, EtherType, EthernetFrame, IcmpPacket, IpProtocol, Ipv4Packet, UdpPacket, VXLAN_PORT, VxlanHeader,
  arpReprOf, emitArp, emitEthernet, emitIcmp, emitIpv4, emitUdp, emitVxlan, ethernetHeaderLength, ethernetReprOf,
  icmpLength, icmpReprOf, ipv4HeaderLength, ipv4ReprOf, pseudoHeaderSum, summarizeFrame, toHex, udpDstPort,
  udpReprOf, udpSrcPort, verifyUdpChecksum, vxlanReprOf,
} from '../src/wire';

const ROOT = resolve(__dirname, '..', '..');
/** The fixtures live beside the repository (../shared); a copy under test/fixtures wins. */
const FIXTURE_DIR = [join(ROOT, 'test', 'fixtures', 'kernel'), join(ROOT, '..', 'shared', 'fixtures', 'kernel')].find(existsSync);

/** What a re-emission produced: the bytes, and where UDP checksums sit in them. */
interface Rebuilt {
  bytes: Uint8Array;
  udpChecksumOffsets: number[];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Shifts child checksum offsets by the length of what precedes the child. */
function shifted(offsets: number[], by: number): number[] {
  return offsets.map((o) => o + by);
}

/** Rebuilds a whole Ethernet frame from its Reprs, recursing into VXLAN. */
function rebuildFrame(frame: Uint8Array): Rebuilt {
  const eth = EthernetFrame.parse(frame);
  const repr = ethernetReprOf(eth);
  const header = new Uint8Array(ethernetHeaderLength(repr));
  expect(emitEthernet(repr, header, 0)).to.equal(header.length);
  const body = rebuildEtherPayload(eth.etherType, eth.payload);
  return { bytes: concat(header, body.bytes), udpChecksumOffsets: shifted(body.udpChecksumOffsets, header.length) };
}

function rebuildEtherPayload(etherType: number, payload: Uint8Array): Rebuilt {
  switch (etherType) {
    case EtherType.ARP: {
      const arp = new Uint8Array(28);
      emitArp(arpReprOf(ArpPacket.parse(payload)), arp);
      return { bytes: concat(arp, payload.subarray(28)), udpChecksumOffsets: [] };
    }
    case EtherType.IPv4: {
      const ip = Ipv4Packet.parse(payload, { verifyChecksum: true });
      const repr = ipv4ReprOf(ip);
      const inner = rebuildIpPayload(ip);
      expect(inner.bytes.length).to.equal(repr.payloadLength);
      const header = new Uint8Array(ipv4HeaderLength(repr));
      emitIpv4(repr, header);
      // Anything after Total Length is Ethernet padding: carried as it is.
      const padding = payload.subarray(ip.totalLength);
      return { bytes: concat(header, inner.bytes, padding), udpChecksumOffsets: shifted(inner.udpChecksumOffsets, header.length) };
    }
    default:
      throw new Error(`fixture holds an EtherType the test does not expect: 0x${etherType.toString(16)}`);
  }
}

function rebuildIpPayload(ip: Ipv4Packet): Rebuilt {
  switch (ip.protocol) {
    case IpProtocol.ICMP: {
      const icmp = IcmpPacket.parse(ip.payload, { verifyChecksum: true });
      const repr = icmpReprOf(icmp);
      if (repr.kind === 'dest-unreachable' || repr.kind === 'time-exceeded') {
        // The quote is a datagram of its own: it parses, down to the UDP ports of the probe.
        const quoted = Ipv4Packet.parse(repr.quote, { allowTruncated: true, verifyChecksum: true });
        expect(quoted.protocol).to.equal(IpProtocol.UDP);
        expect(udpSrcPort(quoted.payload)).to.equal(52894);
        expect(udpDstPort(quoted.payload)).to.be.within(33434, 33440);
      }
      const out = new Uint8Array(icmpLength(repr));
      emitIcmp(repr, out);
      return { bytes: out, udpChecksumOffsets: [] };
    }
    case IpProtocol.UDP: {
      const udp = UdpPacket.parse(ip.payload);
      const repr = udpReprOf(udp);
      let payload = udp.payload;
      let innerOffsets: number[] = [];
      if (udp.dstPort === VXLAN_PORT) {
        const vxlan = VxlanHeader.parse(udp.payload);
        expect(vxlan.vniValid).to.equal(true);
        const header = new Uint8Array(8);
        emitVxlan(vxlanReprOf(vxlan), header);
        const inner = rebuildFrame(vxlan.payload);
        payload = concat(header, inner.bytes);
        innerOffsets = shifted(inner.udpChecksumOffsets, 8 + 8);
      }
      const out = new Uint8Array(8 + payload.length);
      emitUdp(repr, payload, out, 0, ip.src, ip.dst);
      expect(verifyUdpChecksum(out, ip.src, ip.dst), 'our checksum verifies').to.equal(true);
      // The kernel left the folded pseudo-header sum for the NIC (or veth) to finish.
      let partial = pseudoHeaderSum(ip.src, ip.dst, IpProtocol.UDP, udp.length);
      while (partial > 0xffff) partial = (partial & 0xffff) + (partial >>> 16);
      expect(udp.checksum, 'the capture holds the offload partial sum').to.equal(partial);
      return { bytes: out, udpChecksumOffsets: [6, ...innerOffsets] };
    }
    default:
      throw new Error(`fixture holds an IP protocol the test does not expect: ${ip.protocol}`);
  }
}

function masked(bytes: Uint8Array, offsets: number[]): string {
  const copy = Uint8Array.from(bytes);
  for (const o of offsets) { copy[o] = 0; copy[o + 1] = 0; }
  return toHex(copy);
}

/** Frames per file and their lengths, from the README's description of the captures. */
const EXPECTED_LENGTHS: Record<string, number[]> = {
  'bridge-br0.pcap': [42, 42, 98, 98, 98, 98, 98, 98, 42, 42],
  'bridge-c1-eth0.pcap': [42, 42, 98, 98, 98, 98, 98, 98, 42, 42],
  'overlay-n1-underlay.pcap': [42, 42, 148, 148, 148, 148, 148, 148],
  'overlay-o1-eth0.pcap': [42, 42, 98, 98, 98, 98, 98, 98],
  'routed-ra.pcap': [42, 42, 98, 98, 98, 98, 60, 88],
  'routed-rb.pcap': [42, 42, 98, 98, 98, 98, 60, 88, 60, 88],
};

describe('kernel fixtures: every frame parses and re-emits byte for byte', () => {
  it('finds the fixtures', () => {
    expect(FIXTURE_DIR, 'test/fixtures/kernel or ../shared/fixtures/kernel').to.be.a('string');
    const files = readdirSync(FIXTURE_DIR!).filter((f) => f.endsWith('.pcap')).sort();
    expect(files).to.deep.equal(Object.keys(EXPECTED_LENGTHS).sort());
  });

  for (const [file, lengths] of Object.entries(EXPECTED_LENGTHS)) {
    it(file, () => {
      const capture = readCapture(new Uint8Array(readFileSync(join(FIXTURE_DIR!, file))));
      expect(capture.linkType).to.equal(1);
      expect(capture.packets.map((p) => p.data.length)).to.deep.equal(lengths);
      let udpFrames = 0;
      capture.packets.forEach((packet, i) => {
        const rebuilt = rebuildFrame(packet.data);
        udpFrames += rebuilt.udpChecksumOffsets.length > 0 ? 1 : 0;
        expect(masked(rebuilt.bytes, rebuilt.udpChecksumOffsets), `frame ${i + 1}: ${summarizeFrame(packet.data)}`)
          .to.equal(masked(packet.data, rebuilt.udpChecksumOffsets));
        expect(summarizeFrame(packet.data)).to.not.contain('malformed');
      });
      // Only frames with UDP needed the mask: the traceroute probes and the VXLAN underlay.
      const expectedUdp = { 'routed-ra.pcap': 1, 'routed-rb.pcap': 2, 'overlay-n1-underlay.pcap': 6 }[file] ?? 0;
      expect(udpFrames).to.equal(expectedUdp);
    });
  }
});
