/**
 * The error a Machine's link operations throw: what the kernel answers an rtnetlink request
 * with, an errno and, where the kernel sets one, an extended-ack message.
 *
 * iproute2 prints the extended ack when there is one ("Error: Can not enslave a bridge to a
 * bridge.", adding the final dot when the kernel's text lacks it) and otherwise
 * "RTNETLINK answers: <strerror(errno)>" (lib/libnetlink.c). Programs read `errno` and
 * `extack` and print in their own style; the stack does not format terminal text.
 */

/** The errnos link operations can fail with, named as in <errno.h>. */
export type NetlinkErrno =
  | 'EEXIST'
  | 'ENOENT'
  | 'ENODEV'
  | 'EINVAL'
  | 'EBUSY'
  | 'EOPNOTSUPP'
  | 'EADDRNOTAVAIL'
  | 'EADDRINUSE'
  | 'ERANGE'
  | 'ELOOP'
  | 'ENETDOWN'
  | 'ESRCH'
  | 'EPERM';

export class NetlinkError extends Error {
  constructor(
    readonly errno: NetlinkErrno,
    /** The kernel's NL_SET_ERR_MSG text, without the final dot, when it sets one. */
    readonly extack?: string,
    /** What was being done (for a stack trace; programs do not print it). */
    context = '',
  ) {
    super(`${context}${context ? ': ' : ''}${extack ?? errno}`);
    this.name = 'NetlinkError';
  }
}
