/**
 * W1 `bridge-fanout` (BENCH.md): 16 namespaces, each with one veth (10 Gbit/s, zero delay) to
 * one learning bridge. Namespace i sends UDP datagrams with a 64-byte payload to namespace
 * (i+1) mod 16, port 9, one every 10 µs, 62,500 each (1,000,000 in total). ARP resolves
 * normally at the start (the first datagram of each sender waits for it).
 *
 * As in ns-3's reference program (bench/ns3/bridge_fanout.cc), sender i starts at
 * 1 ms · (i+1) / 16, so the streams interleave instead of colliding on the same nanosecond.
 * Namespace i is 10.0.0.(i+1)/16 with MAC 02:00:0a:00:00:(i+1) on eth0; the bridge has no
 * interface of its own in any stack (a plain switch).
 */
import { us, ms } from '../sim';
import { Bridge, Nic } from '../devices';
import { NetworkNamespace } from '../stack';
import { parseMac } from '../wire';
import { DatagramStream, StreamChecker, DATAGRAM_STREAM_DEFAULTS } from './datagram-stream';
import { Testbed } from './testbed';
import { BenchCheckError } from './bench-error';
import type { BenchSize, Workload, WorkloadContext, WorkloadMeasurement } from './workload';

export const BRIDGE_FANOUT_SIZES: Record<BenchSize, { hosts: number; total: number }> = {
  full: { hosts: 16, total: 1_000_000 },
  small: { hosts: 16, total: 10_000 },
};

/** BENCH.md W1's pacing, and how long after the last send the run may still take. */
export const BRIDGE_FANOUT_TIMING = { interval: us(10), startSpread: ms(1), drain: ms(10) } as const;

export const bridgeFanout: Workload = {
  id: 'W1',
  name: 'bridge-fanout',
  headline: 'datagrams',
  description: '16 namespaces on one learning bridge, i sends to i+1, 1,000,000 UDP datagrams of 64 bytes',
  run(ctx: WorkloadContext): WorkloadMeasurement {
    const name = 'W1 bridge-fanout';
    const t0 = ctx.clock();
    const { hosts, total } = BRIDGE_FANOUT_SIZES[ctx.size];
    const per = Math.floor(total / hosts);
    const { interval, startSpread, drain } = BRIDGE_FANOUT_TIMING;
    const bed = new Testbed(name);
    const bridge = new Bridge(bed, { name: 'br0', mac: parseMac('02:00:0a:00:00:ff') });
    const spaces: NetworkNamespace[] = [];
    for (let i = 0; i < hosts; i++) {
      const ns = new NetworkNamespace(bed, `h${i + 1}`);
      const link = bed.link([`veth${i + 1}`, `h${i + 1}:eth0`]);
      bridge.addPort(link.a, { name: `veth${i + 1}` });
      ns.addInterface(new Nic(bed, link.b, { name: 'eth0', mac: 0x0200_0a00_0000 + i + 1 }));
      ns.addAddress('eth0', { addr: 0x0a00_0000 + i + 1, len: 16 });
      spaces.push(ns);
    }
    const checkers: StreamChecker[] = [];
    let lastSend = 0;
    for (let i = 0; i < hosts; i++) {
      const checker = new StreamChecker(name);
      spaces[i]!.udp.bind(DATAGRAM_STREAM_DEFAULTS.dstPort).onMessage(checker.receive);
      checkers.push(checker);
    }
    for (let i = 0; i < hosts; i++) {
      const to = (i + 1) % hosts;
      const socket = spaces[i]!.udp.bind(0);
      const srcIp = 0x0a00_0000 + i + 1;
      const dstIp = 0x0a00_0000 + to + 1;
      const start = Math.round((startSpread * (i + 1)) / hosts);
      new DatagramStream(bed.scheduler, { flow: i, socket, dstIp, count: per, start, interval });
      checkers[to]!.expect({ flow: i, count: per, srcIp, srcPort: socket.localPort, dstIp });
      lastSend = Math.max(lastSend, DatagramStream.lastSendTime({ start, interval, count: per }));
    }
    if (ctx.captures) bed.captureAll();
    const setupMs = ctx.clock() - t0;
    const run = bed.run(lastSend + drain, 40 * per * hosts + 10_000, ctx.clock);
    let delivered = 0;
    for (const c of checkers) {
      c.verify();
      delivered += c.delivered;
    }
    if (delivered !== per * hosts) throw new BenchCheckError(name, `${delivered} datagrams delivered, not ${per * hosts}`);
    const cap = bed.finishCaptures();
    return {
      delivered, expected: per * hosts, hops: bed.hops(), routerHops: undefined,
      events: run.events, simNs: run.simNs, runMs: run.runMs, setupMs,
      capturedFrames: cap.frames, captureBytes: cap.bytes,
    };
  },
};
