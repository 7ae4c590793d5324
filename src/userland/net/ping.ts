/**
 * busybox ping (networking/ping.c, FEATURE_FANCY_PING), as an alpine container runs it:
 *
 *   PING 10.0.0.3 (10.0.0.3): 56 data bytes
 *   64 bytes from 10.0.0.3: seq=0 ttl=64 time=0.267 ms
 *
 *   --- 10.0.0.3 ping statistics ---
 *   3 packets transmitted, 3 packets received, 0% packet loss
 *   round-trip min/avg/max = 0.100/0.158/0.267 ms
 *
 * Options: -c CNT, -s SIZE (56), -i SECS (1), -t TTL, -W SEC (10), -w SEC, -q, -v, -A, -I
 * IFACE/IP, -p HEXBYTE, -n (ignored), -4, -6.
 *
 * What the wire sees (checked against the kernel fixtures): a raw ICMP socket, echo requests
 * with DF (IP_PMTUDISC_WANT), identifier = the pid in network order, sequence from 0, data =
 * the low 32 bits of the monotonic clock in microseconds (little-endian, "no hton: we'll read
 * it back on the same machine") then the pattern byte (0). The RTT printed is now minus that
 * timestamp, read back from the reply, in microseconds.
 *
 * Timing (setitimer/alarm): the next echo goes `-i` seconds after the previous one; after the
 * last of `-c` the process waits `-W` seconds if nothing came back yet, else about two RTTs
 * (tmax / 512 Ki, at least 1 s), then prints the statistics; it stops at once when `-c`
 * replies are in. `-w` is checked each time an echo is about to go.
 *
 * Errors: ICMP errors (unreachable, time exceeded) carry no echo identifier in their header,
 * so busybox drops them as "not our ping": a ping to an unreachable host shows nothing until
 * the statistics, exactly like the fixture's `ping -c 1 -W 1 10.0.0.9`. A name that does not
 * resolve is "ping: bad address 'NAME'"; a sendto error is fatal ("ping: sendto: Network
 * unreachable").
 *
 * Heads up:
 * - The identifier is a pseudo-pid from the process's RNG (net-program.ts), where busybox
 *   uses getpid().
 * - `-w` compares "now ≥ start + SEC": on a real machine each interval timer fires a little
 *   late, so the echo that would go exactly at the deadline never goes ("ping -w 2" sends 2).
 * - IPv6 is disabled in the emulated containers (Docker's default), so an IPv6 destination
 *   prints the PING line and then "ping: sendto: Network unreachable", as it does there.
 */
import { formatIpv4, IcmpType, readU16, type Ipv4 } from '../../wire';
import type { IcmpSendOptions, IcmpSocket, NetInterface, ReceivedIcmp } from '../../stack';
import { sec } from '../../sim';
import { UsageError } from '../usage-error';
import { getopt, parseDurationSeconds, xatoiPositive, xatouRange, INT_MAX } from './command-line';
import { formatHost, parseNumericHost, resolveHost, type SockAddr } from './host-address';
import { pseudoPid, startProcess, type NetProgram } from './net-program';
import type { Stoppable } from './process-scope';
import { errnoOf, strerror } from './socket-errors';

/** busybox ping's constants (DEFDATALEN, MAXWAIT, PINGINTERVAL, MAX_DUP_CHK, MAXIPLEN, MAXICMPLEN). */
export const PING_DEFAULTS = {
  /** -s: data bytes after the 8-byte ICMP header. */
  dataLength: 56,
  /** -i: seconds between echoes. */
  intervalSeconds: 1,
  /** -W: seconds to wait after the last echo when no reply came at all. */
  waitSeconds: 10,
  /** Sequence numbers remembered for duplicate detection. */
  dupCheckWindow: 1024,
  /** The receive buffer holds datalen + MAXIPLEN + MAXICMPLEN bytes; a longer datagram is cut. */
  receiveSlack: 60 + 76,
};

const OPTIONS = 'qvAc:s:t:w:W:I:np:i:46';
const USAGE = 'Usage: ping [OPTIONS] HOST';
const UINT_MAX = 0xffff_ffff;

/** ICMP type names of busybox's warning line. */
function icmpTypeName(type: number): string {
  switch (type) {
    case 0: return 'Echo Reply';
    case 3: return 'Destination Unreachable';
    case 4: return 'Source Quench';
    case 5: return 'Redirect (change route)';
    case 8: return 'Echo Request';
    case 11: return 'Time Exceeded';
    case 12: return 'Parameter Problem';
    case 13: return 'Timestamp Request';
    case 14: return 'Timestamp Reply';
    case 15: return 'Information Request';
    case 16: return 'Information Reply';
    case 17: return 'Address Mask Request';
    case 18: return 'Address Mask Reply';
    default: return 'unknown ICMP type';
  }
}

