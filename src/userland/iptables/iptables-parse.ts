/**
 * The `iptables` command line, read as iptables 1.8.4's do_command4 reads it: glibc
 * getopt_long over "-:A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46"
 * (non-options returned in order, `!` among them; long options by unique prefix; an option's
 * value from the same word or the next one), match and target extensions adding their long
 * options when loaded (`-m`, `-j`, or an unknown option after `-p tcp|udp|icmp`), then the
 * checks in the source's order: the nat table's DROP ban, the extensions' final checks,
 * "no command specified", a dangling `!`, addresses, which options each command allows.
 *
 * Every complaint is an IptablesProblem with iptables' exact words.
 */
import type { InterfaceMatch, MatchSpec } from '../../stack';
import { parseAddressList, type ParsedAddress } from './ip-arguments';
import {
  loadMatch, loadTarget, STANDARD_TARGETS, type ExtensionOption, type MatchExtension, type TargetExtension,
} from './iptables-extensions';
import { bareProblem, parameterProblem } from './iptables-problem';
import { protocolName, protocolNumber } from './services';

export const Cmd = {
  NONE: 0,
  INSERT: 0x0001,
  DELETE: 0x0002,
  DELETE_NUM: 0x0004,
  REPLACE: 0x0008,
  APPEND: 0x0010,
  LIST: 0x0020,
  FLUSH: 0x0040,
  ZERO: 0x0080,
  NEW_CHAIN: 0x0100,
  DELETE_CHAIN: 0x0200,
  SET_POLICY: 0x0400,
  RENAME_CHAIN: 0x0800,
  LIST_RULES: 0x1000,
  ZERO_NUM: 0x2000,
  CHECK: 0x4000,
} as const;
const CMD_CHARS = ['I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'];

export const Opt = {
  NUMERIC: 0x001,
  SOURCE: 0x002,
  DESTINATION: 0x004,
  PROTOCOL: 0x008,
  JUMP: 0x010,
  VERBOSE: 0x020,
  EXPANDED: 0x040,
  VIANAMEIN: 0x080,
  VIANAMEOUT: 0x100,
  LINENUMBERS: 0x200,
  COUNTERS: 0x400,
  FRAGMENT: 0x800,
} as const;
const OPT_CHARS = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];
/** inverse_for_options: the options `!` may precede. */
const INVERTIBLE: ReadonlySet<number> = new Set([Opt.SOURCE, Opt.DESTINATION, Opt.PROTOCOL, Opt.VIANAMEIN, Opt.VIANAMEOUT, Opt.FRAGMENT]);

/** commands_v_options: rows per command bit, columns per option bit ('x' illegal). */
const COMMANDS_V_OPTIONS: readonly string[] = [
  /*            -n  -s  -d  -p  -j  -v  -x  -i  -o --line -c -f */
  /*INSERT*/    'x     x  x ',
  /*DELETE*/    'x     x  xx ',
  /*DELETE_NUM*/'xxxxx xxxxxx',
  /*REPLACE*/   'x     x  x ',
  /*APPEND*/    'x     x  x ',
  /*LIST*/      ' xxxx  xx xx',
  /*FLUSH*/     'xxxxx xxxxxx',
  /*ZERO*/      'xxxxx xxxxxx',
  /*NEW_CHAIN*/ 'xxxxx xxxxxx',
  /*DEL_CHAIN*/ 'xxxxx xxxxxx',
  /*SET_POLICY*/'xxxxx xxxx x',
  /*RENAME*/    'xxxxx xxxxxx',
  /*LIST_RULES*/'xxxxx xxxxxx',
  /*ZERO_NUM*/  'xxxxx xxxxxx',
  /*CHECK*/     'x     x  xx ',
].map((row) => row.padEnd(12, ' '));

/** XT_EXTENSION_MAXNAMELEN. */
const MAX_NAME = 29;
/** IFNAMSIZ. */
const IFNAMSIZ = 16;

