/**
 * Running one `iptables` command against a namespace's tables: what do_command4 and
 * iptables-standalone's main do after parsing. Rule commands check interfaces against the
 * chain (`-o` is meaningless in PREROUTING and INPUT, `-i` in POSTROUTING and OUTPUT), resolve
 * `-j` (a target extension, a standard verdict, or a chain of this table), build one rule per
 * source × destination address, and apply everything as one commit; libiptc and kernel
 * failures are reported as iptables words them (netfilter-error.ts), with exit status 1.
 *
 * `runIptables` is also the programmatic entry: the Docker engine runs the very command lines
 * libnetwork runs (`-t nat -I POSTROUTING -s … ! -o … -j MASQUERADE`) through it.
 */
import { NetfilterError, type Netfilter, type RuleSpec, type TableName, type TargetSpec, type XtTable } from '../../stack';
import { FMT_PRINT_RULE, NUMERIC_NAMES, listEntries, listRules, printFirewall, type IptablesNames } from './iptables-format';
import { Cmd, Opt, VersionRequest, parseIptables, type IptablesRequest } from './iptables-parse';
import { IPTABLES_PROGRAM, IPTABLES_VERSION, IptablesProblem, parameterProblem, versionProblem } from './iptables-problem';

export interface IptablesResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The complaint, when the command line was refused (exit 2 or 3). */
  readonly problem?: IptablesProblem;
}

/**
 * TC_STRERROR's table: (libiptc function, errno) → message; `null` matches any function.
 * Anything else is strerror(errno).
 */
const IPTC_MESSAGES: readonly (readonly [string | null, string, string])[] = [
  ['delete-chain', 'ENOTEMPTY', 'Chain is not empty'],
  ['delete-chain', 'EINVAL', "Can't delete built-in chain"],
  ['delete-chain', 'EMLINK', "Can't delete chain with references left"],
  ['create-chain', 'EEXIST', 'Chain already exists'],
  ['insert-entry', 'E2BIG', 'Index of insertion too big'],
  ['replace-entry', 'E2BIG', 'Index of replacement too big'],
  ['delete-num-entry', 'E2BIG', 'Index of deletion too big'],
  ['zero-counter', 'E2BIG', 'Index of counter too big'],
  ['insert-entry', 'ELOOP', 'Loop found in table'],
  ['insert-entry', 'EINVAL', 'Target problem'],
  ['delete-entry', 'ENOENT', 'Bad rule (does a matching rule exist in that chain?)'],
  ['set-policy', 'ENOENT', 'Bad built-in chain name'],
  ['set-policy', 'EINVAL', 'Bad policy name'],
  [null, 'ENOENT', 'No chain/target/match by that name'],
];

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  EMLINK: 'Too many links',
  ENOTEMPTY: 'Directory not empty',
  E2BIG: 'Argument list too long',
  ELOOP: 'Too many levels of symbolic links',
};

/** The stderr line iptables prints for a libiptc/kernel failure. */
export function iptcMessage(err: NetfilterError): string {
  const hit = IPTC_MESSAGES.find(([fn, errno]) => (fn === null || fn === err.fn) && errno === err.errno);
  const text = hit ? hit[2] : STRERROR[err.errno] ?? err.errno;
  return err.errno === 'EINVAL' ? `${IPTABLES_PROGRAM}: ${text}. Run \`dmesg' for more information.\n` : `${IPTABLES_PROGRAM}: ${text}.\n`;
}

const RULE_COMMANDS = Cmd.APPEND | Cmd.DELETE | Cmd.CHECK | Cmd.INSERT | Cmd.REPLACE;

