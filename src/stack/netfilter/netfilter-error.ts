/**
 * A failed table operation, as libiptc reports it: an errno and the libiptc function that was
 * running when it failed (`iptc_fn`). The `iptables` program turns the pair into its message
 * exactly as TC_STRERROR does: a (function, errno) table first, then a few errno-only entries,
 * then strerror(errno). That is why deleting a chain that is still referenced says
 * "Too many links": TC_DELETE_CHAIN calls TC_GET_REFERENCES before it checks, so by then
 * `iptc_fn` no longer names the delete and the table entry for EMLINK does not apply.
 */

export type NetfilterErrno = 'ENOENT' | 'EEXIST' | 'EINVAL' | 'EMLINK' | 'ENOTEMPTY' | 'E2BIG' | 'ELOOP';

/** The libiptc functions whose name decides a message (iptc_fn). */
export type IptcFunction =
  | 'create-chain'
  | 'delete-chain'
  | 'get-references'
  | 'insert-entry'
  | 'replace-entry'
  | 'append-entry'
  | 'delete-entry'
  | 'delete-num-entry'
  | 'set-policy'
  | 'rename-chain'
  | 'flush-entries'
  | 'zero-entries'
  | 'zero-counter'
  | 'commit';

export class NetfilterError extends Error {
  override readonly name = 'NetfilterError';
  constructor(
    readonly errno: NetfilterErrno,
    readonly fn: IptcFunction,
    /** What the kernel would log (dmesg) for EINVAL at commit; empty otherwise. */
    readonly detail = '',
  ) {
    super(`${fn}: ${errno}${detail ? ` (${detail})` : ''}`);
  }
}