/** What a command line asks for. */
export interface IptablesRequest {
  readonly table: string;
  readonly command: number;
  readonly chain: string | undefined;
  /** 1-based (`-I CHAIN N`, `-D CHAIN N`, `-L CHAIN N`…); 0 when not given. */
  readonly ruleNumber: number;
  readonly newName: string | undefined;
  readonly policy: string | undefined;
  readonly options: number;
  readonly rule: RuleDraft;
  /** `-c PKTS BYTES`. */
  readonly counters: { readonly packets: number; readonly bytes: number } | undefined;
}

/** The rule parts of a command line, before the chain names are known. */
export interface RuleDraft {
  readonly srcs: readonly ParsedAddress[];
  readonly dsts: readonly ParsedAddress[];
  readonly invSrc: boolean;
  readonly invDst: boolean;
  readonly inIface: InterfaceMatch | undefined;
  readonly outIface: InterfaceMatch | undefined;
  readonly protocol: { readonly num: number; readonly invert: boolean } | undefined;
  readonly fragment: { readonly invert: boolean } | undefined;
  readonly matches: readonly MatchSpec[];
  /** The `-j`/`-g` word ('' when none). */
  readonly jumpTo: string;
  readonly goto: boolean;
  /** The loaded target extension (undefined for standard verdicts and chain names). */
  readonly target: TargetExtension | undefined;
  /** The loaded target is a standard verdict (ACCEPT, DROP, RETURN). */
  readonly standard: boolean;
}

interface LongOption {
  readonly name: string;
  /** 0 none, 1 required, 2 optional. */
  readonly arg: 0 | 1 | 2;
  readonly code: string;
}

const SHORT_OPTIONS: Readonly<Record<string, 0 | 1 | 2>> = {
  A: 1, C: 1, D: 1, R: 1, I: 1, L: 2, S: 2, M: 1, F: 2, Z: 2, N: 1, X: 2, E: 1, P: 1, V: 0, h: 2,
  o: 1, p: 1, s: 1, d: 1, j: 1, i: 1, f: 0, b: 0, v: 0, w: 2, W: 2, n: 0, t: 1, m: 1, x: 0, c: 1, g: 1, '4': 0, '6': 0,
};

const CORE_LONG_OPTIONS: readonly LongOption[] = [
  ['append', 1, 'A'], ['delete', 1, 'D'], ['check', 1, 'C'], ['insert', 1, 'I'], ['replace', 1, 'R'],
  ['list', 2, 'L'], ['list-rules', 2, 'S'], ['flush', 2, 'F'], ['zero', 2, 'Z'], ['new-chain', 1, 'N'],
  ['delete-chain', 2, 'X'], ['rename-chain', 1, 'E'], ['policy', 1, 'P'], ['source', 1, 's'],
  ['destination', 1, 'd'], ['src', 1, 's'], ['dst', 1, 'd'], ['protocol', 1, 'p'], ['in-interface', 1, 'i'],
  ['jump', 1, 'j'], ['table', 1, 't'], ['match', 1, 'm'], ['numeric', 0, 'n'], ['out-interface', 1, 'o'],
  ['verbose', 0, 'v'], ['wait', 2, 'w'], ['wait-interval', 2, 'W'], ['exact', 0, 'x'], ['fragments', 0, 'f'],
  ['version', 0, 'V'], ['help', 2, 'h'], ['line-numbers', 0, '0'], ['modprobe', 1, 'M'],
  ['set-counters', 1, 'c'], ['goto', 1, 'g'], ['ipv4', 0, '4'], ['ipv6', 0, '6'],
].map(([name, arg, code]) => ({ name: name as string, arg: arg as 0 | 1 | 2, code: code as string }));

interface Event {
  /** An option code, 'x:N:OPT' for extension N's option, '?' unknown, ':' missing value, '\u0001' a non-option. */
  code: string;
  arg: string | undefined;
}

/** glibc getopt_long, RETURN_IN_ORDER, with opterr off. */
class Getopt {
  optind = 1;
  #next = '';
  constructor(readonly argv: readonly string[], readonly longOptions: () => readonly LongOption[]) {}

