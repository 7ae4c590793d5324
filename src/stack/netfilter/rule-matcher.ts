/**
 * Evaluating a chain for one packet (ipt_do_table): rules in order; a rule matches when its IP
 * part matches (ip_packet_match: addresses under their masks, interfaces, protocol, fragment
 * flag, each inverted by its `!`) and then every match extension does, in the order given. A
 * matching rule counts the packet (packets, and bytes = the IPv4 Total Length) and applies
 * its target:
 *
 * - no target: continue with the next rule;
 * - `-j CHAIN`: continue at the top of CHAIN, come back after this rule when CHAIN ends or
 *   says RETURN; `-g CHAIN`: the same but without coming back here;
 * - RETURN: back to the calling chain, or from a built-in chain to its policy;
 * - anything else (ACCEPT, DROP, REJECT, the NAT targets) ends the traversal of this table.
 *
 * Falling off the end of a built-in chain applies its policy and counts it on the policy
 * counters (`Chain INPUT (policy ACCEPT 12 packets, 1008 bytes)`).
 *
 * Heads up: a TCP/UDP match on a first fragment too short for the header cannot decide; the
 * kernel then drops the packet ("hotdrop"), and so does this.
 */
import type { Ipv4 } from '../../wire';
import type { PacketInfo } from './packet-info';
import type { InterfaceMatch, MatchSpec, PortRange, RuleSpec, TargetSpec } from './rule-spec';
import type { XtChain, XtRule, XtTable } from './xt-table';

/** What matches ask of the namespace. */
export interface MatchEnv {
  /** The route type of an address as `-m addrtype` sees it (one AddrType bit). */
  addrType(addr: Ipv4): number;
}

export const ACCEPT_VERDICT: TargetSpec = { kind: 'ACCEPT' };
export const DROP_VERDICT: TargetSpec = { kind: 'DROP' };

/** Thrown inside a match to drop the packet whatever the rules say (par->hotdrop). */
const HOTDROP = Symbol('hotdrop');

function ifaceMatches(name: string, m: InterfaceMatch): boolean {
  const hit = m.wildcard ? name.startsWith(m.name) : name === m.name;
  return hit !== m.invert;
}

function portMatches(port: number, r: PortRange | undefined): boolean {
  if (r === undefined) return true;
  return (port >= r.min && port <= r.max) !== r.invert;
}

function extensionMatches(m: MatchSpec, p: PacketInfo, env: MatchEnv): boolean {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
      if (p.fragOffset !== 0) return false;
      if (!p.l4ok) throw HOTDROP;
      return portMatches(p.sport, m.sport) && portMatches(p.dport, m.dport);
    case 'icmp': {
      if (p.fragOffset !== 0) return false;
      if (!p.l4ok) throw HOTDROP;
      const hit = m.type === 0xff || (p.icmpType === m.type && p.icmpCode >= m.codeMin && p.icmpCode <= m.codeMax);
      return hit !== m.invert;
    }
    case 'conntrack':
      return ((p.ctState & m.states) !== 0) !== m.invert;
    case 'addrtype':
      if (m.src && ((env.addrType(p.src) & m.src.types) !== 0) === m.src.invert) return false;
      if (m.dst && ((env.addrType(p.dst) & m.dst.types) !== 0) === m.dst.invert) return false;
      return true;
  }
}

/** True when `rule` matches `p` (may throw HOTDROP). */
function ruleMatches(r: RuleSpec, p: PacketInfo, env: MatchEnv): boolean {
  const s = r.src;
  if (s !== undefined && (((p.src & s.mask) >>> 0) === s.addr) === s.invert) return false;
  const d = r.dst;
  if (d !== undefined && (((p.dst & d.mask) >>> 0) === d.addr) === d.invert) return false;
  if (r.inIface !== undefined && !ifaceMatches(p.inName, r.inIface)) return false;
  if (r.outIface !== undefined && !ifaceMatches(p.outName, r.outIface)) return false;
  const proto = r.protocol;
  if (proto !== undefined && (p.proto === proto.num) === proto.invert) return false;
  if (r.fragment !== undefined && (p.fragOffset !== 0) === r.fragment.invert) return false;
  const ms = r.matches;
  for (let i = 0; i < ms.length; i++) if (!extensionMatches(ms[i]!, p, env)) return false;
  return true;
}

interface Frame {
  chain: XtChain;
  next: number;
}

/**
 * Runs built-in chain `chainName` of `table` for `p`: returns the verdict target (ACCEPT, DROP,
 * REJECT or a NAT target; a policy is returned as ACCEPT_VERDICT/DROP_VERDICT).
 */
export function traverse(table: XtTable, chainName: string, p: PacketInfo, env: MatchEnv): TargetSpec {
  const start = table.chain(chainName)!;
  let chain = start;
  let rules: XtRule[] = chain.rules;
  let i = 0;
  let stack: Frame[] | undefined;
  const len = p.length;
  for (;;) {
    if (i >= rules.length) {
      if (stack !== undefined && stack.length > 0) {
        const f = stack.pop()!;
        chain = f.chain;
        rules = chain.rules;
        i = f.next;
        continue;
      }
      // The end of the built-in chain (or of a chain it went to with -g): the policy.
      start.packets++;
      start.bytes += len;
      return start.policy === 'DROP' ? DROP_VERDICT : ACCEPT_VERDICT;
    }
    const rule = rules[i++]!;
    let hit: boolean;
    try {
      hit = ruleMatches(rule.spec, p, env);
    } catch (e) {
      if (e === HOTDROP) return DROP_VERDICT;
      throw e;
    }
    if (!hit) continue;
    rule.packets++;
    rule.bytes += len;
    const t = rule.spec.target;
    switch (t.kind) {
      case 'none':
        continue;
      case 'RETURN':
        // Return to the caller; from the built-in level this is the policy.
        i = rules.length;
        continue;
      case 'chain': {
        const target = table.chain(t.chain);
        if (target === undefined) continue;
        if (!t.goto) (stack ??= []).push({ chain, next: i });
        chain = target;
        rules = chain.rules;
        i = 0;
        continue;
      }
      default:
        return t;
    }
  }
}
