/**
 * `docker info` (CLI cli/command/system/info.go prettyPrintInfo, 19.03 layout): the lines that
 * describe what cnmlab emulates. Container counts, the server version of the engine profile,
 * the network drivers that exist (bridge, host, null), swarm state, the host's name.
 *
 * Heads up: a real `docker info` also reports the kernel, the OS, CPUs, memory, the storage
 * backend, containerd/runc versions and security options; cnmlab has none of those to report,
 * so it leaves those lines out rather than invent them.
 */
import { UsageError } from '../../userland';
import type { DockerEngine } from '../engine/docker-engine';
import { ENGINE_SERVER_VERSION } from '../engine/docker-engine';
import type { CliSession, CommandResult } from './cli-session';
import type { CommandSpec } from './command-line';

export const INFO_COMMAND: CommandSpec = {
  path: 'docker info',
  useLine: 'docker info [OPTIONS]',
  short: 'Display system-wide information',
  args: 'none',
  flags: [{ name: 'format', shorthand: 'f', kind: 'string' }],
};

/** The text of `docker info` for `engine` on host `name`. */
export function formatDockerInfo(engine: DockerEngine, name: string): string {
  const all = engine.containers();
  const running = all.filter((c) => c.status === 'running').length;
  const drivers = ['bridge', 'host', 'null'].filter((d) => engine.controller.driver(d) !== undefined);
  return [
    'Client:',
    ' Debug Mode: false',
    '',
    'Server:',
    ` Containers: ${all.length}`,
    `  Running: ${running}`,
    '  Paused: 0',
    `  Stopped: ${all.length - running}`,
    ` Images: ${engine.imagesInUse()}`,
    ` Server Version: ${ENGINE_SERVER_VERSION[engine.profile.version]}`,
    ' Storage Driver: overlay2',
    ' Logging Driver: json-file',
    ' Plugins:',
    '  Volume: local',
    `  Network: ${drivers.join(' ')}`,
    ' Swarm: inactive',
    ' Runtimes: runc',
    ' Default Runtime: runc',
    ` Name: ${name}`,
    ' Docker Root Dir: /var/lib/docker',
    ' Debug Mode: false',
    ' Registry: https://index.docker.io/v1/',
    ' Labels:',
    ' Experimental: false',
    ' Insecure Registries:',
    '  127.0.0.0/8',
    ' Live Restore Enabled: false',
    '',
  ].join('\n');
}

export function dockerInfo(sess: CliSession, argv: readonly string[]): CommandResult {
  const p = sess.parse(INFO_COMMAND, argv);
  if (!p) return undefined;
  if (p.flags.changed('format')) throw new UsageError('cnmlab does not emulate "docker info --format" yet');
  sess.out(formatDockerInfo(sess.engine, sess.engine.host.hostname));
  sess.exit(0);
  return undefined;
}
