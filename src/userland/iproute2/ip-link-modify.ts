/**
 * `ip link add`, `ip link set` and `ip link delete` (ip/iplink.c iplink_parse and
 * iplink_modify, ip/link_veth.c, ip/iplink_vxlan.c, ip/iplink_vlan.c).
 *
 * Parsing follows iplink_parse keyword by keyword, abbreviations included (its chain of
 * strcmp/matches decides that `l` is `link` and `a` is `address`); a word that is no keyword
 * is the device. `ip link set` applies what it was given in the kernel's do_setlink order:
 * namespace (with the new name, when given), address, MTU, name, up/down and promiscuity,
 * master, txqueuelen, stopping at the first error as the kernel does.
 *
 * Exit statuses as iproute2: 255 for command-line errors (here UsageErrors), 1 when a device
 * named on the command line does not exist, 2 when the kernel refused.
 */
import { parseIpv4, type Ipv4, type Mac } from '../../wire';
import type { Netdev, NetworkNamespace } from '../../stack';
import { UsageError } from '../usage-error';
import { Args, duparg, duparg2, invarg, matches, parseCInteger, parseLladdr, validIfname } from './command-line';
import { CommandFailed, kernelCall, EXIT_STATUS } from './kernel-errors';
import { deviceOrFail, type IpContext } from './ip-context';

/** What iplink_parse gathered. */
interface LinkRequest {
  dev: string | undefined;
  name: string | undefined;
  link: string | undefined;
  address: Mac | undefined;
  mtu: number | undefined;
  txqlen: number | undefined;
  netns: NetworkNamespace | undefined;
  up: boolean | undefined;
  promisc: boolean | undefined;
  /** A master device, or null for `nomaster`. */
  master: Netdev | null | undefined;
  type: string | undefined;
  typeArgs: string[];
}

/** Link types iproute2 knows (iplink_types_usage) that cnmlab does not emulate. */
const KNOWN_TYPES = new Set([
  'amt', 'bareudp', 'bond', 'bond_slave', 'bridge_slave', 'dsa', 'dummy', 'erspan', 'geneve', 'gre', 'gretap',
  'gtp', 'hsr', 'ifb', 'ip6erspan', 'ip6gre', 'ip6gretap', 'ip6tnl', 'ipip', 'ipoib', 'ipvlan', 'ipvtap', 'macsec',
  'macvlan', 'macvtap', 'netdevsim', 'netkit', 'nlmon', 'ovpn', 'pfcp', 'rmnet', 'sit', 'team', 'team_slave',
  'vcan', 'vrf', 'vti', 'vxcan', 'wwan', 'xfrm', 'virt_wifi',
]);

const IP_STATUS_KERNEL = EXIT_STATUS.ipKernel;

function notEmulated(what: string): never {
  throw new UsageError(`cnmlab: ${what} is not emulated`);
}

