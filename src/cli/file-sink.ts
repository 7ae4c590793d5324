/**
 * A ByteSink that writes a file (the capture files of `cnmlab run`).
 *
 * Chunks collect in memory and reach the disk at each `flush` (the run flushes at the end of
 * every step), so a crash leaves files that are complete up to the last finished step. The
 * file is opened for each flush and closed again: a run may have thousands of links, more than
 * a process may keep open, and a flush per step is rare enough for the open to cost nothing.
 */
import { closeSync, mkdirSync, openSync, writevSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ByteSink } from '../pcap';

export class FileSink implements ByteSink {
  readonly path: string;
  #pending: Uint8Array[] = [];
  #created = false;

  constructor(path: string) {
    this.path = path;
  }

  write(chunk: Uint8Array): void {
    this.#pending.push(chunk);
  }

  flush(): void {
    if (this.#created && this.#pending.length === 0) return;
    if (!this.#created) mkdirSync(dirname(this.path), { recursive: true });
    // The first flush truncates whatever an earlier run left; later ones append.
    const fd = openSync(this.path, this.#created ? 'a' : 'w');
    try {
      const chunks = this.#pending;
      this.#pending = [];
      // writev may write less than asked (a full disk, a signal); finish the rest chunk by chunk.
      let written = chunks.length ? writevSync(fd, chunks) : 0;
      for (const c of chunks) {
        if (written >= c.length) { written -= c.length; continue; }
        let o = written;
        written = 0;
        while (o < c.length) o += writevSync(fd, [c.subarray(o)]);
      }
    } finally {
      closeSync(fd);
    }
    this.#created = true;
  }
}
