// The routing table and the namespace's address/route bookkeeping: longest-prefix match with
// overlapping prefixes, metrics, 100,000 routes, connected routes, link up/down, source selection.
import { expect } from 'chai';
import { Rng, Scheduler, TraceBus } from '../src/sim';
import { Link, Nic } from '../src/devices';
import { NetworkNamespace, RoutingTable, StackError, type NetInterface } from '../src/stack';
import { formatIpv4 } from '../src/wire';
import { ip, mac } from './stack-harness';

function sim() {
  return { scheduler: new Scheduler(), rng: Rng.fromSeed(1), trace: new TraceBus() };
}

/** A namespace with eth0 and eth1 (each on a link to nowhere). */
function router(): { ns: NetworkNamespace; eth0: NetInterface; eth1: NetInterface } {
  const s = sim();
  const ns = new NetworkNamespace(s, 'r', { forwarding: true });
  const l0 = new Link(s, ['r:eth0', 'x0']);
  const l1 = new Link(s, ['r:eth1', 'x1']);
  const eth0 = ns.addInterface(new Nic(s, l0.a, { name: 'eth0', mac: mac('02:00:00:00:01:00') }));
  const eth1 = ns.addInterface(new Nic(s, l1.a, { name: 'eth1', mac: mac('02:00:00:00:01:01') }));
  ns.addAddress('eth0', '10.0.0.1/24');
  ns.addAddress('eth1', '192.168.1.1/24');
  return { ns, eth0, eth1 };
}

