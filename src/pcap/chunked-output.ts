/**
 * The output buffer both capture writers append to: records are written in place into one
 * large buffer, which goes to the sink as one chunk when the next record does not fit, and on
 * flush (DESIGN.md "Performance": captures are buffered and written in large blocks).
 *
 * Heads up: a chunk handed to `ByteSink.write` belongs to the sink, so the writer continues in
 * a fresh buffer, unless the sink says it copies chunks (`copiesChunks`), in which case the same
 * buffer is reused. A reused buffer holds old bytes: writers must write every byte of a record,
 * padding included.
 */
import type { ByteSink } from './byte-sink';

export class ChunkedOutput {
  /** The current buffer; records go at `used`. */
  buf: Uint8Array;
  view: DataView;
  used = 0;
  readonly #sink: ByteSink;
  readonly #bufferBytes: number;

  constructor(sink: ByteSink, bufferBytes: number) {
    this.#sink = sink;
    this.#bufferBytes = bufferBytes;
    this.buf = new Uint8Array(bufferBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `len` contiguous bytes and returns where they start (a record larger than the whole buffer gets one of its own). */
  reserve(len: number): number {
    if (this.used + len > this.buf.length) {
      this.handOver();
      if (len > this.buf.length) this.#replaceBuffer(len);
    }
    return this.used;
  }

  /** Hands every buffered byte to the sink (not flushing it). */
  handOver(): void {
    if (this.used === 0) return;
    this.#sink.write(this.buf.subarray(0, this.used));
    if (this.#sink.copiesChunks === true && this.buf.length === this.#bufferBytes) this.used = 0;
    else this.#replaceBuffer(this.#bufferBytes);
  }

  /** Hands everything over and flushes the sink: the file is complete up to here. */
  flush(): void {
    this.handOver();
    this.#sink.flush();
  }

  #replaceBuffer(size: number): void {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.used = 0;
  }
}
