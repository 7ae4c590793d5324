/**
 * Errors the Engine's API returns. The daemon classifies each error (moby errdefs) and the class
 * decides the HTTP status; the CLI prints the message as `Error response from daemon: <msg>`
 * (moby client/request.go) and exits 1.
 */

/** moby errdefs classes that cnmlab's daemon code raises, with their HTTP status codes. */
export type DaemonErrorKind =
  | 'invalidParameter' // 400
  | 'forbidden' //        403
  | 'notFound' //         404
  | 'conflict' //         409
  | 'unavailable' //      503
  | 'notImplemented' //   501
  | 'internal'; //        500

const HTTP_STATUS: Readonly<Record<DaemonErrorKind, number>> = {
  invalidParameter: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  unavailable: 503,
  notImplemented: 501,
  internal: 500,
};

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly kind: DaemonErrorKind;

  constructor(kind: DaemonErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }

  /** The HTTP status the API answers with. */
  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export function isDaemonError(e: unknown): e is DaemonError {
  return e instanceof DaemonError;
}

/** What the docker CLI prints on stderr for an API error (no trailing newline). */
export function formatDaemonError(e: DaemonError | string): string {
  return `Error response from daemon: ${typeof e === 'string' ? e : e.message}`;
}

/** The docker CLI's exit status for an API error. */
export const DAEMON_ERROR_EXIT_CODE = 1;
