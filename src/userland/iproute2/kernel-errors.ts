/**
 * How iproute2 reports what the kernel answered (lib/libnetlink.c): the extended ack when the
 * kernel set one ("Error: Nexthop has invalid gateway.", a final dot added when missing),
 * otherwise "RTNETLINK answers: " and glibc's strerror text (iproute2 runs on the host, a glibc
 * system, so its messages are glibc's, not musl's: "Cannot assign requested address").
 *
 * `CommandFailed` carries a finished error report (stderr text and exit status) from deep in a
 * command's code back to the program's entry, which prints it and exits.
 */
import { NetlinkError, StackError, type NetlinkErrno, type StackErrorCode } from '../../stack';
import type { Program, ProgramEnv, ProgramIo } from '../program';

/** glibc's strerror texts for the errnos cnmlab's kernel returns. */
export const GLIBC_STRERROR: Readonly<Record<NetlinkErrno | StackErrorCode, string>> = {
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  EOPNOTSUPP: 'Operation not supported',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  ERANGE: 'Numerical result out of range',
  ELOOP: 'Too many levels of symbolic links',
  ENETDOWN: 'Network is down',
  ESRCH: 'No such process',
  EPERM: 'Operation not permitted',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EMSGSIZE: 'Message too long',
  EAGAIN: 'Resource temporarily unavailable',
  EDESTADDRREQ: 'Destination address required',
  EBADF: 'Bad file descriptor',
};

/**
 * iproute2's exit statuses: `ip` exits 2 when the kernel refused a request (its commands return
 * -2), 1 for a missing device (-1), and 255 on its exit(-1) paths; `bridge` returns -1 for
 * everything, so 255.
 */
export const EXIT_STATUS = {
  ipKernel: 2,
  ipNoDevice: 1,
  exitMinusOne: 255,
  bridge: 255,
} as const;

/** A command ends here: print `stderr` and exit with `status`. */
export class CommandFailed extends Error {
  constructor(readonly stderr: string, readonly status: number) {
    super(stderr.trimEnd());
    this.name = 'CommandFailed';
  }
}

/**
 * A program whose command ends by returning its exit status, or by throwing CommandFailed
 * (printed to stderr, then that status); anything else thrown is left to the runner.
 */
export function exitingProgram<N, S>(
  run: (words: readonly string[], env: ProgramEnv<N, S>, io: ProgramIo) => number,
): Program<N, S> {
  return (argv, env, io, exit) => {
    try {
      exit(run(argv.slice(1), env, io));
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      io.stderr(e.stderr);
      exit(e.status);
    }
  };
}

/** The kernel's answer as iproute2 prints it, with a newline. */
export function kernelMessage(errno: NetlinkErrno | StackErrorCode, extack?: string): string {
  if (extack !== undefined) return `Error: ${extack}${extack.endsWith('.') ? '' : '.'}\n`;
  return `RTNETLINK answers: ${GLIBC_STRERROR[errno]}\n`;
}

/**
 * Runs a kernel operation; a NetlinkError or StackError becomes CommandFailed with the
 * message and `status` (ip exits 2 after a failed request, bridge 255). `rewrite` adjusts the
 * errno or ack where the kernel's answer differs from the emulation's internal one.
 */
export function kernelCall<T>(status: number, op: () => T, rewrite?: (errno: NetlinkErrno | StackErrorCode) => { errno: NetlinkErrno | StackErrorCode; extack?: string } | undefined): T {
  try {
    return op();
  } catch (e) {
    if (e instanceof NetlinkError || e instanceof StackError) {
      const errno = e instanceof NetlinkError ? e.errno : e.code;
      const extack = e instanceof NetlinkError ? e.extack : undefined;
      const r = rewrite?.(errno);
      if (r !== undefined) throw new CommandFailed(kernelMessage(r.errno, r.extack), status);
      throw new CommandFailed(kernelMessage(errno, extack), status);
    }
    throw e;
  }
}
