/**
 * `docker network inspect` (docker-facts §8.2): the daemon encodes each network
 * (types.NetworkResource, fields in the engine version's declaration order, maps sorted), the
 * CLI joins them into a JSON array and runs json.Indent with 4 spaces, then a newline; no
 * result prints `[]`.
 */
import type { EngineProfile } from '../engine-profile';
import { GoMap, GoStruct, goStringMap, indentGoJson } from '../go-json';
import type { GoJson } from '../go-json';
import type { NetworkResource } from '../network-resource';
import { formatRfc3339Nano } from '../wall-clock';
import type { CommandSpec } from './command-line';

export const NETWORK_INSPECT_COMMAND: CommandSpec = {
  path: 'docker network inspect',
  useLine: 'docker network inspect [OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [
    { name: 'format', shorthand: 'f', kind: 'string' },
    { name: 'verbose', shorthand: 'v', kind: 'bool' },
  ],
};

function ipamJson(n: NetworkResource): GoStruct {
  const config: GoJson = n.ipam.config === null
    ? null
    : n.ipam.config.map((c) => {
      // network.IPAMConfig: every field is omitempty.
      const fields: [string, GoJson][] = [];
      if (c.subnet !== '') fields.push(['Subnet', c.subnet]);
      if (c.ipRange !== '') fields.push(['IPRange', c.ipRange]);
      if (c.gateway !== '') fields.push(['Gateway', c.gateway]);
      if (Object.keys(c.auxAddresses).length > 0) fields.push(['AuxiliaryAddresses', new GoMap(c.auxAddresses)]);
      return new GoStruct(fields);
    });
  return new GoStruct([
    ['Driver', n.ipam.driver],
    ['Options', goStringMap(n.ipam.options)],
    ['Config', config],
  ]);
}

function containersJson(n: NetworkResource): GoMap {
  const m = new Map<string, GoJson>();
  for (const [key, e] of Object.entries(n.containers)) {
    m.set(key, new GoStruct([
      ['Name', e.name],
      ['EndpointID', e.endpointId],
      ['MacAddress', e.macAddress],
      ['IPv4Address', e.ipv4Address],
      ['IPv6Address', e.ipv6Address],
    ]));
  }
  return new GoMap(m);
}

/** One network as the daemon's JSON encodes it, fields in the profile's order. */
export function networkResourceJson(n: NetworkResource, profile: EngineProfile): GoStruct {
  const fields: [string, GoJson][] = [];
  for (const f of profile.inspectFieldOrder) {
    const add = (v: GoJson) => fields.push([f, v]);
    switch (f) {
      case 'Name': add(n.name); break;
      case 'Id': add(n.id); break;
      case 'Created': add(formatRfc3339Nano(n.created)); break;
      case 'Scope': add(n.scope); break;
      case 'Driver': add(n.driver); break;
      case 'EnableIPv4': add(n.enableIPv4); break;
      case 'EnableIPv6': add(n.enableIPv6); break;
      case 'IPAM': add(ipamJson(n)); break;
      case 'Internal': add(n.internal); break;
      case 'Attachable': add(n.attachable); break;
      case 'Ingress': add(n.ingress); break;
      case 'ConfigFrom': add(new GoStruct([['Network', n.configFrom]])); break;
      case 'ConfigOnly': add(n.configOnly); break;
      case 'Containers': add(containersJson(n)); break;
      case 'Options': add(new GoMap(n.options)); break;
      case 'Labels': add(new GoMap(n.labels)); break;
      // Peers and Services are omitempty and cnmlab has neither (no swarm, no --verbose yet).
      case 'Peers': break;
      case 'Services': break;
      default: {
        const unknown: never = f;
        throw new Error(`unknown inspect field ${String(unknown)}`);
      }
    }
  }
  return new GoStruct(fields);
}

/** What `docker network inspect A B …` prints on stdout for the networks found. */
export function formatNetworkInspect(networks: readonly NetworkResource[], profile: EngineProfile): string {
  if (networks.length === 0) return '[]\n';
  return `${indentGoJson(networks.map((n) => networkResourceJson(n, profile)))}\n`;
}

/** The CLI's message for a network the daemon does not know (client objectNotFoundError). */
export function noSuchNetworkMessage(term: string): string {
  return `Error: No such network: ${term}`;
}
