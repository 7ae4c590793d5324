/**
 * `docker ps` (CLI cli/command/container/list.go and formatter/container.go, 19.03): the
 * daemon's list (running containers, or all with -a, newest first, filtered), then the
 * CLI's table: `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}`
 * through Docker's tabwriter (minwidth 20 before CLI 20.10, 10 after; padding 3).
 *
 * - ID: 12 characters unless --no-trunc; COMMAND: Path and Args joined by spaces, cut to 20
 *   characters with "…" unless --no-trunc, then Go-quoted (strconv.Quote);
 * - CREATED: HumanDuration(now − Created) + " ago", where Created is whole Unix seconds;
 * - STATUS (the daemon's State.String()): "Up 5 seconds", "Exited (0) 3 seconds ago",
 *   "Created", "Removal In Progress".
 */
import type { EngineProfile } from '../engine-profile';
import { DaemonError } from '../daemon-error';
import { shortId } from '../ids';
import type { Container } from '../engine/container';
import type { DockerEngine } from '../engine/docker-engine';
import { humanDuration } from '../engine/human-duration';
import { formatGoTimeString } from '../wall-clock';
import { GENERAL_ERROR_EXIT_CODE } from './command-line';
import type { CommandSpec } from './command-line';
import { GoTemplate, TemplateError } from './go-template';
import type { TemplateData, TemplateValue } from './go-template';
import type { CliOutput } from './network-ls';
import { tabwrite } from './tab-writer';

export const CONTAINER_PS_COMMAND: CommandSpec = {
  path: 'docker ps',
  useLine: 'docker ps [OPTIONS]',
  short: 'List containers',
  args: 'none',
  flags: [
    { name: 'all', shorthand: 'a', kind: 'bool' },
    { name: 'filter', shorthand: 'f', kind: 'filter' },
    { name: 'format', kind: 'string' },
    { name: 'last', shorthand: 'n', kind: 'string' },
    { name: 'latest', shorthand: 'l', kind: 'bool' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'quiet', shorthand: 'q', kind: 'bool' },
    { name: 'size', shorthand: 's', kind: 'bool' },
  ],
};

export const DEFAULT_CONTAINER_TABLE_FORMAT =
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

const HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

/** strconv.Quote for the text of a command line. */
export function strconvQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** formatter.Ellipsis for ASCII and single-width text: at most `max` characters, the last "…". */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (max <= 0) return '';
  if (max === 1) return chars[0] ?? '';
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** The daemon's State.String() at simulated time `now`. */
export function containerStatusText(c: Container, now: number): string {
  switch (c.status) {
    case 'running':
      return `Up ${humanDuration(now - (c.startedAt ?? now))}`;
    case 'removing':
      return 'Removal In Progress';
    case 'created':
      return 'Created';
    case 'exited':
      if (c.finishedAt === undefined) return 'Created';
      return `Exited (${c.exitCode}) ${humanDuration(now - c.finishedAt)} ago`;
  }
}

/** The daemon's State.StateString(): created, running, exited, removing. */
export function containerStateString(c: Container): string {
  return c.status;
}

