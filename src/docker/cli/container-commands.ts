/**
 * The container commands of the docker CLI (19.03): run, create, start, stop, kill, rm, ps,
 * exec, logs, inspect. Each parses its flags as the CLI does (cobra/pflag, with `run` and `exec`
 * not interspersed: what follows the image or container is the command), calls the engine,
 * and prints what the CLI prints.
 *
 * Flags Docker has but cnmlab does not emulate (port publishing, volumes, links, restart
 * policies, …) are a UsageError: the scenario is refused with a clear message rather than run
 * with the flag silently ignored.
 */
import { UsageError } from '../../userland';
import type { ProcessHandle } from '../../userland';
import { DaemonError, formatDaemonError } from '../daemon-error';
import type { Container, OutputChunk } from '../engine/container';
import { ENGINE_DEFAULTS } from '../engine/docker-engine';
import type { CreateContainerRequest } from '../engine/docker-engine';
import { buildNetworkResource } from '../network-resource';
import { networkResourceJson } from './network-inspect';
import { containerJson, formatInspect } from './container-inspect';
import { CONTAINER_PS_COMMAND, filterContainers, formatContainerPs } from './container-ps';
import { CliSession, isNotFound, noSuch } from './cli-session';
import type { CommandResult } from './cli-session';
import type { CommandSpec, FlagSpec, ParsedFlags } from './command-line';
import type { GoJson } from '../go-json';
import { executeInspectTemplate } from './inspect-template';

/** Flags of `docker run`/`create` that cnmlab does not emulate (a UsageError when given). */
const UNSUPPORTED_RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'publish', shorthand: 'p', kind: 'list' },
  { name: 'publish-all', shorthand: 'P', kind: 'bool' },
  { name: 'expose', kind: 'list' },
  { name: 'volume', shorthand: 'v', kind: 'list' },
  { name: 'mount', kind: 'list' },
  { name: 'link', kind: 'list' },
  { name: 'restart', kind: 'string' },
  { name: 'privileged', kind: 'bool' },
  { name: 'cap-add', kind: 'list' },
  { name: 'cap-drop', kind: 'list' },
  { name: 'entrypoint', kind: 'string' },
  { name: 'workdir', shorthand: 'w', kind: 'string' },
  { name: 'user', shorthand: 'u', kind: 'string' },
  { name: 'add-host', kind: 'list' },
  { name: 'mac-address', kind: 'string' },
  { name: 'ip6', kind: 'string' },
  { name: 'link-local-ip', kind: 'list' },
  { name: 'sysctl', kind: 'map' },
  { name: 'memory', shorthand: 'm', kind: 'string' },
  { name: 'cpus', kind: 'string' },
  { name: 'env-file', kind: 'list' },
  { name: 'domainname', kind: 'string' },
  { name: 'init', kind: 'bool' },
  { name: 'platform', kind: 'string' },
];

const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'detach', shorthand: 'd', kind: 'bool' },
  { name: 'interactive', shorthand: 'i', kind: 'bool' },
  { name: 'tty', shorthand: 't', kind: 'bool' },
  { name: 'name', kind: 'string' },
  { name: 'network', kind: 'string' },
  { name: 'net', kind: 'string' },
  { name: 'network-alias', kind: 'list' },
  { name: 'net-alias', kind: 'list' },
  { name: 'ip', kind: 'string' },
  { name: 'hostname', shorthand: 'h', kind: 'string' },
  { name: 'dns', kind: 'list' },
  { name: 'dns-search', kind: 'list' },
  { name: 'dns-option', kind: 'list' },
  { name: 'dns-opt', kind: 'list' },
  { name: 'env', shorthand: 'e', kind: 'list' },
  { name: 'label', shorthand: 'l', kind: 'list' },
  { name: 'rm', kind: 'bool' },
  ...UNSUPPORTED_RUN_FLAGS,
];

export const CONTAINER_RUN_COMMAND: CommandSpec = {
  path: 'docker run',
  useLine: 'docker run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Run a command in a new container',
  args: { min: 1 },
  interspersed: false,
  flags: RUN_FLAGS,
};

export const CONTAINER_CREATE_COMMAND: CommandSpec = {
  path: 'docker create',
  useLine: 'docker create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  args: { min: 1 },
  interspersed: false,
  flags: RUN_FLAGS.filter((f) => f.name !== 'detach' && f.name !== 'rm').concat([{ name: 'rm', kind: 'bool' }]),
};

