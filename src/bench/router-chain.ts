/**
 * W3 `router-chain` and W3-10k (BENCH.md): host A – 8 routers – host B over point-to-point
 * veths (10 Gbit/s, zero delay). A sends 200,000 UDP datagrams with a 64-byte payload to B,
 * one every 10 µs; each crosses 8 routers, so the headline is router hops per wall second.
 * W3-10k is the same with 10,000 unrelated /24 routes in every router (the longest-prefix
 * match must not slow down with the table's size).
 *
 * Addressing, as ns-3's reference program (bench/ns3/router_chain.cc): link i (0..8) is
 * 10.0.i.0/24, its left end .1 and its right end .2. A's default route points at R1; router r
 * routes B's network to the next router and A's network back to the previous one; B's default
 * route points at R8. The extra routes are 100.0.0.0/24, 100.0.1.0/24, … via the next hop with
 * metric 2, as ns-3's program adds them.
 */
import { ms, us } from '../sim';
import { Nic } from '../devices';
import { NetworkNamespace } from '../stack';
import { DatagramStream, StreamChecker, DATAGRAM_STREAM_DEFAULTS } from './datagram-stream';
import { Testbed } from './testbed';
import { BenchCheckError } from './bench-error';
import type { BenchSize, Workload, WorkloadContext, WorkloadMeasurement } from './workload';

export const ROUTER_CHAIN_SIZES: Record<BenchSize, { routers: number; total: number; extraRoutes: number }> = {
  full: { routers: 8, total: 200_000, extraRoutes: 10_000 },
  small: { routers: 8, total: 2_000, extraRoutes: 100 },
};

export const ROUTER_CHAIN_TIMING = { interval: us(10), start: ms(1), drain: ms(10) } as const;

/** 10.(i / 250).(i % 250).0: the network of link i (ns-3's program numbers them so). */
function linkNetwork(i: number): number {
  return 0x0a00_0000 + (Math.floor(i / 250) << 16) + ((i % 250) << 8);
}

/** The address of end `x` (1 left, 2 right) of link i. */
function linkAddress(i: number, x: 1 | 2): number {
  return linkNetwork(i) + x;
}

function runRouterChain(ctx: WorkloadContext, withExtraRoutes: boolean): WorkloadMeasurement {
  const name = withExtraRoutes ? 'W3-10k router-chain-10k' : 'W3 router-chain';
  const t0 = ctx.clock();
  const { routers, total, extraRoutes } = ROUTER_CHAIN_SIZES[ctx.size];
  const extra = withExtraRoutes ? extraRoutes : 0;
  const { interval, start, drain } = ROUTER_CHAIN_TIMING;
  const bed = new Testbed(name);
  // Nodes 0 (A), 1..routers, routers+1 (B); link i joins node i (left, eth1) and node i+1 (right, eth0).
  const nodes: NetworkNamespace[] = [];
  for (let n = 0; n <= routers + 1; n++) {
    const label = n === 0 ? 'A' : n === routers + 1 ? 'B' : `R${n}`;
    nodes.push(new NetworkNamespace(bed, label, { forwarding: n >= 1 && n <= routers }));
  }
  let macs = 0x0200_0b00_0000;
  for (let i = 0; i <= routers; i++) {
    const left = nodes[i]!;
    const right = nodes[i + 1]!;
    const link = bed.link([`${left.name}:eth1`, `${right.name}:eth0`]);
    left.addInterface(new Nic(bed, link.a, { name: 'eth1', mac: ++macs }));
    right.addInterface(new Nic(bed, link.b, { name: 'eth0', mac: ++macs }));
    left.addAddress('eth1', { addr: linkAddress(i, 1), len: 24 });
    right.addAddress('eth0', { addr: linkAddress(i, 2), len: 24 });
  }
  const a = nodes[0]!;
  const b = nodes[routers + 1]!;
  const aIp = linkAddress(0, 1);
  const bIp = linkAddress(routers, 2);
  a.addRoute({ dst: 'default', via: linkAddress(0, 2) });
  b.addRoute({ dst: 'default', via: linkAddress(routers, 1) });
  for (let r = 1; r <= routers; r++) {
    const router = nodes[r]!;
    if (r < routers) router.addRoute({ dst: { addr: linkNetwork(routers), len: 24 }, via: linkAddress(r, 2) });
    if (r > 1) router.addRoute({ dst: { addr: linkNetwork(0), len: 24 }, via: linkAddress(r - 1, 1) });
    for (let k = 0; k < extra; k++) {
      const net = ((100 + Math.floor(k / 65536)) * 0x100_0000 + (Math.floor(k / 256) % 256) * 0x1_0000 + (k % 256) * 0x100) >>> 0;
      router.addRoute({ dst: { addr: net, len: 24 }, via: linkAddress(r, 2), metric: 2 });
    }
  }
  const checker = new StreamChecker(name);
  b.udp.bind(DATAGRAM_STREAM_DEFAULTS.dstPort).onMessage(checker.receive);
  const socket = a.udp.bind(0);
  new DatagramStream(bed.scheduler, { flow: 0, socket, dstIp: bIp, count: total, start, interval });
  checker.expect({ flow: 0, count: total, srcIp: aIp, srcPort: socket.localPort, dstIp: bIp });
  const lastSend = DatagramStream.lastSendTime({ start, interval, count: total });
  if (ctx.captures) bed.captureAll();
  const setupMs = ctx.clock() - t0;
  const run = bed.run(lastSend + drain, 60 * total + 10_000, ctx.clock);
  checker.verify();
  let routerHops = 0;
  for (let r = 1; r <= routers; r++) routerHops += nodes[r]!.ipv4.stats.forwDatagrams;
  if (routerHops !== total * routers) {
    throw new BenchCheckError(name, `routers forwarded ${routerHops} datagrams, not ${total} × ${routers}`);
  }
  const cap = bed.finishCaptures();
  return {
    delivered: checker.delivered, expected: total, hops: bed.hops(), routerHops,
    events: run.events, simNs: run.simNs, runMs: run.runMs, setupMs,
    capturedFrames: cap.frames, captureBytes: cap.bytes,
  };
}

export const routerChain: Workload = {
  id: 'W3',
  name: 'router-chain',
  headline: 'routerHops',
  description: 'host A – 8 routers – host B, 200,000 UDP datagrams of 64 bytes',
  run: (ctx) => runRouterChain(ctx, false),
};

export const routerChain10k: Workload = {
  id: 'W3-10k',
  name: 'router-chain-10k',
  headline: 'routerHops',
  description: 'W3 with 10,000 unrelated /24 routes in every router',
  run: (ctx) => runRouterChain(ctx, true),
};
