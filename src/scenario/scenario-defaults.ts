/**
 * The values a scenario gets for what it does not write, in one place.
 *
 * Link timing is chosen so that what users see looks like a real Linux host (SCENARIOS.md
 * "Timing"): a ping between two containers on one bridge crosses four veth hops per round trip
 * (container → bridge → container and back), so 4 × 25 us ≈ 0.10 ms, inside the 0.05–0.5 ms a
 * real host shows; two hosts on one LAN cross four switch ports per round trip, 4 × 50 us ≈
 * 0.2 ms, what a gigabit switch in a rack measures. Anything else on the path (bridges, stack
 * processing) is expected to add no more than a few microseconds.
 */
import type { EngineProfile, LinkParams } from './scenario-types';
import { us, type Nanos } from '../sim';

/** The two kinds of link a scenario describes; Docker's own veth pairs are `veth`. */
export type LinkKind = 'veth' | 'lan-port';

/** Link parameters with every value decided. `rate` absent = no rate limit. */
export interface ResolvedLinkParams {
  readonly delay: Nanos;
  readonly jitter: Nanos;
  readonly rate?: number;
  readonly loss: number;
  readonly mtu: number;
}

/**
 * Defaults of a scenario file.
 *
 * - `seed` 1, `engine` "19.03", `start` 0 ns (1970-01-01T00:00:00Z), as SCENARIOS.md says.
 * - `links.veth`: a veth pair (container ↔ bridge, or any `ip link add … type veth`): 25 us
 *   one-way delay, no jitter, no rate limit (a veth copies at memory speed), no loss, MTU 1500.
 * - `links['lan-port']`: a port of a LAN's switch, i.e. the cable between a NIC and the switch:
 *   50 us one-way delay, no jitter, 1 Gbit/s, no loss, MTU 1500.
 *
 * Heads up: jitter is 0 by default because a real veth or switch port is a FIFO and never
 * reorders, while a link with jitter behaves like netem's `delay D J` (devices/link.ts), which
 * does reorder frames closer together than the jitter. A scenario that sets `jitter:` asks for
 * exactly that; the README says so.
 */
export const SCENARIO_DEFAULTS = {
  seed: 1,
  engine: '19.03' as EngineProfile,
  start: 0n,
  links: {
    veth: { delay: us(25), jitter: 0, loss: 0, mtu: 1500 },
    'lan-port': { delay: us(50), jitter: 0, rate: 1_000_000_000, loss: 0, mtu: 1500 },
  } satisfies Record<LinkKind, ResolvedLinkParams>,
} as const;

/**
 * The parameters of one link: the built-in default of its kind, overridden by each layer in turn
 * (pass them from the most general to the most specific: the scenario's `links:`, then the LAN's
 * params, then the interface's params). A layer overrides only the values it sets.
 */
export function resolveLinkParams(kind: LinkKind, ...layers: readonly LinkParams[]): ResolvedLinkParams {
  const base: ResolvedLinkParams = SCENARIO_DEFAULTS.links[kind];
  let { delay, jitter, loss, mtu } = base;
  let rate = base.rate;
  for (const l of layers) {
    if (l.delay !== undefined) delay = l.delay;
    if (l.jitter !== undefined) jitter = l.jitter;
    if (l.rate !== undefined) rate = l.rate;
    if (l.loss !== undefined) loss = l.loss;
    if (l.mtu !== undefined) mtu = l.mtu;
  }
  return rate === undefined ? { delay, jitter, loss, mtu } : { delay, jitter, rate, loss, mtu };
}
