/**
 * The neighbour (ARP) table of a namespace (`ip neigh`), with Linux's NUD state machine
 * (net/core/neighbour.c) for IPv4 over Ethernet.
 *
 *   (none)/FAILED --output--> INCOMPLETE --reply--> REACHABLE --reachable_time--> STALE
 *   INCOMPLETE --3 broadcast requests, 1 s apart, unanswered--> FAILED (queued datagrams are
 *       dropped and each gets an ICMP host unreachable back to its sender)
 *   STALE --output--> DELAY --5 s without confirmation--> PROBE --3 unicast requests--> FAILED
 *   DELAY/PROBE --reply--> REACHABLE
 *   REACHABLE at expiry: DELAY when used in the last delay_first_probe_time, else STALE
 *   PERMANENT / NOARP: static (`ip neigh add … permanent`), never probed, never aged.
 *
 * Choices (Linux leaves these to sysctls or randomness):
 * - reachable_time is drawn per interface uniformly in [base/2, 3·base/2) (neigh_rand_reach_time)
 *   from the namespace's 'neigh' RNG fork and redrawn every 300 s, as neigh_periodic_work does.
 * - The unresolved queue holds at most 3 datagrams per neighbour: the classic `unres_qlen = 3`
 *   (Linux ≥ 3.3 limits by bytes, unres_qlen_bytes, which holds many more); when it is full the
 *   oldest datagram is dropped (neigh_event_send drops from the head).
 * - Garbage collection happens only when the table exceeds gc_thresh3 (1024 entries): FAILED
 *   entries and entries not updated for 5 s are evicted (neigh_forced_gc); the periodic
 *   gc_stale_time sweep is not modelled, so entries stay listed until then.
 * - Upper-layer confirmation (TCP's dst_confirm) does not exist here: only ARP replies confirm.
 */
import { assertNever, writeU48, type Ipv4, type Mac } from '../wire';
import { sec, type EventId, type Nanos, type Rng, type Scheduler } from '../sim';
import type { NetInterface } from './net-interface';
import type { DropCounters } from './drop-counters';
import { DropReason } from './drop-counters';
import { StackError } from './stack-error';

export type NeighbourState = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'permanent' | 'noarp';

/** Linux's ARP defaults (net.ipv4.neigh.default.*), in simulated nanoseconds. */
export const NEIGHBOUR_DEFAULTS = {
  /** mcast_solicit: broadcast requests before an INCOMPLETE entry fails. */
  mcastSolicit: 3,
  /** ucast_solicit: unicast requests in PROBE before the entry fails. */
  ucastSolicit: 3,
  /** retrans_time_ms: the gap between two requests. */
  retransTime: sec(1),
  /** base_reachable_time_ms: reachable_time is drawn in [base/2, 3·base/2). */
  baseReachableTime: sec(30),
  /** How often reachable_time is redrawn (neigh_periodic_work). */
  reachableTimeRedraw: sec(300),
  /** delay_first_probe_time: DELAY lasts this long before probing. */
  delayFirstProbeTime: sec(5),
  /** unres_qlen: datagrams queued per unresolved neighbour (see the file comment). */
  unresQlen: 3,
  /** locktime: a different MAC from a non-gratuitous ARP is ignored within this time of the last update. */
  locktime: sec(1),
  /** gc_thresh3: the most entries the table holds. */
  gcThresh3: 1024,
  /** neigh_forced_gc evicts entries not updated for this long. */
  forcedGcAge: sec(5),
};
export type NeighbourParams = typeof NEIGHBOUR_DEFAULTS;

/** One entry, as `ip neigh show` lists it. */
export interface NeighbourEntry {
  readonly ip: Ipv4;
  readonly iface: NetInterface;
  /** The link-layer address; undefined while INCOMPLETE (and FAILED without a former address). */
  readonly mac: Mac | undefined;
  readonly state: NeighbourState;
  /** Requests sent in the current INCOMPLETE/PROBE round. */
  readonly probes: number;
  /** Datagrams waiting for resolution. */
  readonly queued: number;
  /** Simulated time of the last confirmation (ARP reply), of the last state/address change, of the last use. */
  readonly confirmed: Nanos;
  readonly updated: Nanos;
  readonly used: Nanos;
}

/** What the table needs from the namespace: send ARP requests, send frames, report failures. */
export interface NeighbourHooks {
  /**
   * Sends an ARP request for `entry.ip` on `entry.iface`, broadcast when `dstMac` is undefined.
   * `trigger` is the newest datagram waiting (its source address picks the request's sender IP).
   */
  solicit(iface: NetInterface, targetIp: Ipv4, dstMac: Mac | undefined, trigger: Uint8Array | undefined): void;
  /** A datagram whose neighbour failed: send ICMP host unreachable to its sender. `frame` has the IP datagram at offset 14. */
  unreachable(frame: Uint8Array, iface: NetInterface): void;
}

