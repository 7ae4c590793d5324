/**
 * The iptables rules the bridge driver installs, classic layout (Docker ≤ v27, the "19.03"
 * engine profile; docker-facts §3.3 (a)), as libnetwork programs them: the same command lines,
 * the same existence checks (`-C`) before inserting or deleting, in the same order, so that the
 * tables end up exactly as on a real host and `iptables -S` prints what a real host prints.
 *
 * Who calls what, and when (the engine's side):
 *
 *   // daemon start (bridge driver configure): chains, and FORWARD DROP if Docker turned
 *   // ip_forward on itself (setupIPForwarding)
 *   programDockerChains(run, { forwardPolicyDrop: ipForwardWasOff });
 *   // every `NewNetwork` (the default networks none, host, bridge included), bridge driver part:
 *   programBridgeNetwork(run, { bridgeName: 'docker0', subnet: parseCidr('172.17.0.0/16'), … });
 *   // … then the controller's part, after every network creation (arrangeUserFilterRule):
 *   arrangeUserFilterRule(run);
 *   // `docker network rm` (deleteNetwork's iptables clean functions):
 *   removeBridgeNetwork(run, sameConfig);
 *
 * `run` executes `iptables ARGS…` in the host namespace and returns its exit status: the
 * engine's HostDataplane.iptables, or `iptablesRunnerFor(hostNs)` here.
 *
 * Sources: libnetwork (2019, vendored by Docker 19.03) drivers/bridge/setup_ip_tables.go
 * (setupIPTablesInternal, programChainRule, setIcc, setINC, setupInternalNetworkRules),
 * iptables/iptables.go (NewChain, ProgramChain, EnsureJumpRule, AddReturnRule, ProgramRule),
 * drivers/bridge/bridge.go (setupIPChains, removeIPChains, isolateNetwork),
 * drivers/bridge/setup_ip_forwarding.go, firewall_linux.go (arrangeUserFilterRule).
 *
 * Not here: port publishing (`-p`: the nat DOCKER DNAT and filter DOCKER ACCEPT rules, the
 * per-port MASQUERADE), which belong to the port mapper.
 */
import { formatCidr, formatIpv4, networkOf, type Ipv4, type Ipv4Prefix } from '../wire';
import { netfilterOf, type NetworkNamespace } from '../stack';
import { runIptables } from '../userland';

/** Runs `iptables ARGS…` (without the program name) and returns the exit status. */
export type IptablesRunner = (args: readonly string[]) => number;

export const DOCKER_CHAIN = 'DOCKER';
export const ISOLATION_CHAIN_1 = 'DOCKER-ISOLATION-STAGE-1';
export const ISOLATION_CHAIN_2 = 'DOCKER-ISOLATION-STAGE-2';
export const DOCKER_USER_CHAIN = 'DOCKER-USER';

/** The daemon-wide bridge driver options these rules depend on. */
export interface DockerChainOptions {
  /** dockerd --userland-proxy (default true); false is "hairpin mode". */
  readonly userlandProxy?: boolean;
  /**
   * Docker found net.ipv4.ip_forward off and turned it on, so it sets `-P FORWARD DROP`
   * (setupIPForwarding). A host that already forwarded keeps its policy.
   */
  readonly forwardPolicyDrop: boolean;
}

/** One bridge network's iptables-relevant configuration. */
export interface BridgeNetworkRules {
  /** `docker0` or `br-<id12>` (com.docker.network.bridge.name). */
  readonly bridgeName: string;
  /** The network's IPv4 subnet (masked here, as maskedAddrv4 is). */
  readonly subnet: Ipv4Prefix;
  /** com.docker.network.bridge.enable_icc (default true). */
  readonly enableIcc: boolean;
  /** com.docker.network.bridge.enable_ip_masquerade (default true). */
  readonly enableIpMasquerade: boolean;
  /** `docker network create --internal`. */
  readonly internal: boolean;
  /** dockerd --userland-proxy (default true). */
  readonly userlandProxy?: boolean;
  /** com.docker.network.host_ipv4: SNAT to this address instead of MASQUERADE. */
  readonly hostIp?: Ipv4;
}