/** iplink_parse: `args` at the first option; stops after `type TYPE` (the rest are type args). */
function parseLinkRequest(ctx: IpContext, args: Args): LinkRequest {
  const r: LinkRequest = {
    dev: undefined, name: undefined, link: undefined, address: undefined, mtu: undefined, txqlen: undefined,
    netns: undefined, up: undefined, promisc: undefined, master: undefined, type: undefined, typeArgs: [],
  };
  while (!args.done) {
    const w = args.word;
    if (w === 'up') r.up = true;
    else if (w === 'down') r.up = false;
    else if (w === 'name') {
      const v = args.value();
      if (r.name !== undefined) duparg('name', v);
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      r.name = v;
      r.dev ??= v;
    } else if (w === 'index') {
      args.value();
      notEmulated('"ip link … index"');
    } else if (matches(w, 'link')) {
      r.link = args.value();
    } else if (matches(w, 'address')) {
      const v = args.value();
      const mac = parseLladdr(v);
      if (mac === undefined) throw new UsageError(`"${v}" is invalid lladdr.`);
      r.address = mac;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      args.value();
      notEmulated('setting a link-layer broadcast address');
    } else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = args.value();
      if (r.txqlen !== undefined) duparg('txqueuelen', v);
      const n = parseCInteger(v);
      if (n === undefined) invarg('Invalid "txqueuelen" value\n', v);
      r.txqlen = n;
    } else if (w === 'mtu') {
      const v = args.value();
      if (r.mtu !== undefined) duparg('mtu', v);
      const n = parseCInteger(v);
      if (n === undefined) invarg('Invalid "mtu" value\n', v);
      r.mtu = n;
    } else if (w === 'netns') {
      const v = args.value();
      if (r.netns !== undefined) duparg('netns', v);
      const ns = ctx.machine.namespace(v);
      if (ns === undefined || !ctx.machine.isListed(ns)) throw new CommandFailed(`Error: argument "${v}" is wrong: Invalid "netns" value\n\n`, 255);
      r.netns = ns;
    } else if (['multicast', 'allmulticast', 'trailers', 'arp', 'carrier', 'dynamic'].includes(w) || matches(w, 'dynamic')) {
      args.value();
      notEmulated(`"ip link … ${w}"`);
    } else if (w === 'promisc') {
      const v = args.value();
      if (v === 'on') r.promisc = true;
      else if (v === 'off') r.promisc = false;
      else throw new UsageError(`Error: argument of "promisc" must be "on" or "off", not "${v}"`);
    } else if (w === 'vf' || w === 'inet' || w.startsWith('xdp')) {
      notEmulated(`"ip link … ${w}"`);
    } else if (matches(w, 'master')) {
      const v = args.value();
      const m = ctx.machine.link(ctx.ns, v);
      if (m === undefined) throw new CommandFailed(`Error: argument "${v}" is wrong: Device does not exist\n\n`, 255);
      r.master = m;
    } else if (w === 'vrf') {
      notEmulated('"ip link … vrf"');
    } else if (matches(w, 'nomaster')) {
      r.master = null;
    } else if (matches(w, 'type')) {
      r.type = args.value();
      args.advance();
      r.typeArgs = args.rest();
      break;
    } else if (matches(w, 'alias') || ['group', 'mode', 'state', 'protodown', 'protodown_reason', 'gso_max_size', 'gso_max_segs',
      'gro_max_size', 'gso_ipv4_max_size', 'gro_ipv4_max_size', 'parentdev'].includes(w)
      || matches(w, 'numtxqueues') || matches(w, 'numrxqueues') || matches(w, 'addrgenmode') || matches(w, 'link-netns')) {
      notEmulated(`"ip link … ${w}"`);
    } else {
      if (matches(w, 'help')) throw new UsageError('cnmlab: "ip link help" is not emulated (see ip-link(8))');
      const v = w === 'dev' ? args.value() : w;
      if (r.dev !== r.name) duparg2('dev', v);
      if (!validIfname(v)) invarg('"dev" not a valid ifname', v);
      r.dev = v;
    }
    args.advance();
  }
  // "Allow "ip link add dev" and "ip link add name""
  if (r.name === undefined) r.name = r.dev;
  else if (r.dev === undefined) r.dev = r.name;
  return r;
}