export const CONTAINER_START_COMMAND: CommandSpec = {
  path: 'docker start',
  useLine: 'docker start [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  args: { min: 1 },
  flags: [
    { name: 'attach', shorthand: 'a', kind: 'bool' },
    { name: 'interactive', shorthand: 'i', kind: 'bool' },
  ],
};

export const CONTAINER_STOP_COMMAND: CommandSpec = {
  path: 'docker stop',
  useLine: 'docker stop [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  args: { min: 1 },
  flags: [{ name: 'time', shorthand: 't', kind: 'string', validate: (v) => (/^-?\d+$/.test(v) ? undefined : `strconv.ParseInt: parsing "${v}": invalid syntax`) }],
};

export const CONTAINER_KILL_COMMAND: CommandSpec = {
  path: 'docker kill',
  useLine: 'docker kill [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  args: { min: 1 },
  flags: [{ name: 'signal', shorthand: 's', kind: 'string' }],
};

export const CONTAINER_RM_COMMAND: CommandSpec = {
  path: 'docker rm',
  useLine: 'docker rm [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  args: { min: 1 },
  flags: [
    { name: 'force', shorthand: 'f', kind: 'bool' },
    { name: 'link', shorthand: 'l', kind: 'bool' },
    { name: 'volumes', shorthand: 'v', kind: 'bool' },
  ],
};

export const CONTAINER_EXEC_COMMAND: CommandSpec = {
  path: 'docker exec',
  useLine: 'docker exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Run a command in a running container',
  args: { min: 2 },
  interspersed: false,
  flags: [
    { name: 'detach', shorthand: 'd', kind: 'bool' },
    { name: 'interactive', shorthand: 'i', kind: 'bool' },
    { name: 'tty', shorthand: 't', kind: 'bool' },
    { name: 'env', shorthand: 'e', kind: 'list' },
    { name: 'user', shorthand: 'u', kind: 'string' },
    { name: 'workdir', shorthand: 'w', kind: 'string' },
    { name: 'privileged', kind: 'bool' },
  ],
};

export const CONTAINER_LOGS_COMMAND: CommandSpec = {
  path: 'docker logs',
  useLine: 'docker logs [OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  args: { exact: 1 },
  flags: [
    { name: 'follow', shorthand: 'f', kind: 'bool' },
    { name: 'tail', kind: 'string' },
    { name: 'timestamps', shorthand: 't', kind: 'bool' },
    { name: 'details', kind: 'bool' },
    { name: 'since', kind: 'string' },
    { name: 'until', kind: 'string' },
  ],
};

export const INSPECT_COMMAND: CommandSpec = {
  path: 'docker inspect',
  useLine: 'docker inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  args: { min: 1 },
  flags: [
    { name: 'format', shorthand: 'f', kind: 'string' },
    { name: 'size', shorthand: 's', kind: 'bool' },
    { name: 'type', kind: 'string' },
  ],
};

function refuseUnsupported(cmd: string, flags: ParsedFlags): void {
  for (const f of UNSUPPORTED_RUN_FLAGS) {
    if (flags.changed(f.name)) {
      throw new UsageError(`cnmlab does not emulate "${cmd} --${f.name}"${f.shorthand ? ` (-${f.shorthand})` : ''} yet`);
    }
  }
}

/** The request `docker run`/`create` sends, from its flags and arguments. */
function createRequest(sess: CliSession, cmd: string, flags: ParsedFlags, args: readonly string[], detach: boolean): CreateContainerRequest {
  refuseUnsupported(cmd, flags);
  const image = args[0]!;
  if (!sess.engine.images.get(image)) {
    throw new UsageError(
      `Unable to find image '${image.includes(':') ? image : `${image}:latest`}' locally: cnmlab has no registry to pull from; `
      + `the images it knows are ${sess.engine.images.names().join(', ')}; declare others under "images:" in the scenario`);
  }
  const network = flags.changed('network') ? flags.string('network') : flags.string('net');
  if (network.startsWith('container:')) throw new UsageError(`cnmlab does not emulate "${cmd} --network container:<name>" yet`);
  // A bare `-e VAR` takes the value from the CLI's environment, which cnmlab's terminal does not have.
  const env = flags.strings('env').filter((e) => e.includes('='));
  const labels: Record<string, string> = {};
  for (const l of flags.strings('label')) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return {
    ...(flags.changed('name') ? { name: flags.string('name') } : {}),
    image,
    cmd: args.slice(1),
    ...(flags.changed('hostname') ? { hostname: flags.string('hostname') } : {}),
    env,
    tty: flags.bool('tty'),
    openStdin: flags.bool('interactive'),
    attachStdout: !detach,
    attachStderr: !detach,
    autoRemove: flags.bool('rm'),
    ...(network !== '' ? { network } : {}),
    ...(flags.changed('ip') ? { ipv4Address: flags.string('ip') } : {}),
    aliases: [...flags.strings('network-alias'), ...flags.strings('net-alias')],
    dns: { servers: flags.strings('dns'), search: flags.strings('dns-search'), options: [...flags.strings('dns-option'), ...flags.strings('dns-opt')] },
    labels,
  };
}

