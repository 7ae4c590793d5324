/**
 * Connection tracking (net/netfilter/nf_conntrack_*): one entry per flow, found by its 5-tuple
 * in either direction, with the NAT bindings that rewrite the reply tuple.
 *
 * A connection has an original tuple (the first packet as it arrived, before any NAT) and a
 * reply tuple (what a reply looks like on the wire before the reverse NAT). Without NAT the
 * reply tuple is the inverted original. SNAT/MASQUERADE change the reply tuple's destination,
 * DNAT/REDIRECT its source; a packet of either direction is then rewritten to look like the
 * inverse of the other direction's tuple (nf_nat_packet), which is what makes NAT work both ways.
 *
 * Tuples: TCP/UDP (src, sport, dst, dport); ICMP queries (src, identifier, dst, type), whose
 * inversion keeps the identifier and swaps the type for its reply type (echo 8 ↔ reply 0);
 * other protocols (src, 0, dst, 0).
 *
 * Heads up (lookups after NAT): a packet carries its connection between hooks in Linux
 * (skb->_nfct), also across the loopback. Here every hook looks the packet up again, so each
 * NATed connection is indexed a second time by the tuples its packets have once rewritten
 * (inverse of the reply tuple for the original direction, inverse of the original tuple for
 * replies). Hooks consult that index after the plain one.
 *
 * Timeouts are Linux's defaults (CONNTRACK_DEFAULTS). Expiry is lazy: an entry whose time has
 * passed counts as absent and is removed when met, and every `sweepEvery` insertions a sweep
 * removes the expired ones (the kernel's gc worker).
 */
import { sec, type Nanos } from '../../sim';
import { ICMP_REPLY_TYPE, PROTO_ICMP, PROTO_TCP, PROTO_UDP } from './packet-info';

/** Linux's conntrack defaults (net.netfilter.nf_conntrack_*). */
export const CONNTRACK_DEFAULTS = {
  /** nf_conntrack_udp_timeout: a UDP flow that never got a reply. */
  udpTimeout: sec(30),
  /** nf_conntrack_udp_timeout_stream: once a reply was seen. */
  udpStreamTimeout: sec(120),
  /** nf_conntrack_icmp_timeout. */
  icmpTimeout: sec(30),
  /** nf_conntrack_tcp_timeout_syn_sent: no reply seen yet. */
  tcpSynSentTimeout: sec(120),
  /** nf_conntrack_tcp_timeout_established (5 days). */
  tcpEstablishedTimeout: sec(432_000),
  /** nf_conntrack_tcp_timeout_time_wait: after FIN both ways. */
  tcpTimeWaitTimeout: sec(120),
  /** nf_conntrack_tcp_timeout_close: after a RST. */
  tcpCloseTimeout: sec(10),
  /** nf_conntrack_generic_timeout: any other protocol. */
  genericTimeout: sec(600),
  /** How long a first fragment's connection is remembered for the fragments that follow (ipfrag_time). */
  fragmentTimeout: sec(30),
  /** nf_conntrack_max: a new flow beyond this is dropped ("table full, dropping packet"). */
  max: 262_144,
  /** Insertions between two sweeps of expired entries. */
  sweepEvery: 4096,
} as const;

export const DIR_ORIGINAL = 0;
export const DIR_REPLY = 1;
export type CtDir = typeof DIR_ORIGINAL | typeof DIR_REPLY;

/** A tuple; for ICMP `sport` is the identifier and `dport` the type. */
export class Tuple {
  constructor(
    public src: number,
    public sport: number,
    public dst: number,
    public dport: number,
  ) {}
}

export class Conn {
  readonly proto: number;
  readonly orig: Tuple;
  /** Changed by NAT bindings (see the file comment). */
  reply: Tuple;
  /** IPS_SEEN_REPLY: a packet went the other way. */
  seenReply = false;
  /** IPS_CONFIRMED: the first packet left the last hook (an unconfirmed entry dies with a dropped first packet). */
  confirmed = false;
  /** The NAT decision for the source (POSTROUTING/INPUT) and destination (PREROUTING/OUTPUT) was taken. */
  srcNatDone = false;
  dstNatDone = false;
  /** IPS_SRC_NAT / IPS_DST_NAT: the binding changed the reply tuple. */
  snat = false;
  dnat = false;
  /** TCP: FIN seen in each direction, RST seen. */
  finOrig = false;
  finReply = false;
  rst = false;
  expires: Nanos = 0;
  /** Packets and bytes per direction (conntrack -L with acct on). */
  readonly packets = [0, 0];
  readonly bytes = [0, 0];
  /** @internal The index entries pointing at this connection. */
  readonly hitOrig: CtHit;
  readonly hitReply: CtHit;

