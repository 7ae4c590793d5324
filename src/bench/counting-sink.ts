/**
 * A capture byte sink that counts and discards: `--captures` measures what writing pcap costs
 * the emulator (formatting records, buffering, handing chunks over) without measuring the disk.
 */
import type { ByteSink } from '../pcap';

export class CountingSink implements ByteSink {
  /** Nothing is kept, so the writer may reuse its buffer (as with any sink that writes synchronously). */
  readonly copiesChunks = true;
  /** Bytes handed over, and in how many chunks. */
  bytes = 0;
  chunks = 0;

  write(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.chunks++;
  }

  flush(): void {}
}