/** libnetwork's iptables package: Raw, Exists, NewChain, … over a runner. */
class IptablesPackage {
  constructor(readonly run: IptablesRunner) {}

  raw(...args: string[]): number {
    return this.run(args);
  }

  /** iptables.Exists: `-t TABLE -C CHAIN RULE…` succeeds. */
  exists(table: string, chain: string, ...rule: string[]): boolean {
    return this.run(['-t', table, '-C', chain, ...rule]) === 0;
  }

  /** NewChain: create the chain unless `-n -L` finds it. */
  newChain(name: string, table: string): void {
    if (this.run(['-t', table, '-n', '-L', name]) !== 0) this.run(['-t', table, '-N', name]);
  }

  /** RemoveExistingChain → ChainInfo.Remove: flush, then delete (both may fail silently). */
  removeChain(name: string, table: string): void {
    this.run(['-t', table, '-F', name]);
    this.run(['-t', table, '-X', name]);
  }

  /** AddReturnRule: `-A CHAIN -j RETURN` unless present. */
  addReturnRule(chain: string): void {
    if (this.exists('filter', chain, '-j', 'RETURN')) return;
    this.run(['-A', chain, '-j', 'RETURN']);
  }

  /** EnsureJumpRule: delete the jump if present, then insert it at the top. */
  ensureJumpRule(from: string, to: string): void {
    if (this.exists('filter', from, '-j', to)) this.run(['-D', from, '-j', to]);
    this.run(['-I', from, '-j', to]);
  }

  /** ProgramRule: insert (or append/delete) unless the rule's presence already says so. */
  programRule(table: string, chain: string, action: '-I' | '-A' | '-D', args: readonly string[]): void {
    if (this.exists(table, chain, ...args) !== (action === '-D')) return;
    this.run(['-t', table, action, chain, ...args]);
  }
}

interface IptRule {
  readonly table: string;
  readonly chain: string;
  readonly preArgs: readonly string[];
  readonly args: readonly string[];
}

/** programChainRule: `-I` when absent (enable) or `-D` when present (disable). */
function programChainRule(ipt: IptablesPackage, rule: IptRule, insert: boolean): void {
  const exists = ipt.exists(rule.table, rule.chain, ...rule.args);
  if (insert ? exists : !exists) return;
  ipt.run([...rule.preArgs, insert ? '-I' : '-D', rule.chain, ...rule.args]);
}

/** setIcc: `-I FORWARD -i br -o br -j ACCEPT` with ICC, `-A … -j DROP` without. */
function setIcc(ipt: IptablesPackage, bridge: string, icc: boolean, insert: boolean): void {
  const args = ['-i', bridge, '-o', bridge, '-j'];
  const accept = [...args, 'ACCEPT'];
  const drop = [...args, 'DROP'];
  if (insert) {
    if (!icc) {
      ipt.run(['-D', 'FORWARD', ...accept]);
      if (!ipt.exists('filter', 'FORWARD', ...drop)) ipt.run(['-A', 'FORWARD', ...drop]);
    } else {
      ipt.run(['-D', 'FORWARD', ...drop]);
      if (!ipt.exists('filter', 'FORWARD', ...accept)) ipt.run(['-I', 'FORWARD', ...accept]);
    }
  } else if (!icc) {
    if (ipt.exists('filter', 'FORWARD', ...drop)) ipt.run(['-D', 'FORWARD', ...drop]);
  } else if (ipt.exists('filter', 'FORWARD', ...accept)) {
    ipt.run(['-D', 'FORWARD', ...accept]);
  }
}

function subnetText(net: BridgeNetworkRules): string {
  return formatCidr({ addr: networkOf(net.subnet), len: net.subnet.len });
}

