// DESIGN.md "Robustness": malformed frames never throw out of a device; they are dropped and
// counted per reason. Random bytes (and random bytes behind plausible headers) are injected
// at every kind of device.
import { expect } from 'chai';
import fc from 'fast-check';
import { Bridge, FaultInjector, INTERNAL_LINK, Link, Nic, VxlanDemux, VxlanEndpoint, LinkCapture, type UnderlayTransport } from '../src/devices';
import { readU48 } from '../src/wire';
import { Probe, collectTrace, ip, mac, newSim } from './devices-harness';

const BR = mac('02:42:5c:00:00:01');
const NIC = mac('02:42:0a:00:00:02');

/** Random frames: pure noise, or noise behind a header with interesting addresses and EtherTypes. */
const frameArb = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.record({
    dst: fc.constantFrom(BR, NIC, 0xffff_ffff_ffff, 0x0180_c200_0000, 0x0180_c200_0001, 0x0180_c200_000e, 0x0100_5e00_0001, 0x0242_0a00_0003, 0),
    src: fc.constantFrom(NIC, 0x0242_0a00_0003, 0x0100_5e00_0001, 0, 0xffff_ffff_ffff, BR),
    etherType: fc.constantFrom(0x0800, 0x0806, 0x8100, 0x86dd, 0x1234),
    body: fc.uint8Array({ maxLength: 100 }),
  }).map(({ dst, src, etherType, body }) => {
    const f = new Uint8Array(14 + body.length);
    for (let i = 0; i < 6; i++) {
      f[i] = Math.floor(dst / 2 ** (8 * (5 - i))) % 256;
      f[6 + i] = Math.floor(src / 2 ** (8 * (5 - i))) % 256;
    }
    f[12] = etherType >> 8;
    f[13] = etherType & 0xff;
    f.set(body, 14);
    return f;
  }),
);

const isValidSrc = (f: Uint8Array): boolean => (f[6]! & 1) === 0 && readU48(f, 6) !== 0;

describe('devices: malformed frames are counted, never thrown', () => {
  it('Nic: runts are rx errors, the rest are received and filtered', () => {
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 40 }), (frames) => {
      const sim = newSim();
      const link = new Link(sim, ['c:eth0', 'h:veth']);
      const nic = new Nic(sim, link.a, { name: 'c:eth0', mac: NIC });
      nic.setHandler(() => {});
      for (const f of frames) link.b.transmit(f);
      sim.scheduler.run();
      const runts = frames.filter((f) => f.length < 14).length;
      expect(nic.counters.rxErrors).to.equal(runts);
      expect(nic.counters.rxPackets).to.equal(frames.length - runts);
    }), { numRuns: 60 });
  });

  it('Bridge: runts and invalid sources are dropped per reason, from ports and from the host', () => {
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 40 }), fc.array(frameArb, { maxLength: 10 }), (fromPorts, fromHost) => {
      const sim = newSim();
      const drops = collectTrace(sim, ['drop']);
      const br = new Bridge(sim, { name: 'h:br0', mac: BR });
      const hostLink = br.selfPort;
      new Probe(sim, hostLink);
      const probes = [0, 1].map((i) => {
        const l = new Link(sim, [`c${i}:eth0`, `h:veth${i}`]);
        br.addPort(l.b, { hairpin: i === 1 });
        return new Probe(sim, l.a);
      });
      fromPorts.forEach((f, i) => probes[i % 2]!.send(f));
      for (const f of fromHost) hostLink.transmit(f);
      sim.scheduler.run();
      const runts = fromPorts.filter((f) => f.length < 14).length + fromHost.filter((f) => f.length < 14).length;
      const invalid = fromPorts.filter((f) => f.length >= 14 && !isValidSrc(f)).length;
      expect(br.stats.drops.runt).to.equal(runts);
      expect(br.stats.drops['invalid-src']).to.equal(invalid);
      expect(drops.filter((e) => e.device === 'h:br0').length).to.equal(Object.values(br.stats.drops).reduce((a, b) => a + b, 0));
    }), { numRuns: 60 });
  });

  it('VxlanEndpoint and VxlanDemux: any underlay payload and any L2 frame is handled or counted', () => {
    const underlay: UnderlayTransport = { localIp: ip('192.168.50.11'), sendUdp: () => {} };
    const payloadArb = fc.oneof(
      fc.uint8Array({ maxLength: 60 }),
      fc.tuple(fc.constantFrom(0x08, 0x00, 0x88, 0x0c), fc.constantFrom(4097, 4098), frameArb).map(([flags, vni, inner]) => {
        const p = new Uint8Array(8 + inner.length);
        p[0] = flags;
        p[4] = vni >> 16;
        p[5] = (vni >> 8) & 0xff;
        p[6] = vni & 0xff;
        p.set(inner, 8);
        return p;
      }),
    );
    fc.assert(fc.property(fc.array(payloadArb, { maxLength: 30 }), fc.array(frameArb, { maxLength: 30 }), fc.boolean(), (payloads, frames, learning) => {
      const sim = newSim();
      const vx = new VxlanEndpoint(sim, { name: 'n:vxlan0', vni: 4097, mac: mac('aa:00:00:00:00:01'), learning, proxyArp: true }, underlay);
      vx.fdbAppend(0, ip('192.168.50.12'));
      vx.neighAdd(ip('10.0.1.3'), mac('02:42:0a:00:01:03'));
      const link = new Link(sim, ['n:br-side', 'n:vxlan0'], INTERNAL_LINK);
      vx.attach(link.b);
      new Probe(sim, link.a);
      const demux = new VxlanDemux(sim, 'n:udp/4789');
      demux.add(vx);
      for (const p of payloads) demux.receiveUnderlay(ip('192.168.50.12'), 4789, p);
      for (const f of frames) link.a.transmit(f);
      sim.scheduler.run();
      const demuxDrops = Object.values(demux.drops).reduce((a, b) => a + b, 0);
      const { short, 'bad-flags': badFlags, 'vni-mismatch': vniMismatch, 'bad-header': badHeader, loop, 'invalid-src': invalidSrc, 'static-entry': staticEntry } = vx.stats.drops;
      expect(demuxDrops + short + badFlags + vniMismatch + badHeader + loop + invalidSrc + staticEntry + vx.stats.rxPackets).to.equal(payloads.length);
      const l2 = vx.stats.drops.runt + vx.stats.drops['no-fdb'] + vx.stats.arpProxied + vx.stats.arpSuppressed + vx.stats.txPackets;
      expect(l2).to.equal(frames.length);
    }), { numRuns: 60 });
  });

  it('Link, FaultInjector and LinkCapture pass any bytes without throwing', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 1600 }), { maxLength: 20 }), (frames) => {
      const sim = newSim();
      const link = new Link(sim, ['a', 'b'], { mtu: 1000, rate: 1e8, queueLimit: 5 });
      const cap = new LinkCapture(sim.scheduler, link, { record: () => {} });
      const faulty = new FaultInjector(sim, cap.a, { corrupt: 0.5, duplicate: 0.3, reorder: 0.3, drop: 0.1 });
      const out = new Probe(sim, cap.b);
      for (const f of frames) faulty.transmit(f);
      sim.scheduler.run();
      const s = link.stats.aToB;
      const d = s.drops;
      expect(out.count + d.mtu + d['queue-full']).to.equal(frames.length - faulty.stats.dropped + faulty.stats.duplicated);
    }), { numRuns: 60 });
  });
});
