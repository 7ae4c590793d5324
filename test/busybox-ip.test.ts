// busybox's `ip` (userland/busybox-ip): what `docker exec CONTAINER ip …` prints in alpine and
// busybox containers, byte for byte, while debian/ubuntu containers and the Docker host itself
// keep iproute2's format.
import { expect } from 'chai';
import { formatMac } from '../src/wire';
import { registerBusyboxIp, UsageError } from '../src/userland';
import { dockerHost, type DockerHostHarness } from './docker-engine-harness';
import { newMachine } from './machine-harness';

/** A Docker host with demo-bridge (10.0.0.0/24) and alpine's container1 on it (10.0.0.2). */
function withContainer(): DockerHostHarness {
  const h = dockerHost();
  h.ok('docker network create -d bridge --subnet 10.0.0.1/24 demo-bridge');
  h.ok('docker run -dit --name container1 --network demo-bridge alpine ash');
  return h;
}

function usageError(h: DockerHostHarness, line: string): string {
  try {
    h.run(line);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`${line}: no UsageError`);
}

const LO = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n'
  + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';
const ETH0 = '4: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP qlen 1000\n'
  + '    link/ether 02:42:0a:00:00:02 brd ff:ff:ff:ff:ff:ff\n';

describe('busybox ip in an alpine container', () => {
  it('ip a: no "group default", no link-netnsid, the peer as ifN with M-DOWN', () => {
    const h = withContainer();
    expect(h.ok('docker exec container1 ip a')).to.equal(
      `${LO}    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n`
      + `${ETH0}    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0\n       valid_lft forever preferred_lft forever\n`);
  });

  it('ip link: the link lines only, without "mode DEFAULT"', () => {
    const h = withContainer();
    expect(h.ok('docker exec container1 ip link')).to.equal(LO + ETH0);
    expect(h.ok('docker exec container1 ip link show eth0')).to.equal(ETH0);
  });

  it('ip route: no "proto kernel", and " src " with a space on each side', () => {
    const h = withContainer();
    expect(h.ok('docker exec container1 ip route')).to.equal(
      'default via 10.0.0.1 dev eth0 \n10.0.0.0/24 dev eth0 scope link  src 10.0.0.2 \n');
    // A filter does not drop its attribute; `scope` does hide the scope.
    expect(h.ok('docker exec container1 ip route show dev eth0 scope link')).to.equal('10.0.0.0/24 dev eth0  src 10.0.0.2 \n');
    // Without -4, "default" selects nothing in particular (busybox's get_prefix_1).
    expect(h.ok('docker exec container1 ip route show default')).to.equal(h.ok('docker exec container1 ip route'));
    expect(h.ok('docker exec container1 ip -4 route show default')).to.equal('default via 10.0.0.1 dev eth0 \n');
  });

  it('-4 drops the link/ether lines; -o puts each address on one line', () => {
    const h = withContainer();
    expect(h.ok('docker exec container1 ip -4 addr show eth0')).to.equal(
      '4: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP qlen 1000\n'
      + '    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0\n       valid_lft forever preferred_lft forever\n');
    expect(h.ok('docker exec container1 ip -o -4 a')).to.equal(
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n'
      + '4: eth0    inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n');
    expect(h.ok('docker exec container1 ip -6 a')).to.equal('');
  });

  it('ip route get prints the kernel\'s cloned route', () => {
    const h = withContainer();
    expect(h.ok('docker exec container1 ip route get 8.8.8.8')).to.equal('8.8.8.8 via 10.0.0.1 dev eth0  src 10.0.0.2 \n');
    expect(h.ok('docker exec container1 ip r g 10.0.0.2')).to.equal('local 10.0.0.2 dev lo  src 10.0.0.2 \n');
  });

  it('changes are refused (no CAP_NET_ADMIN); a missing device is exit 1, or 2 under ip link', () => {
    const h = withContainer();
    expect(h.run('docker exec container1 ip addr add 10.0.0.9/24 dev eth0'))
      .to.deep.equal({ stdout: '', stderr: 'ip: RTNETLINK answers: Operation not permitted\n', code: 2 });
    expect(h.run('docker exec container1 ip route add 10.9.0.0/16 via 10.0.0.1').code).to.equal(2);
    expect(h.run('docker exec container1 ip addr show eth9'))
      .to.deep.equal({ stdout: '', stderr: 'ip: can\'t find device \'eth9\'\n', code: 1 });
    expect(h.run('docker exec container1 ip link show eth9').code).to.equal(2);
    // Nothing changed.
    expect(h.ok('docker exec container1 ip -o -4 addr show eth0')).to.not.contain('10.0.0.9');
  });

  it('iproute2-only options and ambiguous abbreviations are malformed steps', () => {
    const h = withContainer();
    expect(usageError(h, 'docker exec container1 ip -br a')).to.contain('no option "-br"');
    expect(usageError(h, 'docker exec container1 ip link s')).to.equal('invalid argument \'s\' to \'ip\'');
    expect(usageError(h, 'docker exec container1 ip a l')).to.equal('invalid argument \'l\' to \'ip\'');
    expect(h.ok('docker exec container1 ip a s eth0')).to.contain(ETH0);
  });

  it('the busybox image has it too; debian keeps iproute2', () => {
    const h = withContainer();
    h.ok('docker run -dit --name bb --network demo-bridge busybox sh');
    h.ok('docker run -dit --name deb --network demo-bridge debian bash');
    expect(h.ok('docker exec bb ip link show eth0')).to.match(/^\d+: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue state UP qlen 1000\n/);
    const deb = h.ok('docker exec deb ip addr show eth0');
    expect(deb).to.match(/^\d+: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n/);
    expect(deb).to.contain('link/ether 02:42:0a:00:00:04 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n');
  });
});

