/**
 * ICMP in a namespace (Linux net/ipv4/icmp.c): the echo responder, the errors the stack sends
 * (icmp_send) and what it does with the errors it receives.
 *
 * Sending an error (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7, as icmp_send checks them): never about
 * a frame that was link-layer broadcast or multicast, a datagram to a broadcast or multicast
 * address, a fragment other than the first, an ICMP error, or a datagram from 0.0.0.0 or a
 * group address. The error quotes as much of the datagram as fits in 576 bytes (the kernel
 * fixtures' 88-byte traceroute replies quote the whole 46-byte probe), goes out with TTL 64,
 * TOS = (the datagram's TOS & 0x1e) | 0xc0 (precedence "internetwork control", as the fixtures
 * show), without DF, from the datagram's destination when that was one of our addresses and
 * otherwise from the source address routing picks towards the datagram's sender. Errors are
 * rate limited per destination (icmp-rate-limit.ts).
 *
 * Echo replies (icmp_echo → icmp_reply) copy the request's identifier, sequence and data,
 * leave from the address the request was sent to, with the request's TOS, TTL 64 and no DF.
 * Echo requests to broadcast or multicast addresses are ignored (icmp_echo_ignore_broadcasts=1).
 *
 * Receiving an error: raw sockets get their copy first (ping, traceroute), then the quoted
 * datagram decides: a quoted UDP datagram reaches the socket that sent it (IP_RECVERR), and a
 * "fragmentation needed" about a datagram we sent lowers the path MTU to its destination.
 */
import {
  IcmpPacket, IcmpType, IcmpUnreachCode, IpProtocol, emitIcmp, icmpErrorQuote, internetChecksum,
  isMulticastIpv4, readU16, readU32, writeU16, IPV4_BROADCAST, LINUX_ICMP_ERROR_QUOTE_MAX,
  type Ipv4, type Ipv4Packet,
} from '../wire';
import { Cast, type CastKind, type PacketTypeKind } from './cast';
import { DropReason } from './drop-counters';
import { IcmpRateLimiter } from './icmp-rate-limit';
import { IcmpSocket, type ReceivedIcmp } from './icmp-socket';
import { IPV4_DEFAULTS } from './ipv4-layer';
import type { NetInterface } from './net-interface';
import type { NetworkNamespace } from './network-namespace';

/** /proc/net/snmp's Icmp: line, the counters cnmlab keeps. */
export interface IcmpStats {
  inMsgs: number;
  inErrors: number;
  inEchos: number;
  inEchoReps: number;
  inDestUnreachs: number;
  inTimeExcds: number;
  outMsgs: number;
  outEchoReps: number;
  outDestUnreachs: number;
  outTimeExcds: number;
  /** Errors not sent because of the rate limit (Linux: OutRateLimitHost). */
  outRateLimited: number;
}

/** RFC 792 error types, per Linux's icmp_pointers[].error (types above 18 are unknown). */
const ERROR_TYPES: ReadonlySet<number> = new Set([
  IcmpType.DestUnreachable, IcmpType.SourceQuench, IcmpType.Redirect, IcmpType.TimeExceeded, IcmpType.ParameterProblem,
]);
/** NR_ICMP_TYPES. */
const MAX_KNOWN_TYPE = 18;

export class IcmpLayer {
  readonly #ns: NetworkNamespace;
  readonly #sockets = new Set<IcmpSocket>();
  readonly #limiter = new IcmpRateLimiter();
  readonly stats: IcmpStats = {
    inMsgs: 0, inErrors: 0, inEchos: 0, inEchoReps: 0, inDestUnreachs: 0, inTimeExcds: 0,
    outMsgs: 0, outEchoReps: 0, outDestUnreachs: 0, outTimeExcds: 0, outRateLimited: 0,
  };

  constructor(ns: NetworkNamespace) {
    this.#ns = ns;
  }

