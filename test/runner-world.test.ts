// The world (src/scenario/world.ts): LANs as learning switches, routers that forward, hosts with
// addresses, default routes and resolvers, all reachable over real frames.
import { expect } from 'chai';
import { formatMac, formatIpv4 } from '../src/wire';
import { loadScenarioText, runScenario, World, formatTranscript, type RunReport } from '../src/scenario';
import { testPrograms } from './runner-programs';

const ROUTED = `
name: routed
description: Two LANs joined by a router.
lans:
  lan1: {}
  lan2: { delay: 100us, jitter: 0 }
routers:
  r1:
    interfaces:
      eth0: { lan: lan1, address: 192.168.1.1/24 }
      eth1: { lan: lan2, address: 192.168.2.1/24 }
hosts:
  pc1: { lan: lan1, address: 192.168.1.10/24, gateway: 192.168.1.1, docker: false, resolvers: [ 192.168.1.1, 9.9.9.9 ] }
  pc2:
    docker: false
    interfaces:
      eth0: { lan: lan2, address: 192.168.2.20/24, delay: 1ms }
    gateway: 192.168.2.1
steps:
  - probe 192.168.2.20
`;

function world(text = ROUTED, seed?: number): World {
  return new World(loadScenarioText(text, 'routed.yaml'), { programs: [testPrograms], ...(seed === undefined ? {} : { seed }) });
}

function run(text: string): RunReport {
  return runScenario(loadScenarioText(text, 'routed.yaml'), { programs: [testPrograms] });
}

