/**
 * A one-line description of any Ethernet frame, in the spirit of tshark's Info column, for
 * traces and pcapng packet comments:
 *
 *   ARP Who has 10.0.0.3? Tell 10.0.0.2
 *   10.0.0.2 → 10.0.0.3 ICMP Echo (ping) request id=0x0012, seq=0, ttl=64
 *   10.0.0.2 → 127.0.0.11 UDP 40000 → 53 DNS Standard query 0x1234 A c2
 *   VXLAN VNI 4097: 10.0.1.2 → 10.0.1.3 ICMP Echo (ping) request id=0x3290, seq=0, ttl=64
 *   802.1Q VID 10: ARP 10.0.0.3 is at 02:42:0a:00:00:03
 *
 * Heads up: it never throws. Broken bytes are described where they break, keeping what was
 * readable before ("10.0.0.2 → 10.0.0.3 malformed ICMP: truncated"). It formats strings, so
 * it belongs behind a trace sink that asked for it, never on the forwarding path.
 */
import { WireError } from './wire-error';
import { readU16, readU32 } from './bytes';
import { formatMac } from './mac-address';
import { formatIpv4 } from './ipv4-address';
import { EtherType, EthernetFrame } from './ethernet';
import { ArpOp, ArpPacket } from './arp';
import { IpProtocol, Ipv4Packet } from './ipv4';
import { IcmpPacket, IcmpType, IcmpTimeExceededCode, IcmpUnreachCode } from './icmp';
import { UdpPacket } from './udp';
import { VXLAN_PORT, VxlanHeader } from './vxlan';
import { DNS_PORT, DnsRcode, dnsTypeName, parseDns } from './dns';
import type { DnsMessage, DnsRdata } from './dns';
import { assertNever } from './assert-never';

/** How `WireError.proto` names a protocol in a summary. */
const PROTOCOL_DISPLAY_NAMES: Readonly<Record<string, string>> = {
  ethernet: 'Ethernet',
  vlan: '802.1Q',
  arp: 'ARP',
  ipv4: 'IPv4',
  icmp: 'ICMP',
  udp: 'UDP',
  tcp: 'TCP',
  dns: 'DNS',
  vxlan: 'VXLAN',
};

/** IEEE 802.1ad service tag (QinQ outer tag). */
const ETHERTYPE_QINQ = 0x88a8;
/** Below 0x0600 the field is an IEEE 802.3 length, not an EtherType. */
const ETHERTYPE_MIN = 0x0600;