describe('stack: routing', () => {
  it('numbers interfaces like Linux: lo is 1, then in order of attachment', () => {
    const { ns } = router();
    expect(ns.interfaces().map((i) => `${i.ifindex}:${i.name}`)).to.deep.equal(['1:lo', '2:eth0', '3:eth1']);
    expect(ns.isLocalAddress(ip('127.0.0.1'))).to.equal(true);
    expect(ns.isLocalAddress(ip('127.1.2.3'))).to.equal(true); // the whole 127.0.0.0/8 is local
  });

  it('adds the connected route for an address, as the kernel does', () => {
    const { ns, eth0 } = router();
    const r = ns.route('10.0.0.77')!;
    expect(r).to.include({ dst: ip('10.0.0.0'), prefixLen: 24, dev: eth0, src: ip('10.0.0.1'), proto: 'kernel', scope: 'link', gateway: undefined, metric: 0 });
    // No route for the loopback's prefix in the main table (it is local), none for a /32.
    ns.addAddress('eth0', '172.16.5.5/32');
    expect(ns.routes.routes().map((x) => `${formatIpv4(x.dst)}/${x.prefixLen}`)).to.deep.equal(['10.0.0.0/24', '192.168.1.0/24']);
  });

  it('picks the longest prefix among overlapping routes, then the lowest metric', () => {
    const { ns, eth0, eth1 } = router();
    ns.addRoute({ dst: 'default', via: '10.0.0.254' });
    ns.addRoute({ dst: '172.16.0.0/12', via: '10.0.0.2' });
    ns.addRoute({ dst: '172.16.0.0/16', via: '192.168.1.2' });
    ns.addRoute({ dst: '172.16.1.0/24', via: '10.0.0.3', metric: 100 });
    ns.addRoute({ dst: '172.16.1.0/24', via: '192.168.1.3', metric: 50 });
    ns.addRoute({ dst: '172.16.1.128/25', type: 'blackhole' });
    const via = (d: string) => {
      const r = ns.route(d)!;
      return r.type === 'unicast' ? `${formatIpv4(r.gateway!)} ${r.dev!.name}` : r.type;
    };
    expect(via('8.8.8.8')).to.equal(`10.0.0.254 ${eth0.name}`);
    expect(via('172.20.0.1')).to.equal('10.0.0.2 eth0');
    expect(via('172.16.9.9')).to.equal(`192.168.1.2 ${eth1.name}`);
    expect(via('172.16.1.5')).to.equal('192.168.1.3 eth1');
    expect(via('172.16.1.200')).to.equal('blackhole');
    expect(ns.route('10.0.0.9')!.gateway).to.equal(undefined);
    // Deleting the better metric falls back to the other one.
    ns.routes.delete({ dst: ip('172.16.1.0'), prefixLen: 24, metric: 50 });
    expect(via('172.16.1.5')).to.equal('10.0.0.3 eth0');
  });

  it('refuses a duplicate route, a gateway off-link, and host bits in the prefix', () => {
    const { ns } = router();
    ns.addRoute({ dst: '10.9.0.0/16', via: '10.0.0.2' });
    expect(() => ns.addRoute({ dst: '10.9.0.0/16', via: '10.0.0.3' })).to.throw(StackError, /File exists/);
    expect(() => ns.addRoute({ dst: '10.8.0.0/16', via: '10.50.0.1' })).to.throw(StackError, /invalid gateway/);
    expect(() => ns.addRoute({ dst: '10.7.0.1/16', via: '10.0.0.2' })).to.throw(StackError, /host bits/);
    expect(() => ns.addRoute({ dst: '10.6.0.0/16', via: '10.50.0.1', dev: 'eth0', onlink: true })).not.to.throw();
    expect(() => ns.addRoute({ dst: '10.5.0.0/16', dev: 'eth9' })).to.throw(StackError, /No such device/);
  });

  it('lists routes in ip-route order: by destination, shorter prefix first', () => {
    const { ns } = router();
    ns.addRoute({ dst: '10.0.0.0/8', via: '192.168.1.9' });
    ns.addRoute({ dst: 'default', via: '192.168.1.254' });
    expect(ns.routes.routes().map((r) => `${formatIpv4(r.dst)}/${r.prefixLen} ${r.proto}`)).to.deep.equal([
      '0.0.0.0/0 boot', '10.0.0.0/8 boot', '10.0.0.0/24 kernel', '192.168.1.0/24 kernel',
    ]);
  });

  it('looks up 100,000 routes with at most one Map probe per distinct prefix length', () => {
    const t = new RoutingTable();
    const s = sim();
    const dev = new NetworkNamespace(s, 'x').loopback;
    // 100,000 consecutive /24s from 16.0.0.0 (up to 17.134.159.0/24).
    const dstOf = (i: number) => (0x1000_0000 + i * 256) >>> 0;
    for (let i = 0; i < 100_000; i++) t.add({ dst: dstOf(i), prefixLen: 24, dev, gateway: ip('192.168.0.1') });
    t.add({ dst: 0, prefixLen: 0, dev, gateway: ip('192.168.0.254') });
    t.add({ dst: ip('17.0.0.0'), prefixLen: 8, dev, gateway: ip('192.168.0.8') });
    t.add({ dst: ip('16.1.2.3'), prefixLen: 32, dev, gateway: ip('192.168.0.32') });
    expect(t.size).to.equal(100_003);
    const rng = Rng.fromSeed('lookups');
    const before = { ...t.stats };
    for (let k = 0; k < 10_000; k++) {
      const i = rng.int(100_000);
      const dst = (dstOf(i) + rng.int(256)) >>> 0;
      const r = t.lookup(dst)!;
      if (dst === ip('16.1.2.3')) expect(r.prefixLen).to.equal(32);
      else expect(r.dst).to.equal(dstOf(i));
    }
    // 4 distinct lengths (32, 24, 8, 0): a hit on a /24 costs 2 probes, whatever the table size.
    const probes = t.stats.probes - before.probes;
    const lookups = t.stats.lookups - before.lookups;
    expect(lookups).to.equal(10_000);
    expect(probes).to.be.at.most(2 * lookups);
    expect(t.lookup(ip('200.0.0.1'))!.prefixLen).to.equal(0);
    expect(t.lookup(ip('17.200.0.1'))!.prefixLen).to.equal(8); // beyond the /24s
    expect(t.lookup(ip('17.100.0.1'))!.prefixLen).to.equal(24);
  });

  it('a link going down removes its routes; coming up restores only the connected ones', () => {
    const { ns, eth1 } = router();
    ns.addRoute({ dst: '172.16.0.0/16', via: '192.168.1.2' });
    ns.setLinkUp('eth1', false);
    expect(ns.route('192.168.1.7')).to.equal(undefined);
    expect(ns.route('172.16.0.1')).to.equal(undefined);
    ns.setLinkUp('eth1', true);
    expect(ns.route('192.168.1.7')!.dev).to.equal(eth1);
    expect(ns.route('172.16.0.1')).to.equal(undefined);
  });

  it('removing an interface takes its addresses, routes and neighbours with it', () => {
    const { ns } = router();
    ns.addRoute({ dst: '172.16.0.0/16', via: '192.168.1.2' });
    ns.setNeighbour('eth1', '192.168.1.2', mac('02:00:00:00:00:99'));
    ns.removeInterface('eth1');
    expect(ns.interface('eth1')).to.equal(undefined);
    expect(ns.interfaces().map((i) => i.name)).to.deep.equal(['lo', 'eth0']);
    expect(ns.isLocalAddress(ip('192.168.1.1'))).to.equal(false);
    expect(ns.route('172.16.0.1')).to.equal(undefined);
    expect(ns.route('192.168.1.5')).to.equal(undefined);
    expect(ns.neighbours.entries()).to.have.length(0);
    expect(() => ns.removeInterface('lo')).to.throw(StackError);
  });

  it('secondary addresses add no route and leave with their primary', () => {
    const { ns, eth0 } = router();
    const sec = ns.addAddress('eth0', '10.0.0.50/24');
    expect(sec.secondary).to.equal(true);
    expect(ns.routes.routesFor(ip('10.0.0.0'), 24)).to.have.length(1);
    expect(ns.selectSourceAddress(eth0, ip('10.0.0.9'), 'link')).to.equal(ip('10.0.0.1'));
    ns.delAddress('eth0', '10.0.0.1/24');
    expect(eth0.addresses).to.have.length(0);
    expect(ns.isLocalAddress(ip('10.0.0.50'))).to.equal(false);
    expect(ns.route('10.0.0.9')).to.equal(undefined);
    expect(() => ns.delAddress('eth0', '10.0.0.1/24')).to.throw(StackError);
  });

  it('resolves output paths: gateway, source address, local destinations over lo, ENETUNREACH', () => {
    const { ns, eth1 } = router();
    ns.addRoute({ dst: '172.16.0.0/16', via: '192.168.1.2' });
    const p = ns.ipv4.resolveOutput(ip('172.16.3.4'));
    expect(p.iface).to.equal(eth1);
    expect(p.nextHop).to.equal(ip('192.168.1.2'));
    expect(p.src).to.equal(ip('192.168.1.1'));
    const local = ns.ipv4.resolveOutput(ip('10.0.0.1'));
    expect(local.iface.name).to.equal('lo');
    expect(local.src).to.equal(ip('10.0.0.1'));
    expect(() => ns.ipv4.resolveOutput(ip('8.8.8.8'))).to.throw(StackError, /Network unreachable/);
    expect(() => ns.ipv4.resolveOutput(ip('10.0.0.255'))).to.throw(StackError, /Permission denied/);
  });
});
