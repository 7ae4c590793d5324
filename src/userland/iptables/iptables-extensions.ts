/**
 * The match and target extensions this `iptables` knows, with their options and their
 * complaints as libxt_tcp, libxt_udp, libipt_icmp, libxt_conntrack (and its `state` alias),
 * libxt_addrtype, libipt_REJECT, libipt_MASQUERADE, libipt_SNAT, libipt_DNAT and
 * libipt_REDIRECT word them. Each extension is loaded by `-m NAME` / `-j NAME` (or, for the
 * protocol matches, by an unknown option after `-p tcp|udp|icmp`), adds its long options to
 * the command line, and at the end turns into a MatchSpec or TargetSpec.
 *
 * Not here (so `-m`/`-j` of them fails as "Couldn't load …"): LOG, MARK, comment, multiport,
 * limit, physdev, the tcp match's --tcp-flags/--syn, and REJECT --reject-with tcp-reset (TCP
 * is not emulated, so there is no reset to send).
 */
import {
  ADDR_TYPE_NAMES, CtState,
  type AddrTypeCondition, type MatchSpec, type NatRange, type PortRange, type PortSpan, type RejectWith, type TargetSpec,
} from '../../stack';
import { parseDottedQuad } from './ip-arguments';
import { parameterProblem } from './iptables-problem';
import { servicePort } from './services';

/** A long option an extension adds: its name and whether it takes a value. */
export interface ExtensionOption {
  readonly name: string;
  readonly hasArg: boolean;
  /** May be preceded by `!` (XTOPT_INVERT). */
  readonly invertible: boolean;
}

/** What an extension may look at while parsing: the rule's `-p` so far. */
export interface ParseContext {
  readonly protocol: { readonly num: number; readonly invert: boolean } | undefined;
}

export interface MatchExtension {
  readonly kind: 'match';
  readonly name: string;
  readonly options: readonly ExtensionOption[];
  parse(option: string, value: string, invert: boolean, ctx: ParseContext): void;
  /** x6_fcheck: complaints about what is missing. */
  finalCheck(): void;
  spec(): MatchSpec;
}

export interface TargetExtension {
  readonly kind: 'target';
  readonly name: string;
  readonly options: readonly ExtensionOption[];
  parse(option: string, value: string, invert: boolean, ctx: ParseContext): void;
  finalCheck(): void;
  /** The target, or 'einval' when the kernel would refuse it at commit (e.g. DNAT without a range). */
  spec(): TargetSpec | 'einval';
}

const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 33, 132]);

function once(seen: Set<string>, ext: string, option: string): void {
  if (seen.has(option)) throw parameterProblem(`${ext}: option "--${option}" can only be used once.\n`);
  seen.add(option);
}

// ---------------------------------------------------------------------------------------------
// tcp / udp

function parsePort(text: string, proto: 'tcp' | 'udp'): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  } else {
    const p = servicePort(text, proto);
    if (p !== undefined) return p;
  }
  throw parameterProblem(`invalid ${proto.toUpperCase()} port/service \`${text}' specified`);
}

/** `port`, `min:max`, `min:` (… 65535) or `:max` (0 …). */
function parsePortRange(text: string, proto: 'tcp' | 'udp', invert: boolean): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto);
    return { min: p, max: p, invert };
  }
  const lo = colon === 0 ? 0 : parsePort(text.slice(0, colon), proto);
  const hi = colon === text.length - 1 ? 0xffff : parsePort(text.slice(colon + 1), proto);
  if (lo > hi) throw parameterProblem('invalid portrange (min > max)');
  return { min: lo, max: hi, invert };
}

class PortMatch implements MatchExtension {
  readonly kind = 'match';
  readonly options: readonly ExtensionOption[] = [
    { name: 'source-port', hasArg: true, invertible: true },
    { name: 'sport', hasArg: true, invertible: true },
    { name: 'destination-port', hasArg: true, invertible: true },
    { name: 'dport', hasArg: true, invertible: true },
  ];
  #sport: PortRange | undefined;
  #dport: PortRange | undefined;
  constructor(readonly name: 'tcp' | 'udp') {}

