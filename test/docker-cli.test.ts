import { expect } from 'chai';
import {
  buildNetworkCreateRequest, buildNetworkResource, DaemonError, encodeGoJson, ENGINE_19_03, ENGINE_29, filterNetworks,
  formatDaemonError, formatGoTimeString, formatNetworkInspect, formatNetworkLs, formatRfc3339Nano, GoMap, GoStruct,
  goStringMap, GoTemplate, indentGoJson, NETWORK_CREATE_COMMAND, NETWORK_INSPECT_COMMAND, NETWORK_LS_COMMAND,
  naturalCompare, networkCreateCommand, parseCommandLine, parseRfc3339, shortId, tabwrite, wallTimeAt,
} from '../src/docker';
import type { CommandLine, EngineProfile, NetworkResource, WallTime } from '../src/docker';
import { testHost } from './docker-test-doubles';

const START: WallTime = parseRfc3339('2020-04-26T19:37:50Z')!;

function ok(r: CommandLine): Extract<CommandLine, { kind: 'ok' }> {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r;
}
function err(r: CommandLine): Extract<CommandLine, { kind: 'error' }> {
  if (r.kind !== 'error') throw new Error(`expected an error, got ${r.kind}`);
  return r;
}

/** `docker network create …` through the CLI's parsing into the daemon. */
function dockerNetworkCreate(host: ReturnType<typeof testHost>, argv: string[]) {
  const parsed = ok(parseCommandLine(NETWORK_CREATE_COMMAND, argv, host.controller.profile.version));
  const req = buildNetworkCreateRequest(parsed.flags, parsed.args);
  if (!req.ok) throw new Error(req.stderr);
  return host.controller.createNetwork(req.request);
}

function resources(host: ReturnType<typeof testHost>, profile: EngineProfile): NetworkResource[] {
  return host.controller.networks().map((n) => buildNetworkResource(n, START, profile));
}

function lsText(host: ReturnType<typeof testHost>, profile: EngineProfile, opts: Parameters<typeof formatNetworkLs>[1] = {}): string {
  const out = formatNetworkLs(resources(host, profile), opts, profile);
  if (!out.ok) throw new Error(out.stderr);
  return out.stdout;
}

describe('docker CLI: tabwriter', () => {
  it('aligns tab-terminated cells by column block, as Go\'s text/tabwriter documents', () => {
    const text = 'aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n';
    expect(tabwrite(text, { minWidth: 0, tabWidth: 8, padding: 1, padChar: '.' }))
      .to.equal('aaaa.bbb.d\naa...b...dd\na....\naa...cccc.eee\n');
  });

  it('applies the minimum width and never pads the last column', () => {
    expect(tabwrite('A\tB\nlonger-cell\tx\n', { minWidth: 10, tabWidth: 1, padding: 3 }))
      .to.equal('A             B\nlonger-cell   x\n');
  });
});

describe('docker CLI: natural order', () => {
  it('sorts numbers by value and digits before letters', () => {
    const names = ['network-10-foo', 'network-2-foo', 'network-1-foo', 'b', 'a1', 'a01', 'a'];
    expect(names.sort(naturalCompare)).to.deep.equal(['a', 'a1', 'a01', 'b', 'network-1-foo', 'network-2-foo', 'network-10-foo']);
  });
});

