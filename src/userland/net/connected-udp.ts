/**
 * A connected UDP socket as a program sees it through read/write/poll: datagrams from the peer
 * only, and the socket's pending error (sk_err). A hard ICMP error about something it sent
 * (port unreachable → ECONNREFUSED, …; see socket-errors.ts) is remembered and returned once:
 * by the next write (which then sends nothing), or by a read, which poll wakes up for.
 *
 * Heads up: the stack hands ICMP errors to every UDP socket through onError (IP_RECVERR's
 * view); Linux reports them to a connected socket without IP_RECVERR only as this pending
 * error, which is what busybox nslookup, BIND's dig and nc see. That translation lives here.
 */
import type { NetworkNamespace, UdpSocket } from '../../stack';
import type { Ipv4 } from '../../wire';
import { errnoOf, hardIcmpErrno, type Errno } from './socket-errors';

export interface ConnectedUdpHandlers {
  /** A datagram from the peer (read() would return it). */
  onDatagram(payload: Uint8Array): void;
  /** poll() woke with POLLERR: a read now fails with this errno (already cleared). */
  onError(errno: Errno): void;
}

export interface ConnectedUdpOptions {
  /** bind(2)'s port (0: ephemeral). */
  readonly localPort?: number;
  /** bind(2)'s address (0: any). */
  readonly localAddress?: Ipv4;
  /** Socket options, set before connect. */
  readonly configure?: (s: UdpSocket) => void;
}

/** Which call of socket/bind/connect failed, and how. */
export interface ConnectedUdpFailure {
  readonly call: 'bind' | 'connect';
  readonly errno: Errno;
}

export class ConnectedUdp {
  readonly socket: UdpSocket;
  #pending: Errno | undefined;
  #handlers: ConnectedUdpHandlers | undefined;

  private constructor(socket: UdpSocket) {
    this.socket = socket;
    socket.onMessage((payload) => this.#handlers?.onDatagram(payload));
    socket.onError((err) => {
      const errno = hardIcmpErrno(err);
      if (errno === undefined) return;
      this.#pending = errno;
      const h = this.#handlers;
      if (h !== undefined) {
        // poll() returns POLLERR and the program's read() collects the error.
        this.#pending = undefined;
        h.onError(errno);
      }
    });
  }

  /**
   * socket + bind + connect: returns the socket, or where and why it failed. `configure` runs
   * between bind and connect (socket options).
   */
  static open(ns: NetworkNamespace, dst: Ipv4, port: number, opts: ConnectedUdpOptions = {}): ConnectedUdp | ConnectedUdpFailure {
    let socket: UdpSocket;
    try {
      socket = ns.udp.bind(opts.localPort ?? 0, opts.localAddress ?? 0);
    } catch (e) {
      return { call: 'bind', errno: errnoOf(e) };
    }
    opts.configure?.(socket);
    try {
      socket.connect(dst, port);
    } catch (e) {
      socket.close();
      return { call: 'connect', errno: errnoOf(e) };
    }
    return new ConnectedUdp(socket);
  }

  /** Starts (or stops, with undefined) delivering reads and errors: the program is in poll(). */
  listen(handlers: ConnectedUdpHandlers | undefined): void {
    this.#handlers = handlers;
    if (handlers !== undefined && this.#pending !== undefined) {
      const errno = this.#pending;
      this.#pending = undefined;
      handlers.onError(errno);
    }
  }

  /** write(2): undefined on success, else the errno (a pending error is returned and cleared). */
  write(payload: Uint8Array): Errno | undefined {
    if (this.#pending !== undefined) {
      const errno = this.#pending;
      this.#pending = undefined;
      return errno;
    }
    try {
      this.socket.write(payload);
      return undefined;
    } catch (e) {
      return errnoOf(e);
    }
  }

  close(): void {
    this.#handlers = undefined;
    this.socket.close();
  }
}
