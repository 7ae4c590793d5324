/**
 * Simulated time. Heads up: a `Nanos` is a plain number holding an integer count of simulated
 * nanoseconds. Doubles hold integers exactly up to 2^53 ns (about 104 days of simulated time),
 * far beyond any scenario, and plain numbers keep the scheduler's heap in a Float64Array with
 * no BigInt on the hot path. The helpers below round, so `us(0.5)` is 500 ns and `ns(1.5)` is 2.
 */
export type Nanos = number;

export function ns(n: number): Nanos {
  return Math.round(n);
}
export function us(n: number): Nanos {
  return Math.round(n * 1e3);
}
export function ms(n: number): Nanos {
  return Math.round(n * 1e6);
}
export function sec(n: number): Nanos {
  return Math.round(n * 1e9);
}

/** Seconds with millisecond precision, as the transcript's summary shows them: "4.012 s". */
export function formatSimTime(t: Nanos): string {
  const sign = t < 0 ? '-' : '';
  const millis = Math.round(Math.abs(t) / 1e6);
  const whole = Math.floor(millis / 1000);
  return `${sign}${whole}.${String(millis - whole * 1000).padStart(3, '0')} s`;
}
