/**
 * `docker network create/ls/inspect/rm/prune/connect/disconnect` (CLI cli/command/network,
 * 19.03), wired to the engine's controller and the formatters of network-create/ls/inspect.
 */
import { UsageError } from '../../userland';
import { DaemonError, formatDaemonError } from '../daemon-error';
import { isPredefinedNetworkName } from '../libnetwork/network-controller';
import { buildNetworkResource } from '../network-resource';
import type { NetworkResource } from '../network-resource';
import type { Network } from '../libnetwork/network';
import { CliSession, isNotFound, noSuch } from './cli-session';
import type { CommandResult } from './cli-session';
import type { CommandSpec } from './command-line';
import { buildNetworkCreateRequest, networkCreateCommand } from './network-create';
import { formatNetworkInspect, NETWORK_INSPECT_COMMAND, networkResourceJson } from './network-inspect';
import { filterNetworks, formatNetworkLs, NETWORK_LS_COMMAND } from './network-ls';
import { executeInspectTemplate } from './inspect-template';

export const NETWORK_RM_COMMAND: CommandSpec = {
  path: 'docker network rm',
  useLine: 'docker network rm NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  args: { min: 1 },
  flags: [],
};

export const NETWORK_PRUNE_COMMAND: CommandSpec = {
  path: 'docker network prune',
  useLine: 'docker network prune [OPTIONS]',
  short: 'Remove all unused networks',
  args: 'none',
  flags: [
    { name: 'force', shorthand: 'f', kind: 'bool' },
    { name: 'filter', kind: 'filter' },
  ],
};

export const NETWORK_CONNECT_COMMAND: CommandSpec = {
  path: 'docker network connect',
  useLine: 'docker network connect [OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: { exact: 2 },
  flags: [
    { name: 'alias', kind: 'stringSlice' },
    { name: 'ip', kind: 'string' },
    { name: 'ip6', kind: 'string' },
    { name: 'link', kind: 'list' },
    { name: 'link-local-ip', kind: 'stringSlice' },
    { name: 'driver-opt', kind: 'stringSlice' },
  ],
};

export const NETWORK_DISCONNECT_COMMAND: CommandSpec = {
  path: 'docker network disconnect',
  useLine: 'docker network disconnect [OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: { exact: 2 },
  flags: [{ name: 'force', shorthand: 'f', kind: 'bool' }],
};

const NETWORK_USAGE = `
Usage:  docker network COMMAND

Manage networks

Commands:
  connect     Connect a container to a network
  create      Create a network
  disconnect  Disconnect a container from a network
  inspect     Display detailed information on one or more networks
  ls          List networks
  prune       Remove all unused networks
  rm          Remove one or more networks

Run 'docker network COMMAND --help' for more information on a command.
`;

function resource(sess: CliSession, n: Network): NetworkResource {
  return buildNetworkResource(n, sess.engine.wallTime(0), sess.engine.profile);
}

function create(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(networkCreateCommand(sess.engine.profile.version), argv);
  if (!p) return undefined;
  const r = buildNetworkCreateRequest(p.flags, p.args);
  if (!r.ok) {
    sess.fail(r.stderr, r.exitCode);
    return undefined;
  }
  try {
    const n = sess.engine.controller.createNetwork(r.request);
    sess.out(`${n.id}\n`);
    sess.exit(0);
  } catch (e) {
    sess.failWith(e);
  }
  return undefined;
}

function ls(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_LS_COMMAND, argv);
  if (!p) return undefined;
  const { engine } = sess;
  let list: NetworkResource[];
  try {
    list = filterNetworks(engine.controller.networks().map((n) => resource(sess, n)), p.flags.pairs('filter'), engine.profile);
  } catch (e) {
    sess.failWith(e);
    return undefined;
  }
  const out = formatNetworkLs(list, {
    quiet: p.flags.bool('quiet'),
    noTrunc: p.flags.bool('no-trunc'),
    format: p.flags.string('format'),
  }, engine.profile);
  if (out.ok) {
    sess.out(out.stdout);
    sess.exit(0);
  } else {
    sess.fail(out.stderr, out.exitCode);
  }
  return undefined;
}

