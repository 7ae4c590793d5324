/**
 * The Docker Engine of one host (dockerd): libnetwork's controller with the null, host and
 * bridge drivers and the predefined networks, the image store, and the containers with their
 * lifecycle. Its methods are the Engine API's operations; they throw DaemonError with the
 * daemon's messages, and the docker CLI (cli/docker-command.ts) formats them.
 *
 * Container lifecycle (moby daemon/start.go, container_operations.go, libnetwork):
 * - create: name (given, or adjective_surname), ID, configuration; the network to attach to is
 *   recorded, nothing is allocated.
 * - start: for each recorded network an endpoint (an address from IPAM), the sandbox (a
 *   namespace of the host) on the first one, join (eth0, eth1, … appear; the default route
 *   goes via the gateway endpoint); /etc/hosts gets the container's address, /etc/resolv.conf
 *   is written; on a user-defined network the embedded DNS server starts. Then PID 1 runs.
 * - PID 1 exits (or is killed): the sandbox is deleted (every endpoint leaves and is deleted,
 *   addresses go back to IPAM), the container is Exited (code). With --rm it is removed.
 * - stop: SIGTERM, then SIGKILL after the timeout (10 s). No cnmlab program handles SIGTERM as
 *   PID 1 (Linux ignores signals PID 1 has no handler for), so a stop always takes the whole
 *   timeout of simulated time and ends with status 137, as `docker stop` of a sleeping alpine
 *   container does.
 * - network connect/disconnect on a running container add/remove an interface at once; on a
 *   stopped one they only change what the next start attaches.
 */
import { formatIpv4, parseIpv4 } from '../../wire';
import type { Nanos, Rng, Scheduler } from '../../sim';
import { MemoryFiles, UsageError } from '../../userland';
import type { ProcessHandle, ProgramIo } from '../../userland';
import { DaemonError } from '../daemon-error';
import type { EngineProfile } from '../engine-profile';
import { IdGenerator, shortId } from '../ids';
import { parseGoIpv4 } from '../go-net';
import type { Endpoint, EndpointOptions } from '../libnetwork/endpoint';
import type { HostDataplane } from '../libnetwork/host-dataplane';
import { DAEMON_NETWORK_DEFAULTS, NetworkController } from '../libnetwork/network-controller';
import type { DaemonNetworkConfig } from '../libnetwork/network-controller';
import type { Network } from '../libnetwork/network';
import { HostDriver, NullDriver } from '../libnetwork/single-network-driver';
import { BridgeDriver } from '../drivers/bridge-driver';
import { wallTimeAt } from '../wall-clock';
import type { WallTime } from '../wall-clock';
import { Container } from './container';
import type { ContainerConfig, EndpointSettings, OutputChunk } from './container';
import type { ContainerHost, ProcessContext } from './container-host';
import { startContainerProcess } from './container-init';
import { generateContainerName } from './container-names';
import { addHostsRecords, buildHostsFile, deleteHostsRecords, hostnameRecord } from './etc-hosts';
import { ImageStore } from './images';
import type { ImageListen } from './images';
import { NO_DNS_CONFIG, rebuildSandboxDns, setupSandboxDns, updateSandboxDns } from './resolv-conf';
import type { DnsConfig } from './resolv-conf';
import { SandboxDnsNames } from './sandbox-dns-names';

/**
 * ENGINE_DEFAULTS: dockerd's defaults that show in behaviour.
 * - `stopTimeout`: `docker stop -t` default, 10 s (container.DefaultStopTimeout).
 * - `firstPid`: cnmlab numbers container processes from here (State.Pid); a real host's PIDs
 *   depend on everything else it runs.
 */
export const ENGINE_DEFAULTS = {
  stopTimeout: 10,
  firstPid: 2000,
} as const;

/** Version strings `docker version`/`info` report for each profile. */
export const ENGINE_SERVER_VERSION: Readonly<Record<EngineProfile['version'], string>> = {
  '19.03': '19.03.15',
  '29': '29.0.0',
};

