/**
 * The two ways iptables prints rules, byte for byte as iptables 1.8.4 does:
 *
 * - `-S` (list_rules / print_rule4): `-P CHAIN POLICY` for built-in chains and `-N CHAIN` for
 *   user chains first, in libiptc's chain order, then every rule as `-A CHAIN` with, in this
 *   order, `-s`, `-d` (with their mask, /32 included), `-i`, `-o`, `-p`, `-f`, each match as
 *   `-m NAME` plus its options, `-c PKTS BYTES` (with `-v`), and `-j`/`-g` with the target's
 *   options. A `!` is printed before the option it inverts.
 * - `-L` (list_entries / print_header / print_firewall): a "Chain …" header, the column
 *   header, then one fixed-column line per rule; without `-n` addresses become names (the
 *   hosts file, then the networks file; 0.0.0.0/0 is "anywhere") and ports service names; with
 *   `-v` the packet and byte counters (99999 and below as is, then K, M, G, T) and the
 *   interfaces; a blank line between chains. Columns are printf's, trailing spaces included.
 */
import { formatIpv4, type Ipv4 } from '../../wire';
import {
  ADDR_TYPE_NAMES, CT_STATE_PRINT_ORDER, CtState,
  type AddrTypeCondition, type InterfaceMatch, type MatchSpec, type NatRange, type PortRange, type RuleSpec,
  type TargetSpec, type XtChain, type XtRule, type XtTable,
} from '../../stack';
import { maskSuffix, saveMask } from './ip-arguments';
import { ICMP_TYPE_NAMES } from './iptables-extensions';
import { protocolName, serviceName } from './services';

/** Name lookups `-L` does without `-n` (gethostbyaddr, getnetbyaddr). */
export interface IptablesNames {
  host(ip: Ipv4): string | undefined;
  network(ip: Ipv4): string | undefined;
}

/** No names at all: every address prints as a number. */
export const NUMERIC_NAMES: IptablesNames = { host: () => undefined, network: () => undefined };

// print_firewall's format bits (xtables.h FMT_*).
export const Fmt = {
  NUMERIC: 0x0001,
  NOCOUNTS: 0x0002,
  KILOMEGAGIGA: 0x0004,
  OPTIONS: 0x0008,
  NOTABLE: 0x0010,
  NOTARGET: 0x0020,
  VIA: 0x0040,
  NONEWLINE: 0x0080,
  LINENUMBERS: 0x0100,
} as const;
/** FMT_PRINT_RULE: how `-v` echoes a rule it adds or deletes. */
export const FMT_PRINT_RULE = Fmt.NOCOUNTS | Fmt.OPTIONS | Fmt.VIA | Fmt.NUMERIC | Fmt.NOTABLE;

/** xtables_chain_protos: the names print_firewall uses when it does not look a number up. */
const CHAIN_PROTOS: Readonly<Record<number, string>> = { 6: 'tcp', 132: 'sctp', 17: 'udp', 136: 'udplite', 1: 'icmp', 58: 'icmpv6', 50: 'esp', 51: 'ah', 135: 'ipv6-mh', 0: 'all' };

