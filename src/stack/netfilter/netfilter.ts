/**
 * iptables in a namespace: the filter and nat tables, connection tracking and NAT, plugged
 * into the namespace's netfilter hooks (netfilter-hooks.ts) the way the kernel orders them:
 *
 *   PREROUTING   conntrack (−200), nat PREROUTING: DNAT/REDIRECT (−100)
 *   INPUT        filter INPUT (0), nat INPUT: SNAT (100), confirm
 *   FORWARD      filter FORWARD (0)
 *   OUTPUT       conntrack (−200), nat OUTPUT: DNAT/REDIRECT (−100), filter OUTPUT (0)
 *   POSTROUTING  nat POSTROUTING: SNAT/MASQUERADE (100), confirm
 *
 * The nat table sees only the first packet of a connection (per direction of manipulation:
 * nf_nat_initialized); what its rules decide becomes the connection's binding, applied to
 * every later packet both ways (conntrack.ts). No matching nat rule is a "null binding".
 * A filter DROP or REJECT of a connection's first packet discards the unconfirmed entry.
 *
 * br_netfilter: `attachBridge(bridge, ifname)` makes the bridge hand its forwarded IPv4 frames
 * to PREROUTING, FORWARD and POSTROUTING with `-i`/`-o` both the bridge's name, as Linux does
 * when bridge-nf-call-iptables is 1. That is what makes Docker's `-i docker0 -o docker0 -j DROP`
 * (ICC off) bite on traffic between two containers of one bridge.
 *
 * Cost: while both tables are empty with ACCEPT policies nothing is registered (the namespace
 * pays one length check per hook, the bridge one undefined check). The first rule registers
 * the hooks; emptying the tables again unregisters them and forgets the connections (Linux
 * would keep translating existing connections; a deviation noted here).
 *
 * Not modelled: fragments are not reassembled before conntrack (nf_defrag_ipv4); instead the
 * first fragment's connection is remembered for the fragments that follow it, whose addresses
 * get the same NAT (a later fragment that arrives first is INVALID and passes untranslated).
 * DNAT of a bridged frame does not reroute it (br_netfilter's "DNAT hack").
 */
import type { Bridge } from '../../devices';
import { isMulticastIpv4, readU16, readU32, type Ipv4 } from '../../wire';
import type { NetInterface } from '../net-interface';
import type { NetfilterContext } from '../netfilter-hooks';
import type { NetworkNamespace } from '../network-namespace';
import { Conntrack, DIR_ORIGINAL, DIR_REPLY, Tuple, invertTuple, type Conn, type CtHit } from './conntrack';
import { natRewrite, natRewriteIcmpError, type ManipType } from './nat-rewrite';
import {
  ICMP_ERROR_TYPES, ICMP_QUERY_TYPES, ICMP_REPLY_TYPE, PROTO_ICMP, PROTO_TCP, PROTO_UDP, PacketInfo, readPacket,
} from './packet-info';
import { traverse, type MatchEnv } from './rule-matcher';
import { AddrType, CtState, REJECT_WITH, TABLE_NAMES, type TableName, type TargetSpec } from './rule-spec';
import { XtTable } from './xt-table';

/** The kernel's hook priorities (NF_IP_PRI_*), for the handlers this module registers. */
export const NETFILTER_PRIORITIES = {
  /** NF_IP_PRI_CONNTRACK: tracking and DNAT run in one handler at PREROUTING and OUTPUT. */
  conntrack: -200,
  /** NF_IP_PRI_FILTER. */
  filter: 0,
  /** NF_IP_PRI_NAT_SRC: SNAT and the confirmation run in one handler at POSTROUTING. */
  natSrc: 100,
} as const;

const ETH_HLEN = 14;
const LOOPBACK_ADDRESS = 0x7f00_0001;

/** Ports NAT may pick when it must remap (nf_nat_l4proto_unique_tuple's ranges). */
function portRangeFor(port: number): [number, number] {
  if (port < 512) return [1, 511];
  if (port < 1024) return [600, 1023];
  return [1024, 65535];
}

export interface NetfilterStats {
  /** Packets a rule or policy dropped (REJECT included). */
  dropped: number;
  /** ICMP errors sent by REJECT. */
  rejected: number;
  /** Packets rewritten by NAT. */
  translated: number;
}

