/**
 * What an iptables rule says, as data: the IP part of `struct ipt_entry` (source, destination,
 * interfaces, protocol, fragment flag, each with its `!`), the matches in the order given
 * (`-m tcp`, `-m udp`, `-m icmp`, `-m conntrack`/`-m state`, `-m addrtype`) and the target.
 *
 * The userland `iptables` parses a command line into a RuleSpec and prints one back; the tables
 * (xt-table.ts) store it; the matcher (rule-matcher.ts) evaluates it. Addresses are stored
 * already masked, as the kernel stores them (`-s 172.17.0.1/16` is `172.17.0.0/16`).
 *
 * Two rules are "the same rule" for `-D` and `-C` when their specs are equal field by field,
 * counters aside (libiptc compares the entry bytes under a mask that leaves counters out):
 * `ruleSpecKey` is that comparison as a string.
 */
import type { Ipv4 } from '../../wire';

export type TableName = 'filter' | 'nat';
export type BuiltinChainName = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** The built-in chains of each table, in hook order (the order libiptc lists them). */
export const TABLE_BUILTINS: Readonly<Record<TableName, readonly BuiltinChainName[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat'];

/** A built-in chain's policy (`-P`): only ACCEPT and DROP are valid verdicts for a policy. */
export type ChainPolicy = 'ACCEPT' | 'DROP';

/** `[!] -s/-d addr[/mask]`: `addr` is already masked; `mask` is a 32-bit netmask as a number. */
export interface AddressMatch {
  readonly addr: Ipv4;
  readonly mask: number;
  readonly invert: boolean;
}

/** `[!] -i/-o name[+]`: with `wildcard`, any interface whose name starts with `name` matches. */
export interface InterfaceMatch {
  readonly name: string;
  readonly wildcard: boolean;
  readonly invert: boolean;
}

/** `[!] --sport/--dport min[:max]` (a single port has min = max). */
export interface PortRange {
  readonly min: number;
  readonly max: number;
  readonly invert: boolean;
}

/**
 * Connection tracking states as xt_conntrack numbers them for `--ctstate` (a bit mask). SNAT and
 * DNAT are the "virtual" states of a connection whose reply tuple was rewritten.
 */
export const CtState = {
  INVALID: 1,
  NEW: 2,
  ESTABLISHED: 4,
  RELATED: 8,
  UNTRACKED: 16,
  SNAT: 32,
  DNAT: 64,
} as const;

/** The order libxt_conntrack prints states in (print_state). */
export const CT_STATE_PRINT_ORDER: readonly (keyof typeof CtState)[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

/**
 * Route types of `-m addrtype` (linux/rtnetlink.h RTN_*; the bit is `1 << index`, the order
 * libxt_addrtype parses and prints them in).
 */
export const ADDR_TYPE_NAMES: readonly string[] = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE',
  'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
];

export const AddrType = {
  UNSPEC: 1 << 0,
  UNICAST: 1 << 1,
  LOCAL: 1 << 2,
  BROADCAST: 1 << 3,
  ANYCAST: 1 << 4,
  MULTICAST: 1 << 5,
  BLACKHOLE: 1 << 6,
  UNREACHABLE: 1 << 7,
  PROHIBIT: 1 << 8,
} as const;

export interface AddrTypeCondition {
  readonly types: number;
  readonly invert: boolean;
}

export type MatchSpec =
  | { readonly kind: 'tcp' | 'udp'; readonly sport?: PortRange; readonly dport?: PortRange }
  /** `-m icmp --icmp-type T[/C]`; `any` is type 255 (every type). */
  | { readonly kind: 'icmp'; readonly type: number; readonly codeMin: number; readonly codeMax: number; readonly invert: boolean }
  /** `-m conntrack --ctstate` or its older spelling `-m state --state` (printed as given). */
  | { readonly kind: 'conntrack'; readonly alias: 'conntrack' | 'state'; readonly states: number; readonly invert: boolean }
  | { readonly kind: 'addrtype'; readonly src?: AddrTypeCondition; readonly dst?: AddrTypeCondition };

/** `--reject-with`: the ICMP destination-unreachable codes ipt_REJECT can send. */
export const REJECT_WITH = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
} as const;
export type RejectWith = keyof typeof REJECT_WITH;

