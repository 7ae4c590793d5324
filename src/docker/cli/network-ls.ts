/**
 * `docker network ls` (docker-facts §8.1): the daemon's filters (daemon/network/filter.go),
 * then the CLI's formatting: rows sorted by name in natural order, the Go template of
 * `--format` (default `table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}`, `-q` → `{{.ID}}`),
 * and for `table` formats a header row and Docker's tabwriter (minwidth 20 before CLI 20.10,
 * 10 after; padding 3).
 */
import { DaemonError } from '../daemon-error';
import type { EngineProfile } from '../engine-profile';
import { shortId } from '../ids';
import { isPredefinedNetworkName } from '../libnetwork/network-controller';
import type { NetworkResource } from '../network-resource';
import { formatGoTimeString } from '../wall-clock';
import { GENERAL_ERROR_EXIT_CODE } from './command-line';
import type { CommandSpec } from './command-line';
import { GoTemplate, TemplateError } from './go-template';
import type { TemplateData, TemplateValue } from './go-template';
import { naturalCompare } from './natural-sort';
import { tabwrite } from './tab-writer';

export const NETWORK_LS_COMMAND: CommandSpec = {
  path: 'docker network ls',
  useLine: 'docker network ls [OPTIONS]',
  short: 'List networks',
  args: 'none',
  flags: [
    { name: 'filter', shorthand: 'f', kind: 'filter' },
    { name: 'format', kind: 'string' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'quiet', shorthand: 'q', kind: 'bool' },
  ],
};

export const DEFAULT_NETWORK_TABLE_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const DEFAULT_QUIET_FORMAT = '{{.ID}}';
const TABLE_PREFIX = 'table';
const RAW_FORMAT = 'raw';
const RAW_NETWORK_FORMAT = 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
const RAW_QUIET_FORMAT = 'network_id: {{.ID}}';

/** The daemon's accepted filter keys for GET /networks. */
const ACCEPTED_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/** filters.Args.Match: exact, or the value as an (unanchored) regular expression. */
function matches(values: readonly string[], source: string): boolean {
  for (const v of values) {
    if (v === source) return true;
    try {
      if (new RegExp(v).test(source)) return true;
    } catch {
      // An invalid expression matches nothing (Go skips it).
    }
  }
  return false;
}

/**
 * daemon/network/filter.go filterNetworks. `filters` are the (name, value) pairs of `-f`.
 * Throws DaemonError for an unknown filter or a bad `type`/`dangling` value.
 */
