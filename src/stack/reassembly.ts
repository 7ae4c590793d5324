/**
 * IPv4 reassembly for local delivery (RFC 791 §3.2, RFC 815; Linux net/ipv4/ip_fragment.c).
 *
 * Fragments are grouped by (source, destination, protocol, identification). A datagram is
 * complete when its first and last fragments are in and no hole is left; it is then rebuilt
 * with the first fragment's header. Linux's rules, kept here:
 * - ipfrag_time: 30 s after the first fragment the queue expires; if the offset-0 fragment had
 *   arrived, an ICMP time exceeded (code 1, "fragment reassembly time exceeded") goes back
 *   quoting it (RFC 792, RFC 1122 §3.3.2).
 * - Overlapping fragments drop the whole queue (Linux since 4.19, CVE-2018-5391 "FragmentSmack";
 *   RFC 5722 says the same for IPv6); an exact duplicate is ignored.
 * - A last fragment that contradicts the known length drops the queue.
 * - ipfrag_high_thresh: 4 MiB of pending fragment payload per namespace; fragments beyond it
 *   are dropped.
 */
import { readU16, writeU16, internetChecksum, type Ipv4Packet } from '../wire';
import { sec, type EventId, type Nanos, type Scheduler } from '../sim';
import { DropReason, type DropCounters } from './drop-counters';

export const REASSEMBLY_DEFAULTS = {
  /** net.ipv4.ipfrag_time. */
  timeout: sec(30) as Nanos,
  /** net.ipv4.ipfrag_high_thresh, bytes of fragment payload held at once. */
  highThresh: 4 * 1024 * 1024,
};

interface Piece {
  readonly offset: number;
  readonly end: number;
  readonly data: Uint8Array;
}

interface FragQueue {
  readonly key: string;
  pieces: Piece[];
  /** Known datagram payload length: the end of the last fragment once it arrived, else the largest end seen. */
  len: number;
  lastIn: boolean;
  /** The offset-0 fragment, whole (its header is the datagram's; its bytes are the timeout's quote). */
  first: Uint8Array | undefined;
  received: number;
  timer: EventId;
}

export interface ReassemblyStats {
  /** ReasmReqds: fragments received. */
  requests: number;
  /** ReasmOKs: datagrams rebuilt. */
  oks: number;
  /** ReasmFails: queues given up (timeout, overlap, memory, bad lengths). */
  fails: number;
  /** ReasmTimeout. */
  timeouts: number;
}

export class Reassembler {
  readonly #queues = new Map<string, FragQueue>();
  readonly #scheduler: Scheduler;
  readonly #drops: DropCounters;
  readonly #onTimeout: (firstFragment: Uint8Array) => void;
  readonly #params: typeof REASSEMBLY_DEFAULTS;
  #memory = 0;
  readonly stats: ReassemblyStats = { requests: 0, oks: 0, fails: 0, timeouts: 0 };

  /** `onTimeout` gets the offset-0 fragment of an expired queue (to send ICMP time exceeded). */
  constructor(scheduler: Scheduler, drops: DropCounters, onTimeout: (firstFragment: Uint8Array) => void, params: Partial<typeof REASSEMBLY_DEFAULTS> = {}) {
    this.#scheduler = scheduler;
    this.#drops = drops;
    this.#onTimeout = onTimeout;
    this.#params = { ...REASSEMBLY_DEFAULTS, ...params };
  }

  /** Datagrams being reassembled. */
  get pending(): number {
    return this.#queues.size;
  }

  /** Bytes of fragment payload held. */
  get memory(): number {
    return this.#memory;
  }

  /** Takes one fragment; returns the whole datagram (a new buffer) when it completes it. */
  add(ip: Ipv4Packet, ifname: string): Uint8Array | undefined {
    this.stats.requests++;
    const key = `${ip.src}/${ip.dst}/${ip.protocol}/${ip.identification}`;
    let q = this.#queues.get(key);
    if (!q) {
      if (this.#memory > this.#params.highThresh) {
        this.#drops.count(DropReason.ReassemblyMemory, ifname);
        this.stats.fails++;
        return undefined;
      }
      q = { key, pieces: [], len: 0, lastIn: false, first: undefined, received: 0, timer: 0 };
      q.timer = this.#scheduler.schedule(this.#params.timeout, this.#expire, q);
      this.#queues.set(key, q);
    }
    const offset = ip.fragmentOffset;
    const data = ip.payload;
    let end = offset + data.length;
    if (!ip.moreFragments) {
      if (end < q.len || (q.lastIn && end !== q.len)) return this.#discard(q, ifname, 'ipv4: bad fragment length');
      q.lastIn = true;
      q.len = end;
    } else {
      // RFC 791: every fragment but the last carries a multiple of 8 bytes; Linux trims the excess.
      end &= ~7;
      if (end > q.len) {
        if (q.lastIn) return this.#discard(q, ifname, 'ipv4: bad fragment length');
        q.len = end;
      }
    }
    if (end <= offset) {
      this.#drops.count('ipv4: empty fragment', ifname);
      return undefined;
    }
    for (const p of q.pieces) {
      if (p.offset === offset && p.end === end) return undefined; // exact duplicate: ignored
      if (offset < p.end && p.offset < end) return this.#discard(q, ifname, DropReason.FragmentOverlap);
    }
    const piece: Piece = { offset, end, data: data.slice(0, end - offset) };
    let i = q.pieces.length;
    while (i > 0 && q.pieces[i - 1]!.offset > offset) i--;
    q.pieces.splice(i, 0, piece);
    q.received += end - offset;
    this.#memory += end - offset;
    if (offset === 0) q.first = ip.packet.slice();
    if (this.#memory > this.#params.highThresh) return this.#discard(q, ifname, DropReason.ReassemblyMemory);
    if (!q.lastIn || q.first === undefined || q.received !== q.len) return undefined;
    return this.#rebuild(q, ifname);
  }

  #rebuild(q: FragQueue, ifname: string): Uint8Array | undefined {
    const first = q.first!;
    const hlen = (first[0]! & 0x0f) * 4;
    if (hlen + q.len > 0xffff) return this.#discard(q, ifname, DropReason.ReassemblyOversize);
    const out = new Uint8Array(hlen + q.len);
    out.set(first.subarray(0, hlen));
    for (const p of q.pieces) out.set(p.data, hlen + p.offset);
    writeU16(out, 2, hlen + q.len);
    // The rebuilt datagram is no fragment: MF and offset clear (DF kept as the first fragment had it).
    writeU16(out, 6, readU16(out, 6) & 0x4000);
    writeU16(out, 10, 0);
    writeU16(out, 10, internetChecksum(out, 0, hlen));
    this.#remove(q);
    this.stats.oks++;
    return out;
  }

  #discard(q: FragQueue, ifname: string, reason: string): undefined {
    this.#remove(q);
    this.stats.fails++;
    this.#drops.count(reason, ifname);
    return undefined;
  }

  #remove(q: FragQueue): void {
    this.#scheduler.cancel(q.timer);
    this.#queues.delete(q.key);
    this.#memory -= q.received;
  }

  readonly #expire = (q: FragQueue): void => {
    if (this.#queues.get(q.key) !== q) return;
    this.#queues.delete(q.key);
    this.#memory -= q.received;
    this.stats.fails++;
    this.stats.timeouts++;
    this.#drops.count(DropReason.ReassemblyTimeout);
    if (q.first) this.#onTimeout(q.first);
  };
}