class Entry implements NeighbourEntry {
  mac: Mac | undefined = undefined;
  state: NeighbourState = 'incomplete';
  probes = 0;
  queue: Uint8Array[] = [];
  confirmed: Nanos;
  updated: Nanos;
  used: Nanos;
  timer: EventId | undefined = undefined;
  constructor(readonly ip: Ipv4, readonly iface: NetInterface, now: Nanos, baseReachable: Nanos) {
    // neigh_alloc: "confirmed" starts well in the past, so a new entry is never taken as confirmed.
    this.confirmed = now - 2 * baseReachable;
    this.updated = now;
    this.used = now;
  }
  get queued(): number {
    return this.queue.length;
  }
}

function keyOf(ifindex: number, ip: Ipv4): number {
  return ifindex * 0x1_0000_0000 + ip;
}

const VALID: ReadonlySet<NeighbourState> = new Set(['reachable', 'stale', 'delay', 'probe', 'permanent', 'noarp']);

export class NeighbourTable {
  readonly #entries = new Map<number, Entry>();
  readonly #scheduler: Scheduler;
  readonly #rng: Rng;
  readonly #drops: DropCounters;
  readonly #hooks: NeighbourHooks;
  readonly #params: NeighbourParams;
  /** Per ifindex: the current reachable_time and when it was drawn. */
  readonly #reachable = new Map<number, { time: Nanos; drawnAt: Nanos }>();
  readonly #onTimer = (e: Entry): void => this.#timerFired(e);

  constructor(scheduler: Scheduler, rng: Rng, drops: DropCounters, hooks: NeighbourHooks, params: Partial<NeighbourParams> = {}) {
    this.#scheduler = scheduler;
    this.#rng = rng;
    this.#drops = drops;
    this.#hooks = hooks;
    this.#params = { ...NEIGHBOUR_DEFAULTS, ...params };
  }

  get params(): Readonly<NeighbourParams> {
    return this.#params;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The interface's current reachable_time (drawn in [base/2, 3·base/2), redrawn every 300 s). */
  reachableTime(iface: NetInterface): Nanos {
    const now = this.#scheduler.now;
    let r = this.#reachable.get(iface.ifindex);
    if (!r || now - r.drawnAt >= this.#params.reachableTimeRedraw) {
      const base = this.#params.baseReachableTime;
      r = { time: Math.floor(base / 2) + this.#rng.int(base), drawnAt: now };
      this.#reachable.set(iface.ifindex, r);
    }
    return r.time;
  }

  /**
   * Sends `frame` (an Ethernet frame whose source MAC and EtherType are written, the IP
   * datagram at offset 14) to `nextHop` on `iface`: at once when the neighbour is known, or
   * queued while ARP resolves it (neigh_resolve_output).
   */
  output(iface: NetInterface, nextHop: Ipv4, frame: Uint8Array): void {
    let e = this.#entries.get(keyOf(iface.ifindex, nextHop));
    const now = this.#scheduler.now;
    if (e === undefined) {
      const created = this.#create(iface, nextHop);
      if (!created) {
        this.#drops.count(DropReason.NeighbourTableOverflow, iface.name, frame);
        return;
      }
      e = created;
    }
    e.used = now;
    switch (e.state) {
      case 'reachable':
      case 'delay':
      case 'probe':
      case 'permanent':
      case 'noarp':
        this.#transmit(e, frame);
        return;
      case 'stale':
        // __neigh_event_send: first use of a stale entry starts the DELAY timer.
        this.#setState(e, 'delay');
        this.#arm(e, now + this.#params.delayFirstProbeTime);
        this.#transmit(e, frame);
        return;
      case 'failed':
        // A new datagram restarts resolution from scratch (__neigh_event_send on NUD_FAILED).
        e.mac = undefined;
        this.#enqueue(e, frame);
        this.#startResolution(e);
        return;
      case 'incomplete':
        this.#enqueue(e, frame);
        if (e.timer === undefined) this.#startResolution(e);
        return;
      default:
        assertNever(e.state, 'neighbour state');
    }
  }

  /** The entry for (iface, ip), if any. */
  lookup(iface: NetInterface, ip: Ipv4): NeighbourEntry | undefined {
    return this.#entries.get(keyOf(iface.ifindex, ip));
  }

  /** Every entry, ordered by ifindex then address (what `ip neigh show` iterates). */
  entries(): NeighbourEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.iface.ifindex - b.iface.ifindex || a.ip - b.ip);
  }

