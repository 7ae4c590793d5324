// Docker 19.03's classic iptables rules (docker-facts §3.3 (a)), programmed the way libnetwork
// programs them, printed by `iptables -S` exactly as a real host prints them.
import { expect } from 'chai';
import { NetworkNamespace } from '../src/stack';
import { parseCidr } from '../src/wire';
import {
  arrangeUserFilterRule, iptablesRunnerFor, programBridgeNetwork, programDockerChains, removeBridgeNetwork,
  type BridgeNetworkRules, type IptablesRunner,
} from '../src/docker';
import { ipt } from './netfilter-harness';
import { newSim } from './stack-harness';

const DOCKER0: BridgeNetworkRules = { bridgeName: 'docker0', subnet: parseCidr('172.17.0.0/16'), enableIcc: true, enableIpMasquerade: true, internal: false };
const DEMO: BridgeNetworkRules = { bridgeName: 'br-3225b6d14177', subnet: parseCidr('10.0.0.1/24'), enableIcc: true, enableIpMasquerade: true, internal: false };

/** A Docker 19.03 daemon start on a host that did not forward: chains, then none/host/bridge networks. */
function dockerHost(): { host: NetworkNamespace; run: IptablesRunner; log: string[] } {
  const sim = newSim();
  const host = new NetworkNamespace(sim, 'docker-host');
  const inner = iptablesRunnerFor(host);
  const log: string[] = [];
  const run: IptablesRunner = (args) => {
    log.push(args.join(' '));
    return inner(args);
  };
  programDockerChains(run, { forwardPolicyDrop: true });
  arrangeUserFilterRule(run); // network "none"
  arrangeUserFilterRule(run); // network "host"
  programBridgeNetwork(run, DOCKER0);
  arrangeUserFilterRule(run); // network "bridge"
  return { host, run, log };
}

const FILTER_DOCKER0 = [
  '-P INPUT ACCEPT',
  '-P FORWARD DROP',
  '-P OUTPUT ACCEPT',
  '-N DOCKER',
  '-N DOCKER-ISOLATION-STAGE-1',
  '-N DOCKER-ISOLATION-STAGE-2',
  '-N DOCKER-USER',
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
].map((l) => `${l}\n`).join('');

const NAT_DOCKER0 = [
  '-P PREROUTING ACCEPT',
  '-P INPUT ACCEPT',
  '-P OUTPUT ACCEPT',
  '-P POSTROUTING ACCEPT',
  '-N DOCKER',
  '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
  '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
  '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
  '-A DOCKER -i docker0 -j RETURN',
].map((l) => `${l}\n`).join('');