  /** Opens a raw ICMP socket (what `ping` and `traceroute` read replies from). */
  open(): IcmpSocket {
    const socket = new IcmpSocket(this.#ns);
    this.#sockets.add(socket);
    return socket;
  }

  /** @internal Called by IcmpSocket.close. */
  forget(socket: IcmpSocket): void {
    this.#sockets.delete(socket);
  }

  /** Open raw ICMP sockets. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** An ICMP datagram delivered locally. */
  input(ip: Ipv4Packet, iface: NetInterface, cast: CastKind, _pktType: PacketTypeKind): void {
    const ns = this.#ns;
    this.stats.inMsgs++;
    const bytes = ip.payload;
    if (bytes.length < 8) {
      this.stats.inErrors++;
      ns.drops.count('icmp: truncated', iface.name);
      return;
    }
    const message = IcmpPacket.parse(bytes);
    if (this.#sockets.size > 0) {
      // raw_local_deliver runs before icmp_rcv: the sockets see every message.
      const received: ReceivedIcmp = { srcIp: ip.src, dstIp: ip.dst, ttl: ip.ttl, datagram: ip.packet, message, iface: iface.name };
      for (const s of [...this.#sockets]) s.deliver(received);
    }
    if (internetChecksum(bytes) !== 0) {
      this.stats.inErrors++;
      ns.drops.count(DropReason.IcmpBadChecksum, iface.name);
      return;
    }
    const type = message.type;
    if (cast !== Cast.Local && type !== IcmpType.EchoRequest) {
      // icmp_rcv: to a broadcast or multicast address only echo/timestamp/address mask count.
      ns.drops.count(DropReason.IcmpIgnored, iface.name);
      return;
    }
    switch (type) {
      case IcmpType.EchoRequest:
        this.stats.inEchos++;
        if (cast !== Cast.Local) {
          ns.drops.count(DropReason.IcmpEchoBroadcastIgnored, iface.name);
          return;
        }
        this.#echoReply(ip);
        return;
      case IcmpType.EchoReply:
        this.stats.inEchoReps++;
        return; // the raw sockets had their copy
      case IcmpType.DestUnreachable:
      case IcmpType.TimeExceeded:
      case IcmpType.ParameterProblem:
      case IcmpType.SourceQuench:
        if (type === IcmpType.DestUnreachable) this.stats.inDestUnreachs++;
        if (type === IcmpType.TimeExceeded) this.stats.inTimeExcds++;
        this.#errorInput(ip, message, iface);
        return;
      default:
        ns.drops.count(DropReason.IcmpIgnored, iface.name);
        return;
    }
  }

  #echoReply(request: Ipv4Packet): void {
    const ns = this.#ns;
    let path;
    try {
      path = ns.ipv4.resolveOutput(request.src, { src: request.dst });
    } catch {
      ns.drops.count(DropReason.NoRoute);
      return;
    }
    const message = request.payload;
    const frame = ns.ipv4.allocate(path, message.length);
    frame.set(message, 34);
    frame[34] = IcmpType.EchoReply;
    writeU16(frame, 36, 0);
    writeU16(frame, 36, internetChecksum(frame, 34, frame.length));
    this.stats.outMsgs++;
    this.stats.outEchoReps++;
    const tos = request.bytes[1]!;
    try {
      ns.ipv4.send(path, frame, IpProtocol.ICMP, IPV4_DEFAULTS.defaultTtl, tos, 'dont');
    } catch {
      ns.drops.count(DropReason.NoRoute);
    }
  }

  /** What an ICMP error says about a datagram we sent: tell its socket, learn a path MTU. */
  #errorInput(ip: Ipv4Packet, message: IcmpPacket, iface: NetInterface): void {
    const ns = this.#ns;
    const quote = message.data;
    // The quote may be cut short (RFC 792: header + 8 bytes), so read it by hand, not as a datagram.
    if (quote.length < 20 || quote[0]! >>> 4 !== 4) {
      this.stats.inErrors++;
      ns.drops.count('icmp: bad quote', iface.name);
      return;
    }
    const hlen = (quote[0]! & 0x0f) * 4;
    if (hlen < 20 || quote.length < hlen + 8) {
      this.stats.inErrors++;
      ns.drops.count('icmp: bad quote', iface.name);
      return;
    }
    const innerSrc = readU32(quote, 12);
    const innerDst = readU32(quote, 16);
    const protocol = quote[9]!;
    if (message.type === IcmpType.DestUnreachable && message.code === IcmpUnreachCode.FragNeeded && ns.isLocalAddress(innerSrc)) {
      const mtu = message.nextHopMtu;
      if (mtu >= 68 && mtu < readU16(quote, 2)) ns.pmtu.learn(innerDst, mtu, ns.scheduler.now);
    }
    if (protocol === IpProtocol.UDP) {
      ns.udp.icmpError({
        type: message.type,
        code: message.code,
        nextHopMtu: message.type === IcmpType.DestUnreachable && message.code === IcmpUnreachCode.FragNeeded ? message.nextHopMtu : 0,
        reporter: ip.src,
        ttl: ip.ttl,
        quote,
        originalSrc: innerSrc,
        originalDst: innerDst,
        originalSrcPort: readU16(quote, hlen),
        originalDstPort: readU16(quote, hlen + 2),
      });
    }
  }

  /**
   * icmp_send: an error about `datagram` (an IPv4 datagram, header included) to its sender.
   * `linkUnicast` is false when the datagram arrived in a link-layer broadcast/multicast frame.
   * Returns true when an error was sent.
   */
  sendError(datagram: Uint8Array, type: number, code: number, nextHopMtu: number, linkUnicast: boolean): boolean {
    const ns = this.#ns;
    if (!linkUnicast || datagram.length < 20) return false;
    const origDst = readU32(datagram, 16);
    const origSrc = readU32(datagram, 12);
    const hlen = (datagram[0]! & 0x0f) * 4;
    if (origDst === IPV4_BROADCAST || isMulticastIpv4(origDst) || ns.isBroadcastAddress(origDst)) return false;
    if ((readU16(datagram, 6) & 0x1fff) !== 0) return false; // only about the first fragment
    if (datagram[9] === IpProtocol.ICMP && datagram.length > hlen) {
      const innerType = datagram[hlen]!;
      if (innerType > MAX_KNOWN_TYPE || ERROR_TYPES.has(innerType)) return false;
    }
    if (origSrc === 0 || origSrc === IPV4_BROADCAST || isMulticastIpv4(origSrc)) return false;
    let path;
    try {
      path = ns.ipv4.resolveOutput(origSrc, ns.isLocalAddress(origDst) ? { src: origDst } : {});
    } catch {
      return false;
    }
    if (path.iface.kind !== 'loopback' && IcmpRateLimiter.isLimited(type, code) && !this.#limiter.allow(origSrc, ns.scheduler.now)) {
      this.stats.outRateLimited++;
      return false;
    }
    let quote: Uint8Array;
    try {
      // 576 − 20 − 8 = 548 (LINUX_ICMP_ERROR_QUOTE_MAX), less on a path with a smaller MTU.
      quote = icmpErrorQuote(datagram, Math.min(LINUX_ICMP_ERROR_QUOTE_MAX, path.mtu - 28));
    } catch {
      return false; // RFC 1122: never answer a broken datagram
    }
    const frame = ns.ipv4.allocate(path, 8 + quote.length);
    if (type === IcmpType.DestUnreachable) {
      emitIcmp(code === IcmpUnreachCode.FragNeeded
        ? { kind: 'dest-unreachable', code, nextHopMtu, quote }
        : { kind: 'dest-unreachable', code, quote }, frame, 34);
      this.stats.outDestUnreachs++;
    } else if (type === IcmpType.TimeExceeded) {
      emitIcmp({ kind: 'time-exceeded', code, quote }, frame, 34);
      this.stats.outTimeExcds++;
    } else {
      emitIcmp({ kind: 'other', type, code, rest: 0, data: quote }, frame, 34);
    }
    this.stats.outMsgs++;
    const tos = ((datagram[1]! & 0x1e) | 0xc0) & 0xff;
    try {
      ns.ipv4.send(path, frame, IpProtocol.ICMP, IPV4_DEFAULTS.defaultTtl, tos, 'dont');
    } catch {
      return false;
    }
    return true;
  }
}