describe('world', () => {
  it('builds one switch per LAN with one port per attached interface', () => {
    const w = world();
    expect([...w.lans.keys()]).to.deep.equal(['lan1', 'lan2']);
    expect(w.lans.get('lan1')!.ports().map((p) => p.name)).to.deep.equal(['pc1.eth0', 'r1.eth0']);
    expect(w.lans.get('lan2')!.ports().map((p) => p.name)).to.deep.equal(['pc2.eth0', 'r1.eth1']);
    expect(w.links.map((l) => l.ends)).to.deep.equal([
      ['lan1:pc1.eth0', 'pc1:eth0'], ['lan2:pc2.eth0', 'pc2:eth0'], ['lan1:r1.eth0', 'r1:eth0'], ['lan2:r1.eth1', 'r1:eth1'],
    ]);
  });

  it('gives each port the layered link parameters (defaults < LAN < interface)', () => {
    const w = world();
    const byEnd = new Map(w.links.map((l) => [l.ends[1], l.link.params]));
    expect(byEnd.get('pc1:eth0')).to.deep.include({ delay: 50_000, jitter: 0, rate: 1e9, mtu: 1500 });
    expect(byEnd.get('r1:eth1')).to.deep.include({ delay: 100_000, jitter: 0 });
    expect(byEnd.get('pc2:eth0')).to.deep.include({ delay: 1_000_000, jitter: 0 });
    expect(w.links.find((l) => l.ends[1] === 'pc2:eth0')!.link.params.delay).to.equal(1_000_000);
  });

  it('builds hosts and routers as namespaces with their addresses and routes', () => {
    const w = world();
    expect([...w.machines.keys()]).to.deep.equal(['pc1', 'pc2', 'r1']);
    const r1 = w.machine('r1');
    expect(r1.kind).to.equal('router');
    expect(r1.ns.forwarding).to.equal(true);
    expect(r1.ns.interfaces().map((i) => i.name)).to.deep.equal(['lo', 'eth0', 'eth1']);
    const pc1 = w.machine('pc1');
    expect(pc1.ns.forwarding).to.equal(false);
    expect(pc1.ns.interface('eth0')!.addresses.map((a) => `${formatIpv4(a.address)}/${a.prefixLen}`)).to.deep.equal(['192.168.1.10/24']);
    const def = pc1.ns.route('10.9.9.9')!;
    expect(def.prefixLen).to.equal(0);
    expect(formatIpv4(def.gateway!)).to.equal('192.168.1.1');
    expect(pc1.files.read('/etc/resolv.conf')).to.equal('nameserver 192.168.1.1\nnameserver 9.9.9.9\n');
    expect(pc1.files.read('/etc/hostname')).to.equal('pc1\n');
    expect(pc1.files.read('/etc/hosts')).to.contain('192.168.1.10\tpc1\n');
    expect(w.machine('pc2').files.read('/etc/resolv.conf')).to.equal(undefined);
  });

  it('draws MACs from the seed: locally administered, stable per seed, different for another seed', () => {
    const macs = (w: World): string[] => [...w.machines.values()].flatMap((m) => m.ns.interfaces().filter((i) => i.nic).map((i) => formatMac(i.mac)));
    const a = macs(world());
    expect(a).to.have.length(4);
    for (const m of a) expect(parseInt(m.slice(0, 2), 16) & 0x03, m).to.equal(0x02);
    expect(new Set(a).size).to.equal(4);
    expect(macs(world())).to.deep.equal(a);
    expect(macs(world(ROUTED, 99))).not.to.deep.equal(a);
  });

  it('carries an echo across the router: TTL 63, round trip from the link delays', () => {
    const report = run(ROUTED);
    const step = report.steps[0]!;
    expect(step.kind).to.equal('run');
    if (step.kind !== 'run') return;
    expect(step.exit).to.equal(0);
    // pc1 → lan1 → r1 → lan2 → pc2 and back: the reply left pc2 with TTL 64 and crossed r1.
    expect(step.stdout).to.match(/^reply from 192\.168\.2\.20 ttl=63 time=\d+\.\d{3} ms\n$/);
    const rtt = Number(/time=([\d.]+)/.exec(step.stdout)![1]);
    // Each way: lan1 port ×2 (50 us ± 10 us) + pc2's port (1 ms) + r1's lan2 port (100 us), plus
    // ARP on the first crossing of each segment.
    expect(rtt).to.be.greaterThan(2 * (0.08 + 1 + 0.1));
    expect(rtt).to.be.lessThan(10);
  });

  it('a host that is not a router does not forward', () => {
    // Same topology, but r1 is declared as a plain host: nothing forwards between the LANs.
    const asHost = `
lans: { lan1: {}, lan2: {} }
hosts:
  pc1: { lan: lan1, address: 192.168.1.10/24, gateway: 192.168.1.1, docker: false }
  pc2: { lan: lan2, address: 192.168.2.20/24, gateway: 192.168.2.1, docker: false }
  r1:
    docker: false
    interfaces:
      eth0: { lan: lan1, address: 192.168.1.1/24 }
      eth1: { lan: lan2, address: 192.168.2.1/24 }
steps:
  - probe 192.168.2.20
`;
    const step = run(asHost).steps[0]!;
    if (step.kind !== 'run') throw new Error('expected a run step');
    expect(step.stdout).to.equal('no reply\n');
    expect(step.exit).to.equal(1);
  });

  it('routers use their static routes', () => {
    const text = `
lans: { a: {}, b: {}, c: {} }
routers:
  r1:
    interfaces:
      eth0: { lan: a, address: 10.0.1.1/24 }
      eth1: { lan: b, address: 10.0.2.1/24 }
    routes: [ "10.0.3.0/24 via 10.0.2.2" ]
  r2:
    interfaces:
      eth0: { lan: b, address: 10.0.2.2/24 }
      eth1: { lan: c, address: 10.0.3.1/24 }
    routes: [ "default via 10.0.2.1" ]
hosts:
  h1: { lan: a, address: 10.0.1.10/24, gateway: 10.0.1.1, docker: false }
  h3: { lan: c, address: 10.0.3.10/24, gateway: 10.0.3.1, docker: false }
steps:
  - probe 10.0.3.10
  - on: r2
    run: probe 10.0.1.10
`;
    const report = run(text);
    const [s1, s2] = report.steps;
    if (s1?.kind !== 'run' || s2?.kind !== 'run') throw new Error('expected run steps');
    expect(s1.stdout).to.match(/^reply from 10\.0\.3\.10 ttl=62 /);
    expect(s2.stdout).to.match(/^reply from 10\.0\.1\.10 ttl=63 /);
    expect(formatTranscript(report)).to.contain('r2$ probe 10.0.1.10\nreply from 10.0.1.10 ttl=63');
  });

  it('runs a step on the machine it names, with that machine\'s namespace and files', () => {
    const report = run(ROUTED.replace('  - probe 192.168.2.20', '  - hostinfo\n  - on: r1\n    run: hostinfo'));
    const [s1, s2] = report.steps;
    if (s1?.kind !== 'run' || s2?.kind !== 'run') throw new Error('expected run steps');
    expect(s1.stdout).to.equal('pc1\nlo 127.0.0.1/8\neth0 192.168.1.10/24\nnameserver 192.168.1.1\nnameserver 9.9.9.9\n');
    expect(s2.stdout).to.equal('r1\nlo 127.0.0.1/8\neth0 192.168.1.1/24\neth1 192.168.2.1/24\nno resolv.conf\n');
  });

  it('builds a Docker host as a plain Linux host (the engine is another layer)', () => {
    const w = world(`
lans: { lan1: {} }
hosts:
  node1: { lan: lan1, address: 192.168.1.10/24 }
`);
    const node1 = w.machine('node1');
    expect(node1.docker).to.equal(true);
    expect(node1.ns.interfaces().map((i) => i.name)).to.deep.equal(['lo', 'eth0']);
  });
});
