// Captures of a run (src/scenario/capture-set.ts, capture-naming.ts): the layout of SCENARIOS.md
// "Captures", timestamps from the scenario's start, packet comments, byte-identical reruns, and
// the bundled scenarios' committed captures (stale captures fail CI). tshark's verdict on them is
// in runner-captures-tshark.test.ts.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemorySink, readCapture } from '../src/pcap';
import { Link } from '../src/devices';
import { sec } from '../src/sim';
import {
  defaultPrograms, fileStem, linkFileStem, endsFromLinkName, loadScenarioText, runScenario, type CaptureManifest,
  type ProgramInstaller, type RunScenarioOptions,
} from '../src/scenario';
import { testPrograms } from './runner-programs';

const ROOT = resolve(__dirname, '..', '..');

const TEXT = `
name: capture-test
start: 2020-04-26T19:37:50Z
lans:
  lan1: {}
  lan2: { jitter: 0 }
routers:
  r1:
    interfaces:
      eth0: { lan: lan1, address: 192.168.1.1/24 }
      eth1: { lan: lan2, address: 192.168.2.1/24 }
hosts:
  pc1: { lan: lan1, address: 192.168.1.10/24, gateway: 192.168.1.1, docker: false }
  pc2: { lan: lan2, address: 192.168.2.20/24, gateway: 192.168.2.1, docker: false }
steps:
  - probe 192.168.2.20
  - sleep: 2s
  - on: pc2
    run: probe 192.168.1.10
`;

/** A program that makes a veth pair with the machine's `ip link add … type veth` and brings it up. */
const machineVeth: ProgramInstaller = (registry) => {
  registry.register('mkpair', (_argv, env, _io, exit) => {
    const [a, b] = env.machine.createVeth('veth9', 'peer9');
    env.machine.setUp(a, true);
    env.machine.setUp(b, true);
    exit(0);
  });
};

/** A program that makes a veth pair while running and sends one frame across it. */
const vethProgram: ProgramInstaller = (registry) => {
  registry.register('mkveth', (_argv, env, io, exit) => {
    const link = new Link({ scheduler: env.scheduler, rng: env.rng, trace: env.ns.trace }, [`${env.hostname}:veth0`, 'c1:eth0']);
    link.b.setReceiver({ receiveFrame: () => { io.stdout('got it\n'); exit(0); } });
    const frame = new Uint8Array(60);
    frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5]);
    link.a.transmit(frame);
  });
};

interface Run { files: Map<string, Uint8Array>; manifest: CaptureManifest; flushes: Map<string, number> }

function runInMemory(text: string, opts: RunScenarioOptions = {}): Run {
  const sinks = new Map<string, MemorySink>();
  const report = runScenario(loadScenarioText(text, 'capture-test.yaml'), {
    programs: [testPrograms, vethProgram, machineVeth],
    ...opts,
    captures: (path) => {
      expect(sinks.has(path), `${path} opened twice`).to.equal(false);
      const s = new MemorySink();
      sinks.set(path, s);
      return s;
    },
  });
  return {
    files: new Map([...sinks].map(([k, s]) => [k, s.bytes()])),
    manifest: report.captures!,
    flushes: new Map([...sinks].map(([k, s]) => [k, s.flushes])),
  };
}