/** Resolves `-j`/`-g` against the table (the chain names it has now). */
function resolveTarget(req: IptablesRequest, table: XtTable, warnings: string[]): TargetSpec | 'einval' {
  const r = req.rule;
  const name = r.jumpTo;
  if (r.target !== undefined && table.chain(name) !== undefined) warnings.push(`Warning: using chain ${name}, not extension\n`);
  if (r.target !== undefined && table.chain(name) === undefined) return r.target.spec();
  if (name === '') return { kind: 'none' };
  if (r.standard && !r.goto) return { kind: name as 'ACCEPT' | 'DROP' | 'RETURN' };
  if (table.chain(name) !== undefined) return { kind: 'chain', chain: name, goto: r.goto };
  if (r.goto) throw parameterProblem(`goto '${name}' is not a chain\n`, false);
  throw parameterProblem(`Couldn't load target \`${name}':No such file or directory\n`, false);
}

function buildRules(req: IptablesRequest, target: TargetSpec): RuleSpec[] {
  const r = req.rule;
  const out: RuleSpec[] = [];
  for (const s of r.srcs) {
    for (const d of r.dsts) {
      out.push({
        ...(s.mask !== 0 || s.addr !== 0 || r.invSrc ? { src: { addr: s.addr, mask: s.mask, invert: r.invSrc } } : {}),
        ...(d.mask !== 0 || d.addr !== 0 || r.invDst ? { dst: { addr: d.addr, mask: d.mask, invert: r.invDst } } : {}),
        ...(r.inIface ? { inIface: r.inIface } : {}),
        ...(r.outIface ? { outIface: r.outIface } : {}),
        ...(r.protocol ? { protocol: r.protocol } : {}),
        ...(r.fragment ? { fragment: r.fragment } : {}),
        matches: r.matches,
        target,
      });
    }
  }
  return out;
}

/**
 * Runs `argv` (argv[0] is the program name) against `nf`. `names` serves `-L` without `-n`
 * (default: every address numeric).
 */
export function runIptables(nf: Netfilter, argv: readonly string[], names: IptablesNames = NUMERIC_NAMES): IptablesResult {
  let stdout = '';
  const warnings: string[] = [];
  try {
    const req = parseIptables(argv);
    if (req.table !== 'filter' && req.table !== 'nat') {
      throw versionProblem(`can't initialize iptables table \`${req.table}': Table does not exist (do you need to insmod?)`);
    }
    const tableName: TableName = req.table;
    const chain = req.chain;
    const verbose = (req.options & Opt.VERBOSE) !== 0;
    const cmd = req.command;
    let specs: RuleSpec[] = [];
    if (cmd & RULE_COMMANDS) {
      if ((chain === 'PREROUTING' || chain === 'INPUT') && (req.options & Opt.VIANAMEOUT)) throw parameterProblem(`Can't use -o with ${chain}\n`);
      if ((chain === 'POSTROUTING' || chain === 'OUTPUT') && (req.options & Opt.VIANAMEIN)) throw parameterProblem(`Can't use -i with ${chain}\n`);
      const target = resolveTarget(req, nf.table(tableName), warnings);
      if (target === 'einval') throw new NetfilterError('EINVAL', 'commit', 'nat target: exactly one range required');
      specs = buildRules(req, target);
      if (verbose) for (const s of specs) stdout += printFirewall({ spec: s, packets: 0, bytes: 0 }, 0, FMT_PRINT_RULE, NUMERIC_NAMES);
    }
    const table = nf.table(tableName);
    const listOptions = {
      verbose,
      numeric: (req.options & Opt.NUMERIC) !== 0,
      expanded: (req.options & Opt.EXPANDED) !== 0,
      lineNumbers: (req.options & Opt.LINENUMBERS) !== 0,
    };
    const zeroAfter = (cmd & (Cmd.ZERO | Cmd.ZERO_NUM)) !== 0;
    switch (cmd & ~(Cmd.ZERO | Cmd.ZERO_NUM) || cmd) {
      case Cmd.LIST:
      case Cmd.LIST_RULES: {
        const text = (cmd & Cmd.LIST)
          ? listEntries(table, chain, req.ruleNumber, listOptions, names)
          : listRules(table, chain, req.ruleNumber, verbose);
        if (text === undefined) throw new NetfilterError('ENOENT', 'commit');
        stdout += text;
        if (zeroAfter) {
          nf.update(tableName, (t) => {
            if (cmd & Cmd.ZERO_NUM) t.zeroRule(chain!, req.ruleNumber);
            else for (const c of chain === undefined ? t.chains() : [t.chain(chain)!]) t.zero(c.name);
          });
        }
        break;
      }
      case Cmd.CHECK:
        for (const s of specs) table.check(chain!, s);
        break;
      default:
        nf.update(tableName, (t) => {
          stdout += apply(t, req, specs, verbose);
        });
    }
  } catch (e) {
    if (e instanceof VersionRequest) {
      return { code: 0, stdout: e.inverted ? `Not ${IPTABLES_VERSION} ;-)\n` : `${IPTABLES_PROGRAM} v${IPTABLES_VERSION}\n`, stderr: '' };
    }
    if (e instanceof IptablesProblem) return { code: e.exitCode, stdout, stderr: warnings.join('') + e.stderr, problem: e };
    if (e instanceof NetfilterError) return { code: 1, stdout, stderr: warnings.join('') + iptcMessage(e) };
    throw e;
  }
  return { code: 0, stdout, stderr: warnings.join('') };
}

