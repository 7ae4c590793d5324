/**
 * `docker inspect CONTAINER` (types.ContainerJSON as the 19.03 daemon encodes it, then the
 * CLI's json.Indent with 4 spaces): every field in declaration order, maps sorted.
 *
 * The networking part is the emulation's own state: NetworkSettings.Networks has, per attached
 * network, IPAMConfig (--ip), Aliases (--network-alias, plus the short ID on user-defined
 * networks), NetworkID, EndpointID, Gateway, IPAddress, IPPrefixLen and MacAddress while the
 * container runs (they are cleared when it stops: daemon cleanOperationalData); the top-level
 * EndpointID…MacAddress repeat the "bridge" network's (getDefaultNetworkSettings);
 * SandboxID/SandboxKey name the sandbox and its netns path.
 *
 * The rest is what a default `docker run` on a 19.03 host shows (HostConfig defaults, the
 * overlay2 graph driver, json-file logging, the default masked and read-only paths), with the
 * paths built from the container's ID and its layer ID.
 */
import { formatIpv4, formatMac } from '../../wire';
import type { Container } from '../engine/container';
import type { DockerEngine } from '../engine/docker-engine';
import { GoMap, GoStruct, indentGoJson } from '../go-json';
import type { GoJson } from '../go-json';
import { formatRfc3339Nano } from '../wall-clock';

/** Go's zero time.Time as JSON. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The daemon's defaults for a container's HostConfig (oci/defaults.go, daemon/create.go). */
const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
/** 64 MiB (config.DefaultShmSize). */
const DEFAULT_SHM_SIZE = 67108864;

const strings = (xs: readonly string[]): GoJson => xs.map((x) => x);

function endpointSettingsJson(c: Container, name: string): GoStruct {
  const s = c.networks.get(name)!;
  const ep = s.endpoint;
  const address = ep?.address;
  return new GoStruct([
    ['IPAMConfig', s.ipv4Address !== '' ? new GoStruct([['IPv4Address', s.ipv4Address]]) : null],
    ['Links', null],
    ['Aliases', s.aliases.length > 0 ? strings(s.aliases) : null],
    ['NetworkID', s.networkId],
    ['EndpointID', ep?.id ?? ''],
    ['Gateway', ep?.gateway !== undefined ? formatIpv4(ep.gateway) : ''],
    ['IPAddress', address ? formatIpv4(address.addr) : ''],
    ['IPPrefixLen', address ? address.len : 0],
    ['IPv6Gateway', ''],
    ['GlobalIPv6Address', ''],
    ['GlobalIPv6PrefixLen', 0],
    ['MacAddress', ep?.macAddress !== undefined ? formatMac(ep.macAddress) : ''],
    ['DriverOpts', null],
  ]);
}

function networkSettingsJson(c: Container): GoStruct {
  const running = c.sandbox !== undefined;
  const networks = new Map<string, GoJson>();
  for (const name of c.networks.keys()) networks.set(name, endpointSettingsJson(c, name));
  const bridge = c.networks.get('bridge')?.endpoint;
  const addr = bridge?.address;
  return new GoStruct([
    ['Bridge', ''],
    ['SandboxID', running ? c.sandbox!.id : ''],
    ['HairpinMode', false],
    ['LinkLocalIPv6Address', ''],
    ['LinkLocalIPv6PrefixLen', 0],
    ['Ports', running ? new GoMap({}) : null],
    ['SandboxKey', running ? c.sandbox!.key : ''],
    ['SecondaryIPAddresses', null],
    ['SecondaryIPv6Addresses', null],
    ['EndpointID', bridge?.id ?? ''],
    ['Gateway', bridge?.gateway !== undefined ? formatIpv4(bridge.gateway) : ''],
    ['GlobalIPv6Address', ''],
    ['GlobalIPv6PrefixLen', 0],
    ['IPAddress', addr ? formatIpv4(addr.addr) : ''],
    ['IPPrefixLen', addr ? addr.len : 0],
    ['IPv6Gateway', ''],
    ['MacAddress', bridge?.macAddress !== undefined ? formatMac(bridge.macAddress) : ''],
    ['Networks', new GoMap(networks)],
  ]);
}

