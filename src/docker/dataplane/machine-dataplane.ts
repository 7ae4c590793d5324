/**
 * libnetwork's HostDataplane over a stack Machine: what netlink, /proc/sys and the iptables
 * binary do on a real host, done to the emulated kernel (docker-facts §3.2).
 *
 * - Namespaces: the host's is the machine's root namespace (netns path `/proc/self/ns/net`,
 *   osl's "default" sandbox); a container's is a machine namespace named after the last part of
 *   its netns path (`/var/run/docker/netns/<sandbox id[:12]>`), unlisted by `ip netns` (Docker
 *   bind-mounts it elsewhere) and labelled with the container's name, so that its links are
 *   captured as "<host>.vethXXXXXXX--<container>.eth0".
 * - Links: veth pairs, bridges, enslaving, moving (`ip link set X netns N name Y`: Machine's
 *   setNetns then rename, which needs the device down, as it is after a move), MAC, MTU, up.
 * - sysctls: `net.ipv4.ip_forward` is the namespace's forwarding switch;
 *   `net.bridge.bridge-nf-call-iptables` = 1 sends every bridge of the host namespace, present
 *   and future, through the host's iptables (br_netfilter).
 * - iptables: the `iptables` program's own code run over the host namespace's tables, so the
 *   rules are exactly what `iptables -S` then lists.
 * - reserved prefixes: the host's non-default routes and its nameservers as /32s.
 */
import { parseIpv4, prefixMask } from '../../wire';
import type { Ipv4Prefix, Mac } from '../../wire';
import type { Bridge } from '../../devices';
import { netfilterOf } from '../../stack';
import type { Machine, Netdev, NetworkNamespace } from '../../stack';
import { runIptables } from '../../userland';
import type { VirtualFiles } from '../../userland';
import type { BridgeLinkOptions, HostDataplane, NetnsHandle, RouteSpec, VethOptions } from '../libnetwork/host-dataplane';
import { getNameservers } from '../engine/resolv-conf';

/** osl's path of the host's own namespace. */
export const HOST_NETNS_PATH = '/proc/self/ns/net';

export interface MachineDataplaneOptions {
  readonly machine: Machine;
  /** The host's files (/etc/resolv.conf for the reserved prefixes). */
  readonly files: VirtualFiles;
  /**
   * Runs `iptables ARGV…` in the host namespace; returns its exit status. Default: the
   * `iptables` program's own code over the root namespace's tables.
   */
  readonly iptables?: (argv: readonly string[]) => number;
  /**
   * br_netfilter: sends a bridge's forwarded IPv4 through the host's tables; returns the detach
   * function. Default: the root namespace's netfilter.
   */
  readonly attachBridgeNetfilter?: (bridge: Bridge, ifname: string) => () => void;
}

export class MachineDataplane implements HostDataplane {
  readonly hostNamespace: NetnsHandle = { path: HOST_NETNS_PATH };
  readonly machine: Machine;
  readonly #files: VirtualFiles;
  readonly #iptables: (argv: readonly string[]) => number;
  readonly #attachBridgeNetfilter: (bridge: Bridge, ifname: string) => () => void;
  readonly #namespaces = new Map<string, NetworkNamespace>();
  #bridgeNfCall = false;
  readonly #bridgeNfDetach = new Map<string, () => void>();

  constructor(options: MachineDataplaneOptions) {
    this.machine = options.machine;
    this.#files = options.files;
    const root = options.machine.root;
    this.#iptables = options.iptables ?? ((argv) => runIptables(netfilterOf(root), ['iptables', ...argv]).code);
    this.#attachBridgeNetfilter = options.attachBridgeNetfilter ?? ((bridge, ifname) => netfilterOf(root).attachBridge(bridge, ifname));
    this.#namespaces.set(HOST_NETNS_PATH, options.machine.root);
  }

  /** The stack namespace behind a handle. */
  namespaceOf(handle: NetnsHandle): NetworkNamespace {
    const ns = this.#namespaces.get(handle.path);
    if (!ns) throw new Error(`no namespace ${handle.path}`);
    return ns;
  }

  createNamespace(path: string, label?: string): NetnsHandle {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const ns = this.machine.addNamespace(name, { label: label ?? name, listed: false });
    // osl NewSandbox: loopbackUp.
    const lo = this.machine.link(ns, 'lo');
    if (lo && !lo.up) this.machine.setUp(lo, true);
    this.#namespaces.set(path, ns);
    return { path };
  }

  destroyNamespace(handle: NetnsHandle): void {
    const ns = this.namespaceOf(handle);
    this.machine.deleteNamespace(this.machine.nameOf(ns));
    this.#namespaces.delete(handle.path);
  }

  linkExists(handle: NetnsHandle, name: string): boolean {
    return this.machine.link(this.namespaceOf(handle), name) !== undefined;
  }

