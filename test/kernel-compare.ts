// Comparing frames cnmlab put on a link with the real kernel's (../shared/fixtures/kernel, see
// the README there). Shared by kernel-topologies.test.ts (topologies built through the API) and
// scenario-fixtures.test.ts (the bundled scenarios).
//
// What is compared: the protocols in order, frame lengths, MAC addresses, ARP fields, IPv4
// addresses, TTL, DF, TOS and total length, ICMP type/code, echo sequence and data length, the
// datagram an ICMP error quotes, UDP ports and lengths, VXLAN destination port and VNI (and the
// frame inside), and the timing to within a tolerance.
//
// What cannot match, because the kernel draws it at random, is compared as roles ("the first
// unknown MAC", "the second", …, numbered by first appearance): host-side MAC addresses (Docker's
// 02:42:… container MACs are compared as they are), the ICMP echo identifier (busybox uses its
// PID), the VXLAN source port (a flow hash with a per-boot seed) and, on request, the source port
// of other UDP datagrams (busybox traceroute's is its PID | 0x8000). IP identification values
// and busybox's timestamp in the echo data are not compared.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCapture } from '../src/pcap';
import { ms, type Nanos } from '../src/sim';
import {
  ArpPacket, EtherType, IcmpPacket, IcmpType, IpProtocol, Ipv4Packet, UdpPacket, VxlanHeader,
  formatIpv4, formatMac, frameEtherType, readU48, MAC_BROADCAST,
} from '../src/wire';
import type { Recorded } from './stack-harness';

const ROOT = resolve(__dirname, '..', '..');
/** The fixtures live beside the repository (../shared); a copy under test/fixtures wins. */
export const KERNEL_FIXTURES = [join(ROOT, 'test', 'fixtures', 'kernel'), join(ROOT, '..', 'shared', 'fixtures', 'kernel')].find(existsSync)!;

/** The frames of a pcap or pcapng file, timed from its first frame. */
export function recordedFrom(bytes: Uint8Array): Recorded[] {
  const cap = readCapture(bytes);
  const t0 = cap.packets[0]?.timestampNs ?? 0n;
  return cap.packets.map((p) => ({ time: Number(p.timestampNs - t0), frame: p.data }));
}

/** A kernel fixture capture, e.g. "routed-ra.pcap", timed from its first frame. */
export function fixture(name: string): Recorded[] {
  return recordedFrom(new Uint8Array(readFileSync(join(KERNEL_FIXTURES, name))));
}

/**
 * Rebases our capture on its first frame and cuts it where the kernel's capture ended (+0.5 s):
 * each fixture ends when tcpdump was stopped, and the simulation may go on to show later
 * traffic (another ARP retry, NUD_PROBE re-validation after 5 s) the kernel capture missed.
 */
export function cut(ours: Recorded[], kernel: Recorded[]): Recorded[] {
  if (ours.length === 0) return [];
  const t0 = ours[0]!.time;
  const end = kernel[kernel.length - 1]!.time + ms(500);
  return ours.map((r) => ({ time: r.time - t0, frame: r.frame })).filter((r) => r.time <= end);
}

/** Values the kernel draws at random become roles, numbered by first appearance. */
export class Roles {
  readonly #seen = new Map<string, string>();
  constructor(readonly prefix: string) {}
  of(key: string): string {
    let r = this.#seen.get(key);
    if (r === undefined) {
      r = `${this.prefix}#${this.#seen.size + 1}`;
      this.#seen.set(key, r);
    }
    return r;
  }
}

/** The roles of one capture. `udpPorts`: compare non-VXLAN UDP source ports as roles too. */
export interface FrameRoles {
  readonly macs: Roles;
  readonly echoIds: Roles;
  readonly vxlanPorts: Roles;
  readonly udpPorts?: Roles;
}