  /**
   * `ip neigh add|replace IP lladdr MAC dev IF nud STATE`: an administrative entry. `add`
   * refuses an existing entry (EEXIST); `replace` overwrites it.
   */
  set(iface: NetInterface, ip: Ipv4, mac: Mac, state: 'permanent' | 'noarp' | 'reachable' | 'stale', mode: 'add' | 'replace' = 'replace'): NeighbourEntry {
    const key = keyOf(iface.ifindex, ip);
    let e = this.#entries.get(key);
    if (e && mode === 'add') throw new StackError('EEXIST', 'neighbour add');
    if (!e) {
      e = new Entry(ip, iface, this.#scheduler.now, this.#params.baseReachableTime);
      this.#entries.set(key, e);
    }
    this.#cancel(e);
    const wasValid = VALID.has(e.state);
    e.mac = mac;
    this.#setState(e, state);
    if (state === 'reachable') {
      e.confirmed = this.#scheduler.now;
      this.#arm(e, this.#scheduler.now + this.reachableTime(iface));
    }
    if (!wasValid) this.#flush(e);
    return e;
  }

  /** `ip neigh del`: throws ENOENT when there is no entry. */
  delete(iface: NetInterface, ip: Ipv4): void {
    const key = keyOf(iface.ifindex, ip);
    const e = this.#entries.get(key);
    if (!e) throw new StackError('ENOENT', 'neighbour del');
    this.#cancel(e);
    this.#entries.delete(key);
  }

  /** Removes every entry of an interface (neigh_ifdown: link down or device gone); queued datagrams are dropped. */
  flushInterface(iface: NetInterface): void {
    for (const [key, e] of this.#entries) {
      if (e.iface !== iface) continue;
      this.#cancel(e);
      for (const f of e.queue) this.#drops.count(DropReason.LinkDown, iface.name, f);
      e.queue = [];
      this.#entries.delete(key);
    }
  }

  /**
   * An ARP request for one of our addresses came from (ip, mac) (neigh_event_ns): create or
   * update the entry as STALE, so that our reply, and our own traffic to that host, needs no
   * ARP exchange of its own.
   */
  learnFromRequest(iface: NetInterface, ip: Ipv4, mac: Mac): void {
    let e = this.#entries.get(keyOf(iface.ifindex, ip));
    if (!e) {
      e = this.#create(iface, ip);
      if (!e) return;
      e.state = 'failed'; // "none": not valid, nothing pending
    }
    this.update(e, mac, 'stale', true);
  }

  /** An ARP packet about an existing entry (arp_process → neigh_update). */
  received(iface: NetInterface, ip: Ipv4, mac: Mac, state: 'reachable' | 'stale', override: boolean): void {
    const e = this.#entries.get(keyOf(iface.ifindex, ip));
    if (e) this.update(e, mac, state, override);
  }

  /** Whether an ARP packet may change the MAC of (iface, ip) now (the locktime rule). */
  withinLocktime(iface: NetInterface, ip: Ipv4): boolean {
    const e = this.#entries.get(keyOf(iface.ifindex, ip));
    return e !== undefined && this.#scheduler.now <= e.updated + this.#params.locktime;
  }

  /** neigh_update(), for the states ARP can bring. */
  update(entry: NeighbourEntry, mac: Mac, state: 'reachable' | 'stale', override: boolean): void {
    const e = entry as Entry;
    if (e.state === 'permanent' || e.state === 'noarp') return; // only the administrator changes those
    const now = this.#scheduler.now;
    const wasValid = VALID.has(e.state);
    let newState: NeighbourState = state;
    if (state === 'reachable') e.confirmed = now;
    if (wasValid) {
      if (mac !== e.mac && !override) return;
      // "If entry was valid and address is not changed, do not change entry state, if new one is STALE."
      if (mac === e.mac && state === 'stale') newState = e.state;
    }
    if (mac !== e.mac) e.updated = now;
    e.mac = mac;
    if (newState !== e.state) {
      this.#cancel(e);
      this.#setState(e, newState);
      if (newState === 'reachable') this.#arm(e, now + this.reachableTime(e.iface));
    } else if (state === 'reachable') {
      // A fresh confirmation of a REACHABLE entry: its expiry moves with `confirmed`.
      this.#cancel(e);
      this.#arm(e, now + this.reachableTime(e.iface));
    }
    if (!wasValid) this.#flush(e);
  }

  #create(iface: NetInterface, ip: Ipv4): Entry | undefined {
    if (this.#entries.size >= this.#params.gcThresh3 && !this.#forcedGc()) return undefined;
    const e = new Entry(ip, iface, this.#scheduler.now, this.#params.baseReachableTime);
    this.#entries.set(keyOf(iface.ifindex, ip), e);
    return e;
  }

  /** neigh_forced_gc: evict FAILED entries and entries idle for 5 s; true when room was made. */
  #forcedGc(): boolean {
    const now = this.#scheduler.now;
    const before = this.#entries.size;
    for (const [key, e] of this.#entries) {
      if (e.state === 'permanent' || e.state === 'noarp' || e.queue.length > 0) continue;
      if (e.state === 'failed' || now - e.updated > this.#params.forcedGcAge) {
        this.#cancel(e);
        this.#entries.delete(key);
      }
    }
    return this.#entries.size < before;
  }

  #enqueue(e: Entry, frame: Uint8Array): void {
    if (e.queue.length >= this.#params.unresQlen) {
      this.#drops.count(DropReason.NeighbourQueueOverflow, e.iface.name, e.queue.shift());
    }
    e.queue.push(frame);
  }

