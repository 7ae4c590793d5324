/**
 * The iptables rules the bridge driver installs, programmed the way libnetwork programs them:
 * one `iptables` invocation at a time, in the same order, with the same existence checks
 * (`-C`), so that `iptables -S` on the emulated host lists the rules in the order a real host
 * lists them (docker-facts §3.3).
 *
 * Two layouts, chosen by the engine profile:
 *
 * - **classic** (≤ v27): the rule set of ../iptables-rules.ts (programDockerChains,
 *   programBridgeNetwork, arrangeUserFilterRule, removeBridgeNetwork), run through the host's
 *   iptables.
 * - **docker-forward** (v29; moby iptabler goldens): FORWARD jumps to DOCKER-USER and
 *   DOCKER-FORWARD; per network a DOCKER-CT conntrack ACCEPT, a DOCKER-BRIDGE jump to DOCKER,
 *   a DROP of everything not published (`! -i br -o br` in DOCKER), the ICC rule and the
 *   outgoing ACCEPT in DOCKER-FORWARD; internal networks get DOCKER-INTERNAL drops.
 *
 * Heads up: rules are passed exactly as libnetwork builds its argv (e.g. the nat OUTPUT jump
 * is `-m addrtype --dst-type LOCAL -j DOCKER ! --dst 127.0.0.0/8`); putting the matches in
 * canonical order is iptables' job, as it is on a real host.
 */
import { parseCidr } from '../../wire';
import type { HostDataplane } from '../libnetwork/host-dataplane';
import {
  arrangeUserFilterRule, DOCKER_CHAIN, DOCKER_USER_CHAIN, programBridgeNetwork, programDockerChains, removeBridgeNetwork,
} from '../iptables-rules';
import type { BridgeNetworkRules, IptablesRunner } from '../iptables-rules';

/** The chains of the v29 layout (moby iptabler). */
export const FORWARD_CHAIN_V29 = 'DOCKER-FORWARD';
export const CT_CHAIN_V29 = 'DOCKER-CT';
export const BRIDGE_CHAIN_V29 = 'DOCKER-BRIDGE';
export const INTERNAL_CHAIN_V29 = 'DOCKER-INTERNAL';

export type FirewallLayout = 'classic' | 'docker-forward';

/** What the rules of one bridge network depend on. */
export interface BridgeFirewallConfig {
  readonly bridgeName: string;
  /** The network's subnet, masked, as "10.0.0.0/24". */
  readonly subnet: string;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly internal: boolean;
}

/** A rule with its table and chain, as libnetwork's iptRule. */
interface Rule {
  readonly table: 'nat' | 'filter';
  readonly chain: string;
  readonly args: readonly string[];
}

export class BridgeFirewall {
  readonly #dp: HostDataplane;
  readonly #layout: FirewallLayout;
  /** The userland proxy is on (dockerd's default): no hairpin NAT, `! --dst 127.0.0.0/8` on OUTPUT. */
  readonly #userlandProxy: boolean;
  readonly #run: IptablesRunner;

  constructor(dataplane: HostDataplane, layout: FirewallLayout, userlandProxy: boolean) {
    this.#dp = dataplane;
    this.#layout = layout;
    this.#userlandProxy = userlandProxy;
    this.#run = (argv) => dataplane.iptables(argv);
  }

  get layout(): FirewallLayout {
    return this.#layout;
  }

  // ---------------------------------------------------------------------------------------
  // Primitives of libnetwork's iptables package (for the v29 layout)