/** run.go reportError: "docker: <msg>." and, for create errors, the help hint. */
function reportRunError(sess: CliSession, e: unknown, withHelp: boolean, code: number): void {
  if (!(e instanceof DaemonError)) throw e;
  let text = `${formatDaemonError(e).replace(/\.$/, '')}.`;
  if (withHelp) text += "\nSee 'docker run --help'.";
  sess.fail(`docker: ${text}`, code);
}

/** run.go runStartContainerErr: 127 for a missing executable, 126 for EACCES, else 125. */
function startErrorStatus(e: unknown): number {
  const msg = e instanceof Error ? e.message : '';
  if (msg.includes('executable file not found') || msg.includes('no such file or directory')) return 127;
  if (msg.includes('permission denied')) return 126;
  return 125;
}

/** Streams a container's output to the CLI until it exits; the CLI then exits with its status. */
function attach(sess: CliSession, c: Container, onExit: (code: number) => void): ProcessHandle {
  const listener = (chunk: OutputChunk) => (chunk.stream === 'stdout' ? sess.out(chunk.text) : sess.err(chunk.text));
  c.outputListeners.add(listener);
  const exitListener = (code: number) => {
    c.outputListeners.delete(listener);
    onExit(code);
  };
  c.exitListeners.add(exitListener);
  return {
    kill: () => {
      c.outputListeners.delete(listener);
      c.exitListeners.delete(exitListener);
    },
  };
}

export function dockerRun(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_RUN_COMMAND, argv);
  if (!p) return undefined;
  const detach = p.flags.bool('detach');
  const req = createRequest(sess, 'docker run', p.flags, p.args, detach);
  const engine = sess.engine;
  let c: Container;
  try {
    c = engine.createContainer(req);
  } catch (e) {
    reportRunError(sess, e, true, 125);
    return undefined;
  }
  if (detach) {
    try {
      engine.startContainer(c);
    } catch (e) {
      reportRunError(sess, e, false, startErrorStatus(e));
      return undefined;
    }
    sess.out(`${c.id}\n`);
    sess.exit(0);
    return undefined;
  }
  // Attached: the CLI attaches before it starts the container, so nothing is missed.
  const handle = attach(sess, c, (code) => {
    if (req.autoRemove && engine.findContainer(c.id)) engine.removeContainer(c, true);
    sess.exit(code);
  });
  try {
    engine.startContainer(c);
  } catch (e) {
    handle.kill();
    if (req.autoRemove && engine.findContainer(c.id)) engine.removeContainer(c, true);
    reportRunError(sess, e, false, startErrorStatus(e));
    return undefined;
  }
  return handle;
}

export function dockerCreate(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_CREATE_COMMAND, argv);
  if (!p) return undefined;
  const req = createRequest(sess, 'docker create', p.flags, p.args, true);
  try {
    const c = sess.engine.createContainer(req);
    sess.out(`${c.id}\n`);
    sess.exit(0);
  } catch (e) {
    sess.failWith(e);
  }
  return undefined;
}

