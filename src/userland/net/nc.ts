/**
 * busybox nc in its netcat-1.10 form (nc_bloaty.c, NC_110_COMPAT, which alpine builds), UDP
 * only: cnmlab has no TCP yet, and a step has no standard input (as `docker exec` without -i:
 * stdin is at end of file from the start). What that leaves, exactly as the real tool behaves:
 *
 * - `nc -u -l -p PORT [-w SEC] [-v] [HOST [PORT]]`: listens on PORT, waits for the first
 *   datagram (at most -w seconds, else "nc: timeout", status 1), connects the socket to its
 *   sender (or to HOST PORT when given) and prints every datagram from that peer to stdout,
 *   byte for byte; with -w it exits 0 at the second time SEC seconds pass without a datagram,
 *   without -w it runs until killed. -v: "listening on [::]:PORT ..." and "connect to LOCAL from NAME (PEER)" on stderr
 *   (busybox opens an IPv6 socket, so addresses print as IPv4-mapped IPv6).
 * - `nc -zu -w SEC [-v] HOST PORT`: the UDP port probe: one NUL byte, SEC seconds, another NUL
 *   byte; an ICMP port unreachable in between makes the second write fail: "nc: HOST
 *   (ADDR:PORT): Connection refused", status 1; otherwise status 0 and, with -v, "HOST
 *   (ADDR:PORT) open". (Without -w busybox times the wait with a TCP connect: refused here.)
 * - `nc -u [-w SEC] HOST PORT`: connects, sends nothing (stdin is empty), prints whatever the
 *   peer sends; with -w exits 0 at the second silent period of SEC.
 *
 * Options: -u -l -p PORT -s ADDR -w SEC -v (-vv) -n -b -k -z -i SEC. Refused with a clear
 * message: TCP (no -u), -e PROG, -o FILE.
 *
 * Heads up: with -w, busybox's main loop gives up at its second poll() timeout (netretry),
 * counted over the whole run: with no data at all that is 2 × SEC.
 */
import { formatIpv4, type Ipv4 } from '../../wire';
import type { UdpSocket } from '../../stack';
import { sec } from '../../sim';
import { UsageError } from '../usage-error';
import { getopt, xatoiPositive, xatouRange } from './command-line';
import { ConnectedUdp } from './connected-udp';
import { formatSockAddr, parseNumericHost, resolveHost, type SockAddr } from './host-address';
import { startProcess, type NetProgram } from './net-program';
import type { Stoppable } from './process-scope';
import { errnoOf, hardIcmpErrno, strerror, type Errno } from './socket-errors';

const OPTIONS = 'np:s:ubvw:lki:o:ze:';
const USAGE = 'Usage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen';

/** What the byte stream of a datagram prints as (a terminal shows UTF-8). */
const decoder = new TextDecoder();

/** An IPv4 address as busybox's IPv6 listening socket sees it: "[::ffff:10.0.0.3]:41234". */
function mappedText(ip: Ipv4, port: number): string {
  return `[::ffff:${formatIpv4(ip)}]:${port}`;
}

/** bb_lookup_port: a number 0..65535 (no /etc/services in the emulated containers). */
function lookupPort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || Number(text) > 0xffff) throw new UsageError(`bad port '${text}'`);
  return Number(text);
}

/** Where readwrite's network reads come from: a connected socket's datagrams and errors. */
interface DatagramSource {
  listen(handlers: { onDatagram(payload: Uint8Array): void; onError(errno: Errno): void }): void;
}

/** The listener's socket once connected to its peer: hard ICMP errors end its reads, as sk_err does. */
function sourceOf(socket: UdpSocket): DatagramSource {
  return {
    listen: (h) => {
      socket.onMessage((payload) => h.onDatagram(payload));
      socket.onError((err) => {
        const errno = hardIcmpErrno(err);
        if (errno !== undefined) h.onError(errno);
      });
    },
  };
}

