/**
 * Socket errors as an alpine program sees them: musl's strerror texts (they differ from
 * glibc's: "Host is unreachable", "Message too large", "Address in use"), and the pending
 * error (sk_err) a connected UDP socket gets from an ICMP error.
 *
 * Linux (__udp4_lib_err, icmp_err_convert): without IP_RECVERR, only a connected socket hears
 * of ICMP errors, and only of "hard" ones: destination unreachable for protocol, port,
 * unknown, isolated or prohibited destinations, and parameter problem. The error is
 * remembered on the socket and returned, once, by its next send or receive (poll wakes with
 * POLLERR). Net/host unreachable, time exceeded and "fragmentation needed" are soft and never
 * reported this way.
 */
import { StackError, type StackErrorCode, type UdpErrorReport } from '../../stack';
import { IcmpType, IcmpUnreachCode } from '../../wire';

export type Errno =
  | StackErrorCode
  | 'ECONNREFUSED'
  | 'ENOPROTOOPT'
  | 'EOPNOTSUPP'
  | 'EHOSTDOWN'
  | 'ENONET'
  | 'EPROTO'
  | 'ETIMEDOUT';

/** musl's strerror (src/errno/__strerror.h). */
export const MUSL_STRERROR: Readonly<Record<Errno, string>> = {
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENETUNREACH: 'Network unreachable',
  EHOSTUNREACH: 'Host is unreachable',
  EACCES: 'Permission denied',
  EMSGSIZE: 'Message too large',
  EADDRINUSE: 'Address in use',
  EADDRNOTAVAIL: 'Address not available',
  EAGAIN: 'Resource temporarily unavailable',
  EDESTADDRREQ: 'Destination address required',
  EBADF: 'Bad file descriptor',
  ECONNREFUSED: 'Connection refused',
  ENOPROTOOPT: 'Protocol not available',
  EOPNOTSUPP: 'Not supported',
  EHOSTDOWN: 'Host is down',
  ENONET: 'Machine is not on the network',
  EPROTO: 'Protocol error',
  ETIMEDOUT: 'Operation timed out',
};

/** The errno of a thrown stack error (anything else is a bug and is rethrown). */
export function errnoOf(e: unknown): Errno {
  if (e instanceof StackError) return e.code;
  throw e;
}

export function strerror(errno: Errno): string {
  return MUSL_STRERROR[errno];
}

/**
 * icmp_err_convert: the errno of a hard ICMP error, or undefined for a soft one. Net and host
 * unreachable are soft (transient, RFC 1122 §4.2.3.9), so a connected socket never hears of
 * them: busybox nslookup to a server behind a router without a route just times out, as it
 * does on Linux.
 */
export function hardIcmpErrno(err: Pick<UdpErrorReport, 'type' | 'code'>): Errno | undefined {
  if (err.type === IcmpType.ParameterProblem) return 'EPROTO';
  if (err.type !== IcmpType.DestUnreachable) return undefined;
  switch (err.code) {
    case IcmpUnreachCode.Protocol: return 'ENOPROTOOPT';
    case IcmpUnreachCode.Port: return 'ECONNREFUSED';
    case IcmpUnreachCode.NetUnknown: return 'ENETUNREACH';
    case IcmpUnreachCode.HostUnknown: return 'EHOSTDOWN';
    case 8: return 'ENONET'; // host isolated
    case IcmpUnreachCode.NetProhibited: return 'ENETUNREACH';
    case IcmpUnreachCode.HostProhibited: return 'EHOSTUNREACH';
    case IcmpUnreachCode.AdminProhibited: return 'EHOSTUNREACH';
    case 14: return 'EHOSTUNREACH'; // host precedence violation
    case 15: return 'EHOSTUNREACH'; // precedence cut-off
    default: return undefined; // net, host, fragmentation needed, source route failed, TOS: soft
  }
}
