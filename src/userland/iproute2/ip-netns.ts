/**
 * `ip netns` (ip/ipnetns.c): list, add, delete, exec.
 *
 * `ip netns list` prints the names in /var/run/netns order (creation order, as tmpfs lists
 * them on current kernels), each followed by " (id: N)" when the namespace `ip` runs in has an
 * id for it (ids are assigned when a device pair first spans the two namespaces). Errors are
 * the file-system ones iproute2 reports, e.g. `Cannot create namespace file
 * "/var/run/netns/c1": File exists`.
 *
 * `ip netns exec NS CMD…` runs another program of the machine in NS; its output is ours and its
 * exit status is ours.
 */
import { UsageError } from '../usage-error';
import type { ProcessHandle } from '../program';
import { matches } from './command-line';
import { CommandFailed } from './kernel-errors';
import type { IpContext } from './ip-context';

const NETNS_RUN_DIR = '/var/run/netns';

/** What a sub-command did: an exit status now, or a started process that will exit. */
export type IpOutcome = number | { readonly started: ProcessHandle | void };

function invalidName(name: string): boolean {
  return name === '' || name.includes('/') || name === '.' || name === '..';
}

export function ipNetns(ctx: IpContext, words: readonly string[], exit: (code: number) => void): IpOutcome {
  if (words.length === 0) return list(ctx);
  const w = words[0]!;
  if (words.length > 1 && invalidName(words[1]!)) throw new UsageError(`Invalid netns name "${words[1]}"`);
  if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst')) return list(ctx);
  if (matches(w, 'list-id')) throw new UsageError('cnmlab: "ip netns list-id" is not emulated');
  if (matches(w, 'help')) throw new UsageError('cnmlab: "ip netns help" is not emulated (see ip-netns(8))');
  if (matches(w, 'add')) return add(ctx, words.slice(1));
  if (matches(w, 'set')) throw new UsageError('cnmlab: "ip netns set" is not emulated');
  if (matches(w, 'delete')) return del(ctx, words.slice(1));
  if (matches(w, 'identify') || matches(w, 'pids') || matches(w, 'monitor') || matches(w, 'attach')) {
    throw new UsageError(`cnmlab: "ip netns ${w}" is not emulated`);
  }
  if (matches(w, 'exec')) return exec(ctx, words.slice(1), exit);
  throw new UsageError(`Command "${w}" is unknown, try "ip netns help".`);
}

function list(ctx: IpContext): number {
  const m = ctx.machine;
  let out = '';
  for (const name of m.listedNamespaces()) {
    const ns = m.namespace(name)!;
    const id = m.nsid(ctx.ns, ns);
    out += id === undefined ? `${name}\n` : `${name} (id: ${id})\n`;
  }
  ctx.io.stdout(out);
  return 0;
}

function add(ctx: IpContext, words: readonly string[]): number {
  if (words.length < 1) throw new UsageError('No netns name specified');
  if (words.length > 1) throw new UsageError(`cnmlab: "ip netns add NAME ID" is not emulated`);
  const name = words[0]!;
  if (ctx.machine.namespace(name) !== undefined) {
    throw new CommandFailed(`Cannot create namespace file "${NETNS_RUN_DIR}/${name}": File exists\n`, 1);
  }
  ctx.machine.addNamespace(name);
  return 0;
}

function del(ctx: IpContext, words: readonly string[]): number {
  if (words.length < 1) throw new UsageError('No netns name specified');
  const name = words[0]!;
  const ns = ctx.machine.namespace(name);
  if (ns === undefined || !ctx.machine.isListed(ns)) {
    throw new CommandFailed(`Cannot remove namespace file "${NETNS_RUN_DIR}/${name}": No such file or directory\n`, 1);
  }
  ctx.machine.deleteNamespace(name);
  return 0;
}

function exec(ctx: IpContext, words: readonly string[], exit: (code: number) => void): IpOutcome {
  if (words.length < 1) throw new UsageError('No netns name specified');
  if (words.length < 2) throw new UsageError('No command specified');
  const name = words[0]!;
  const ns = ctx.machine.namespace(name);
  if (ns === undefined || !ctx.machine.isListed(ns)) {
    throw new CommandFailed(`Cannot open network namespace "${name}": No such file or directory\n`, 1);
  }
  const argv = words.slice(1);
  const program = ctx.env.programs.lookup(argv[0]!);
  if (program === undefined) throw new CommandFailed(`exec of "${argv[0]}" failed: No such file or directory\n`, 1);
  const env = { ...ctx.env, ns, rng: ctx.env.rng.fork(`netns-exec:${name}`) };
  return { started: program(argv, env, ctx.io, exit) };
}