/** Runs `describe`; a thrown error becomes `context` + "malformed PROTO: reason" instead. */
function guarded(describe: () => string, context = ''): string {
  try {
    return describe();
  } catch (e) {
    if (e instanceof WireError) return `${context}malformed ${PROTOCOL_DISPLAY_NAMES[e.proto] ?? e.proto}: ${e.reason}`;
    return `${context}malformed frame: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** One line describing the frame (see the file comment). Never throws. */
export function summarizeFrame(frame: Uint8Array): string {
  return guarded(() => {
    const eth = EthernetFrame.parse(frame);
    if (eth.tagged) return `802.1Q VID ${eth.vid!}: ${summarizeEtherType(eth.etherType, eth.payload)}`;
    return summarizeEtherType(eth.etherType, eth.payload);
  });
}

function summarizeEtherType(etherType: number, payload: Uint8Array): string {
  return guarded(() => {
    switch (etherType) {
      case EtherType.ARP:
        return summarizeArp(payload);
      case EtherType.IPv4:
        return summarizeIpv4(payload);
      case EtherType.VLAN:
      case ETHERTYPE_QINQ: {
        // A second tag inside the first (QinQ): TCI then the next EtherType.
        if (payload.length < 4) throw new WireError('vlan', 'truncated tag');
        const name = etherType === EtherType.VLAN ? '802.1Q' : '802.1ad';
        return `${name} VID ${readU16(payload, 0) & 0x0fff}: ${summarizeEtherType(readU16(payload, 2), payload.subarray(4))}`;
      }
      case EtherType.IPv6:
        return `IPv6 (${payload.length} bytes, not decoded)`;
      default:
        return etherType < ETHERTYPE_MIN
          ? `IEEE 802.3 length ${etherType}`
          : `EtherType 0x${etherType.toString(16).padStart(4, '0')} (${payload.length} bytes)`;
    }
  });
}

function summarizeArp(payload: Uint8Array): string {
  const arp = ArpPacket.parse(payload);
  const spa = formatIpv4(arp.senderIp);
  const tpa = formatIpv4(arp.targetIp);
  switch (arp.op) {
    case ArpOp.Request:
      // The names Wireshark gives RFC 5227 probes and announcements.
      if (arp.isProbe) return `ARP Who has ${tpa}? (ARP Probe)`;
      if (arp.isGratuitous) return arp.targetMac === 0 ? `ARP Announcement for ${spa}` : `ARP Gratuitous ARP for ${spa} (Request)`;
      return `ARP Who has ${tpa}? Tell ${spa}`;
    case ArpOp.Reply:
      if (arp.isGratuitous) return `ARP Gratuitous ARP for ${spa} (Reply)`;
      return `ARP ${spa} is at ${formatMac(arp.senderMac)}`;
    default:
      return `ARP opcode ${arp.op} ${spa} (${formatMac(arp.senderMac)}) → ${tpa}`;
  }
}

const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP' };

function summarizeIpv4(payload: Uint8Array): string {
  const ip = Ipv4Packet.parse(payload);
  const prefix = `${formatIpv4(ip.src)} → ${formatIpv4(ip.dst)} `;
  if (ip.isFragment) {
    // Without reassembly, a fragment's transport header is not (all) there: say what tshark says.
    const name = IP_PROTOCOL_NAMES[ip.protocol] ?? 'protocol';
    return `${prefix}Fragmented IP protocol (proto=${name} ${ip.protocol}, off=${ip.fragmentOffset}, ID=${ip.identification.toString(16).padStart(4, '0')})`;
  }
  return guarded(() => {
    switch (ip.protocol) {
      case IpProtocol.ICMP:
        return prefix + summarizeIcmp(ip.payload, ip.ttl);
      case IpProtocol.UDP:
        return summarizeUdp(ip.payload, prefix);
      case IpProtocol.TCP:
        return prefix + summarizeTcp(ip.payload);
      default:
        return `${prefix}${IP_PROTOCOL_NAMES[ip.protocol] ?? 'IP protocol ' + ip.protocol} (${ip.payload.length} bytes)`;
    }
  }, prefix);
}

/** Wireshark's names for Destination Unreachable codes. */
const UNREACHABLE_NAMES: readonly string[] = [
  'Network unreachable', 'Host unreachable', 'Protocol unreachable', 'Port unreachable',
  'Fragmentation needed', 'Source route failed', 'Destination network unknown',
  'Destination host unknown', 'Source host isolated', 'Network administratively prohibited',
  'Host administratively prohibited', 'Network unreachable for TOS', 'Host unreachable for TOS',
  'Communication administratively filtered', 'Host precedence violation', 'Precedence cutoff in effect',
];

function summarizeIcmp(bytes: Uint8Array, ttl: number): string {
  const icmp = IcmpPacket.parse(bytes);
  switch (icmp.type) {
    case IcmpType.EchoRequest:
    case IcmpType.EchoReply: {
      const which = icmp.type === IcmpType.EchoRequest ? 'request' : 'reply';
      return `ICMP Echo (ping) ${which} id=0x${icmp.identifier.toString(16).padStart(4, '0')}, seq=${icmp.sequence}, ttl=${ttl}`;
    }
    case IcmpType.DestUnreachable: {
      const name = UNREACHABLE_NAMES[icmp.code] ?? `code ${icmp.code}`;
      const mtu = icmp.code === IcmpUnreachCode.FragNeeded ? ` next-hop MTU=${icmp.nextHopMtu}` : '';
      return `ICMP Destination unreachable (${name})${mtu}`;
    }
    case IcmpType.TimeExceeded: {
      const name = icmp.code === IcmpTimeExceededCode.TtlInTransit ? 'Time to live exceeded in transit'
        : icmp.code === IcmpTimeExceededCode.FragmentReassembly ? 'Fragment reassembly time exceeded'
          : `code ${icmp.code}`;
      return `ICMP Time-to-live exceeded (${name})`;
    }
    default:
      return `ICMP type=${icmp.type}, code=${icmp.code}`;
  }
}

/** `ipPrefix` is "src → dst ", which a VXLAN line leaves out. */
function summarizeUdp(bytes: Uint8Array, ipPrefix: string): string {
  const udp = UdpPacket.parse(bytes);
  const ports = `${ipPrefix}UDP ${udp.srcPort} → ${udp.dstPort} `;
  if (udp.dstPort === VXLAN_PORT) {
    // Like tshark's Info column, a VXLAN line describes the encapsulated frame, not the underlay.
    return guarded(() => {
      const vxlan = VxlanHeader.parse(udp.payload);
      const flag = vxlan.vniValid ? '' : ' (I flag clear)';
      return `VXLAN VNI ${vxlan.vni}${flag}: ${summarizeFrame(vxlan.payload)}`;
    }, ports);
  }
  if (udp.srcPort === DNS_PORT || udp.dstPort === DNS_PORT) {
    return guarded(() => `${ports}DNS ${summarizeDns(parseDns(udp.payload))}`, ports);
  }
  return `${ports}Len=${udp.payload.length}`;
}

/** TCP flags in the order Wireshark lists them. */
const TCP_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'],
];

/** RFC 793 header fields read in place (cnmlab has no TCP view in wire/ yet; this needs only five). */
function summarizeTcp(bytes: Uint8Array): string {
  if (bytes.length < 20) throw new WireError('tcp', 'truncated');
  const headerLength = (bytes[12]! >>> 4) * 4;
  if (headerLength < 20 || headerLength > bytes.length) throw new WireError('tcp', 'bad data offset');
  const flags = TCP_FLAG_NAMES.filter(([bit]) => (bytes[13]! & bit) !== 0).map(([, name]) => name).join(', ');
  return `TCP ${readU16(bytes, 0)} → ${readU16(bytes, 2)} [${flags}] Seq=${readU32(bytes, 4)} Ack=${readU32(bytes, 8)} `
    + `Win=${readU16(bytes, 14)} Len=${bytes.length - headerLength}`;
}

const DNS_OPCODE_NAMES: readonly string[] = ['Standard query', 'Inverse query', 'Server status request', 'Unknown operation (3)', 'Zone change notification', 'Dynamic update'];
/** Wireshark's names for response codes. */
const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  [DnsRcode.FormErr]: 'Format error',
  [DnsRcode.ServFail]: 'Server failure',
  [DnsRcode.NXDomain]: 'No such name',
  [DnsRcode.NotImp]: 'Not implemented',
  [DnsRcode.Refused]: 'Refused',
};

function displayName(name: string): string {
  return name === '' ? '<Root>' : name;
}

/** RFC 5952 text of a 16-byte address (longest run of zero groups as "::"). */
function formatIpv6(a: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(readU16(a, i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

function rdataText(d: DnsRdata): string {
  switch (d.kind) {
    case 'A': return formatIpv4(d.address);
    case 'AAAA': return formatIpv6(d.address);
    case 'PTR':
    case 'CNAME':
    case 'NS': return displayName(d.name);
    case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${displayName(d.target)}`;
    case 'TXT':
    case 'raw': return '';
    default: return assertNever(d, 'DNS rdata');
  }
}

function summarizeDns(m: DnsMessage): string {
  const words = [DNS_OPCODE_NAMES[m.opcode] ?? `Unknown operation (${m.opcode})`];
  if (m.qr) words.push('response');
  words.push(`0x${m.id.toString(16).padStart(4, '0')}`);
  if (m.qr && m.rcode !== DnsRcode.NoError) words.push(DNS_RCODE_NAMES[m.rcode] ?? `Unknown error (${m.rcode})`);
  for (const q of m.questions) words.push(dnsTypeName(q.type), displayName(q.name));
  // Like tshark, every record of every section, after the questions.
  for (const a of [...m.answers, ...m.authorities, ...m.additionals]) {
    const text = rdataText(a.data);
    words.push(dnsTypeName(a.type));
    if (text !== '') words.push(text);
  }
  return words.join(' ');
}