export class Netfilter {
  readonly conntrack = new Conntrack();
  readonly stats: NetfilterStats = { dropped: 0, rejected: 0, translated: 0 };
  readonly #ns: NetworkNamespace;
  #tables: Record<TableName, XtTable> = { filter: new XtTable('filter'), nat: new XtTable('nat') };
  #unregister: (() => void)[] = [];
  /** Bridges whose br_netfilter traffic goes through this namespace's tables, by their interface name here. */
  readonly #bridges = new Map<Bridge, string>();
  readonly #env: MatchEnv;
  readonly #pool: PacketInfo[] = [];
  #depth = 0;
  /** The last lookup's tuple and result (hooks of one packet look the same tuple up in turn). */
  #memoKey = { proto: -1, src: 0, sport: 0, dst: 0, dport: 0, generation: -1 };
  #memoHit: CtHit | undefined;

  constructor(ns: NetworkNamespace) {
    this.#ns = ns;
    this.#env = { addrType: (a) => this.#addrType(a) };
  }

  /** The namespace these tables belong to. */
  get namespace(): NetworkNamespace {
    return this.#ns;
  }

  /** True while rules (or DROP policies) exist and the hooks are registered. */
  get active(): boolean {
    return this.#unregister.length > 0;
  }

  /** The current table (for listing; change it only through `update`). */
  table(name: TableName): XtTable {
    return this.#tables[name];
  }

  /**
   * Changes table `name` as one commit, as iptables does (iptc_init, operations, iptc_commit):
   * `change` works on a copy; the result is checked as the kernel checks a new table and
   * replaces the old one. Throws NetfilterError (and changes nothing) when an operation or
   * the commit fails.
   */
  update(name: TableName, change: (table: XtTable) => void): void {
    const draft = this.#tables[name].clone();
    change(draft);
    const err = draft.validate();
    if (err) throw err;
    this.#tables[name] = draft;
    this.#refreshHooks();
  }

