import { expect } from 'chai';
import { newMachine, type Terminal } from './machine-harness';

/** A container-like namespace c1 on veth1/eth0, fixed MACs, both ends up, eth0 10.0.0.2/24 via netlink-style brd. */
function containerPair(term: Terminal): void {
  for (const l of [
    'ip netns add c1',
    'ip link add veth1 address 56:00:12:27:eb:16 type veth peer name eth0 address 02:42:0a:00:00:02',
    'ip link set eth0 netns c1',
    'ip link set veth1 up',
    'ip -n c1 link set eth0 up',
    'ip -n c1 addr add 10.0.0.2/24 brd + dev eth0',
  ]) term.ok(l);
}

describe('ip link show', () => {
  it('prints the loopback of a new namespace', () => {
    const { term } = newMachine();
    expect(term.ok('ip link')).to.equal(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
  });

  it('names a veth peer in another namespace by ifindex and link-netns/link-netnsid', () => {
    const { term } = newMachine();
    containerPair(term);
    expect(term.ok('ip link show veth1')).to.equal(
      '3: veth1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n'
      + '    link/ether 56:00:12:27:eb:16 brd ff:ff:ff:ff:ff:ff link-netns c1\n');
    expect(term.ok('ip -n c1 link show dev eth0')).to.equal(
      '2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n'
      + '    link/ether 02:42:0a:00:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n');
  });

  it('shows a new veth pair down with the noop qdisc, and M-DOWN/NO-CARRIER as the ends come up', () => {
    const { term } = newMachine();
    term.ok('ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth9 address 02:00:00:00:00:02');
    expect(term.ok('ip link show veth0')).to.equal(
      '3: veth0@veth9: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n'
      + '    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n');
    term.ok('ip link set veth0 up');
    expect(term.ok('ip link show veth0').split('\n')[0]).to.equal(
      '3: veth0@veth9: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000');
    term.ok('ip link set veth9 up');
    term.ok('ip link set veth0 txqueuelen 0');
    expect(term.ok('ip link show veth0').split('\n')[0]).to.equal(
      '3: veth0@veth9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default ');
  });

  it('shows a bridge without ports as NO-CARRIER, DOWN', () => {
    const { term } = newMachine();
    term.ok('ip link add docker0 address 02:42:6b:7d:57:55 type bridge');
    term.ok('ip link set docker0 up');
    expect(term.ok('ip link show docker0')).to.equal(
      '2: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n'
      + '    link/ether 02:42:6b:7d:57:55 brd ff:ff:ff:ff:ff:ff\n');
  });

  it('prints statistics with -s, columns sized to the numbers', () => {
    const { term } = newMachine();
    expect(term.ok('ip -s link show lo')).to.equal(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
      + '    RX:  bytes packets errors dropped  missed   mcast           \n'
      + '             0       0      0       0       0       0 \n'
      + '    TX:  bytes packets errors dropped carrier collsns           \n'
      + '             0       0      0       0       0       0 \n');
  });

  it('prints the brief form, with filters on up, type and master', () => {
    const { term } = newMachine();
    containerPair(term);
    term.ok('ip link add br0 address 02:00:00:00:00:bb type bridge');
    term.ok('ip link set veth1 master br0');
    expect(term.ok('ip -br link')).to.equal(
      'lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n'
      + 'veth1@if2        UP             56:00:12:27:eb:16 <BROADCAST,MULTICAST,UP,LOWER_UP> \n'
      + 'br0              DOWN           02:00:00:00:00:bb <BROADCAST,MULTICAST> \n');
    expect(term.ok('ip -br link show type bridge')).to.equal('br0              DOWN           02:00:00:00:00:bb <BROADCAST,MULTICAST> \n');
    expect(term.ok('ip -br link show master br0')).to.match(/^veth1@if2 /);
    expect(term.ok('ip -br link show type bridge_slave')).to.match(/^veth1@if2 /);
    expect(term.ok('ip -br link show up').split('\n').length).to.equal(3);
    expect(term.ok('ip link show veth1').split('\n')[0]).to.equal(
      '3: veth1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000');
  });

  it('reports missing devices and bad arguments as iproute2 does', () => {
    const { term } = newMachine();
    expect(term.run('ip link show eth7')).to.deep.equal({ stdout: '', stderr: 'Device "eth7" does not exist.\n', code: 1 });
    expect(term.usage('ip link show lo lo')).to.equal('Error: either "dev" is duplicate, or "lo" is a garbage.');
    expect(term.usage('ip link frob')).to.equal('Command "frob" is unknown, try "ip link help".');
    expect(term.usage('ip frob')).to.equal('Object "frob" is unknown, try "ip help".');
    expect(term.usage('ip -z link')).to.equal('Option "-z" is unknown, try "ip -help".');
  });
});

describe('ip link add / set / delete', () => {
  it('creates veth, bridge, vxlan and vlan devices', () => {
    const { term } = newMachine();
    term.ok('ip link add br0 type bridge');
    term.ok('ip link add veth1 type veth peer name veth2');
    term.ok('ip link add vxlan0 type vxlan id 4097 dstport 4789 nolearning proxy');
    term.ok('ip link add link veth1 name veth1.10 type vlan id 10');
    expect(term.ok('ip -br link').split('\n').map((l) => l.split(/\s+/)[0])).to.deep.equal(['lo', 'br0', 'veth2@veth1', 'veth1@veth2', 'vxlan0', 'veth1.10@veth1', '']);
    expect(term.ok('ip link show type vxlan').split('\n')[0]).to.equal(
      '5: vxlan0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000');
  });

  it('names what has no name after its kind, and picks the kernel\'s port for vxlan with a warning', () => {
    const { term } = newMachine();
    term.ok('ip link add type veth');
    expect(term.ok('ip -br link').split('\n').map((l) => l.split(/\s+/)[0])).to.deep.equal(['lo', 'veth1@veth0', 'veth0@veth1', '']);
    const r = term.run('ip link add vx9 type vxlan id 9');
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\n'
      + "Use 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
  });

  it('moves, renames and enslaves in one command, in the kernel\'s order', () => {
    const { machine, term } = newMachine();
    term.ok('ip netns add c1');
    term.ok('ip link add vethab type veth peer name tmp0');
    term.ok('ip link set tmp0 netns c1 name eth0 up');
    const c1 = machine.namespace('c1')!;
    const eth0 = machine.link(c1, 'eth0')!;
    expect([eth0.up, eth0.ifindex]).to.deep.equal([true, 2]);
    term.ok('ip link add br0 type bridge');
    term.ok('ip link set vethab master br0 up mtu 1400');
    const v = machine.link(machine.root, 'vethab')!;
    expect([v.master?.name, v.up, v.mtu, machine.link(machine.root, 'br0')!.mtu]).to.deep.equal(['br0', true, 1400, 1400]);
    term.ok('ip link set vethab nomaster');
    expect(v.master).to.equal(undefined);
  });

  it('deletes a veth pair through either end', () => {
    const { machine, term } = newMachine();
    term.ok('ip link add pa type veth peer name pb');
    term.ok('ip link del dev pb');
    expect(machine.links().map((d) => d.name)).to.deep.equal(['lo']);
    expect(term.run('ip link del pa')).to.deep.equal({ stdout: '', stderr: 'Cannot find device "pa"\n', code: 1 });
    // A word iproute2 reads as a keyword abbreviation is one: "a" is "address".
    expect(term.usage('ip link add a type veth')).to.equal('"type" is invalid lladdr.');
    expect(term.run('ip link del lo')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Operation not supported\n', code: 2 });
  });

  it('gives the kernel\'s answers to refused requests', () => {
    const { term } = newMachine();
    term.ok('ip link add veth1 type veth peer name veth2');
    term.ok('ip link add br0 type bridge');
    const refused = (line: string): [string, number] => {
      const r = term.run(line);
      return [r.stderr, r.code];
    };
    expect(refused('ip link add veth1 type bridge')).to.deep.equal(['RTNETLINK answers: File exists\n', 2]);
    expect(refused('ip link set br0 master br0')).to.deep.equal(['Error: Can not enslave a bridge to a bridge.\n', 2]);
    expect(refused('ip link set veth1 master veth2')).to.deep.equal(['RTNETLINK answers: Operation not supported\n', 2]);
    expect(refused('ip link set veth1 master nosuch')).to.deep.equal(['Error: argument "nosuch" is wrong: Device does not exist\n\n', 255]);
    expect(refused('ip link set veth1 netns nosuch')).to.deep.equal(['Error: argument "nosuch" is wrong: Invalid "netns" value\n\n', 255]);
    expect(refused('ip link set veth1 mtu 70000')).to.deep.equal(['Error: mtu greater than device maximum.\n', 2]);
    expect(refused('ip link set veth1 mtu 60')).to.deep.equal(['Error: mtu less than device minimum.\n', 2]);
    expect(refused('ip link set br0 netns 1')).to.deep.equal(['Error: argument "1" is wrong: Invalid "netns" value\n\n', 255]);
    expect(refused('ip link set nosuch up')).to.deep.equal(['Cannot find device "nosuch"\n', 1]);
    term.ok('ip link set veth1 up');
    expect(refused('ip link set veth1 name x')).to.deep.equal(['RTNETLINK answers: Device or resource busy\n', 2]);
    expect(refused('ip link set veth1 address 02:00:00:00:00:01')).to.deep.equal(['RTNETLINK answers: Device or resource busy\n', 2]);
    expect(refused('ip link add link lo name lo.5 type vlan id 5')).to.deep.equal(['Error: 8021q: VLANs not supported on device.\n', 2]);
    expect(refused('ip link add link veth1 name v.5 type vlan id 5000')).to.deep.equal(['Error: 8021q: Invalid VLAN id.\n', 2]);
    expect(refused('ip link add name v.5 type vlan id 5')).to.deep.equal(['Error: 8021q: link not specified.\n', 2]);
    expect(refused('ip link add x type foo')).to.deep.equal(['Error: Unknown device type.\n', 2]);
  });

  it('refuses malformed command lines with iproute2\'s complaints', () => {
    const { term } = newMachine();
    expect(term.usage('ip link add veth1')).to.equal('Not enough information: "type" argument is required');
    expect(term.usage('ip link set up')).to.equal('Not enough information: "dev" argument is required.');
    expect(term.usage('ip link set lo mtu big')).to.equal('Error: argument "big" is wrong: Invalid "mtu" value');
    expect(term.usage('ip link set lo mtu 1 mtu 2')).to.equal('Error: duplicate "mtu": "2" is the second value.');
    expect(term.usage('ip link add x type vxlan dstport 4789')).to.equal('vxlan: missing virtual network identifier');
    expect(term.usage('ip link add x type vxlan id 1 bogus')).to.equal('vxlan: unknown command "bogus"?');
    expect(term.usage('ip link set lo mtu')).to.equal('Command line is not complete. Try option "help"');
    expect(term.usage('ip link add abcdefghijklmnopq type bridge')).to.equal('Error: argument "abcdefghijklmnopq" is wrong: "dev" not a valid ifname');
  });
});