/** A NAT range (`--to-source`/`--to-destination [ip[-ip]][:port[-port]]`); absent parts are not mapped. */
export interface NatRange {
  readonly ipMin?: Ipv4;
  readonly ipMax?: Ipv4;
  readonly portMin?: number;
  readonly portMax?: number;
}

/** `--to-ports port[-port]` of MASQUERADE and REDIRECT. */
export interface PortSpan {
  readonly min: number;
  readonly max: number;
}

export type TargetSpec =
  /** A rule without `-j`: it only counts. */
  | { readonly kind: 'none' }
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  /** `-j CHAIN` (jump) or `-g CHAIN` (goto: no return to this chain). */
  | { readonly kind: 'chain'; readonly chain: string; readonly goto: boolean }
  | { readonly kind: 'REJECT'; readonly with: RejectWith }
  | { readonly kind: 'MASQUERADE'; readonly ports?: PortSpan }
  | { readonly kind: 'SNAT' | 'DNAT'; readonly range: NatRange }
  | { readonly kind: 'REDIRECT'; readonly ports?: PortSpan };

export interface RuleSpec {
  readonly src?: AddressMatch;
  readonly dst?: AddressMatch;
  readonly inIface?: InterfaceMatch;
  readonly outIface?: InterfaceMatch;
  /** `[!] -p proto` as a protocol number (absent: `-p all`). */
  readonly protocol?: { readonly num: number; readonly invert: boolean };
  /** `[!] -f`: second and later fragments only (or, inverted, never them). */
  readonly fragment?: { readonly invert: boolean };
  readonly matches: readonly MatchSpec[];
  readonly target: TargetSpec;
}

/** A canonical text of a spec: equal keys ⇔ the same rule for `-D`, `-C`. */
export function ruleSpecKey(r: RuleSpec): string {
  const parts: string[] = [];
  const addr = (tag: string, a: AddressMatch | undefined): void => {
    if (a) parts.push(`${tag}${a.invert ? '!' : ''}${a.addr}/${a.mask >>> 0}`);
  };
  const iface = (tag: string, i: InterfaceMatch | undefined): void => {
    if (i) parts.push(`${tag}${i.invert ? '!' : ''}${i.name}${i.wildcard ? '+' : ''}`);
  };
  addr('s', r.src);
  addr('d', r.dst);
  iface('i', r.inIface);
  iface('o', r.outIface);
  if (r.protocol) parts.push(`p${r.protocol.invert ? '!' : ''}${r.protocol.num}`);
  if (r.fragment) parts.push(`f${r.fragment.invert ? '!' : ''}`);
  for (const m of r.matches) parts.push(matchKey(m));
  parts.push(targetKey(r.target));
  return parts.join(' ');
}

function portKey(tag: string, p: PortRange | undefined): string {
  return p ? `${tag}${p.invert ? '!' : ''}${p.min}:${p.max}` : '';
}

function matchKey(m: MatchSpec): string {
  switch (m.kind) {
    case 'tcp':
    case 'udp':
      return `m:${m.kind}${portKey(',sp', m.sport)}${portKey(',dp', m.dport)}`;
    case 'icmp':
      return `m:icmp${m.invert ? '!' : ''}${m.type}/${m.codeMin}-${m.codeMax}`;
    case 'conntrack':
      return `m:${m.alias}${m.invert ? '!' : ''}${m.states}`;
    case 'addrtype':
      return `m:addrtype${m.src ? `,s${m.src.invert ? '!' : ''}${m.src.types}` : ''}${m.dst ? `,d${m.dst.invert ? '!' : ''}${m.dst.types}` : ''}`;
  }
}

function targetKey(t: TargetSpec): string {
  switch (t.kind) {
    case 'none':
      return 'j:';
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return `j:${t.kind}`;
    case 'chain':
      return `${t.goto ? 'g' : 'j'}:${t.chain}`;
    case 'REJECT':
      return `j:REJECT:${t.with}`;
    case 'MASQUERADE':
    case 'REDIRECT':
      return `j:${t.kind}:${t.ports ? `${t.ports.min}-${t.ports.max}` : ''}`;
    case 'SNAT':
    case 'DNAT':
      return `j:${t.kind}:${t.range.ipMin ?? ''}-${t.range.ipMax ?? ''}:${t.range.portMin ?? ''}-${t.range.portMax ?? ''}`;
  }
}
