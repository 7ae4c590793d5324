/**
 * How iproute2 prints a link (ip/ipaddress.c print_linkinfo, print_link_flags,
 * print_stats64; lib/utils.c print_name_and_link), shared by `ip link`, `ip addr` and
 * `bridge link`:
 *
 *   2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
 *       link/ether 02:42:0a:00:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0
 *
 * Details that matter for byte-exact output:
 *   - "NAME@LINK": a veth shows its peer, a VLAN its parent; by name when that device is in
 *     the same namespace (then ",M-DOWN" closes the flags when it is down), as "ifN" otherwise,
 *     and then the link line ends with " link-netns NAME" when the other namespace has an
 *     `ip netns` name, else " link-netnsid N";
 *   - "NO-CARRIER" comes first when the device is up but not running, "LOWER_UP" last;
 *   - `ip link` says "mode DEFAULT", `ip addr` does not; "qlen N" is printed only when the
 *     txqueuelen is not 0, so a device with none ends its line with "group default ";
 *   - the qdisc is "noop" until the device is first opened, then "noqueue" (virtual devices,
 *     IFF_NO_QUEUE) or the default qdisc of a NIC (fq_codel, systemd's net.core.default_qdisc);
 *   - statistics columns are sized to the widest number (size_columns, at least the width of
 *     the header words).
 */
import { formatIpv4, formatMac } from '../../wire';
import type { Machine, Netdev, NetworkNamespace, InterfaceAddress, NetdevCounters } from '../../stack';

/** The qdisc `ip link` shows for a device. */
export function qdiscOf(dev: Netdev): string {
  if (!dev.everUp) return 'noop';
  return dev.kind === 'ethernet' ? 'fq_codel' : 'noqueue';
}

/** IFF_RUNNING: netif_oper_up (operational state UP or UNKNOWN). */
export function isRunning(dev: Netdev): boolean {
  return dev.up && (dev.operState === 'UP' || dev.operState === 'UNKNOWN');
}

/** print_link_flags: "<BROADCAST,MULTICAST,UP,LOWER_UP>" (with ",M-DOWN" when asked). */
export function flagsText(dev: Netdev, mdown: boolean): string {
  const f: string[] = [];
  if (dev.up && !isRunning(dev)) f.push('NO-CARRIER');
  if (dev.kind === 'loopback') f.push('LOOPBACK');
  else f.push('BROADCAST', 'MULTICAST');
  if (dev.promisc) f.push('PROMISC');
  if (dev.up) f.push('UP');
  if (dev.up && dev.carrier) f.push('LOWER_UP');
  return `<${f.join(',')}${mdown ? ',M-DOWN' : ''}>`;
}

/** The device a link's IFLA_LINK names: a veth's peer, a VLAN's parent. */
export function linkTarget(dev: Netdev): Netdev | undefined {
  if (dev.kind === 'veth') return dev.peer;
  if (dev.kind === 'vlan') return dev.parent;
  return undefined;
}

export interface NameAndLink {
  /** "eth0", "eth0@if5", "veth1@veth2". */
  readonly text: string;
  readonly mdown: boolean;
  /** " link-netnsid 0", " link-netns c1", or "". */
  readonly netns: string;
}

/**
 * print_name_and_link as `ip` sees the device from its own namespace: the target by name in
 * the same namespace, as "ifN" with the namespace id otherwise.
 */
export function nameAndLink(machine: Machine, dev: Netdev): NameAndLink {
  const t = linkTarget(dev);
  if (t === undefined) return { text: dev.name, mdown: false, netns: '' };
  if (t.ns === dev.ns) return { text: `${dev.name}@${t.name}`, mdown: !t.up, netns: '' };
  const id = machine.nsid(dev.ns, t.ns);
  let netns: string;
  if (id === undefined) netns = ' link-netnsid unknown';
  else if (machine.isListed(t.ns)) netns = ` link-netns ${machine.nameOf(t.ns)}`;
  else netns = ` link-netnsid ${id}`;
  return { text: `${dev.name}@if${t.ifindex}`, mdown: false, netns };
}

/**
 * The same for `bridge link`, whose dump carries IFLA_LINK without IFLA_LINK_NETNSID: iproute2
 * then looks the index up among the devices of its own namespace (a device there with that
 * index lends its name; an unknown one prints as "ifN", with no M-DOWN).
 */
