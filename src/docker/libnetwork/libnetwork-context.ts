/** What networks, endpoints and sandboxes share with their controller. */
import type { Nanos } from '../../sim';
import type { EngineProfile } from '../engine-profile';
import type { IdGenerator } from '../ids';
import type { Ipam } from '../ipam/ipam';
import type { HostDataplane } from './host-dataplane';

export interface LibnetworkContext {
  readonly profile: EngineProfile;
  readonly ids: IdGenerator;
  readonly ipam: Ipam;
  readonly dataplane: HostDataplane;
  /** Simulated time now (network "Created" stamps). */
  now(): Nanos;
}
