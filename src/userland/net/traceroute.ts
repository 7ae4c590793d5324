/**
 * busybox traceroute (networking/traceroute.c), IPv4:
 *
 *   traceroute to 10.1.0.2 (10.1.0.2), 30 hops max, 46 byte packets
 *    1  10.0.0.1  0.006 ms
 *    2  10.9.0.2  0.002 ms
 *    3  10.1.0.2  0.001 ms
 *
 * Without -n each new address is printed "  NAME (ADDR)" (or "  ADDR (ADDR)" when it has no
 * name), through getnameinfo: /etc/hosts, then a PTR query. A probe with no answer in -w
 * seconds (5) prints "  *".
 *
 * Probes (the routed fixture's bytes): UDP datagrams from one ephemeral port to port
 * `-p` (33434) + seq, seq counting from 1 over the whole run, with IP_TTL = the hop, DF (the
 * socket's PMTU default) and 18 bytes of data: seq, ttl, then a zeroed struct timeval; with
 * -I, ICMP echo requests instead (identifier = pid | 0x8000, sequence = seq). A raw ICMP
 * socket reads the answers: a time exceeded in transit or a destination unreachable quoting
 * the probe's destination port (the source port is not checked, as busybox says), or with -I
 * an echo reply with our identifier and sequence.
 *
 * Each unreachable prints its mark after the time: !N !H !P !F-MTU !S !A !C !V !U !I !T !<code>;
 * a port unreachable means the target was reached (" !" when it arrived with TTL ≤ 1). A hop
 * ends the trace when the target was reached or when nearly every probe was unreachable.
 *
 * Options: -n -q N -w SEC -m N -p N -f N -t TOS -l -I -i IFACE -s ADDR -z MSEC -v -F -d -x -4
 * -6, and HOST [BYTES]. Heads up: -F sets IP_DONTFRAG, which Linux does not have, so it
 * changes nothing (the probes carry DF anyway); -d and -x are accepted and ignored as in
 * busybox; -r (SO_DONTROUTE) is not emulated and refused.
 *
 * The wait for a reply is busybox's: poll() with the milliseconds left, which shrink by the
 * whole milliseconds elapsed each time an unrelated packet is read.
 */
import { formatIpv4, IcmpType, IcmpUnreachCode, readU16, type Ipv4 } from '../../wire';
import type { IcmpSocket, NetInterface, ReceivedIcmp, UdpSocket } from '../../stack';
import { ms } from '../../sim';
import { UsageError } from '../usage-error';
import { getopt, xatouRange, INT_MAX } from './command-line';
import { parseNumericHost, resolveHost } from './host-address';
import { pseudoPid, startProcess, type NetProgram } from './net-program';
import type { Stoppable } from './process-scope';
import { errnoOf, strerror } from './socket-errors';

/** busybox traceroute's defaults. */
export const TRACEROUTE_DEFAULTS = {
  maxTtl: 30,
  probes: 3,
  /** Base destination port; probe n goes to port + n. */
  port: 33434,
  /** -w: seconds to wait for each probe's answer (INIT_G; the help text's "default 3" is stale). */
  waitSeconds: 5,
  firstTtl: 1,
  /** IPv4 header + UDP (or ICMP) header + struct outdata_t (seq, ttl, 16-byte timeval). */
  minPacketLength: 20 + 8 + 18,
  maxPacketLength: 32 * 1024,
};

const OPTIONS = 'FIlnrdvxt:i:m:p:q:s:w:z:f:46';
const USAGE = 'Usage: traceroute [-46FIlnrv] [-f 1ST_TTL] [-m MAXTTL] [-q PROBES] [-p PORT] [-t TOS] [-w WAIT_SEC] [-s SRC_IP] [-i IFACE] [-z PAUSE_MSEC] HOST [BYTES]';

/** verbose mode's names of ICMP types (pr_type). */
const ICMP_TYPE_NAMES = [
  'Echo Reply', 'ICMP 1', 'ICMP 2', 'Dest Unreachable', 'Source Quench', 'Redirect', 'ICMP 6', 'ICMP 7',
  'Echo', 'Router Advert', 'Router Solicit', 'Time Exceeded', 'Param Problem', 'Timestamp', 'Timestamp Reply',
  'Info Request', 'Info Reply', 'Mask Request', 'Mask Reply',
];

