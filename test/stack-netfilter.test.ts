// The netfilter seam: hooks run where Linux runs NF_HOOK, in priority order, may drop, and
// may hand back a rewritten datagram that the stack then routes.
import { expect } from 'chai';
import { ms } from '../src/sim';
import { Link, Nic } from '../src/devices';
import { IpProtocol, Ipv4Packet, internetChecksum, writeU16, writeU32, computeUdpChecksum } from '../src/wire';
import { DropReason, NetworkNamespace, type NetfilterHook } from '../src/stack';
import { ip, mac, newSim } from './stack-harness';

function topology() {
  const sim = newSim();
  const a = new NetworkNamespace(sim, 'a');
  const r = new NetworkNamespace(sim, 'r', { forwarding: true });
  const b = new NetworkNamespace(sim, 'b');
  const l1 = new Link(sim, ['a:eth0', 'r:eth0']);
  const l2 = new Link(sim, ['r:eth1', 'b:eth0']);
  a.addInterface(new Nic(sim, l1.a, { name: 'eth0', mac: mac('02:00:00:00:00:0a') }));
  r.addInterface(new Nic(sim, l1.b, { name: 'eth0', mac: mac('02:00:00:00:00:f0') }));
  r.addInterface(new Nic(sim, l2.a, { name: 'eth1', mac: mac('02:00:00:00:00:f1') }));
  b.addInterface(new Nic(sim, l2.b, { name: 'eth0', mac: mac('02:00:00:00:00:0b') }));
  a.addAddress('eth0', '10.0.0.1/24');
  r.addAddress('eth0', '10.0.0.254/24');
  r.addAddress('eth1', '10.1.0.254/24');
  b.addAddress('eth0', '10.1.0.1/24');
  a.addRoute({ dst: 'default', via: '10.0.0.254' });
  b.addRoute({ dst: 'default', via: '10.1.0.254' });
  return { sim, a, r, b };
}

function trace(ns: NetworkNamespace): string[] {
  const seen: string[] = [];
  for (const hook of ['prerouting', 'input', 'forward', 'output', 'postrouting'] as NetfilterHook[]) {
    ns.netfilter.register(hook, 0, (d, ctx) => {
      const p = Ipv4Packet.parse(d);
      if (p.protocol === IpProtocol.UDP) seen.push(`${hook} in=${ctx.inIface?.name ?? '-'} out=${ctx.outIface?.name ?? '-'}`);
      return d;
    });
  }
  return seen;
}

describe('stack: netfilter hook points', () => {
  it('runs OUTPUT+POSTROUTING on the sender, PREROUTING+FORWARD+POSTROUTING on the router, PREROUTING+INPUT on the receiver', () => {
    const { sim, a, r, b } = topology();
    const ta = trace(a);
    const tr = trace(r);
    const tb = trace(b);
    let got = 0;
    b.udp.bind(9).onMessage(() => got++);
    a.udp.bind(0).send(ip('10.1.0.1'), 9, new Uint8Array(4));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.equal(1);
    expect(ta).to.deep.equal(['output in=- out=eth0', 'postrouting in=- out=eth0']);
    expect(tr).to.deep.equal(['prerouting in=eth0 out=-', 'forward in=eth0 out=eth1', 'postrouting in=eth0 out=eth1']);
    expect(tb).to.deep.equal(['prerouting in=eth0 out=-', 'input in=eth0 out=-']);
  });

  it('drops on a null verdict, in priority order, and counts it', () => {
    const { sim, a, r, b } = topology();
    const order: string[] = [];
    r.netfilter.register('forward', 10, (d) => { order.push('filter'); return null; });
    r.netfilter.register('forward', -100, (d) => { order.push('early'); return d; });
    let got = 0;
    b.udp.bind(9).onMessage(() => got++);
    a.udp.bind(0).send(ip('10.1.0.1'), 9, new Uint8Array(4));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.equal(0);
    expect(order).to.deep.equal(['early', 'filter']);
    expect(r.drops.get(DropReason.Netfilter)).to.equal(1);
  });

  it('routes a datagram PREROUTING rewrote (a DNAT to another host)', () => {
    const { sim, a, r, b } = topology();
    // 10.0.0.254:8080 → 10.1.0.1:9, as `-t nat -A PREROUTING -p udp --dport 8080 -j DNAT` would.
    r.netfilter.register('prerouting', -100, (d) => {
      const p = Ipv4Packet.parse(d);
      if (p.protocol !== IpProtocol.UDP || p.dst !== ip('10.0.0.254')) return d;
      const out = d.slice();
      writeU32(out, 16, ip('10.1.0.1'));
      writeU16(out, 10, 0);
      writeU16(out, 10, internetChecksum(out, 0, 20));
      writeU16(out, 22, 9);
      writeU16(out, 26, 0);
      writeU16(out, 26, computeUdpChecksum(out, 20, out.length - 20, p.src, ip('10.1.0.1')));
      return out;
    });
    const got: number[] = [];
    b.udp.bind(9).onMessage((_p, src, _sp, dst) => got.push(src, dst));
    a.udp.bind(0).send(ip('10.0.0.254'), 8080, new Uint8Array(4));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.deep.equal([ip('10.0.0.1'), ip('10.1.0.1')]);
    expect(r.udp.stats.noPorts).to.equal(0);
  });

  it('costs nothing when empty: no handler, no hook run', () => {
    const { r } = topology();
    expect(r.netfilter.has('prerouting')).to.equal(false);
    const off = r.netfilter.register('input', 0, (d) => d);
    expect(r.netfilter.has('input')).to.equal(true);
    off();
    expect(r.netfilter.has('input')).to.equal(false);
  });
});
