/**
 * The traffic of the benchmark workloads: UDP streams whose every datagram can be checked on
 * arrival.
 *
 * Payload layout (BENCH.md: 64-byte payloads; longer payloads extend the pattern):
 *
 *    0..3   magic "cnmb"
 *    4..7   flow id (one per sender)
 *    8..11  sequence number, 0 .. count-1
 *   12..n-1 a pattern that depends on the flow and the byte's offset
 *
 * Every byte is checked on arrival, so no checksum is needed: a changed magic, flow or pattern
 * byte is caught at once; a changed sequence number makes that datagram a duplicate or out of
 * range, and the original number is then missing at the end. (The receiving stack has already
 * verified the UDP checksum, which a corruption on the wire would fail first.)
 *
 * A `DatagramStream` sends `count` datagrams from one socket, one every `interval`, starting at
 * `start`; it scheduled itself with one callback made at construction and reuses one payload
 * buffer (the stack copies it into the frame), so the harness adds no allocation per datagram.
 * A `StreamChecker` is the receiving side of any number of flows: it checks magic, checksum,
 * pattern, source address and port, sequence range and duplicates, and counts deliveries. The
 * first fault is kept (with how many there were) and reported by `verify`, which throws
 * `BenchCheckError` unless every flow delivered exactly its count.
 */
import type { Nanos, Scheduler } from '../sim';
import type { Ipv4 } from '../wire';
import { formatIpv4 } from '../wire';
import type { UdpSocket } from '../stack';
import { BenchCheckError } from './bench-error';

/** Defaults of the benchmark streams. */
export const DATAGRAM_STREAM_DEFAULTS = {
  /** BENCH.md: every workload sends UDP datagrams with a 64-byte payload. */
  payloadBytes: 64,
  /** The discard port (RFC 863), as ns-3's reference programs use. */
  dstPort: 9,
} as const;

const MAGIC = 0x636e_6d62; // "cnmb"
const HEADER_BYTES = 12;

