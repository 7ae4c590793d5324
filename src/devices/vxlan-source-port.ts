/**
 * The outer UDP source port of a VXLAN packet (RFC 7348 §5: "it is recommended that the UDP
 * source port number be calculated using a hash of fields from the inner packet", so that
 * ECMP routers in the underlay spread flows but keep each flow on one path).
 *
 * Linux (udp_flow_src_port, include/net/udp.h): hash = skb_get_hash(inner), then
 * `hash ^= hash << 16` and `port = ((u64)hash * (max − min) >> 32) + min`, with [min, max) the
 * local port range (net.ipv4.ip_local_port_range, 32768 60999, used as min = 32768,
 * max = 60999), so ports fall in 32768..60998.
 *
 * What the hash covers, as the kernel's flow dissector does: for IPv4 the two addresses, the
 * protocol and, for TCP/UDP/SCTP/UDP-Lite, the two ports (for ICMP echo-style messages the
 * identifier); the pair is ordered the same way in both directions (__flow_hash_consistentify),
 * so a request and its reply leave with the same source port — the kernel fixture
 * overlay-n1-underlay.pcap shows 39515 for both. Fragments after the first carry no ports and
 * hash on addresses and protocol only. Frames that are not IPv4 (ARP, IPv6, …) hash on the
 * MAC pair, ordered the same way, and the EtherType.
 *
 * Heads up: the kernel seeds its flow hash with a random value at boot (hashrnd), so the
 * port of a given flow differs from boot to boot and no emulator can match the fixture's
 * 39515. cnmlab fixes the seed (VXLAN_FLOW_HASH_SEED) so that captures are reproducible, and
 * mixes with MurmurHash3's 32-bit rounds instead of the kernel's siphash: what matters is that
 * the port is a stable, symmetric function of the flow inside Linux's range.
 */
import { readU16, readU32 } from '../wire';

/** Linux's default net.ipv4.ip_local_port_range. */
export const VXLAN_SOURCE_PORT_RANGE = { min: 32768, max: 60999 } as const;

/** The fixed seed standing in for the kernel's per-boot hashrnd. */
export const VXLAN_FLOW_HASH_SEED = 0x2f3c_6b1d;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;

/** One MurmurHash3 x86_32 body round. */
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** ICMP types that carry an identifier (icmp_has_id): echo, timestamp, info, address mask. */
function icmpHasId(type: number): boolean {
  return type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16 || type === 17 || type === 18;
}

/** The symmetric 32-bit flow hash of an inner Ethernet frame (length ≥ 14). */
export function innerFlowHash(frame: Uint8Array): number {
  let l3 = 14;
  let etherType = readU16(frame, 12);
  if (etherType === ETHERTYPE_VLAN && frame.length >= 18) {
    etherType = readU16(frame, 16);
    l3 = 18;
  }
  let h = VXLAN_FLOW_HASH_SEED;
  if (etherType === ETHERTYPE_IPV4 && frame.length >= l3 + 20 && frame[l3]! >>> 4 === 4) {
    const ihl = (frame[l3]! & 0x0f) * 4;
    let a = readU32(frame, l3 + 12);
    let b = readU32(frame, l3 + 16);
    const protocol = frame[l3 + 9]!;
    const fragOffset = readU16(frame, l3 + 6) & 0x1fff;
    let pa = 0;
    let pb = 0;
    const l4 = l3 + ihl;
    if (fragOffset === 0 && ihl >= 20) {
      if ((protocol === 6 || protocol === 17 || protocol === 132 || protocol === 136) && frame.length >= l4 + 4) {
        pa = readU16(frame, l4);
        pb = readU16(frame, l4 + 2);
      } else if (protocol === 1 && frame.length >= l4 + 6 && icmpHasId(frame[l4]!)) {
        pa = pb = readU16(frame, l4 + 4);
      }
    }
    if (b < a || (a === b && pb < pa)) {
      const t = a; a = b; b = t;
      const u = pa; pa = pb; pb = u;
    }
    h = mixWord(h, a);
    h = mixWord(h, b);
    h = mixWord(h, ((pa << 16) | pb) >>> 0);
    h = mixWord(h, protocol);
    return finish(h ^ 16);
  }
  // Not IPv4: the MAC pair (as 16 + 32-bit halves), ordered, and the EtherType.
  let aHi = readU16(frame, 0);
  let aLo = readU32(frame, 2);
  let bHi = readU16(frame, 6);
  let bLo = readU32(frame, 8);
  if (bHi < aHi || (bHi === aHi && bLo < aLo)) {
    const t = aHi; aHi = bHi; bHi = t;
    const u = aLo; aLo = bLo; bLo = u;
  }
  h = mixWord(h, (aHi << 16) | etherType);
  h = mixWord(h, aLo);
  h = mixWord(h, bHi);
  h = mixWord(h, bLo);
  return finish(h ^ 14);
}

/** udp_flow_src_port: the outer source port for an inner frame (length ≥ 14). */
export function vxlanSourcePort(frame: Uint8Array, min: number = VXLAN_SOURCE_PORT_RANGE.min, max: number = VXLAN_SOURCE_PORT_RANGE.max): number {
  let hash = innerFlowHash(frame);
  // "obfuscate hash a bit": only the upper 16 bits decide the port.
  hash = (hash ^ (hash << 16)) >>> 0;
  return Math.floor((hash * (max - min)) / 0x1_0000_0000) + min;
}
