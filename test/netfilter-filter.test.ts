// The filter table on real packets: chain traversal (jumps, RETURN, goto, policies) with
// counters, REJECT answering with ICMP, stateful forwarding, addrtype and interface wildcards,
// and the zero cost of an empty rule set.
import { expect } from 'chai';
import { ms } from '../src/sim';
import { netfilterOf, type UdpErrorReport } from '../src/stack';
import { formatIpv4 } from '../src/wire';
import { datagrams, expectChecksumsValid, iptables, ipt, natTopology } from './netfilter-harness';
import { ip, mac, newSim } from './stack-harness';

describe('netfilter: filter table', () => {
  it('walks jumps, RETURN, goto and the policy, counting every rule and the policy', () => {
    const sim = newSim();
    const { client, router, server } = natTopology(sim);
    server.addRoute({ dst: '10.0.0.0/24', via: '192.168.1.1' });
    ipt(server, '-P', 'INPUT', 'DROP');
    ipt(server, '-N', 'CHECK');
    ipt(server, '-N', 'LAST');
    ipt(server, '-A', 'INPUT', '-p', 'udp', '-j', 'CHECK');
    ipt(server, '-A', 'INPUT', '-p', 'udp', '--dport', '8', '-j', 'ACCEPT');
    ipt(server, '-A', 'INPUT', '-p', 'udp', '-g', 'LAST');
    ipt(server, '-A', 'INPUT', '-p', 'udp', '-j', 'ACCEPT');
    ipt(server, '-A', 'CHECK', '-p', 'udp', '--dport', '7', '-j', 'ACCEPT');
    ipt(server, '-A', 'CHECK', '-j', 'RETURN');
    ipt(server, '-A', 'LAST', '-p', 'udp', '--dport', '10', '-j', 'ACCEPT');
    // Static neighbours: four datagrams at once would overflow the unresolved queue (unres_qlen 3).
    client.setNeighbour('eth0', '10.0.0.1', mac('02:00:00:00:01:01'));
    router.setNeighbour('eth1', '192.168.1.2', mac('02:00:00:00:02:02'));
    const got: number[] = [];
    for (const port of [7, 8, 9, 10]) server.udp.bind(port).onMessage(() => got.push(port));
    const c = client.udp.bind(30000);
    for (const port of [7, 8, 9, 10]) c.send(ip('192.168.1.2'), port, new Uint8Array(10));
    sim.scheduler.run({ until: ms(50) });
    expect(got).to.deep.equal([7, 8, 10]);
    expect(ipt(server, '-L', '-v', '-n', '-x')).to.equal(
      'Chain INPUT (policy DROP 1 packets, 38 bytes)\n'
      + '    pkts      bytes target     prot opt in     out     source               destination         \n'
      + '       4      152 CHECK      udp  --  *      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '       1       38 ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:8\n'
      + '       2       76 LAST       udp  --  *      *       0.0.0.0/0            0.0.0.0/0           [goto] \n'
      + '       0        0 ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '\n'
      + 'Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n'
      + '    pkts      bytes target     prot opt in     out     source               destination         \n'
      + '\n'
      + 'Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n'
      + '    pkts      bytes target     prot opt in     out     source               destination         \n'
      + '\n'
      + 'Chain CHECK (1 references)\n'
      + '    pkts      bytes target     prot opt in     out     source               destination         \n'
      + '       1       38 ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:7\n'
      + '       3      114 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0           \n'
      + '\n'
      + 'Chain LAST (1 references)\n'
      + '    pkts      bytes target     prot opt in     out     source               destination         \n'
      + '       1       38 ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:10\n',
    );
  });

  it('REJECT answers with an ICMP port unreachable by default, or the type asked for', () => {
    const sim = newSim();
    const { client, server, router, outside } = natTopology(sim);
    server.addRoute({ dst: '10.0.0.0/24', via: '192.168.1.1' });
    ipt(server, '-A', 'INPUT', '-p', 'udp', '--dport', '7', '-j', 'REJECT');
    ipt(router, '-A', 'FORWARD', '-p', 'udp', '--dport', '8', '-j', 'REJECT', '--reject-with', 'icmp-host-prohibited');
    server.udp.bind(7).onMessage(() => expect.fail('rejected datagram delivered'));
    const errors: UdpErrorReport[] = [];
    const c = client.udp.bind(30000);
    c.onError((e) => errors.push(e));
    c.send(ip('192.168.1.2'), 7, new Uint8Array(4));
    c.send(ip('192.168.1.2'), 8, new Uint8Array(4));
    sim.scheduler.run({ until: ms(50) });
    expect(errors.map((e) => `${formatIpv4(e.reporter)} ${e.type}/${e.code} port ${e.originalDstPort}`)).to.deep.equal([
      '10.0.0.1 3/10 port 8', // icmp_send picks the address towards the sender
      '192.168.1.2 3/3 port 7',
    ]);
    for (const d of datagrams(outside)) expectChecksumsValid(d);
    expect(netfilterOf(server).stats.rejected).to.equal(1);
  });

  it('a stateful FORWARD: DROP policy, new flows only outward, replies by ctstate ESTABLISHED', () => {
    const sim = newSim();
    const { client, router, server } = natTopology(sim);
    server.addRoute({ dst: '10.0.0.0/24', via: '192.168.1.1' });
    ipt(router, '-P', 'FORWARD', 'DROP');
    ipt(router, '-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
    ipt(router, '-A', 'FORWARD', '-i', 'eth0', '-o', 'eth1', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'ACCEPT');
    const srv = server.udp.bind(7);
    srv.onMessage((p, src, sport) => srv.send(src, sport, p));
    const echoed: number[] = [];
    const c = client.udp.bind(30000);
    c.onMessage((p) => echoed.push(p.length));
    c.send(ip('192.168.1.2'), 7, new Uint8Array(12));
    // A new flow from the outside is dropped.
    const inward: number[] = [];
    client.udp.bind(9).onMessage((p) => inward.push(p.length));
    server.udp.bind(31000).send(ip('10.0.0.2'), 9, new Uint8Array(3));
    sim.scheduler.run({ until: ms(50) });
    expect(echoed).to.deep.equal([12]);
    expect(inward).to.deep.equal([]);
    expect(iptables(router, '-S', 'FORWARD', '-v').stdout).to.equal(
      '-P FORWARD DROP -c 1 31\n'
      + '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -c 1 40 -j ACCEPT\n'
      + '-A FORWARD -i eth0 -o eth1 -m conntrack --ctstate NEW -c 1 40 -j ACCEPT\n',
    );
  });

  it('matches -m addrtype --dst-type LOCAL and interface wildcards', () => {
    const sim = newSim();
    const { client, router, server } = natTopology(sim);
    ipt(router, '-A', 'INPUT', '-i', 'eth+', '-m', 'addrtype', '--dst-type', 'LOCAL', '-p', 'udp', '-j', 'DROP');
    let delivered = 0;
    router.udp.bind(7).onMessage(() => delivered++);
    client.udp.bind(30000).send(ip('10.0.0.1'), 7, new Uint8Array(1));
    server.udp.bind(30000).send(ip('192.168.1.1'), 7, new Uint8Array(1));
    router.udp.bind(30001).send(ip('127.0.0.1'), 7, new Uint8Array(1)); // lo: not eth+
    sim.scheduler.run({ until: ms(50) });
    expect(delivered).to.equal(1);
    expect(ipt(router, '-L', 'INPUT')).to.equal(
      'Chain INPUT (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + 'DROP       udp  --  anywhere             anywhere             ADDRTYPE match dst-type LOCAL\n',
    );
  });

  it('costs nothing while the tables are empty: hooks come with the first rule and go with the last', () => {
    const sim = newSim();
    const { router } = natTopology(sim);
    const nf = netfilterOf(router);
    expect(router.netfilter.has('forward')).to.equal(false);
    ipt(router, '-t', 'nat', '-N', 'EMPTY');
    expect(router.netfilter.has('forward'), 'an empty user chain adds no cost').to.equal(false);
    ipt(router, '-A', 'FORWARD', '-j', 'ACCEPT');
    expect(nf.active).to.equal(true);
    expect(router.netfilter.has('prerouting')).to.equal(true);
    ipt(router, '-F');
    expect(nf.active).to.equal(false);
    expect(router.netfilter.has('forward')).to.equal(false);
    ipt(router, '-P', 'FORWARD', 'DROP');
    expect(router.netfilter.has('forward'), 'a DROP policy needs the hooks').to.equal(true);
  });
});