/** The mark an unreachable code prints, and whether it counts as "unreachable" or as arrival. */
function unreachMark(code: number, nextHopMtu: number): { mark: string; reached: boolean } {
  switch (code) {
    case IcmpUnreachCode.Port: return { mark: '', reached: true };
    case IcmpUnreachCode.Net: return { mark: ' !N', reached: false };
    case IcmpUnreachCode.Host: return { mark: ' !H', reached: false };
    case IcmpUnreachCode.Protocol: return { mark: ' !P', reached: true };
    case IcmpUnreachCode.FragNeeded: return { mark: ` !F-${nextHopMtu}`, reached: false };
    case IcmpUnreachCode.SourceRouteFailed: return { mark: ' !S', reached: false };
    case IcmpUnreachCode.AdminProhibited:
    case IcmpUnreachCode.NetProhibited: return { mark: ' !A', reached: false };
    case IcmpUnreachCode.HostProhibited: return { mark: ' !C', reached: false };
    case 14: return { mark: ' !V', reached: false };
    case 15: return { mark: ' !C', reached: false };
    case IcmpUnreachCode.NetUnknown:
    case IcmpUnreachCode.HostUnknown: return { mark: ' !U', reached: false };
    case 8: return { mark: ' !I', reached: false };
    case 11:
    case 12: return { mark: ' !T', reached: false };
    default: return { mark: ` !<${code}>`, reached: false };
  }
}

function formatDelta(us: number): string {
  const t = us >>> 0;
  return `  ${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')} ms`;
}