  get(): Event | undefined {
    const argv = this.argv;
    if (this.#next === '') {
      if (this.optind >= argv.length) return undefined;
      const a = argv[this.optind]!;
      if (a === '--') {
        this.optind++;
        return undefined;
      }
      if (a[0] !== '-' || a.length === 1) {
        this.optind++;
        return { code: '\u0001', arg: a };
      }
      if (a.startsWith('--')) return this.#long(a.slice(2));
      this.#next = a.slice(1);
      this.optind++;
    }
    const c = this.#next[0]!;
    this.#next = this.#next.slice(1);
    const spec = SHORT_OPTIONS[c];
    if (spec === undefined) return { code: '?', arg: undefined };
    if (spec === 0) return { code: c, arg: undefined };
    if (this.#next !== '') {
      const arg = this.#next;
      this.#next = '';
      return { code: c, arg };
    }
    if (spec === 2) return { code: c, arg: undefined };
    if (this.optind >= argv.length) return { code: ':', arg: undefined };
    return { code: c, arg: argv[this.optind++]! };
  }

  #long(body: string): Event {
    this.optind++;
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    const all = this.longOptions();
    let opt = all.find((o) => o.name === name);
    if (opt === undefined) {
      const prefixed = all.filter((o) => o.name.startsWith(name));
      // Ambiguous unless every candidate is the same option (glibc compares the entries).
      if (prefixed.length === 0 || prefixed.some((o) => o.code !== prefixed[0]!.code || o.arg !== prefixed[0]!.arg)) return { code: '?', arg: undefined };
      opt = prefixed[0]!;
    }
    if (opt.arg === 0) return value === undefined ? { code: opt.code, arg: undefined } : { code: '?', arg: undefined };
    if (value !== undefined) return { code: opt.code, arg: value };
    if (opt.arg === 2) return { code: opt.code, arg: undefined };
    if (this.optind >= this.argv.length) return { code: ':', arg: undefined };
    return { code: opt.code, arg: this.argv[this.optind++]! };
  }

  /** xs_has_arg: the next word is a value, not an option or `!`. */
  hasArg(): boolean {
    const a = this.argv[this.optind];
    return a !== undefined && a[0] !== '-' && a[0] !== '!';
  }

  /** Takes the next word (after hasArg). */
  take(): string {
    return this.argv[this.optind++]!;
  }
}

function parseRuleNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 0x7fff_ffff) throw parameterProblem(`Invalid rule number \`${text}'`);
  return Number(text);
}

/** parse_chain (for -N). */
function checkChainName(name: string): void {
  if (name.length >= MAX_NAME) throw parameterProblem(`chain name \`${name}' too long (must be under ${MAX_NAME} chars)`);
  if (name[0] === '-' || name[0] === '!') throw parameterProblem(`chain name not allowed to start with \`${name[0]}'\n`);
  if (STANDARD_TARGETS.has(name) || loadTarget(name) !== undefined) throw parameterProblem('chain name may not clash with target name\n');
  if (/\s/.test(name)) throw parameterProblem(`Invalid chain name \`${name}'`);
}

function parseTargetName(name: string): string {
  if (name.length < 1) throw parameterProblem('Invalid target name (too short)');
  if (name.length >= MAX_NAME) throw parameterProblem(`Invalid target name \`${name}' (${MAX_NAME - 1} chars max)`);
  if (/\s/.test(name)) throw parameterProblem(`Invalid target name \`${name}'`);
  return name;
}

/** xtables_parse_interface. */
function parseInterface(text: string, invert: boolean): InterfaceMatch {
  if (text.length + 1 > IFNAMSIZ) throw parameterProblem(`interface name \`${text}' must be shorter than IFNAMSIZ (${IFNAMSIZ - 1})`);
  if (text.endsWith('+')) return { name: text.slice(0, -1), wildcard: true, invert };
  return { name: text, wildcard: false, invert };
}

/** xtables_parse_protocol: a number, a name from /etc/protocols, or "all". */
function parseProtocol(text: string): number {
  const lower = text.toLowerCase();
  if (/^\d+$/.test(lower) && Number(lower) <= 255) return Number(lower);
  if (lower === 'all') return 0;
  const n = protocolNumber(lower) ?? (lower === 'icmpv6' ? 58 : lower === 'mh' ? 135 : undefined);
  if (n === undefined) throw parameterProblem(`unknown protocol "${text}" specified`);
  return n;
}