  #tablePrefix(table: Rule['table']): string[] {
    return table === 'filter' ? [] : ['-t', table];
  }

  /** iptables.Exists: `-C`. */
  #exists(r: Rule): boolean {
    return this.#run([...this.#tablePrefix(r.table), '-C', r.chain, ...r.args]) === 0;
  }

  #insert(r: Rule): void {
    if (!this.#exists(r)) this.#run([...this.#tablePrefix(r.table), '-I', r.chain, ...r.args]);
  }

  #append(r: Rule): void {
    if (!this.#exists(r)) this.#run([...this.#tablePrefix(r.table), '-A', r.chain, ...r.args]);
  }

  #delete(r: Rule): void {
    if (this.#exists(r)) this.#run([...this.#tablePrefix(r.table), '-D', r.chain, ...r.args]);
  }

  /** iptables.NewChain: `-N` unless `-n -L CHAIN` finds it. */
  #newChain(table: Rule['table'], chain: string): void {
    if (this.#run([...this.#tablePrefix(table), '-n', '-L', chain]) !== 0) this.#run([...this.#tablePrefix(table), '-N', chain]);
  }

  /** iptables.EnsureJumpRule: delete the jump if present, then insert it at the top. */
  #ensureJumpRule(from: string, to: string): void {
    if (this.#exists({ table: 'filter', chain: from, args: ['-j', to] })) this.#run(['-D', from, '-j', to]);
    this.#run(['-I', from, '-j', to]);
  }

  // ---------------------------------------------------------------------------------------
  // Driver level

  /**
   * The bridge driver's configure(): the chains, then IP forwarding (setupIPForwarding: when
   * Docker is the one that turns ip_forward on, it also sets the FORWARD policy to DROP).
   * `forwardingWasOn` is the host's net.ipv4.ip_forward before Docker started.
   */
  setupDriver(forwardingWasOn: boolean): void {
    switch (this.#layout) {
      case 'classic':
        programDockerChains(this.#run, { forwardPolicyDrop: !forwardingWasOn });
        break;
      case 'docker-forward':
        this.#newChain('nat', DOCKER_CHAIN);
        for (const c of [DOCKER_CHAIN, FORWARD_CHAIN_V29, BRIDGE_CHAIN_V29, CT_CHAIN_V29, INTERNAL_CHAIN_V29]) this.#newChain('filter', c);
        this.#append({ table: 'filter', chain: FORWARD_CHAIN_V29, args: ['-j', CT_CHAIN_V29] });
        this.#append({ table: 'filter', chain: FORWARD_CHAIN_V29, args: ['-j', INTERNAL_CHAIN_V29] });
        this.#append({ table: 'filter', chain: FORWARD_CHAIN_V29, args: ['-j', BRIDGE_CHAIN_V29] });
        if (!forwardingWasOn) this.#run(['-P', 'FORWARD', 'DROP']);
        break;
    }
    if (!forwardingWasOn) this.#dp.setSysctl(this.#dp.hostNamespace, 'net.ipv4.ip_forward', '1');
  }

  /**
   * firewall_linux.go arrangeUserFilterRule (after every network creation): DOCKER-USER first in
   * FORWARD. v29 also keeps DOCKER-FORWARD right after it and has no trailing RETURN.
   */
  arrangeUserFilterRule(): void {
    if (this.#layout === 'classic') {
      arrangeUserFilterRule(this.#run);
      return;
    }
    this.#newChain('filter', DOCKER_USER_CHAIN);
    this.#ensureJumpRule('FORWARD', FORWARD_CHAIN_V29);
    this.#ensureJumpRule('FORWARD', DOCKER_USER_CHAIN);
  }

  // ---------------------------------------------------------------------------------------
  // Network level

  #classic(c: BridgeFirewallConfig): BridgeNetworkRules {
    return {
      bridgeName: c.bridgeName,
      subnet: parseCidr(c.subnet),
      enableIcc: c.enableIcc,
      enableIpMasquerade: c.enableIpMasquerade,
      internal: c.internal,
      userlandProxy: this.#userlandProxy,
    };
  }

  /** network.setupIPTables followed by setupNetworkIsolationRules (bridge createNetwork). */
  setupNetwork(c: BridgeFirewallConfig): void {
    if (this.#layout === 'classic') programBridgeNetwork(this.#run, this.#classic(c));
    else this.#setupNetworkV29(c, true);
  }

  /** The network's clean functions (deleteNetwork), in the order libnetwork registered them. */
  teardownNetwork(c: BridgeFirewallConfig): void {
    if (this.#layout === 'classic') removeBridgeNetwork(this.#run, this.#classic(c));
    else this.#setupNetworkV29(c, false);
  }

  /** The nat jumps to DOCKER (ProgramChain for the nat table; never removed). */
  #programNatChain(): void {
    this.#append({ table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', DOCKER_CHAIN] });
    const output = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', DOCKER_CHAIN];
    if (this.#userlandProxy) output.push('!', '--dst', '127.0.0.0/8');
    this.#append({ table: 'nat', chain: 'OUTPUT', args: output });
  }

  /**
   * v29 (moby iptabler): per network, in DOCKER-CT the conntrack ACCEPT, in DOCKER-BRIDGE the
   * jump to DOCKER, in DOCKER the DROP of whatever is not published, in DOCKER-FORWARD the ICC
   * rule and the outgoing ACCEPT; internal networks get DOCKER-INTERNAL drops and no way out.
   */
  #setupNetworkV29(c: BridgeFirewallConfig, enable: boolean): void {
    const br = c.bridgeName;
    const rules: Rule[] = [];
    if (c.internal) {
      rules.push({ table: 'filter', chain: INTERNAL_CHAIN_V29, args: ['!', '-s', c.subnet, '-o', br, '-j', 'DROP'] });
      rules.push({ table: 'filter', chain: INTERNAL_CHAIN_V29, args: ['!', '-d', c.subnet, '-i', br, '-j', 'DROP'] });
    } else {
      rules.push({ table: 'filter', chain: CT_CHAIN_V29, args: ['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'] });
      rules.push({ table: 'filter', chain: BRIDGE_CHAIN_V29, args: ['-o', br, '-j', DOCKER_CHAIN] });
      rules.push({ table: 'filter', chain: DOCKER_CHAIN, args: ['!', '-i', br, '-o', br, '-j', 'DROP'] });
    }
    if (!c.enableIcc) rules.push({ table: 'filter', chain: FORWARD_CHAIN_V29, args: ['-i', br, '-o', br, '-j', 'DROP'] });
    if (!c.internal) {
      rules.push({ table: 'filter', chain: FORWARD_CHAIN_V29, args: c.enableIcc ? ['-i', br, '-j', 'ACCEPT'] : ['-i', br, '!', '-o', br, '-j', 'ACCEPT'] });
    }
    if (!c.internal && c.enableIpMasquerade) rules.push({ table: 'nat', chain: 'POSTROUTING', args: ['-s', c.subnet, '!', '-o', br, '-j', 'MASQUERADE'] });
    if (enable) {
      if (!c.internal) this.#programNatChain();
      for (const r of rules) {
        // MASQUERADE is inserted (newest network first), like the classic layout's.
        if (r.table === 'nat') this.#insert(r);
        else this.#append(r);
      }
    } else {
      for (const r of rules) this.#delete(r);
    }
  }

  /**
   * setupBridgeNetFiltering (ICC off): bridged IPv4 goes through iptables (br_netfilter,
   * net.bridge.bridge-nf-call-iptables = 1), so the ICC DROP sees same-bridge traffic.
   */
  enableBridgeNetFiltering(): void {
    this.#dp.setSysctl(this.#dp.hostNamespace, 'net.bridge.bridge-nf-call-iptables', '1');
  }
}