describe('docker CLI: flag parsing', () => {
  it('19.03: unknown flags exit 125 with Docker\'s hint', () => {
    const r = err(parseCommandLine(NETWORK_CREATE_COMMAND, ['--foo', 'demo']));
    expect(r).to.deep.equal({ kind: 'error', stderr: "unknown flag: --foo\nSee 'docker network create --help'.\n", exitCode: 125 });
    expect(err(parseCommandLine(NETWORK_LS_COMMAND, ['-x'])).stderr).to.equal("unknown shorthand flag: 'x' in -x\nSee 'docker network ls --help'.\n");
  });

  it('29: unknown flags show the usage line', () => {
    expect(err(parseCommandLine(NETWORK_CREATE_COMMAND, ['--foo'], '29')).stderr).to.equal(
      "unknown flag: --foo\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nRun 'docker network create --help' for more information\n");
  });

  it('19.03: wrong argument counts exit 1 with usage and the short description', () => {
    const r = err(parseCommandLine(NETWORK_CREATE_COMMAND, ['-d', 'bridge']));
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.equal(
      '"docker network create" requires exactly 1 argument.\nSee \'docker network create --help\'.\n\n' +
      'Usage:  docker network create [OPTIONS] NETWORK\n\nCreate a network\n');
    expect(err(parseCommandLine(NETWORK_LS_COMMAND, ['extra'])).stderr).to.equal(
      '"docker network ls" accepts no arguments.\nSee \'docker network ls --help\'.\n\nUsage:  docker network ls [OPTIONS]\n\nList networks\n');
    expect(err(parseCommandLine(NETWORK_INSPECT_COMMAND, [])).stderr).to.equal(
      '"docker network inspect" requires at least 1 argument.\nSee \'docker network inspect --help\'.\n\n' +
      'Usage:  docker network inspect [OPTIONS] NETWORK [NETWORK...]\n\nDisplay detailed information on one or more networks\n');
  });

  it('29: wrong argument counts', () => {
    expect(err(parseCommandLine(NETWORK_CREATE_COMMAND, [], '29')).stderr).to.equal(
      "docker: 'docker network create' requires 1 argument\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nRun 'docker network create --help' for more information\n");
  });

  it('--ipv4 exists only in the v29 CLI', () => {
    expect(err(parseCommandLine(networkCreateCommand('19.03'), ['--ipv4=false', 'n'])).stderr.split('\n')[0]).to.equal('unknown flag: --ipv4');
    expect(ok(parseCommandLine(networkCreateCommand('29'), ['--ipv4=false', 'n'], '29')).flags.bool('ipv4', true)).to.equal(false);
  });

  it('reports missing and invalid values as pflag does', () => {
    expect(err(parseCommandLine(NETWORK_CREATE_COMMAND, ['demo', '--subnet'])).stderr.split('\n')[0]).to.equal('flag needs an argument: --subnet');
    expect(err(parseCommandLine(NETWORK_CREATE_COMMAND, ['demo', '-d'])).stderr.split('\n')[0]).to.equal("flag needs an argument: 'd' in -d");
    expect(err(parseCommandLine(NETWORK_CREATE_COMMAND, ['demo', '--internal=maybe'])).stderr.split('\n')[0])
      .to.equal('invalid argument "maybe" for "--internal" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
    expect(err(parseCommandLine(NETWORK_LS_COMMAND, ['-f', 'driver'])).stderr.split('\n')[0])
      .to.equal('invalid argument "driver" for "-f, --filter" flag: bad format of filter (expected name=value)');
  });

  it('accepts flags anywhere, shorthand clusters, = forms, CSV slices and --', () => {
    const c = ok(parseCommandLine(NETWORK_CREATE_COMMAND, ['demo', '-dbridge', '--subnet=10.0.0.0/24,10.1.0.0/24', '-o', 'a=b', '-o', 'c', '--internal']));
    expect(c.args).to.deep.equal(['demo']);
    expect(c.flags.string('driver')).to.equal('bridge');
    expect(c.flags.strings('subnet')).to.deep.equal(['10.0.0.0/24', '10.1.0.0/24']);
    expect(c.flags.map('opt')).to.deep.equal({ a: 'b', c: '' });
    expect(c.flags.bool('internal')).to.equal(true);
    const l = ok(parseCommandLine(NETWORK_LS_COMMAND, ['-qf', 'driver=bridge', '--filter', 'Name = x ']));
    expect(l.flags.bool('quiet')).to.equal(true);
    expect(l.flags.pairs('filter')).to.deep.equal([['driver', 'bridge'], ['name', 'x']]);
    expect(ok(parseCommandLine(NETWORK_INSPECT_COMMAND, ['--', '-weird'])).args).to.deep.equal(['-weird']);
    expect(parseCommandLine(NETWORK_CREATE_COMMAND, ['--help']).kind).to.equal('help');
    expect(parseCommandLine(NETWORK_LS_COMMAND, ['-h', 'extra']).kind).to.equal('help');
  });
});

describe('docker CLI: network create request', () => {
  const build = (argv: string[]) => {
    const p = ok(parseCommandLine(NETWORK_CREATE_COMMAND, argv));
    return buildNetworkCreateRequest(p.flags, p.args);
  };
  const fails = (argv: string[]) => {
    const r = build(argv);
    if (r.ok) throw new Error('expected a CLI error');
    expect(r.exitCode).to.equal(1);
    return r.stderr;
  };

  it('builds the tutorial\'s request', () => {
    const r = build(['-d', 'bridge', '--subnet', '10.0.0.1/24', 'demo-bridge']);
    expect(r).to.deep.equal({
      ok: true,
      request: {
        name: 'demo-bridge', driver: 'bridge', checkDuplicate: true, internal: false, enableIPv6: false,
        attachable: false, ingress: false, scope: '', configOnly: false,
        ipam: { driver: 'default', options: {}, config: [{ subnet: '10.0.0.1/24', auxAddresses: {} }] },
        options: {}, labels: {},
      },
    });
  });

  it('pairs ranges, gateways and aux addresses with their subnet or says why not', () => {
    expect(fails(['--ip-range', '10.0.0.0/25', 'n'])).to.equal('every ip-range or gateway must have a corresponding subnet\n');
    expect(fails(['--subnet', '10.0.0.0/16', '--subnet', '10.0.5.0/24', 'n'])).to.equal('multiple overlapping subnet configuration is not supported\n');
    expect(fails(['--subnet', '10.0.0.0/24', '--gateway', '10.1.0.1', 'n'])).to.equal('no matching subnet for gateway 10.1.0.1\n');
    expect(fails(['--subnet', '10.0.0.0/24', '--ip-range', '10.2.0.0/26', 'n'])).to.equal('no matching subnet for range 10.2.0.0/26\n');
    expect(fails(['--subnet', '10.0.0.0/24', '--aux-address', 'a=10.1.0.5', 'n'])).to.equal('no matching subnet for aux-address 10.1.0.5\n');
    expect(fails(['--subnet', '10.0.0.0/24', '--subnet', '10.1.0.0/24', '--ip-range', '10.0.0.0/26', '--ip-range', '10.0.0.64/26', 'n']))
      .to.equal('cannot configure multiple ranges (10.0.0.64/26, 10.0.0.0/26) on the same subnet (10.0.0.0/24)\n');
    expect(fails(['--subnet', 'foo', '--gateway', '10.0.0.1', 'n'])).to.equal('invalid subnet: invalid CIDR address: foo\n');
  });

  it('leaves a lone bad subnet to the daemon', () => {
    const r = build(['--subnet', 'foo', 'n']);
    expect(r.ok).to.equal(true);
    const host = testHost(ENGINE_19_03);
    const e = (() => { try { host.controller.createNetwork(r.ok ? r.request : (null as never)); } catch (x) { return x as DaemonError; } return undefined; })();
    expect(formatDaemonError(e!)).to.equal('Error response from daemon: Invalid subnet foo : invalid CIDR address: foo');
  });

  it('parses gateway, range, aux addresses and labels', () => {
    const r = build(['--subnet=172.28.0.0/16', '--ip-range=172.28.5.0/24', '--gateway=172.28.5.254', '--aux-address', 'my-router=172.28.1.5', '--label', 'env=dev', '--label', 'solo', 'n']);
    expect(r.ok && r.request.ipam?.config).to.deep.equal([
      { subnet: '172.28.0.0/16', ipRange: '172.28.5.0/24', gateway: '172.28.5.254', auxAddresses: { 'my-router': '172.28.1.5' } },
    ]);
    expect(r.ok && r.request.labels).to.deep.equal({ env: 'dev', solo: '' });
  });
});

describe('docker CLI: network ls', () => {
  it('19.03: the three default networks and a user bridge, in 20-wide columns', () => {
    const host = testHost(ENGINE_19_03);
    dockerNetworkCreate(host, ['-d', 'bridge', '--subnet', '10.0.0.1/24', 'demo-bridge']);
    const id = (name: string) => shortId(host.controller.networkByName(name)!.id);
    expect(lsText(host, ENGINE_19_03)).to.equal(
      'NETWORK ID          NAME                DRIVER              SCOPE\n' +
      `${id('bridge')}        bridge              bridge              local\n` +
      `${id('demo-bridge')}        demo-bridge         bridge              local\n` +
      `${id('host')}        host                host                local\n` +
      `${id('none')}        none                null                local\n`);
  });

  it('29: 10-wide minimum columns', () => {
    const host = testHost(ENGINE_29);
    const id = (name: string) => shortId(host.controller.networkByName(name)!.id);
    expect(lsText(host, ENGINE_29)).to.equal(
      'NETWORK ID     NAME      DRIVER    SCOPE\n' +
      `${id('bridge')}   bridge    bridge    local\n` +
      `${id('host')}   host      host      local\n` +
      `${id('none')}   none      null      local\n`);
  });

  it('-q, --no-trunc and --format', () => {
    const host = testHost(ENGINE_19_03);
    const nets = [...host.controller.networks()].sort((a, b) => a.name.localeCompare(b.name));
    expect(lsText(host, ENGINE_19_03, { quiet: true })).to.equal(nets.map((n) => `${shortId(n.id)}\n`).join(''));
    expect(lsText(host, ENGINE_19_03, { quiet: true, noTrunc: true })).to.equal(nets.map((n) => `${n.id}\n`).join(''));
    expect(lsText(host, ENGINE_19_03, { format: '{{.Name}}: {{.Driver}} {{.IPv6}} {{.Internal}}' }))
      .to.equal('bridge: bridge false false\nhost: host false false\nnone: null false false\n');
    expect(lsText(host, ENGINE_19_03, { format: 'table {{.Name}}\\t{{.Scope}}' }))
      .to.equal('NAME                SCOPE\nbridge              local\nhost                local\nnone                local\n');
    expect(lsText(host, ENGINE_19_03, { format: '{{.CreatedAt}}', quiet: true }).split('\n')[0]).to.equal('2020-04-26 19:37:50 +0000 UTC');
    expect(lsText(host, ENGINE_19_03, { format: 'raw' }).split('\n\n')[0])
      .to.equal(`network_id: ${shortId(nets[0]!.id)}\nname: bridge\ndriver: bridge\nscope: local`);
    expect(lsText(host, ENGINE_19_03, { format: 'raw', quiet: true })).to.equal(nets.map((n) => `network_id: ${shortId(n.id)}\n`).join(''));
  });

  it('labels: all as k=v sorted, one by key', () => {
    const host = testHost(ENGINE_19_03);
    dockerNetworkCreate(host, ['--label', 'z=1', '--label', 'a=2', 'lab']);
    const text = lsText(host, ENGINE_19_03, { format: '{{.Name}} [{{.Labels}}] [{{.Label "a"}}]' });
    expect(text.split('\n').find((l) => l.startsWith('lab '))).to.equal('lab [a=2,z=1] [2]');
    expect(text.split('\n')[0]).to.equal('bridge [] []');
  });

  it('reports a template error the way the CLI does', () => {
    const out = formatNetworkLs(resources(testHost(ENGINE_19_03), ENGINE_19_03), { format: 'table {{.ID}}\t{{.Foo}}' }, ENGINE_19_03);
    expect(out).to.deep.equal({
      ok: false,
      exitCode: 1,
      stderr: 'Template parsing error: template: :1:10: executing "" at <.Foo>: can\'t evaluate field Foo in type *network.networkContext\n\n',
    });
    expect(() => GoTemplate.parse('{{.ID')).to.throw('template: :1: unclosed action');
  });

  it('filters by driver, name, id, type, label and scope; rejects unknown filters', () => {
    const host = testHost(ENGINE_19_03);
    dockerNetworkCreate(host, ['--label', 'env=dev', 'front-net']);
    dockerNetworkCreate(host, ['back-net']);
    const all = resources(host, ENGINE_19_03);
    const names = (f: [string, string][]) => filterNetworks(all, f, ENGINE_19_03).map((n) => n.name).sort();
    expect(names([['driver', 'bridge']])).to.deep.equal(['back-net', 'bridge', 'front-net']);
    expect(names([['name', 'net$']])).to.deep.equal(['back-net', 'front-net']);
    expect(names([['name', 'front'], ['name', 'host']])).to.deep.equal(['front-net', 'host']);
    expect(names([['type', 'custom']])).to.deep.equal(['back-net', 'front-net']);
    expect(names([['type', 'builtin']])).to.deep.equal(['bridge', 'host', 'none']);
    expect(names([['label', 'env']])).to.deep.equal(['front-net']);
    expect(names([['label', 'env=prod']])).to.deep.equal([]);
    expect(names([['id', host.controller.networkByName('back-net')!.id.slice(0, 6)]])).to.deep.equal(['back-net']);
    expect(names([['scope', 'swarm']])).to.deep.equal([]);
    expect(names([['dangling', 'true']])).to.deep.equal(['back-net', 'front-net']);
    expect(() => filterNetworks(all, [['foo', 'x']], ENGINE_19_03)).to.throw("Invalid filter 'foo'");
    expect(() => filterNetworks(all, [['type', 'x']], ENGINE_19_03)).to.throw("Invalid filter: 'type'='x'");
    expect(() => filterNetworks(all, [['type', 'x']], ENGINE_29)).to.throw("invalid filter: 'type'='x'");
  });
});

describe('docker CLI: network inspect', () => {
  it('19.03: the tutorial network, key for key and in order', () => {
    const host = testHost(ENGINE_19_03);
    host.advance(1_500_000_000);
    const n = dockerNetworkCreate(host, ['-d', 'bridge', '--subnet', '10.0.0.1/24', 'demo-bridge']);
    expect(formatNetworkInspect([buildNetworkResource(n, START, ENGINE_19_03)], ENGINE_19_03)).to.equal(`[
    {
        "Name": "demo-bridge",
        "Id": "${n.id}",
        "Created": "2020-04-26T19:37:51.5Z",
        "Scope": "local",
        "Driver": "bridge",
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": [
                {
                    "Subnet": "10.0.0.1/24"
                }
            ]
        },
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {},
        "Labels": {}
    }
]
`);
  });

  it('19.03: the default bridge, with containers', () => {
    const host = testHost(ENGINE_19_03);
    const bridge = host.controller.networkByName('bridge')!;
    const sb = host.controller.newSandbox('f'.repeat(64));
    const ep = bridge.createEndpoint('web');
    ep.join(sb);
    const text = formatNetworkInspect([buildNetworkResource(bridge, START, ENGINE_19_03)], ENGINE_19_03);
    expect(text).to.contain(`"IPAM": {
            "Driver": "default",
            "Options": null,
            "Config": [
                {
                    "Subnet": "172.17.0.0/16",
                    "Gateway": "172.17.0.1"
                }
            ]
        },`);
    expect(text).to.contain(`"Containers": {
            "${'f'.repeat(64)}": {
                "Name": "web",
                "EndpointID": "${ep.id}",
                "MacAddress": "02:42:ac:11:00:02",
                "IPv4Address": "172.17.0.2/16",
                "IPv6Address": ""
            }
        },
        "Options": {
            "com.docker.network.bridge.default_bridge": "true",
            "com.docker.network.bridge.enable_icc": "true",
            "com.docker.network.bridge.enable_ip_masquerade": "true",
            "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
            "com.docker.network.bridge.name": "docker0",
            "com.docker.network.driver.mtu": "1500"
        },
        "Labels": {}
    }
]
`);
  });

  it('a network picked from the default pools shows the pool and gateway IPAM chose', () => {
    const host = testHost(ENGINE_19_03);
    const n = dockerNetworkCreate(host, ['auto']);
    const r = buildNetworkResource(n, START, ENGINE_19_03);
    expect(r.ipam.config).to.deep.equal([{ subnet: '172.18.0.0/16', ipRange: '', gateway: '172.18.0.1', auxAddresses: {} }]);
  });

  it('host: "Config": [] in 19.03, null and the v29 field order in 29', () => {
    const old = testHost(ENGINE_19_03);
    expect(formatNetworkInspect([buildNetworkResource(old.controller.networkByName('host')!, START, ENGINE_19_03)], ENGINE_19_03))
      .to.contain('"Options": null,\n            "Config": []\n        },');
    const cur = testHost(ENGINE_29);
    const text = formatNetworkInspect([buildNetworkResource(cur.controller.networkByName('host')!, START, ENGINE_29)], ENGINE_29);
    const keys = [...text.matchAll(/^ {8}"(\w+)":/gm)].map((m) => m[1]);
    expect(keys).to.deep.equal(['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal',
      'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Options', 'Labels', 'Containers']);
    expect(text).to.contain('"Config": null');
  });

  it('prints [] for nothing', () => {
    expect(formatNetworkInspect([], ENGINE_19_03)).to.equal('[]\n');
  });
});

describe('docker CLI: Go JSON and time', () => {
  it('escapes like encoding/json without HTML escaping and sorts map keys', () => {
    const v = new GoStruct([
      ['S', 'a"b\\c\n<&>\u0001\u2028'],
      ['M', new GoMap({ b: 1, a: true, B: null })],
      ['E', new GoMap({})],
      ['L', []],
      ['N', goStringMap(null)],
    ]);
    expect(encodeGoJson(v)).to.equal('{"S":"a\\"b\\\\c\\n<&>\\u0001\\u2028","M":{"B":null,"a":true,"b":1},"E":{},"L":[],"N":null}');
    expect(indentGoJson([new GoStruct([['A', [1, 2]], ['B', new GoMap({})]])])).to.equal(
      '[\n    {\n        "A": [\n            1,\n            2\n        ],\n        "B": {}\n    }\n]');
  });

  it('formats times as Go does in UTC', () => {
    expect(formatRfc3339Nano(START)).to.equal('2020-04-26T19:37:50Z');
    expect(formatRfc3339Nano(wallTimeAt(START, 123_456_789))).to.equal('2020-04-26T19:37:50.123456789Z');
    expect(formatRfc3339Nano(wallTimeAt(START, 2_100_000_000))).to.equal('2020-04-26T19:37:52.1Z');
    expect(formatGoTimeString(wallTimeAt(START, 10_000_000))).to.equal('2020-04-26 19:37:50.01 +0000 UTC');
    for (const t of ['2000-02-29T23:59:59Z', '2100-03-01T00:00:00Z', '1970-01-01T00:00:00Z', '2024-12-31T12:00:00.5Z']) {
      expect(formatRfc3339Nano(parseRfc3339(t)!)).to.equal(t);
    }
    expect(formatRfc3339Nano(parseRfc3339('2020-04-26T21:37:50+02:00')!)).to.equal('2020-04-26T19:37:50Z');
  });
});