export function nameAndLinkNoNetnsid(machine: Machine, view: NetworkNamespace, dev: Netdev): { text: string; mdown: boolean } {
  const t = linkTarget(dev);
  if (t === undefined) return { text: dev.name, mdown: false };
  const local = t.ns === view ? t : machine.linkByIndex(view, t.ifindex);
  if (local === undefined) return { text: `${dev.name}@if${t.ifindex}`, mdown: false };
  return { text: `${dev.name}@${local.name}`, mdown: !local.up };
}

export interface LinkLineOptions {
  /** `ip link` (prints "mode DEFAULT") rather than `ip addr`. */
  readonly doLink: boolean;
  /** Print the "    link/ether …" line (not with `ip -4 addr`). */
  readonly linkLayer: boolean;
}

/** The first line(s) of print_linkinfo, without the final newline. */
export function linkLines(machine: Machine, dev: Netdev, opts: LinkLineOptions): string {
  const nl = nameAndLink(machine, dev);
  let s = `${dev.ifindex}: ${nl.text}: ${flagsText(dev, nl.mdown)} mtu ${dev.mtu} qdisc ${qdiscOf(dev)} `;
  if (dev.master !== undefined) s += `master ${dev.master.name} `;
  s += `state ${dev.operState} `;
  if (opts.doLink) s += 'mode DEFAULT ';
  s += 'group default ';
  if (dev.txQueueLen !== 0) s += `qlen ${dev.txQueueLen}`;
  if (opts.linkLayer) {
    s += dev.kind === 'loopback'
      ? '\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00'
      : `\n    link/ether ${formatMac(dev.mac)} brd ff:ff:ff:ff:ff:ff`;
  }
  s += nl.netns;
  return s;
}

/** size_columns: widen a column to the digits of the largest value in it. */
function sizeColumns(cols: number[], values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    let len = 1;
    for (let v = values[i]!; v > 9; v = Math.floor(v / 10)) len++;
    if (len > cols[i]!) cols[i] = len;
  }
}

/** print_stats64 in text mode: four lines, the last without a newline. */
export function statsText(c: Readonly<NetdevCounters>): string {
  // strlen("*X errors:"), "packets", "errors", "dropped", "heartbt", "overrun", "compressed", "otherhost"
  const cols = [10, 7, 6, 7, 7, 7, 10, 9];
  const rx = [c.rxBytes, c.rxPackets, c.rxErrors, c.rxDropped, 0, c.multicast, 0, 0];
  const tx = [c.txBytes, c.txPackets, c.txErrors, c.txDropped, 0, 0, 0, 0];
  sizeColumns(cols, rx);
  sizeColumns(cols, tx);
  const head = (words: readonly string[]): string =>
    `${words[0]!.padStart(cols[0]! - 4)} ${words.slice(1).map((w, i) => w.padStart(cols[i + 1]!)).join(' ')} ${''.padStart(cols[6]!)}`;
  const nums = (v: readonly number[]): string => v.slice(0, 6).map((n, i) => `${String(n).padStart(cols[i]!)} `).join('');
  return `    RX: ${head(['bytes', 'packets', 'errors', 'dropped', 'missed', 'mcast'])}\n`
    + `    ${nums(rx)}\n`
    + `    TX: ${head(['bytes', 'packets', 'errors', 'dropped', 'carrier', 'collsns'])}\n`
    + `    ${nums(tx)}`;
}

/** A device's addresses in the order the kernel dumps them: primaries, then secondaries. */
export function orderedAddresses(dev: Netdev): InterfaceAddress[] {
  const all = dev.iface?.addresses ?? [];
  return [...all.filter((a) => !a.secondary), ...all.filter((a) => a.secondary)];
}

/** print_addrinfo for one IPv4 address (two lines, each with its newline). */
export function addressLines(machine: Machine, dev: Netdev, a: InterfaceAddress): string {
  const brd = machine.shownBroadcast(a);
  return `    inet ${formatIpv4(a.address)}/${a.prefixLen} ${brd === undefined ? '' : `brd ${formatIpv4(brd)} `}scope ${a.scope} ${a.secondary ? 'secondary ' : ''}${dev.name}\n`
    + '       valid_lft forever preferred_lft forever\n';
}
