/**
 * The VXLAN UDP socket of an underlay namespace, shared by every VXLAN endpoint on that port:
 * Linux opens one vxlan_sock per (namespace, port) and finds the device by the VNI in the
 * header (vxlan_vs_find_vni). A host with several overlay networks has several endpoints, all
 * on 4789, so the stack's UDP socket hands datagrams here and this picks the endpoint.
 *
 * A payload too short for a VXLAN header ('short'), without the I flag ('bad-flags') or for a
 * VNI no endpoint has ('unknown-vni') is dropped and counted here, never thrown.
 */
import { formatIpv4, readU32, type Ipv4 } from '../wire';
import type { Scheduler, TraceBus } from '../sim';
import type { VxlanEndpoint } from './vxlan-endpoint';

export type VxlanDemuxDropReason = 'short' | 'bad-flags' | 'unknown-vni';

export class VxlanDemux {
  readonly drops: Record<VxlanDemuxDropReason, number> = { short: 0, 'bad-flags': 0, 'unknown-vni': 0 };
  readonly #byVni = new Map<number, VxlanEndpoint>();
  readonly #deps: { readonly scheduler: Scheduler; readonly trace: TraceBus };

  constructor(deps: { readonly scheduler: Scheduler; readonly trace: TraceBus }, readonly name: string) {
    this.#deps = deps;
  }

  add(endpoint: VxlanEndpoint): void {
    const other = this.#byVni.get(endpoint.vni);
    if (other !== undefined && other !== endpoint) throw new Error(`${this.name}: VNI ${endpoint.vni} is already used by ${other.name}`);
    this.#byVni.set(endpoint.vni, endpoint);
  }

  remove(endpoint: VxlanEndpoint): void {
    if (this.#byVni.get(endpoint.vni) === endpoint) this.#byVni.delete(endpoint.vni);
  }

  /** The UDP payload of a datagram to the VXLAN port. */
  receiveUnderlay(srcIp: Ipv4, srcPort: number, payload: Uint8Array): void {
    if (payload.length < 8) {
      this.#drop(payload, 'short', srcIp);
      return;
    }
    if ((payload[0]! & 0x08) === 0) {
      this.#drop(payload, 'bad-flags', srcIp);
      return;
    }
    const endpoint = this.#byVni.get(readU32(payload, 4) >>> 8);
    if (endpoint === undefined) {
      this.#drop(payload, 'unknown-vni', srcIp);
      return;
    }
    endpoint.receiveUnderlay(srcIp, srcPort, payload);
  }

  #drop(payload: Uint8Array, reason: VxlanDemuxDropReason, srcIp: Ipv4): void {
    this.drops[reason]++;
    const trace = this.#deps.trace;
    if (trace.enabled) {
      trace.emit({ kind: 'drop', time: this.#deps.scheduler.now, device: this.name, reason, note: `VXLAN datagram from ${formatIpv4(srcIp)}`, frame: payload });
    }
  }
}