export const traceroute: NetProgram = (argv, env, io, exit) => {
  const cl = getopt(argv.slice(1), OPTIONS);
  if (cl.operands.length < 1 || cl.operands.length > 2) throw new UsageError(USAGE);
  if (cl.counts.has('r')) throw new UsageError('-r (SO_DONTROUTE) is not emulated');
  const v = (c: string): string | undefined => cl.values.get(c);
  const useIcmp = cl.counts.has('I');
  const numeric = cl.counts.has('n');
  const showTtl = cl.counts.has('l');
  const verbose = cl.counts.has('v');
  const tos = v('t') === undefined ? undefined : xatouRange(v('t')!, 0, 255);
  const maxTtl = v('m') === undefined ? TRACEROUTE_DEFAULTS.maxTtl : xatouRange(v('m')!, 1, 255);
  const basePort = v('p') === undefined ? TRACEROUTE_DEFAULTS.port : xatouRange(v('p')!, 0, 0xffff);
  const nprobes = v('q') === undefined ? TRACEROUTE_DEFAULTS.probes : xatouRange(v('q')!, 1, INT_MAX);
  const waitSeconds = v('w') === undefined ? TRACEROUTE_DEFAULTS.waitSeconds : xatouRange(v('w')!, 1, 24 * 60 * 60);
  const pauseMs = v('z') === undefined ? 0 : xatouRange(v('z')!, 0, 60 * 60 * 1000);
  const firstTtl = v('f') === undefined ? TRACEROUTE_DEFAULTS.firstTtl : xatouRange(v('f')!, 1, maxTtl);
  const family = cl.counts.has('6') ? 'inet6' : cl.counts.has('4') ? 'inet' : 'unspec';
  const hostText = cl.operands[0]!;
  const packetLength = cl.operands[1] === undefined
    ? TRACEROUTE_DEFAULTS.minPacketLength
    : xatouRange(cl.operands[1], TRACEROUTE_DEFAULTS.minPacketLength, TRACEROUTE_DEFAULTS.maxPacketLength);

  const { scope, resolver } = startProcess(env, io, exit);
  const ns = env.ns;
  const fail = (message: string): void => {
    scope.err(`traceroute: ${message}\n`);
    scope.exit(1);
  };
  const handle = { kill: () => scope.kill() };

  let bindIface: NetInterface | undefined;
  if (v('i') !== undefined) {
    bindIface = ns.interface(v('i')!);
    // setsockopt_bindtodevice complains and carries on unbound.
    if (bindIface === undefined) scope.err(`traceroute: can't bind to interface ${v('i')}: ${strerror('ENODEV')}\n`);
  }
  let source: Ipv4 | undefined;
  if (v('s') !== undefined) {
    const s = parseNumericHost(v('s')!, 0);
    if (!s.ok) {
      fail(s.message);
      return handle;
    }
    if (s.addr.family === 4) {
      if (!ns.isLocalAddress(s.addr.ip)) {
        fail(`bind: ${strerror('EADDRNOTAVAIL')}`);
        return handle;
      }
      source = s.addr.ip;
    }
  }
  const ident = pseudoPid(env.rng);

  scope.track(resolveHost(resolver, hostText, basePort, family, (r) => {
    if (!r.ok) {
      fail(r.message);
      return;
    }
    if (r.addr.family === 6) {
      // traceroute6 first connects a probe socket to pick a source: no IPv6 route anywhere.
      fail(`can't connect to remote host: ${strerror('ENETUNREACH')}`);
      return;
    }
    trace(r.addr.ip);
  }));

  const trace = (dst: Ipv4): void => {
    const receiver: IcmpSocket = scope.hold(ns.icmp.open());
    let udp: UdpSocket | undefined;
    let icmpSender: IcmpSocket | undefined;
    if (useIcmp) {
      icmpSender = scope.hold(ns.icmp.open());
    } else {
      try {
        udp = scope.hold(ns.udp.bind(0, source ?? 0));
      } catch (e) {
        fail(`bind: ${strerror(errnoOf(e))}`);
        return;
      }
      if (tos !== undefined) udp.tos = tos;
      if (bindIface !== undefined) udp.bindIface = bindIface;
    }
    if (icmpSender !== undefined && tos !== undefined) icmpSender.tos = tos;
    const icmpIdent = (ident | 0x8000) & 0xffff;
    const dataLength = packetLength - 28;

    scope.out(`traceroute to ${hostText} (${formatIpv4(dst)})${v('s') !== undefined ? ` from ${v('s')}` : ''}, ${maxTtl} hops max, ${packetLength} byte packets\n`);

    // Packets the raw socket holds until the program reads them (while it prints or resolves).
    const inbox: ReceivedIcmp[] = [];
    let onPacket: (() => void) | undefined;
    receiver.onMessage((m) => {
      inbox.push(m);
      onPacket?.();
    });

    let seq = 0;
    let ttl = firstTtl;
    let probe = 0;
    let unreachable = 0;
    let gotThere = false;
    let lastAddr: Ipv4 | undefined;

    const sendProbe = (): boolean => {
      seq++;
      const data = new Uint8Array(dataLength);
      data[0] = seq & 0xff;
      data[1] = ttl & 0xff;
      try {
        if (udp !== undefined) {
          udp.send(dst, (basePort + seq) & 0xffff, data, { ttl });
        } else {
          icmpSender!.sendEcho(dst, icmpIdent, seq & 0xffff, data, {
            ttl,
            ...(source === undefined ? {} : { src: source }),
            ...(bindIface === undefined ? {} : { iface: bindIface }),
          });
        }
      } catch (e) {
        fail(`sendto: ${strerror(errnoOf(e))}`);
        return false;
      }
      return true;
    };

    /** packet4_ok: -1 for time exceeded, code + 1 for unreachable (or arrival), 0 for "not ours". */
    const classify = (m: ReceivedIcmp): { result: number; nextHopMtu: number } => {
      const d = m.datagram;
      const hlen = (d[0]! & 0x0f) * 4;
      const readLen = d.length - hlen;
      if (readLen < 8) return { result: 0, nextHopMtu: 0 };
      const type = d[hlen]!;
      const code = d[hlen + 1]!;
      const nextHopMtu = code === IcmpUnreachCode.FragNeeded ? readU16(d, hlen + 6) : 0;
      if ((type === IcmpType.TimeExceeded && code === 0) || type === IcmpType.DestUnreachable || type === IcmpType.EchoReply) {
        if (useIcmp && type === IcmpType.EchoReply) {
          if (readU16(d, hlen + 4) === icmpIdent && readU16(d, hlen + 6) === (seq & 0xffff)) {
            return { result: IcmpUnreachCode.Port + 1, nextHopMtu };
          }
        }
        const inner = hlen + 8;
        if (inner < d.length) {
          const innerHlen = (d[inner]! & 0x0f) * 4;
          if (useIcmp) {
            if (innerHlen + 8 <= readLen && d[inner + 9] === 1 /* ICMP */
              && readU16(d, inner + innerHlen + 4) === icmpIdent && readU16(d, inner + innerHlen + 6) === (seq & 0xffff)) {
              return { result: type === IcmpType.TimeExceeded ? -1 : code + 1, nextHopMtu };
            }
          } else if (innerHlen + 12 <= readLen && d[inner + 9] === 17 /* UDP */
            && readU16(d, inner + innerHlen + 2) === ((basePort + seq) & 0xffff)) {
            return { result: type === IcmpType.TimeExceeded ? -1 : code + 1, nextHopMtu };
          }
        }
      }
      if (verbose) {
        let text = `\n${readLen} bytes from ${formatIpv4(m.srcIp)} to ${formatIpv4(m.dstIp)}: icmp type ${type} (${ICMP_TYPE_NAMES[type] ?? 'OUT-OF-RANGE'}) code ${code}\n`;
        // The words after the ICMP header's first four bytes, as the host (little-endian) reads them.
        for (let i = 4, p = hlen + 4; i < readLen; i += 4, p += 4) {
          const w = ((d[p] ?? 0) | ((d[p + 1] ?? 0) << 8) | ((d[p + 2] ?? 0) << 16) | ((d[p + 3] ?? 0) << 24)) >>> 0;
          text += `${String(i).padStart(2, ' ')}: x${w.toString(16).padStart(8, '0')}\n`;
        }
        scope.out(text);
      }
      return { result: 0, nextHopMtu };
    };

    const endHop = (): void => {
      scope.out('\n');
      if (gotThere || (unreachable > 0 && unreachable >= nprobes - 1) || ttl >= maxTtl) {
        scope.exit(0);
        return;
      }
      ttl++;
      probe = 0;
      unreachable = 0;
      gotThere = false;
      lastAddr = undefined;
      startHop();
    };

    const nextProbe = (): void => {
      probe++;
      if (probe >= nprobes) endHop();
      else startProbe();
    };

    /** Prints "  ADDR" or "  NAME (ADDR)" for a new responder, then `then`. */
    const printAddress = (from: Ipv4, readLen: number, to: Ipv4, then: () => void): void => {
      const dotted = formatIpv4(from);
      const tail = verbose ? ` ${readLen} bytes to ${formatIpv4(to)}` : '';
      if (numeric) {
        scope.out(`  ${dotted}${tail}`);
        then();
        return;
      }
      const pending: Stoppable = scope.track(resolver.getnameinfo(from, (name) => {
        scope.settle(pending);
        scope.out(`  ${name ?? dotted} (${dotted})${tail}`);
        then();
      }));
    };

    const startProbe = (): void => {
      if (probe !== 0 && pauseMs > 0) {
        scope.after(ms(pauseMs), sendAndWait);
        return;
      }
      sendAndWait();
    };

    const sendAndWait = (): void => {
      if (!sendProbe()) return;
      const t1 = Math.floor(env.scheduler.now / 1000) >>> 0;
      let stamp = t1;
      let leftMs = waitSeconds * 1000;
      let timer: Stoppable | undefined;
      const finish = (): void => {
        onPacket = undefined;
        timer?.cancel();
      };
      const timeout = (): void => {
        finish();
        scope.out('  *');
        nextProbe();
      };
      const arm = (): void => {
        timer?.cancel();
        // poll(…, left_ms) is not even tried once left_ms went negative.
        timer = leftMs >= 0 ? scope.after(ms(leftMs), timeout) : scope.after(0, timeout);
      };
      const drain = (): void => {
        while (inbox.length > 0) {
          const m = inbox.shift()!;
          const t2 = Math.floor(env.scheduler.now / 1000) >>> 0;
          leftMs -= Math.floor(((t2 - stamp) >>> 0) / 1000);
          stamp = t2;
          const { result, nextHopMtu } = classify(m);
          if (result === 0) continue; // not ours: keep waiting with what is left
          finish();
          const readLen = m.datagram.length;
          const report = (): void => {
            let text = formatDelta(t2 - t1);
            if (showTtl) text += ` (${m.ttl})`;
            if (result !== -1) {
              const { mark, reached } = unreachMark(result - 1, nextHopMtu);
              if (result - 1 === IcmpUnreachCode.Port) {
                if (m.ttl <= 1) text += ' !';
                gotThere = true;
              } else {
                text += mark;
                if (reached) gotThere = true;
                else unreachable++;
              }
            }
            scope.out(text);
            nextProbe();
          };
          if (lastAddr !== m.srcIp) {
            lastAddr = m.srcIp;
            printAddress(m.srcIp, readLen - (m.datagram[0]! & 0x0f) * 4, m.dstIp, report);
          } else {
            report();
          }
          return;
        }
        if (leftMs < 0) {
          timeout();
          return;
        }
        arm();
      };
      onPacket = drain;
      drain();
    };

    const startHop = (): void => {
      scope.out(String(ttl).padStart(2, ' '));
      startProbe();
    };

    startHop();
  };

  return handle;
};