describe('captures', () => {
  describe('naming', () => {
    it('names a LAN port after its switch end, a veth pair after both ends, a device\'s own side after the device', () => {
      expect(linkFileStem(['lan1:node1.eth0', 'node1:eth0'], true)).to.equal('lan1.node1.eth0');
      expect(linkFileStem(['docker-host:veth1a2b3c4', 'container1:eth0'], false)).to.equal('docker-host.veth1a2b3c4--container1.eth0');
      expect(linkFileStem(['node1:br0(bridge)', 'node1:br0'], false)).to.equal('node1.br0');
      expect(linkFileStem(['node1:br0', 'node1:br0(bridge)'], false)).to.equal('node1.br0');
      expect(fileStem('a b/c:d*e')).to.equal('a_b_c.d_e');
    });

    it('recovers the ends of a link from its name and one known end, even with "--" inside names', () => {
      expect(endsFromLinkName('h:veth0--c1:eth0', 'c1:eth0')).to.deep.equal(['h:veth0', 'c1:eth0']);
      expect(endsFromLinkName('h:a--b--c1:eth0', 'h:a--b')).to.deep.equal(['h:a--b', 'c1:eth0']);
      expect(endsFromLinkName('h:a--b--c1:eth0', 'b--c1:eth0')).to.deep.equal(['h:a', 'b--c1:eth0']);
      expect(endsFromLinkName('x--y', undefined)).to.deep.equal(['x', 'y']);
    });
  });

  describe('a run\'s capture folder', () => {
    it('holds one pcap per link, all.pcapng and manifest.json', () => {
      const { files, manifest } = runInMemory(TEXT);
      expect([...files.keys()].sort()).to.deep.equal([
        'all.pcapng', 'lan1.pc1.eth0.pcap', 'lan1.r1.eth0.pcap', 'lan2.pc2.eth0.pcap', 'lan2.r1.eth1.pcap', 'manifest.json',
      ]);
      expect(manifest.links).to.equal(4);
      const written = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as CaptureManifest;
      expect(written).to.deep.equal(JSON.parse(JSON.stringify(manifest)));
      expect(written.start).to.equal('2020-04-26T19:37:50.000000000Z');
    });

    it('each pcap holds its link\'s frames in both directions, as all.pcapng does for that interface', () => {
      const { files, manifest } = runInMemory(TEXT);
      const all = readCapture(files.get('all.pcapng')!);
      expect(all.interfaces.map((i) => i.name)).to.deep.equal(['pc1:eth0', 'pc2:eth0', 'r1:eth0', 'r1:eth1']);
      expect(all.interfaces.every((i) => i.tsresol === 9)).to.equal(true);
      let total = 0;
      for (const [i, entry] of manifest.files.entries()) {
        const cap = readCapture(files.get(entry.file)!);
        expect(cap.format).to.equal('pcap');
        expect(cap.interfaces[0]!.tsresol, 'nanosecond pcap').to.equal(9);
        expect(cap.packets.length).to.equal(entry.frames);
        expect(files.get(entry.file)!.length).to.equal(entry.bytes);
        const mine = all.packets.filter((p) => p.interfaceId === i);
        expect(cap.packets.map((p) => [p.timestampNs, [...p.data].join()])).to.deep.equal(mine.map((p) => [p.timestampNs, [...p.data].join()]));
        total += entry.frames;
      }
      expect(total).to.equal(manifest.frames);
      expect(all.packets.length).to.equal(manifest.frames);
      // Two echoes across the router, each: ARP on both LANs the first time, request and reply on four ports.
      expect(manifest.frames).to.be.greaterThan(16);
    });

    it('stamps frames with the scenario start plus simulated time', () => {
      const { files, manifest } = runInMemory(TEXT);
      const start = 1587929870n * 1_000_000_000n;
      const all = readCapture(files.get('all.pcapng')!);
      const times = all.packets.map((p) => p.timestampNs - start);
      expect(times[0]! > 0n && times[0]! < BigInt(sec(0.001))).to.equal(true);
      // The second probe starts after the 2 s sleep.
      expect(times.filter((t) => t > BigInt(sec(2)))).to.have.length.greaterThan(4);
      const entry = manifest.files[0]!;
      const first = readCapture(files.get(entry.file)!).packets[0]!.timestampNs;
      expect(entry.first).to.equal(`2020-04-26T19:37:50.${String(first - start).padStart(9, '0')}Z`);
    });

    it('explains device decisions in packet comments of all.pcapng only', () => {
      const { files } = runInMemory(TEXT);
      const comments = readCapture(files.get('all.pcapng')!).packets.map((p) => p.comment).filter((c) => c !== undefined);
      expect(comments.some((c) => /lan1: .*flooded/.test(c!))).to.equal(true);
      expect(comments.some((c) => /learned/.test(c!))).to.equal(true);
      expect(readCapture(files.get('lan1.pc1.eth0.pcap')!).packets.every((p) => p.comment === undefined)).to.equal(true);
    });

    it('captures links created while the run goes on', () => {
      const { files, manifest } = runInMemory(`${TEXT}  - mkveth\n`);
      expect(files.has('pc1.veth0--c1.eth0.pcap')).to.equal(true);
      const entry = manifest.files.find((f) => f.file === 'pc1.veth0--c1.eth0.pcap')!;
      expect(entry).to.deep.include({ ends: ['pc1:veth0', 'c1:eth0'], interface: 'c1:eth0', frames: 1 });
      expect(readCapture(files.get('all.pcapng')!).interfaces.map((i) => i.name)).to.include('c1:eth0');
    });

    it('a link a machine makes has its file from the start, even before a frame crosses it', () => {
      const { files, manifest } = runInMemory(`${TEXT}  - mkpair\n`);
      const entry = manifest.files.find((f) => f.ends.includes('pc1:veth9'))!;
      expect(entry).to.deep.include({ frames: 0 });
      expect(entry.file).to.match(/^pc1\.(veth9--pc1\.peer9|peer9--pc1\.veth9)\.pcap$/);
      expect(readCapture(files.get(entry.file)!).packets).to.have.length(0);
    });

    it('flushes every file at the end of every step', () => {
      const { flushes } = runInMemory(TEXT);
      for (const [file, n] of flushes) if (file !== 'manifest.json') expect(n, file).to.be.at.least(3);
    });

    it('declared links have a file even when no frame crossed them', () => {
      const { files, manifest } = runInMemory(TEXT.replace(/steps:[\s\S]*$/, 'steps:\n  - sleep: 1s\n'));
      expect(manifest.frames).to.equal(0);
      expect(manifest.files.map((f) => f.file)).to.have.length(4);
      expect(readCapture(files.get('lan1.pc1.eth0.pcap')!).packets).to.have.length(0);
      expect(manifest.files[0]).not.to.have.property('first');
    });

    it('gives the same bytes whatever the sink (one that copies chunks, one that keeps them)', () => {
      const kept = new Map<string, Uint8Array[]>();
      runScenario(loadScenarioText(TEXT, 'capture-test.yaml'), {
        programs: [testPrograms],
        captures: (path) => {
          const chunks: Uint8Array[] = [];
          kept.set(path, chunks);
          return { write: (c) => { chunks.push(c); }, flush: () => {} };
        },
      });
      const copied = runInMemory(TEXT).files;
      for (const [path, chunks] of kept) {
        expect(Buffer.compare(Buffer.concat(chunks), Buffer.from(copied.get(path)!)), path).to.equal(0);
      }
    });

    it('the same scenario and seed give byte-identical files; another seed gives other timings', () => {
      const a = runInMemory(TEXT);
      const b = runInMemory(TEXT);
      expect([...b.files.keys()]).to.deep.equal([...a.files.keys()]);
      for (const [k, bytes] of a.files) expect(Buffer.compare(Buffer.from(b.files.get(k)!), Buffer.from(bytes)), k).to.equal(0);
      const c = runInMemory(TEXT, { seed: 2 });
      expect(Buffer.compare(Buffer.from(c.files.get('lan1.pc1.eth0.pcap')!), Buffer.from(a.files.get('lan1.pc1.eth0.pcap')!))).not.to.equal(0);
    });
  });

  describe('the bundled scenarios\' captures (captures/, `npm run captures`)', () => {
    const scenarioDir = join(ROOT, 'scenarios');
    const captureDir = join(ROOT, 'captures');
    const scenarios = existsSync(scenarioDir) ? readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml')).sort() : [];

    it('captures/ holds a folder for each bundled scenario and nothing else', () => {
      const names = scenarios.map((f) => loadScenarioText(readFileSync(join(scenarioDir, f), 'utf8'), `scenarios/${f}`).name).sort();
      const folders = existsSync(captureDir) ? readdirSync(captureDir).filter((n) => !n.startsWith('.')).sort() : [];
      expect(folders, 'run `npm run captures`').to.deep.equal(names);
    });

    for (const f of scenarios) {
      it(`${f}: the committed captures are what a run produces now`, () => {
        const sinks = new Map<string, MemorySink>();
        const scenario = loadScenarioText(readFileSync(join(scenarioDir, f), 'utf8'), `scenarios/${f}`);
        runScenario(scenario, {
          programs: defaultPrograms(),
          captures: (path) => { const s = new MemorySink(); sinks.set(path, s); return s; },
        });
        const folder = join(captureDir, scenario.name);
        const committed = existsSync(folder) ? readdirSync(folder).sort() : [];
        expect(committed, 'run `npm run captures`').to.deep.equal([...sinks.keys()].sort());
        for (const [path, sink] of sinks) {
          const same = Buffer.compare(readFileSync(join(folder, path)), Buffer.from(sink.bytes())) === 0;
          expect(same, `captures/${scenario.name}/${path} is stale: run \`npm run captures\``).to.equal(true);
        }
      });
    }
  });
});
