/**
 * The error a namespace's configuration calls and socket calls throw, named after the errno the
 * Linux system call would return, so that userland programs (`ip`, `ping`, `nc`) can print the
 * kernel's message ("RTNETLINK answers: File exists", "sendto: Network unreachable").
 *
 * Heads up: only calls a program makes throw. Frames arriving from a link never make the stack
 * throw: they are dropped and counted (see DropCounters).
 */
export type StackErrorCode =
  /** The object already exists (address, route, neighbour, bound port). */
  | 'EEXIST'
  /** The object to delete or use does not exist. */
  | 'ENOENT'
  /** No such device. */
  | 'ENODEV'
  /** An argument is out of range or inconsistent (a gateway that is not on a connected network). */
  | 'EINVAL'
  /** No route to the destination network. */
  | 'ENETUNREACH'
  /** The route says the host is unreachable (`ip route add unreachable …`). */
  | 'EHOSTUNREACH'
  /** Forbidden: a broadcast without SO_BROADCAST, a `prohibit` route. */
  | 'EACCES'
  /** The datagram does not fit the path MTU and may not be fragmented (IP_PMTUDISC_DO). */
  | 'EMSGSIZE'
  /** The local address/port is taken. */
  | 'EADDRINUSE'
  /** The local address is not one of the namespace's addresses. */
  | 'EADDRNOTAVAIL'
  /** No ephemeral port left. */
  | 'EAGAIN'
  /** The socket is not connected (send without a destination). */
  | 'EDESTADDRREQ'
  /** The socket was closed. */
  | 'EBADF';

/** strerror(3) texts, as glibc and musl print them. */
export const STACK_ERROR_MESSAGES: Readonly<Record<StackErrorCode, string>> = {
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENETUNREACH: 'Network unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EMSGSIZE: 'Message too long',
  EADDRINUSE: 'Address in use',
  EADDRNOTAVAIL: 'Address not available',
  EAGAIN: 'Resource temporarily unavailable',
  EDESTADDRREQ: 'Destination address required',
  EBADF: 'Bad file descriptor',
};

export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    /** What was being done, for the message ("addRoute 10.0.0.0/24"). */
    readonly context: string,
  ) {
    super(`${context}: ${STACK_ERROR_MESSAGES[code]}`);
    this.name = 'StackError';
  }
}
