/**
 * What libnetwork asks of the host: the seam between the control plane (this folder) and the
 * emulated kernel (src/stack, src/devices). libnetwork's own `osl` package and its drivers do
 * exactly these things through netlink, /proc/sys and the iptables binary; here they are one
 * interface, implemented by an adapter over the stack and devices layers.
 *
 * Every method acts at once (the control plane runs between simulated events) and throws an
 * Error on failure (e.g. a name already taken), as the netlink call would fail.
 *
 * Who calls what:
 *
 * - Sandbox (libnetwork osl): createNamespace/destroyNamespace; moveLink into the sandbox with
 *   its final name (`eth0`), setLinkMac, addAddress, setLinkUp; addRoute/deleteRoute for the
 *   default gateway and a join's static routes; moveLink back to the host namespace on leave.
 * - bridge driver: createBridge (`docker0` or `br-<id12>`) with its MAC and MTU, addAddress of the
 *   gateway (`172.18.0.1/16`), setLinkUp; createVethPair (`veth` + 7 hex on both ends),
 *   setLinkMaster of the host end, setHairpinMode when the userland proxy is off; deleteLink;
 *   setSysctl (`net.ipv4.ip_forward`, `net.ipv6.conf.<br>.accept_ra`,
 *   `net.bridge.bridge-nf-call-iptables`); iptables for the chains of docker-facts §3.3.
 * - controller: reservedPrefixes for IPAM (netutils.InferReservedNetworks).
 */
import type { Ipv4, Ipv4Prefix, Mac } from '../../wire';

/**
 * A network namespace as libnetwork names it. `path` is the netns file: the host's own namespace
 * is `/proc/self/ns/net` (osl's "default" sandbox), a container's is
 * `/var/run/docker/netns/<first 12 chars of the sandbox ID>`.
 */
export interface NetnsHandle {
  readonly path: string;
}

/** A route as `ip route` would add it: via a next hop, or directly connected on a device. */
export interface RouteSpec {
  readonly destination: Ipv4Prefix;
  readonly via?: Ipv4;
  readonly device?: string;
}

export interface BridgeLinkOptions {
  /** Docker always sets the bridge MAC explicitly, so the kernel keeps it (addr_assign_type SET). */
  readonly mac: Mac;
  /** Only set when com.docker.network.driver.mtu > 0. */
  readonly mtu?: number;
}

export interface VethOptions {
  readonly mtu?: number;
  /** LN sets TxQLen 0 on the host end. */
  readonly hostTxQueueLen?: number;
}

export interface HostDataplane {
  /** The host's namespace: bridges, host-side veths and `--network host` containers live here. */
  readonly hostNamespace: NetnsHandle;

  /**
   * osl.NewSandbox: a new namespace at `path` with only `lo`, up (127.0.0.1/8). `label` names it
   * in traces and captures (the container's name).
   */
  createNamespace(path: string, label?: string): NetnsHandle;
  /** osl Destroy: removes the namespace and any interface still in it. */
  destroyNamespace(ns: NetnsHandle): void;

  linkExists(ns: NetnsHandle, name: string): boolean;
  /** A Linux bridge in the host namespace, down, with STP off and the kernel's defaults. */
  createBridge(name: string, options: BridgeLinkOptions): void;
  /** A veth pair, both ends in the host namespace, down. */
  createVethPair(hostName: string, peerName: string, options: VethOptions): void;
  /** Deletes a link (deleting one end of a veth pair deletes both). */
  deleteLink(ns: NetnsHandle, name: string): void;
  /** Enslaves a host-namespace link to a bridge (`ip link set NAME master BRIDGE`). */
  setLinkMaster(name: string, bridgeName: string): void;
  /** `bridge link set dev PORT hairpin on|off`. */
  setHairpinMode(portName: string, on: boolean): void;
  setLinkUp(ns: NetnsHandle, name: string): void;
  setLinkMac(ns: NetnsHandle, name: string, mac: Mac): void;
  setLinkMtu(ns: NetnsHandle, name: string, mtu: number): void;
  /** Adds an IPv4 address with its prefix length (and the connected route the kernel derives). */
  addAddress(ns: NetnsHandle, name: string, address: Ipv4Prefix): void;
  /** Moves a link to another namespace and renames it there (`ip link set X netns N name Y`). */
  moveLink(from: NetnsHandle, name: string, to: NetnsHandle, newName: string): void;
  addRoute(ns: NetnsHandle, route: RouteSpec): void;
  deleteRoute(ns: NetnsHandle, route: RouteSpec): void;

  /** Writes a sysctl, e.g. `net.ipv4.ip_forward` = `1`. */
  setSysctl(ns: NetnsHandle, key: string, value: string): void;
  /** Reads a sysctl as /proc/sys shows it ("1"); undefined for a key the host does not have. */
  getSysctl(ns: NetnsHandle, key: string): string | undefined;
  /**
   * Runs `iptables ARGV…` in the host namespace, as libnetwork's iptables package does
   * (e.g. `['-t', 'nat', '-I', 'POSTROUTING', '-s', '172.18.0.0/16', '!', '-o', 'br-…', '-j', 'MASQUERADE']`).
   * Returns the exit status: 0 on success, 1 when a `-C` check finds no such rule.
   */
  iptables(argv: readonly string[]): number;

  /**
   * Prefixes the host already uses, which default pools must avoid: its on-link IPv4 routes and
   * its nameservers as /32s (netutils.InferReservedNetworks; LN FindAvailableNetwork).
   */
  reservedPrefixes(): Ipv4Prefix[];
}
