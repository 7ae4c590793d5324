/**
 * W2 `overlay-pair` (BENCH.md): two hosts on one LAN, each with a bridge, a VXLAN endpoint
 * (VNI 4097) and 8 containers. Container k on host 1 streams UDP datagrams with a 64-byte
 * payload to container k on host 2, and container k on host 2 to container k on host 1:
 * 16 streams, 500,000 datagrams in total, each one encapsulated once and decapsulated once.
 *
 * Until the Docker overlay driver exists the VTEPs are built by hand, as Docker's overlay
 * driver configures them (docker-facts §5): `vxlan0` with proxy ARP on and learning off, a
 * static FDB entry and a static neighbour entry for every remote container, enslaved to `br0`
 * over an internal link of MTU 1450; containers' veths have MTU 1450 too. Underlay: host h is
 * 192.168.50.(10+h)/24 on a LAN switch (a plain learning bridge); the hosts resolve each other
 * by ARP. Overlay: container k of host h is 10.0.0.(2 + 8(h-1) + k)/24 with Docker's MAC
 * 02:42 + its IPv4 address. Every link but the internal vxlan0 ↔ br0 one is 10 Gbit/s with
 * zero delay, as in W1 and W3.
 *
 * Pacing: 10 µs between datagrams of one stream, starts spread over the first millisecond.
 * (BENCH.md fixes no rate for W2; this one stays well below the LAN's line rate.)
 */
import { ms, us } from '../sim';
import { Bridge, INTERNAL_LINK, Nic, VxlanEndpoint } from '../devices';
import { NamespaceUnderlay, NetworkNamespace } from '../stack';
import { macFromIpv4, parseIpv4, parseMac } from '../wire';
import { DatagramStream, StreamChecker, DATAGRAM_STREAM_DEFAULTS } from './datagram-stream';
import { Testbed, TESTBED_DEFAULTS } from './testbed';
import { BenchCheckError } from './bench-error';
import type { BenchSize, Workload, WorkloadContext, WorkloadMeasurement } from './workload';

export const OVERLAY_PAIR_SIZES: Record<BenchSize, { containersPerHost: number; total: number }> = {
  full: { containersPerHost: 8, total: 500_000 },
  small: { containersPerHost: 8, total: 5_000 },
};

export const OVERLAY_PAIR_TIMING = { interval: us(10), startSpread: ms(1), drain: ms(10) } as const;

/** Docker's overlay defaults used here: the first overlay VNI of the 19.03 profile, and the overlay MTU. */
const VNI = 4097;
const OVERLAY_MTU = 1450;

interface OverlayHost {
  ns: NetworkNamespace;
  underlayIp: number;
  vxlan: VxlanEndpoint;
  containers: { ns: NetworkNamespace; ip: number; mac: number }[];
}

