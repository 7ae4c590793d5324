// The bridge driver over a real Machine: devices, addresses, routes and iptables as a 19.03
// host has them, and the packets that ICC, isolation and internal networks let through or not.
import { expect } from 'chai';
import { dockerHost } from './docker-engine-harness';

/** `ping -c N -W 1` from a container; returns the received count. */
function received(h: ReturnType<typeof dockerHost>, container: string, ip: string, count = 2): number {
  const r = h.run(`docker exec ${container} ping -c ${count} -W 1 ${ip}`, 60);
  const m = /(\d+) packets received/.exec(r.stdout);
  if (!m) throw new Error(`no ping statistics: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

describe('docker bridge driver: devices', () => {
  it('docker0 exists from the start with 172.17.0.1/16 and a 02:42 MAC, no carrier until a container joins', () => {
    const h = dockerHost();
    const out = h.ok('ip addr show docker0');
    expect(out).to.match(/^\d+: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 /);
    expect(out).to.match(/link\/ether 02:42(:[0-9a-f]{2}){4} brd ff:ff:ff:ff:ff:ff/);
    expect(out).to.contain('inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0');
    expect(h.machine.root.forwarding).to.equal(true);
  });

  it('a user network is br-<id12> with its gateway; containers get veth+7 hex host ends, eth0, 02:42+IP MACs, a default route', () => {
    const h = dockerHost();
    const id = h.ok('docker network create -d bridge --subnet 10.0.0.1/24 demo-bridge').trim();
    const br = `br-${id.slice(0, 12)}`;
    expect(h.ok(`ip -br addr show ${br}`)).to.match(new RegExp(`^${br} +\\S+ +10\\.0\\.0\\.1/24 *\\n$`));
    h.ok('docker run -dit --name container1 --network demo-bridge alpine ash');
    const ports = h.machine.links().filter((d) => d.master?.name === br).map((d) => d.name);
    expect(ports).to.have.length(1);
    expect(ports[0]).to.match(/^veth[0-9a-f]{7}$/);
    const inside = h.ok('docker exec container1 ip addr show eth0');
    expect(inside).to.contain('link/ether 02:42:0a:00:00:02 brd ff:ff:ff:ff:ff:ff');
    expect(inside).to.contain('inet 10.0.0.2/24 brd 10.0.0.255 scope global eth0');
    // alpine's ip is busybox's: no "proto kernel", and " src " with a space on both sides.
    expect(h.ok('docker exec container1 ip route')).to.equal(
      'default via 10.0.0.1 dev eth0 \n10.0.0.0/24 dev eth0 scope link  src 10.0.0.2 \n');
  });

  it('the MTU option sets the bridge and both veth ends', () => {
    const h = dockerHost();
    h.ok('docker network create -o com.docker.network.driver.mtu=1400 small');
    h.ok('docker run -dit --name c1 --network small alpine ash');
    expect(h.ok('docker exec c1 ip link show eth0')).to.contain(' mtu 1400 ');
    const host = h.machine.links().find((d) => d.kind === 'veth');
    expect(host?.mtu).to.equal(1400);
  });
});

describe('docker bridge driver: iptables (19.03 classic layout)', () => {
  it('iptables -S on a fresh host lists the default bridge\'s rules in Docker\'s order', () => {
    const h = dockerHost();
    expect(h.ok('iptables -S')).to.equal([
      '-P INPUT ACCEPT', '-P FORWARD DROP', '-P OUTPUT ACCEPT',
      '-N DOCKER', '-N DOCKER-ISOLATION-STAGE-1', '-N DOCKER-ISOLATION-STAGE-2', '-N DOCKER-USER',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
      '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
      '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
      '-A DOCKER-USER -j RETURN',
      '',
    ].join('\n'));
    expect(h.ok('iptables -t nat -S')).to.contain('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n');
  });

  it('removing a network removes its rules and its bridge', () => {
    const h = dockerHost();
    const before = h.ok('iptables -S');
    const id = h.ok('docker network create net1').trim();
    expect(h.ok('iptables -S')).to.contain(`-A DOCKER-ISOLATION-STAGE-2 -o br-${id.slice(0, 12)} -j DROP`);
    h.ok('docker network rm net1');
    expect(h.ok('iptables -S')).to.equal(before);
    expect(h.machine.link(h.machine.root, `br-${id.slice(0, 12)}`)).to.equal(undefined);
  });
});

describe('docker bridge driver: what gets through', () => {
  it('enable_icc=false: containers of the network cannot reach each other (br_netfilter), the gateway still answers', () => {
    const h = dockerHost();
    const id = h.ok('docker network create -o com.docker.network.bridge.enable_icc=false noicc').trim();
    h.ok('docker run -dit --name c1 --network noicc alpine ash');
    h.ok('docker run -dit --name c2 --network noicc alpine ash');
    expect(h.ok('iptables -S')).to.contain(`-A FORWARD -i br-${id.slice(0, 12)} -o br-${id.slice(0, 12)} -j DROP\n`);
    expect(received(h, 'c1', '172.18.0.3')).to.equal(0);
    expect(received(h, 'c1', '172.18.0.1')).to.equal(2);
  });

  it('ICC on (the default): the same containers reach each other', () => {
    const h = dockerHost();
    h.ok('docker network create icc');
    h.ok('docker run -dit --name c1 --network icc alpine ash');
    h.ok('docker run -dit --name c2 --network icc alpine ash');
    expect(received(h, 'c1', '172.18.0.3')).to.equal(2);
  });

  it('two bridge networks are isolated; `network connect` adds eth1 and lifts it; disconnect removes eth1', () => {
    const h = dockerHost();
    h.ok('docker network create net1');
    h.ok('docker network create net2');
    h.ok('docker run -dit --name c1 --network net1 alpine ash');
    h.ok('docker run -dit --name c2 --network net2 alpine ash');
    expect(received(h, 'c1', '172.19.0.2')).to.equal(0);
    expect(h.ok('docker network connect net2 c1')).to.equal('');
    const eth1 = h.ok('docker exec c1 ip addr show eth1');
    expect(eth1).to.contain('inet 172.19.0.3/16 brd 172.19.255.255 scope global eth1');
    expect(eth1).to.contain('link/ether 02:42:ac:13:00:03');
    expect(received(h, 'c1', '172.19.0.2')).to.equal(2);
    expect(h.ok('docker network disconnect net2 c1')).to.equal('');
    const r = h.run('docker exec c1 ip addr show eth1');
    expect(r.code).to.not.equal(0);
    expect(h.ok('docker exec c1 ip -o link')).to.not.contain('eth1');
    expect(received(h, 'c1', '172.19.0.2')).to.equal(0);
  });

  it('an internal network has no way out but 19.03 still gives it a default route', () => {
    const h = dockerHost();
    const id = h.ok('docker network create --internal inside').trim();
    const br = `br-${id.slice(0, 12)}`;
    h.ok('docker run -dit --name c1 --network inside alpine ash');
    h.ok('docker run -dit --name c2 --network inside alpine ash');
    expect(h.ok('docker exec c1 ip route')).to.match(/^default via 172\.18\.0\.1 dev eth0/);
    const rules = h.ok('iptables -S');
    expect(rules).to.contain(`-A DOCKER-ISOLATION-STAGE-1 ! -s 172.18.0.0/16 -o ${br} -j DROP`);
    expect(rules).to.contain(`-A DOCKER-ISOLATION-STAGE-1 ! -d 172.18.0.0/16 -i ${br} -j DROP`);
    expect(h.ok('iptables -t nat -S')).to.not.contain(br);
    expect(received(h, 'c1', '172.18.0.3')).to.equal(2);
    // Forwarded traffic out of the subnet is dropped by the isolation rules (the host's own
    // addresses, reached through INPUT, still answer, as on a real host).
    h.ok('docker run -dit --name outside alpine ash');
    expect(received(h, 'c1', '172.17.0.2')).to.equal(0);
    expect(received(h, 'c1', '172.17.0.1')).to.equal(2);
  });

  it('v29: the DOCKER-FORWARD layout, and an internal network gives no default route (v25+)', () => {
    const h = dockerHost({ engine: '29' });
    const id = h.ok('docker network create --internal inside').trim();
    const br = `br-${id.slice(0, 12)}`;
    h.ok('docker run -dit --name c1 --network inside alpine ash');
    expect(h.ok('docker exec c1 ip route')).to.not.contain('default');
    const rules = h.ok('iptables -S');
    expect(rules).to.contain('-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-FORWARD\n');
    expect(rules).to.contain('-A DOCKER ! -i docker0 -o docker0 -j DROP\n');
    expect(rules).to.contain(`-A DOCKER-INTERNAL ! -s 172.18.0.0/16 -o ${br} -j DROP\n-A DOCKER-INTERNAL ! -d 172.18.0.0/16 -i ${br} -j DROP\n`);
    expect(rules).to.not.contain('ISOLATION');
  });
});
