/**
 * A Docker host: a machine (the stack's host kernel) with a Docker Engine on it. Installing one
 * builds the engine over the machine (MachineDataplane: bridges, veth pairs, namespaces,
 * iptables, br_netfilter), creates the predefined networks (docker0 appears in `ip link` at
 * once, as on a host where dockerd has started), and registers `docker` in the host's terminal.
 *
 * A container's processes run the programs of an alpine container (busybox's ping, nslookup,
 * nc, hostname, cat, sleep, ip, …, and iptables) in the container's namespace, with its /etc
 * files and hostname, and the host kernel as their machine (`ip link` in a container lists the
 * container namespace's devices). Images differ in their `ip` only (Image.ipTool): busybox's
 * in alpine and busybox, iproute2's in debian and ubuntu. The host itself keeps iproute2.
 */
import type { Rng } from '../sim';
import { assertNever } from '../wire';
import type { Machine, NetworkNamespace } from '../stack';
import {
  ProgramRegistry, registerBasicPrograms, registerBusyboxIp, registerIproute2, registerIptables, registerNetTools,
} from '../userland';
import type { ProgramEnv, VirtualFiles } from '../userland';
import { MachineDataplane } from './dataplane/machine-dataplane';
import type { EngineVersion } from './engine-profile';
import { engineProfile } from './engine-profile';
import type { ContainerHost, ExternalResolverStarter } from './engine/container-host';
import { startEmbeddedDns } from './embedded-dns';
import { DockerEngine } from './engine/docker-engine';
import type { Image, ImageIpTool, ImageListen } from './engine/images';
import { registerDockerProgram } from './cli/docker-program';
import type { WallTime } from './wall-clock';

export interface DockerHostOptions {
  readonly machine: Machine;
  /** The host's /etc files (resolv.conf is copied into default-bridge containers). */
  readonly files: VirtualFiles;
  /** The host terminal's programs: `docker` is registered here. */
  readonly registry: ProgramRegistry<NetworkNamespace, Machine>;
  /** The engine's own stream (e.g. the world's `docker:<host>` fork). */
  readonly rng: Rng;
  /** Wall-clock time at simulated t=0 ("Created" stamps). */
  readonly start: WallTime;
  readonly engine?: EngineVersion;
  /** A scenario's `images:`. */
  readonly images?: readonly { readonly name: string; readonly listen: readonly ImageListen[] }[];
  /** The programs of a container of an image (default: programsOfContainer, see the file comment). */
  readonly containerPrograms?: (image: Image) => ProgramRegistry<NetworkNamespace, Machine>;
  /** Starts the embedded DNS server in a container (default: embedded-dns's server). */
  readonly embeddedDns?: ExternalResolverStarter;
}

/**
 * The programs a container has (busybox and the tools SCENARIOS.md lists), with the `ip` its
 * image has: busybox's applet (alpine, busybox) or iproute2's (debian, ubuntu).
 */
export function programsOfContainer(ipTool: ImageIpTool, start?: bigint): ProgramRegistry<NetworkNamespace, Machine> {
  const r = new ProgramRegistry<NetworkNamespace, Machine>();
  registerBasicPrograms(r);
  switch (ipTool) {
    case 'busybox':
      registerBusyboxIp(r);
      break;
    case 'iproute2':
      registerIproute2(r);
      break;
    default:
      assertNever(ipTool, 'ip tool');
  }
  registerIptables(r);
  registerNetTools(r, start === undefined ? {} : { start });
  return r;
}

function wallToUnixNanos(t: WallTime): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos);
}

/**
 * Docker's resolver in a container: upstreams as the sandbox found them, host-loopback ones
 * contacted from the host's namespace. When no upstream answers, 19.03's resolver sends no reply
 * at all; later Engines answer SERVFAIL.
 */
function embeddedDnsStarter(machine: Machine, rng: Rng, version: EngineVersion | undefined): ExternalResolverStarter {
  const noAnswer = engineProfile(version).version === '19.03' ? 'none' : 'servfail';
  return (ns, names, config) => {
    const server = startEmbeddedDns(ns, names, {
      rng: rng.fork(ns.name),
      upstreams: config.external,
      hostNamespace: machine.root,
      ndotsSet: config.ndotsSet,
      noAnswer,
    });
    return () => server.stop();
  };
}

/** Builds the engine on `options.machine` and registers `docker`; returns the engine. */
export function installDockerHost(options: DockerHostOptions): DockerEngine {
  const { machine } = options;
  const dataplane = new MachineDataplane({ machine, files: options.files });
  const start = wallToUnixNanos(options.start);
  const byTool = new Map<ImageIpTool, ProgramRegistry<NetworkNamespace, Machine>>();
  const programsOf = options.containerPrograms ?? ((image: Image) => {
    let r = byTool.get(image.ipTool);
    if (r === undefined) {
      r = programsOfContainer(image.ipTool, start);
      byTool.set(image.ipTool, r);
    }
    return r;
  });
  const scheduler = machine.root.scheduler;
  const host: ContainerHost = {
    get hostname() {
      return machine.hostname;
    },
    files: options.files,
    namespaceOf: (handle) => dataplane.namespaceOf(handle),
    startProcess(ctx, argv, io, exit) {
      const programs = programsOf(ctx.image);
      const program = programs.lookup(argv[0] ?? '');
      if (!program) return { started: false };
      const env: ProgramEnv<NetworkNamespace, Machine> = {
        scheduler,
        rng: ctx.rng,
        ns: ctx.ns,
        machine,
        files: ctx.files,
        hostname: ctx.hostname,
        programs,
      };
      return { started: true, handle: program(argv, env, io, exit) ?? undefined };
    },
    startEmbeddedDns: options.embeddedDns ?? embeddedDnsStarter(machine, options.rng.fork('dns'), options.engine),
  };
  const engine = new DockerEngine({
    profile: engineProfile(options.engine),
    scheduler,
    rng: options.rng,
    start: options.start,
    dataplane,
    host,
    ...(options.images ? { images: options.images } : {}),
  });
  registerDockerProgram(options.registry, engine);
  return engine;
}
