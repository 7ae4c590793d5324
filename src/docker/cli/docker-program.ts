/**
 * The `docker` command of a Docker host: the CLI's top level (cmd/docker), dispatching to the
 * container, network and system commands, bound to that host's engine. Registered in a host's
 * ProgramRegistry like any userland program: `docker exec c1 ping c2` is this program starting
 * busybox's ping in c1's namespace.
 *
 * Management-command forms (`docker container ls`, `docker container run`, …) reach the same
 * code as the classic top-level ones.
 */
import type { Program, ProgramRegistry } from '../../userland';
import type { DockerEngine } from '../engine/docker-engine';
import { CliSession } from './cli-session';
import type { CommandResult } from './cli-session';
import {
  dockerCreate, dockerExec, dockerInspect, dockerKill, dockerLogs, dockerPs, dockerRm, dockerRun, dockerStart, dockerStop,
} from './container-commands';
import { dockerInfo } from './docker-info';
import { dockerNetwork } from './network-commands';

type Command = (sess: CliSession, argv: readonly string[]) => CommandResult;

const TOP_LEVEL: Readonly<Record<string, Command>> = {
  run: dockerRun,
  create: dockerCreate,
  start: dockerStart,
  stop: dockerStop,
  kill: dockerKill,
  rm: dockerRm,
  ps: dockerPs,
  exec: dockerExec,
  logs: dockerLogs,
  inspect: dockerInspect,
  info: dockerInfo,
  network: dockerNetwork,
};

/** `docker container SUB` → the top-level command (ls/list are ps, remove is rm). */
const CONTAINER_SUBCOMMANDS: Readonly<Record<string, Command>> = {
  run: dockerRun,
  create: dockerCreate,
  start: dockerStart,
  stop: dockerStop,
  kill: dockerKill,
  rm: dockerRm,
  remove: dockerRm,
  ls: dockerPs,
  list: dockerPs,
  ps: dockerPs,
  exec: dockerExec,
  logs: dockerLogs,
  inspect: (sess, argv) => dockerInspect(sess, ['--type', 'container', ...argv]),
};

const USAGE = `
Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Management Commands:
  container   Manage containers
  network     Manage networks

Commands:
  create      Create a new container
  exec        Run a command in a running container
  info        Display system-wide information
  inspect     Return low-level information on Docker objects
  kill        Kill one or more running containers
  logs        Fetch the logs of a container
  ps          List containers
  rm          Remove one or more containers
  run         Run a command in a new container
  start       Start one or more stopped containers
  stop        Stop one or more running containers

Run 'docker COMMAND --help' for more information on a command.
`;

/** The `docker` program of a host whose daemon is `engine`. */
export function createDockerProgram<N, S>(engine: DockerEngine): Program<N, S> {
  return (argv, env, io, exit) => {
    const sess = new CliSession(engine, env.scheduler, io, exit);
    const args = argv.slice(1);
    const name = args[0];
    if (name === undefined || name === '--help' || name === '-h') {
      sess.out(USAGE);
      sess.exit(0);
      return undefined;
    }
    if (name === 'container') {
      const sub = args[1];
      const run = sub === undefined ? undefined : CONTAINER_SUBCOMMANDS[sub];
      if (!run) {
        sess.fail(sub === undefined
          ? "\"docker container\" requires a subcommand.\nSee 'docker container --help'."
          : `docker container: '${sub}' is not a docker container command.\nSee 'docker container --help'`);
        return undefined;
      }
      return run(sess, args.slice(2));
    }
    const run = TOP_LEVEL[name];
    if (!run) {
      // cmd/docker: an unknown command.
      sess.fail(`docker: '${name}' is not a docker command.\nSee 'docker --help'`);
      return undefined;
    }
    return run(sess, args.slice(1));
  };
}

/** Registers `docker` in a host's registry. */
export function registerDockerProgram<N, S>(registry: ProgramRegistry<N, S>, engine: DockerEngine): void {
  registry.register('docker', createDockerProgram<N, S>(engine));
}