export function ipLinkAdd(ctx: IpContext, args: Args): number {
  const r = parseLinkRequest(ctx, args);
  if (r.name !== r.dev) throw new UsageError('both "name" and "dev" cannot be used when creating devices.');
  if (r.type === undefined) throw new UsageError('Not enough information: "type" argument is required');
  const machine = ctx.machine;
  const ns = r.netns ?? ctx.ns;
  const linkDev = r.link === undefined ? undefined : deviceOrFail(ctx, r.link);
  const type = r.type;
  let created: Netdev;
  switch (type) {
    case 'veth': {
      const peer = parseVethPeer(ctx, r.typeArgs);
      const peerNs = peer.netns ?? ctx.ns;
      const name = r.name ?? autoName(ctx, ns, 'veth');
      const peerName = peer.name ?? autoName(ctx, peerNs, 'veth', name, ns === peerNs);
      created = kernelCall(IP_STATUS_KERNEL, () => machine.createVeth(name, peerName, {
        ns, peerNs,
        ...(r.mtu === undefined ? {} : { mtu: r.mtu }),
        ...(r.address === undefined ? {} : { mac: r.address }),
        ...(peer.address === undefined ? {} : { peerMac: peer.address }),
        ...(r.txqlen === undefined ? {} : { txQueueLen: r.txqlen }),
      }))[0];
      if (peer.mtu !== undefined && peer.mtu !== created.peer!.mtu) kernelCall(IP_STATUS_KERNEL, () => machine.setMtu(created.peer!, peer.mtu!));
      if (peer.txqlen !== undefined) kernelCall(IP_STATUS_KERNEL, () => machine.setTxQueueLen(created.peer!, peer.txqlen!));
      break;
    }
    case 'bridge': {
      if (r.typeArgs.length > 0) {
        if (matches(r.typeArgs[0]!, 'help')) throw new UsageError('cnmlab: "ip link help bridge" is not emulated (see ip-link(8))');
        throw new UsageError(`bridge: unknown command "${r.typeArgs[0]}"?`);
      }
      const name = r.name ?? autoName(ctx, ns, 'bridge');
      created = kernelCall(IP_STATUS_KERNEL, () => machine.createBridge(name, {
        ns,
        ...(r.mtu === undefined ? {} : { mtu: r.mtu }),
        ...(r.address === undefined ? {} : { mac: r.address }),
        ...(r.txqlen === undefined ? {} : { txQueueLen: r.txqlen }),
      }));
      break;
    }
    case 'vxlan': {
      const v = parseVxlan(ctx, r.typeArgs);
      const name = r.name ?? autoName(ctx, ns, 'vxlan');
      created = kernelCall(IP_STATUS_KERNEL, () => machine.createVxlan(name, {
        ...v, ns,
        ...(r.mtu === undefined ? {} : { mtu: r.mtu }),
        ...(r.address === undefined ? {} : { mac: r.address }),
      }));
      if (r.txqlen !== undefined) machine.setTxQueueLen(created, r.txqlen);
      break;
    }
    case 'vlan': {
      const vid = parseVlan(r.typeArgs);
      if (linkDev === undefined) throw new CommandFailed('Error: 8021q: link not specified.\n', IP_STATUS_KERNEL);
      if (vid === undefined) {
        throw new CommandFailed(r.typeArgs.length === 0 ? 'Error: 8021q: VLAN properties not specified.\n' : 'Error: 8021q: VLAN id not specified.\n', IP_STATUS_KERNEL);
      }
      const name = r.name ?? autoName(ctx, ns, 'vlan');
      created = kernelCall(IP_STATUS_KERNEL, () => machine.createVlan(name, linkDev, vid, ns));
      if (r.mtu !== undefined) kernelCall(IP_STATUS_KERNEL, () => machine.setMtu(created, r.mtu!));
      if (r.address !== undefined) kernelCall(IP_STATUS_KERNEL, () => machine.setMac(created, r.address!));
      if (r.txqlen !== undefined) machine.setTxQueueLen(created, r.txqlen);
      break;
    }
    default:
      if (KNOWN_TYPES.has(type)) notEmulated(`"ip link add … type ${type}"`);
      if (r.typeArgs.length > 0) throw new UsageError(`Garbage instead of arguments "${r.typeArgs[0]} ...". Try "ip link help".`);
      throw new CommandFailed('Error: Unknown device type.\n', IP_STATUS_KERNEL);
  }
  if (r.promisc !== undefined) machine.setPromisc(created, r.promisc);
  if (r.up === true) kernelCall(IP_STATUS_KERNEL, () => machine.setUp(created, true));
  if (r.master !== undefined && r.master !== null) {
    const m = r.master;
    kernelCall(IP_STATUS_KERNEL, () => machine.setMaster(created, m));
  }
  return 0;
}

/** dev_alloc_name("<kind>%d"): the lowest free number in the namespace. */
function autoName(ctx: IpContext, ns: NetworkNamespace, prefix: string, taken?: string, sameNs = false): string {
  for (let i = 0; ; i++) {
    const n = `${prefix}${i}`;
    if (sameNs && n === taken) continue;
    if (ctx.machine.link(ns, n) === undefined) return n;
  }
}