export interface DockerEngineOptions {
  /** The host's name (container processes of `--network host` see it). */
  readonly profile: EngineProfile;
  readonly scheduler: Scheduler;
  /** The engine's own stream; every component forks it by name. */
  readonly rng: Rng;
  /** Wall-clock time at simulated t=0. */
  readonly start: WallTime;
  readonly dataplane: HostDataplane;
  readonly host: ContainerHost;
  /** Images a scenario declares under `images:`. */
  readonly images?: readonly { readonly name: string; readonly listen: readonly ImageListen[] }[];
  readonly daemon?: Partial<DaemonNetworkConfig>;
}

/** What `docker create`/`run` asks for (container.Config + HostConfig + NetworkingConfig). */
export interface CreateContainerRequest {
  readonly name?: string;
  readonly image: string;
  /** Arguments after the image: they replace the image's Cmd. */
  readonly cmd?: readonly string[];
  readonly hostname?: string;
  readonly env?: readonly string[];
  readonly tty?: boolean;
  readonly openStdin?: boolean;
  readonly attachStdout?: boolean;
  readonly attachStderr?: boolean;
  readonly autoRemove?: boolean;
  /** --network; absent = "default" (the default bridge). */
  readonly network?: string;
  /** --ip. */
  readonly ipv4Address?: string;
  /** --network-alias. */
  readonly aliases?: readonly string[];
  readonly dns?: DnsConfig;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `docker network connect` options (network.EndpointSettings). */
export interface ConnectRequest {
  readonly ipv4Address?: string;
  readonly aliases?: readonly string[];
}

/** runconfig's errors for network settings. */
const ERR_CONFLICT_SHARED_NETWORK = 'container sharing network namespace with another container or host cannot be connected to any other network';
const ERR_CONFLICT_NO_NETWORK = 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
/** moby daemon/names.go validContainerNamePattern. */
const VALID_CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class DockerEngine {
  readonly profile: EngineProfile;
  readonly controller: NetworkController;
  readonly images: ImageStore;
  readonly bridgeDriver: BridgeDriver;
  readonly #scheduler: Scheduler;
  readonly #start: WallTime;
  readonly #host: ContainerHost;
  readonly #containerIds: IdGenerator;
  readonly #nameRng: Rng;
  readonly #layerIds: Rng;
  readonly #processRng: Rng;
  readonly #containers = new Map<string, Container>();
  #nextPid: number = ENGINE_DEFAULTS.firstPid;
  /** Images some container was created from (what a real host would have pulled). */
  readonly #pulled = new Set<string>();
  #execCount = 0;

  constructor(options: DockerEngineOptions) {
    this.profile = options.profile;
    this.#scheduler = options.scheduler;
    this.#start = options.start;
    this.#host = options.host;
    const rng = options.rng;
    this.#containerIds = new IdGenerator(rng.fork('containers'));
    this.#nameRng = rng.fork('names');
    this.#layerIds = rng.fork('layers');
    this.#processRng = rng.fork('processes');
    this.images = new ImageStore(rng.fork('images'), options.images ?? []);
    this.controller = new NetworkController({
      profile: options.profile,
      ids: new IdGenerator(rng.fork('ids')),
      dataplane: options.dataplane,
      now: () => this.#scheduler.now,
    });
    this.controller.registerDriver(new NullDriver());
    this.controller.registerDriver(new HostDriver());
    this.bridgeDriver = new BridgeDriver({ dataplane: options.dataplane, profile: options.profile, rng: rng.fork('bridge') });
    this.controller.registerDriver(this.bridgeDriver);
    this.controller.createDefaultNetworks({ ...DAEMON_NETWORK_DEFAULTS, ...options.daemon });
  }

  /** Simulated time now. */
  get now(): Nanos {
    return this.#scheduler.now;
  }

  /** The wall-clock time of simulated instant `t`. */
  wallTime(t: Nanos): WallTime {
    return wallTimeAt(this.#start, t);
  }

  get host(): ContainerHost {
    return this.#host;
  }

  // ---------------------------------------------------------------------------------------
  // Lookup

  /** Containers, newest first (the daemon's list order: by creation). */
  containers(): Container[] {
    return [...this.#containers.values()].reverse();
  }

  /**
   * daemon.GetContainer: a full ID, a name (with or without "/"), or a unique ID prefix.
   * Throws DaemonError notFound "No such container: X".
   */
  getContainer(term: string): Container {
    const c = this.findContainer(term);
    if (!c) throw new DaemonError('notFound', `No such container: ${term}`);
    return c;
  }

  findContainer(term: string): Container | undefined {
    if (term === '') return undefined;
    const byId = this.#containers.get(term);
    if (byId) return byId;
    const name = term.startsWith('/') ? term.slice(1) : term;
    for (const c of this.#containers.values()) if (c.name === name) return c;
    const matches = [...this.#containers.values()].filter((c) => c.id.startsWith(term));
    if (matches.length > 1) throw new DaemonError('invalidParameter', `Multiple IDs found with provided prefix: ${term}`);
    return matches[0];
  }

  // ---------------------------------------------------------------------------------------
  // Containers

  /** POST /containers/create. */
  createContainer(req: CreateContainerRequest): Container {
    const image = this.images.get(req.image);
    if (!image) throw new DaemonError('notFound', `No such image: ${req.image.includes(':') ? req.image : `${req.image}:latest`}`);
    if (image.listen.length > 0) {
      // Listening applications need TCP (HTTP), which the stack does not emulate yet.
      const what = image.listen.map((l) => `${l.proto}/${l.port} ${l.app}`).join(', ');
      throw new UsageError(`image ${image.name} listens on ${what}, and cnmlab cannot run listening applications yet`);
    }
    if (req.name !== undefined && req.name !== '') {
      if (!VALID_CONTAINER_NAME.test(req.name)) {
        throw new DaemonError('invalidParameter', `Invalid container name (${req.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      }
      const name = req.name.replace(/^\//, '');
      const holder = [...this.#containers.values()].find((c) => c.name === name);
      if (holder) {
        throw new DaemonError('conflict',
          `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    }
    if (req.ipv4Address !== undefined && req.ipv4Address !== '' && parseGoIpv4(req.ipv4Address) === undefined) {
      throw new DaemonError('invalidParameter', `invalid IPv4 address: ${req.ipv4Address}`);
    }
    const networkMode = req.network === undefined || req.network === '' ? 'default' : req.network;
    if (networkMode.startsWith('container:')) {
      throw new DaemonError('notImplemented', 'cnmlab does not emulate --network container:<name> yet');
    }
    this.#pulled.add(image.name);
    const id = this.#containerIds.randomId();
    const name = req.name !== undefined && req.name !== ''
      ? req.name.replace(/^\//, '')
      : generateContainerName(this.#nameRng, (n) => [...this.#containers.values()].some((c) => c.name === n), shortId(id));
    const hostname = networkMode === 'host' ? this.#host.hostname : (req.hostname ?? '') !== '' ? req.hostname! : shortId(id);
    const config: ContainerConfig = {
      image,
      imageRef: req.image,
      entrypoint: image.entrypoint,
      cmd: req.cmd !== undefined && req.cmd.length > 0 ? [...req.cmd] : image.cmd,
      hostname,
      domainname: '',
      env: [...image.env, ...(req.env ?? [])],
      tty: req.tty ?? false,
      openStdin: req.openStdin ?? false,
      attachStdout: req.attachStdout ?? false,
      attachStderr: req.attachStderr ?? false,
      autoRemove: req.autoRemove ?? false,
      networkMode,
      dns: req.dns ?? NO_DNS_CONFIG,
      labels: req.labels ?? {},
    };
    const c = new Container(id, name, this.now, config, this.#layerIds.hex(64));
    // The network the container will be attached to, under the name it was given
    // (runconfig: "default" is the default bridge).
    const netName = networkMode === 'default' ? 'bridge' : networkMode;
    c.networks.set(netName, {
      networkId: '',
      networkName: netName,
      ipv4Address: req.ipv4Address ?? '',
      aliases: [...(req.aliases ?? [])],
      endpoint: undefined,
    });
    this.#containers.set(id, c);
    return c;
  }

  /**
   * POST /containers/{id}/start. `io` receives PID 1's output as it is written (an attached
   * `docker run`); it is also kept for `docker logs`. A running container is left alone.
   */
  startContainer(c: Container): void {
    if (c.status === 'running') return;
    if (c.status === 'removing') throw new DaemonError('conflict', `container ${c.id} is marked for removal and cannot be started`);
    try {
      this.#allocateNetwork(c);
    } catch (e) {
      this.#releaseNetwork(c);
      if (e instanceof DaemonError) c.error = e.message;
      throw e;
    }
    const ctx = this.#processContext(c, 'main');
    c.status = 'running';
    c.startedAt = this.now;
    c.finishedAt = undefined;
    c.error = '';
    c.pid = this.#nextPid++;
    let exited = false;
    const io: ProgramIo = {
      stdout: (text) => this.#output(c, { stream: 'stdout', text }),
      stderr: (text) => this.#output(c, { stream: 'stderr', text }),
    };
    const exit = (code: number): void => {
      if (exited) return;
      exited = true;
      // The exit is an event of its own: PID 1 may exit while it is being started.
      this.#scheduler.schedule(0, () => this.#onMainExit(c, code));
    };
    let result;
    try {
      result = startContainerProcess(this.#host, ctx, c.commandLine, c.config.openStdin, io, exit);
    } catch (e) {
      c.status = 'created';
      c.startedAt = undefined;
      c.pid = 0;
      this.#releaseNetwork(c);
      throw e;
    }
    if (!result.started) {
      // runc: the OCI runtime cannot find PID 1's executable; the container stays Created.
      exited = true;
      c.status = c.restartCount > 0 || c.finishedAt !== undefined ? 'exited' : 'created';
      c.startedAt = undefined;
      c.pid = 0;
      c.exitCode = 127;
      this.#releaseNetwork(c);
      const msg = `OCI runtime create failed: container_linux.go:349: starting container process caused "exec: \\"${c.path}\\": executable file not found in $PATH": unknown`;
      c.error = msg;
      throw new DaemonError('internal', msg);
    }
    c.mainProcess = result.handle;
  }

  /**
   * POST /containers/{id}/stop: SIGTERM, then SIGKILL `timeout` seconds later (see the file
   * comment); `done` is called once the container has exited.
   */
  stopContainer(c: Container, timeout: number, done: () => void): void {
    if (c.status !== 'running') {
      done();
      return;
    }
    const t = Math.max(0, timeout);
    c.exitListeners.add(() => done());
    this.#scheduler.schedule(t * 1e9, () => {
      if (c.status === 'running') this.killContainer(c);
    });
  }

  /** SIGKILL PID 1: the container exits with status 137 at once. */
  killContainer(c: Container): void {
    if (c.status !== 'running') throw new DaemonError('conflict', `Container ${c.id} is not running`);
    const handle = c.mainProcess;
    c.mainProcess = undefined;
    this.#exited(c, 137);
    handle?.kill();
  }

  /** DELETE /containers/{id}: refused while running unless forced. */
  removeContainer(c: Container, force: boolean): void {
    if (c.status === 'running') {
      if (!force) {
        throw new DaemonError('conflict',
          `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
      }
      this.killContainer(c);
    }
    c.status = 'removing';
    this.#containers.delete(c.id);
  }

  /** Runs `argv` in a running container (docker exec); `exit` gets its status. */
  exec(c: Container, argv: readonly string[], io: ProgramIo, exit: (code: number) => void, options: { openStdin?: boolean } = {}): ProcessHandle | undefined {
    if (c.status !== 'running' || !c.sandbox || !c.files) throw new DaemonError('conflict', `Container ${c.id} is not running`);
    const ctx = this.#processContext(c, `exec:${this.#execCount++}`);
    let handle: ProcessHandle | undefined;
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      if (handle) c.execs.delete(handle);
      exit(code);
    };
    const r = startContainerProcess(this.#host, ctx, argv, options.openStdin ?? false, io, finish);
    if (!r.started) {
      throw new DaemonError('internal',
        `OCI runtime exec failed: exec failed: container_linux.go:349: starting container process caused "exec: \\"${argv[0] ?? ''}\\": executable file not found in $PATH": unknown`);
    }
    handle = r.handle;
    if (handle && !done) {
      const h = handle;
      c.execs.add(h);
      // Killed with the container: its status is that of a SIGKILL.
      return { kill: () => { c.execs.delete(h); h.kill(); finish(137); } };
    }
    return handle;
  }

  // ---------------------------------------------------------------------------------------
  // Networks of containers

  /** POST /networks/{id}/connect (daemon.ConnectToNetwork). */
  connectNetwork(c: Container, networkTerm: string, req: ConnectRequest): void {
    if (c.status === 'removing') throw new DaemonError('conflict', `Container ${c.id} is marked for removal and cannot be connected or disconnected to the network`);
    let network: Network;
    try {
      network = this.controller.findNetwork(networkTerm);
    } catch (e) {
      // A stopped container keeps the request under the name given; its start will fail.
      if (c.status === 'running' || !(e instanceof DaemonError) || e.kind !== 'notFound') throw e;
      c.networks.set(networkTerm, {
        networkId: '', networkName: networkTerm, ipv4Address: req.ipv4Address ?? '', aliases: [...(req.aliases ?? [])], endpoint: undefined,
      });
      return;
    }
    const settings: EndpointSettings = {
      networkId: network.id,
      networkName: network.name,
      ipv4Address: req.ipv4Address ?? '',
      aliases: [...(req.aliases ?? [])],
      endpoint: undefined,
    };
    if (settings.ipv4Address !== '' && parseGoIpv4(settings.ipv4Address) === undefined) {
      throw new DaemonError('invalidParameter', `invalid IPv4 address: ${settings.ipv4Address}`);
    }
    if (c.status !== 'running') {
      this.#updateNetworkConfig(c, network, settings);
      if (!this.#updateNetworkSettings(c, network, settings)) return;
      c.networks.set(network.name, settings);
      return;
    }
    this.#connectToNetwork(c, network, settings);
  }

  /** POST /networks/{id}/disconnect (daemon.DisconnectFromNetwork). */
  disconnectNetwork(c: Container, networkTerm: string, force: boolean): void {
    let network: Network | undefined;
    let findError: unknown;
    try {
      network = this.controller.findNetwork(networkTerm);
    } catch (e) {
      findError = e;
    }
    if (c.status !== 'running' || (network === undefined && force)) {
      if (c.networks.delete(networkTerm)) return;
      if (network === undefined) throw findError;
      if (c.networks.delete(network.name)) return;
      throw new DaemonError('forbidden', `container ${c.id} is not connected to the network ${network.name}`);
    }
    if (network === undefined) throw findError;
    if (c.config.networkMode === 'host' && network.type === 'host') {
      throw new DaemonError('forbidden', this.profile.errors.connectToHostNetwork());
    }
    const settings = [...c.networks.values()].find((s) => s.endpoint?.network === network);
    if (!settings?.endpoint) {
      throw new DaemonError('forbidden', `container ${c.id} is not connected to network ${network.name}`);
    }
    const ep = settings.endpoint;
    this.#leaveEndpoint(c, ep);
    ep.delete(false);
    c.networks.delete(settings.networkName);
  }

  // ---------------------------------------------------------------------------------------
  // Internals

  #processContext(c: Container, stream: string): ProcessContext {
    if (!c.sandbox || !c.files) throw new Error(`container ${c.name} has no sandbox`);
    return {
      image: c.config.image,
      ns: this.#host.namespaceOf(c.sandbox.namespace),
      files: c.files,
      hostname: c.config.hostname,
      rng: this.#processRng.fork(`${c.id}:${stream}:${c.restartCount}:${this.now}`),
    };
  }

  #output(c: Container, chunk: OutputChunk): void {
    if (chunk.text === '') return;
    c.logs.push(chunk);
    for (const l of c.outputListeners) l(chunk);
  }

  #onMainExit(c: Container, code: number): void {
    if (c.status !== 'running') return;
    c.mainProcess = undefined;
    this.#exited(c, code);
  }

  /** PID 1 is gone: kill the execs, release the network, record the exit, notify. */
  #exited(c: Container, code: number): void {
    for (const h of [...c.execs]) h.kill();
    c.execs.clear();
    this.#releaseNetwork(c);
    c.status = 'exited';
    c.exitCode = code;
    c.finishedAt = this.now;
    c.pid = 0;
    const listeners = [...c.exitListeners];
    c.exitListeners.clear();
    for (const l of listeners) l(code);
    if (c.config.autoRemove && this.#containers.has(c.id)) {
      c.status = 'removing';
      this.#containers.delete(c.id);
    }
  }

  /** daemon.allocateNetwork: attach every recorded network, the default bridge first. */
  #allocateNetwork(c: Container): void {
    const entries = [...c.networks.values()];
    entries.sort((a, b) => Number(b.networkName === 'bridge') - Number(a.networkName === 'bridge'));
    if (c.config.networkMode === 'host' || c.config.networkMode === 'none') {
      const network = this.controller.findNetwork(c.config.networkMode);
      const settings = entries[0]!;
      this.#connectToNetwork(c, network, settings);
      return;
    }
    for (const settings of entries) {
      const network = this.controller.findNetwork(settings.networkName);
      this.#connectToNetwork(c, network, settings);
    }
  }

  /**
   * updateNetworkConfig: on a user-defined network the short ID joins the aliases; on the
   * others --ip and --alias are refused.
   */
  #updateNetworkConfig(c: Container, network: Network, settings: EndpointSettings): void {
    if (!isUserDefined(network)) {
      if (settings.ipv4Address !== '') throw new DaemonError('forbidden', this.profile.errors.ipOnDefaultNetwork());
      if (settings.aliases.length > 0) throw new DaemonError('forbidden', this.profile.errors.aliasOnDefaultNetwork());
    } else if (this.profile.version === '19.03') {
      // v20.10 and older: the short ID is an alias (buildEndpointDNSNames made it a DNS name later).
      const sid = shortId(c.id);
      if (!settings.aliases.includes(sid)) settings.aliases.push(sid);
    }
  }

  /**
   * updateNetworkSettings: refuses combinations Docker refuses; false when the container is
   * already attached to the network (nothing to do).
   */
  #updateNetworkSettings(c: Container, network: Network, settings: EndpointSettings): boolean {
    if (c.config.networkMode !== 'host' && network.type === 'host') {
      throw new DaemonError('forbidden', this.profile.errors.connectToHostNetwork());
    }
    for (const s of c.networks.values()) {
      if (s === settings) continue;
      let sn: Network;
      try {
        sn = this.controller.findNetwork(s.networkId !== '' ? s.networkId : s.networkName);
      } catch {
        continue;
      }
      if (sn.name === network.name) return false;
      if (sn.type === 'host' || network.type === 'host') throw new DaemonError('forbidden', ERR_CONFLICT_SHARED_NETWORK);
      if (sn.name === 'none' || network.name === 'none') throw new DaemonError('forbidden', ERR_CONFLICT_NO_NETWORK);
    }
    return true;
  }

  /** daemon.connectToNetwork: endpoint, sandbox (first time), join, files, DNS. */
  #connectToNetwork(c: Container, network: Network, settings: EndpointSettings): void {
    this.#updateNetworkConfig(c, network, settings);
    if (c.status === 'running') {
      if (!this.#updateNetworkSettings(c, network, settings)) {
        // Already attached: creating the endpoint again fails as Docker's does.
        throw new DaemonError('forbidden', `endpoint with name ${c.name} already exists in network ${network.name}`);
      }
    }
    const options: EndpointOptions = {
      ...(settings.ipv4Address !== '' ? { ipv4Address: parseIpv4(settings.ipv4Address) } : {}),
      aliases: settings.aliases,
      disableResolution: !isUserDefined(network),
    };
    const ep = network.createEndpoint(c.name, options);
    try {
      if (!c.sandbox) this.#newSandbox(c);
      ep.join(c.sandbox!);
    } catch (e) {
      if (!ep.isDeleted) ep.delete(true);
      throw e;
    }
    // Under the network's name from now on (connect by ID records the name).
    if (c.networks.get(settings.networkName) === settings) c.networks.delete(settings.networkName);
    settings.networkId = network.id;
    settings.networkName = network.name;
    settings.endpoint = ep;
    c.networks.set(network.name, settings);
    this.#afterJoin(c, ep);
  }

  /** A new sandbox for the container, with its files (setupResolutionFiles). */
  #newSandbox(c: Container): void {
    const hostNet = c.config.networkMode === 'host';
    const sandbox = this.controller.newSandbox(c.id, { useHostNamespace: hostNet, label: c.name });
    c.sandbox = sandbox;
    const files = new MemoryFiles();
    const hostResolv = this.#host.files.read('/etc/resolv.conf') ?? '';
    if (hostNet) {
      files.write('/etc/hosts', this.#host.files.read('/etc/hosts') ?? buildHostsFile());
      files.write('/etc/resolv.conf', hostResolv);
      c.dns = undefined;
    } else {
      files.write('/etc/hosts', buildHostsFile());
      c.dns = setupSandboxDns(hostResolv, c.config.dns);
      files.write('/etc/resolv.conf', c.dns.content);
    }
    files.write('/etc/hostname', `${c.config.hostname}\n`);
    c.files = files;
    this.#host.namespaceOf(sandbox.namespace).hostname = c.config.hostname;
  }

  /** sbJoin's file updates and the embedded resolver (startResolver on the first user network). */
  #afterJoin(c: Container, ep: Endpoint): void {
    const files = c.files!;
    if (c.config.networkMode !== 'host' && ep.address) {
      files.write('/etc/hosts', addHostsRecords(files.read('/etc/hosts') ?? '', [hostnameRecord(formatIpv4(ep.address.addr), c.config.hostname)]));
    }
    if (c.dns) {
      updateSandboxDns(c.dns, c.config.dns, ep.network.enableIPv6);
      if (!ep.disableResolution && !c.stopDns && c.sandbox) {
        rebuildSandboxDns(c.dns);
        const ns = this.#host.namespaceOf(c.sandbox.namespace);
        c.stopDns = this.#host.startEmbeddedDns?.(ns, new SandboxDnsNames(c.sandbox), { external: c.dns.external, ndotsSet: c.dns.ndotsSet })
          ?? (() => {});
      }
      files.write('/etc/resolv.conf', c.dns.content);
    }
  }

  /** ep.Leave and the hosts entry it removes. */
  #leaveEndpoint(c: Container, ep: Endpoint): void {
    ep.leave();
    if (c.files && ep.address && c.config.networkMode !== 'host') {
      const files = c.files;
      files.write('/etc/hosts', deleteHostsRecords(files.read('/etc/hosts') ?? '', [hostnameRecord(formatIpv4(ep.address.addr), c.config.hostname)]));
    }
  }

  /** releaseNetwork: the sandbox goes (endpoints leave and are deleted, addresses freed). */
  #releaseNetwork(c: Container): void {
    c.stopDns?.();
    c.stopDns = undefined;
    if (c.sandbox && !c.sandbox.isDeleted) this.controller.deleteSandbox(c.sandbox);
    else {
      // A failed start may leave an endpoint that never joined.
      for (const s of c.networks.values()) if (s.endpoint && !s.endpoint.isDeleted) s.endpoint.delete(true);
    }
    c.sandbox = undefined;
    for (const s of c.networks.values()) s.endpoint = undefined;
  }

  /** How many images the host holds: those its containers were created from. */
  imagesInUse(): number {
    return this.#pulled.size;
  }
}

/** runconfig NetworkMode.IsUserDefined: not bridge/default/host/none/container:. */
export function isUserDefined(network: Network): boolean {
  return !['bridge', 'default', 'host', 'none'].includes(network.name);
}
