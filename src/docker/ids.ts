/**
 * Docker's identifiers, drawn from a seeded stream instead of crypto/rand.
 *
 * - Local IDs (networks, endpoints, sandboxes, containers): moby pkg/stringid GenerateRandomID,
 *   32 random bytes as 64 lowercase hex digits, drawn again while the first 12 digits are all
 *   decimal (a numeric short ID would parse as a number when used as a hostname; moby #3869).
 * - Short IDs: TruncateID, the first 12 characters.
 * - Swarm IDs (swarmkit identity.NewID): 17 random bytes with the top bit set, printed in base 36,
 *   characters 1..25 of that text (the top bit fixes the length, so the first digit is dropped).
 */
import type { Rng } from '../sim';

export const SHORT_ID_LENGTH = 12;
export const SWARM_ID_LENGTH = 25;
const SWARM_ID_ENTROPY_BYTES = 17;

/** True when `s` is all decimal digits: strconv.ParseInt(TruncateID(id), 10, 64) succeeds. */
function isAllDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

export class IdGenerator {
  readonly #rng: Rng;

  /** `rng` should be a dedicated fork, e.g. `world.fork('docker:node1:ids')`. */
  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** A 64-hex-digit ID (stringid.GenerateRandomID). */
  randomId(): string {
    for (;;) {
      const id = this.#rng.hex(64);
      if (!isAllDigits(id.slice(0, SHORT_ID_LENGTH))) return id;
    }
  }

  /** A 25-character base-36 swarm ID (swarmkit identity.NewID). */
  swarmId(): string {
    const bytes = this.#rng.bytes(SWARM_ID_ENTROPY_BYTES);
    bytes[0] = bytes[0]! | 0x80;
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    return n.toString(36).slice(1, 1 + SWARM_ID_LENGTH);
  }
}

/** stringid.TruncateID: the first 12 characters (IDs shorter than that are returned whole). */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}