  /**
   * br_netfilter for `bridge`, whose interface in this namespace is `ifname`: its forwarded IPv4
   * frames traverse PREROUTING, FORWARD and POSTROUTING here. Returns the detach function.
   */
  attachBridge(bridge: Bridge, ifname: string): () => void {
    this.#bridges.set(bridge, ifname);
    if (this.active) bridge.setNetfilterHook(this.#bridgeHook(ifname));
    return () => {
      if (this.#bridges.get(bridge) !== ifname) return;
      this.#bridges.delete(bridge);
      bridge.setNetfilterHook(undefined);
    };
  }

  // ---------------------------------------------------------------------------------------
  // Registration

  #refreshHooks(): void {
    const wanted = TABLE_NAMES.some((t) => !this.#tables[t].isTrivial);
    if (wanted === this.active) return;
    if (wanted) {
      const nf = this.#ns.netfilter;
      this.#unregister = [
        nf.register('prerouting', NETFILTER_PRIORITIES.conntrack, this.#onPrerouting),
        nf.register('input', NETFILTER_PRIORITIES.filter, this.#onInput),
        nf.register('forward', NETFILTER_PRIORITIES.filter, this.#onForward),
        nf.register('output', NETFILTER_PRIORITIES.conntrack, this.#onOutput),
        nf.register('postrouting', NETFILTER_PRIORITIES.natSrc, this.#onPostrouting),
      ];
      for (const [bridge, ifname] of this.#bridges) bridge.setNetfilterHook(this.#bridgeHook(ifname));
    } else {
      for (const u of this.#unregister) u();
      this.#unregister = [];
      for (const bridge of this.#bridges.keys()) bridge.setNetfilterHook(undefined);
      this.conntrack.flush();
    }
  }

  // ---------------------------------------------------------------------------------------
  // The hooks

  readonly #onPrerouting = (d: Uint8Array, ctx: NetfilterContext): Uint8Array | null => {
    const p = this.#acquire(d, ctx.inIface, undefined);
    try {
      // A datagram looped back carries the connection its OUTPUT pass found (skb->_nfct).
      const fromLoopback = ctx.inIface !== undefined && ctx.inIface.kind === 'loopback';
      const hit = this.#track(p, !fromLoopback);
      if (hit === null) return this.#drop();
      return this.#natDestination(d, p, hit, 'PREROUTING', ctx.inIface);
    } finally {
      this.#depth--;
    }
  };

  readonly #onInput = (d: Uint8Array, ctx: NetfilterContext): Uint8Array | null => {
    const p = this.#acquire(d, ctx.inIface, undefined);
    try {
      const hit = this.#track(p, false);
      if (hit === null) return this.#drop();
      if (!this.#filter('INPUT', d, p, hit)) return null;
      const out = this.#natSource(d, p, hit, 'INPUT', undefined);
      if (out !== null && hit !== undefined) hit.conn.confirmed = true;
      return out;
    } finally {
      this.#depth--;
    }
  };

  readonly #onForward = (d: Uint8Array, ctx: NetfilterContext): Uint8Array | null => {
    const p = this.#acquire(d, ctx.inIface, ctx.outIface);
    try {
      const hit = this.#track(p, false);
      if (hit === null) return this.#drop();
      return this.#filter('FORWARD', d, p, hit) ? d : null;
    } finally {
      this.#depth--;
    }
  };

  readonly #onOutput = (d: Uint8Array, ctx: NetfilterContext): Uint8Array | null => {
    const p = this.#acquire(d, undefined, ctx.outIface);
    try {
      const hit = this.#track(p, true);
      if (hit === null) return this.#drop();
      const out = this.#natDestination(d, p, hit, 'OUTPUT', undefined);
      if (out === null) return null;
      // ip_route_me_harder: filter OUTPUT sees the interface of the new route.
      if (out !== d) p.outName = this.#routeName(p.dst) ?? p.outName;
      return this.#filter('OUTPUT', out, p, hit) ? out : null;
    } finally {
      this.#depth--;
    }
  };

  readonly #onPostrouting = (d: Uint8Array, ctx: NetfilterContext): Uint8Array | null => {
    const p = this.#acquire(d, undefined, ctx.outIface);
    try {
      const hit = this.#track(p, false);
      if (hit === null) return this.#drop();
      const out = this.#natSource(d, p, hit, 'POSTROUTING', ctx.outIface);
      if (out !== null && hit !== undefined) hit.conn.confirmed = true;
      return out;
    } finally {
      this.#depth--;
    }
  };

  /** br_netfilter: a bridged frame through PREROUTING, FORWARD and POSTROUTING. */
  #bridgeHook(ifname: string): (frame: Uint8Array, inPort: string, outPort: string) => Uint8Array | null {
    return (frame) => {
      const d0 = validIpv4(frame);
      if (d0 === undefined) {
        this.stats.dropped++;
        return null;
      }
      const iface = this.#ns.interface(ifname);
      const p = this.#acquire(d0, iface, iface);
      try {
        p.inName = ifname;
        p.outName = ifname;
        const hit = this.#track(p, true);
        if (hit === null) return this.#drop();
        const d1 = this.#natDestination(d0, p, hit, 'PREROUTING', iface);
        if (d1 === null) return null;
        if (!this.#filter('FORWARD', d1, p, hit)) return null;
        const d2 = this.#natSource(d1, p, hit, 'POSTROUTING', iface);
        if (d2 === null) return null;
        if (hit !== undefined) hit.conn.confirmed = true;
        if (d2 === d0) return frame;
        const out = new Uint8Array(ETH_HLEN + d2.length);
        out.set(frame.subarray(0, ETH_HLEN));
        out.set(d2, ETH_HLEN);
        return out;
      } finally {
        this.#depth--;
      }
    };
  }

  /**
   * A PacketInfo for this hook invocation, read from `d`. They come from a small pool indexed
   * by nesting depth (REJECT sends an ICMP error from inside a hook, which runs the hooks
   * again); the caller releases it with `this.#depth--`.
   */
  #acquire(d: Uint8Array, inIface: NetInterface | undefined, outIface: NetInterface | undefined): PacketInfo {
    const depth = this.#depth++;
    let p = this.#pool[depth];
    if (p === undefined) this.#pool[depth] = p = new PacketInfo();
    p.ctState = 0;
    readPacket(d, p);
    p.inName = inIface ? inIface.name : '';
    p.outName = outIface ? outIface.name : '';
    return p;
  }

  #drop(): null {
    this.stats.dropped++;
    return null;
  }

  // ---------------------------------------------------------------------------------------
  // Connection tracking

  /**
   * Finds (or, for a first packet, creates) the packet's connection and sets `p.ctState`.
   * undefined: untracked (INVALID); null: drop (the table is full). `first` marks the hook
   * where a packet enters netfilter (PREROUTING, OUTPUT, the bridge): it counts the packet on
   * its connection and notes TCP FIN/RST.
   */
  #track(p: PacketInfo, first: boolean): CtHit | undefined | null {
    const ct = this.conntrack;
    const now = this.#ns.scheduler.now;
    if (p.fragOffset !== 0) {
      const hit = ct.fragment(p.src, p.dst, p.proto, p.identification, now);
      p.ctState = hit === undefined ? CtState.INVALID : this.#stateOf(hit, p);
      return hit;
    }
    if (!p.l4ok) {
      p.ctState = CtState.INVALID;
      return undefined;
    }
    let sport = p.sport;
    let dport = p.dport;
    if (p.proto === PROTO_ICMP) {
      if (ICMP_ERROR_TYPES.has(p.icmpType)) {
        const hit = this.#relatedTo(p, now);
        p.ctState = hit === undefined ? CtState.INVALID : CtState.RELATED | natBits(hit.conn);
        return hit;
      }
      if (ICMP_REPLY_TYPE[p.icmpType] === undefined) {
        // icmp_new: only queries start a connection; other types cannot be tracked.
        p.ctState = CtState.INVALID;
        return undefined;
      }
    } else if (p.proto !== PROTO_TCP && p.proto !== PROTO_UDP) {
      sport = 0;
      dport = 0;
    }
    const memo = this.#memoKey;
    let hit: CtHit | undefined;
    if (memo.proto === p.proto && memo.src === p.src && memo.sport === sport && memo.dst === p.dst && memo.dport === dport
      && memo.generation === ct.generation && this.#memoHit !== undefined && this.#memoHit.conn.expires > now) {
      hit = this.#memoHit;
    } else {
      hit = ct.lookup(p.proto, p.src, sport, p.dst, dport, now);
    }
    if (hit === undefined) {
      if (p.proto === PROTO_ICMP && !ICMP_QUERY_TYPES.has(p.icmpType)) {
        // An echo reply nobody asked for.
        p.ctState = CtState.INVALID;
        return undefined;
      }
      const conn = ct.create(p.proto, p.src, sport, p.dst, dport, now);
      if (conn === undefined) return null;
      hit = conn.hitOrig;
    } else {
      ct.stats.found++;
    }
    const conn = hit.conn;
    if (hit.dir === DIR_REPLY) conn.seenReply = true;
    if (first) {
      conn.packets[hit.dir]!++;
      conn.bytes[hit.dir]! += p.length;
      if (p.proto === PROTO_TCP) {
        const flags = p.d[p.ihl + 13]!;
        if ((flags & 0x04) !== 0) conn.rst = true;
        if ((flags & 0x01) !== 0) {
          if (hit.dir === DIR_ORIGINAL) conn.finOrig = true;
          else conn.finReply = true;
        }
      }
    }
    ct.refresh(conn, now);
    memo.proto = p.proto;
    memo.src = p.src;
    memo.sport = sport;
    memo.dst = p.dst;
    memo.dport = dport;
    memo.generation = ct.generation;
    this.#memoHit = hit;
    if (p.moreFragments) ct.rememberFragment(p.src, p.dst, p.proto, p.identification, hit, now);
    p.ctState = this.#stateOf(hit, p);
    return hit;
  }

  #stateOf(hit: CtHit, p: PacketInfo): number {
    if ((p.ctState & CtState.RELATED) !== 0) return p.ctState;
    const conn = hit.conn;
    const base = hit.dir === DIR_REPLY || conn.seenReply ? CtState.ESTABLISHED : CtState.NEW;
    return base | natBits(conn);
  }

  /** The connection an ICMP error is about: the inverse of the datagram it quotes (icmp_error_message). */
  #relatedTo(p: PacketInfo, now: number): CtHit | undefined {
    const d = p.d;
    const end = Math.min(d.length, p.length);
    const o = p.ihl + 8;
    if (end - o < 20 || d[o]! >>> 4 !== 4) return undefined;
    const ihl = (d[o]! & 0x0f) * 4;
    if ((readU16(d, o + 6) & 0x1fff) !== 0 || end - (o + ihl) < 8) return undefined;
    const proto = d[o + 9]!;
    const src = readU32(d, o + 12);
    const dst = readU32(d, o + 16);
    const l4 = o + ihl;
    let t: Tuple;
    if (proto === PROTO_TCP || proto === PROTO_UDP) t = new Tuple(src, readU16(d, l4), dst, readU16(d, l4 + 2));
    else if (proto === PROTO_ICMP) {
      const type = d[l4]!;
      if (ICMP_REPLY_TYPE[type] === undefined) return undefined;
      t = new Tuple(src, readU16(d, l4 + 4), dst, type);
    } else t = new Tuple(src, 0, dst, 0);
    const inv = invertTuple(proto, t);
    return this.conntrack.lookup(proto, inv.src, inv.sport, inv.dst, inv.dport, now);
  }

