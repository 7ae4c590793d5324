/**
 * The underlay of a VXLAN device made with `ip link add … type vxlan`: the UDP output of the
 * namespace the device was created in, and the shared UDP socket on its destination port.
 *
 * Out (vxlan_xmit_one with an IPv4 remote): the source is the device's `local` address, or,
 * without one, whatever the route to the remote VTEP chooses (saddr 0 lets ip_route_output
 * pick), and with `dev` the route must go out of that device. Every datagram then follows the
 * namespace's routing, fragmentation (the tunnel sends with DF clear) and ARP, like
 * NamespaceUnderlay. A datagram that cannot be routed is a counted drop.
 *
 * In: Linux opens one vxlan_sock per (namespace, port), bound to the wildcard address, when the
 * first device on that port is opened, and finds the device by VNI (vxlan_vs_find_vni).
 * `VxlanSocketTable` keeps those sockets, each with a VxlanDemux, and closes a socket when its
 * last device goes down.
 */
import type { Ipv4 } from '../wire';
import { VxlanDemux, type UnderlaySendOptions, type UnderlayTransport, type VxlanEndpoint } from '../devices';
import type { Scheduler, TraceBus } from '../sim';
import type { OutputPath } from './ipv4-layer';
import type { NetInterface } from './net-interface';
import type { NetworkNamespace } from './network-namespace';
import { UnderlaySender } from './underlay-transport';
import type { UdpSocket } from './udp-socket';

export class VxlanUnderlay implements UnderlayTransport {
  readonly #ns: NetworkNamespace;
  readonly #local: Ipv4 | undefined;
  readonly #iface: () => NetInterface | undefined;
  readonly #sender: UnderlaySender;
  /** The route to a remote VTEP: from `local` if set, out of `dev` if the device was made with one. */
  readonly #resolve = (dstIp: Ipv4): OutputPath => {
    const iface = this.#iface();
    return this.#ns.ipv4.resolveOutput(dstIp, {
      ...(this.#local === undefined ? {} : { src: this.#local }),
      ...(iface === undefined ? {} : { iface }),
    });
  };

  /**
   * `iface` gives the underlay device's current interface when the device was created with
   * `dev` (it may have been renamed or be down since), else undefined.
   */
  constructor(ns: NetworkNamespace, local: Ipv4 | undefined, iface: () => NetInterface | undefined) {
    this.#ns = ns;
    this.#local = local;
    this.#iface = iface;
    this.#sender = new UnderlaySender(ns);
  }

  /** The configured source address (0: chosen per datagram). */
  get localIp(): Ipv4 {
    return this.#local ?? 0;
  }

  sendUdp(dstIp: Ipv4, srcPort: number, dstPort: number, payload: Uint8Array, opts: UnderlaySendOptions): void {
    this.#sender.send(dstIp, srcPort, dstPort, payload, opts, this.#resolve);
  }
}

interface VxlanSocket {
  readonly socket: UdpSocket;
  readonly demux: VxlanDemux;
  readonly endpoints: Set<VxlanEndpoint>;
}

/** The VXLAN UDP sockets of the namespaces of one machine, one per (namespace, port). */
export class VxlanSocketTable {
  readonly #sockets = new Map<NetworkNamespace, Map<number, VxlanSocket>>();
  readonly #deps: { readonly scheduler: Scheduler; readonly trace: TraceBus };
  readonly #label: (ns: NetworkNamespace) => string;

  constructor(deps: { readonly scheduler: Scheduler; readonly trace: TraceBus }, label: (ns: NetworkNamespace) => string) {
    this.#deps = deps;
    this.#label = label;
  }

  /**
   * vxlan_open: registers `endpoint` on (ns, port), binding the port first if nobody has.
   * Throws StackError EADDRINUSE when another socket holds the port, Error when the VNI is
   * already registered there.
   */
  open(ns: NetworkNamespace, port: number, endpoint: VxlanEndpoint): void {
    let byPort = this.#sockets.get(ns);
    if (byPort === undefined) {
      byPort = new Map();
      this.#sockets.set(ns, byPort);
    }
    let s = byPort.get(port);
    if (s === undefined) {
      const socket = ns.udp.bind(port);
      const demux = new VxlanDemux(this.#deps, `${this.#label(ns)}:vxlan/${port}`);
      socket.onMessage((payload, srcIp, srcPort) => demux.receiveUnderlay(srcIp, srcPort, payload));
      s = { socket, demux, endpoints: new Set() };
      byPort.set(port, s);
    }
    s.demux.add(endpoint);
    s.endpoints.add(endpoint);
  }

  /** vxlan_stop: unregisters `endpoint`; the socket closes with its last device. */
  close(ns: NetworkNamespace, port: number, endpoint: VxlanEndpoint): void {
    const byPort = this.#sockets.get(ns);
    const s = byPort?.get(port);
    if (byPort === undefined || s === undefined || !s.endpoints.has(endpoint)) return;
    s.demux.remove(endpoint);
    s.endpoints.delete(endpoint);
    if (s.endpoints.size === 0) {
      s.socket.close();
      byPort.delete(port);
    }
  }

  /** Whether an open endpoint on (ns, port) has this VNI. */
  hasVni(ns: NetworkNamespace, port: number, vni: number): boolean {
    const s = this.#sockets.get(ns)?.get(port);
    if (s === undefined) return false;
    for (const e of s.endpoints) if (e.vni === vni) return true;
    return false;
  }
}
