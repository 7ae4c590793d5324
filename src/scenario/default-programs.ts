/**
 * The programs every machine of a run started from the command line knows: what
 * `cnmlab run` and `cnmlab validate` use. Each layer that provides commands contributes a
 * ProgramInstaller here.
 *
 * - userland: busybox's basics (echo, cat, hostname, sleep, arp, true, false), iproute2 (ip,
 *   bridge, brctl), the network tools (ping, traceroute, nslookup, dig, nc) and iptables, on
 *   every host and router.
 *
 * - docker: on every host with `docker: true` (the default), a Docker Engine
 *   (docker/docker-host.ts) and its `docker` command; its engine profile, images and start
 *   time come from the scenario, its randomness from the stream `docker:<host>`.
 */
import {
  registerBasicPrograms, registerIproute2, registerIptables, registerNetTools,
} from '../userland';
import { installDockerHost, wallTimeFromUnixNanos } from '../docker';
import type { ProgramInstaller } from './world';

/** The userland of a Linux machine (and of an alpine container, once Docker exists). */
export const installUserland: ProgramInstaller = (registry, _machine, world) => {
  registerBasicPrograms(registry);
  registerIproute2(registry);
  registerNetTools(registry, { start: world.scenario.start });
  registerIptables(registry);
};

/** The Docker Engine of a Docker host. */
export const installDocker: ProgramInstaller = (registry, machine, world) => {
  if (machine.kind !== 'host' || !machine.docker) return;
  installDockerHost({
    machine: machine.machine,
    files: machine.files,
    registry,
    rng: world.rng.fork(`docker:${machine.name}`),
    start: wallTimeFromUnixNanos(world.scenario.start),
    engine: world.scenario.engine,
    images: [...world.scenario.images.values()].map((i) => ({ name: i.name, listen: i.listen })),
  });
};

export function defaultPrograms(): readonly ProgramInstaller[] {
  return [installUserland, installDocker];
}
