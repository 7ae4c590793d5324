import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseIpv4 } from '../src/wire';
import { advance, newMachine, type Terminal } from './machine-harness';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURE_DIR = [join(ROOT, 'test', 'fixtures', 'kernel'), join(ROOT, '..', 'shared', 'fixtures', 'kernel')].find(existsSync);

/** The kernel fixture's bridge topology (fixtures/kernel/README.md), built with `ip` commands only. */
function buildFixtureBridge(term: Terminal): void {
  for (const line of [
    'ip link add br0 type bridge',
    'ip netns add c1',
    'ip netns add c2',
    'ip link add veth1 type veth peer name eth0',
    'ip link set eth0 netns c1',
    'ip link add veth2 type veth peer name eth0',
    'ip link set eth0 netns c2',
    // The host-side MACs the fixture's kernel happened to draw.
    'ip link set veth1 address 56:00:12:27:eb:16',
    'ip link set veth2 address 9e:bc:70:73:26:2b',
    'ip link set veth1 master br0',
    'ip link set veth2 master br0',
    'ip addr add 10.0.0.1/24 dev br0',
    'ip link set br0 up',
    'ip link set veth1 up',
    'ip link set veth2 up',
    'ip -n c1 link set eth0 address 02:42:0a:00:00:02',
    'ip -n c2 link set eth0 address 02:42:0a:00:00:03',
    'ip -n c1 addr add 10.0.0.2/24 dev eth0',
    'ip -n c2 addr add 10.0.0.3/24 dev eth0',
    'ip -n c1 link set eth0 up',
    'ip -n c2 link set eth0 up',
    'ip -n c1 link set lo up',
    'ip -n c2 link set lo up',
  ]) term.ok(line);
}