/** The match extension `-p` loads (find_proto: by name, numbers through their names). */
function protocolMatchName(num: number): string | undefined {
  const name = protocolName(num);
  return name === 'tcp' || name === 'udp' || name === 'icmp' ? name : undefined;
}

/** Parses `argv` (argv[0] is the program name). */
export function parseIptables(argv: readonly string[]): IptablesRequest {
  let command = 0;
  let options = 0;
  let chain: string | undefined;
  let ruleNumber = 0;
  let newName: string | undefined;
  let policy: string | undefined;
  let table = 'filter';
  let invert = false;
  let srcText: string | undefined;
  let dstText: string | undefined;
  let invSrc = false;
  let invDst = false;
  let inIface: InterfaceMatch | undefined;
  let outIface: InterfaceMatch | undefined;
  let protocol: { num: number; invert: boolean } | undefined;
  let protocolText: string | undefined;
  let protoUsed = false;
  let fragment: { invert: boolean } | undefined;
  let jumpTo = '';
  let goto = false;
  let target: TargetExtension | undefined;
  let standard = false;
  let counters: { packets: number; bytes: number } | undefined;
  const matches: MatchExtension[] = [];

  const longOptions = (): LongOption[] => {
    const ext: LongOption[] = [];
    const add = (prefix: string, opts: readonly ExtensionOption[]): void => {
      for (const o of opts) ext.push({ name: o.name, arg: o.hasArg ? 1 : 0, code: `${prefix}:${o.name}` });
    };
    if (target) add(`x:t`, target.options);
    matches.forEach((m, i) => add(`x:m${i}`, m.options));
    return [...CORE_LONG_OPTIONS, ...ext];
  };
  const g = new Getopt(argv, longOptions);

  const addCommand = (newCmd: number, otherCmds: number): void => {
    if (invert) throw parameterProblem('unexpected ! flag');
    const clash = command & ~otherCmds;
    if (clash) throw parameterProblem(`Cannot use -${cmdChar(newCmd)} with -${cmdChar(clash)}\n`);
    command |= newCmd;
  };
  const setOption = (option: number): void => {
    if (options & option) throw parameterProblem(`multiple -${optChar(option)} flags not allowed`);
    options |= option;
    if (invert && !INVERTIBLE.has(option)) throw parameterProblem(`cannot have ! before -${optChar(option)}`);
  };
  const ctx = { get protocol() { return protocol; } };

  for (let ev = g.get(); ev !== undefined; ev = g.get()) {
    const { code, arg } = ev;
    const optarg = arg ?? '';
    switch (code) {
      case 'A':
        addCommand(Cmd.APPEND, Cmd.NONE);
        chain = optarg;
        break;
      case 'C':
        addCommand(Cmd.CHECK, Cmd.NONE);
        chain = optarg;
        break;
      case 'D':
        addCommand(Cmd.DELETE, Cmd.NONE);
        chain = optarg;
        if (g.hasArg()) {
          ruleNumber = parseRuleNumber(g.take());
          command = Cmd.DELETE_NUM;
        }
        break;
      case 'R':
        addCommand(Cmd.REPLACE, Cmd.NONE);
        chain = optarg;
        if (g.hasArg()) ruleNumber = parseRuleNumber(g.take());
        else throw parameterProblem('-R requires a rule number');
        break;
      case 'I':
        addCommand(Cmd.INSERT, Cmd.NONE);
        chain = optarg;
        ruleNumber = g.hasArg() ? parseRuleNumber(g.take()) : 1;
        break;
      case 'L':
      case 'S':
        addCommand(code === 'L' ? Cmd.LIST : Cmd.LIST_RULES, Cmd.ZERO | Cmd.ZERO_NUM);
        if (arg !== undefined) chain = arg;
        else if (g.hasArg()) chain = g.take();
        if (g.hasArg()) ruleNumber = parseRuleNumber(g.take());
        break;
      case 'F':
        addCommand(Cmd.FLUSH, Cmd.NONE);
        if (arg !== undefined) chain = arg;
        else if (g.hasArg()) chain = g.take();
        break;
      case 'Z':
        addCommand(Cmd.ZERO, Cmd.LIST | Cmd.LIST_RULES);
        if (arg !== undefined) chain = arg;
        else if (g.hasArg()) chain = g.take();
        if (g.hasArg()) {
          ruleNumber = parseRuleNumber(g.take());
          command = (command & ~Cmd.ZERO) | Cmd.ZERO_NUM;
        }
        break;
      case 'N':
        checkChainName(optarg);
        addCommand(Cmd.NEW_CHAIN, Cmd.NONE);
        chain = optarg;
        break;
      case 'X':
        addCommand(Cmd.DELETE_CHAIN, Cmd.NONE);
        if (arg !== undefined) chain = arg;
        else if (g.hasArg()) chain = g.take();
        break;
      case 'E':
        addCommand(Cmd.RENAME_CHAIN, Cmd.NONE);
        chain = optarg;
        if (g.hasArg()) newName = g.take();
        else throw parameterProblem('-E requires old-chain-name and new-chain-name');
        break;
      case 'P':
        addCommand(Cmd.SET_POLICY, Cmd.NONE);
        chain = optarg;
        if (g.hasArg()) policy = g.take();
        else throw parameterProblem('-P requires a chain and a policy');
        break;
      case 'h':
        throw parameterProblem('help is not available in this emulation');
      case 'V':
        throw new VersionRequest(invert);
      case 'p': {
        setOption(Opt.PROTOCOL);
        protocolText = optarg.toLowerCase();
        const num = parseProtocol(optarg);
        if (num === 0 && invert) throw parameterProblem('rule would never match protocol');
        protocol = num === 0 ? undefined : { num, invert };
        break;
      }
      case 's':
        setOption(Opt.SOURCE);
        srcText = optarg;
        invSrc = invert;
        break;
      case 'd':
        setOption(Opt.DESTINATION);
        dstText = optarg;
        invDst = invert;
        break;
      case 'g':
        setOption(Opt.JUMP);
        goto = true;
        jumpTo = parseTargetName(optarg);
        break;
      case 'j': {
        setOption(Opt.JUMP);
        jumpTo = parseTargetName(optarg);
        standard = STANDARD_TARGETS.has(jumpTo);
        target = loadTarget(jumpTo);
        break;
      }
      case 'i':
        if (optarg === '') throw parameterProblem('Empty interface is likely to be undesired');
        setOption(Opt.VIANAMEIN);
        inIface = parseInterface(optarg, invert);
        break;
      case 'o':
        if (optarg === '') throw parameterProblem('Empty interface is likely to be undesired');
        setOption(Opt.VIANAMEOUT);
        outIface = parseInterface(optarg, invert);
        break;
      case 'f':
        setOption(Opt.FRAGMENT);
        fragment = { invert };
        break;
      case 'v':
        if (!(options & Opt.VERBOSE)) setOption(Opt.VERBOSE);
        break;
      case 'w':
      case 'W':
        // The xtables lock: nothing else runs at the same time here, so there is nothing to wait for.
        if (arg === undefined && g.hasArg()) g.take();
        break;
      case 'm': {
        if (invert) throw parameterProblem('unexpected ! flag before --match');
        const m = loadMatch(optarg);
        if (!m) throw parameterProblem(`Couldn't load match \`${optarg}':No such file or directory\n`);
        matches.push(m);
        break;
      }
      case 'n':
        setOption(Opt.NUMERIC);
        break;
      case 't':
        if (invert) throw parameterProblem('unexpected ! flag before --table');
        table = optarg;
        break;
      case 'x':
        setOption(Opt.EXPANDED);
        break;
      case '0':
        setOption(Opt.LINENUMBERS);
        break;
      case 'M':
        break;
      case 'c': {
        setOption(Opt.COUNTERS);
        const comma = optarg.indexOf(',', 1);
        let bytesText: string | undefined = comma >= 0 ? optarg.slice(comma + 1) : undefined;
        if (bytesText === undefined && g.hasArg()) bytesText = g.take();
        if (bytesText === undefined) throw parameterProblem('-c requires packet and byte counter');
        const pk = comma >= 0 ? optarg.slice(0, comma) : optarg;
        if (!/^\d+/.test(pk)) throw parameterProblem('-c packet counter not numeric');
        if (!/^\d+/.test(bytesText)) throw parameterProblem('-c byte counter not numeric');
        counters = { packets: Number.parseInt(pk, 10), bytes: Number.parseInt(bytesText, 10) };
        break;
      }
      case '4':
        break;
      case '6':
        throw bareProblem('This is the IPv4 version of iptables.');
      case '\u0001':
        if (optarg === '!') {
          if (invert) throw parameterProblem('multiple consecutive ! not allowed');
          invert = true;
          continue;
        }
        throw bareProblem(`Bad argument \`${optarg}'`);
      default: {
        if (code.startsWith('x:')) {
          const [, who, name] = code.split(':') as [string, string, string];
          const ext: TargetExtension | MatchExtension = who === 't' ? target! : matches[Number(who.slice(1))]!;
          const opt = ext.options.find((o) => o.name === name)!;
          if (invert && !opt.invertible) throw parameterProblem(`${ext.name}: option "--${name}" cannot be inverted.\n`);
          ext.parse(name, optarg, invert, ctx);
          break;
        }
        // command_default: try loading the protocol's match, then read the word again.
        if (code === '?' && protocolText !== undefined && !protoUsed && protocol !== undefined) {
          const name = protocolMatchName(protocol.num);
          const m = name === undefined ? undefined : loadMatch(name);
          if (m) {
            protoUsed = true;
            matches.push(m);
            g.optind--;
            continue;
          }
        }
        const word = argv[g.optind - 1] ?? '';
        if (code === ':') throw parameterProblem(`option "${word}" requires an argument`);
        throw parameterProblem(`unknown option "${word}"`);
      }
    }
    invert = false;
  }

  if (table === 'nat' && (policy === 'DROP' || jumpTo === 'DROP')) {
    throw parameterProblem('\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n');
  }
  for (const m of matches) m.finalCheck();
  target?.finalCheck();
  if (g.optind < argv.length) throw parameterProblem('unknown arguments found on commandline');
  if (!command) throw parameterProblem('no command specified');
  if (invert) throw parameterProblem('nothing appropriate following !');

  const ruleCommand = (command & (Cmd.REPLACE | Cmd.INSERT | Cmd.DELETE | Cmd.APPEND | Cmd.CHECK)) !== 0;
  if (ruleCommand) {
    srcText ??= '0.0.0.0/0';
    dstText ??= '0.0.0.0/0';
  }
  const srcs = srcText === undefined ? [] : parseAddressList(srcText);
  const dsts = dstText === undefined ? [] : parseAddressList(dstText);
  if ((srcs.length > 1 || dsts.length > 1) && (invSrc || invDst)) throw parameterProblem('! not allowed with multiple source or destination IP addresses');
  if (command === Cmd.REPLACE && (srcs.length !== 1 || dsts.length !== 1)) throw parameterProblem('Replacement rule does not specify a unique address');
  genericOptionCheck(command, options);

  return {
    table, command, chain, ruleNumber, newName, policy, options, counters,
    rule: {
      srcs, dsts, invSrc, invDst, inIface, outIface, protocol, fragment,
      matches: matches.map((m) => m.spec()), jumpTo, goto, target, standard,
    },
  };
}

/** `iptables -V` (`! -V` answers "Not 1.8.4 (legacy) ;-)"). */
export class VersionRequest {
  constructor(readonly inverted: boolean) {}
}

function cmdChar(bits: number): string {
  let i = 0;
  for (let b = bits; b > 1; b >>>= 1) i++;
  return CMD_CHARS[i]!;
}

function optChar(bit: number): string {
  let i = 0;
  for (let b = bit; b > 1; b >>>= 1) i++;
  return OPT_CHARS[i]!;
}

/** generic_opt_check: an option is legal when any given command allows it. */
function genericOptionCheck(command: number, options: number): void {
  for (let i = 0; i < OPT_CHARS.length; i++) {
    if (!(options & (1 << i))) continue;
    let legal = 0;
    for (let j = 0; j < COMMANDS_V_OPTIONS.length; j++) {
      if (!(command & (1 << j))) continue;
      if (COMMANDS_V_OPTIONS[j]![i] !== 'x') legal = 1;
      else if (legal === 0) legal = -1;
    }
    if (legal === -1) throw parameterProblem(`Illegal option \`-${OPT_CHARS[i]}' with this command\n`);
  }
}
