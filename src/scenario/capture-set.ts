/**
 * The captures of one run (SCENARIOS.md "Captures"): one classic pcap per link, `all.pcapng`
 * with one interface per link, and `manifest.json`.
 *
 * How frames are seen: every link delivery is an `rx` trace event (devices/link.ts emits it
 * just before the far end's device gets the frame, the same point a capture tap records at).
 * Listening on the trace bus instead of tapping each Link catches every link of the run,
 * whoever made it and whenever, and no device has to attach through a tap. Links are declared
 * as they are made (the world's LAN ports up front, the links machines make through the
 * world's onLinkCreated), so each has a file and a manifest entry even when no frame crosses
 * it; a link nobody declared is declared by its first frame.
 *
 * Packet comments: `commentFor` (DecisionNotes from devices/capture-tap.ts) gives the notes
 * devices attached to a frame buffer (flooded, learned, encapsulated to …); they go into
 * `all.pcapng`, never into the classic files, which have no place for them.
 *
 * Heads up: the order of interfaces in all.pcapng and of files in the manifest is the order
 * links were declared or first carried a frame, which is deterministic for a given scenario
 * and seed like everything else in a run.
 */
import { PcapngWriter, PcapWriter, type ByteSink } from '../pcap';
import type { Nanos, TraceEvent, TraceSink } from '../sim';
import { formatIsoUtc } from './iso-time';
import { endsFromLinkName, linkFileStem } from './capture-naming';

/** Opens the file `path` (relative to the scenario's capture folder) for writing. */
export type CaptureFileOpener = (path: string) => ByteSink;

/** Defaults of a CaptureSet. */
export const CAPTURE_SET_DEFAULTS = {
  /**
   * Buffer of each link's pcap writer. Smaller than the writers' own default (64 KiB) because a
   * run may have thousands of links; every buffer is handed over at the end of each step anyway.
   */
  linkBufferBytes: 16 * 1024,
  /** Buffer of all.pcapng, which sees every frame. */
  allBufferBytes: 256 * 1024,
  allFile: 'all.pcapng',
  manifestFile: 'manifest.json',
} as const;

/** One capture file in the manifest. */
export interface CaptureFileEntry {
  /** File name inside the capture folder. */
  readonly file: string;
  /** The link's two ends, "<machine>:<ifname>" ("lan1:node1.eth0" for a LAN's switch port). */
  readonly ends: readonly [string, string];
  /** The interface name of this link in all.pcapng. */
  readonly interface: string;
  readonly frames: number;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** Sum of the captured frames' lengths. */
  readonly frameBytes: number;
  /** Timestamps of the first and last frame (RFC 3339, nanoseconds), absent when no frame was captured. */
  readonly first?: string;
  readonly last?: string;
}

export interface CaptureManifest {
  readonly scenario: string;
  readonly seed: number;
  /** The wall-clock time of simulated t=0. */
  readonly start: string;
  readonly links: number;
  readonly frames: number;
  readonly files: readonly CaptureFileEntry[];
  /** all.pcapng: every frame of every link. */
  readonly all: { readonly file: string; readonly frames: number; readonly bytes: number };
}

export interface CaptureSetOptions {
  readonly scenario: string;
  readonly seed: number;
  /** Nanoseconds since the Unix epoch at simulated t=0 (the scenario's `start`). */
  readonly startNs: bigint;
  readonly open: CaptureFileOpener;
  /** Packet comments for all.pcapng. */
  readonly commentFor?: (frame: Uint8Array) => string | undefined;
}

class LinkCaptureFile {
  frames = 0;
  frameBytes = 0;
  firstNs: Nanos = -1;
  lastNs: Nanos = -1;

  constructor(
    readonly file: string,
    readonly ends: readonly [string, string],
    readonly writer: PcapWriter,
    readonly interfaceId: number,
  ) {}
}

export class CaptureSet {
  readonly #opts: CaptureSetOptions;
  readonly #byLink = new Map<string, LinkCaptureFile>();
  readonly #files: LinkCaptureFile[] = [];
  readonly #usedNames = new Set<string>();
  readonly #all: PcapngWriter;
  #closed = false;