function pad(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

function padStart(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** The target name iptc_get_target gives ('' for a rule without one). */
export function targetName(t: TargetSpec): string {
  switch (t.kind) {
    case 'none':
      return '';
    case 'chain':
      return t.chain;
    default:
      return t.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// -S

function saveAddress(flag: string, addr: Ipv4 | undefined, mask: number, invert: boolean): string {
  if (addr === undefined) return '';
  if (mask === 0 && addr === 0 && !invert) return '';
  return `${invert ? ' !' : ''} ${flag} ${formatIpv4(addr)}${saveMask(mask)}`;
}

function saveIface(flag: string, m: InterfaceMatch | undefined): string {
  if (!m) return '';
  if (m.wildcard && m.name === '') return '';
  return `${m.invert ? ' !' : ''} -${flag} ${m.name}${m.wildcard ? '+' : ''}`;
}

function savePorts(flag: string, r: PortRange | undefined): string {
  if (!r || (r.min === 0 && r.max === 0xffff)) return '';
  return `${r.invert ? ' !' : ''} --${flag} ${r.min === r.max ? `${r.min}` : `${r.min}:${r.max}`}`;
}

function addrTypes(mask: number): string {
  return ADDR_TYPE_NAMES.filter((_, i) => (mask & (1 << i)) !== 0).join(',');
}

function ctStates(mask: number): string {
  return CT_STATE_PRINT_ORDER.filter((n) => (mask & CtState[n]) !== 0).join(',');
}

function saveMatch(m: MatchSpec): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
      return ` -m ${m.kind}${savePorts('sport', m.sport)}${savePorts('dport', m.dport)}`;
    case 'icmp': {
      const inv = m.invert ? ' !' : '';
      if (m.type === 0xff) return ` -m icmp${inv} --icmp-type any`;
      const code = m.codeMin !== 0 || m.codeMax !== 0xff ? `/${m.codeMin}` : '';
      return ` -m icmp${inv} --icmp-type ${m.type}${code}`;
    }
    case 'conntrack':
      return ` -m ${m.alias}${m.invert ? ' !' : ''} --${m.alias === 'state' ? 'state' : 'ctstate'} ${ctStates(m.states)}`;
    case 'addrtype': {
      const one = (flag: string, c: AddrTypeCondition | undefined): string => (c ? `${c.invert ? ' !' : ''} --${flag} ${addrTypes(c.types)}` : '');
      return ` -m addrtype${one('src-type', m.src)}${one('dst-type', m.dst)}`;
    }
  }
}

function natRange(r: NatRange): string {
  let s = '';
  if (r.ipMin !== undefined) {
    s += formatIpv4(r.ipMin);
    if (r.ipMax !== undefined && r.ipMax !== r.ipMin) s += `-${formatIpv4(r.ipMax)}`;
  }
  if (r.portMin !== undefined) {
    s += `:${r.portMin}`;
    if (r.portMax !== undefined && r.portMax !== r.portMin) s += `-${r.portMax}`;
  }
  return s;
}

function saveTarget(t: TargetSpec): string {
  switch (t.kind) {
    case 'none':
      return '';
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return ` -j ${t.kind}`;
    case 'chain':
      return ` -${t.goto ? 'g' : 'j'} ${t.chain}`;
    case 'REJECT':
      return ` -j REJECT --reject-with ${t.with}`;
    case 'MASQUERADE':
    case 'REDIRECT':
      return ` -j ${t.kind}${t.ports ? ` --to-ports ${t.ports.min}${t.ports.max !== t.ports.min ? `-${t.ports.max}` : ''}` : ''}`;
    case 'SNAT':
      return ` -j SNAT --to-source ${natRange(t.range)}`;
    case 'DNAT':
      return ` -j DNAT --to-destination ${natRange(t.range)}`;
  }
}

/** print_rule4: one `-A` line (with `-c` when `counters`). */
export function saveRule(chain: string, rule: XtRule, counters: boolean): string {
  const r: RuleSpec = rule.spec;
  let s = `-A ${chain}`;
  s += saveAddress('-s', r.src?.addr, r.src?.mask ?? 0, r.src?.invert ?? false);
  s += saveAddress('-d', r.dst?.addr, r.dst?.mask ?? 0, r.dst?.invert ?? false);
  s += saveIface('i', r.inIface);
  s += saveIface('o', r.outIface);
  if (r.protocol && r.protocol.num !== 0) s += `${r.protocol.invert ? ' !' : ''} -p ${protocolName(r.protocol.num) ?? r.protocol.num}`;
  if (r.fragment) s += `${r.fragment.invert ? ' !' : ''} -f`;
  for (const m of r.matches) s += saveMatch(m);
  if (counters) s += ` -c ${rule.packets} ${rule.bytes}`;
  s += saveTarget(r.target);
  return `${s}\n`;
}

/** list_rules: `iptables [-t T] -S [CHAIN [N]] [-v]`; undefined when CHAIN does not exist. */
export function listRules(table: XtTable, chain: string | undefined, ruleNumber: number, counters: boolean): string | undefined {
  const chains = table.chains().filter((c) => chain === undefined || c.name === chain);
  if (chains.length === 0) return undefined;
  let out = '';
  if (ruleNumber === 0) {
    for (const c of chains) {
      if (c.builtin) out += `-P ${c.name} ${c.policy}${counters ? ` -c ${c.packets} ${c.bytes}` : ''}\n`;
      else out += `-N ${c.name}\n`;
    }
  }
  for (const c of chains) {
    c.rules.forEach((r, i) => {
      if (ruleNumber === 0 || i + 1 === ruleNumber) out += saveRule(c.name, r, counters);
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// -L

/** xtables_print_num. */
function printNum(n: number, format: number): string {
  const tab = (format & Fmt.NOTABLE) === 0;
  if (!(format & Fmt.KILOMEGAGIGA)) return tab ? `${padStart(String(n), 8)} ` : `${n} `;
  if (n <= 99999) return tab ? `${padStart(String(n), 5)} ` : `${n} `;
  let v = Math.floor((n + 500) / 1000);
  for (const unit of ['K', 'M', 'G']) {
    if (v <= 9999) return tab ? `${padStart(String(v), 4)}${unit} ` : `${v}${unit} `;
    v = Math.floor((v + 500) / 1000);
  }
  return tab ? `${padStart(String(v), 4)}T ` : `${v}T `;
}

function anyName(ip: Ipv4, names: IptablesNames): string {
  return names.host(ip) ?? names.network(ip) ?? formatIpv4(ip);
}

function printPort(port: number, proto: 'tcp' | 'udp', numeric: boolean): string {
  return (numeric ? undefined : serviceName(port, proto)) ?? String(port);
}

function printPorts(label: string, r: PortRange | undefined, proto: 'tcp' | 'udp', numeric: boolean): string {
  if (!r || (r.min === 0 && r.max === 0xffff && !r.invert)) return '';
  const inv = r.invert ? '!' : '';
  if (r.min === r.max) return ` ${label}:${inv}${printPort(r.min, proto, numeric)}`;
  return ` ${label}s:${inv}${printPort(r.min, proto, numeric)}:${printPort(r.max, proto, numeric)}`;
}

function printMatch(m: MatchSpec, numeric: boolean): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
      return ` ${m.kind}${printPorts('spt', m.sport, m.kind, numeric)}${printPorts('dpt', m.dport, m.kind, numeric)}`;
    case 'icmp': {
      if (!numeric) {
        const named = ICMP_TYPE_NAMES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
        if (named) return ` icmp ${m.invert ? '!' : ''}${named[0]}`;
      }
      let s = ` icmp${m.invert ? ' !' : ''}type ${m.type}`;
      if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
      else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
      return s;
    }
    case 'conntrack':
      return `${m.invert ? ' !' : ''} ${m.alias === 'state' ? 'state' : 'ctstate'} ${ctStates(m.states)}`;
    case 'addrtype': {
      let s = ' ADDRTYPE match';
      if (m.src) s += ` src-type ${m.src.invert ? '!' : ''}${addrTypes(m.src.types)}`;
      if (m.dst) s += ` dst-type ${m.dst.invert ? '!' : ''}${addrTypes(m.dst.types)}`;
      return s;
    }
  }
}

function printTarget(t: TargetSpec): string {
  switch (t.kind) {
    case 'REJECT':
      return ` reject-with ${t.with}`;
    case 'MASQUERADE':
      return t.ports ? ` masq ports: ${t.ports.min}${t.ports.max !== t.ports.min ? `-${t.ports.max}` : ''}` : '';
    case 'REDIRECT':
      return t.ports ? ` redir ports ${t.ports.min}${t.ports.max !== t.ports.min ? `-${t.ports.max}` : ''}` : '';
    case 'SNAT':
    case 'DNAT':
      return ` to:${natRange(t.range)}`;
    default:
      return '';
  }
}

function viaName(m: InterfaceMatch | undefined, numeric: boolean): string {
  const inv = m?.invert ? '!' : '';
  if (m && (m.name !== '' || m.wildcard)) return `${inv}${m.name}${m.wildcard ? '+' : ''}`;
  return `${inv}${numeric ? '*' : 'any'}`;
}

function printAddress(a: { addr: Ipv4; mask: number; invert: boolean } | undefined, format: number, names: IptablesNames, isDst: boolean): string {
  const tab = (format & Fmt.NOTABLE) === 0;
  const numeric = (format & Fmt.NUMERIC) !== 0;
  const inv = a?.invert ? '!' : ' ';
  const mask = a?.mask ?? 0;
  const addr = a?.addr ?? 0;
  let text: string;
  if (mask === 0 && !numeric) text = 'anywhere';
  else text = (numeric ? formatIpv4(addr) : anyName(addr, names)) + maskSuffix(mask);
  if (tab) return `${inv}${pad(text, 19)} `;
  return `${inv}${isDst ? '-> ' : ''}${text}${isDst ? '' : ' '}`;
}

/** print_firewall: one rule line of `-L` (or the `-v` echo of a rule being added). */
export function printFirewall(rule: { spec: RuleSpec; packets: number; bytes: number }, num: number, format: number, names: IptablesNames): string {
  const r = rule.spec;
  const tab = (format & Fmt.NOTABLE) === 0;
  const numeric = (format & Fmt.NUMERIC) !== 0;
  let s = '';
  if (format & Fmt.LINENUMBERS) s += tab ? `${pad(String(num), 4)} ` : `${num} `;
  if (!(format & Fmt.NOCOUNTS)) s += printNum(rule.packets, format) + printNum(rule.bytes, format);
  if (!(format & Fmt.NOTARGET)) {
    const name = targetName(r.target);
    s += tab ? `${pad(name, 9)} ` : `${name} `;
  }
  const protoNum = r.protocol?.num ?? 0;
  s += r.protocol?.invert ? '!' : ' ';
  const pname = (protoNum !== 0 && !numeric ? protocolName(protoNum) : undefined) ?? CHAIN_PROTOS[protoNum];
  if (pname !== undefined) s += tab ? pad(pname, 5) : `${pname} `;
  else s += tab ? pad(String(protoNum), 5) : `${protoNum} `;
  if (format & Fmt.OPTIONS) {
    if (format & Fmt.NOTABLE) s += 'opt ';
    s += r.fragment?.invert ? '!' : '-';
    s += r.fragment ? 'f' : '-';
    s += ' ';
  }
  if (format & Fmt.VIA) {
    const inName = viaName(r.inIface, numeric);
    const outName = viaName(r.outIface, numeric);
    s += tab ? ` ${pad(inName, 6)} ` : `in ${inName} `;
    s += tab ? `${pad(outName, 6)} ` : `out ${outName} `;
  }
  s += printAddress(r.src, format, names, false);
  s += printAddress(r.dst, format, names, true);
  if (format & Fmt.NOTABLE) s += '  ';
  if (r.target.kind === 'chain' && r.target.goto) s += '[goto] ';
  for (const m of r.matches) s += printMatch(m, numeric);
  s += printTarget(r.target);
  if (!(format & Fmt.NONEWLINE)) s += '\n';
  return s;
}

/** print_header. */
function printHeader(format: number, c: XtChain, references: number): string {
  let s = `Chain ${c.name}`;
  if (c.builtin) {
    s += ` (policy ${c.policy}`;
    if (!(format & Fmt.NOCOUNTS)) {
      s += ` ${printNum(c.packets, format | Fmt.NOTABLE)}packets, ${printNum(c.bytes, format | Fmt.NOTABLE)}bytes`;
    }
    s += ')\n';
  } else {
    s += ` (${references} references)\n`;
  }
  if (format & Fmt.LINENUMBERS) s += 'num  ';
  if (!(format & Fmt.NOCOUNTS)) {
    if (format & Fmt.KILOMEGAGIGA) s += ` pkts bytes `;
    else s += `${padStart('pkts', 8)} ${padStart('bytes', 10)} `;
  }
  if (!(format & Fmt.NOTARGET)) s += `${pad('target', 9)} `;
  s += ' prot ';
  if (format & Fmt.OPTIONS) s += 'opt';
  if (format & Fmt.VIA) s += ` ${pad('in', 6)} ${pad('out', 6)} `;
  s += ` ${pad('source', 19)} `;
  s += ` ${pad('destination', 19)} `;
  return `${s}\n`;
}

export interface ListOptions {
  readonly verbose: boolean;
  readonly numeric: boolean;
  readonly expanded: boolean;
  readonly lineNumbers: boolean;
}

/** list_entries: `iptables [-t T] -L [CHAIN [N]] [-n] [-v] [-x] [--line-numbers]`; undefined when CHAIN does not exist. */
export function listEntries(table: XtTable, chain: string | undefined, ruleNumber: number, o: ListOptions, names: IptablesNames): string | undefined {
  let format = Fmt.OPTIONS;
  format |= o.verbose ? Fmt.VIA : Fmt.NOCOUNTS;
  if (o.numeric) format |= Fmt.NUMERIC;
  if (!o.expanded) format |= Fmt.KILOMEGAGIGA;
  if (o.lineNumbers) format |= Fmt.LINENUMBERS;
  let out = '';
  let found = false;
  for (const c of table.chains()) {
    if (chain !== undefined && c.name !== chain) continue;
    if (found) out += '\n';
    if (ruleNumber === 0) out += printHeader(format, c, table.references(c.name));
    c.rules.forEach((r, i) => {
      if (ruleNumber === 0 || i + 1 === ruleNumber) out += printFirewall(r, i + 1, format, names);
    });
    found = true;
  }
  return found ? out : undefined;
}
