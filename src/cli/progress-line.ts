/**
 * The progress line `cnmlab run` keeps on stderr while a long run goes on (issue 4: simulated
 * time and events per second, for runs longer than about a second, on a terminal only).
 *
 * It stays silent for the first `PROGRESS_DEFAULTS.quietFor` of wall time, so short runs
 * (nearly all scenarios) print nothing, then redraws itself in place ("\r" and erase to end of
 * line) at most every `PROGRESS_DEFAULTS.redrawEvery`, and erases itself when the run ends so
 * the transcript that follows is clean.
 */
import { formatSimTime, type Nanos } from '../sim';

export const PROGRESS_DEFAULTS = {
  /** Wall milliseconds before the line first appears. */
  quietFor: 1000,
  /** Wall milliseconds between redraws. */
  redrawEvery: 200,
} as const;

/** A wall clock in milliseconds (performance.now in the CLI; a fake in tests). */
export type WallClock = () => number;

export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #clock: WallClock;
  readonly #label: string;
  readonly #startedAt: number;
  #lastDraw = -Infinity;
  #lastEvents = 0;
  #lastAt: number;
  #shown = false;

  constructor(label: string, write: (text: string) => void, clock: WallClock) {
    this.#label = label;
    this.#write = write;
    this.#clock = clock;
    this.#startedAt = clock();
    this.#lastAt = this.#startedAt;
  }

  update(p: { simulatedNs: Nanos; events: number; step: number }, steps: number): void {
    const now = this.#clock();
    if (now - this.#startedAt < PROGRESS_DEFAULTS.quietFor || now - this.#lastDraw < PROGRESS_DEFAULTS.redrawEvery) return;
    const seconds = (now - this.#lastAt) / 1000;
    const rate = seconds > 0 ? (p.events - this.#lastEvents) / seconds : 0;
    this.#lastEvents = p.events;
    this.#lastAt = now;
    this.#lastDraw = now;
    this.#shown = true;
    this.#write(`\r\x1b[K${this.#label}: step ${Math.min(p.step + 1, steps)}/${steps}, simulated ${formatSimTime(p.simulatedNs)}, ${formatRate(rate)} events/s`);
  }

  /** Erases the line if it was shown. */
  clear(): void {
    if (this.#shown) this.#write('\r\x1b[K');
    this.#shown = false;
  }
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(0);
}