  constructor(opts: CaptureSetOptions) {
    this.#opts = opts;
    this.#usedNames.add(CAPTURE_SET_DEFAULTS.allFile).add(CAPTURE_SET_DEFAULTS.manifestFile);
    this.#all = new PcapngWriter(opts.open(CAPTURE_SET_DEFAULTS.allFile), {
      startNs: opts.startNs,
      bufferBytes: CAPTURE_SET_DEFAULTS.allBufferBytes,
    });
  }

  /** Links captured so far. */
  get links(): number {
    return this.#files.length;
  }

  /** Frames captured so far (each frame once per link it crossed). */
  get frames(): number {
    return this.#all.packets;
  }

  /**
   * Declares a link by its name (as devices/link.ts names it, "a--b") and its ends. `lanPort`:
   * the first end is a LAN switch's port (see capture-naming.ts). Declaring twice is a no-op.
   */
  declareLink(linkName: string, ends: readonly [string, string], lanPort = false): void {
    if (this.#byLink.has(linkName)) return;
    if (this.#closed) return;
    const stem = linkFileStem(ends, lanPort);
    let file = `${stem}.pcap`;
    for (let n = 2; this.#usedNames.has(file); n++) file = `${stem}-${n}.pcap`;
    this.#usedNames.add(file);
    const writer = new PcapWriter(this.#opts.open(file), {
      startNs: this.#opts.startNs,
      bufferBytes: CAPTURE_SET_DEFAULTS.linkBufferBytes,
    });
    const interfaceId = this.#all.addInterface(ends[1]);
    const entry = new LinkCaptureFile(file, ends, writer, interfaceId);
    this.#byLink.set(linkName, entry);
    this.#files.push(entry);
  }

  /** The trace sink to subscribe: records each frame a link delivers. */
  readonly observe: TraceSink = (e: TraceEvent): void => {
    if (e.kind !== 'rx' || e.frame === undefined || this.#closed) return;
    let entry = this.#byLink.get(e.device);
    if (entry === undefined) {
      this.declareLink(e.device, endsFromLinkName(e.device, e.port));
      entry = this.#byLink.get(e.device)!;
    }
    const frame = e.frame;
    const time = e.time;
    entry.writer.writePacket(time, frame);
    entry.frames++;
    entry.frameBytes += frame.length;
    if (entry.firstNs < 0) entry.firstNs = time;
    entry.lastNs = time;
    const comment = this.#opts.commentFor?.(frame);
    if (comment === undefined) this.#all.writePacket(entry.interfaceId, time, frame);
    else this.#all.writePacket(entry.interfaceId, time, frame, comment);
  };

  /** Hands every buffered byte to the sinks and flushes them (end of every step). */
  flush(): void {
    for (const f of this.#files) f.writer.flush();
    this.#all.flush();
  }

  /** Flushes everything, writes manifest.json and stops capturing. Returns the manifest. */
  close(): CaptureManifest {
    const manifest = this.manifest();
    if (this.#closed) return manifest;
    this.flush();
    this.#closed = true;
    const sink = this.#opts.open(CAPTURE_SET_DEFAULTS.manifestFile);
    sink.write(new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
    sink.flush();
    return manifest;
  }

  /** What the capture folder holds so far. */
  manifest(): CaptureManifest {
    const start = this.#opts.startNs;
    const iso = (t: Nanos): string => formatIsoUtc(start + BigInt(t));
    const files = this.#files.map((f): CaptureFileEntry => {
      const entry: CaptureFileEntry = {
        file: f.file,
        ends: f.ends,
        interface: f.ends[1],
        frames: f.frames,
        bytes: f.writer.bytes,
        frameBytes: f.frameBytes,
      };
      return f.firstNs < 0 ? entry : { ...entry, first: iso(f.firstNs), last: iso(f.lastNs) };
    });
    return {
      scenario: this.#opts.scenario,
      seed: this.#opts.seed,
      start: formatIsoUtc(start),
      links: files.length,
      frames: this.#all.packets,
      files,
      all: { file: CAPTURE_SET_DEFAULTS.allFile, frames: this.#all.packets, bytes: this.#all.bytes },
    };
  }
}