  parse(option: string, value: string, invert: boolean): void {
    if (option === 'source-port' || option === 'sport') {
      if (this.#sport) throw parameterProblem(this.name === 'tcp' ? "Only one `--source-port' allowed" : 'udp: option "--source-port" can only be used once.\n');
      this.#sport = parsePortRange(value, this.name, invert);
    } else {
      if (this.#dport) throw parameterProblem(this.name === 'tcp' ? "Only one `--destination-port' allowed" : 'udp: option "--destination-port" can only be used once.\n');
      this.#dport = parsePortRange(value, this.name, invert);
    }
  }

  finalCheck(): void {}

  spec(): MatchSpec {
    return {
      kind: this.name,
      ...(this.#sport ? { sport: this.#sport } : {}),
      ...(this.#dport ? { dport: this.#dport } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// icmp

/** libipt_icmp's icmp_codes: name, type, code range. */
export const ICMP_TYPE_NAMES: readonly (readonly [string, number, number, number])[] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

class IcmpMatch implements MatchExtension {
  readonly kind = 'match';
  readonly name = 'icmp';
  readonly options: readonly ExtensionOption[] = [{ name: 'icmp-type', hasArg: true, invertible: true }];
  #spec: MatchSpec | undefined;
  readonly #seen = new Set<string>();

  parse(option: string, value: string, invert: boolean): void {
    once(this.#seen, 'icmp', option);
    const lower = value.toLowerCase();
    let found: (readonly [string, number, number, number])[] = [];
    if (!/^\d/.test(value)) found = ICMP_TYPE_NAMES.filter(([n]) => n.toLowerCase().startsWith(lower));
    if (found.length > 1) {
      const exact = found.find(([n]) => n.toLowerCase() === lower);
      if (!exact) throw parameterProblem(`Ambiguous ICMP type \`${value}': \`${found[0]![0]}' or \`${found[1]![0]}'?`);
      found = [exact];
    }
    if (found.length === 1) {
      const [, type, lo, hi] = found[0]!;
      this.#spec = { kind: 'icmp', type, codeMin: lo, codeMax: hi, invert };
      return;
    }
    const m = /^(\d+)(?:\/(\d+))?$/.exec(value);
    if (!m || Number(m[1]) > 255) throw parameterProblem(`Invalid ICMP type \`${value}'\n`);
    if (m[2] !== undefined && Number(m[2]) > 255) throw parameterProblem(`Invalid ICMP code \`${m[2]}'\n`);
    const code = m[2] === undefined ? undefined : Number(m[2]);
    this.#spec = { kind: 'icmp', type: Number(m[1]), codeMin: code ?? 0, codeMax: code ?? 0xff, invert };
  }

  finalCheck(): void {}

  spec(): MatchSpec {
    // icmp_init: without --icmp-type the match is "any".
    return this.#spec ?? { kind: 'icmp', type: 0xff, codeMin: 0, codeMax: 0xff, invert: false };
  }
}

// ---------------------------------------------------------------------------------------------
// conntrack / state

const CT_PARSE_ORDER: readonly (keyof typeof CtState)[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'];
const STATE_PARSE_ORDER: readonly (keyof typeof CtState)[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];

/** strncasecmp(word, NAME, len(word)) in the extension's order: a prefix picks the first name it begins. */
function stateBit(word: string, order: readonly (keyof typeof CtState)[]): number {
  const w = word.toUpperCase();
  for (const name of order) if (name.startsWith(w)) return CtState[name];
  return 0;
}

class ConntrackMatch implements MatchExtension {
  readonly kind = 'match';
  readonly options: readonly ExtensionOption[];
  #states = 0;
  #invert = false;
  #given = false;
  readonly #seen = new Set<string>();
  constructor(readonly name: 'conntrack' | 'state') {
    this.options = [{ name: name === 'conntrack' ? 'ctstate' : 'state', hasArg: true, invertible: true }];
  }

  parse(option: string, value: string, invert: boolean): void {
    once(this.#seen, this.name, option);
    const words = value.split(',');
    const order = this.name === 'conntrack' ? CT_PARSE_ORDER : STATE_PARSE_ORDER;
    let mask = 0;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const bit = w === '' ? 0 : stateBit(w, order);
      if (bit === 0) {
        const rest = words.slice(i).join(',');
        if (this.name === 'conntrack') throw parameterProblem(`conntrack: Bad value for "--ctstate" option: "${rest}"`);
        if (rest === '') throw parameterProblem('"--state" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED');
        throw parameterProblem(`Bad state "${rest}"`);
      }
      mask |= bit;
    }
    this.#states = mask;
    this.#invert = invert;
    this.#given = true;
  }

  finalCheck(): void {
    if (this.#given) return;
    if (this.name === 'conntrack') throw parameterProblem('conntrack: At least one option is required');
    throw parameterProblem('state: option "--state" must be specified\n');
  }

  spec(): MatchSpec {
    return { kind: 'conntrack', alias: this.name, states: this.#states, invert: this.#invert };
  }
}

// ---------------------------------------------------------------------------------------------
// addrtype

function parseAddrTypes(arg: string): number {
  let mask = 0;
  const words = arg.split(',');
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const last = i === words.length - 1;
    // parse_type: strncasecmp(name, type, len): the first type the word is a prefix of.
    const idx = w === '' ? -1 : ADDR_TYPE_NAMES.findIndex((n) => n.startsWith(w.toUpperCase()));
    if (idx < 0) {
      const rest = words.slice(i).join(',');
      throw parameterProblem(last ? `addrtype: bad type "${rest}"` : `addrtype: bad type \`${rest}'`);
    }
    mask |= 1 << idx;
  }
  return mask;
}

class AddrTypeMatch implements MatchExtension {
  readonly kind = 'match';
  readonly name = 'addrtype';
  readonly options: readonly ExtensionOption[] = [
    { name: 'src-type', hasArg: true, invertible: true },
    { name: 'dst-type', hasArg: true, invertible: true },
  ];
  #src: AddrTypeCondition | undefined;
  #dst: AddrTypeCondition | undefined;
  readonly #seen = new Set<string>();

  parse(option: string, value: string, invert: boolean): void {
    once(this.#seen, 'addrtype', option);
    const c = { types: parseAddrTypes(value), invert };
    if (option === 'src-type') this.#src = c;
    else this.#dst = c;
  }

  finalCheck(): void {
    if (!this.#src && !this.#dst) throw parameterProblem('addrtype: you must specify --src-type or --dst-type');
  }

  spec(): MatchSpec {
    return { kind: 'addrtype', ...(this.#src ? { src: this.#src } : {}), ...(this.#dst ? { dst: this.#dst } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------
// Targets

/** libipt_REJECT's reject_table: full names and the short aliases it also accepts. */
const REJECT_ALIASES: readonly (readonly [RejectWith, string])[] = [
  ['icmp-net-unreachable', 'net-unreach'],
  ['icmp-host-unreachable', 'host-unreach'],
  ['icmp-proto-unreachable', 'prot-unreach'],
  ['icmp-port-unreachable', 'port-unreach'],
  ['icmp-net-prohibited', 'net-prohib'],
  ['icmp-host-prohibited', 'host-prohib'],
  ['icmp-admin-prohibited', 'admin-prohib'],
];

class RejectTarget implements TargetExtension {
  readonly kind = 'target';
  readonly name = 'REJECT';
  readonly options: readonly ExtensionOption[] = [{ name: 'reject-with', hasArg: true, invertible: false }];
  #with: RejectWith = 'icmp-port-unreachable';
  readonly #seen = new Set<string>();

  parse(option: string, value: string): void {
    once(this.#seen, 'REJECT', option);
    const v = value.toLowerCase();
    const hit = REJECT_ALIASES.find(([full, alias]) => full.startsWith(v) || alias.startsWith(v));
    if (!hit || v === '') throw parameterProblem(`unknown reject type "${value}"`);
    this.#with = hit[0];
  }

  finalCheck(): void {}

  spec(): TargetSpec {
    return { kind: 'REJECT', with: this.#with };
  }
}

function portOk(ctx: ParseContext): boolean {
  return ctx.protocol !== undefined && !ctx.protocol.invert && PORT_PROTOCOLS.has(ctx.protocol.num);
}

/** MASQUERADE/REDIRECT --to-ports port[-port]. */
function parseToPorts(ext: string, arg: string): PortSpan {
  const m = /^(\d+)(?:-(\d+))?$/.exec(arg);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo > 0xffff || hi > 0xffff || hi < lo) throw parameterProblem(`${ext}: Bad value for "--to-ports" option: "${arg}"`);
  return { min: lo, max: hi };
}

class PortsTarget implements TargetExtension {
  readonly kind = 'target';
  readonly options: readonly ExtensionOption[] = [{ name: 'to-ports', hasArg: true, invertible: false }];
  #ports: PortSpan | undefined;
  readonly #seen = new Set<string>();
  constructor(readonly name: 'MASQUERADE' | 'REDIRECT') {}

  parse(option: string, value: string, _invert: boolean, ctx: ParseContext): void {
    once(this.#seen, this.name, option);
    if (!portOk(ctx)) throw parameterProblem('Need TCP, UDP, SCTP or DCCP with port specification');
    this.#ports = parseToPorts(this.name, value);
  }

  finalCheck(): void {}

  spec(): TargetSpec {
    return { kind: this.name, ...(this.#ports ? { ports: this.#ports } : {}) };
  }
}

/** libipt_SNAT/DNAT parse_to: `[ip[-ip]][:port[-port]]`. */
function parseNatRange(arg: string, ctx: ParseContext): NatRange {
  let ipPart = arg;
  let portMin: number | undefined;
  let portMax: number | undefined;
  const colon = arg.indexOf(':');
  if (colon >= 0) {
    if (!portOk(ctx)) throw parameterProblem('Need TCP, UDP, SCTP or DCCP with port specification');
    const ports = arg.slice(colon + 1);
    const port = Number.parseInt(ports, 10);
    if (!(port > 0 && port <= 65535)) throw parameterProblem(`Port \`${ports}' not valid\n`);
    if (ports.includes(':')) throw parameterProblem('Invalid port:port syntax - use dash\n');
    const dash = ports.indexOf('-');
    if (dash < 0) {
      portMin = port;
      portMax = port;
    } else {
      const max = Number.parseInt(ports.slice(dash + 1), 10);
      if (!(max > 0 && max <= 65535)) throw parameterProblem(`Port \`${ports.slice(dash + 1)}' not valid\n`);
      if (max < port) throw parameterProblem(`Port range \`${ports}' funky\n`);
      portMin = port;
      portMax = max;
    }
    ipPart = arg.slice(0, colon);
    if (colon === 0) return { portMin, portMax };
  }
  const dash = ipPart.indexOf('-');
  const lo = dash < 0 ? ipPart : ipPart.slice(0, dash);
  const ipMin = parseDottedQuad(lo);
  if (ipMin === undefined) throw parameterProblem(`Bad IP address "${lo}"\n`);
  let ipMax = ipMin;
  if (dash >= 0) {
    const hi = parseDottedQuad(ipPart.slice(dash + 1));
    if (hi === undefined) throw parameterProblem(`Bad IP address "${ipPart.slice(dash + 1)}"\n`);
    ipMax = hi;
  }
  return { ipMin, ipMax, ...(portMin === undefined ? {} : { portMin, portMax: portMax ?? portMin }) };
}

class NatTarget implements TargetExtension {
  readonly kind = 'target';
  readonly options: readonly ExtensionOption[];
  readonly #ranges: NatRange[] = [];
  constructor(readonly name: 'SNAT' | 'DNAT') {
    this.options = [{ name: name === 'SNAT' ? 'to-source' : 'to-destination', hasArg: true, invertible: false }];
  }

  parse(_option: string, value: string, _invert: boolean, ctx: ParseContext): void {
    this.#ranges.push(parseNatRange(value, ctx));
  }

  finalCheck(): void {}

  spec(): TargetSpec | 'einval' {
    // The kernel's nat targets take exactly one range ("multiple ranges no longer supported").
    if (this.#ranges.length !== 1) return 'einval';
    return { kind: this.name, range: this.#ranges[0]! };
  }
}

/** The match extensions `-m` can load (and `-p tcp|udp|icmp` loads implicitly). */
export function loadMatch(name: string): MatchExtension | undefined {
  switch (name) {
    case 'tcp':
    case 'udp':
      return new PortMatch(name);
    case 'icmp':
      return new IcmpMatch();
    case 'conntrack':
    case 'state':
      return new ConntrackMatch(name);
    case 'addrtype':
      return new AddrTypeMatch();
    default:
      return undefined;
  }
}

/** The target extensions `-j` can load (the standard verdicts are not extensions). */
export function loadTarget(name: string): TargetExtension | undefined {
  switch (name) {
    case 'REJECT':
      return new RejectTarget();
    case 'MASQUERADE':
    case 'REDIRECT':
      return new PortsTarget(name);
    case 'SNAT':
    case 'DNAT':
      return new NatTarget(name);
    default:
      return undefined;
  }
}

/** xtables_find_target's "standard" names. */
export const STANDARD_TARGETS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'RETURN']);
