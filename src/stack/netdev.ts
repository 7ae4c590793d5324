/**
 * A net_device of a Machine: what `ip link` lists. Every device has a name and an ifindex in
 * the namespace it lives in, a MAC, an MTU, a transmit queue length, an administrative state
 * (IFF_UP), a carrier, and maybe a master (the bridge it is enslaved to). What it is made of
 * depends on its kind:
 *
 *   loopback  the namespace's own `lo` (the stack's loopback interface)
 *   ethernet  a NIC plugged into a LAN port (Machine.attachLanPort)
 *   veth      one end of a veth pair; the Link between the ends exists once both were up
 *   bridge    a devices/Bridge; its own interface is the bridge's self port
 *   vxlan     a devices/VxlanEndpoint behind an internal link, over a namespace's UDP
 *   vlan      an 802.1Q sub-interface of a parent device
 *
 * The state rules are the kernel's (net/core/dev.c, link_watch.c, drivers/net/veth.c,
 * net/bridge, net/8021q):
 *   - carrier: a veth has carrier when it and its peer are up; a bridge when at least one port
 *     forwards (is up with carrier); a VLAN when its parent is operational; a NIC, a VXLAN
 *     device and the loopback always;
 *   - operational state (`state …` in `ip link`): DOWN when not IFF_UP; otherwise UNKNOWN for
 *     the loopback and VXLAN (drivers that never report carrier changes), UP with carrier, and
 *     without it LOWERLAYERDOWN for devices stacked on another (veth, VLAN) or DOWN (bridge).
 *
 * Heads up: the record is Machine's; everything here is read-only for everyone else (the
 * fields are public so that Machine, the one writer, stays simple). Use Machine's operations
 * to change a device.
 */
import type { Bridge, Link, Port, VlanDemux, VlanSubinterface, VxlanEndpoint } from '../devices';
import type { Ipv4, Mac } from '../wire';
import type { NetInterface } from './net-interface';
import type { NetworkNamespace } from './network-namespace';
import { NetdevPort, type NetdevCounters } from './netdev-port';

export type NetdevKind = 'loopback' | 'ethernet' | 'veth' | 'bridge' | 'vxlan' | 'vlan';

/** IF_OPER_* as iproute2 prints them. */
export type OperState = 'UNKNOWN' | 'DOWN' | 'LOWERLAYERDOWN' | 'UP';

/** How a VXLAN device was configured (`ip -d link` and the FDB dump need it). */
export interface VxlanConfig {
  readonly vni: number;
  readonly dstPort: number;
  /** The source address of the tunnel; undefined: chosen by route per datagram. */
  readonly local: Ipv4 | undefined;
  /** The default remote (the all-zeros FDB entry `remote` creates); undefined when none. */
  readonly remote: Ipv4 | undefined;
  /** The underlay device, if one was named. */
  readonly dev: Netdev | undefined;
  /** The namespace whose UDP carries the tunnel (where the device was created). */
  readonly underlay: NetworkNamespace;
  readonly learning: boolean;
  readonly proxy: boolean;
  /** 0 = "auto" (the route's hop limit). */
  readonly ttl: number;
}

/** A read-only view of a device. */
export interface Netdev {
  readonly kind: NetdevKind;
  readonly name: string;
  readonly ifindex: number;
  readonly ns: NetworkNamespace;
  readonly mac: Mac;
  readonly mtu: number;
  readonly txQueueLen: number;
  /** IFF_UP. */
  readonly up: boolean;
  /** Has been up at least once (a device never opened still has the noop qdisc). */
  readonly everUp: boolean;
  /** IFF_PROMISC as the user set it (`ip link set DEV promisc on`; a bridge's own use does not show). */
  readonly promisc: boolean;
  readonly carrier: boolean;
  /** IFF_UP and carrier: frames pass. */
  readonly operUp: boolean;
  readonly operState: OperState;
  /** The bridge this device is a port of. */
  readonly master: Netdev | undefined;
  /** The veth peer. */
  readonly peer: Netdev | undefined;
  /** A VLAN's parent device. */
  readonly parent: Netdev | undefined;
  /** A VLAN's id. */
  readonly vid: number | undefined;
  /** A bridge device's bridge. */
  readonly bridge: Bridge | undefined;
  /** A VXLAN device's endpoint and configuration. */
  readonly vxlan: VxlanEndpoint | undefined;
  readonly vxlanConfig: VxlanConfig | undefined;
  /** The stack's interface while the device is an IP interface (not while enslaved). */
  readonly iface: NetInterface | undefined;
  readonly counters: Readonly<NetdevCounters>;
  /** Unicast addresses added with `bridge fdb add MAC dev X self` (the device's uc list). */
  readonly unicastAddresses: readonly Mac[];
}

/** Machine's record of a device (see the heads-up above). */
export class NetdevRecord implements Netdev {
  name: string;
  ifindex: number;
  ns: NetworkNamespace;
  mac: Mac;
  mtu: number;
  txQueueLen: number;
  up = false;
  everUp = false;
  promisc = false;
  carrier = false;
  master: NetdevRecord | undefined = undefined;
  /** The bridge changed this device's MTU or MAC only as long as the user did not set them. */
  mtuSetByUser = false;
  macSetByUser = false;
  peer: NetdevRecord | undefined = undefined;
  /** A veth end: 'a' was named first in `ip link add A type veth peer name B`. */
  vethEnd: 'a' | 'b' | undefined = undefined;
  /** The veth pair's link (both ends share it), made when both ends are first up. */
  link: Link | undefined = undefined;
  parent: NetdevRecord | undefined = undefined;
  vid: number | undefined = undefined;
  vlanSub: VlanSubinterface | undefined = undefined;
  /** VLAN sub-interfaces of this device. */
  readonly vlanChildren: NetdevRecord[] = [];
  bridge: Bridge | undefined = undefined;
  vxlan: VxlanEndpoint | undefined = undefined;
  vxlanConfig: VxlanConfig | undefined = undefined;
  /** The link between the VXLAN endpoint and the device's port. */
  vxlanLink: Link | undefined = undefined;
  /** The wire of a NIC on a LAN. */
  lanPort: Port | undefined = undefined;
  iface: NetInterface | undefined = undefined;
  readonly port: NetdevPort;
  readonly unicastAddresses: Mac[] = [];
  /** True once the device was deleted (a stale reference must not be used). */
  deleted = false;

  constructor(
    readonly kind: NetdevKind,
    name: string,
    ifindex: number,
    ns: NetworkNamespace,
    mac: Mac,
    mtu: number,
    txQueueLen: number,
    portName: string,
  ) {
    this.name = name;
    this.ifindex = ifindex;
    this.ns = ns;
    this.mac = mac;
    this.mtu = mtu;
    this.txQueueLen = txQueueLen;
    this.port = new NetdevPort(portName);
  }

  get operUp(): boolean {
    return this.up && this.carrier;
  }

  get operState(): OperState {
    if (!this.up) return 'DOWN';
    switch (this.kind) {
      case 'loopback':
      case 'vxlan':
        return 'UNKNOWN';
      case 'ethernet':
        return this.carrier ? 'UP' : 'DOWN';
      case 'bridge':
        return this.carrier ? 'UP' : 'DOWN';
      case 'veth':
      case 'vlan':
        return this.carrier ? 'UP' : 'LOWERLAYERDOWN';
    }
  }

  get counters(): Readonly<NetdevCounters> {
    return this.port.counters;
  }

  /** The demux of this device's VLAN sub-interfaces, if it has any. */
  get vlanDemux(): VlanDemux | null {
    return this.port.vlanDemux;
  }
}