describe('bridge fdb show', () => {
  it('matches the kernel fixture bridge-fdb.txt after pings, for the topology built with ip commands', () => {
    const { sim, machine, term } = newMachine('host');
    buildFixtureBridge(term);
    const c1 = machine.namespace('c1')!;
    const sock = c1.icmp.open();
    for (let seq = 0; seq < 3; seq++) sock.sendEcho(parseIpv4('10.0.0.3'), 0x1234, seq, new Uint8Array(56));
    advance(sim, 3);
    const expected = FIXTURE_DIR === undefined ? undefined : readFileSync(join(FIXTURE_DIR, 'bridge-fdb.txt'), 'utf8');
    expect(expected, 'fixtures/kernel/bridge-fdb.txt').to.be.a('string');
    expect(term.ok('bridge fdb show')).to.equal(expected);
  });

  it('filters by device (without the dev field) and by bridge', () => {
    const { term } = newMachine('host');
    buildFixtureBridge(term);
    expect(term.ok('bridge fdb show dev veth1')).to.equal(
      '56:00:12:27:eb:16 master br0 permanent\n'
      + '33:33:00:00:00:01 self permanent\n'
      + '01:00:5e:00:00:01 self permanent\n');
    term.ok('ip link add br1 type bridge');
    term.ok('ip link set br1 up');
    expect(term.ok('bridge fdb show br br1')).to.match(/^33:33:00:00:00:01 dev br1 self permanent\n01:00:5e:00:00:01 dev br1 self permanent\n[0-9a-f:]{17} dev br1 master br1 permanent\n$/);
    expect(term.ok('bridge fdb show br br0 state static')).to.equal('');
    expect(term.run('bridge fdb show dev nosuch')).to.deep.equal({ stdout: '', stderr: 'Cannot find device "nosuch"\n', code: 255 });
  });

  it('adds, appends and deletes VXLAN remotes as Docker\'s overlay does, and static bridge entries', () => {
    const { term } = newMachine('host');
    term.ok('ip link add vxlan0 type vxlan id 4097 dstport 4789 nolearning proxy');
    term.ok('bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.50.12');
    term.ok('bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.50.13');
    term.ok('bridge fdb add 02:42:0a:00:01:03 dev vxlan0 dst 192.168.50.12 self permanent');
    expect(term.run('bridge fdb add 02:42:0a:00:01:03 dev vxlan0 dst 192.168.50.13')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: File exists\n', code: 255 });
    term.ok('bridge fdb replace 02:42:0a:00:01:04 dev vxlan0 dst 192.168.50.13 static');
    expect(term.ok('bridge fdb show dev vxlan0')).to.equal(
      '00:00:00:00:00:00 dst 192.168.50.12 self permanent\n'
      + '00:00:00:00:00:00 dst 192.168.50.13 self permanent\n'
      + '02:42:0a:00:01:03 dst 192.168.50.12 self permanent\n'
      + '02:42:0a:00:01:04 dst 192.168.50.13 self static\n');
    term.ok('bridge fdb del 00:00:00:00:00:00 dev vxlan0 dst 192.168.50.12');
    term.ok('bridge fdb del 02:42:0a:00:01:04 dev vxlan0');
    expect(term.ok('bridge fdb show')).to.equal(
      '00:00:00:00:00:00 dev vxlan0 dst 192.168.50.13 self permanent\n'
      + '02:42:0a:00:01:03 dev vxlan0 dst 192.168.50.12 self permanent\n');
    expect(term.run('bridge fdb del 02:42:0a:00:01:09 dev vxlan0')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: No such file or directory\n', code: 255 });

    term.ok('ip link add br0 address 02:00:00:00:00:aa type bridge');
    term.ok('ip link set vxlan0 master br0');
    term.ok('bridge fdb add 02:42:0a:00:01:05 dev vxlan0 master static');
    const vxlanMac = term.ok('ip -br link show vxlan0').split(/\s+/)[2];
    // Device by device (vxlan0 was made first): the bridge's entries for the port, newest first, then the device's own.
    expect(term.ok('bridge fdb show br br0').split('\n').filter((l) => l.includes('master'))).to.deep.equal([
      '02:42:0a:00:01:05 dev vxlan0 master br0 static',
      `${vxlanMac} dev vxlan0 master br0 permanent`,
      '02:00:00:00:00:aa dev br0 master br0 permanent',
    ]);
  });

  it('keeps self entries of other devices in their unicast list, permanent only', () => {
    const { term } = newMachine('host');
    term.ok('ip link add veth1 type veth peer name veth2');
    term.ok('bridge fdb add 02:00:00:00:00:01 dev veth1');
    expect(term.run('bridge fdb add 02:00:00:00:00:02 dev veth1 static')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n', code: 255 });
    expect(term.ok('bridge fdb show dev veth1')).to.equal('02:00:00:00:00:01 self permanent\n');
    expect(term.run('bridge fdb add 02:00:00:00:00:01 dev veth1 master')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n', code: 255 });
    expect(term.usage('bridge fdb add 02:00:00:00:00:01')).to.equal('Device and address are required arguments.');
    expect(term.usage('bridge fdb add zz dev veth1')).to.equal('Invalid mac address zz');
    expect(term.usage('bridge fib show')).to.equal('Object "fib" is unknown, try "bridge help".');
  });
});

describe('bridge link show', () => {
  it('lists bridge ports with their state, priority and path cost', () => {
    const { term } = newMachine('host');
    buildFixtureBridge(term);
    term.ok('ip link add vxlan0 type vxlan id 42 dstport 4789');
    term.ok('ip link set vxlan0 master br0');
    expect(term.ok('bridge link show')).to.equal(
      '4: veth1@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n'
      + '6: veth2@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n'
      + '7: vxlan0: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 100 \n');
    expect(term.ok('bridge link show dev veth2')).to.equal('6: veth2@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n');
  });

  it('names a peer by a local device with the same index, as the netnsid-less dump makes iproute2 do', () => {
    const { term } = newMachine('host');
    for (const ns of ['c1', 'c2', 'c3']) term.ok(`ip netns add ${ns}`);
    term.ok('ip -n c1 link add br0 type bridge');
    term.ok('ip -n c1 link add veth1 type veth peer name eth0');
    term.ok('ip -n c1 link set eth0 netns c2');
    // Index 3 (eth0's, now in c2) is free in c1: a device moved there from index 3 of c3 keeps it.
    term.ok('ip -n c3 link add z1 type veth peer name z2');
    term.ok('ip -n c3 link set z1 netns c1');
    term.ok('ip -n c1 link set veth1 master br0');
    term.ok('ip -n c1 link set veth1 up');
    expect(term.ok('bridge -n c1 link')).to.equal('4: veth1@z1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 master br0 state disabled priority 32 cost 2 \n');
    // ip itself knows the peer is elsewhere (link-netns).
    expect(term.ok('ip -n c1 link show veth1')).to.equal(
      '4: veth1@if3: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue master br0 state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n'
      + `    link/ether ${term.ok('ip -n c1 -br link show veth1').split(/\s+/)[2]} brd ff:ff:ff:ff:ff:ff link-netns c2\n`);
  });

  it('sets port flags and refuses devices that are no port', () => {
    const { machine, term } = newMachine('host');
    buildFixtureBridge(term);
    term.ok('bridge link set dev veth1 hairpin on');
    expect(machine.bridgePortFlags(machine.link(machine.root, 'veth1')!)).to.deep.equal({ hairpin: true, learning: true, flood: true });
    expect(term.run('bridge link set dev br0 hairpin on')).to.deep.equal({ stdout: '', stderr: 'RTNETLINK answers: Operation not supported\n', code: 255 });
    expect(term.run('bridge link set dev nosuch hairpin on')).to.deep.equal({ stdout: '', stderr: 'Cannot find bridge device "nosuch"\n', code: 255 });
  });
});

describe('brctl', () => {
  it('shows bridges and their interfaces in alphabetical order', () => {
    const { term } = newMachine('host');
    buildFixtureBridge(term);
    term.ok('brctl addbr abr');
    expect(term.ok('brctl show')).to.equal(
      'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n'
      + `abr\t\t8000.${term.ok('ip -br link show abr').split(/\s+/)[2]!.replace(/:/g, '')}\tno\t\t\n`
      + 'br0\t\t8000.56001227eb16\tno\t\tveth1\n'
      + '\t\t\t\t\t\t\tveth2\n');
  });

  it('lists the forwarding table with port numbers and ageing timers', () => {
    const { sim, machine, term } = newMachine('host');
    buildFixtureBridge(term);
    const c1 = machine.namespace('c1')!;
    c1.icmp.open().sendEcho(parseIpv4('10.0.0.3'), 1, 1, new Uint8Array(56));
    advance(sim, 2.5);
    expect(term.ok('brctl showmacs br0')).to.equal(
      'port no\tmac addr\t\tis local?\tageing timer\n'
      + '  1\t02:42:0a:00:00:02\tno\t\t   2.49\n'
      + '  2\t02:42:0a:00:00:03\tno\t\t   2.49\n'
      + '  1\t56:00:12:27:eb:16\tyes\t\t   0.00\n'
      + '  2\t9e:bc:70:73:26:2b\tyes\t\t   0.00\n');
    expect(term.run('brctl showmacs nosuch')).to.deep.equal({ stdout: '', stderr: 'read of forward table failed: No such device\n', code: 1 });
  });

  it('adds and deletes bridges and interfaces with bridge-utils\' messages', () => {
    const { term } = newMachine('host');
    term.ok('brctl addbr br9');
    expect(term.run('brctl addbr br9')).to.deep.equal({ stdout: '', stderr: "device br9 already exists; can't create bridge with the same name\n", code: 1 });
    term.ok('ip link add v1 type veth peer name v2');
    term.ok('brctl addif br9 v1');
    expect(term.ok('ip -br link show master br9')).to.match(/^v1@v2 /);
    expect(term.run('brctl delif br9 v2')).to.deep.equal({ stdout: '', stderr: 'device v2 is not a slave of br9\n', code: 1 });
    term.ok('brctl delif br9 v1');
    term.ok('ip link set br9 up');
    expect(term.run('brctl delbr br9')).to.deep.equal({ stdout: '', stderr: "bridge br9 is still up; can't delete it\n", code: 1 });
    term.ok('ip link set br9 down');
    term.ok('brctl delbr br9');
    expect(term.usage('brctl frobnicate')).to.equal('never heard of command [frobnicate]');
  });
});