  constructor(proto: number, orig: Tuple) {
    this.proto = proto;
    this.orig = orig;
    this.reply = invertTuple(proto, orig);
    this.hitOrig = { conn: this, dir: DIR_ORIGINAL };
    this.hitReply = { conn: this, dir: DIR_REPLY };
  }
}

export interface CtHit {
  readonly conn: Conn;
  readonly dir: CtDir;
}

export interface ConntrackStats {
  /** Connections created. */
  created: number;
  /** Packets that found their connection. */
  found: number;
  /** Entries removed because they expired. */
  expired: number;
  /** New flows dropped because the table was full. */
  dropped: number;
}

/** The tuple of the other direction of a flow whose one direction is `t`. */
export function invertTuple(proto: number, t: Tuple): Tuple {
  if (proto === PROTO_ICMP) return new Tuple(t.dst, t.sport, t.src, ICMP_REPLY_TYPE[t.dport] ?? t.dport);
  return new Tuple(t.dst, t.dport, t.src, t.sport);
}

/** The index key of a tuple (numbers only, so the same tuple always gives the same key). */
export function tupleKey(proto: number, src: number, sport: number, dst: number, dport: number): string {
  return `${proto}|${src}|${sport}|${dst}|${dport}`;
}

function keyOf(proto: number, t: Tuple): string {
  return tupleKey(proto, t.src, t.sport, t.dst, t.dport);
}

export class Conntrack {
  readonly stats: ConntrackStats = { created: 0, found: 0, expired: 0, dropped: 0 };
  /**
   * Bumped whenever an existing tuple stops meaning what it meant (a binding, a removal), so
   * that a caller's memo of its last lookup knows it is stale.
   */
  generation = 0;
  readonly #byTuple = new Map<string, CtHit>();
  readonly #byTranslated = new Map<string, CtHit>();
  readonly #conns = new Set<Conn>();
  readonly #fragments = new Map<string, { hit: CtHit; expires: Nanos }>();
  #sinceSweep = 0;

  /** Live and expired-but-unswept connections. */
  get size(): number {
    return this.#conns.size;
  }

  /** The connection a packet with this tuple belongs to, and its direction (expired ones are removed). */
  lookup(proto: number, src: number, sport: number, dst: number, dport: number, now: Nanos): CtHit | undefined {
    const key = tupleKey(proto, src, sport, dst, dport);
    const hit = this.#byTuple.get(key) ?? this.#byTranslated.get(key);
    if (hit === undefined) return undefined;
    if (hit.conn.expires <= now) {
      this.stats.expired++;
      this.delete(hit.conn);
      return undefined;
    }
    return hit;
  }

