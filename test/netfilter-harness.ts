// Shared by the netfilter-*, iptables-* and embedded-dns-* tests: iptables on a namespace,
// a routed topology, a Docker-like host with bridges and containers.
import { expect } from 'chai';
import { Bridge, Link, Nic } from '../src/devices';
import { NetworkNamespace, netfilterOf } from '../src/stack';
import { runIptables, type IptablesResult } from '../src/userland';
import { EtherType, Ipv4Packet, frameEtherType, internetChecksum, readU16, verifyUdpChecksum } from '../src/wire';
import { ip, mac, record, veth, type Recorded, type Sim } from './stack-harness';

/** Runs `iptables ARGS…` in `ns`. */
export function iptables(ns: NetworkNamespace, ...args: string[]): IptablesResult {
  return runIptables(netfilterOf(ns), ['iptables', ...args]);
}

/** Runs `iptables ARGS…` and expects success; returns stdout. */
export function ipt(ns: NetworkNamespace, ...args: string[]): string {
  const r = iptables(ns, ...args);
  expect(r.stderr, `iptables ${args.join(' ')}`).to.equal('');
  expect(r.code, `iptables ${args.join(' ')}`).to.equal(0);
  return r.stdout;
}

/** The IPv4 datagrams a recorder saw. */
export function datagrams(frames: Recorded[]): Ipv4Packet[] {
  return frames.filter((f) => frameEtherType(f.frame) === EtherType.IPv4).map((f) => Ipv4Packet.parse(f.frame.subarray(14)));
}

/** Every checksum of a datagram verifies (IP header; UDP when present; ICMP). */
export function expectChecksumsValid(d: Ipv4Packet): void {
  expect(d.checksumValid, 'IPv4 header checksum').to.equal(true);
  if (d.protocol === 17 && readU16(d.payload, 6) !== 0) expect(verifyUdpChecksum(d.payload, d.src, d.dst), 'UDP checksum').to.equal(true);
  if (d.protocol === 1) expect(internetChecksum(d.payload), 'ICMP checksum').to.equal(0);
}

/** client (10.0.0.2) — router (10.0.0.1 | 192.168.1.1, forwarding) — server (192.168.1.2), no route back to 10/24 on the server. */
export function natTopology(sim: Sim) {
  const client = new NetworkNamespace(sim, 'client');
  const router = new NetworkNamespace(sim, 'router', { forwarding: true });
  const server = new NetworkNamespace(sim, 'server');
  const inside = veth(sim, client, 'eth0', mac('02:00:00:00:01:02'), router, 'eth0', mac('02:00:00:00:01:01'));
  const outside = veth(sim, router, 'eth1', mac('02:00:00:00:02:01'), server, 'eth0', mac('02:00:00:00:02:02'));
  client.addAddress('eth0', '10.0.0.2/24');
  router.addAddress('eth0', '10.0.0.1/24');
  router.addAddress('eth1', '192.168.1.1/24');
  server.addAddress('eth0', '192.168.1.2/24');
  client.addRoute({ dst: 'default', via: '10.0.0.1' });
  return { client, router, server, inside: record(sim, inside), outside: record(sim, outside) };
}

export interface DockerLikeHost {
  host: NetworkNamespace;
  bridges: Map<string, Bridge>;
  containers: Map<string, NetworkNamespace>;
  /** A bridge `name` in the host with the gateway address. */
  addBridge(name: string, gatewayCidr: string, macText: string): Bridge;
  /** A container on bridge `bridge` with address `cidr`, default route via `gateway`. */
  addContainer(name: string, bridge: string, cidr: string, gateway: string, macText: string): NetworkNamespace;
}

/** A host namespace that forwards, with bridges and containers on veth pairs. */
export function dockerLikeHost(sim: Sim): DockerLikeHost {
  const host = new NetworkNamespace(sim, 'host', { forwarding: true });
  const bridges = new Map<string, Bridge>();
  const containers = new Map<string, NetworkNamespace>();
  let n = 0;
  return {
    host, bridges, containers,
    addBridge(name, gatewayCidr, macText) {
      const br = new Bridge(sim, { name, mac: mac(macText) });
      host.addInterface(new Nic(sim, br.selfPort, { name, mac: br.mac }));
      host.addAddress(name, gatewayCidr);
      bridges.set(name, br);
      return br;
    },
    addContainer(name, bridge, cidr, gateway, macText) {
      const c = new NetworkNamespace(sim, name);
      const link = new Link(sim, [`veth${++n}`, `${name}:eth0`]);
      bridges.get(bridge)!.addPort(link.a, { name: `veth${n}` });
      c.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: mac(macText) }));
      c.addAddress('eth0', cidr);
      c.addRoute({ dst: 'default', via: gateway });
      containers.set(name, c);
      return c;
    },
  };
}

/** Sends `count` echo requests from `ns` to `dst` one second apart and counts the replies. */
export function pingCount(sim: Sim, ns: NetworkNamespace, dst: string, count = 3): () => number {
  const sock = ns.icmp.open();
  let replies = 0;
  sock.onMessage((m) => {
    if (m.message.type === 0 && m.srcIp === ip(dst)) replies++;
  });
  for (let i = 0; i < count; i++) {
    sim.scheduler.schedule(i * 1_000_000_000, () => sock.sendEcho(ip(dst), 0x1234, i, new Uint8Array(56)));
  }
  return () => replies;
}