/** "%u.%03u" of a microsecond count. */
function formatMillis(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

export const ping: NetProgram = (argv, env, io, exit) => {
  const cl = getopt(argv.slice(1), OPTIONS);
  // "=1:q--v:v--q": exactly one operand; of -q and -v the later wins.
  if (cl.operands.length !== 1) throw new UsageError(USAGE);
  const quiet = cl.sequence.filter((c) => c === 'q' || c === 'v').pop() === 'q';
  const value = (c: string): string | undefined => cl.values.get(c);
  const count = value('c') === undefined ? 0 : xatoiPositive(value('c')!);
  const dataLength = value('s') === undefined ? PING_DEFAULTS.dataLength : xatouRange(value('s')!, 0, 0xffff);
  const ttlOption = value('t') === undefined ? 0 : xatoiPositive(value('t')!);
  const deadlineSeconds = value('w') === undefined ? 0 : xatoiPositive(value('w')!);
  const waitSeconds = value('W') === undefined ? PING_DEFAULTS.waitSeconds : xatoiPositive(value('W')!);
  const pattern = value('p') === undefined ? 0 : xatouRange(value('p')!, 0, 255, 16);
  const intervalSeconds = Math.min(
    value('i') === undefined ? PING_DEFAULTS.intervalSeconds : parseDurationSeconds(value('i')!),
    Math.floor(INT_MAX / 1_000_000),
  );
  const intervalUs = Math.floor(intervalSeconds * 1_000_000);
  const adaptive = cl.counts.has('A');
  const family = cl.counts.has('6') ? 'inet6' : cl.counts.has('4') ? 'inet' : 'unspec';
  const hostname = cl.operands[0]!;

  const { scope, resolver } = startProcess(env, io, exit);
  const ns = env.ns;
  const fail = (message: string): void => {
    scope.err(`ping: ${message}\n`);
    scope.exit(1);
  };

  // -I: an interface name binds to the device, anything else must be a numeric source address
  // (checked before the destination is resolved).
  const ifaceName = value('I');
  let bindIface: NetInterface | undefined;
  let source: SockAddr | undefined;
  if (ifaceName !== undefined) {
    bindIface = ns.interface(ifaceName);
    if (bindIface === undefined) {
      const s = parseNumericHost(ifaceName, 0);
      if (!s.ok) {
        fail(s.message);
        return { kill: () => scope.kill() };
      }
      source = s.addr;
    }
  }

  const myId = pseudoPid(env.rng) & 0xffff;
  const start = (target: SockAddr, from: SockAddr | undefined): void => {
    const dotted = formatHost(target);
    scope.out(`PING ${hostname} (${dotted})${from ? ` from ${formatHost(from)}` : ''}: ${dataLength} data bytes\n`);
    if (target.family === 6) {
      fail(`sendto: ${strerror('ENETUNREACH')}`);
      return;
    }
    if (from !== undefined && from.family === 4 && !ns.isLocalAddress(from.ip)) {
      fail(`bind: ${strerror('EADDRNOTAVAIL')}`);
      return;
    }
    runPing(target.ip, from?.family === 4 ? from.ip : undefined);
  };

  let ntransmitted = 0;
  let nreceived = 0;
  let nrepeats = 0;
  let tmin = UINT_MAX;
  let tmax = 0;
  let tsum = 0;
  const received = new Uint8Array(PING_DEFAULTS.dupCheckWindow / 8);
  const startedAt = env.scheduler.now;
  const deadline = deadlineSeconds > 0 ? startedAt + sec(Math.min(deadlineSeconds, Math.floor(INT_MAX / 1_000_000))) : undefined;
  /** ITIMER_REAL: one timer, which setitimer and alarm both replace. */
  let alarm: Stoppable | undefined;
  const setAlarm = (delayNs: number, fn: () => void): void => {
    alarm?.cancel();
    alarm = delayNs > 0 ? scope.after(delayNs, fn) : undefined;
  };

  const printStatsAndExit = (): void => {
    let text = `\n--- ${hostname} ping statistics ---\n${ntransmitted} packets transmitted, ${nreceived} packets received, `;
    if (nrepeats > 0) text += `${nrepeats} duplicates, `;
    const loss = ntransmitted === 0 ? 0 : Math.floor(((ntransmitted - nreceived) * 100) / ntransmitted);
    text += `${loss}% packet loss\n`;
    if (tmin !== UINT_MAX) {
      const tavg = Math.floor(tsum / (nreceived + nrepeats)) >>> 0;
      text += `round-trip min/avg/max = ${formatMillis(tmin)}/${formatMillis(tavg)}/${formatMillis(tmax)} ms\n`;
    }
    scope.out(text);
    scope.exit(nreceived === 0 || (deadline !== undefined && nreceived < count) ? 1 : 0);
  };

  const runPing = (dst: Ipv4, src: Ipv4 | undefined): void => {
    const socket: IcmpSocket = scope.hold(ns.icmp.open());
    // SO_BROADCAST is always on; IP_TTL only takes 1..255 (setsockopt fails otherwise, unchecked).
    if (ttlOption >= 1 && ttlOption <= 255) socket.ttl = ttlOption;
    const sendOptions: IcmpSendOptions = {
      broadcast: true,
      ...(src === undefined ? {} : { src }),
      ...(bindIface === undefined ? {} : { iface: bindIface }),
    };
    const receiveLimit = dataLength + PING_DEFAULTS.receiveSlack;

    const sendPing = (): void => {
      const curUs = Math.floor(env.scheduler.now / 1000) >>> 0;
      const data = new Uint8Array(dataLength).fill(pattern);
      if (dataLength >= 4) {
        data[0] = curUs & 0xff;
        data[1] = (curUs >>> 8) & 0xff;
        data[2] = (curUs >>> 16) & 0xff;
        data[3] = curUs >>> 24;
      }
      const sequence = ntransmitted & 0xffff;
      if (deadline !== undefined && env.scheduler.now >= deadline) {
        printStatsAndExit();
        return;
      }
      const slot = sequence % PING_DEFAULTS.dupCheckWindow;
      received[slot >>> 3] = received[slot >>> 3]! & ~(1 << (slot & 7));
      ntransmitted++;
      try {
        // The code byte is memset with the pattern too (busybox leaves icmp_code alone).
        if (pattern === 0) socket.sendEcho(dst, myId, sequence, data, sendOptions);
        else socket.send(dst, { kind: 'other', type: IcmpType.EchoRequest, code: pattern, rest: ((myId << 16) | sequence) >>> 0, data }, sendOptions);
      } catch (e) {
        fail(`sendto: ${strerror(errnoOf(e))}`);
        return;
      }
      if (count === 0 || ntransmitted < count) {
        setAlarm(intervalUs * 1000, sendPing);
      } else {
        let expire = waitSeconds;
        if (nreceived > 0) expire = Math.max(1, Math.floor(tmax / (512 * 1024)));
        setAlarm(sec(expire), printStatsAndExit);
      }
    };

    const unpackTail = (size: number, timestamp: number | undefined, from: string, sequence: number, ttl: number): void => {
      let triptime = 0;
      if (timestamp !== undefined) {
        const nowUs = Math.floor(env.scheduler.now / 1000) >>> 0;
        triptime = ((nowUs - timestamp) | 0) >>> 0;
        tsum += triptime;
        if (triptime < tmin) tmin = triptime;
        if (triptime > tmax) tmax = triptime;
      }
      const slot = sequence % PING_DEFAULTS.dupCheckWindow;
      const bit = 1 << (slot & 7);
      let dup = false;
      if ((received[slot >>> 3]! & bit) !== 0) {
        nrepeats++;
        dup = true;
      } else {
        received[slot >>> 3] = received[slot >>> 3]! | bit;
        nreceived++;
      }
      if (quiet) return;
      const time = timestamp === undefined ? '' : ` time=${formatMillis(triptime)} ms`;
      scope.out(`${size} bytes from ${from}: seq=${sequence} ttl=${ttl}${time}${dup ? ' (DUP!)' : ''}\n`);
    };

    socket.onMessage((m: ReceivedIcmp) => {
      if (scope.ended) return;
      // recvfrom into a buffer of datalen + 136 bytes.
      const length = Math.min(m.datagram.length, receiveLimit);
      if (length < dataLength + 8) return; // "discard if too short"
      const hlen = (m.datagram[0]! & 0x0f) * 4;
      const size = length - hlen;
      if (size < 8) return;
      const icmp = m.datagram.subarray(hlen, length);
      if (readU16(icmp, 4) !== myId) return; // "not our ping"
      let accepted = false;
      if (icmp[0] === IcmpType.EchoReply) {
        const timestamp = size >= 12 ? (icmp[8]! | (icmp[9]! << 8) | (icmp[10]! << 16) | (icmp[11]! << 24)) >>> 0 : undefined;
        unpackTail(size, timestamp, formatIpv4(m.srcIp), readU16(icmp, 6), m.ttl);
        accepted = true;
      } else if (icmp[0] !== IcmpType.EchoRequest) {
        scope.err(`ping: warning: got ICMP ${icmp[0]} (${icmpTypeName(icmp[0]!)})\n`);
      }
      if (count > 0 && nreceived >= count) {
        printStatsAndExit();
        return;
      }
      if (accepted && adaptive) sendPing();
    });

    sendPing();
  };

  scope.track(resolveHost(resolver, hostname, 0, family, (r) => {
    if (!r.ok) {
      fail(r.message);
      return;
    }
    // A source of the other family is dropped (busybox: "leaking it here...").
    start(r.addr, source?.family === r.addr.family ? source : undefined);
  }));
  return { kill: () => scope.kill() };
};