  /** A new connection for a first packet (undefined when the table is full). */
  create(proto: number, src: number, sport: number, dst: number, dport: number, now: Nanos): Conn | undefined {
    if (++this.#sinceSweep >= CONNTRACK_DEFAULTS.sweepEvery) this.sweep(now);
    if (this.#conns.size >= CONNTRACK_DEFAULTS.max) {
      this.sweep(now);
      if (this.#conns.size >= CONNTRACK_DEFAULTS.max) {
        this.stats.dropped++;
        return undefined;
      }
    }
    const conn = new Conn(proto, new Tuple(src, sport, dst, dport));
    this.#conns.add(conn);
    this.#byTuple.set(keyOf(proto, conn.orig), conn.hitOrig);
    this.#byTuple.set(keyOf(proto, conn.reply), conn.hitReply);
    this.stats.created++;
    return conn;
  }

  /** True when some live connection already uses `t` as one of its tuples (nf_conntrack_tuple_taken). */
  isTaken(proto: number, t: Tuple, ignore: Conn, now: Nanos): boolean {
    const hit = this.#byTuple.get(keyOf(proto, t));
    if (hit === undefined || hit.conn === ignore) return false;
    if (hit.conn.expires <= now) {
      this.stats.expired++;
      this.delete(hit.conn);
      return false;
    }
    return true;
  }

  /** Installs a NAT binding: the new reply tuple, re-indexed, with the post-NAT lookup keys. */
  setReply(conn: Conn, reply: Tuple): void {
    this.generation++;
    const proto = conn.proto;
    this.#unindexTranslated(conn);
    const oldKey = keyOf(proto, conn.reply);
    if (this.#byTuple.get(oldKey) === conn.hitReply) this.#byTuple.delete(oldKey);
    conn.reply = reply;
    this.#byTuple.set(keyOf(proto, reply), conn.hitReply);
    const origKey = keyOf(proto, conn.orig);
    const rewrittenOrig = keyOf(proto, invertTuple(proto, reply));
    if (rewrittenOrig !== origKey) this.#byTranslated.set(rewrittenOrig, conn.hitOrig);
    const rewrittenReply = keyOf(proto, invertTuple(proto, conn.orig));
    if (rewrittenReply !== keyOf(proto, reply)) this.#byTranslated.set(rewrittenReply, conn.hitReply);
  }

  delete(conn: Conn): void {
    if (!this.#conns.delete(conn)) return;
    this.generation++;
    const proto = conn.proto;
    const o = keyOf(proto, conn.orig);
    if (this.#byTuple.get(o) === conn.hitOrig) this.#byTuple.delete(o);
    const r = keyOf(proto, conn.reply);
    if (this.#byTuple.get(r) === conn.hitReply) this.#byTuple.delete(r);
    this.#unindexTranslated(conn);
  }

  /** Forgets every connection (`conntrack -F`). */
  flush(): void {
    this.generation++;
    this.#conns.clear();
    this.#byTuple.clear();
    this.#byTranslated.clear();
    this.#fragments.clear();
  }

  /** Removes every expired connection. */
  sweep(now: Nanos): void {
    this.#sinceSweep = 0;
    for (const c of this.#conns) {
      if (c.expires <= now) {
        this.stats.expired++;
        this.delete(c);
      }
    }
    for (const [k, f] of this.#fragments) if (f.expires <= now || !this.#conns.has(f.hit.conn)) this.#fragments.delete(k);
  }

  /** Live connections in creation order (what `conntrack -L` lists). */
  entries(now: Nanos): Conn[] {
    return [...this.#conns].filter((c) => c.expires > now && c.confirmed);
  }

  /** A first fragment's connection, for the fragments of the same datagram that follow. */
  rememberFragment(src: number, dst: number, proto: number, id: number, hit: CtHit, now: Nanos): void {
    this.#fragments.set(`${src}|${dst}|${proto}|${id}`, { hit, expires: now + CONNTRACK_DEFAULTS.fragmentTimeout });
  }

  fragment(src: number, dst: number, proto: number, id: number, now: Nanos): CtHit | undefined {
    const key = `${src}|${dst}|${proto}|${id}`;
    const f = this.#fragments.get(key);
    if (f === undefined) return undefined;
    if (f.expires <= now || !this.#conns.has(f.hit.conn)) {
      this.#fragments.delete(key);
      return undefined;
    }
    return f.hit;
  }

  /** Extends a connection's life after a packet, by protocol and state (nf_ct_refresh_acct). */
  refresh(conn: Conn, now: Nanos): void {
    let timeout: Nanos;
    switch (conn.proto) {
      case PROTO_UDP:
        timeout = conn.seenReply ? CONNTRACK_DEFAULTS.udpStreamTimeout : CONNTRACK_DEFAULTS.udpTimeout;
        break;
      case PROTO_ICMP:
        timeout = CONNTRACK_DEFAULTS.icmpTimeout;
        break;
      case PROTO_TCP:
        timeout = conn.rst ? CONNTRACK_DEFAULTS.tcpCloseTimeout
          : conn.finOrig && conn.finReply ? CONNTRACK_DEFAULTS.tcpTimeWaitTimeout
            : conn.seenReply ? CONNTRACK_DEFAULTS.tcpEstablishedTimeout : CONNTRACK_DEFAULTS.tcpSynSentTimeout;
        break;
      default:
        timeout = CONNTRACK_DEFAULTS.genericTimeout;
    }
    conn.expires = now + timeout;
  }

  #unindexTranslated(conn: Conn): void {
    const proto = conn.proto;
    const a = keyOf(proto, invertTuple(proto, conn.reply));
    if (this.#byTranslated.get(a) === conn.hitOrig) this.#byTranslated.delete(a);
    const b = keyOf(proto, invertTuple(proto, conn.orig));
    if (this.#byTranslated.get(b) === conn.hitReply) this.#byTranslated.delete(b);
  }
}
