/**
 * A UDP socket (socket(AF_INET, SOCK_DGRAM, 0)): bound to a local address and port (the
 * wildcard 0.0.0.0 by default), optionally connected to one peer, sending datagrams and
 * handing received ones to a callback.
 *
 * Socket options default as Linux's do: IP_TTL 64, IP_MULTICAST_TTL 1, IP_TOS 0,
 * IP_MTU_DISCOVER = IP_PMTUDISC_WANT (DF set while the datagram fits the path MTU),
 * SO_BROADCAST off. A connected socket stamps its datagrams with its own Identification
 * counter, which starts at a random value (ip4_datagram_connect: inet_id = get_random_u16()),
 * drawn from the namespace's 'udp' RNG fork; unconnected sends use the namespace's
 * per-destination generator.
 *
 * ICMP errors about datagrams this socket sent (port unreachable, time exceeded, …) reach
 * `onError`, as IP_RECVERR delivers them; traceroute-style programs read them there or on a
 * raw ICMP socket.
 */
import { IpProtocol, emitUdp, isMulticastIpv4, UDP_HEADER_LEN, type Ipv4 } from '../wire';
import type { Rng } from '../sim';
import { IPV4_DEFAULTS, type Ipv4Layer, type OutputPath, type PmtuDiscovery } from './ipv4-layer';
import type { NetInterface } from './net-interface';
import { StackError } from './stack-error';

/** A received datagram: its payload (a view, never to be written), who sent it, to which of our addresses. */
export type UdpReceiver = (payload: Uint8Array, srcIp: Ipv4, srcPort: number, dstIp: Ipv4) => void;

/** An ICMP error about a datagram this socket sent (struct sock_extended_err + the offender). */
export interface UdpErrorReport {
  readonly type: number;
  readonly code: number;
  /** RFC 1191 next-hop MTU of a "fragmentation needed", else 0. */
  readonly nextHopMtu: number;
  /** Who sent the error (a router for time exceeded, the target for port unreachable). */
  readonly reporter: Ipv4;
  /** The TTL the error arrived with. */
  readonly ttl: number;
  /** The quoted datagram (IP header + as much as the reporter included). */
  readonly quote: Uint8Array;
  readonly originalSrc: Ipv4;
  readonly originalDst: Ipv4;
  readonly originalSrcPort: number;
  readonly originalDstPort: number;
}

export type UdpErrorReceiver = (err: UdpErrorReport) => void;

export interface UdpSendOptions {
  /** IP_TTL for this datagram (traceroute's probes set it per probe). */
  readonly ttl?: number;
  readonly tos?: number;
  readonly pmtudisc?: PmtuDiscovery;
}

/** The namespace side of the port table. */
export interface UdpSocketHost {
  readonly ipv4: Ipv4Layer;
  readonly udp: { readonly stats: { outDatagrams: number } };
  closeUdpSocket(socket: UdpSocket): void;
}

export class UdpSocket {
  readonly #host: UdpSocketHost;
  readonly #rng: Rng;
  #receiver: UdpReceiver | undefined;
  #errorReceiver: UdpErrorReceiver | undefined;
  #closed = false;
  #localAddress: Ipv4;
  readonly #localPort: number;
  #remoteAddress: Ipv4 | undefined;
  #remotePort = 0;
  /** The last send's output path and what it was computed from. */
  #cache: { generation: number; path: OutputPath; src: Ipv4; iface: NetInterface | undefined; broadcast: boolean } | undefined;
  /** The connected socket's Identification counter (inet_id). */
  #nextId = 0;
  /** IP_TTL. */
  ttl: number = IPV4_DEFAULTS.defaultTtl;
  /** IP_MULTICAST_TTL. */
  multicastTtl: number = IPV4_DEFAULTS.multicastTtl;
  /** IP_TOS. */
  tos = 0;
  /** IP_MTU_DISCOVER. */
  pmtudisc: PmtuDiscovery = 'want';
  /** SO_BROADCAST. */
  broadcast = false;
  /** SO_BINDTODEVICE. */
  bindIface: NetInterface | undefined = undefined;

  constructor(host: UdpSocketHost, rng: Rng, localAddress: Ipv4, localPort: number) {
    this.#host = host;
    this.#rng = rng;
    this.#localAddress = localAddress;
    this.#localPort = localPort;
  }

  /** The bound address (0 = any). */
  get localAddress(): Ipv4 {
    return this.#localAddress;
  }

  get localPort(): number {
    return this.#localPort;
  }

  /** The connected peer, if any. */
  get remoteAddress(): Ipv4 | undefined {
    return this.#remoteAddress;
  }

  get remotePort(): number {
    return this.#remotePort;
  }

  get closed(): boolean {
    return this.#closed;
  }

  onMessage(receiver: UdpReceiver): void {
    this.#receiver = receiver;
  }