  // ---------------------------------------------------------------------------------------
  // filter

  /** Runs filter `chain`; false when the packet was dropped or rejected. */
  #filter(chain: 'INPUT' | 'FORWARD' | 'OUTPUT', d: Uint8Array, p: PacketInfo, hit: CtHit | undefined): boolean {
    const verdict = traverse(this.#tables.filter, chain, p, this.#env);
    switch (verdict.kind) {
      case 'ACCEPT':
        return true;
      case 'DROP':
        this.#discard(hit);
        return false;
      case 'REJECT':
        this.#discard(hit);
        // ipt_REJECT: nf_send_unreach → icmp_send, with icmp_send's own checks and rate limit.
        if (this.#ns.icmp.sendError(d, 3, REJECT_WITH[verdict.with], 0, true)) this.stats.rejected++;
        return false;
      default:
        // validate() keeps other targets out of the filter table.
        return true;
    }
  }

  /** A dropped packet: an unconfirmed connection (its first packet) dies with it. */
  #discard(hit: CtHit | undefined): void {
    this.stats.dropped++;
    if (hit !== undefined && !hit.conn.confirmed && hit.dir === DIR_ORIGINAL) this.conntrack.delete(hit.conn);
  }

  // ---------------------------------------------------------------------------------------
  // nat

