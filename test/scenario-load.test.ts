// Loading scenario files into the validated model (SCENARIOS.md "File format").
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseIpv4 } from '../src/wire';
import {
  loadScenarioText, matcherMatches, resolveLinkParams, SCENARIO_DEFAULTS, ScenarioError, scenarioNameFromFile,
  type Scenario, type SourcePos,
} from '../src/scenario';

const VALID = resolve(__dirname, '..', '..', 'test', 'fixtures', 'scenarios', 'valid');

function loadValid(name: string): Scenario {
  const file = `valid/${name}`;
  return loadScenarioText(readFileSync(join(VALID, name), 'utf8'), file);
}

/** The ScenarioError a text gives, as its one-line form. */
function errorOf(text: string, file = 'x.yaml'): string {
  try {
    loadScenarioText(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.toString();
    throw e;
  }
  throw new Error('loaded without an error');
}

describe('scenario loading: the example of SCENARIOS.md', () => {
  const file = 'valid/contract-example.yaml';
  const at = (line: number, col: number): SourcePos => ({ file, line, col });
  const ip = parseIpv4;
  const cidr = (text: string) => {
    const [a, l] = text.split('/');
    return { addr: ip(a!), len: Number(l) };
  };

  it('loads into exactly the expected model', () => {
    const s = loadValid('contract-example.yaml');
    const expected: Scenario = {
      name: 'single-host-bridge',
      description: 'Two containers on a user-defined bridge ping each other by name.',
      seed: 42,
      start: 1_587_929_870_000_000_000n,
      engine: '19.03',
      links: {},
      lans: new Map([
        ['lan1', { name: 'lan1', params: { delay: 50_000, rate: 1_000_000_000, loss: 0, mtu: 1500 }, pos: at(9, 3) }],
        ['lan2', { name: 'lan2', params: {}, pos: at(10, 3) }],
      ]),
      routers: new Map([
        ['r1', {
          name: 'r1',
          interfaces: new Map([
            ['eth0', { name: 'eth0', lan: 'lan1', address: cidr('192.168.1.1/24'), params: {}, pos: at(15, 7) }],
            ['eth1', { name: 'eth1', lan: 'lan2', address: cidr('192.168.2.1/24'), params: {}, pos: at(16, 7) }],
          ]),
          routes: [{ dst: cidr('10.50.0.0/16'), via: ip('192.168.2.254'), pos: at(17, 15) }],
          pos: at(13, 3),
        }],
      ]),
      hosts: new Map([
        ['node1', {
          name: 'node1', docker: true, gateway: ip('192.168.1.1'), pos: at(20, 3),
          interfaces: new Map([['eth0', { name: 'eth0', lan: 'lan1', address: cidr('192.168.1.10/24'), params: {}, pos: at(20, 3) }]]),
        }],
        ['node2', {
          name: 'node2', docker: true, gateway: ip('192.168.2.1'), pos: at(21, 3),
          interfaces: new Map([['eth0', { name: 'eth0', lan: 'lan2', address: cidr('192.168.2.10/24'), params: {}, pos: at(23, 7) }]]),
        }],
        ['vm1', {
          name: 'vm1', docker: false, pos: at(25, 3),
          interfaces: new Map([['eth0', { name: 'eth0', lan: 'lan1', address: cidr('192.168.1.50/24'), params: {}, pos: at(25, 3) }]]),
        }],
        ['docker-host', { name: 'docker-host', docker: true, interfaces: new Map(), pos: at(26, 3) }],
      ]),
      images: new Map([['mywebapp', { name: 'mywebapp', listen: [{ proto: 'tcp', port: 8080, app: 'http' }], pos: at(29, 3) }]]),
      steps: [
        { kind: 'run', on: 'node1', run: 'docker network create -d bridge --subnet 10.0.0.1/24 demo-bridge', pos: at(32, 5) },
        { kind: 'run', on: 'node2', run: 'docker run -dt --name c2 --network demo-bridge alpine sleep 1d', pos: at(33, 5) },
        { kind: 'sleep', duration: 30_000_000_000, pos: at(35, 5) },
        {
          kind: 'run', on: 'node1', run: 'docker exec container1 ping -c 5 container2', pos: at(36, 5),
          expect: {
            exit: 0,
            stdout: [{ text: '5 packets transmitted, 5 packets received, 0% packet loss', source: '5 packets transmitted, 5 packets received, 0% packet loss', pos: at(39, 17) }],
            notStdout: [{ text: 'bad address', source: 'bad address', pos: at(40, 21) }],
            stderr: [],
            notStderr: [],
            pos: at(38, 7),
          },
        },
        {
          kind: 'run', on: 'node1', run: 'docker network inspect demo-bridge', pos: at(41, 5),
          capture: new Map([['BRIDGE_ID', /"Id": "([0-9a-f]{64})"/]]),
        },
      ],
      file,
    };
    expect(s).to.deep.equal(expected);
  });

  it('keeps hosts, LANs and routers in file order, first host first', () => {
    const s = loadValid('contract-example.yaml');
    expect([...s.hosts.keys()]).to.deep.equal(['node1', 'node2', 'vm1', 'docker-host']);
    expect([...s.lans.keys()]).to.deep.equal(['lan1', 'lan2']);
  });

  it('the capture regex extracts a 64-hex network ID', () => {
    const step = loadValid('contract-example.yaml').steps[4];
    if (step?.kind !== 'run' || !step.capture) throw new Error('step 4 is a run step with a capture');
    const id = 'ab'.repeat(32);
    expect(step.capture.get('BRIDGE_ID')!.exec(`[\n  {\n    "Name": "demo-bridge",\n    "Id": "${id}",`)?.[1]).to.equal(id);
  });
});

describe('scenario loading: the less common forms', () => {
  const s = loadValid('routed-lans.yaml');

  it('normalises an unquoted engine number and reads an offset start time', () => {
    expect(s.engine).to.equal('29');
    expect(s.start).to.equal(1_709_247_599_500_000_000n);
    expect(s.seed).to.equal(7);
  });

  it('takes the name from the file when none is given, and trims a folded description', () => {
    expect(s.name).to.equal('routed-lans');
    expect(s.description).to.equal('Two LANs joined by a router; a traceroute crosses it.');
  });

  it('reads anchors, empty LANs, link defaults and interface overrides', () => {
    expect(s.links).to.deep.equal({ delay: 0, jitter: 0 });
    expect(s.lans.get('lab')!.params).to.deep.equal({ delay: 100_000, jitter: 10_000, rate: 1_000_000_000, loss: 0.5 });
    expect(s.lans.get('wan')!.params).to.deep.equal({});
    const eth1 = s.routers.get('edge')!.interfaces.get('eth1')!;
    expect(eth1.mtu).to.equal(9000);
    expect(eth1.params).to.deep.equal({ rate: 100_000_000 });
    expect(s.hosts.get('server')!.interfaces.get('eth0')!.params).to.deep.equal({ delay: 2_000_000 });
  });

  it('reads default routes, resolvers (a list or one address) and docker: false', () => {
    expect(s.routers.get('edge')!.routes.map((r) => [r.dst, r.via])).to.deep.equal([
      [{ addr: 0, len: 0 }, parseIpv4('203.0.113.1')],
      [{ addr: parseIpv4('172.16.0.0'), len: 12 }, parseIpv4('10.2.0.254')],
    ]);
    expect(s.hosts.get('pc1')!.resolvers).to.deep.equal([parseIpv4('10.1.0.1')]);
    expect(s.hosts.get('server')!.resolvers).to.deep.equal([parseIpv4('10.2.0.1')]);
    expect([...s.hosts.values()].map((h) => h.docker)).to.deep.equal([false, false]);
  });

  it('reads steps on routers, single matchers, regex flags and multi-line commands', () => {
    const [first, onRouter, sleep, last] = s.steps;
    expect(first).to.deep.include({ kind: 'run', on: 'pc1' });
    expect(sleep).to.deep.include({ kind: 'sleep', duration: 1_500_000_000 });
    if (onRouter?.kind !== 'run' || last?.kind !== 'run') throw new Error('run steps');
    expect(onRouter.on).to.equal('edge');
    const e = onRouter.expect!;
    expect(matcherMatches(e.stdout[0]!, 'lo  UNKNOWN 127.0.0.1/8\neth1             UP             10.2.0.1/24 \n')).to.equal(true);
    expect(matcherMatches(e.stdout[0]!, 'eth1 UP 10.2.0.10/24')).to.equal(false);
    expect(e.notStderr.map((m) => matcherMatches(m, 'RTNETLINK: Cannot find device'))).to.deep.equal([false, true]);
    expect(last.run).to.equal(`ping -c 1 -W 2 '10.1.0.10' "# not a comment" \\\n  --label="\${EDGE_MAC}" $EDGE_MAC\n`);
    expect(last.expect).to.deep.include({ exit: 1 });
    expect(last.expect!.stderr.map((m) => m.source)).to.deep.equal(['bad']);
  });

  it('gives a scenario with nothing but a host the documented defaults', () => {
    const d = loadValid('docker-host.yaml');
    expect(d).to.deep.include({ name: 'docker-host', seed: 1, start: 0n, engine: '19.03', links: {} });
    expect(d.description).to.equal(undefined);
    expect(d.hosts.get('docker-host')).to.deep.include({ docker: true });
    expect(d.steps.map((st) => st.kind === 'run' && st.on)).to.deep.equal(['docker-host', 'docker-host']);
  });
});

describe('scenario loading: defaults and helpers', () => {
  it('names a scenario after its file', () => {
    expect(scenarioNameFromFile('scenarios/docker-single-host.yaml')).to.equal('docker-single-host');
    expect(scenarioNameFromFile('C:\\lab\\vxlan.yml')).to.equal('vxlan');
    expect(scenarioNameFromFile('noext')).to.equal('noext');
    expect(scenarioNameFromFile('dir/.hidden')).to.equal('.hidden');
  });

  it('layers link parameters: built-in < links: < LAN < interface', () => {
    expect(resolveLinkParams('veth')).to.deep.equal(SCENARIO_DEFAULTS.links.veth);
    expect(resolveLinkParams('lan-port', { delay: 0 }, { delay: 100_000, loss: 1 }, { rate: 10_000_000 }))
      .to.deep.equal({ delay: 100_000, jitter: 0, rate: 10_000_000, loss: 1, mtu: 1500 });
    expect(resolveLinkParams('veth', { mtu: 9000 })).to.deep.equal({ delay: 25_000, jitter: 0, loss: 0, mtu: 9000 });
  });

  it('the default timings put a container-to-container ping inside 0.05–0.5 ms', () => {
    // Four veth hops per round trip (see SCENARIO_DEFAULTS), at the extremes of the jitter.
    const v = SCENARIO_DEFAULTS.links.veth;
    expect(4 * (v.delay - v.jitter)).to.be.at.least(50_000);
    expect(4 * (v.delay + v.jitter)).to.be.at.most(500_000);
  });

  it('accepts empty sections and an empty steps list', () => {
    const s = loadScenarioText('lans:\nhosts:\n  h:\nsteps:\n', 'empty-sections.yaml');
    expect(s.lans.size).to.equal(0);
    expect(s.hosts.size).to.equal(1);
    expect(s.steps).to.deep.equal([]);
  });

  it('lets a later step use a variable an earlier step captured, but not its own', () => {
    const ok = 'hosts: { h: {} }\nsteps:\n  - run: docker network create n\n    capture: { ID: "([0-9a-f]+)" }\n  - docker network rm $ID\n';
    expect(loadScenarioText(ok, 'ok.yaml').steps).to.have.length(2);
    const own = 'hosts: { h: {} }\nsteps:\n  - run: echo ${ID}\n    capture: { ID: "(.+)" }\n';
    expect(errorOf(own)).to.equal('x.yaml:3:15: steps[0].run: unknown variable ${ID} (no variables are defined); a variable must be captured (capture:) by an earlier step');
  });
});

describe('scenario loading: errors', () => {
  it('prints one line: file:line:col: message', () => {
    const e = errorOf('seed: 1\nsteps: 3\n', 'dir/s.yaml');
    expect(e).to.equal('dir/s.yaml:2:8: steps: found number 3, expected a list of steps, each a command string, or a map with keys on, run, expect, capture, sleep');
    expect(e).not.to.contain('\n');
  });

  it('points inside a plain or quoted command at the offending character', () => {
    expect(errorOf('hosts: { h: {} }\nsteps:\n  - run: "ping `hostname`"\n')).to.match(/^x\.yaml:3:16: /);
    expect(errorOf("hosts: { h: {} }\nsteps:\n  - run: 'echo $(id)'\n")).to.match(/^x\.yaml:3:16: /);
    // A block scalar's text is not where it reads: the error points at the block.
    expect(errorOf('hosts: { h: {} }\nsteps:\n  - run: |\n      echo $(id)\n')).to.match(/^x\.yaml:3:10: /);
  });

  it('refuses what YAML reads as another type', () => {
    expect(errorOf('hosts: { h: {} }\nsteps:\n  - run: 42\n')).to.equal('x.yaml:3:10: steps[0].run: found number 42, expected a command string');
    expect(errorOf('seed: "42"\n')).to.equal('x.yaml:1:7: seed: found "42", expected an integer from 0 to 9007199254740991');
    expect(errorOf('hosts:\n  1: {}\n')).to.equal('x.yaml:2:3: hosts: found key number 1, expected a name (quote it to use it as a name)');
    expect(errorOf('engine: 19.3\n')).to.contain('engine: found "19.3", expected one of "19.03", "29"');
  });

  it('refuses a start time that pcap cannot store', () => {
    expect(errorOf('start: 1969-12-31T23:59:59Z\n')).to.contain('expected a time from 1970-01-01T00:00:00Z to 2106-02-07T06:28:15Z');
    expect(errorOf('start: 2106-02-07T06:28:16Z\n')).to.match(/^x\.yaml:1:8: start: /);
  });

  it('refuses a gateway that is the host itself, and a gateway of a host without interfaces', () => {
    expect(errorOf('lans: { l: {} }\nhosts:\n  h: { lan: l, address: 10.0.0.2/24, gateway: 10.0.0.2 }\n'))
      .to.contain('gateway 10.0.0.2 is the address of eth0 itself');
    expect(errorOf('hosts:\n  h: { gateway: 10.0.0.1 }\n')).to.contain('not on a connected subnet: there are no interfaces');
  });

  it('names a missing interface key', () => {
    expect(errorOf('lans: { l: {} }\nhosts:\n  h:\n    interfaces:\n      eth0: { lan: l }\n'))
      .to.equal('x.yaml:5:7: hosts.h.interfaces.eth0: missing key "address": an interface needs an address with a prefix length, e.g. 192.168.1.10/24');
  });

  it('accepts /31 and /32 interface addresses (no network or broadcast address there)', () => {
    const s = loadScenarioText('lans: { p2p: {} }\nrouters:\n  a: { interfaces: { eth0: { lan: p2p, address: 10.9.9.0/31 } } }\n  b: { interfaces: { eth0: { lan: p2p, address: 10.9.9.1/31 } } }\n', 'p2p.yaml');
    expect(s.routers.size).to.equal(2);
  });
});
