/**
 * The underlay side of a VXLAN device: the host namespace's UDP, as Linux's vxlan driver uses
 * it (udp_tunnel_xmit_skb out, a kernel UDP socket on the VXLAN port in).
 *
 * Out: one IPv4/UDP datagram per encapsulated frame, from `localIp`, with the TTL, DF and TOS
 * the VXLAN device chose (the kernel fixture: TTL 64, DF clear, TOS 0), Identification from the
 * namespace's per-destination generator (the fixture's outer ids wander like any unconnected
 * sender's), a correct UDP checksum (the fixture's veth capture shows a checksum in use), then
 * the namespace's normal routing, fragmentation and ARP. A datagram that cannot be routed is a
 * counted drop (the device has no caller to tell).
 *
 * In: a socket bound to the VXLAN port hands each datagram to the receiver (a `VxlanDemux` or a
 * single `VxlanEndpoint`) with its outer source address and port.
 */
import { IpProtocol, emitUdp, UDP_HEADER_LEN, type Ipv4 } from '../wire';
import type { UnderlaySendOptions, UnderlayTransport } from '../devices';
import { DropReason } from './drop-counters';
import type { OutputPath } from './ipv4-layer';
import type { NetworkNamespace } from './network-namespace';
import { StackError } from './stack-error';
import type { UdpSocket } from './udp-socket';

/** Whoever takes decapsulation input (VxlanEndpoint, VxlanDemux). */
export interface UnderlayReceiver {
  receiveUnderlay(srcIp: Ipv4, srcPort: number, payload: Uint8Array): void;
}

/**
 * What both underlays share: output paths per remote VTEP, cached while the namespace's path
 * generation holds, and the building and sending of one datagram on such a path.
 */
export class UnderlaySender {
  readonly #ns: NetworkNamespace;
  readonly #paths = new Map<Ipv4, OutputPath>();
  #generation = -1;

  constructor(ns: NetworkNamespace) {
    this.#ns = ns;
  }

  /**
   * Sends one UDP datagram to `dstIp`; `resolve` finds the path when none is cached. A
   * datagram that cannot be routed, or is too big with DF set, is a counted drop.
   */
  send(dstIp: Ipv4, srcPort: number, dstPort: number, payload: Uint8Array, opts: UnderlaySendOptions, resolve: (dstIp: Ipv4) => OutputPath): void {
    const ns = this.#ns;
    const ipv4 = ns.ipv4;
    const gen = ipv4.pathGeneration;
    let path = gen >= 0 && gen === this.#generation ? this.#paths.get(dstIp) : undefined;
    if (path === undefined) {
      try {
        path = resolve(dstIp);
      } catch {
        ns.drops.count(DropReason.NoRoute);
        return;
      }
      if (gen !== this.#generation) {
        this.#paths.clear();
        this.#generation = gen;
      }
      if (gen >= 0) this.#paths.set(dstIp, path);
    }
    const frame = ipv4.allocate(path, UDP_HEADER_LEN + payload.length);
    emitUdp({ srcPort, dstPort }, payload, frame, 34, path.src, dstIp);
    // The device's reason for this datagram becomes a note on the outer frame (a packet comment
    // in captures of the underlay link); it is only set while the trace bus has listeners.
    if (opts.note !== undefined) {
      ns.trace.emit({ kind: 'decision', time: ns.scheduler.now, device: ns.name, note: opts.note, frame });
    }
    // The tunnel decides DF itself; without DF an oversized datagram is fragmented by the underlay.
    try {
      ipv4.send(path, frame, IpProtocol.UDP, opts.ttl, opts.tos, opts.dontFragment ? 'do' : 'dont');
    } catch {
      ns.drops.count(DropReason.FragmentationNeeded);
      return;
    }
    ns.udp.stats.outDatagrams++;
  }
}

export class NamespaceUnderlay implements UnderlayTransport {
  readonly localIp: Ipv4;
  readonly #ns: NetworkNamespace;
  #socket: UdpSocket | undefined;
  readonly #sender: UnderlaySender;
  readonly #resolve: (dstIp: Ipv4) => OutputPath;

  /** `localIp` must be one of the namespace's addresses (EADDRNOTAVAIL otherwise). */
  constructor(ns: NetworkNamespace, localIp: Ipv4) {
    if (!ns.isLocalAddress(localIp)) throw new StackError('EADDRNOTAVAIL', 'underlay local address');
    this.#ns = ns;
    this.localIp = localIp;
    this.#sender = new UnderlaySender(ns);
    this.#resolve = (dstIp) => this.#ns.ipv4.resolveOutput(dstIp, { src: this.localIp });
  }

  sendUdp(dstIp: Ipv4, srcPort: number, dstPort: number, payload: Uint8Array, opts: UnderlaySendOptions): void {
    this.#sender.send(dstIp, srcPort, dstPort, payload, opts, this.#resolve);
  }

  /**
   * Binds the VXLAN port (default 4789) on the wildcard address and hands every datagram to
   * `receiver`. Throws EADDRINUSE when the port is taken.
   */
  listen(receiver: UnderlayReceiver, port = 4789): UdpSocket {
    if (this.#socket) throw new StackError('EADDRINUSE', 'underlay already listening');
    const socket = this.#ns.udp.bind(port);
    socket.onMessage((payload, srcIp, srcPort) => receiver.receiveUnderlay(srcIp, srcPort, payload));
    this.#socket = socket;
    return socket;
  }

  /** Closes the VXLAN port. */
  close(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }
}