  /** DNAT side (PREROUTING, OUTPUT): the binding's decision on a first packet, then its rewrite. */
  #natDestination(d: Uint8Array, p: PacketInfo, hit: CtHit | undefined, chain: 'PREROUTING' | 'OUTPUT', inIface: NetInterface | undefined): Uint8Array | null {
    if (hit === undefined) return d;
    const conn = hit.conn;
    if ((p.ctState & CtState.RELATED) !== 0) return this.#natRelated(d, hit, 'dst');
    if (!conn.dstNatDone) {
      conn.dstNatDone = true;
      if (hit.dir === DIR_ORIGINAL) {
        const verdict = traverse(this.#tables.nat, chain, p, this.#env);
        if (verdict.kind === 'DNAT' || verdict.kind === 'REDIRECT') {
          if (!this.#bindDestination(conn, verdict, chain, inIface, p)) return this.#drop();
        }
      }
    }
    let out = d;
    if (hit.dir === DIR_ORIGINAL ? conn.dnat : conn.snat) {
      const target = invertTuple(conn.proto, hit.dir === DIR_ORIGINAL ? conn.reply : conn.orig);
      out = this.#rewrite(d, p, 'dst', target);
    }
    return out;
  }

  /** SNAT side (POSTROUTING, INPUT). */
  #natSource(d: Uint8Array, p: PacketInfo, hit: CtHit | undefined, chain: 'POSTROUTING' | 'INPUT', outIface: NetInterface | undefined): Uint8Array | null {
    if (hit === undefined) return d;
    const conn = hit.conn;
    if ((p.ctState & CtState.RELATED) !== 0) return this.#natRelated(d, hit, 'src');
    if (!conn.srcNatDone) {
      conn.srcNatDone = true;
      if (hit.dir === DIR_ORIGINAL) {
        const verdict = traverse(this.#tables.nat, chain, p, this.#env);
        if (verdict.kind === 'MASQUERADE' || verdict.kind === 'SNAT') {
          if (!this.#bindSource(conn, verdict, outIface, p)) return this.#drop();
        }
      }
    }
    let out = d;
    if (hit.dir === DIR_ORIGINAL ? conn.snat : conn.dnat) {
      const target = invertTuple(conn.proto, hit.dir === DIR_ORIGINAL ? conn.reply : conn.orig);
      out = this.#rewrite(d, p, 'src', target);
    }
    return out;
  }

  /** Rewrites `d` to `target`'s source or destination (unchanged bytes are not copied). */
  #rewrite(d: Uint8Array, p: PacketInfo, manip: ManipType, target: Tuple): Uint8Array {
    const addr = manip === 'src' ? target.src : target.dst;
    // ICMP queries: the identifier is the tuple's sport in both directions.
    const port = p.proto === PROTO_ICMP ? target.sport : manip === 'src' ? target.sport : target.dport;
    const curAddr = manip === 'src' ? p.src : p.dst;
    const curPort = p.proto === PROTO_ICMP ? p.sport : manip === 'src' ? p.sport : p.dport;
    const portful = p.fragOffset === 0 && hasPorts(p);
    if (addr === curAddr && (!portful || port === curPort)) return d;
    this.stats.translated++;
    const out = natRewrite(d, manip, addr, portful ? port : 0);
    readPacket(out, p);
    return out;
  }

  /** nf_nat_icmp_reply_translation: an ICMP error about a NATed connection. */
  #natRelated(d: Uint8Array, hit: CtHit, manip: ManipType): Uint8Array {
    const conn = hit.conn;
    // The status bit this hook acts on, seen from the error's direction.
    const wantsSnat = (manip === 'src') === (hit.dir === DIR_ORIGINAL);
    if (!(wantsSnat ? conn.snat : conn.dnat)) return d;
    const other = hit.dir === DIR_ORIGINAL ? conn.reply : conn.orig;
    const innerManip: ManipType = manip === 'src' ? 'dst' : 'src';
    const innerAddr = innerManip === 'src' ? other.src : other.dst;
    const innerPort = conn.proto === PROTO_ICMP ? other.sport : innerManip === 'src' ? other.sport : other.dport;
    const outerAddr = manip === 'src' ? other.dst : other.src;
    this.stats.translated++;
    return natRewriteIcmpError(d, manip, outerAddr, innerManip, innerAddr, innerPort);
  }