export function dockerStart(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_START_COMMAND, argv);
  if (!p) return undefined;
  const engine = sess.engine;
  if (p.flags.bool('attach')) {
    if (p.args.length > 1) {
      sess.fail('you cannot start and attach multiple containers at once');
      return undefined;
    }
    let c: Container;
    try {
      c = engine.getContainer(p.args[0]!);
    } catch (e) {
      sess.failWith(e);
      return undefined;
    }
    if (c.running) {
      sess.exit(0);
      return undefined;
    }
    const handle = attach(sess, c, (code) => sess.exit(code));
    try {
      engine.startContainer(c);
    } catch (e) {
      handle.kill();
      sess.failWith(e);
      return undefined;
    }
    return handle;
  }
  const failed: string[] = [];
  for (const name of p.args) {
    try {
      engine.startContainer(engine.getContainer(name));
      sess.out(`${name}\n`);
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      sess.err(`${formatDaemonError(e)}\n`);
      failed.push(name);
    }
  }
  if (failed.length > 0) sess.fail(`Error: failed to start containers: ${failed.join(', ')}`);
  else sess.exit(0);
  return undefined;
}

export function dockerStop(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_STOP_COMMAND, argv);
  if (!p) return undefined;
  const engine = sess.engine;
  const timeout = p.flags.changed('time') ? Number(p.flags.string('time')) : ENGINE_DEFAULTS.stopTimeout;
  // The CLI stops them in parallel and reports in argument order once each is done.
  const results: ({ ok: true } | { ok: false; error: string } | undefined)[] = p.args.map(() => undefined);
  let next = 0;
  const report = (): void => {
    while (next < results.length && results[next] !== undefined) {
      const r = results[next]!;
      if (r.ok) sess.out(`${p.args[next]!}\n`);
      next++;
    }
    if (next === results.length) {
      const errors = results.flatMap((r) => (r && !r.ok ? [r.error] : []));
      if (errors.length > 0) sess.fail(errors.join('\n'));
      else sess.exit(0);
    }
  };
  p.args.forEach((name, i) => {
    let c: Container;
    try {
      c = engine.getContainer(name);
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      results[i] = { ok: false, error: formatDaemonError(e) };
      return;
    }
    engine.stopContainer(c, timeout, () => {
      results[i] = { ok: true };
      report();
    });
  });
  report();
  return sess.done ? undefined : { kill() {} };
}

export function dockerKill(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_KILL_COMMAND, argv);
  if (!p) return undefined;
  const signal = p.flags.string('signal', 'KILL').toUpperCase().replace(/^SIG/, '');
  if (signal !== 'KILL' && signal !== '9') throw new UsageError(`cnmlab's containers only take SIGKILL from "docker kill" (asked: ${signal})`);
  const errors: string[] = [];
  for (const name of p.args) {
    try {
      sess.engine.killContainer(sess.engine.getContainer(name));
      sess.out(`${name}\n`);
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      errors.push(formatDaemonError(e));
    }
  }
  if (errors.length > 0) sess.fail(errors.join('\n'));
  else sess.exit(0);
  return undefined;
}

export function dockerRm(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_RM_COMMAND, argv);
  if (!p) return undefined;
  const errors: string[] = [];
  for (const raw of p.args) {
    const name = raw.replace(/^\/+|\/+$/g, '');
    if (name === '') {
      errors.push('Container name cannot be empty');
      continue;
    }
    try {
      sess.engine.removeContainer(sess.engine.getContainer(name), p.flags.bool('force'));
      sess.out(`${raw}\n`);
    } catch (e) {
      if (isNotFound(e)) errors.push(noSuch('container', name));
      else if (e instanceof DaemonError) errors.push(formatDaemonError(e));
      else throw e;
    }
  }
  if (errors.length > 0) sess.fail(errors.join('\n'));
  else sess.exit(0);
  return undefined;
}

