/**
 * A raw ICMP socket (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)), the way busybox `ping` and
 * `traceroute` use one as root: every ICMP message delivered to the namespace is copied to
 * every open socket, IP header included, and the program picks what concerns it (ping matches
 * its echo identifier; traceroute matches the UDP probe quoted in an error). Sending builds
 * the ICMP message (checksum computed) and lets the stack add the IP header.
 *
 * Delivery happens inside the event that delivered the datagram (no extra scheduling): the
 * callback may send at once; its frames leave through links, which schedule.
 */
import {
  IcmpPacket, IpProtocol, emitIcmp, icmpLength, type IcmpRepr, type Ipv4,
} from '../wire';
import type { Ipv4Layer, PmtuDiscovery } from './ipv4-layer';
import { IPV4_DEFAULTS } from './ipv4-layer';
import type { NetInterface } from './net-interface';
import { StackError } from './stack-error';

/** One ICMP message as a raw socket reads it. */
export interface ReceivedIcmp {
  /** The IP source (who answered or reported). */
  readonly srcIp: Ipv4;
  readonly dstIp: Ipv4;
  /** The TTL the datagram arrived with (busybox prints it: "ttl=64"). */
  readonly ttl: number;
  /** The whole IP datagram, header included (what recvfrom on a raw socket returns). */
  readonly datagram: Uint8Array;
  /** The ICMP message (a view into `datagram`). */
  readonly message: IcmpPacket;
  /** The interface it came in on. */
  readonly iface: string;
}

export type IcmpReceiver = (msg: ReceivedIcmp) => void;

export interface IcmpSendOptions {
  /** IP_TTL (default 64). */
  readonly ttl?: number;
  /** IP_TOS (default 0). */
  readonly tos?: number;
  /** IP_MTU_DISCOVER (default 'want': DF when the datagram fits). */
  readonly pmtudisc?: PmtuDiscovery;
  /** A source address (one of ours; `ping -I ADDR`). */
  readonly src?: Ipv4;
  /** SO_BINDTODEVICE (`ping -I IFACE`). */
  readonly iface?: NetInterface;
  /** SO_BROADCAST (`ping -b`). */
  readonly broadcast?: boolean;
}

/** The namespace side of the socket table. */
export interface IcmpSocketHost {
  readonly ipv4: Ipv4Layer;
  isLocalAddress(ip: Ipv4): boolean;
  closeIcmpSocket(socket: IcmpSocket): void;
}

export class IcmpSocket {
  readonly #host: IcmpSocketHost;
  #receiver: IcmpReceiver | undefined;
  #closed = false;
  /** IP_TTL for what this socket sends. */
  ttl: number = IPV4_DEFAULTS.defaultTtl;
  /** IP_TOS. */
  tos = 0;
  /** IP_MTU_DISCOVER. */
  pmtudisc: PmtuDiscovery = 'want';

  constructor(host: IcmpSocketHost) {
    this.#host = host;
  }

  /** Sets the callback for received messages (replaces any earlier one). */
  onMessage(receiver: IcmpReceiver): void {
    this.#receiver = receiver;
  }

  /**
   * Sends one ICMP message to `dst`. Throws StackError as sendto(2) would: ENETUNREACH (no
   * route), EMSGSIZE (too big with IP_PMTUDISC_DO), EACCES (broadcast without SO_BROADCAST),
   * EADDRNOTAVAIL (a source address that is not ours), EBADF (closed).
   */
  send(dst: Ipv4, message: IcmpRepr, opts: IcmpSendOptions = {}): void {
    if (this.#closed) throw new StackError('EBADF', 'sendto');
    if (opts.src !== undefined && !this.#host.isLocalAddress(opts.src)) throw new StackError('EADDRNOTAVAIL', 'bind');
    const ipv4 = this.#host.ipv4;
    const path = ipv4.resolveOutput(dst, {
      ...(opts.src === undefined ? {} : { src: opts.src }),
      ...(opts.iface === undefined ? {} : { iface: opts.iface }),
      ...(opts.broadcast === undefined ? {} : { broadcast: opts.broadcast }),
    });
    const frame = ipv4.allocate(path, icmpLength(message));
    emitIcmp(message, frame, 34);
    ipv4.send(path, frame, IpProtocol.ICMP, opts.ttl ?? this.ttl, opts.tos ?? this.tos, opts.pmtudisc ?? this.pmtudisc);
  }

  /**
   * An echo request (what `ping` sends): identifier, sequence number, data. The identifier is
   * the program's choice (busybox uses its PID, which the kernel fixtures show as 0x323c etc.;
   * the emulated ping draws one from its RNG stream).
   */
  sendEcho(dst: Ipv4, identifier: number, sequence: number, data: Uint8Array, opts: IcmpSendOptions = {}): void {
    this.send(dst, { kind: 'echo-request', identifier, sequence, data }, opts);
  }

  /** Closes the socket: no more deliveries; sending throws EBADF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#receiver = undefined;
    this.#host.closeIcmpSocket(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called by the namespace for every ICMP message delivered locally. */
  deliver(msg: ReceivedIcmp): void {
    this.#receiver?.(msg);
  }
}
