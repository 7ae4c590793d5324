/**
 * One iptables table (filter or nat) of a namespace: its chains, their rules and counters, and
 * the operations libiptc offers on them, with libiptc's errors (netfilter-error.ts).
 *
 * Chain order is libiptc's: the built-in chains in hook order, then the user-defined chains
 * sorted by name with strcmp (iptc_insert_chain keeps the list sorted), which is the order
 * `iptables -S`, `-L` and iptables-save print them in.
 *
 * `validate` is what the kernel checks when a new table blob is committed (translate_table,
 * mark_source_chains, xt_check_target/xt_check_match): no jump loops, each target only in
 * the table and hooks it is made for (MASQUERADE only reachable from nat POSTROUTING, REJECT
 * only in filter INPUT/FORWARD/OUTPUT, …), and `-m tcp`/`-m udp`/`-m icmp` only on a rule that
 * says `-p` of that protocol.
 */
import { NetfilterError } from './netfilter-error';
import {
  TABLE_BUILTINS, ruleSpecKey, type BuiltinChainName, type ChainPolicy, type RuleSpec, type TableName, type TargetSpec,
} from './rule-spec';

/** A rule in a chain: its spec and the packet/byte counters `iptables -L -v` shows. */
export class XtRule {
  readonly key: string;
  packets = 0;
  bytes = 0;
  constructor(readonly spec: RuleSpec) {
    this.key = ruleSpecKey(spec);
  }
}

export class XtChain {
  rules: XtRule[] = [];
  /** Policy counters (built-in chains): packets that fell off the end of the chain. */
  packets = 0;
  bytes = 0;
  constructor(
    readonly name: string,
    /** undefined for a user-defined chain. */
    public policy: ChainPolicy | undefined,
  ) {}

  get builtin(): boolean {
    return this.policy !== undefined;
  }
}

/** The kernel's checkentry rules for targets: which table and which hooks may reach them. */
const TARGET_PLACES: Partial<Record<TargetSpec['kind'], { table: TableName; hooks: readonly BuiltinChainName[] }>> = {
  MASQUERADE: { table: 'nat', hooks: ['POSTROUTING'] },
  SNAT: { table: 'nat', hooks: ['POSTROUTING', 'INPUT'] },
  DNAT: { table: 'nat', hooks: ['PREROUTING', 'OUTPUT'] },
  REDIRECT: { table: 'nat', hooks: ['PREROUTING', 'OUTPUT'] },
  REJECT: { table: 'filter', hooks: ['INPUT', 'FORWARD', 'OUTPUT'] },
};

/** xt_check_match: the protocol a match extension requires (`-p` without `!`). */
const MATCH_PROTOCOL: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1 };

const RESERVED_LABELS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']);

export class XtTable {
  readonly name: TableName;
  #chains = new Map<string, XtChain>();

  constructor(name: TableName) {
    this.name = name;
    for (const b of TABLE_BUILTINS[name]) this.#chains.set(b, new XtChain(b, 'ACCEPT'));
  }

  /** The chain called `name`, if any. */
  chain(name: string): XtChain | undefined {
    return this.#chains.get(name);
  }