describe('busybox ip: the Docker host keeps iproute2', () => {
  it('the host\'s own ip a is iproute2\'s', () => {
    const h = dockerHost();
    expect(h.ok('ip a')).to.equal(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
      + '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n'
      + '2: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default qlen 1000\n'
      + '    link/ether 02:42:3a:0c:84:28 brd ff:ff:ff:ff:ff:ff\n'
      + '    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\n       valid_lft forever preferred_lft forever\n');
    h.ok('docker network create -d bridge --subnet 10.0.0.1/24 demo-bridge');
    h.ok('docker run -dit --name container1 --network demo-bridge alpine ash');
    expect(h.ok('ip link')).to.match(/\n5: veth[0-9a-f]{7}@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br-[0-9a-f]{12} state UP mode DEFAULT group default \n    link\/ether \S+ brd ff:ff:ff:ff:ff:ff link-netnsid 0\n$/);
    expect(h.ok('ip route')).to.contain('10.0.0.0/24 dev br-');
    expect(h.ok('ip route')).to.contain(' proto kernel scope link src 10.0.0.1 \n');
  });
});

describe('busybox ip on a namespace of its own', () => {
  it('a peer in the same namespace is named; M-DOWN when it is down; PROMISC in hex; `up` keeps a down device\'s addresses', () => {
    const { machine, term } = newMachine('host');
    for (const line of ['ip link add veth1 type veth peer name veth2', 'ip link set veth1 up', 'ip link set veth1 promisc on',
      'ip link add br0 type bridge', 'ip link set veth2 master br0', 'ip addr add 10.1.0.1/24 dev br0']) term.ok(line);
    registerBusyboxIp(term.registry);
    const mac = (name: string): string => formatMac(machine.link(machine.root, name)!.mac);
    expect(term.ok('ip link show veth1')).to.equal(
      '3: veth1@veth2: <NO-CARRIER,BROADCAST,MULTICAST,UP100,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN qlen 1000\n'
      + `    link/ether ${mac('veth1')} brd ff:ff:ff:ff:ff:ff\n`);
    expect(term.ok('ip link show veth2')).to.equal(
      '2: veth2@veth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master br0 state DOWN qlen 1000\n'
      + `    link/ether ${mac('veth2')} brd ff:ff:ff:ff:ff:ff\n`);
    // br0 is down: `up` skips its link line but not its address (print_linkinfo's early return).
    expect(term.ok('ip addr show up')).to.equal(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1000\n'
      + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
      + '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n'
      + '3: veth1@veth2: <NO-CARRIER,BROADCAST,MULTICAST,UP100,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN qlen 1000\n'
      + `    link/ether ${mac('veth1')} brd ff:ff:ff:ff:ff:ff\n`
      + '    inet 10.1.0.1/24 scope global br0\n       valid_lft forever preferred_lft forever\n');
  });
});