  /** DNAT / REDIRECT on a new connection: the reply tuple's source becomes the new destination. */
  #bindDestination(conn: Conn, t: TargetSpec, chain: 'PREROUTING' | 'OUTPUT', inIface: NetInterface | undefined, p: PacketInfo): boolean {
    let addr = conn.orig.dst;
    let portMin: number | undefined;
    let portMax: number | undefined;
    if (t.kind === 'DNAT') {
      if (t.range.ipMin !== undefined) addr = t.range.ipMin;
      portMin = t.range.portMin;
      portMax = t.range.portMax;
    } else if (t.kind === 'REDIRECT') {
      // nf_nat_redirect_ipv4: OUTPUT → 127.0.0.1; PREROUTING → the incoming interface's first address.
      if (chain === 'OUTPUT') addr = LOOPBACK_ADDRESS;
      else {
        const a = inIface?.primaryAddress;
        if (a === undefined) return false;
        addr = a;
      }
      portMin = t.ports?.min;
      portMax = t.ports?.max;
    } else {
      return true;
    }
    const reply = new Tuple(conn.reply.src, conn.reply.sport, conn.reply.dst, conn.reply.dport);
    reply.src = addr;
    if (portMin !== undefined && conn.proto !== PROTO_ICMP && hasPorts(p)) {
      reply.sport = this.#choosePort(conn, reply, 'dst', portMin, portMax ?? portMin);
    }
    if (reply.src === conn.reply.src && reply.sport === conn.reply.sport) return true;
    this.conntrack.setReply(conn, reply);
    conn.dnat = true;
    return true;
  }

  /** SNAT / MASQUERADE on a new connection: the reply tuple's destination becomes the new source. */
  #bindSource(conn: Conn, t: TargetSpec, outIface: NetInterface | undefined, p: PacketInfo): boolean {
    let addr = conn.orig.src;
    let portMin: number | undefined;
    let portMax: number | undefined;
    if (t.kind === 'MASQUERADE') {
      // masquerade_tg: the out interface's address toward the next hop (inet_select_addr).
      if (outIface === undefined) return false;
      const route = this.#ns.routes.lookup(p.dst);
      const nextHop = route?.gateway ?? p.dst;
      addr = this.#ns.selectSourceAddress(outIface, nextHop, 'link');
      if (addr === 0) return false;
      portMin = t.ports?.min;
      portMax = t.ports?.max;
    } else if (t.kind === 'SNAT') {
      if (t.range.ipMin !== undefined) addr = t.range.ipMin;
      portMin = t.range.portMin;
      portMax = t.range.portMax;
    } else {
      return true;
    }
    const reply = new Tuple(conn.reply.src, conn.reply.sport, conn.reply.dst, conn.reply.dport);
    reply.dst = addr;
    if (hasPorts(p)) {
      const cur = conn.proto === PROTO_ICMP ? reply.sport : reply.dport;
      const [lo, hi] = portMin !== undefined ? [portMin, portMax ?? portMin] : conn.proto === PROTO_ICMP ? [0, 0xffff] : portRangeFor(cur);
      // get_unique_tuple: keep the port when it is in range and the tuple is unique.
      const chosen = cur >= lo && cur <= hi && !this.#taken(conn, reply, 'src', cur) ? cur : this.#choosePort(conn, reply, 'src', lo, hi, cur);
      if (conn.proto === PROTO_ICMP) reply.sport = chosen;
      else reply.dport = chosen;
    }
    if (reply.dst === conn.reply.dst && reply.dport === conn.reply.dport && reply.sport === conn.reply.sport) return true;
    this.conntrack.setReply(conn, reply);
    conn.snat = true;
    return true;
  }

  #taken(conn: Conn, reply: Tuple, manip: ManipType, port: number): boolean {
    const t = new Tuple(reply.src, reply.sport, reply.dst, reply.dport);
    if (manip === 'src') {
      if (conn.proto === PROTO_ICMP) t.sport = port;
      else t.dport = port;
    } else {
      t.sport = port;
    }
    return this.conntrack.isTaken(conn.proto, t, conn, this.#ns.scheduler.now);
  }

  /**
   * A port in [lo, hi] that makes the reply tuple unique (nf_nat_l4proto_unique_tuple): the
   * current one when it is in range and free, else the next free one after it (or from `lo`),
   * wrapping; when every port is taken, the range's first.
   */
  #choosePort(conn: Conn, reply: Tuple, manip: ManipType, lo: number, hi: number, after?: number): number {
    const size = hi - lo + 1;
    if (size <= 1) return lo;
    let start = after === undefined ? 0 : after + 1 - lo;
    if (start < 0 || start >= size) start = 0;
    for (let i = 0; i < size; i++) {
      const port = lo + ((start + i) % size);
      if (!this.#taken(conn, reply, manip, port)) return port;
    }
    return lo;
  }

  // ---------------------------------------------------------------------------------------
  // Environment

  /** inet_addr_type: how the local table classifies an address. */
  #addrType(a: Ipv4): number {
    if (a === 0 || a === 0xffff_ffff) return AddrType.BROADCAST;
    if (isMulticastIpv4(a)) return AddrType.MULTICAST;
    if (this.#ns.isLocalAddress(a)) return AddrType.LOCAL;
    if (this.#ns.isBroadcastAddress(a)) return AddrType.BROADCAST;
    return AddrType.UNICAST;
  }

  #routeName(dst: Ipv4): string | undefined {
    try {
      return this.#ns.ipv4.resolveOutput(dst).iface.name;
    } catch {
      return undefined;
    }
  }
}

