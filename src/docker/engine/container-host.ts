/**
 * What the Docker Engine needs from the machine it runs on, beyond libnetwork's HostDataplane:
 * the namespaces behind netns handles, the host's own files and hostname, a way to start a
 * process in a container (the userland programs), and the embedded DNS server. The scenario
 * layer implements it over a machine of its world; tests implement it over bare namespaces.
 */
import type { Rng } from '../../sim';
import type { NetworkNamespace } from '../../stack';
import type { ProcessHandle, ProgramIo, VirtualFiles } from '../../userland';
import type { NetnsHandle } from '../libnetwork/host-dataplane';
import type { Image } from './images';
import type { ExternalResolver } from './resolv-conf';
import type { SandboxDnsNames } from './sandbox-dns-names';

/** Where a process runs: a container's namespace, files and hostname, and its image's programs. */
export interface ProcessContext {
  /** The container's image: what its PATH holds (Image.ipTool). */
  readonly image: Image;
  readonly ns: NetworkNamespace;
  readonly files: VirtualFiles;
  readonly hostname: string;
  /** The process's own stream (ports, query IDs). */
  readonly rng: Rng;
}

/** The outcome of starting a program: it runs, or there is no such program. */
export type StartResult =
  | { readonly started: true; readonly handle: ProcessHandle | undefined }
  | { readonly started: false };

/** How a container's embedded DNS server is to behave (sandbox extDNS and ndotsSet). */
export interface EmbeddedDnsConfig {
  /** Where names it does not know are forwarded, in order. */
  readonly external: readonly ExternalResolver[];
  /** The container's resolv.conf asks for ndots > 0 itself: single-label names are not forwarded. */
  readonly ndotsSet: boolean;
}

/**
 * Starts the embedded DNS server (127.0.0.11) in a container's namespace, answering from
 * `names` and forwarding the rest as `config` says; returns the function that stops it.
 */
export type ExternalResolverStarter = (ns: NetworkNamespace, names: SandboxDnsNames, config: EmbeddedDnsConfig) => () => void;

export interface ContainerHost {
  /** The machine's hostname (`--network host` containers share it). */
  readonly hostname: string;
  /** The machine's /etc/hosts and /etc/resolv.conf (read at every container start). */
  readonly files: VirtualFiles;
  /** The stack namespace behind a libnetwork netns handle. */
  namespaceOf(handle: NetnsHandle): NetworkNamespace;
  /**
   * Starts `argv[0]` as a userland program in `ctx` (UsageError propagates); `exit` is called
   * exactly once, possibly much later in simulated time.
   */
  startProcess(ctx: ProcessContext, argv: readonly string[], io: ProgramIo, exit: (code: number) => void): StartResult;
  /**
   * Starts the embedded DNS server (127.0.0.11) in a container's namespace; returns the function
   * that stops it. Undefined when the host has no DNS server to offer (tests).
   */
  readonly startEmbeddedDns?: ExternalResolverStarter;
}
