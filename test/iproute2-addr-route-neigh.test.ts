import { expect } from 'chai';
import { parseIpv4 } from '../src/wire';
import { advance, newMachine, type Terminal } from './machine-harness';

/** Two namespaces a (eth0, 10.0.0.1/24) and b (eth0, 10.0.0.2/24) on a veth pair with fixed MACs. */
function twoHosts(term: Terminal): void {
  for (const l of [
    'ip netns add a',
    'ip netns add b',
    'ip link add veth-a address 02:00:00:00:00:0a type veth peer name veth-b address 02:00:00:00:00:0b',
    'ip link set veth-a netns a name eth0',
    'ip link set veth-b netns b name eth0',
    'ip -n a link set eth0 up',
    'ip -n b link set eth0 up',
    'ip -n a addr add 10.0.0.1/24 dev eth0',
    'ip -n b addr add 10.0.0.2/24 brd + dev eth0',
  ]) term.ok(l);
}

describe('ip address', () => {
  it('shows addresses under their links, brd only when one was set', () => {
    const { term } = newMachine();
    twoHosts(term);
    expect(term.ok('ip -n a addr')).to.equal(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
      + '    inet 127.0.0.1/8 scope host lo\n'
      + '       valid_lft forever preferred_lft forever\n'
      + '3: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n'
      + '    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff link-netns b\n'
      + '    inet 10.0.0.1/24 scope global eth0\n'
      + '       valid_lft forever preferred_lft forever\n');
    expect(term.ok('ip -n b addr show dev eth0').split('\n')[2]).to.equal('    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0');
  });

  it('lists secondaries after primaries, and -4 / -br forms', () => {
    const { term } = newMachine();
    twoHosts(term);
    term.ok('ip -n a addr add 10.0.0.9/24 dev eth0');
    term.ok('ip -n a addr add 10.1.0.1/16 dev eth0');
    expect(term.ok('ip -n a -4 addr show eth0')).to.equal(
      // Without the link-layer line, print_linkinfo still appends the link-netns part to the first line.
      '3: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns b\n'
      + '    inet 10.0.0.1/24 scope global eth0\n'
      + '       valid_lft forever preferred_lft forever\n'
      + '    inet 10.1.0.1/16 scope global eth0\n'
      + '       valid_lft forever preferred_lft forever\n'
      + '    inet 10.0.0.9/24 scope global secondary eth0\n'
      + '       valid_lft forever preferred_lft forever\n');
    expect(term.ok('ip -n a -br addr')).to.equal(
      'lo               DOWN           127.0.0.1/8 \n'
      + 'eth0@if2         UP             10.0.0.1/24 10.1.0.1/16 10.0.0.9/24 \n');
    expect(term.ok('ip -n a -6 addr')).to.equal('');
  });

  it('deletes exact prefixes, and wildcard ones with iproute2\'s warning', () => {
    const { machine, term } = newMachine();
    twoHosts(term);
    const r = term.run('ip -n a addr del 10.0.0.1 dev eth0');
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('Warning: Executing wildcard deletion to stay compatible with old scripts.\n'
      + '         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n'
      + '         This special behaviour is likely to disappear in further releases,\n'
      + '         fix your scripts!\n');
    expect(machine.namespace('a')!.interface('eth0')!.addresses).to.deep.equal([]);
    term.ok('ip -n b addr del 10.0.0.2/24 dev eth0');
    expect(term.run('ip -n b addr del 10.0.0.2/24 dev eth0')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Cannot assign requested address\n', code: 2 });
  });

  it('reports duplicates, missing devices and bad arguments', () => {
    const { term } = newMachine();
    twoHosts(term);
    expect(term.run('ip -n a addr add 10.0.0.1/24 dev eth0')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', code: 2 });
    expect(term.run('ip addr add 10.0.0.1/24 dev eth9')).to.deep.equal({ stdout: '', stderr: 'Cannot find device "eth9"\n', code: 1 });
    expect(term.run('ip addr show eth9')).to.deep.equal({ stdout: '', stderr: 'Device "eth9" does not exist.\n', code: 1 });
    expect(term.usage('ip addr add 10.0.0.1/24')).to.equal('Not enough information: "dev" argument is required.');
    expect(term.usage('ip addr add foo dev lo')).to.equal('Error: any valid prefix is expected rather than "foo".');
    expect(term.usage('ip addr add 10.0.0.1/24 10.0.0.2/24 dev lo')).to.equal('Error: either "local" is duplicate, or "10.0.0.2/24" is a garbage.');
  });

  it('flushes a device\'s addresses and its connected routes', () => {
    const { term } = newMachine();
    twoHosts(term);
    term.ok('ip -n a addr flush dev eth0');
    expect(term.ok('ip -n a -br addr show eth0')).to.equal('eth0@if2         UP             \n');
    expect(term.ok('ip -n a route')).to.equal('');
  });
});

describe('ip route', () => {
  it('shows connected and static routes in fib order, with "linkdown" for a device without carrier', () => {
    const { term } = newMachine();
    twoHosts(term);
    term.ok('ip -n a route add default via 10.0.0.2');
    term.ok('ip -n a route add 192.168.7.0/24 dev eth0 metric 50');
    term.ok('ip -n a route add blackhole 10.9.0.0/16');
    term.ok('ip -n a route add 10.8.0.0/16 via 10.0.0.2 proto static');
    expect(term.ok('ip -n a route')).to.equal(
      'default via 10.0.0.2 dev eth0 \n'
      + '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n'
      + '10.8.0.0/16 via 10.0.0.2 dev eth0 proto static \n'
      + 'blackhole 10.9.0.0/16 \n'
      + '192.168.7.0/24 dev eth0 scope link metric 50 \n');
    expect(term.ok('ip -n a route show dev eth0 proto kernel')).to.equal('10.0.0.0/24 scope link src 10.0.0.1 \n');
    expect(term.ok('ip -n a route show 10.8.0.0/16')).to.equal('10.8.0.0/16 via 10.0.0.2 dev eth0 proto static \n');
    term.ok('ip -n b link set eth0 down');
    expect(term.ok('ip -n a route show proto kernel')).to.equal('10.0.0.0/24 dev eth0 scope link src 10.0.0.1 linkdown \n');
  });

  it('adds, replaces and deletes with the kernel\'s answers', () => {
    const { term } = newMachine();
    twoHosts(term);
    const refused = (line: string): [string, number] => {
      const r = term.run(line);
      return [r.stderr, r.code];
    };
    expect(refused('ip -n a route add 10.5.0.0/16 via 172.16.0.1')).to.deep.equal(['Error: Nexthop has invalid gateway.\n', 2]);
    expect(refused('ip -n a route add 10.5.0.1/16 dev eth0')).to.deep.equal(['Error: Invalid prefix for given prefix length.\n', 2]);
    term.ok('ip -n a route add 10.5.0.0/16 via 10.0.0.2');
    expect(refused('ip -n a route add 10.5.0.0/16 dev eth0')).to.deep.equal(['RTNETLINK answers: File exists\n', 2]);
    term.ok('ip -n a route replace 10.5.0.0/16 dev eth0');
    expect(term.ok('ip -n a route show 10.5.0.0/16')).to.equal('10.5.0.0/16 dev eth0 scope link \n');
    term.ok('ip -n a route del 10.5.0.0/16');
    expect(refused('ip -n a route del 10.5.0.0/16')).to.deep.equal(['RTNETLINK answers: No such process\n', 2]);
    expect(refused('ip -n a route add 10.6.0.0/16 dev eth7')).to.deep.equal(['Cannot find device "eth7"\n', 1]);
    term.ok('ip -n a link add dummyish type bridge');
    expect(refused('ip -n a route add 10.6.0.0/16 dev dummyish')).to.deep.equal(['Error: Device for nexthop is not up.\n', 2]);
    expect(refused('ip -n a route change 10.7.0.0/16 dev eth0')).to.deep.equal(['RTNETLINK answers: No such file or directory\n', 2]);
    expect(term.usage('ip -n a route add 10.7.0.0/16 10.8.0.0/16')).to.equal('Error: either "to" is duplicate, or "10.8.0.0/16" is a garbage.');
  });

  it('tells the path of a datagram with route get', () => {
    const { term } = newMachine();
    twoHosts(term);
    term.ok('ip -n a route add default via 10.0.0.2');
    expect(term.ok('ip -n a route get 8.8.8.8')).to.equal('8.8.8.8 via 10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \n    cache \n');
    expect(term.ok('ip -n a route get 10.0.0.2')).to.equal('10.0.0.2 dev eth0 src 10.0.0.1 uid 0 \n    cache \n');
    expect(term.run('ip -n b route get 8.8.8.8')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Network is unreachable\n', code: 2 });
  });
});

describe('ip neigh', () => {
  it('shows resolved, failed and static entries; dev filters drop the dev field', () => {
    const { sim, machine, term } = newMachine();
    twoHosts(term);
    const a = machine.namespace('a')!;
    const sock = a.icmp.open();
    sock.sendEcho(parseIpv4('10.0.0.2'), 1, 1, new Uint8Array(8));
    sock.sendEcho(parseIpv4('10.0.0.77'), 1, 1, new Uint8Array(8));
    advance(sim, 5);
    term.ok('ip -n a neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0');
    term.ok('ip -n a neigh add 10.0.0.51 lladdr 02:00:00:00:00:51 dev eth0 nud noarp');
    expect(term.ok('ip -n a neigh')).to.equal(
      '10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0b REACHABLE\n'
      + '10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50 PERMANENT\n'
      + '10.0.0.77 dev eth0  FAILED\n');
    expect(term.ok('ip -n a neigh show dev eth0 nud permanent nud noarp')).to.equal(
      '10.0.0.50 lladdr 02:00:00:00:00:50 PERMANENT\n'
      + '10.0.0.51 lladdr 02:00:00:00:00:51 NOARP\n');
    advance(sim, 60);
    expect(term.ok('ip -n a neigh show 10.0.0.2/32')).to.equal('10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0b STALE\n');
  });

  it('adds, replaces and deletes entries with the kernel\'s answers', () => {
    const { term } = newMachine();
    twoHosts(term);
    term.ok('ip -n a neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev eth0');
    expect(term.run('ip -n a neigh add 10.0.0.50 lladdr 02:00:00:00:00:51 dev eth0')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', code: 2 });
    term.ok('ip -n a neigh replace 10.0.0.50 lladdr 02:00:00:00:00:51 dev eth0 nud reachable');
    expect(term.ok('ip -n a neigh')).to.equal('10.0.0.50 dev eth0 lladdr 02:00:00:00:00:51 REACHABLE\n');
    term.ok('ip -n a neigh del 10.0.0.50 dev eth0');
    expect(term.run('ip -n a neigh del 10.0.0.50 dev eth0')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: No such file or directory\n', code: 2 });
    expect(term.run('ip -n a neigh add 10.0.0.60 dev eth0')).to.deep.equal({ stdout: '', stderr: 'Error: No link layer address given.\n', code: 2 });
    expect(term.usage('ip -n a neigh add 10.0.0.60 lladdr 02:00:00:00:00:60')).to.equal('Device and destination are required arguments.');
    expect(term.usage('ip -n a neigh add 10.0.0.60 lladdr 02:00:00:00:00:60 dev eth0 nud bogus')).to.equal('Error: argument "bogus" is wrong: nud state is bad');
  });

  it('keeps the entries of a VXLAN device for its ARP proxy', () => {
    const { machine, term } = newMachine();
    term.ok('ip link add br0 type bridge');
    term.ok('ip link add vxlan0 type vxlan id 4097 dstport 4789 nolearning proxy');
    term.ok('ip link set vxlan0 master br0');
    term.ok('ip neigh add 10.0.1.3 lladdr 02:42:0a:00:01:03 dev vxlan0 nud permanent');
    expect(machine.link(machine.root, 'vxlan0')!.vxlan!.neighbours()).to.deep.equal([{ ip: parseIpv4('10.0.1.3'), mac: 0x0242_0a00_0103 }]);
    expect(term.ok('ip neigh')).to.equal('10.0.1.3 dev vxlan0 lladdr 02:42:0a:00:01:03 PERMANENT\n');
    term.ok('ip neigh del 10.0.1.3 dev vxlan0');
    expect(term.ok('ip neigh')).to.equal('');
  });
});