  #link(handle: NetnsHandle, name: string): Netdev {
    const dev = this.machine.link(this.namespaceOf(handle), name);
    if (!dev) throw new Error(`no link ${name} in ${handle.path}`);
    return dev;
  }

  createBridge(name: string, options: BridgeLinkOptions): void {
    const dev = this.machine.createBridge(name, { mac: options.mac, ...(options.mtu !== undefined ? { mtu: options.mtu } : {}) });
    if (this.#bridgeNfCall) this.#attachNetfilter(dev);
  }

  createVethPair(hostName: string, peerName: string, options: VethOptions): void {
    const [host] = this.machine.createVeth(hostName, peerName, options.mtu !== undefined ? { mtu: options.mtu } : {});
    if (options.hostTxQueueLen !== undefined) this.machine.setTxQueueLen(host, options.hostTxQueueLen);
  }

  deleteLink(handle: NetnsHandle, name: string): void {
    const dev = this.#link(handle, name);
    if (dev.kind === 'bridge') this.#bridgeNfDetach.get(name)?.();
    this.#bridgeNfDetach.delete(name);
    this.machine.deleteLink(dev);
  }

  setLinkMaster(name: string, bridgeName: string): void {
    this.machine.setMaster(this.#link(this.hostNamespace, name), this.#link(this.hostNamespace, bridgeName));
  }

  setHairpinMode(portName: string, on: boolean): void {
    const dev = this.#link(this.hostNamespace, portName);
    const bridge = dev.master?.bridge;
    if (!bridge) throw new Error(`${portName} is not a bridge port`);
    // Machine enslaves ports under the device's name.
    const port = bridge.ports().find((p) => p.name === portName);
    if (!port) throw new Error(`${portName} is not a port of ${bridge.name}`);
    bridge.setHairpin(port.id, on);
  }

  setLinkUp(handle: NetnsHandle, name: string): void {
    this.machine.setUp(this.#link(handle, name), true);
  }

  setLinkMac(handle: NetnsHandle, name: string, mac: Mac): void {
    this.machine.setMac(this.#link(handle, name), mac);
  }

  setLinkMtu(handle: NetnsHandle, name: string, mtu: number): void {
    this.machine.setMtu(this.#link(handle, name), mtu);
  }

  addAddress(handle: NetnsHandle, name: string, address: Ipv4Prefix): void {
    this.machine.addAddress(this.#link(handle, name), address);
  }

  moveLink(from: NetnsHandle, name: string, to: NetnsHandle, newName: string): void {
    const dev = this.#link(from, name);
    const target = this.namespaceOf(to);
    if (dev.up) this.machine.setUp(dev, false);
    this.machine.setNetns(dev, target);
    this.machine.rename(dev, newName);
  }

  addRoute(handle: NetnsHandle, route: RouteSpec): void {
    const ns = this.namespaceOf(handle);
    ns.addRoute({
      dst: route.destination,
      ...(route.via !== undefined ? { via: route.via } : {}),
      ...(route.device !== undefined ? { dev: route.device } : {}),
    });
  }

  deleteRoute(handle: NetnsHandle, route: RouteSpec): void {
    const ns = this.namespaceOf(handle);
    const dst = (route.destination.addr & prefixMask(route.destination.len)) >>> 0;
    ns.routes.deleteWhere((r) => r.dst === dst && r.prefixLen === route.destination.len
      && (route.via === undefined || r.gateway === route.via)
      && (route.device === undefined || r.dev?.name === route.device));
  }

  setSysctl(handle: NetnsHandle, key: string, value: string): void {
    const ns = this.namespaceOf(handle);
    switch (key) {
      case 'net.ipv4.ip_forward':
        ns.forwarding = value.trim() === '1';
        return;
      case 'net.bridge.bridge-nf-call-iptables': {
        const on = value.trim() === '1';
        if (ns !== this.machine.root || on === this.#bridgeNfCall) return;
        this.#bridgeNfCall = on;
        if (on) {
          for (const dev of this.machine.links(this.machine.root)) if (dev.kind === 'bridge') this.#attachNetfilter(dev);
        } else {
          for (const detach of this.#bridgeNfDetach.values()) detach();
          this.#bridgeNfDetach.clear();
        }
        return;
      }
      default:
        throw new Error(`cnmlab does not emulate the sysctl ${key}`);
    }
  }

  getSysctl(handle: NetnsHandle, key: string): string | undefined {
    const ns = this.namespaceOf(handle);
    switch (key) {
      case 'net.ipv4.ip_forward':
        return ns.forwarding ? '1' : '0';
      case 'net.bridge.bridge-nf-call-iptables':
        return this.#bridgeNfCall ? '1' : '0';
      default:
        return undefined;
    }
  }

  iptables(argv: readonly string[]): number {
    return this.#iptables(argv);
  }

  reservedPrefixes(): Ipv4Prefix[] {
    const out: Ipv4Prefix[] = [];
    for (const r of this.machine.root.routes.routes()) {
      if (r.prefixLen === 0 || r.type !== 'unicast' || r.dev?.name === 'lo') continue;
      out.push({ addr: r.dst, len: r.prefixLen });
    }
    for (const ns of getNameservers(this.#files.read('/etc/resolv.conf') ?? '', 'ipv4')) out.push({ addr: parseIpv4(ns), len: 32 });
    return out;
  }

  #attachNetfilter(dev: Netdev): void {
    if (!dev.bridge || this.#bridgeNfDetach.has(dev.name)) return;
    this.#bridgeNfDetach.set(dev.name, this.#attachBridgeNetfilter(dev.bridge, dev.name));
  }
}