function patternByte(flow: number, k: number): number {
  return (flow * 29 + k * 7 + 0x5a) & 0xff;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export interface DatagramStreamOptions {
  readonly flow: number;
  readonly socket: UdpSocket;
  readonly dstIp: Ipv4;
  readonly dstPort?: number;
  readonly count: number;
  readonly start: Nanos;
  readonly interval: Nanos;
  readonly payloadBytes?: number;
}

export class DatagramStream {
  readonly flow: number;
  readonly count: number;
  /** Datagrams handed to the socket so far. */
  sent = 0;
  readonly #socket: UdpSocket;
  readonly #dstIp: Ipv4;
  readonly #dstPort: number;
  readonly #interval: Nanos;
  readonly #payload: Uint8Array;
  readonly #scheduler: Scheduler;

  constructor(scheduler: Scheduler, opts: DatagramStreamOptions) {
    const bytes = opts.payloadBytes ?? DATAGRAM_STREAM_DEFAULTS.payloadBytes;
    if (bytes < HEADER_BYTES) throw new RangeError(`payload of ${bytes} bytes is too short for the check fields`);
    this.#scheduler = scheduler;
    this.flow = opts.flow;
    this.count = opts.count;
    this.#socket = opts.socket;
    this.#dstIp = opts.dstIp;
    this.#dstPort = opts.dstPort ?? DATAGRAM_STREAM_DEFAULTS.dstPort;
    this.#interval = opts.interval;
    this.#payload = new Uint8Array(bytes);
    writeU32(this.#payload, 0, MAGIC);
    writeU32(this.#payload, 4, opts.flow);
    for (let k = HEADER_BYTES; k < bytes; k++) this.#payload[k] = patternByte(opts.flow, k);
    if (opts.count > 0) scheduler.scheduleAt(opts.start, this.#sendNext);
  }

  /** When the last datagram leaves (the time of the stream's last event). */
  static lastSendTime(opts: { start: Nanos; interval: Nanos; count: number }): Nanos {
    return opts.start + Math.max(0, opts.count - 1) * opts.interval;
  }

  readonly #sendNext = (): void => {
    const p = this.#payload;
    writeU32(p, 8, this.sent);
    this.#socket.send(this.#dstIp, this.#dstPort, p);
    this.sent++;
    if (this.sent < this.count) this.#scheduler.schedule(this.#interval, this.#sendNext);
  };
}

/** What a checker expects of one flow. */
export interface ExpectedFlow {
  readonly flow: number;
  readonly count: number;
  readonly srcIp: Ipv4;
  readonly srcPort: number;
  /** The address the datagrams are sent to (the receiving socket may be a wildcard). */
  readonly dstIp: Ipv4;
}

export const STREAM_CHECKER_LIMITS = {
  /** Flow ids index an array, so they stay small. */
  maxFlowId: 0xffff,
} as const;

interface FlowState extends ExpectedFlow {
  received: number;
  seen: Uint8Array;
}

export class StreamChecker {
  readonly #workload: string;
  /** Indexed by flow id (small integers: an array beats a Map on every datagram). */
  readonly #flows: (FlowState | undefined)[] = [];
  readonly #payloadBytes: number;
  /** Datagrams that passed every check. */
  delivered = 0;
  #faults = 0;
  #firstFault: string | undefined;

  constructor(workload: string, payloadBytes: number = DATAGRAM_STREAM_DEFAULTS.payloadBytes) {
    this.#workload = workload;
    this.#payloadBytes = payloadBytes;
  }

  expect(flow: ExpectedFlow): void {
    if (!Number.isInteger(flow.flow) || flow.flow < 0 || flow.flow > STREAM_CHECKER_LIMITS.maxFlowId) throw new RangeError(`flow id ${flow.flow} is not in 0..${STREAM_CHECKER_LIMITS.maxFlowId}`);
    if (this.#flows[flow.flow] !== undefined) throw new Error(`flow ${flow.flow} is expected twice`);
    this.#flows[flow.flow] = { ...flow, received: 0, seen: new Uint8Array(flow.count) };
  }

  /** The total the flows expect. */
  get expected(): number {
    let n = 0;
    for (const f of this.#flows) if (f !== undefined) n += f.count;
    return n;
  }

  /** A socket's receive callback: give it to `socket.onMessage`. */
  readonly receive = (payload: Uint8Array, srcIp: Ipv4, srcPort: number, dstIp: Ipv4): void => {
    const n = payload.length;
    if (n !== this.#payloadBytes) return this.#fault(`a datagram of ${n} bytes, not ${this.#payloadBytes}`);
    if (readU32(payload, 0) !== MAGIC) return this.#fault('a datagram without the benchmark magic');
    const flowId = readU32(payload, 4);
    const f = flowId < this.#flows.length ? this.#flows[flowId] : undefined;
    if (f === undefined) return this.#fault(`a datagram of flow ${flowId}, which this receiver does not expect`);
    for (let k = HEADER_BYTES; k < n; k++) {
      if (payload[k] !== patternByte(flowId, k)) return this.#fault(`flow ${flowId}: payload byte ${k} differs from the pattern`);
    }
    if (srcIp !== f.srcIp || srcPort !== f.srcPort || dstIp !== f.dstIp) {
      return this.#fault(`flow ${flowId}: from ${formatIpv4(srcIp)}:${srcPort} to ${formatIpv4(dstIp)}, expected ${formatIpv4(f.srcIp)}:${f.srcPort} to ${formatIpv4(f.dstIp)}`);
    }
    const seq = readU32(payload, 8);
    if (seq >= f.count) return this.#fault(`flow ${flowId}: sequence number ${seq} beyond the ${f.count} sent`);
    if (f.seen[seq] !== 0) return this.#fault(`flow ${flowId}: datagram ${seq} arrived twice`);
    f.seen[seq] = 1;
    f.received++;
    this.delivered++;
  };

  /** Throws BenchCheckError unless every flow delivered all its datagrams and nothing was wrong. */
  verify(): void {
    if (this.#faults > 0) {
      throw new BenchCheckError(this.#workload, `${this.#faults} bad datagram(s); the first: ${this.#firstFault}`);
    }
    for (const f of this.#flows) {
      if (f === undefined || f.received === f.count) continue;
      let firstMissing = f.seen.indexOf(0);
      if (firstMissing < 0) firstMissing = f.count;
      throw new BenchCheckError(this.#workload,
        `flow ${f.flow} (${formatIpv4(f.srcIp)} → ${formatIpv4(f.dstIp)}) delivered ${f.received} of ${f.count} datagrams; the first missing is number ${firstMissing}`);
    }
  }

  #fault(what: string): void {
    this.#faults++;
    this.#firstFault ??= what;
  }
}