  onError(receiver: UdpErrorReceiver): void {
    this.#errorReceiver = receiver;
  }

  /**
   * connect(2): only datagrams from (ip, port) are received, `write` sends there. An unbound
   * source address becomes the one routing picks (ip4_datagram_connect). Throws ENETUNREACH
   * when there is no route.
   */
  connect(ip: Ipv4, port: number): void {
    if (this.#closed) throw new StackError('EBADF', 'connect');
    checkPort(port);
    const path = this.#host.ipv4.resolveOutput(ip, this.#outputOptions());
    if (this.#localAddress === 0 && path.iface.kind !== 'loopback') this.#localAddress = path.src;
    this.#remoteAddress = ip;
    this.#remotePort = port;
    this.#nextId = this.#rng.int(0x1_0000);
  }

  /** Sends to (dst, dstPort). Throws StackError as sendto(2) would (ENETUNREACH, EMSGSIZE, EACCES, EBADF). */
  send(dst: Ipv4, dstPort: number, payload: Uint8Array, opts?: UdpSendOptions): void {
    if (this.#closed) throw new StackError('EBADF', 'sendto');
    checkPort(dstPort);
    if (payload.length + UDP_HEADER_LEN + 20 > 0xffff) throw new StackError('EMSGSIZE', 'sendto');
    const ipv4 = this.#host.ipv4;
    const path = this.#path(dst);
    const frame = ipv4.allocate(path, UDP_HEADER_LEN + payload.length);
    emitUdp({ srcPort: this.#localPort, dstPort }, payload, frame, 34, path.src, dst);
    const ttl = opts?.ttl ?? (isMulticastIpv4(dst) ? this.multicastTtl : this.ttl);
    let id = -1;
    if (this.#remoteAddress !== undefined) {
      id = this.#nextId;
      this.#nextId = (this.#nextId + 1) & 0xffff;
    }
    ipv4.send(path, frame, IpProtocol.UDP, ttl, opts?.tos ?? this.tos, opts?.pmtudisc ?? this.pmtudisc, id);
    this.#host.udp.stats.outDatagrams++;
  }

  /** send(2) on a connected socket. Throws EDESTADDRREQ when not connected. */
  write(payload: Uint8Array, opts?: UdpSendOptions): void {
    if (this.#remoteAddress === undefined) throw new StackError('EDESTADDRREQ', 'send');
    this.send(this.#remoteAddress, this.#remotePort, payload, opts);
  }

  /** Closes the socket and frees its port. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#receiver = undefined;
    this.#errorReceiver = undefined;
    this.#host.closeUdpSocket(this);
  }

  /** Whether a datagram from (srcIp, srcPort) to dstIp is this socket's (bound address, connected peer). */
  accepts(srcIp: Ipv4, srcPort: number, dstIp: Ipv4): boolean {
    if (this.#localAddress !== 0 && this.#localAddress !== dstIp) return false;
    if (this.#remoteAddress !== undefined && (this.#remoteAddress !== srcIp || this.#remotePort !== srcPort)) return false;
    return true;
  }

  /** compute_score's idea: a specific local address and a connected peer beat wildcards. */
  score(): number {
    return (this.#localAddress !== 0 ? 2 : 0) + (this.#remoteAddress !== undefined ? 4 : 0);
  }

  /** @internal The namespace hands a received datagram. */
  deliver(payload: Uint8Array, srcIp: Ipv4, srcPort: number, dstIp: Ipv4): void {
    this.#receiver?.(payload, srcIp, srcPort, dstIp);
  }

  /** @internal The namespace hands an ICMP error about a datagram we sent. */
  deliverError(err: UdpErrorReport): void {
    this.#errorReceiver?.(err);
  }

  /** The output path to `dst`, reused from the last send while nothing it depends on changed. */
  #path(dst: Ipv4): OutputPath {
    const ipv4 = this.#host.ipv4;
    const gen = ipv4.pathGeneration;
    const c = this.#cache;
    if (c !== undefined && gen >= 0 && c.generation === gen && c.path.dst === dst && c.src === this.#localAddress
      && c.iface === this.bindIface && c.broadcast === this.broadcast) {
      return c.path;
    }
    const path = ipv4.resolveOutput(dst, this.#outputOptions());
    this.#cache = { generation: gen, path, src: this.#localAddress, iface: this.bindIface, broadcast: this.broadcast };
    return path;
  }

  #outputOptions(): { src?: Ipv4; iface?: NetInterface; broadcast?: boolean } {
    const o: { src?: Ipv4; iface?: NetInterface; broadcast?: boolean } = { broadcast: this.broadcast };
    if (this.#localAddress !== 0) o.src = this.#localAddress;
    if (this.bindIface !== undefined) o.iface = this.bindIface;
    return o;
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new StackError('EINVAL', `port ${port}`);
}