export const overlayPair: Workload = {
  id: 'W2',
  name: 'overlay-pair',
  headline: 'datagrams',
  description: '2 hosts, bridge + VXLAN (VNI 4097) + 8 containers each, 500,000 UDP datagrams of 64 bytes across',
  run(ctx: WorkloadContext): WorkloadMeasurement {
    const name = 'W2 overlay-pair';
    const t0 = ctx.clock();
    const { containersPerHost, total } = OVERLAY_PAIR_SIZES[ctx.size];
    const streams = 2 * containersPerHost;
    const per = Math.floor(total / streams);
    const { interval, startSpread, drain } = OVERLAY_PAIR_TIMING;
    const bed = new Testbed(name);
    const lanSwitch = new Bridge(bed, { name: 'lan', mac: parseMac('02:00:c0:a8:32:ff') });
    const hosts: OverlayHost[] = [];
    for (let h = 1; h <= 2; h++) {
      const ns = new NetworkNamespace(bed, `host${h}`);
      const underlayIp = parseIpv4(`192.168.50.${10 + h}`);
      const uplink = bed.link([`host${h}:eth0`, `lan:port${h}`]);
      ns.addInterface(new Nic(bed, uplink.a, { name: 'eth0', mac: 0x0200_c0a8_3200 + 10 + h }));
      ns.addAddress('eth0', { addr: underlayIp, len: 24 });
      lanSwitch.addPort(uplink.b, { name: `port${h}` });
      const underlay = new NamespaceUnderlay(ns, underlayIp);
      const vxlan = new VxlanEndpoint(bed, { name: `host${h}:vxlan0`, vni: VNI, mac: 0x0200_0f00_0000 + h, proxyArp: true, learning: false }, underlay);
      underlay.listen(vxlan);
      const br0 = new Bridge(bed, { name: `host${h}:br0`, mac: 0x0200_0e00_0000 + h });
      const vxLink = bed.link([`host${h}:vxlan0`, `host${h}:br0-vxlan0`], { ...INTERNAL_LINK, mtu: OVERLAY_MTU });
      vxlan.attach(vxLink.a);
      br0.addPort(vxLink.b, { name: 'vxlan0' });
      const containers: OverlayHost['containers'] = [];
      for (let k = 0; k < containersPerHost; k++) {
        const ip = 0x0a00_0000 + 2 + (h - 1) * containersPerHost + k;
        const mac = macFromIpv4(ip);
        const c = new NetworkNamespace(bed, `host${h}:c${k + 1}`);
        const veth = bed.link([`host${h}:veth${k + 1}`, `host${h}:c${k + 1}:eth0`], { ...TESTBED_DEFAULTS.link, mtu: OVERLAY_MTU });
        br0.addPort(veth.a, { name: `veth${k + 1}` });
        c.addInterface(new Nic(bed, veth.b, { name: 'eth0', mac, mtu: OVERLAY_MTU }));
        c.addAddress('eth0', { addr: ip, len: 24 });
        containers.push({ ns: c, ip, mac });
      }
      hosts.push({ ns, underlayIp, vxlan, containers });
    }
    // The static entries Docker's overlay driver programs for every remote endpoint.
    for (const [here, there] of [[hosts[0]!, hosts[1]!], [hosts[1]!, hosts[0]!]] as const) {
      for (const c of there.containers) {
        here.vxlan.fdbAdd(c.mac, there.underlayIp);
        here.vxlan.neighAdd(c.ip, c.mac);
      }
    }
    const checkers = new Map<NetworkNamespace, StreamChecker>();
    for (const host of hosts) {
      for (const c of host.containers) {
        const checker = new StreamChecker(name);
        c.ns.udp.bind(DATAGRAM_STREAM_DEFAULTS.dstPort).onMessage(checker.receive);
        checkers.set(c.ns, checker);
      }
    }
    let lastSend = 0;
    let flow = 0;
    for (const [from, to] of [[hosts[0]!, hosts[1]!], [hosts[1]!, hosts[0]!]] as const) {
      for (let k = 0; k < containersPerHost; k++) {
        const src = from.containers[k]!;
        const dst = to.containers[k]!;
        const socket = src.ns.udp.bind(0);
        const start = Math.round((startSpread * (flow + 1)) / streams);
        new DatagramStream(bed.scheduler, { flow, socket, dstIp: dst.ip, count: per, start, interval });
        checkers.get(dst.ns)!.expect({ flow, count: per, srcIp: src.ip, srcPort: socket.localPort, dstIp: dst.ip });
        lastSend = Math.max(lastSend, DatagramStream.lastSendTime({ start, interval, count: per }));
        flow++;
      }
    }
    if (ctx.captures) bed.captureAll();
    const setupMs = ctx.clock() - t0;
    const run = bed.run(lastSend + drain, 60 * per * streams + 10_000, ctx.clock);
    let delivered = 0;
    for (const c of checkers.values()) {
      c.verify();
      delivered += c.delivered;
    }
    const expected = per * streams;
    if (delivered !== expected) throw new BenchCheckError(name, `${delivered} datagrams delivered, not ${expected}`);
    for (const host of hosts) {
      const s = host.vxlan.stats;
      if (s.txPackets !== expected / 2 || s.rxPackets !== expected / 2) {
        throw new BenchCheckError(name, `${host.vxlan.name} encapsulated ${s.txPackets} and decapsulated ${s.rxPackets} frames, expected ${expected / 2} each`);
      }
    }
    const cap = bed.finishCaptures();
    return {
      delivered, expected, hops: bed.hops(), routerHops: undefined,
      events: run.events, simNs: run.simNs, runMs: run.runMs, setupMs,
      capturedFrames: cap.frames, captureBytes: cap.bytes,
    };
  },
};
