// Docker's classic rules on real packets: containers reach out through MASQUERADE, two bridge
// networks are isolated from each other, ICC off stops traffic inside one bridge (only with
// br_netfilter), an internal network has no way out.
import { expect } from 'chai';
import { Nic, Link } from '../src/devices';
import { sec } from '../src/sim';
import { NetworkNamespace, netfilterOf } from '../src/stack';
import { formatIpv4, parseCidr } from '../src/wire';
import {
  arrangeUserFilterRule, iptablesRunnerFor, programBridgeNetwork, programDockerChains, type BridgeNetworkRules,
} from '../src/docker';
import { datagrams, dockerLikeHost, ipt, pingCount } from './netfilter-harness';
import { mac, newSim, record, type Sim } from './stack-harness';

const bridgeNet = (bridgeName: string, subnet: string, extra: Partial<BridgeNetworkRules> = {}): BridgeNetworkRules => ({
  bridgeName, subnet: parseCidr(subnet), enableIcc: true, enableIpMasquerade: true, internal: false, ...extra,
});

function dockerHostWithUplink(sim: Sim) {
  const h = dockerLikeHost(sim);
  // The host's uplink to a server "on the internet".
  const server = new NetworkNamespace(sim, 'server');
  const link = new Link(sim, ['host:eth0', 'server:eth0']);
  h.host.addInterface(new Nic(sim, link.a, { name: 'eth0', mac: mac('02:00:00:00:09:01') }));
  server.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: mac('02:00:00:00:09:02') }));
  h.host.addAddress('eth0', '192.168.1.1/24');
  server.addAddress('eth0', '192.168.1.2/24');
  const run = iptablesRunnerFor(h.host);
  programDockerChains(run, { forwardPolicyDrop: true });
  arrangeUserFilterRule(run);
  return { ...h, server, uplink: record(sim, link), run };
}