/** link_veth.c: `peer` then the peer's own iplink_parse options. */
function parseVethPeer(ctx: IpContext, words: readonly string[]): LinkRequest {
  if (words.length === 0) {
    return {
      dev: undefined, name: undefined, link: undefined, address: undefined, mtu: undefined, txqlen: undefined,
      netns: undefined, up: undefined, promisc: undefined, master: undefined, type: undefined, typeArgs: [],
    };
  }
  if (words[0] !== 'peer') throw new UsageError('Usage: ip link <options> type veth [peer <options>]');
  const peer = parseLinkRequest(ctx, new Args(words.slice(1)));
  if (peer.type !== undefined) throw new UsageError(`Garbage instead of arguments "type ...". Try "ip link help".`);
  if (peer.up !== undefined || peer.master !== undefined || peer.promisc !== undefined || peer.link !== undefined) {
    notEmulated('"up", "master", "promisc" or "link" in the options of a veth peer');
  }
  return peer;
}

interface VxlanArgs {
  vni: number;
  dstPort?: number;
  local?: Ipv4;
  remote?: Ipv4;
  dev?: Netdev;
  learning?: boolean;
  proxy?: boolean;
  ttl?: number;
}

function addressArg(text: string): Ipv4 {
  try {
    return parseIpv4(text);
  } catch {
    throw new UsageError(`Error: any valid address is expected rather than "${text}".`);
  }
}