/** setupIPTablesInternal: masquerade, the nat DOCKER return, ICC, outgoing ACCEPT. */
function setupIptablesInternal(ipt: IptablesPackage, net: BridgeNetworkRules, enable: boolean): void {
  const br = net.bridgeName;
  const address = subnetText(net);
  const hairpin = !(net.userlandProxy ?? true);
  const natArgs = net.hostIp !== undefined
    ? ['-s', address, '!', '-o', br, '-j', 'SNAT', '--to-source', formatIpv4(net.hostIp)]
    : ['-s', address, '!', '-o', br, '-j', 'MASQUERADE'];
  const natRule: IptRule = { table: 'nat', chain: 'POSTROUTING', preArgs: ['-t', 'nat'], args: natArgs };
  const hpNatRule: IptRule = { table: 'nat', chain: 'POSTROUTING', preArgs: ['-t', 'nat'], args: ['-m', 'addrtype', '--src-type', 'LOCAL', '-o', br, '-j', 'MASQUERADE'] };
  const skipDnat: IptRule = { table: 'nat', chain: DOCKER_CHAIN, preArgs: ['-t', 'nat'], args: ['-i', br, '-j', 'RETURN'] };
  const outRule: IptRule = { table: 'filter', chain: 'FORWARD', preArgs: [], args: ['-i', br, '!', '-o', br, '-j', 'ACCEPT'] };
  if (net.enableIpMasquerade) programChainRule(ipt, natRule, enable);
  if (net.enableIpMasquerade && !hairpin) programChainRule(ipt, skipDnat, enable);
  // In hairpin mode, masquerade traffic from localhost.
  if (hairpin) programChainRule(ipt, hpNatRule, enable);
  setIcc(ipt, br, net.enableIcc, enable);
  programChainRule(ipt, outRule, enable);
}