export function filterNetworks(
  networks: readonly NetworkResource[],
  filters: readonly (readonly [string, string])[],
  profile: EngineProfile,
): NetworkResource[] {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of filters) {
    if (!ACCEPTED_FILTERS.includes(k)) throw new DaemonError('invalidParameter', profile.errors.invalidFilter(k));
    const list = byKey.get(k) ?? [];
    if (!list.includes(v)) list.push(v);
    byKey.set(k, list);
  }
  if (byKey.size === 0) return [...networks];
  const get = (k: string) => byKey.get(k);

  let out = networks.filter((n) => {
    const driver = get('driver');
    if (driver && !driver.includes(n.driver)) return false;
    const name = get('name');
    if (name && !matches(name, n.name)) return false;
    const id = get('id');
    if (id && !matches(id, n.id)) return false;
    const label = get('label');
    if (label) {
      // MatchKVList: every "key" or "key=value" filter must hold.
      if (Object.keys(n.labels).length === 0) return false;
      for (const f of label) {
        const eq = f.indexOf('=');
        const key = eq < 0 ? f : f.slice(0, eq);
        if (!(key in n.labels)) return false;
        if (eq >= 0 && n.labels[key] !== f.slice(eq + 1)) return false;
      }
    }
    const scope = get('scope');
    if (scope && !scope.includes(n.scope)) return false;
    return true;
  });

  const dangling = get('dangling');
  if (dangling) {
    // ExactMatch is any-of: "true"/"1" wins over "false"/"0"; anything else is refused.
    const only = dangling.includes('true') || dangling.includes('1')
      ? true
      : dangling.includes('false') || dangling.includes('0') ? false : undefined;
    if (only === undefined) {
      throw new DaemonError('invalidParameter', `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
    }
    out = out.filter((n) => {
      const used = isPredefinedNetworkName(n.name) || Object.keys(n.containers).length > 0;
      return only ? !used : used;
    });
  }

  const types = get('type');
  if (types) {
    const typed: NetworkResource[] = [];
    for (const t of types) {
      if (t !== 'builtin' && t !== 'custom') throw new DaemonError('invalidParameter', profile.errors.invalidTypeFilter(t));
      for (const n of out) if (isPredefinedNetworkName(n.name) === (t === 'builtin')) typed.push(n);
    }
    out = typed;
  }
  return out;
}

export interface NetworkLsOptions {
  readonly quiet?: boolean;
  readonly noTrunc?: boolean;
  /** --format; undefined or "" = the default table. */
  readonly format?: string;
}

const HEADERS: Readonly<Record<string, string>> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** The CLI's networkContext: what `{{.X}}` means for one network. */
function networkContext(n: NetworkResource, noTrunc: boolean): TemplateData {
  return {
    typeName: '*network.networkContext',
    field(name: string): TemplateValue | undefined {
      switch (name) {
        case 'ID': return noTrunc ? n.id : shortId(n.id);
        case 'Name': return n.name;
        case 'Driver': return n.driver;
        case 'Scope': return n.scope;
        case 'IPv6': return String(n.enableIPv6);
        case 'Internal': return String(n.internal);
        case 'Labels':
          return Object.keys(n.labels).sort().map((k) => `${k}=${n.labels[k]}`).join(',');
        case 'CreatedAt': return formatGoTimeString(n.created);
        default: return undefined;
      }
    },
    call(name: string, args: readonly string[]): TemplateValue | undefined {
      if (name === 'Label' && args.length === 1) return n.labels[args[0]!] ?? '';
      return undefined;
    },
  };
}

/** The header row runs the same template over a map of column titles. */
const HEADER_CONTEXT: TemplateData = {
  typeName: 'formatter.SubHeaderContext',
  field: (name) => HEADERS[name] ?? '<no value>',
};

export type CliOutput =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly stderr: string; readonly exitCode: number };

/** Renders already-filtered networks as `docker network ls` prints them (stdout bytes). */
export function formatNetworkLs(networks: readonly NetworkResource[], options: NetworkLsOptions, profile: EngineProfile): CliOutput {
  // list.go runList + NewFormat: "" and "table" mean the default table ("{{.ID}}" with -q),
  // "raw" a key: value block per network; any other format ignores -q.
  let format = options.format ?? '';
  if (format === '' || format === TABLE_PREFIX) format = options.quiet ? DEFAULT_QUIET_FORMAT : DEFAULT_NETWORK_TABLE_FORMAT;
  else if (format === RAW_FORMAT) format = options.quiet ? RAW_QUIET_FORMAT : RAW_NETWORK_FORMAT;
  const isTable = format.startsWith(TABLE_PREFIX);
  // formatter.Context.preFormat: drop "table", trim spaces, expand the \t and \n escapes.
  const body = (isTable ? format.slice(TABLE_PREFIX.length) : format).replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');

  let template: GoTemplate;
  try {
    template = GoTemplate.parse(body);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { ok: false, stderr: `Template parsing error: ${e.message}\n\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
  }

  const sorted = [...networks].sort((a, b) => naturalCompare(a.name, b.name));
  let rows = '';
  for (const n of sorted) {
    const r = template.execute(networkContext(n, options.noTrunc ?? false));
    if (r.error !== undefined) {
      return { ok: false, stderr: `Template parsing error: ${r.error}\n\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
    }
    rows += `${r.output}\n`;
  }
  if (!isTable) return { ok: true, stdout: rows };
  // A header that fails keeps what was written before the failure (Execute's error is ignored).
  const header = template.execute(HEADER_CONTEXT).output;
  const { minWidth, tabWidth, padding } = profile.networkLsTable;
  return { ok: true, stdout: tabwrite(`${header}\n${rows}`, { minWidth, tabWidth, padding }) };
}
