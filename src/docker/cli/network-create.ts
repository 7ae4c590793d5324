/**
 * `docker network create`: its flags (CLI cli/command/network/create.go, 19.03) and what the
 * CLI does before calling the API: consolidateIpam pairs every --ip-range, --gateway and
 * --aux-address with the --subnet that contains it, with the CLI's own error texts
 * (docker-facts §8.3). On success the CLI prints the new network's full ID.
 */
import { prefixContains } from '../../wire';
import type { Ipv4Prefix } from '../../wire';
import { parseGoCidr, parseGoIpv4, looksLikeIpv6 } from '../go-net';
import type { IpamConfigRequest, NetworkCreateRequest } from '../libnetwork/network-controller';
import type { EngineVersion } from '../engine-profile';
import { GENERAL_ERROR_EXIT_CODE } from './command-line';
import type { CommandSpec, ParsedFlags } from './command-line';

export const NETWORK_CREATE_COMMAND: CommandSpec = {
  path: 'docker network create',
  useLine: 'docker network create [OPTIONS] NETWORK',
  short: 'Create a network',
  args: { exact: 1 },
  flags: [
    { name: 'driver', shorthand: 'd', kind: 'string' },
    { name: 'opt', shorthand: 'o', kind: 'map' },
    { name: 'label', kind: 'list' },
    { name: 'internal', kind: 'bool' },
    { name: 'ipv6', kind: 'bool' },
    { name: 'attachable', kind: 'bool' },
    { name: 'ingress', kind: 'bool' },
    { name: 'scope', kind: 'string' },
    { name: 'config-only', kind: 'bool' },
    { name: 'config-from', kind: 'string' },
    { name: 'ipam-driver', kind: 'string' },
    { name: 'subnet', kind: 'stringSlice' },
    { name: 'ip-range', kind: 'stringSlice' },
    { name: 'gateway', kind: 'stringSlice' },
    { name: 'aux-address', kind: 'map' },
    { name: 'ipam-opt', kind: 'map' },
  ],
};

/** v29 adds `--ipv4` (default true; false makes an IPv6-only network). */
const NETWORK_CREATE_COMMAND_29: CommandSpec = {
  ...NETWORK_CREATE_COMMAND,
  flags: [...NETWORK_CREATE_COMMAND.flags, { name: 'ipv4', kind: 'bool' }],
};

/** The `docker network create` flags of the CLI that comes with `version`. */
export function networkCreateCommand(version: EngineVersion): CommandSpec {
  return version === '19.03' ? NETWORK_CREATE_COMMAND : NETWORK_CREATE_COMMAND_29;
}

/** NETWORK_CREATE_DEFAULTS: the flags' defaults in the CLI. */
export const NETWORK_CREATE_DEFAULTS = { driver: 'bridge', ipamDriver: 'default', ipv4: true } as const;

export type CreateRequestResult =
  | { readonly ok: true; readonly request: NetworkCreateRequest }
  | { readonly ok: false; readonly stderr: string; readonly exitCode: number };

class CliError extends Error {}

/**
 * subnetMatches(subnet, data): does --subnet `subnet` contain the address of `data` (an address,
 * or a CIDR's address with its host bits)? Go parses `subnet` first ("invalid subnet: …"), then
 * `data` if it is a CIDR (its error is passed on bare); an unparsable plain address just does
 * not match. IPv6 text is accepted and matches nothing IPv4 (cnmlab has no IPv6).
 */
function subnetMatches(subnet: string, data: string): boolean {
  let net: Ipv4Prefix | undefined;
  if (!looksLikeIpv6(subnet)) {
    net = parseGoCidr(subnet);
    if (!net) throw new CliError(`invalid subnet: invalid CIDR address: ${subnet}`);
  }
  let ip: number | undefined;
  if (data.includes('/')) {
    if (looksLikeIpv6(data)) return false;
    const p = parseGoCidr(data);
    if (!p) throw new CliError(`invalid CIDR address: ${data}`);
    ip = p.addr;
  } else {
    ip = parseGoIpv4(data);
  }
  return net !== undefined && ip !== undefined && prefixContains(net, ip);
}

