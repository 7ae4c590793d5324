// Shared by the stack-*.test.ts files: a simulation, namespaces wired by veth pairs or a LAN
// (one bridge), and recorders of what crosses a link.
import { Rng, Scheduler, TraceBus, type Nanos } from '../src/sim';
import { Bridge, Link, LinkCapture, Nic, type LinkParams } from '../src/devices';
import { NetworkNamespace, type NamespaceOptions } from '../src/stack';
import { parseIpv4, parseMac, type Mac } from '../src/wire';

export interface Sim {
  scheduler: Scheduler;
  rng: Rng;
  trace: TraceBus;
}

export function newSim(seed: string | number = 1): Sim {
  return { scheduler: new Scheduler(), rng: Rng.fromSeed(seed), trace: new TraceBus() };
}

export const ip = parseIpv4;
export const mac = parseMac;

export interface Recorded {
  time: Nanos;
  frame: Uint8Array;
}

/** Records every frame a link delivers (both directions), with its arrival time. */
export function record(sim: Sim, link: Link): Recorded[] {
  const frames: Recorded[] = [];
  new LinkCapture(sim.scheduler, link, { record: (time, frame) => frames.push({ time, frame }) });
  return frames;
}

/** Connects an interface of `a` and one of `b` with a veth pair; returns the link. */
export function veth(
  sim: Sim,
  a: NetworkNamespace, aName: string, aMac: Mac,
  b: NetworkNamespace, bName: string, bMac: Mac,
  params: Partial<LinkParams> = {},
): Link {
  const link = new Link(sim, [`${a.name}:${aName}`, `${b.name}:${bName}`], params);
  a.addInterface(new Nic(sim, link.a, { name: aName, mac: aMac, mtu: params.mtu ?? 1500 }));
  b.addInterface(new Nic(sim, link.b, { name: bName, mac: bMac, mtu: params.mtu ?? 1500 }));
  return link;
}

/** A namespace with one address on eth0 towards a peer namespace (two hosts on a cable). */
export function twoHosts(sim: Sim, opts: { aIp?: string; bIp?: string; link?: Partial<LinkParams>; aOpts?: NamespaceOptions; bOpts?: NamespaceOptions } = {}): {
  a: NetworkNamespace; b: NetworkNamespace; link: Link; aMac: Mac; bMac: Mac;
} {
  const a = new NetworkNamespace(sim, 'a', opts.aOpts);
  const b = new NetworkNamespace(sim, 'b', opts.bOpts);
  const aMac = mac('02:00:00:00:00:0a');
  const bMac = mac('02:00:00:00:00:0b');
  const link = veth(sim, a, 'eth0', aMac, b, 'eth0', bMac, opts.link);
  a.addAddress('eth0', opts.aIp ?? '10.0.0.1/24');
  b.addAddress('eth0', opts.bIp ?? '10.0.0.2/24');
  return { a, b, link, aMac, bMac };
}

/** A bridge (no host interface) with `n` namespaces on it, 10.0.0.(i+1)/24, MAC 02:00:00:00:00:0(i+1). */
export function lan(sim: Sim, n: number): { hosts: NetworkNamespace[]; links: Link[]; bridge: Bridge } {
  const bridge = new Bridge(sim, { name: 'br0', mac: mac('02:00:00:00:00:ff') });
  const hosts: NetworkNamespace[] = [];
  const links: Link[] = [];
  for (let i = 0; i < n; i++) {
    const ns = new NetworkNamespace(sim, `h${i + 1}`);
    const link = new Link(sim, [`veth${i + 1}`, `h${i + 1}:eth0`]);
    bridge.addPort(link.a, { name: `veth${i + 1}` });
    ns.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: 0x0200_0000_0000 + i + 1 }));
    ns.addAddress('eth0', `10.0.0.${i + 1}/24`);
    hosts.push(ns);
    links.push(link);
  }
  return { hosts, links, bridge };
}
