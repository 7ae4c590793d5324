import { expect } from 'chai';
import { Machine, NetlinkError, StackError, type Netdev, type NetworkNamespace } from '../src/stack';
import { Link } from '../src/devices';
import { formatMac, parseCidr, parseIpv4, parseMac, isValidUnicastMac } from '../src/wire';
import { advance, newMachine, newSim, type Sim } from './machine-harness';

/** Pings `dst` from `ns` with a raw ICMP socket; returns how many echo replies came back within `seconds`. */
function ping(sim: Sim, ns: NetworkNamespace, dst: string, count = 1, seconds = 2): number {
  const sock = ns.icmp.open();
  let replies = 0;
  sock.onMessage((m) => {
    if (m.message.type === 0) replies++;
  });
  for (let i = 0; i < count; i++) sock.sendEcho(parseIpv4(dst), 7, i, new Uint8Array(56));
  advance(sim, seconds);
  sock.close();
  return replies;
}

function names(devs: readonly Netdev[]): string[] {
  return devs.map((d) => `${d.ifindex}:${d.name}`);
}

describe('Machine', () => {
  describe('devices and ifindexes', () => {
    it('numbers devices per namespace like Linux: lo 1, a veth peer before its device', () => {
      const { machine } = newMachine();
      const [veth1, eth0] = machine.createVeth('veth1', 'eth0');
      expect([eth0.ifindex, veth1.ifindex]).to.deep.equal([2, 3]);
      const br = machine.createBridge('br0');
      expect(br.ifindex).to.equal(4);
      expect(names(machine.links())).to.deep.equal(['1:lo', '2:eth0', '3:veth1', '4:br0']);
    });

    it('keeps a moved device\'s ifindex when it is free in the target, and allocates after the last one otherwise', () => {
      const { machine } = newMachine();
      const c1 = machine.addNamespace('c1');
      const [, eth0] = machine.createVeth('veth1', 'eth0');
      machine.setNetns(eth0, c1);
      expect(eth0.ifindex).to.equal(2);
      expect(names(machine.links(c1))).to.deep.equal(['1:lo', '2:eth0']);
      // The root namespace allocates after its last allocation (3), not the freed 2.
      const [v2, p2] = machine.createVeth('veth2', 'peer2');
      expect([p2.ifindex, v2.ifindex]).to.deep.equal([4, 5]);
      // In c1, index 2 is taken: a device moved there from index 2 of root gets the next one.
      const c2 = machine.addNamespace('c2');
      const [x] = machine.createVeth('x', 'y', { ns: c2 });
      expect(x.ifindex).to.equal(3);
      machine.setNetns(x, c1);
      expect(x.ifindex).to.equal(3);
    });

    it('makes new devices down, with locally administered unicast random MACs that depend only on the seed', () => {
      const a = newMachine('h', {}, 7).machine;
      const b = newMachine('h', {}, 7).machine;
      const [v1, p1] = a.createVeth('veth1', 'eth0');
      const [v2, p2] = b.createVeth('veth1', 'eth0');
      expect([v1.up, p1.up]).to.deep.equal([false, false]);
      expect(formatMac(v1.mac)).to.equal(formatMac(v2.mac));
      expect(formatMac(p1.mac)).to.equal(formatMac(p2.mac));
      for (const mac of [v1.mac, p1.mac]) {
        expect(isValidUnicastMac(mac)).to.equal(true);
        expect(Math.floor(mac / 2 ** 40) & 0x02).to.equal(0x02);
      }
      expect(v1.mac).to.not.equal(p1.mac);
    });

    it('refuses taken and invalid names and a second VNI on one port', () => {
      const { machine } = newMachine();
      machine.createVeth('veth1', 'eth0');
      const errno = (f: () => unknown): string => {
        try {
          f();
        } catch (e) {
          if (e instanceof NetlinkError) return `${e.errno}${e.extack ? `: ${e.extack}` : ''}`;
          throw e;
        }
        return 'ok';
      };
      expect(errno(() => machine.createVeth('veth1', 'x'))).to.equal('EEXIST');
      expect(errno(() => machine.createBridge('a/b'))).to.equal('EINVAL');
      expect(errno(() => machine.createBridge('abcdefghijklmnop'))).to.equal('EINVAL');
      machine.createVxlan('vx0', { vni: 42, dstPort: 4789 });
      expect(errno(() => machine.createVxlan('vx1', { vni: 42, dstPort: 4789 }))).to.equal('EEXIST: A VXLAN device with the specified VNI already exists');
      expect(errno(() => machine.createVxlan('vx1', { vni: 42, dstPort: 8472 }))).to.equal('ok');
    });
  });

  describe('state', () => {
    it('gives a veth carrier only when both ends are up (UP / LOWERLAYERDOWN)', () => {
      const { machine } = newMachine();
      const [a, b] = machine.createVeth('a', 'b');
      machine.setUp(a, true);
      expect([a.carrier, a.operState]).to.deep.equal([false, 'LOWERLAYERDOWN']);
      machine.setUp(b, true);
      expect([a.operState, b.operState]).to.deep.equal(['UP', 'UP']);
      machine.setUp(b, false);
      expect([a.operState, b.operState]).to.deep.equal(['LOWERLAYERDOWN', 'DOWN']);
    });

    it('gives a bridge carrier only while a port forwards', () => {
      const { machine } = newMachine();
      const br = machine.createBridge('br0');
      machine.setUp(br, true);
      expect(br.operState).to.equal('DOWN');
      const [v, p] = machine.createVeth('veth1', 'eth0');
      machine.setMaster(v, br);
      machine.setUp(v, true);
      expect(br.operState).to.equal('DOWN');
      machine.setUp(p, true);
      expect(br.operState).to.equal('UP');
      expect(machine.bridgePortState(v)).to.deep.equal({ state: 'forwarding', priority: 32, cost: 2 });
      machine.setUp(p, false);
      expect(br.operState).to.equal('DOWN');
      expect(machine.bridgePortState(v)!.state).to.equal('disabled');
    });

    it('needs a device down to rename it, and keeps its addresses', () => {
      const { machine } = newMachine();
      const [v] = machine.createVeth('veth1', 'eth0');
      machine.addAddress(v, parseCidr('10.1.0.1/24'));
      machine.setUp(v, true);
      expect(() => machine.rename(v, 'lan0')).to.throw(NetlinkError).with.property('errno', 'EBUSY');
      machine.setUp(v, false);
      machine.rename(v, 'lan0');
      expect(machine.link(machine.root, 'lan0')).to.equal(v);
      expect(machine.link(machine.root, 'veth1')).to.equal(undefined);
      expect(v.iface!.name).to.equal('lan0');
      expect(v.iface!.addresses.map((a) => a.address)).to.deep.equal([parseIpv4('10.1.0.1')]);
    });
  });

  describe('namespaces, bridges, deletion', () => {
    it('moving a device closes it, flushes its addresses and gives both namespaces ids for each other', () => {
      const { machine } = newMachine();
      const c1 = machine.addNamespace('c1');
      const [v, p] = machine.createVeth('veth1', 'eth0');
      machine.addAddress(p, parseCidr('10.0.0.2/24'));
      machine.setUp(p, true);
      machine.setNetns(p, c1);
      expect([p.up, p.ns === c1, p.iface!.addresses.length]).to.deep.equal([false, true, 0]);
      expect(machine.root.interface('eth0')).to.equal(undefined);
      expect(c1.interface('eth0')).to.equal(p.iface);
      expect([machine.nsid(machine.root, c1), machine.nsid(c1, machine.root)]).to.deep.equal([0, 0]);
      expect(v.peer).to.equal(p);
      expect(() => machine.setNetns(machine.link(machine.root, 'lo')!, c1)).to.throw(NetlinkError);
    });

    it('takes an enslaved device out of the stack and gives the bridge the smallest port MAC', () => {
      const { machine } = newMachine();
      const br = machine.createBridge('br0');
      const [a] = machine.createVeth('a1', 'a2', { mac: parseMac('56:00:12:27:eb:16') });
      const [b] = machine.createVeth('b1', 'b2', { mac: parseMac('9e:bc:70:73:26:2b') });
      machine.addAddress(a, parseCidr('10.9.0.1/24'));
      machine.setMaster(b, br);
      expect(formatMac(br.mac)).to.equal('9e:bc:70:73:26:2b');
      machine.setMaster(a, br);
      expect(formatMac(br.mac)).to.equal('56:00:12:27:eb:16');
      expect(a.iface).to.equal(undefined);
      expect(machine.root.interface('a1')).to.equal(undefined);
      expect(machine.bridgePorts(br).map((d) => d.name)).to.deep.equal(['a1', 'b1']);
      // The bridge's own address is the port's local entry: no entry of its own.
      expect(br.bridge!.fdb().map((e) => `${formatMac(e.mac)} ${e.port}`)).to.deep.equal(['9e:bc:70:73:26:2b b1', '56:00:12:27:eb:16 a1']);
      machine.setNomaster(a);
      expect(a.iface!.name).to.equal('a1');
      expect(formatMac(br.mac)).to.equal('9e:bc:70:73:26:2b');
      // A MAC set by the user sticks.
      machine.setMac(br, parseMac('02:00:00:00:00:01'));
      machine.setMaster(a, br);
      expect(formatMac(br.mac)).to.equal('02:00:00:00:00:01');
      expect(() => machine.setMaster(br, br)).to.throw(NetlinkError).with.property('extack', 'Can not enslave a bridge to a bridge');
    });

    it('deletes both ends of a veth pair, and returns a namespace\'s NICs to the root when it is deleted', () => {
      const { machine } = newMachine();
      const c1 = machine.addNamespace('c1');
      const [v, p] = machine.createVeth('veth1', 'eth0');
      machine.setNetns(p, c1);
      machine.deleteLink(p);
      expect(names(machine.links())).to.deep.equal(['1:lo']);
      expect(names(machine.links(c1))).to.deep.equal(['1:lo']);
      expect(() => machine.setUp(v, true)).to.throw(NetlinkError).with.property('errno', 'ENODEV');

      const sim2 = newSim();
      const m2 = new Machine(sim2, 'h2');
      const lan = new Link(sim2, ['lan:h2.eth0', 'h2:eth0']);
      const c2 = m2.addNamespace('c2');
      const nic = m2.attachLanPort('eth0', lan.b, parseMac('02:00:00:00:00:0a'), { ns: c2 });
      m2.createVeth('v1', 'v2', { ns: c2 });
      m2.deleteNamespace('c2');
      expect(nic.ns).to.equal(m2.root);
      expect(names(m2.links())).to.deep.equal(['1:lo', '2:eth0']);
      expect(m2.listedNamespaces()).to.deep.equal([]);
    });
  });

  describe('onLinkCreated', () => {
    it('announces a veth pair once both ends are up, named after where the ends are then', () => {
      const { machine } = newMachine('node1');
      const seen: string[] = [];
      machine.onLinkCreated((link, ends) => seen.push(`${link.name} [${ends.join(' ')}]`));
      const c1 = machine.addNamespace('c1');
      const cont = machine.addNamespace('sandbox1', { listed: false, label: 'container1' });
      const [v, p] = machine.createVeth('veth1', 'eth0');
      machine.setUp(v, true);
      expect(seen).to.deep.equal([]);
      machine.setNetns(p, c1);
      machine.setUp(p, true);
      const [v2, p2] = machine.createVeth('vethab', 'tmp0');
      machine.setNetns(p2, cont);
      machine.rename(p2, 'eth0');
      machine.setUp(p2, true);
      machine.setUp(v2, true);
      expect(seen).to.deep.equal([
        'node1:veth1--c1:eth0 [node1:veth1 c1:eth0]',
        'node1:vethab--container1:eth0 [node1:vethab container1:eth0]',
      ]);
    });

    it('announces a bridge\'s and a VXLAN device\'s own links at creation', () => {
      const { machine } = newMachine('node1');
      const seen: string[] = [];
      machine.onLinkCreated((link, ends) => seen.push(`${link.name} [${ends.join(' ')}]`));
      machine.createBridge('br0');
      machine.createVxlan('vxlan0', { vni: 4097, dstPort: 4789 });
      expect(seen).to.deep.equal([
        'node1:br0(bridge)--node1:br0 [node1:br0(bridge) node1:br0]',
        'node1:vxlan0(vxlan)--node1:vxlan0 [node1:vxlan0(vxlan) node1:vxlan0]',
      ]);
    });
  });

  describe('data plane', () => {
    /** Two namespaces on a veth pair with the given addresses, up. */
    function pair(machine: Machine): { a: NetworkNamespace; b: NetworkNamespace; ea: Netdev; eb: Netdev } {
      const a = machine.addNamespace('a');
      const b = machine.addNamespace('b');
      const [ea, eb] = machine.createVeth('eth0', 'peer0', { ns: a, peerNs: b });
      machine.setUp(ea, true);
      machine.setUp(eb, true);
      return { a, b, ea, eb };
    }

    it('carries pings over a bridge with two namespaces, and counts them', () => {
      const { sim, machine } = newMachine();
      const c1 = machine.addNamespace('c1');
      const c2 = machine.addNamespace('c2');
      const br = machine.createBridge('br0');
      for (const [ns, host, ip] of [[c1, 'veth1', '10.0.0.2/24'], [c2, 'veth2', '10.0.0.3/24']] as const) {
        const [v, p] = machine.createVeth(host, 'eth0');
        machine.setNetns(p, ns);
        machine.setMaster(v, br);
        machine.setUp(v, true);
        machine.setUp(p, true);
        machine.addAddress(p, parseCidr(ip));
      }
      machine.setUp(br, true);
      expect(ping(sim, c1, '10.0.0.3', 3)).to.equal(3);
      const eth0 = machine.link(c1, 'eth0')!;
      // ARP request + 3 echo requests out; ARP reply + 3 echo replies in.
      expect([eth0.counters.txPackets, eth0.counters.rxPackets]).to.deep.equal([4, 4]);
      machine.setUp(br, false);
      expect(ping(sim, c1, '10.0.0.3')).to.equal(0);
    });

    it('carries tagged frames between VLAN sub-interfaces and keeps VLANs apart', () => {
      const { sim, machine } = newMachine();
      const { a, b, ea, eb } = pair(machine);
      const va = machine.createVlan('eth0.10', ea, 10);
      const vb = machine.createVlan('peer0.10', eb, 10);
      const xa = machine.createVlan('eth0.30', ea, 30);
      const wb = machine.createVlan('peer0.20', eb, 20);
      for (const d of [va, vb, xa, wb]) machine.setUp(d, true);
      machine.addAddress(va, parseCidr('10.10.0.1/24'));
      machine.addAddress(vb, parseCidr('10.10.0.2/24'));
      machine.addAddress(xa, parseCidr('10.20.0.1/24'));
      machine.addAddress(wb, parseCidr('10.20.0.2/24'));
      expect(ping(sim, a, '10.10.0.2', 2)).to.equal(2);
      expect(b.neighbours.entries().map((e) => e.iface.name)).to.deep.equal(['peer0.10']);
      // Same subnet, different VLANs (30 on a, 20 on b): b has no sub-interface for VID 30.
      expect(ping(sim, a, '10.20.0.2', 1, 5)).to.equal(0);
      // Every frame of the sub-interfaces went through the parents, tagged.
      expect(ea.counters.txPackets).to.equal(va.counters.txPackets + xa.counters.txPackets);
    });

    it('carries an overlay: VXLAN devices over a routed underlay, bridges, static FDB and the ARP proxy', () => {
      const { sim, machine } = newMachine();
      // Two "hosts" as namespaces on one underlay veth pair.
      const { a: h1, b: h2, ea: u1, eb: u2 } = pair(machine);
      machine.addAddress(u1, parseCidr('192.168.50.11/24'));
      machine.addAddress(u2, parseCidr('192.168.50.12/24'));
      const sides = [[h1, '192.168.50.11', '10.0.1.2/24', '02:42:0a:00:01:02'], [h2, '192.168.50.12', '10.0.1.3/24', '02:42:0a:00:01:03']] as const;
      const containers: NetworkNamespace[] = [];
      const vx: Netdev[] = [];
      for (const [host, local, ip, mac] of sides) {
        const br = machine.createBridge(`br-${containers.length}`, { ns: host });
        const v = machine.createVxlan('vxlan0', { ns: host, vni: 4097, dstPort: 4789, local: parseIpv4(local), learning: false, proxy: true, mtu: 1450 });
        vx.push(v);
        machine.setMaster(v, br);
        const c = machine.addNamespace(`o${containers.length + 1}`);
        containers.push(c);
        const [hv, ce] = machine.createVeth(`veth${containers.length}`, 'ceth', { ns: host, mtu: 1450, peerMac: parseMac(mac) });
        machine.setNetns(ce, c);
        machine.rename(ce, 'eth0');
        machine.setMaster(hv, br);
        for (const d of [br, v, hv, ce]) machine.setUp(d, true);
        machine.addAddress(ce, parseCidr(ip));
      }
      // Programmed like Docker's overlay driver: each VTEP knows the other side's container.
      machine.fdbAdd(vx[0]!, parseMac('02:42:0a:00:01:03'), { target: 'self', state: 'permanent', mode: 'add', dst: parseIpv4('192.168.50.12') });
      machine.fdbAdd(vx[1]!, parseMac('02:42:0a:00:01:02'), { target: 'self', state: 'permanent', mode: 'add', dst: parseIpv4('192.168.50.11') });
      machine.setNeighbour(vx[0]!, parseIpv4('10.0.1.3'), parseMac('02:42:0a:00:01:03'), 'permanent', 'add');
      machine.setNeighbour(vx[1]!, parseIpv4('10.0.1.2'), parseMac('02:42:0a:00:01:02'), 'permanent', 'add');
      expect(ping(sim, containers[0]!, '10.0.1.3', 3)).to.equal(3);
      expect(vx[0]!.vxlan!.stats.arpProxied).to.equal(1);
      expect(vx[0]!.vxlan!.stats.txPackets).to.equal(3);
      // Down, the VXLAN device closes its socket and nothing crosses.
      machine.setUp(vx[1]!, false);
      expect(ping(sim, containers[0]!, '10.0.1.3', 1)).to.equal(0);
    });

    it('refuses to bind a VXLAN port another socket holds', () => {
      const { machine } = newMachine();
      machine.root.udp.bind(4789);
      const v = machine.createVxlan('vx0', { vni: 1, dstPort: 4789 });
      expect(() => machine.setUp(v, true)).to.throw(NetlinkError).with.property('errno', 'EADDRINUSE');
      expect(v.up).to.equal(false);
    });

    it('reports address errors from the stack as StackErrors', () => {
      const { machine } = newMachine();
      const [v] = machine.createVeth('veth1', 'eth0');
      machine.addAddress(v, parseCidr('10.0.0.1/24'));
      expect(() => machine.addAddress(v, parseCidr('10.0.0.1/24'))).to.throw(StackError).with.property('code', 'EEXIST');
    });
  });
});