export function dockerPs(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_PS_COMMAND, argv);
  if (!p) return undefined;
  const engine = sess.engine;
  let list: Container[];
  try {
    list = filterContainers(engine, p.flags.bool('all'), p.flags.pairs('filter'));
  } catch (e) {
    sess.failWith(e);
    return undefined;
  }
  if (p.flags.bool('latest')) list = list.slice(0, 1);
  if (p.flags.changed('last')) {
    const n = Number(p.flags.string('last'));
    if (Number.isInteger(n) && n > 0) list = engine.containers().slice(0, n);
  }
  const out = formatContainerPs(engine, list, {
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

export function dockerExec(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_EXEC_COMMAND, argv);
  if (!p) return undefined;
  for (const f of ['user', 'workdir', 'privileged']) {
    if (p.flags.changed(f)) throw new UsageError(`cnmlab does not emulate "docker exec --${f}" yet`);
  }
  const engine = sess.engine;
  let c: Container;
  try {
    // exec.go: a dummy inspect first, so that "no such container" wins.
    c = engine.getContainer(p.args[0]!);
  } catch (e) {
    if (isNotFound(e)) sess.fail(noSuch('container', p.args[0]!));
    else sess.failWith(e);
    return undefined;
  }
  const cmd = p.args.slice(1);
  const detach = p.flags.bool('detach');
  let handle: ProcessHandle | undefined;
  try {
    handle = engine.exec(c, cmd, {
      stdout: (t) => { if (!detach) sess.out(t); },
      stderr: (t) => { if (!detach) sess.err(t); },
    }, (code) => { if (!detach) sess.exit(code); }, { openStdin: p.flags.bool('interactive') });
  } catch (e) {
    if (e instanceof DaemonError && e.message.startsWith('OCI runtime exec failed')) {
      // The daemon writes a failed exec's error into the attached stream (exec start router).
      sess.out(`${e.message}\r\n`);
      sess.exit(127);
      return undefined;
    }
    sess.failWith(e);
    return undefined;
  }
  if (detach) {
    sess.exit(0);
    return undefined;
  }
  return sess.done ? undefined : handle ?? { kill() {} };
}

export function dockerLogs(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(CONTAINER_LOGS_COMMAND, argv);
  if (!p) return undefined;
  for (const f of ['timestamps', 'since', 'until', 'details']) {
    if (p.flags.changed(f)) throw new UsageError(`cnmlab does not emulate "docker logs --${f}" yet`);
  }
  let c: Container;
  try {
    c = sess.engine.getContainer(p.args[0]!);
  } catch (e) {
    if (isNotFound(e)) sess.fail(noSuch('container', p.args[0]!));
    else sess.failWith(e);
    return undefined;
  }
  let chunks = c.logs;
  if (p.flags.changed('tail') && p.flags.string('tail') !== 'all') {
    const n = Number(p.flags.string('tail'));
    // --tail counts lines; a chunk is a write, which for the emulated programs is whole lines.
    const lines: OutputChunk[] = [];
    for (const ch of chunks) for (const l of ch.text.split(/(?<=\n)/)) if (l !== '') lines.push({ stream: ch.stream, text: l });
    chunks = Number.isInteger(n) && n >= 0 ? lines.slice(Math.max(0, lines.length - n)) : lines;
  }
  for (const ch of chunks) (ch.stream === 'stdout' ? sess.out(ch.text) : sess.err(ch.text));
  if (p.flags.bool('follow') && c.running) return attach(sess, c, () => sess.exit(0));
  sess.exit(0);
  return undefined;
}

export function dockerInspect(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(INSPECT_COMMAND, argv);
  if (!p) return undefined;
  const engine = sess.engine;
  const type = p.flags.string('type');
  if (!['', 'container', 'network'].includes(type)) {
    if (['image', 'volume', 'node', 'service', 'task', 'plugin', 'secret', 'config'].includes(type)) {
      throw new UsageError(`cnmlab's "docker inspect" knows containers and networks, not type ${type}`);
    }
    sess.fail(`"${type}" is not a valid value for --type`);
    return undefined;
  }
  const objects: GoJson[] = [];
  const errors: string[] = [];
  for (const term of p.args) {
    let found: GoJson | undefined;
    if (type === '' || type === 'container') {
      const c = engine.findContainer(term);
      if (c) found = containerJson(engine, c);
    }
    if (found === undefined && (type === '' || type === 'network')) {
      try {
        const n = engine.controller.findNetwork(term);
        found = networkResourceJson(buildNetworkResource(n, engine.wallTime(0), engine.profile), engine.profile);
      } catch (e) {
        if (!(e instanceof DaemonError)) throw e;
      }
    }
    if (found === undefined) errors.push(noSuch(type === 'container' ? 'container' : type === 'network' ? 'network' : 'object', term));
    else objects.push(found);
  }
  const format = p.flags.string('format');
  if (format !== '') {
    for (const o of objects) {
      const r = executeInspectTemplate(format, o);
      if (!r.ok) {
        sess.fail(`Template parsing error: ${r.error}`);
        return undefined;
      }
      sess.out(`${r.output}\n`);
    }
  } else {
    sess.out(formatInspect(objects));
  }
  if (errors.length > 0) sess.fail(errors.join('\n'));
  else sess.exit(0);
  return undefined;
}