/** iplink_vxlan.c vxlan_parse_opt, for the options cnmlab emulates. */
function parseVxlan(ctx: IpContext, words: readonly string[]): VxlanArgs {
  const args = new Args(words);
  const seen = new Set<string>();
  const once = (attr: string, key: string, v: string): void => {
    if (seen.has(attr)) duparg2(key, v);
    seen.add(attr);
  };
  let vni: number | undefined;
  const out: Partial<VxlanArgs> = {};
  let dstPortGiven = false;
  while (!args.done) {
    const w = args.word;
    if (matches(w, 'id') || matches(w, 'vni')) {
      const v = args.value();
      once('id', 'id', v);
      const n = parseCInteger(v);
      if (n === undefined || n < 0 || n >= 2 ** 24) invarg('invalid id', v);
      vni = n;
    } else if (matches(w, 'group')) {
      args.value();
      notEmulated('a multicast "group" of a VXLAN device');
    } else if (matches(w, 'remote')) {
      const v = args.value();
      once('group', 'remote', v);
      const ip = addressArg(v);
      if (ip >>> 28 === 0xe) invarg('invalid remote address', v);
      out.remote = ip;
    } else if (matches(w, 'local')) {
      const v = args.value();
      once('local', 'local', v);
      const ip = addressArg(v);
      if (ip >>> 28 === 0xe) invarg('invalid local address', v);
      out.local = ip;
    } else if (matches(w, 'dev')) {
      const v = args.value();
      once('link', 'dev', v);
      const d = ctx.machine.link(ctx.ns, v);
      if (d === undefined) throw new CommandFailed(`Cannot find device "${v}"\n`, 255);
      out.dev = d;
    } else if (matches(w, 'ttl') || matches(w, 'hoplimit')) {
      const v = args.value();
      once('ttl', 'ttl', v);
      if (v === 'inherit') notEmulated('"ttl inherit" of a VXLAN device');
      if (v === 'auto') out.ttl = 0;
      else {
        const n = parseCInteger(v);
        if (n === undefined || n < 0) invarg('invalid TTL', v);
        if (n > 255) invarg('TTL must be <= 255', v);
        out.ttl = n;
      }
    } else if (matches(w, 'dstport')) {
      const v = args.value();
      once('port', 'dstport', v);
      const n = parseCInteger(v);
      if (n === undefined || n < 0 || n > 0xffff) invarg('dst port', v);
      dstPortGiven = true;
      if (n !== 0) out.dstPort = n;
    } else if (matches(w, 'nolearning')) {
      once('learning', w, w);
      out.learning = false;
    } else if (matches(w, 'learning')) {
      once('learning', w, w);
      out.learning = true;
    } else if (matches(w, 'noproxy')) {
      once('proxy', w, w);
      out.proxy = false;
    } else if (matches(w, 'proxy')) {
      once('proxy', w, w);
      out.proxy = true;
    } else if (['tos', 'dsfield', 'label', 'flowlabel', 'ageing', 'maxaddress', 'port', 'srcport', 'norsc', 'rsc', 'nol2miss', 'l2miss',
      'nol3miss', 'l3miss', 'udpcsum', 'noudpcsum', 'udp6zerocsumtx', 'noudp6zerocsumtx', 'udp6zerocsumrx', 'noudp6zerocsumrx',
      'remcsumtx', 'noremcsumtx', 'remcsumrx', 'noremcsumrx', 'external', 'noexternal', 'gbp', 'gpe', 'df'].some((k) => matches(w, k))) {
      notEmulated(`the VXLAN option "${w}"`);
    } else if (matches(w, 'help')) {
      throw new UsageError('cnmlab: "ip link help vxlan" is not emulated (see ip-link(8))');
    } else {
      throw new UsageError(`vxlan: unknown command "${w}"?`);
    }
    args.advance();
  }
  if (vni === undefined) throw new UsageError('vxlan: missing virtual network identifier');
  if (!dstPortGiven) {
    ctx.io.stderr('vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\n'
      + "Use 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
  }
  return { ...out, vni };
}

/** iplink_vlan.c: `id VID` (802.1Q only). */
function parseVlan(words: readonly string[]): number | undefined {
  const args = new Args(words);
  let vid: number | undefined;
  while (!args.done) {
    const w = args.word;
    if (matches(w, 'id')) {
      const v = args.value();
      const n = parseCInteger(v);
      if (n === undefined || n < 0 || n > 0xffff) invarg('id is invalid', v);
      vid = n;
    } else if (matches(w, 'protocol')) {
      const v = args.value();
      if (v.toLowerCase() !== '802.1q') notEmulated(`VLAN protocol "${v}"`);
    } else if (['reorder_hdr', 'gvrp', 'mvrp', 'loose_binding', 'bridge_binding', 'ingress-qos-map', 'egress-qos-map'].some((k) => matches(w, k))) {
      notEmulated(`the VLAN option "${w}"`);
    } else {
      throw new UsageError(`vlan: unknown command "${w}"?`);
    }
    args.advance();
  }
  return vid;
}

export function ipLinkSet(ctx: IpContext, args: Args): number {
  const r = parseLinkRequest(ctx, args);
  if (r.type !== undefined) notEmulated('"ip link set … type …"');
  if (r.dev === undefined) throw new UsageError('Not enough information: "dev" argument is required.');
  const machine = ctx.machine;
  const dev = deviceOrFail(ctx, r.dev);
  const rename = r.name !== undefined && r.name !== r.dev ? r.name : undefined;
  const k = <T>(op: () => T): T => kernelCall(IP_STATUS_KERNEL, op);
  if (r.netns !== undefined) {
    const target = r.netns;
    if (rename !== undefined && machine.link(target, rename) !== undefined) throw new CommandFailed('RTNETLINK answers: File exists\n', IP_STATUS_KERNEL);
    if (rename !== undefined && machine.link(target, dev.name) !== undefined && dev.ns !== target) {
      // dev_change_net_namespace with a name pattern: the new name is taken in the target.
      k(() => {
        machine.setUp(dev, false);
        machine.rename(dev, rename);
        machine.setNetns(dev, target);
      });
    } else {
      k(() => machine.setNetns(dev, target));
      if (rename !== undefined) k(() => machine.rename(dev, rename));
    }
  }
  if (r.address !== undefined) {
    const mac = r.address;
    k(() => machine.setMac(dev, mac));
  }
  if (r.mtu !== undefined) {
    const mtu = r.mtu;
    k(() => machine.setMtu(dev, mtu));
  }
  if (rename !== undefined && r.netns === undefined) k(() => machine.rename(dev, rename));
  if (r.up !== undefined) {
    const up = r.up;
    k(() => machine.setUp(dev, up));
  }
  if (r.promisc !== undefined) machine.setPromisc(dev, r.promisc);
  if (r.master !== undefined) {
    const m = r.master;
    k(() => (m === null ? machine.setNomaster(dev) : machine.setMaster(dev, m)));
  }
  if (r.txqlen !== undefined) {
    const q = r.txqlen;
    k(() => machine.setTxQueueLen(dev, q));
  }
  return 0;
}

export function ipLinkDelete(ctx: IpContext, args: Args): number {
  const r = parseLinkRequest(ctx, args);
  if (r.dev === undefined) throw new UsageError('Not enough information: "dev" argument is required.');
  const dev = deviceOrFail(ctx, r.dev);
  // rtnl_dellink does not compare the kind given with `type`.
  kernelCall(IP_STATUS_KERNEL, () => ctx.machine.deleteLink(dev));
  return 0;
}
