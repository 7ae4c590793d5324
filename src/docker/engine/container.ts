/**
 * A container as the daemon keeps it (moby container.Container): its configuration from
 * `docker create`/`run`, its state (created, running, exited) with the times of each change,
 * the networks it is attached to with their per-network settings, its files, and its output.
 * The DockerEngine changes it; everything else reads it.
 */
import type { Nanos } from '../../sim';
import type { MemoryFiles, ProcessHandle } from '../../userland';
import type { Endpoint } from '../libnetwork/endpoint';
import type { Sandbox } from '../libnetwork/sandbox';
import type { Image } from './images';
import type { DnsConfig, SandboxDns } from './resolv-conf';

/** `--network` as given: "default" (nothing given), bridge, host, none, container:x, or a user network. */
export type NetworkMode = string;

/** One network the container is (to be) attached to (network.EndpointSettings). */
export interface EndpointSettings {
  /** The network's ID (a network's name may be reused; its ID not). */
  networkId: string;
  /** The name it was attached under. */
  networkName: string;
  /** --ip / --ip as IPAMConfig.IPv4Address ("" = none). */
  ipv4Address: string;
  /** --network-alias / --alias, plus the short ID on user-defined networks (19.03). */
  aliases: string[];
  /** While running: the endpoint. */
  endpoint: Endpoint | undefined;
}

export interface ContainerConfig {
  readonly image: Image;
  /** The image reference as typed (`docker ps` IMAGE, Config.Image). */
  readonly imageRef: string;
  /** Entrypoint and Cmd as the container will run them. */
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  /** Whether Cmd came from the command line (inspect shows it either way). */
  readonly hostname: string;
  readonly domainname: string;
  readonly env: readonly string[];
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  readonly autoRemove: boolean;
  readonly networkMode: NetworkMode;
  readonly dns: DnsConfig;
  readonly labels: Readonly<Record<string, string>>;
}

export type ContainerStatus = 'created' | 'running' | 'exited' | 'removing';

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export class Container {
  readonly id: string;
  /** Without the leading slash. */
  name: string;
  readonly created: Nanos;
  readonly config: ContainerConfig;
  /** The ID of the container's read-write layer (overlay2 directory names in inspect). */
  readonly layerId: string;
  /** Attached networks by network name, in the order they were connected. */
  readonly networks = new Map<string, EndpointSettings>();

  status: ContainerStatus = 'created';
  startedAt: Nanos | undefined = undefined;
  finishedAt: Nanos | undefined = undefined;
  exitCode = 0;
  /** State.Error: why the last start failed. */
  error = '';
  pid = 0;
  restartCount = 0;
  /** The sandbox while running. */
  sandbox: Sandbox | undefined = undefined;
  /** /etc/hosts, /etc/resolv.conf, /etc/hostname as the container sees them. */
  files: MemoryFiles | undefined = undefined;
  dns: SandboxDns | undefined = undefined;
  /** The main process while running. */
  mainProcess: ProcessHandle | undefined = undefined;
  /** Exec'd processes still running (killed when the container stops). */
  readonly execs = new Set<ProcessHandle>();
  /** What the main process wrote (`docker logs`). */
  readonly logs: OutputChunk[] = [];
  /** Listeners of the main process's output and exit (an attached `docker run`). */
  readonly outputListeners = new Set<(chunk: OutputChunk) => void>();
  readonly exitListeners = new Set<(code: number) => void>();
  /** Stops the embedded DNS server of the sandbox, if one runs. */
  stopDns: (() => void) | undefined = undefined;

  constructor(id: string, name: string, created: Nanos, config: ContainerConfig, layerId: string) {
    this.id = id;
    this.layerId = layerId;
    this.name = name;
    this.created = created;
    this.config = config;
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** The command as `docker ps` shows it (before quoting): Path and Args joined by spaces. */
  get path(): string {
    return this.commandLine[0] ?? '';
  }

  get args(): string[] {
    return this.commandLine.slice(1);
  }

  /** Entrypoint followed by Cmd. */
  get commandLine(): string[] {
    return [...(this.config.entrypoint ?? []), ...(this.config.cmd ?? [])];
  }
}