/**
 * The CLI's consolidateIpam. Heads up: a lone --subnet is not parsed here (only compared with
 * other subnets, ranges, gateways and aux addresses), so `--subnet foo` alone reaches the daemon.
 */
function consolidateIpam(
  subnets: readonly string[],
  ranges: readonly string[],
  gateways: readonly string[],
  auxAddresses: Readonly<Record<string, string>>,
): IpamConfigRequest[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new CliError('every ip-range or gateway must have a corresponding subnet');
  }
  const configs = new Map<string, { subnet: string; ipRange?: string; gateway?: string; auxAddresses: Record<string, string> }>();
  for (const s of subnets) {
    for (const k of configs.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) {
        throw new CliError('multiple overlapping subnet configuration is not supported');
      }
    }
    configs.set(s, { subnet: s, auxAddresses: {} });
  }
  for (const r of ranges) {
    let matched = false;
    for (const s of subnets) {
      if (!subnetMatches(s, r)) continue;
      const c = configs.get(s)!;
      if (c.ipRange !== undefined) throw new CliError(`cannot configure multiple ranges (${r}, ${c.ipRange}) on the same subnet (${s})`);
      c.ipRange = r;
      matched = true;
    }
    if (!matched) throw new CliError(`no matching subnet for range ${r}`);
  }
  for (const g of gateways) {
    let matched = false;
    for (const s of subnets) {
      if (!subnetMatches(s, g)) continue;
      const c = configs.get(s)!;
      if (c.gateway !== undefined) throw new CliError(`cannot configure multiple gateways (${g}, ${c.gateway}) for the same subnet (${s})`);
      c.gateway = g;
      matched = true;
    }
    if (!matched) throw new CliError(`no matching subnet for gateway ${g}`);
  }
  // Go ranges over the aux-address map in random order; cnmlab goes by key so runs repeat.
  for (const key of Object.keys(auxAddresses).sort()) {
    const aa = auxAddresses[key]!;
    let matched = false;
    for (const s of subnets) {
      if (!subnetMatches(s, aa)) continue;
      configs.get(s)!.auxAddresses[key] = aa;
      matched = true;
    }
    if (!matched) throw new CliError(`no matching subnet for aux-address ${aa}`);
  }
  return [...configs.values()].map((c) => ({
    subnet: c.subnet,
    ...(c.ipRange !== undefined ? { ipRange: c.ipRange } : {}),
    ...(c.gateway !== undefined ? { gateway: c.gateway } : {}),
    auxAddresses: c.auxAddresses,
  }));
}

/** docker/cli ConvertKVStringsToMap: "k=v" → k: v, a bare "k" → k: "". */
function kvStringsToMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) out[v] = '';
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/**
 * runCreate up to the API call: the request body the CLI sends for `docker network create`
 * (parsed by parseCommandLine with NETWORK_CREATE_COMMAND), or the CLI's own error.
 */
export function buildNetworkCreateRequest(flags: ParsedFlags, args: readonly string[]): CreateRequestResult {
  let config: IpamConfigRequest[];
  try {
    config = consolidateIpam(flags.strings('subnet'), flags.strings('ip-range'), flags.strings('gateway'), flags.map('aux-address'));
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return { ok: false, stderr: `${e.message}\n`, exitCode: GENERAL_ERROR_EXIT_CODE };
  }
  const configFrom = flags.string('config-from');
  return {
    ok: true,
    request: {
      name: args[0]!,
      driver: flags.string('driver', NETWORK_CREATE_DEFAULTS.driver),
      checkDuplicate: true,
      internal: flags.bool('internal'),
      enableIPv6: flags.bool('ipv6'),
      ...(flags.changed('ipv4') ? { enableIPv4: flags.bool('ipv4') } : {}),
      attachable: flags.bool('attachable'),
      ingress: flags.bool('ingress'),
      scope: flags.string('scope'),
      configOnly: flags.bool('config-only'),
      ...(configFrom !== '' ? { configFrom } : {}),
      ipam: { driver: flags.string('ipam-driver', NETWORK_CREATE_DEFAULTS.ipamDriver), options: flags.map('ipam-opt'), config },
      options: flags.map('opt'),
      labels: kvStringsToMap(flags.strings('label')),
    },
  };
}