  /** Every chain in libiptc's order: built-ins in hook order, then user chains by strcmp. */
  chains(): XtChain[] {
    const builtins = TABLE_BUILTINS[this.name].map((b) => this.#chains.get(b)!);
    const user = [...this.#chains.values()].filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...builtins, ...user];
  }

  /** True when a packet through this table would see anything but ACCEPT policies. */
  get isTrivial(): boolean {
    for (const c of this.#chains.values()) if (c.rules.length > 0 || (c.policy !== undefined && c.policy !== 'ACCEPT')) return false;
    return true;
  }

  /** Rules anywhere in the table that jump or go to `name` (TC_GET_REFERENCES). */
  references(name: string): number {
    let n = 0;
    for (const c of this.#chains.values()) for (const r of c.rules) if (r.spec.target.kind === 'chain' && r.spec.target.chain === name) n++;
    return n;
  }

  /** A copy sharing the rule objects (and so their counters): what an operation starts from. */
  clone(): XtTable {
    const t = new XtTable(this.name);
    t.#chains = new Map();
    for (const [name, c] of this.#chains) {
      const copy = new XtChain(c.name, c.policy);
      copy.rules = [...c.rules];
      copy.packets = c.packets;
      copy.bytes = c.bytes;
      t.#chains.set(name, copy);
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------
  // libiptc operations

  /** TC_CREATE_CHAIN. */
  createChain(name: string): void {
    if (this.#chains.has(name) || RESERVED_LABELS.has(name)) throw new NetfilterError('EEXIST', 'create-chain');
    this.#chains.set(name, new XtChain(name, undefined));
  }

  /** TC_DELETE_CHAIN: only an empty, unreferenced user-defined chain. */
  deleteChain(name: string): void {
    const c = this.#chains.get(name);
    if (!c) throw new NetfilterError('ENOENT', 'delete-chain');
    if (c.builtin) throw new NetfilterError('EINVAL', 'delete-chain');
    // From here on iptc_fn is TC_GET_REFERENCES (see netfilter-error.ts).
    if (this.references(name) > 0) throw new NetfilterError('EMLINK', 'get-references');
    if (c.rules.length > 0) throw new NetfilterError('ENOTEMPTY', 'get-references');
    this.#chains.delete(name);
  }

  /** TC_RENAME_CHAIN: references follow the new name. */
  renameChain(oldName: string, newName: string): void {
    const c = this.#chains.get(oldName);
    if (!c) throw new NetfilterError('ENOENT', 'rename-chain');
    if (this.#chains.has(newName) || RESERVED_LABELS.has(newName)) throw new NetfilterError('EEXIST', 'rename-chain');
    if (c.builtin) throw new NetfilterError('EINVAL', 'rename-chain');
    const renamed = new XtChain(newName, undefined);
    renamed.rules = c.rules;
    this.#chains.delete(oldName);
    this.#chains.set(newName, renamed);
    for (const chain of this.#chains.values()) {
      chain.rules = chain.rules.map((r) => {
        const t = r.spec.target;
        if (t.kind !== 'chain' || t.chain !== oldName) return r;
        const moved = new XtRule({ ...r.spec, target: { kind: 'chain', chain: newName, goto: t.goto } });
        moved.packets = r.packets;
        moved.bytes = r.bytes;
        return moved;
      });
    }
  }

  /** TC_INSERT_ENTRY at a 0-based position (0 … number of rules). */
  insert(chain: string, index: number, spec: RuleSpec): void {
    const c = this.#need(chain, 'insert-entry');
    if (index > c.rules.length) throw new NetfilterError('E2BIG', 'insert-entry');
    c.rules = [...c.rules.slice(0, index), new XtRule(spec), ...c.rules.slice(index)];
  }

  /** TC_APPEND_ENTRY. */
  append(chain: string, spec: RuleSpec): void {
    const c = this.#need(chain, 'append-entry');
    c.rules = [...c.rules, new XtRule(spec)];
  }

  /** TC_REPLACE_ENTRY at a 0-based position. */
  replace(chain: string, index: number, spec: RuleSpec): void {
    const c = this.#need(chain, 'replace-entry');
    if (index >= c.rules.length) throw new NetfilterError('E2BIG', 'replace-entry');
    c.rules = c.rules.map((r, i) => (i === index ? new XtRule(spec) : r));
  }

  /** TC_DELETE_ENTRY: the first rule equal to `spec`. */
  deleteRule(chain: string, spec: RuleSpec): void {
    const c = this.#need(chain, 'delete-entry');
    const key = new XtRule(spec).key;
    const i = c.rules.findIndex((r) => r.key === key);
    if (i < 0) throw new NetfilterError('ENOENT', 'delete-entry');
    c.rules = c.rules.filter((_, j) => j !== i);
  }

  /** TC_CHECK_ENTRY (libiptc runs delete_entry without deleting, so it fails like a delete). */
  check(chain: string, spec: RuleSpec): void {
    const c = this.#need(chain, 'delete-entry');
    const key = new XtRule(spec).key;
    if (!c.rules.some((r) => r.key === key)) throw new NetfilterError('ENOENT', 'delete-entry');
  }

  /** TC_DELETE_NUM_ENTRY at a 0-based position. */
  deleteNum(chain: string, index: number): void {
    const c = this.#need(chain, 'delete-num-entry');
    if (index >= c.rules.length) throw new NetfilterError('E2BIG', 'delete-num-entry');
    c.rules = c.rules.filter((_, j) => j !== index);
  }

  /** TC_FLUSH_ENTRIES. */
  flush(chain: string): void {
    this.#need(chain, 'flush-entries').rules = [];
  }

  /** TC_ZERO_ENTRIES: the rules' counters and the policy counters. */
  zero(chain: string): void {
    const c = this.#need(chain, 'zero-entries');
    c.packets = 0;
    c.bytes = 0;
    for (const r of c.rules) {
      r.packets = 0;
      r.bytes = 0;
    }
  }

  /** TC_ZERO_COUNTER: one rule's counters (1-based, as the command line gives it). */
  zeroRule(chain: string, ruleNumber: number): void {
    const c = this.#need(chain, 'zero-counter');
    const r = c.rules[ruleNumber - 1];
    if (!r) throw new NetfilterError('E2BIG', 'zero-counter');
    r.packets = 0;
    r.bytes = 0;
  }

  /** TC_SET_POLICY: built-in chains only; ACCEPT or DROP. */
  setPolicy(chain: string, policy: string): void {
    const c = this.#chains.get(chain);
    if (!c || !c.builtin) throw new NetfilterError('ENOENT', 'set-policy');
    if (policy !== 'ACCEPT' && policy !== 'DROP') throw new NetfilterError('EINVAL', 'set-policy');
    c.policy = policy;
  }

  /**
   * The kernel's checks of a committed table; undefined when it would be accepted. EINVAL for
   * a misplaced target or match, ELOOP for a jump cycle.
   */
  validate(): NetfilterError | undefined {
    // Which hooks reach each chain (mark_source_chains), with loop detection on the DFS path.
    const hooks = new Map<string, Set<BuiltinChainName>>();
    const onPath = new Set<string>();
    let loop = false;
    const visit = (name: string, hook: BuiltinChainName): void => {
      if (loop) return;
      if (onPath.has(name)) {
        loop = true;
        return;
      }
      let set = hooks.get(name);
      if (!set) hooks.set(name, (set = new Set()));
      set.add(hook);
      const c = this.#chains.get(name);
      if (!c) return;
      onPath.add(name);
      for (const r of c.rules) if (r.spec.target.kind === 'chain') visit(r.spec.target.chain, hook);
      onPath.delete(name);
    };
    for (const b of TABLE_BUILTINS[this.name]) visit(b, b);
    if (loop) return new NetfilterError('ELOOP', 'commit');
    for (const c of this.#chains.values()) {
      const reached = hooks.get(c.name);
      for (const r of c.rules) {
        const place = TARGET_PLACES[r.spec.target.kind];
        if (place) {
          if (place.table !== this.name) {
            return new NetfilterError('EINVAL', 'commit', `${r.spec.target.kind} target: only valid in ${place.table} table, not ${this.name}`);
          }
          if (reached) for (const h of reached) {
            if (!place.hooks.includes(h)) return new NetfilterError('EINVAL', 'commit', `${r.spec.target.kind} target: used from hooks ${h}, but only usable from ${place.hooks.join('/')}`);
          }
        }
        for (const m of r.spec.matches) {
          const need = MATCH_PROTOCOL[m.kind];
          if (need !== undefined && (r.spec.protocol?.num !== need || r.spec.protocol.invert)) {
            return new NetfilterError('EINVAL', 'commit', `${m.kind} match: only valid for protocol ${need}`);
          }
        }
      }
    }
    return undefined;
  }

  #need(chain: string, fn: 'insert-entry' | 'append-entry' | 'replace-entry' | 'delete-entry' | 'delete-num-entry' | 'flush-entries' | 'zero-entries' | 'zero-counter'): XtChain {
    const c = this.#chains.get(chain);
    if (!c) throw new NetfilterError('ENOENT', fn);
    return c;
  }
}
