/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum.
 * Sums are kept unfolded in a plain number (no overflow below 2^53) and folded at the end.
 */
import { readU16 } from './bytes';

/** Adds the 16-bit words of b[start, end) to `sum` (an odd trailing byte is padded with 0). */
export function sumWords(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  // Heads up (performance): this runs over every datagram sent and received (UDP, ICMP), so it
  // sums 8 bytes per iteration, high and low bytes apart (one shift at the end, not per word).
  let hi = 0;
  let lo = 0;
  for (; i + 7 < end; i += 8) {
    hi += b[i]! + b[i + 2]! + b[i + 4]! + b[i + 6]!;
    lo += b[i + 1]! + b[i + 3]! + b[i + 5]! + b[i + 7]!;
  }
  for (; i + 1 < end; i += 2) {
    hi += b[i]!;
    lo += b[i + 1]!;
  }
  if (i < end) hi += b[i]!;
  return sum + hi * 256 + lo;
}
/** Folds carries and complements: the value to put in a checksum field. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
/** The checksum of b[start, end). Verifying a header that includes its checksum gives 0. */
export function internetChecksum(b: Uint8Array, start = 0, end = b.length): number {
  return finishChecksum(sumWords(b, start, end));
}
/** RFC 768 / RFC 793: the IPv4 pseudo-header (src, dst, zero, protocol, length) as a partial sum. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}
/**
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after one 16-bit word changes from
 * `oldWord` to `newWord`, without re-summing the header (used for the TTL decrement, NAT).
 */
export function updateChecksum16(checksum: number, oldWord: number, newWord: number): number {
  let sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
/** Reads the checksum field at `o` (convenience for tests and views). */
export function checksumField(b: Uint8Array, o: number): number {
  return readU16(b, o);
}