export const nc: NetProgram = (argv, env, io, exit) => {
  const cl = getopt(argv.slice(1), OPTIONS);
  if (cl.counts.has('e')) throw new UsageError('-e PROG is not emulated');
  if (cl.counts.has('o')) throw new UsageError('-o FILE is not emulated');
  if (!cl.counts.has('u')) throw new UsageError('TCP is not emulated yet: only UDP (-u) works');
  if (cl.operands.length > 2) throw new UsageError(USAGE);
  const verbose = cl.counts.get('v') ?? 0;
  const listen = (cl.counts.get('l') ?? 0) + (cl.counts.has('k') ? 2 : 0) > 0;
  const zero = cl.counts.has('z');
  const wait = cl.values.has('w') ? xatoiPositive(cl.values.get('w')!) : 0;
  const interval = cl.values.has('i') ? xatouRange(cl.values.get('i')!, 1, 0xffff) : 0;
  const localPort = lookupPort(cl.values.get('p'));
  const hostText = cl.operands[0];
  const remotePort = lookupPort(cl.operands[1]);
  if (!listen && hostText === undefined) throw new UsageError(USAGE);
  if (zero && !listen && wait === 0) throw new UsageError('-z -u without -w times its wait with a TCP connect, and TCP is not emulated yet');

  const { scope, resolver } = startProcess(env, io, exit);
  const handle = { kill: () => scope.kill() };
  const fail = (message: string): void => {
    scope.err(`nc: ${message}\n`);
    scope.exit(1);
  };
  let localAddress: Ipv4 = 0;
  if (cl.values.has('s')) {
    const s = parseNumericHost(cl.values.get('s')!, localPort);
    if (!s.ok || s.addr.family !== 4) {
      fail(s.ok ? `bind: ${strerror('EADDRNOTAVAIL')}` : s.message);
      return handle;
    }
    localAddress = s.addr.ip;
  }

  /**
   * readwrite with an empty stdin: print what the net delivers; a read error ends it; with -w,
   * the second poll() that waits SEC seconds in vain ends it (status 0). The count is not
   * reset by data (busybox's netretry).
   */
  const shovel = (input: DatagramSource, first?: Uint8Array): void => {
    let retries = 2;
    let timer: Stoppable | undefined;
    const arm = (): void => {
      timer?.cancel();
      if (wait === 0) return;
      timer = scope.after(sec(wait), () => {
        retries--;
        if (retries === 0) {
          if (verbose > 1) scope.err('net timeout\n');
          scope.exit(0);
          return;
        }
        arm();
      });
    };
    const begin = (): void => {
      if (first !== undefined) scope.out(decoder.decode(first));
      arm();
      input.listen({
        onDatagram: (payload) => {
          scope.out(decoder.decode(payload));
          arm();
        },
        onError: (errno) => {
          if (verbose > 1) scope.err(`nc: net read: ${strerror(errno)}\n`);
          scope.exit(0);
        },
      });
    };
    if (interval > 0) scope.after(sec(interval), begin);
    else begin();
  };

  if (listen) {
    let socket: UdpSocket;
    try {
      socket = scope.hold(env.ns.udp.bind(localPort, localAddress));
    } catch (e) {
      fail(`bind: ${strerror(errnoOf(e))}`);
      return handle;
    }
    if (cl.counts.has('b')) socket.broadcast = true;
    if (verbose > 0) scope.err(`listening on ${localAddress === 0 ? `[::]:${socket.localPort}` : mappedText(localAddress, socket.localPort)} ...\n`);
    const accept = (peer: SockAddr | undefined): void => {
      if (peer?.family === 6) {
        fail(`can't connect to remote host: ${strerror('ENETUNREACH')}`);
        return;
      }
      if (peer !== undefined) {
        try {
          socket.connect(peer.ip, peer.port);
        } catch (e) {
          fail(`can't connect to remote host (${formatIpv4(peer.ip)}): ${strerror(errnoOf(e))}`);
          return;
        }
      }
      const timeout = wait > 0 ? scope.after(sec(wait), () => fail('timeout')) : undefined;
      socket.onMessage((payload, src, srcPort, dst) => {
        timeout?.cancel();
        socket.onMessage(() => {});
        if (peer === undefined) socket.connect(src, srcPort);
        const connected = (): void => shovel(sourceOf(socket), payload);
        if (verbose === 0) {
          connected();
          return;
        }
        const local = mappedText(dst, socket.localPort);
        const remote = mappedText(src, srcPort);
        if (cl.counts.has('n')) {
          scope.err(`connect to ${local} from ${remote} (${remote})\n`);
          connected();
          return;
        }
        const pending = scope.track(resolver.getnameinfo(src, (name) => {
          scope.settle(pending);
          scope.err(`connect to ${local} from ${name === undefined ? remote : `${name}:${srcPort}`} (${remote})\n`);
          connected();
        }));
      });
    };
    if (hostText === undefined) {
      accept(undefined);
    } else {
      scope.track(resolveHost(resolver, hostText, remotePort, 'unspec', (r) => {
        if (!r.ok) fail(r.message);
        else accept(r.addr);
      }));
    }
    return handle;
  }

  scope.track(resolveHost(resolver, hostText!, remotePort, 'unspec', (r) => {
    if (!r.ok) {
      fail(r.message);
      return;
    }
    const target = r.addr;
    const dotted = formatSockAddr(target);
    const refused = (errno: Errno): void => {
      scope.err(`nc: ${hostText} (${dotted}): ${strerror(errno)}\n`);
      scope.exit(1);
    };
    if (target.family === 6) {
      refused('ENETUNREACH');
      return;
    }
    const opened = ConnectedUdp.open(env.ns, target.ip, target.port, {
      localPort,
      localAddress,
      configure: (sock) => { sock.broadcast = cl.counts.has('b'); },
    });
    if (!(opened instanceof ConnectedUdp)) {
      if (opened.call === 'bind') fail(`bind: ${strerror(opened.errno)}`);
      else refused(opened.errno);
      return;
    }
    const sock = scope.hold(opened);
    const open = (): void => {
      if (verbose > 0) scope.err(`${hostText} (${dotted}) open\n`);
      if (zero) {
        scope.exit(0);
        return;
      }
      shovel(sock);
    };
    if (!zero) {
      open();
      return;
    }
    // udptest: a NUL byte, -w seconds, another NUL byte; an ICMP error in between fails the second.
    const nul = new Uint8Array(1);
    const firstError = sock.write(nul);
    if (firstError !== undefined) scope.err(`nc: udptest first write: ${strerror(firstError)}\n`);
    scope.after(sec(wait), () => {
      const errno = sock.write(nul);
      if (errno !== undefined) refused(errno);
      else open();
    });
  }));
  return handle;
};