function hostConfigJson(c: Container): GoStruct {
  const cfg = c.config;
  return new GoStruct([
    ['Binds', null],
    ['ContainerIDFile', ''],
    ['LogConfig', new GoStruct([['Type', 'json-file'], ['Config', new GoMap({})]])],
    ['NetworkMode', cfg.networkMode],
    ['PortBindings', new GoMap({})],
    ['RestartPolicy', new GoStruct([['Name', 'no'], ['MaximumRetryCount', 0]])],
    ['AutoRemove', cfg.autoRemove],
    ['VolumeDriver', ''],
    ['VolumesFrom', null],
    ['CapAdd', null],
    ['CapDrop', null],
    ['Capabilities', null],
    ['Dns', strings(cfg.dns.servers)],
    ['DnsOptions', strings(cfg.dns.options)],
    ['DnsSearch', strings(cfg.dns.search)],
    ['ExtraHosts', null],
    ['GroupAdd', null],
    ['IpcMode', 'private'],
    ['Cgroup', ''],
    ['Links', null],
    ['OomScoreAdj', 0],
    ['PidMode', ''],
    ['Privileged', false],
    ['PublishAllPorts', false],
    ['ReadonlyRootfs', false],
    ['SecurityOpt', null],
    ['UTSMode', ''],
    ['UsernsMode', ''],
    ['ShmSize', DEFAULT_SHM_SIZE],
    ['Runtime', 'runc'],
    ['ConsoleSize', [0, 0]],
    ['Isolation', ''],
    ['CpuShares', 0],
    ['Memory', 0],
    ['NanoCpus', 0],
    ['CgroupParent', ''],
    ['BlkioWeight', 0],
    ['BlkioWeightDevice', []],
    ['BlkioDeviceReadBps', null],
    ['BlkioDeviceWriteBps', null],
    ['BlkioDeviceReadIOps', null],
    ['BlkioDeviceWriteIOps', null],
    ['CpuPeriod', 0],
    ['CpuQuota', 0],
    ['CpuRealtimePeriod', 0],
    ['CpuRealtimeRuntime', 0],
    ['CpusetCpus', ''],
    ['CpusetMems', ''],
    ['Devices', []],
    ['DeviceCgroupRules', null],
    ['DeviceRequests', null],
    ['KernelMemory', 0],
    ['KernelMemoryTCP', 0],
    ['MemoryReservation', 0],
    ['MemorySwap', 0],
    ['MemorySwappiness', null],
    ['OomKillDisable', false],
    ['PidsLimit', null],
    ['Ulimits', null],
    ['CpuCount', 0],
    ['CpuPercent', 0],
    ['IOMaximumIOps', 0],
    ['IOMaximumBandwidth', 0],
    ['MaskedPaths', strings(MASKED_PATHS)],
    ['ReadonlyPaths', strings(READONLY_PATHS)],
  ]);
}

function configJson(c: Container): GoStruct {
  const cfg = c.config;
  return new GoStruct([
    ['Hostname', cfg.hostname],
    ['Domainname', cfg.domainname],
    ['User', ''],
    ['AttachStdin', cfg.openStdin && cfg.attachStdout],
    ['AttachStdout', cfg.attachStdout],
    ['AttachStderr', cfg.attachStderr],
    ['Tty', cfg.tty],
    ['OpenStdin', cfg.openStdin],
    ['StdinOnce', cfg.openStdin && cfg.attachStdout],
    ['Env', strings(cfg.env)],
    ['Cmd', cfg.cmd ? strings(cfg.cmd) : null],
    ['Image', cfg.imageRef],
    ['Volumes', null],
    ['WorkingDir', ''],
    ['Entrypoint', cfg.entrypoint ? strings(cfg.entrypoint) : null],
    ['OnBuild', null],
    ['Labels', new GoMap(cfg.labels)],
  ]);
}

/** One container as the daemon encodes it. */
export function containerJson(engine: DockerEngine, c: Container): GoStruct {
  const dir = `/var/lib/docker/containers/${c.id}`;
  const layer = `/var/lib/docker/overlay2/${c.layerId}`;
  const status = c.status === 'removing' ? 'removing' : c.status;
  return new GoStruct([
    ['Id', c.id],
    ['Created', formatRfc3339Nano(engine.wallTime(c.created))],
    ['Path', c.path],
    ['Args', strings(c.args)],
    ['State', new GoStruct([
      ['Status', status],
      ['Running', c.status === 'running'],
      ['Paused', false],
      ['Restarting', false],
      ['OOMKilled', false],
      ['Dead', false],
      ['Pid', c.pid],
      ['ExitCode', c.exitCode],
      ['Error', c.error],
      ['StartedAt', c.startedAt !== undefined ? formatRfc3339Nano(engine.wallTime(c.startedAt)) : ZERO_TIME],
      ['FinishedAt', c.finishedAt !== undefined ? formatRfc3339Nano(engine.wallTime(c.finishedAt)) : ZERO_TIME],
    ])],
    ['Image', c.config.image.id],
    ['ResolvConfPath', `${dir}/resolv.conf`],
    ['HostnamePath', `${dir}/hostname`],
    ['HostsPath', `${dir}/hosts`],
    ['LogPath', `${dir}/${c.id}-json.log`],
    ['Name', `/${c.name}`],
    ['RestartCount', c.restartCount],
    ['Driver', 'overlay2'],
    ['Platform', 'linux'],
    ['MountLabel', ''],
    ['ProcessLabel', ''],
    ['AppArmorProfile', 'docker-default'],
    ['ExecIDs', null],
    ['HostConfig', hostConfigJson(c)],
    ['GraphDriver', new GoStruct([
      ['Data', new GoMap({
        LowerDir: `${layer}-init/diff:/var/lib/docker/overlay2/${c.config.image.id.slice('sha256:'.length)}/diff`,
        MergedDir: `${layer}/merged`,
        UpperDir: `${layer}/diff`,
        WorkDir: `${layer}/work`,
      })],
      ['Name', 'overlay2'],
    ])],
    ['Mounts', []],
    ['Config', configJson(c)],
    ['NetworkSettings', networkSettingsJson(c)],
  ]);
}

/** What `docker inspect` prints for the objects found (containers and networks alike). */
export function formatInspect(objects: readonly GoJson[]): string {
  if (objects.length === 0) return '[]\n';
  return `${indentGoJson(objects)}\n`;
}