function inspect(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_INSPECT_COMMAND, argv);
  if (!p) return undefined;
  if (p.flags.bool('verbose')) throw new UsageError('cnmlab does not emulate "docker network inspect --verbose" (swarm services) yet');
  const found: NetworkResource[] = [];
  const errors: string[] = [];
  for (const term of p.args) {
    try {
      found.push(resource(sess, sess.engine.controller.findNetwork(term)));
    } catch (e) {
      if (isNotFound(e)) errors.push(noSuch('network', term));
      else if (e instanceof DaemonError) errors.push(formatDaemonError(e));
      else throw e;
    }
  }
  const format = p.flags.string('format');
  if (format !== '') {
    for (const n of found) {
      const r = executeInspectTemplate(format, networkResourceJson(n, sess.engine.profile));
      if (!r.ok) {
        sess.fail(`Template parsing error: ${r.error}`);
        return undefined;
      }
      sess.out(`${r.output}\n`);
    }
  } else {
    sess.out(formatNetworkInspect(found, sess.engine.profile));
  }
  if (errors.length > 0) sess.fail(errors.join('\n'));
  else sess.exit(0);
  return undefined;
}

function rm(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_RM_COMMAND, argv);
  if (!p) return undefined;
  let status = 0;
  for (const name of p.args) {
    try {
      sess.engine.controller.removeNetwork(name);
      sess.out(`${name}\n`);
    } catch (e) {
      if (isNotFound(e)) sess.err(`${noSuch('network', name)}\n`);
      else if (e instanceof DaemonError) sess.err(`${formatDaemonError(e)}\n`);
      else throw e;
      status = 1;
    }
  }
  sess.exit(status);
  return undefined;
}

function prune(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_PRUNE_COMMAND, argv);
  if (!p) return undefined;
  if (p.flags.pairs('filter').length > 0) throw new UsageError('cnmlab does not emulate "docker network prune --filter" yet');
  if (!p.flags.bool('force')) {
    // PromptForConfirmation reads the answer from stdin, which a scenario step does not have.
    sess.out('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
    sess.exit(0);
    return undefined;
  }
  const { controller } = sess.engine;
  const deleted: string[] = [];
  for (const n of controller.networks()) {
    if (isPredefinedNetworkName(n.name) || n.endpoints().length > 0) continue;
    try {
      controller.removeNetwork(n.id);
      deleted.push(n.name);
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
    }
  }
  if (deleted.length > 0) sess.out(`Deleted Networks:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
  sess.exit(0);
  return undefined;
}

function connect(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_CONNECT_COMMAND, argv);
  if (!p) return undefined;
  for (const f of ['ip6', 'link', 'link-local-ip', 'driver-opt']) {
    if (p.flags.changed(f)) throw new UsageError(`cnmlab does not emulate "docker network connect --${f}" yet`);
  }
  const [network, container] = p.args as [string, string];
  try {
    const c = sess.engine.getContainer(container);
    sess.engine.connectNetwork(c, network, {
      ...(p.flags.changed('ip') ? { ipv4Address: p.flags.string('ip') } : {}),
      aliases: p.flags.strings('alias'),
    });
    sess.exit(0);
  } catch (e) {
    sess.failWith(e);
  }
  return undefined;
}

function disconnect(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(NETWORK_DISCONNECT_COMMAND, argv);
  if (!p) return undefined;
  const [network, container] = p.args as [string, string];
  try {
    const c = sess.engine.getContainer(container);
    sess.engine.disconnectNetwork(c, network, p.flags.bool('force'));
    sess.exit(0);
  } catch (e) {
    sess.failWith(e);
  }
  return undefined;
}

const SUBCOMMANDS: Readonly<Record<string, (sess: CliSession, argv: readonly string[]) => CommandResult>> = {
  create, ls, list: ls, inspect, rm, remove: rm, prune, connect, disconnect,
};

/** `docker network SUBCOMMAND …`. */
export function dockerNetwork(sess: CliSession, argv: readonly string[]): CommandResult {
  const sub = argv[0];
  if (sub === undefined || sub === '--help' || sub === '-h') {
    sess.out(NETWORK_USAGE);
    sess.exit(0);
    return undefined;
  }
  const run = SUBCOMMANDS[sub];
  if (!run) {
    // cobra: an unknown subcommand of a command group prints its usage and fails.
    sess.fail(`docker network: '${sub}' is not a docker network command.\nSee 'docker network --help'`);
    return undefined;
  }
  return run(sess, argv.slice(1));
}