describe('netfilter: Docker bridge networks on the wire', () => {
  it('a container reaches the outside through MASQUERADE and gets its replies', () => {
    const sim = newSim();
    const h = dockerHostWithUplink(sim);
    h.addBridge('docker0', '172.17.0.1/16', '02:42:00:00:00:01');
    programBridgeNetwork(h.run, bridgeNet('docker0', '172.17.0.0/16'));
    arrangeUserFilterRule(h.run);
    const c1 = h.addContainer('c1', 'docker0', '172.17.0.2/16', '172.17.0.1', '02:42:ac:11:00:02');
    const replies = pingCount(sim, c1, '192.168.1.2', 3);
    sim.scheduler.run({ until: sec(4) });
    expect(replies()).to.equal(3);
    const requests = datagrams(h.uplink).filter((d) => d.protocol === 1 && d.dst === parseCidr('192.168.1.2/32').addr);
    expect(requests.map((d) => formatIpv4(d.src))).to.deep.equal(['192.168.1.1', '192.168.1.1', '192.168.1.1']);
    expect(ipt(h.host, '-t', 'nat', '-L', 'POSTROUTING', '-v', '-n')).to.contain('    1    84 MASQUERADE  all  --  *      !docker0  172.17.0.0/16        0.0.0.0/0');
  });

  it('drops traffic between two bridge networks (DOCKER-ISOLATION-STAGE-2) but not to the gateways', () => {
    const sim = newSim();
    const h = dockerHostWithUplink(sim);
    h.addBridge('docker0', '172.17.0.1/16', '02:42:00:00:00:01');
    programBridgeNetwork(h.run, bridgeNet('docker0', '172.17.0.0/16'));
    arrangeUserFilterRule(h.run);
    h.addBridge('br-demo', '10.0.0.1/24', '02:42:00:00:00:02');
    programBridgeNetwork(h.run, bridgeNet('br-demo', '10.0.0.0/24'));
    arrangeUserFilterRule(h.run);
    const c1 = h.addContainer('c1', 'docker0', '172.17.0.2/16', '172.17.0.1', '02:42:ac:11:00:02');
    h.addContainer('c3', 'br-demo', '10.0.0.2/24', '10.0.0.1', '02:42:0a:00:00:02');
    const across = pingCount(sim, c1, '10.0.0.2', 2);
    const gateway = pingCount(sim, c1, '10.0.0.1', 2);
    sim.scheduler.run({ until: sec(3) });
    expect(across()).to.equal(0);
    expect(gateway(), "the other network's gateway is the host itself (INPUT)").to.equal(2);
    expect(ipt(h.host, '-S', 'DOCKER-ISOLATION-STAGE-2', '-v')).to.equal(
      '-N DOCKER-ISOLATION-STAGE-2\n'
      + '-A DOCKER-ISOLATION-STAGE-2 -o br-demo -c 2 168 -j DROP\n'
      + '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -c 0 0 -j DROP\n'
      + '-A DOCKER-ISOLATION-STAGE-2 -c 0 0 -j RETURN\n',
    );
  });

  it('ICC off: containers on one bridge cannot talk once br_netfilter hands bridged frames to FORWARD', () => {
    const sim = newSim();
    const h = dockerHostWithUplink(sim);
    const br = h.addBridge('br-demo', '10.0.0.1/24', '02:42:00:00:00:02');
    programBridgeNetwork(h.run, bridgeNet('br-demo', '10.0.0.0/24', { enableIcc: false }));
    arrangeUserFilterRule(h.run);
    const a = h.addContainer('a', 'br-demo', '10.0.0.2/24', '10.0.0.1', '02:42:0a:00:00:02');
    h.addContainer('b', 'br-demo', '10.0.0.3/24', '10.0.0.1', '02:42:0a:00:00:03');
    // Without br_netfilter the bridge switches at layer 2 whatever FORWARD says.
    const before = pingCount(sim, a, '10.0.0.3', 2);
    sim.scheduler.run({ until: sec(2) });
    expect(before()).to.equal(2);
    const detach = netfilterOf(h.host).attachBridge(br, 'br-demo');
    const t = sim.scheduler.now;
    const after = pingCount(sim, a, '10.0.0.3', 2);
    sim.scheduler.run({ until: t + sec(3) });
    expect(after()).to.equal(0);
    expect(br.stats.drops.netfilter).to.equal(2);
    expect(ipt(h.host, '-L', 'FORWARD', '-v', '-n')).to.match(/\n +2 +168 DROP +all +-- +br-demo +br-demo +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +\n$/);
    detach();
    const t2 = sim.scheduler.now;
    const again = pingCount(sim, a, '10.0.0.3', 1);
    sim.scheduler.run({ until: t2 + sec(1) });
    expect(again()).to.equal(1);
  });

  it('ICC on with br_netfilter: bridged traffic passes FORWARD through the ICC ACCEPT rule', () => {
    const sim = newSim();
    const h = dockerHostWithUplink(sim);
    const br = h.addBridge('docker0', '172.17.0.1/16', '02:42:00:00:00:01');
    programBridgeNetwork(h.run, bridgeNet('docker0', '172.17.0.0/16'));
    arrangeUserFilterRule(h.run);
    netfilterOf(h.host).attachBridge(br, 'docker0');
    const a = h.addContainer('a', 'docker0', '172.17.0.2/16', '172.17.0.1', '02:42:ac:11:00:02');
    h.addContainer('b', 'docker0', '172.17.0.3/16', '172.17.0.1', '02:42:ac:11:00:03');
    const replies = pingCount(sim, a, '172.17.0.3', 2);
    sim.scheduler.run({ until: sec(3) });
    expect(replies()).to.equal(2);
    // Requests are NEW then ESTABLISHED (ICC rule); replies match the conntrack rule.
    const lines = ipt(h.host, '-S', 'FORWARD', '-v');
    expect(lines).to.contain('-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -c 3 252 -j ACCEPT\n');
    expect(lines).to.contain('-A FORWARD -i docker0 -o docker0 -c 1 84 -j ACCEPT\n');
  });

  it('an internal network has no way out, but its containers still reach each other and the gateway', () => {
    const sim = newSim();
    const h = dockerHostWithUplink(sim);
    h.addBridge('br-internal', '172.19.0.1/16', '02:42:00:00:00:03');
    programBridgeNetwork(h.run, bridgeNet('br-internal', '172.19.0.0/16', { internal: true }));
    arrangeUserFilterRule(h.run);
    const a = h.addContainer('a', 'br-internal', '172.19.0.2/16', '172.19.0.1', '02:42:ac:13:00:02');
    h.addContainer('b', 'br-internal', '172.19.0.3/16', '172.19.0.1', '02:42:ac:13:00:03');
    const out = pingCount(sim, a, '192.168.1.2', 2);
    const peer = pingCount(sim, a, '172.19.0.3', 2);
    const gw = pingCount(sim, a, '172.19.0.1', 2);
    sim.scheduler.run({ until: sec(3) });
    expect(out()).to.equal(0);
    expect(peer()).to.equal(2);
    expect(gw()).to.equal(2);
    expect(ipt(h.host, '-S', 'DOCKER-ISOLATION-STAGE-1', '-v')).to.contain('-A DOCKER-ISOLATION-STAGE-1 ! -d 172.19.0.0/16 -i br-internal -c 2 168 -j DROP\n');
  });
});