function natBits(conn: Conn): number {
  return (conn.snat ? CtState.SNAT : 0) | (conn.dnat ? CtState.DNAT : 0);
}

function hasPorts(p: PacketInfo): boolean {
  return p.proto === PROTO_TCP || p.proto === PROTO_UDP || (p.proto === PROTO_ICMP && ICMP_REPLY_TYPE[p.icmpType] !== undefined);
}

/**
 * br_validate_ipv4: the IPv4 datagram of a bridged frame, bounded by its Total Length, or
 * undefined when the header is broken (such a frame is dropped, as the kernel drops it).
 */
function validIpv4(frame: Uint8Array): Uint8Array | undefined {
  const d = frame.subarray(ETH_HLEN);
  if (d.length < 20 || d[0]! >>> 4 !== 4) return undefined;
  const ihl = (d[0]! & 0x0f) * 4;
  const len = readU16(d, 2);
  if (ihl < 20 || d.length < ihl || len < ihl || len > d.length) return undefined;
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (d[i]! << 8) | d[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  if (sum !== 0xffff) return undefined;
  return d.subarray(0, len);
}

const TABLES = new WeakMap<NetworkNamespace, Netfilter>();

/** The iptables state of `ns` (created empty, with no cost, on first use). */
export function netfilterOf(ns: NetworkNamespace): Netfilter {
  let nf = TABLES.get(ns);
  if (nf === undefined) {
    nf = new Netfilter(ns);
    TABLES.set(ns, nf);
  }
  return nf;
}