/** ProgramChain: the nat jumps (PREROUTING, OUTPUT) or the filter links (FORWARD) of the DOCKER chain. */
function programChain(ipt: IptablesPackage, table: 'nat' | 'filter', bridge: string, hairpin: boolean, enable: boolean): void {
  if (table === 'nat') {
    const preroute = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', DOCKER_CHAIN];
    const pre = ipt.exists('nat', 'PREROUTING', ...preroute);
    if (!pre && enable) ipt.run(['-t', 'nat', '-A', 'PREROUTING', ...preroute]);
    else if (pre && !enable) ipt.run(['-t', 'nat', '-D', 'PREROUTING', ...preroute]);
    const output = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', DOCKER_CHAIN, ...(hairpin ? [] : ['!', '--dst', '127.0.0.0/8'])];
    const out = ipt.exists('nat', 'OUTPUT', ...output);
    if (!out && enable) ipt.run(['-t', 'nat', '-A', 'OUTPUT', ...output]);
    else if (out && !enable) ipt.run(['-t', 'nat', '-D', 'OUTPUT', ...output]);
    return;
  }
  const link = ['-o', bridge, '-j', DOCKER_CHAIN];
  const linked = ipt.exists('filter', 'FORWARD', ...link);
  if (!linked && enable) ipt.run(['-I', 'FORWARD', ...link]);
  else if (linked && !enable) ipt.run(['-D', 'FORWARD', ...link]);
  const establish = ['-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
  const established = ipt.exists('filter', 'FORWARD', ...establish);
  if (!established && enable) ipt.run(['-I', 'FORWARD', ...establish]);
  else if (established && !enable) ipt.run(['-D', 'FORWARD', ...establish]);
}

/** setupInternalNetworkRules: nothing leaves or enters the subnet through the bridge. */
function setupInternalNetworkRules(ipt: IptablesPackage, net: BridgeNetworkRules, insert: boolean): void {
  const br = net.bridgeName;
  const address = subnetText(net);
  programChainRule(ipt, { table: 'filter', chain: ISOLATION_CHAIN_1, preArgs: [], args: ['-i', br, '!', '-d', address, '-j', 'DROP'] }, insert);
  programChainRule(ipt, { table: 'filter', chain: ISOLATION_CHAIN_1, preArgs: [], args: ['-o', br, '!', '-s', address, '-j', 'DROP'] }, insert);
  setIcc(ipt, br, net.enableIcc, insert);
}

/** setINC: the two-stage isolation of this bridge from every other one. */
function setInc(ipt: IptablesPackage, bridge: string, enable: boolean): void {
  const action = enable ? '-I' : '-D';
  ipt.programRule('filter', ISOLATION_CHAIN_1, action, ['-i', bridge, '!', '-o', bridge, '-j', ISOLATION_CHAIN_2]);
  ipt.programRule('filter', ISOLATION_CHAIN_2, action, ['-o', bridge, '-j', 'DROP']);
}

/**
 * Daemon start, bridge driver configure: FORWARD DROP when Docker enabled forwarding, stale
 * chains removed, then nat DOCKER, filter DOCKER and the two isolation chains with their
 * trailing RETURN (setupIPChains).
 */
export function programDockerChains(run: IptablesRunner, opts: DockerChainOptions): void {
  const ipt = new IptablesPackage(run);
  ipt.removeChain(DOCKER_CHAIN, 'nat');
  ipt.removeChain(DOCKER_CHAIN, 'filter');
  ipt.removeChain(ISOLATION_CHAIN_1, 'filter');
  ipt.removeChain(ISOLATION_CHAIN_2, 'filter');
  ipt.newChain(DOCKER_CHAIN, 'nat');
  ipt.newChain(DOCKER_CHAIN, 'filter');
  ipt.newChain(ISOLATION_CHAIN_1, 'filter');
  ipt.newChain(ISOLATION_CHAIN_2, 'filter');
  ipt.addReturnRule(ISOLATION_CHAIN_1);
  ipt.addReturnRule(ISOLATION_CHAIN_2);
  if (opts.forwardPolicyDrop) ipt.raw('-t', 'filter', '-P', 'FORWARD', 'DROP');
}

/**
 * A bridge network's rules (createNetwork: setupIPTables, then setupNetworkIsolationRules).
 * Each network's FORWARD rules go above the earlier networks' (they are inserted).
 */
export function programBridgeNetwork(run: IptablesRunner, net: BridgeNetworkRules): void {
  const ipt = new IptablesPackage(run);
  const hairpin = !(net.userlandProxy ?? true);
  if (net.internal) {
    setupInternalNetworkRules(ipt, net, true);
  } else {
    setupIptablesInternal(ipt, net, true);
    programChain(ipt, 'nat', net.bridgeName, hairpin, true);
    programChain(ipt, 'filter', net.bridgeName, hairpin, true);
  }
  ipt.ensureJumpRule('FORWARD', ISOLATION_CHAIN_1);
  // isolateNetwork: internal networks get no inter-network rules.
  if (!net.internal) setInc(ipt, net.bridgeName, true);
}

/**
 * The controller's part of every network creation: DOCKER-USER exists, ends in RETURN (once,
 * never touched again: "Docker will not delete or modify any pre-existing rules from the
 * DOCKER-USER filter chain"), and is jumped to first in FORWARD.
 */
export function arrangeUserFilterRule(run: IptablesRunner): void {
  const ipt = new IptablesPackage(run);
  ipt.newChain(DOCKER_USER_CHAIN, 'filter');
  ipt.addReturnRule(DOCKER_USER_CHAIN);
  ipt.ensureJumpRule('FORWARD', DOCKER_USER_CHAIN);
}

/**
 * `docker network rm` of a bridge network (deleteNetwork's iptables clean functions, in the
 * order they were registered). The nat PREROUTING/OUTPUT jumps to DOCKER stay, as on a real host.
 */
export function removeBridgeNetwork(run: IptablesRunner, net: BridgeNetworkRules): void {
  const ipt = new IptablesPackage(run);
  const hairpin = !(net.userlandProxy ?? true);
  if (net.internal) {
    setupInternalNetworkRules(ipt, net, false);
    return;
  }
  setupIptablesInternal(ipt, net, false);
  programChain(ipt, 'filter', net.bridgeName, hairpin, false);
  setInc(ipt, net.bridgeName, false);
}

/** A runner over the tables of `ns` (what the engine's HostDataplane.iptables does). */
export function iptablesRunnerFor(ns: NetworkNamespace): IptablesRunner {
  const nf = netfilterOf(ns);
  return (args) => runIptables(nf, ['iptables', ...args]).code;
}
