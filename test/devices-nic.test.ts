import { expect } from 'chai';
import { Link, Nic, NIC_DEFAULTS } from '../src/devices';
import { formatMac } from '../src/wire';
import { Probe, collectTrace, mac, newSim, rawFrame } from './devices-harness';

const ME = mac('02:42:0a:00:00:02');
const OTHER = mac('02:42:0a:00:00:03');
const PEER = mac('02:42:0a:00:00:09');
const BCAST = mac('ff:ff:ff:ff:ff:ff');
const ALL_HOSTS = mac('01:00:5e:00:00:01');
const MDNS = mac('01:00:5e:00:00:fb');

function setup() {
  const sim = newSim();
  const link = new Link(sim, ['c1:eth0', 'h:veth1']);
  const nic = new Nic(sim, link.a, { name: 'c1:eth0', mac: ME });
  const wire = new Probe(sim, link.b);
  const got: Uint8Array[] = [];
  nic.setHandler((f, n) => {
    expect(n).to.equal(nic);
    got.push(f);
  });
  return { sim, link, nic, wire, got };
}

describe('devices: Nic (receive filter and ip -s link counters)', () => {
  it('accepts its own unicast, broadcast and subscribed multicast; drops other hosts\' frames', () => {
    const { sim, nic, wire, got } = setup();
    const mine = rawFrame(ME, PEER);
    const bcast = rawFrame(BCAST, PEER);
    const allHosts = rawFrame(ALL_HOSTS, PEER);
    const notMine = rawFrame(OTHER, PEER);
    const mdns = rawFrame(MDNS, PEER);
    for (const f of [mine, bcast, allHosts, notMine, mdns]) wire.send(f);
    sim.scheduler.run();
    expect(got).to.deep.equal([mine, bcast, allHosts]);
    expect(nic.drops['other-host']).to.equal(2);
    // A veth counts every frame it receives; other-host frames are not rx_dropped.
    expect(nic.counters).to.include({ rxPackets: 5, rxDropped: 0, rxErrors: 0, multicast: 1 });
    expect(nic.counters.rxBytes).to.equal(5 * 60);
  });

  it('is subscribed to the all-nodes and all-hosts groups from the start, and joins/leaves with reference counts', () => {
    const { sim, nic, wire, got } = setup();
    expect(nic.multicastList().map(formatMac)).to.deep.equal(['33:33:00:00:00:01', '01:00:5e:00:00:01']);
    expect(NIC_DEFAULTS.mtu).to.equal(1500);
    nic.joinMulticast(MDNS);
    nic.joinMulticast(MDNS);
    nic.leaveMulticast(MDNS);
    wire.send(rawFrame(MDNS, PEER));
    sim.scheduler.run();
    expect(got.length).to.equal(1);
    nic.leaveMulticast(MDNS);
    wire.send(rawFrame(MDNS, PEER));
    sim.scheduler.run();
    expect(got.length).to.equal(1);
    expect(() => nic.joinMulticast(OTHER)).to.throw(/not a multicast/);
  });

  it('in promiscuous mode hands every frame to the stack', () => {
    const { sim, nic, wire, got } = setup();
    nic.promiscuous = true;
    wire.send(rawFrame(OTHER, PEER));
    wire.send(rawFrame(MDNS, PEER));
    sim.scheduler.run();
    expect(got.length).to.equal(2);
    expect(nic.drops['other-host']).to.equal(0);
  });

  it('counts runts as rx errors and never throws on them', () => {
    const { sim, nic, wire, got } = setup();
    const events = collectTrace(sim, ['drop']);
    wire.send(new Uint8Array(0));
    wire.send(new Uint8Array(13));
    sim.scheduler.run();
    expect(got.length).to.equal(0);
    expect(nic.counters).to.include({ rxErrors: 2, rxPackets: 0 });
    expect(events.map((e) => e.reason)).to.deep.equal(['runt', 'runt']);
    expect(events[0]).to.include({ device: 'c1:eth0' });
  });

  it('counts transmitted frames, and refuses frames while down, too long, or runt', () => {
    const { sim, nic, wire } = setup();
    nic.send(rawFrame(OTHER, ME, 100));
    nic.send(rawFrame(OTHER, ME, 1501));
    nic.send(new Uint8Array(10));
    nic.up = false;
    nic.send(rawFrame(OTHER, ME));
    sim.scheduler.run();
    expect(wire.count).to.equal(1);
    expect(nic.counters).to.include({ txPackets: 1, txBytes: 114, txDropped: 2, txErrors: 1 });
    expect(nic.drops).to.include({ mtu: 1, down: 1, runt: 1 });
  });

  it('drops frames arriving while down, and frames no handler takes, as rx dropped', () => {
    const sim = newSim();
    const link = new Link(sim, ['c1:eth0', 'h:veth1']);
    const nic = new Nic(sim, link.a, { name: 'c1:eth0', mac: ME, mtu: 1450 });
    const wire = new Probe(sim, link.b);
    expect(nic.mtu).to.equal(1450);
    wire.send(rawFrame(ME, PEER));
    sim.scheduler.run();
    expect(nic.counters.rxDropped).to.equal(1);
    expect(nic.drops['no-handler']).to.equal(1);
    nic.up = false;
    wire.send(rawFrame(ME, PEER));
    sim.scheduler.run();
    expect(nic.counters.rxDropped).to.equal(2);
    expect(nic.drops.down).to.equal(1);
  });
});