describe('Docker classic iptables rules (19.03)', () => {
  it('docker0 alone: iptables -S and iptables -t nat -S as on a fresh 19.03 host', () => {
    const { host } = dockerHost();
    expect(ipt(host, '-S')).to.equal(FILTER_DOCKER0);
    expect(ipt(host, '-t', 'nat', '-S')).to.equal(NAT_DOCKER0);
  });

  it('a second bridge network puts its rules above docker0\'s, isolated from it in both stages', () => {
    const { host, run } = dockerHost();
    programBridgeNetwork(run, DEMO);
    arrangeUserFilterRule(run);
    expect(ipt(host, '-S')).to.equal([
      '-P INPUT ACCEPT',
      '-P FORWARD DROP',
      '-P OUTPUT ACCEPT',
      '-N DOCKER',
      '-N DOCKER-ISOLATION-STAGE-1',
      '-N DOCKER-ISOLATION-STAGE-2',
      '-N DOCKER-USER',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A FORWARD -o br-3225b6d14177 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o br-3225b6d14177 -j DOCKER',
      '-A FORWARD -i br-3225b6d14177 ! -o br-3225b6d14177 -j ACCEPT',
      '-A FORWARD -i br-3225b6d14177 -o br-3225b6d14177 -j ACCEPT',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
      '-A DOCKER-ISOLATION-STAGE-1 -i br-3225b6d14177 ! -o br-3225b6d14177 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
      '-A DOCKER-ISOLATION-STAGE-2 -o br-3225b6d14177 -j DROP',
      '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
      '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
      '-A DOCKER-USER -j RETURN',
    ].map((l) => `${l}\n`).join(''));
    expect(ipt(host, '-t', 'nat', '-S')).to.equal([
      '-P PREROUTING ACCEPT',
      '-P INPUT ACCEPT',
      '-P OUTPUT ACCEPT',
      '-P POSTROUTING ACCEPT',
      '-N DOCKER',
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
      '-A POSTROUTING -s 10.0.0.0/24 ! -o br-3225b6d14177 -j MASQUERADE',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-A DOCKER -i br-3225b6d14177 -j RETURN',
      '-A DOCKER -i docker0 -j RETURN',
    ].map((l) => `${l}\n`).join(''));
  });

  it('prints the classic `iptables -L` and `-t nat -L -n` of a Docker host', () => {
    const { host } = dockerHost();
    expect(ipt(host, '-L')).to.equal(
      'Chain INPUT (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + '\n'
      + 'Chain FORWARD (policy DROP)\n'
      + 'target     prot opt source               destination         \n'
      + 'DOCKER-USER  all  --  anywhere             anywhere            \n'
      + 'DOCKER-ISOLATION-STAGE-1  all  --  anywhere             anywhere            \n'
      + 'ACCEPT     all  --  anywhere             anywhere             ctstate RELATED,ESTABLISHED\n'
      + 'DOCKER     all  --  anywhere             anywhere            \n'
      + 'ACCEPT     all  --  anywhere             anywhere            \n'
      + 'ACCEPT     all  --  anywhere             anywhere            \n'
      + '\n'
      + 'Chain OUTPUT (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + '\n'
      + 'Chain DOCKER (1 references)\n'
      + 'target     prot opt source               destination         \n'
      + '\n'
      + 'Chain DOCKER-ISOLATION-STAGE-1 (1 references)\n'
      + 'target     prot opt source               destination         \n'
      + 'DOCKER-ISOLATION-STAGE-2  all  --  anywhere             anywhere            \n'
      + 'RETURN     all  --  anywhere             anywhere            \n'
      + '\n'
      + 'Chain DOCKER-ISOLATION-STAGE-2 (1 references)\n'
      + 'target     prot opt source               destination         \n'
      + 'DROP       all  --  anywhere             anywhere            \n'
      + 'RETURN     all  --  anywhere             anywhere            \n'
      + '\n'
      + 'Chain DOCKER-USER (1 references)\n'
      + 'target     prot opt source               destination         \n'
      + 'RETURN     all  --  anywhere             anywhere            \n',
    );
    expect(ipt(host, '-t', 'nat', '-L', '-n')).to.equal(
      'Chain PREROUTING (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + 'DOCKER     all  --  0.0.0.0/0            0.0.0.0/0            ADDRTYPE match dst-type LOCAL\n'
      + '\n'
      + 'Chain INPUT (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + '\n'
      + 'Chain OUTPUT (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + 'DOCKER     all  --  0.0.0.0/0           !127.0.0.0/8          ADDRTYPE match dst-type LOCAL\n'
      + '\n'
      + 'Chain POSTROUTING (policy ACCEPT)\n'
      + 'target     prot opt source               destination         \n'
      + 'MASQUERADE  all  --  172.17.0.0/16        0.0.0.0/0           \n'
      + '\n'
      + 'Chain DOCKER (2 references)\n'
      + 'target     prot opt source               destination         \n'
      + 'RETURN     all  --  0.0.0.0/0            0.0.0.0/0           \n',
    );
  });

  it('ICC off appends a DROP at the end of FORWARD; an internal network gets its two isolation DROPs and no NAT', () => {
    const { host, run } = dockerHost();
    programBridgeNetwork(run, { ...DEMO, enableIcc: false });
    arrangeUserFilterRule(run);
    programBridgeNetwork(run, { bridgeName: 'br-0123456789ab', subnet: parseCidr('172.19.0.0/16'), enableIcc: true, enableIpMasquerade: true, internal: true });
    arrangeUserFilterRule(run);
    expect(ipt(host, '-S', 'FORWARD')).to.equal([
      '-P FORWARD DROP',
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A FORWARD -i br-0123456789ab -o br-0123456789ab -j ACCEPT',
      '-A FORWARD -o br-3225b6d14177 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o br-3225b6d14177 -j DOCKER',
      '-A FORWARD -i br-3225b6d14177 ! -o br-3225b6d14177 -j ACCEPT',
      '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -o docker0 -j DOCKER',
      '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
      '-A FORWARD -i br-3225b6d14177 -o br-3225b6d14177 -j DROP',
    ].map((l) => `${l}\n`).join(''));
    expect(ipt(host, '-S', 'DOCKER-ISOLATION-STAGE-1')).to.equal([
      '-N DOCKER-ISOLATION-STAGE-1',
      '-A DOCKER-ISOLATION-STAGE-1 ! -s 172.19.0.0/16 -o br-0123456789ab -j DROP',
      '-A DOCKER-ISOLATION-STAGE-1 ! -d 172.19.0.0/16 -i br-0123456789ab -j DROP',
      '-A DOCKER-ISOLATION-STAGE-1 -i br-3225b6d14177 ! -o br-3225b6d14177 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
      '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ].map((l) => `${l}\n`).join(''));
    expect(ipt(host, '-t', 'nat', '-S', 'POSTROUTING')).to.not.contain('172.19.0.0');
  });

  it('removing a network takes its rules away and leaves the others as they were', () => {
    const { host, run } = dockerHost();
    programBridgeNetwork(run, DEMO);
    arrangeUserFilterRule(run);
    removeBridgeNetwork(run, DEMO);
    expect(ipt(host, '-S')).to.equal(FILTER_DOCKER0);
    expect(ipt(host, '-t', 'nat', '-S')).to.equal(NAT_DOCKER0);
  });

  it('runs libnetwork\'s command lines, existence checks included', () => {
    const { log } = dockerHost();
    expect(log.slice(0, 11)).to.deep.equal([
      '-t nat -F DOCKER', '-t nat -X DOCKER', '-t filter -F DOCKER', '-t filter -X DOCKER',
      '-t filter -F DOCKER-ISOLATION-STAGE-1', '-t filter -X DOCKER-ISOLATION-STAGE-1',
      '-t filter -F DOCKER-ISOLATION-STAGE-2', '-t filter -X DOCKER-ISOLATION-STAGE-2',
      '-t nat -n -L DOCKER', '-t nat -N DOCKER', '-t filter -n -L DOCKER',
    ]);
    expect(log).to.include('-t nat -I POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE');
    expect(log).to.include('-t nat -A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER ! --dst 127.0.0.0/8');
    expect(log).to.include('-t filter -P FORWARD DROP');
  });
});