/** Everything about a frame the kernel decides deterministically. */
export function describeFrame(frame: Uint8Array, roles: FrameRoles): Record<string, unknown> {
  const macName = (m: number): string => {
    if (m === MAC_BROADCAST) return 'broadcast';
    if (m === 0) return 'zero';
    const s = formatMac(m);
    return s.startsWith('02:42:') ? s : roles.macs.of(s);
  };
  const srcPort = (port: number): string => (roles.udpPorts === undefined ? String(port) : roles.udpPorts.of(String(port)));
  const d: Record<string, unknown> = { length: frame.length, dst: macName(readU48(frame, 0)), src: macName(readU48(frame, 6)) };
  const type = frameEtherType(frame);
  if (type === EtherType.ARP) {
    const a = ArpPacket.parse(frame.subarray(14));
    return { ...d, arp: a.op, sender: `${macName(a.senderMac)} ${formatIpv4(a.senderIp)}`, target: `${macName(a.targetMac)} ${formatIpv4(a.targetIp)}` };
  }
  if (type !== EtherType.IPv4) return { ...d, etherType: type };
  const p = Ipv4Packet.parse(frame.subarray(14));
  Object.assign(d, { ip: `${formatIpv4(p.src)} > ${formatIpv4(p.dst)}`, ttl: p.ttl, df: p.dontFragment, tos: p.bytes[1], proto: p.protocol, ipLength: p.totalLength });
  if (p.protocol === IpProtocol.ICMP) {
    const m = IcmpPacket.parse(p.payload);
    Object.assign(d, { icmp: `${m.type}/${m.code}` });
    if (m.type === IcmpType.EchoRequest || m.type === IcmpType.EchoReply) Object.assign(d, { echoId: roles.echoIds.of(String(m.identifier)), seq: m.sequence, data: m.data.length });
    if (m.isError) {
      const q = Ipv4Packet.parse(m.data);
      const inner: Record<string, unknown> = { ip: `${formatIpv4(q.src)} > ${formatIpv4(q.dst)}`, ttl: q.ttl, df: q.dontFragment, proto: q.protocol };
      if (q.protocol === IpProtocol.UDP) {
        const u = UdpPacket.parse(q.payload);
        Object.assign(inner, { ports: `${srcPort(u.srcPort)} > ${u.dstPort}`, udpLength: u.length });
      }
      Object.assign(d, { quote: inner });
    }
  }
  if (p.protocol === IpProtocol.UDP) {
    const u = UdpPacket.parse(p.payload);
    if (u.dstPort === 4789) {
      const v = VxlanHeader.parse(u.payload);
      Object.assign(d, { vxlan: { dstPort: u.dstPort, srcPort: roles.vxlanPorts.of(String(u.srcPort)), vni: v.vni, inner: describeFrame(v.payload, roles) } });
    } else {
      Object.assign(d, { udp: `${srcPort(u.srcPort)} > ${u.dstPort}`, udpLength: u.length });
    }
  }
  return d;
}

export interface CompareOptions {
  /** How far apart (after rebasing on the first frame) our and the kernel's frame may be; default 20 ms. */
  readonly tolerance?: Nanos;
  /** Compare the source ports of UDP datagrams other than VXLAN's as roles (busybox traceroute's is its PID). */
  readonly udpSourcePortsAsRoles?: boolean;
}

/** Compares two captures frame by frame (chai assertions). */
export function compare(ours: Recorded[], kernel: Recorded[], opts: CompareOptions = {}): void {
  const rolesOf = (): FrameRoles => ({
    macs: new Roles('mac'),
    echoIds: new Roles('echo-id'),
    vxlanPorts: new Roles('vxlan-port'),
    ...(opts.udpSourcePortsAsRoles === true ? { udpPorts: new Roles('udp-port') } : {}),
  });
  const ourRoles = rolesOf();
  const kernelRoles = rolesOf();
  const o = ours.map((r) => describeFrame(r.frame, ourRoles));
  const k = kernel.map((r) => describeFrame(r.frame, kernelRoles));
  expect(o).to.deep.equal(k);
  const tolerance = opts.tolerance ?? ms(20);
  for (let i = 0; i < kernel.length; i++) {
    expect(Math.abs(ours[i]!.time - kernel[i]!.time), `frame ${i + 1}: ours at ${ours[i]!.time} ns, the kernel's at ${kernel[i]!.time} ns`).to.be.at.most(tolerance);
  }
}