  #startResolution(e: Entry): void {
    this.#cancel(e);
    this.#setState(e, 'incomplete');
    e.probes = 0;
    // The first request goes out at once; the timer sends the next ones retrans_time apart.
    this.#arm(e, this.#scheduler.now + this.#params.retransTime);
    this.#probe(e);
  }

  #probe(e: Entry): void {
    e.probes++;
    // arp_solicit: INCOMPLETE asks by broadcast; PROBE asks the known address by unicast.
    this.#hooks.solicit(e.iface, e.ip, e.state === 'probe' ? e.mac : undefined, e.queue[e.queue.length - 1]);
  }

  #timerFired(e: Entry): void {
    e.timer = undefined;
    if (this.#entries.get(keyOf(e.iface.ifindex, e.ip)) !== e) return;
    const now = this.#scheduler.now;
    const p = this.#params;
    switch (e.state) {
      case 'reachable': {
        const expiry = e.confirmed + this.reachableTime(e.iface);
        if (now < expiry) {
          this.#arm(e, expiry);
        } else if (now <= e.used + p.delayFirstProbeTime) {
          this.#setState(e, 'delay');
          this.#arm(e, now + p.delayFirstProbeTime);
        } else {
          this.#setState(e, 'stale');
        }
        return;
      }
      case 'delay':
        if (now <= e.confirmed + p.delayFirstProbeTime) {
          this.#setState(e, 'reachable');
          this.#arm(e, e.confirmed + this.reachableTime(e.iface));
        } else {
          this.#setState(e, 'probe');
          e.probes = 0;
          this.#arm(e, now + p.retransTime);
          this.#probe(e);
        }
        return;
      case 'incomplete':
      case 'probe': {
        const max = e.state === 'incomplete' ? p.mcastSolicit : p.ucastSolicit;
        if (e.probes >= max) {
          this.#fail(e);
          return;
        }
        this.#arm(e, now + p.retransTime);
        this.#probe(e);
        return;
      }
      case 'stale':
      case 'failed':
      case 'permanent':
      case 'noarp':
        return;
      default:
        assertNever(e.state, 'neighbour state');
    }
  }

  /** neigh_invalidate: FAILED, and every queued datagram is reported unreachable and dropped. */
  #fail(e: Entry): void {
    this.#setState(e, 'failed');
    const queue = e.queue;
    e.queue = [];
    for (const frame of queue) {
      this.#drops.count(DropReason.NeighbourFailed, e.iface.name, frame);
      this.#hooks.unreachable(frame, e.iface);
    }
  }

  /** Sends what waited for resolution, through the normal output path (it may move STALE to DELAY). */
  #flush(e: Entry): void {
    if (e.queue.length === 0) return;
    const queue = e.queue;
    e.queue = [];
    for (const frame of queue) this.output(e.iface, e.ip, frame);
  }

  #transmit(e: Entry, frame: Uint8Array): void {
    writeU48(frame, 0, e.mac!);
    e.iface.transmit(frame);
  }

  #setState(e: Entry, state: NeighbourState): void {
    if (e.state !== state) e.updated = this.#scheduler.now;
    e.state = state;
  }

  #arm(e: Entry, at: Nanos): void {
    if (e.timer !== undefined) this.#scheduler.cancel(e.timer);
    e.timer = this.#scheduler.scheduleAt(Math.max(at, this.#scheduler.now), this.#onTimer, e);
  }

  #cancel(e: Entry): void {
    if (e.timer !== undefined) {
      this.#scheduler.cancel(e.timer);
      e.timer = undefined;
    }
  }
}