/** daemon list filters for ps (a subset: id, name, status, network, label, ancestor). */
export function filterContainers(engine: DockerEngine, all: boolean, filters: readonly (readonly [string, string])[]): Container[] {
  const accepted = ['id', 'name', 'status', 'network', 'label', 'ancestor', 'exited'];
  const byKey = new Map<string, string[]>();
  for (const [k, v] of filters) {
    if (!accepted.includes(k)) throw new DaemonError('invalidParameter', `Invalid filter '${k}'`);
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  const statuses = byKey.get('status');
  for (const s of statuses ?? []) {
    if (!['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'].includes(s)) {
      throw new DaemonError('invalidParameter', `Unrecognised filter value for status: ${s}`);
    }
  }
  const matches = (values: readonly string[], source: string) => values.some((v) => {
    if (v === source) return true;
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
  return engine.containers().filter((c) => {
    // Without -a only running containers, unless a status filter asks otherwise.
    if (!all && !statuses && c.status !== 'running') return false;
    if (statuses && !statuses.includes(c.status)) return false;
    const ids = byKey.get('id');
    if (ids && !ids.some((v) => c.id.startsWith(v))) return false;
    const names = byKey.get('name');
    if (names && !matches(names, `/${c.name}`)) return false;
    const networks = byKey.get('network');
    if (networks && !networks.some((n) => [...c.networks.values()].some((s) => s.networkName === n || (s.networkId !== '' && s.networkId.startsWith(n))))) return false;
    const labels = byKey.get('label');
    if (labels && !labels.every((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? l in c.config.labels : c.config.labels[l.slice(0, eq)] === l.slice(eq + 1);
    })) return false;
    const ancestors = byKey.get('ancestor');
    if (ancestors && !ancestors.some((a) => c.config.image.name === a.replace(/:latest$/, '') || c.config.imageRef === a)) return false;
    const exited = byKey.get('exited');
    if (exited && !(c.status === 'exited' && exited.includes(String(c.exitCode)))) return false;
    return true;
  });
}

/** The CLI's containerContext. */
function containerContext(engine: DockerEngine, c: Container, trunc: boolean): TemplateData {
  return {
    typeName: '*formatter.containerContext',
    field(name: string): TemplateValue | undefined {
      switch (name) {
        case 'ID': return trunc ? shortId(c.id) : c.id;
        case 'Names': return c.name;
        case 'Image': return c.config.imageRef;
        case 'Command': {
          const cmd = c.commandLine.join(' ');
          return strconvQuote(trunc ? ellipsis(cmd, 20) : cmd);
        }
        case 'CreatedAt': {
          const w = engine.wallTime(c.created);
          return formatGoTimeString({ seconds: w.seconds, nanos: 0 });
        }
        case 'RunningFor': {
          const created = engine.wallTime(c.created);
          const now = engine.wallTime(engine.now);
          return `${humanDuration((now.seconds - created.seconds) * 1e9 + now.nanos)} ago`;
        }
        case 'Ports': return '';
        case 'Status': return containerStatusText(c, engine.now);
        case 'State': return containerStateString(c);
        case 'Size': return '0B';
        case 'Labels': return Object.keys(c.config.labels).sort().map((k) => `${k}=${c.config.labels[k]}`).join(',');
        case 'Mounts': return '';
        case 'LocalVolumes': return '0';
        case 'Networks': return [...c.networks.keys()].sort().join(',');
        default: return undefined;
      }
    },
    call(name: string, args: readonly string[]): TemplateValue | undefined {
      if (name === 'Label' && args.length === 1) return c.config.labels[args[0]!] ?? '';
      return undefined;
    },
  };
}

const HEADER_CONTEXT: TemplateData = {
  typeName: 'formatter.SubHeaderContext',
  field: (name) => HEADERS[name] ?? '<no value>',
};

export interface PsOptions {
  readonly quiet?: boolean;
  readonly noTrunc?: boolean;
  readonly format?: string;
}

/** What `docker ps` prints for `containers` (already listed and filtered). */
export function formatContainerPs(engine: DockerEngine, containers: readonly Container[], options: PsOptions, profile: EngineProfile): CliOutput {
  let format = options.format ?? '';
  if (format === '' || format === 'table') format = options.quiet ? '{{.ID}}' : DEFAULT_CONTAINER_TABLE_FORMAT;
  const isTable = format.startsWith('table');
  const body = (isTable ? format.slice('table'.length) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  let template: GoTemplate;
  try {
    template = GoTemplate.parse(body);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { ok: false, stderr: `Template parsing error: ${e.message}\n\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
  }
  let rows = '';
  for (const c of containers) {
    const r = template.execute(containerContext(engine, c, !(options.noTrunc ?? false)));
    if (r.error !== undefined) return { ok: false, stderr: `Template parsing error: ${r.error}\n\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
    rows += `${r.output}\n`;
  }
  if (!isTable) return { ok: true, stdout: rows };
  const header = template.execute(HEADER_CONTEXT).output;
  const { minWidth, tabWidth, padding } = profile.networkLsTable;
  return { ok: true, stdout: tabwrite(`${header}\n${rows}`, { minWidth, tabWidth, padding }) };
}