/** The modifying commands, on the draft table; returns what `-v` prints. */
function apply(t: XtTable, req: IptablesRequest, specs: readonly RuleSpec[], verbose: boolean): string {
  const chain = req.chain;
  let out = '';
  const counters = (spec: RuleSpec): void => {
    if (req.counters === undefined) return;
    const c = t.chain(chain!);
    const rule = c?.rules.find((r) => r.spec === spec);
    if (rule) {
      rule.packets = req.counters.packets;
      rule.bytes = req.counters.bytes;
    }
  };
  switch (req.command) {
    case Cmd.APPEND:
      for (const s of specs) {
        t.append(chain!, s);
        counters(s);
      }
      return out;
    case Cmd.INSERT:
      for (const s of specs) {
        t.insert(chain!, req.ruleNumber - 1, s);
        counters(s);
      }
      return out;
    case Cmd.REPLACE:
      t.replace(chain!, req.ruleNumber - 1, specs[0]!);
      counters(specs[0]!);
      return out;
    case Cmd.DELETE:
      for (const s of specs) t.deleteRule(chain!, s);
      return out;
    case Cmd.DELETE_NUM:
      t.deleteNum(chain!, req.ruleNumber - 1);
      return out;
    case Cmd.FLUSH:
      for (const c of chain === undefined ? t.chains() : [chain]) {
        const name = typeof c === 'string' ? c : c.name;
        if (verbose) out += `Flushing chain \`${name}'\n`;
        t.flush(name);
      }
      return out;
    case Cmd.ZERO:
      for (const c of chain === undefined ? t.chains() : [chain]) {
        const name = typeof c === 'string' ? c : c.name;
        if (verbose) out += `Zeroing chain \`${name}'\n`;
        t.zero(name);
      }
      return out;
    case Cmd.ZERO_NUM:
      t.zeroRule(chain!, req.ruleNumber);
      return out;
    case Cmd.NEW_CHAIN:
      t.createChain(chain!);
      return out;
    case Cmd.DELETE_CHAIN: {
      if (chain !== undefined) {
        if (verbose) out += `Deleting chain \`${chain}'\n`;
        t.deleteChain(chain);
        return out;
      }
      // for_each_chain4 without built-ins: try every user chain, fail with the last error.
      let failure: NetfilterError | undefined;
      for (const c of t.chains().filter((x) => !x.builtin)) {
        if (verbose) out += `Deleting chain \`${c.name}'\n`;
        try {
          t.deleteChain(c.name);
        } catch (e) {
          if (!(e instanceof NetfilterError)) throw e;
          failure = e;
        }
      }
      if (failure) throw failure;
      return out;
    }
    case Cmd.RENAME_CHAIN:
      t.renameChain(chain!, req.newName!);
      return out;
    case Cmd.SET_POLICY:
      t.setPolicy(chain!, req.policy!);
      return out;
    default:
      throw parameterProblem('no command specified');
  }
}
