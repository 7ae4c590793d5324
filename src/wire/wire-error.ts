/**
 * The one error a codec throws: the bytes are structurally broken (too short, a length field
 * that lies, a bad checksum where the caller asked for verification, a DNS pointer loop).
 * Unknown code points are never an error: they pass through as numbers.
 */
export class WireError extends Error {
  constructor(
    /** Which codec refused the bytes, e.g. "ipv4", "dns". */
    readonly proto: string,
    /** Why, in a few words a drop counter can use as its key, e.g. "truncated". */
    readonly reason: string,
  ) {
    super(`${proto}: ${reason}`);
    this.name = 'WireError';
  }
}
