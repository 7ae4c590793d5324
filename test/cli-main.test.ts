// The command line (src/cli/main.ts) through main(): exit codes 0/1/2/3 with real files, help
// and version, the capture folder, --json/--quiet/--seed, and both broken-scenario corpora.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, ProgressLine, type CliIo } from '../src/cli';
import { defaultPrograms, loadScenarioText, World, type ProgramInstaller } from '../src/scenario';
import { readCapture } from '../src/pcap';
import { testPrograms } from './runner-programs';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'scenarios');

interface Result { code: number; stdout: string; stderr: string }

async function cli(argv: string[], programs: readonly ProgramInstaller[] = [testPrograms], tty = false): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, stderrIsTty: tty };
  const code = await main(argv, io, { programs });
  return { code, stdout, stderr };
}

const PASSING = `name: passing
description: One echo across a LAN.
lans: { lan1: {} }
hosts:
  a: { lan: lan1, address: 10.0.0.1/24, docker: false }
  b: { lan: lan1, address: 10.0.0.2/24, docker: false }
steps:
  - run: probe 10.0.0.2
    expect: { exit: 0, stdout: "reply from 10.0.0.2" }
`;
const FAILING = PASSING.replace('name: passing', 'name: failing').replace('stdout: "reply from 10.0.0.2"', 'stdout: "reply from 10.0.0.3"');
const INVALID = PASSING.replace('name: passing', 'name: invalid').replace('address: 10.0.0.2/24', 'address: 10.0.0.2/33');
const CRASHING = PASSING.replace('name: passing', 'name: crashing').replace('run: probe 10.0.0.2', 'run: crash');

describe('cnmlab command line', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cnmlab-cli-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  describe('exit status', () => {
    it('0 when every expectation holds: transcript, summary with wall time, capture line', async () => {
      const r = await cli(['run', file('passing.yaml', PASSING), '--captures', join(dir, 'caps')]);
      expect(r.code).to.equal(0);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/^passing: One echo across a LAN\.\na\$ probe 10\.0\.0\.2\nreply from 10\.0\.0\.2 ttl=64 time=\d+\.\d{3} ms\n\n1 passed, 0 failed \(simulated 0\.\d{3} s, wall \d+\.\d\d s\)\ncaptures: .*caps\/passing\/ \(2 links, 8 frames\)\n$/);
    });

    it('1 when an expectation fails', async () => {
      const r = await cli(['run', file('failing.yaml', FAILING), '--no-captures']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(`FAIL ${join(dir, 'failing.yaml')}:9:32: stdout does not contain "reply from 10.0.0.3"\n`);
      expect(r.stdout).to.contain('\n0 passed, 1 failed (simulated');
      expect(r.stdout).not.to.contain('captures:');
    });

    it('2 with one line file:line:col for an invalid scenario, and no stack trace', async () => {
      const p = file('invalid.yaml', INVALID);
      const r = await cli(['run', p]);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:\\d+: .+\\n$`));
      expect(r.stderr).not.to.contain('    at ');
    });

    it('2 for bad usage', async () => {
      for (const argv of [['run'], ['frob'], ['run', 'x.yaml', '--bogus'], ['run', 'x.yaml', '--seed', 'abc'], ['run', 'x.yaml', '--captures'], ['validate'], []]) {
        const r = await cli(argv);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.stderr, argv.join(' ')).not.to.contain('    at ');
      }
      expect((await cli(['run', 'x.yaml', '--bogus'])).stderr).to.equal("cnmlab: run: unknown option '--bogus'\nRun 'cnmlab run --help' for usage.\n");
      expect((await cli(['run', 'x.yaml', '--captures', 'd', '--no-captures'])).stderr).to.contain('contradict');
      expect((await cli(['run', join(dir, 'missing.yaml')])).stderr).to.equal(`cnmlab: cannot read ${join(dir, 'missing.yaml')}: no such file\n`);
    });

    it('3 with a stack trace when the emulator fails', async () => {
      const r = await cli(['run', file('crashing.yaml', CRASHING), '--no-captures']);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.contain('internal error (a bug)');
      expect(r.stderr).to.contain('the crash program crashed');
      expect(r.stderr).to.match(/\n\s+at /);
    });

    it('several scenarios: each runs, the status is the worst', async () => {
      const r = await cli(['run', file('passing.yaml', PASSING), file('failing.yaml', FAILING), '--no-captures']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/^passing: [\s\S]*\n1 passed, 0 failed [^\n]*\n\nfailing: [\s\S]*\n0 passed, 1 failed [^\n]*\n$/);
      expect((await cli(['run', file('a.yaml', FAILING), file('b.yaml', INVALID), '--no-captures'])).code).to.equal(2);
      expect((await cli(['run', file('c.yaml', INVALID), file('d.yaml', CRASHING), '--no-captures'])).code).to.equal(3);
    });
  });

  describe('help and version', () => {
    it('--help documents every command and the exit codes', async () => {
      const r = await cli(['--help']);
      expect(r.code).to.equal(0);
      for (const s of ['cnmlab run', 'cnmlab validate', 'cnmlab bench', '--version', 'Exit status', '0  every expectation held', '3  the emulator itself failed']) {
        expect(r.stdout).to.contain(s);
      }
      expect((await cli(['help', 'run'])).stdout).to.equal((await cli(['run', '--help'])).stdout);
    });

    it('run --help documents every option', async () => {
      const r = await cli(['run', '--help']);
      expect(r.code).to.equal(0);
      for (const opt of ['--captures DIR', '--no-captures', '--seed N', '--json', '--quiet', '-h, --help', 'all.pcapng', 'manifest.json']) {
        expect(r.stdout).to.contain(opt);
      }
      expect((await cli(['validate', '--help'])).stdout).to.contain('Usage: cnmlab validate');
    });

    it('--version prints package.json\'s version', async () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect((await cli(['--version'])).stdout).to.equal(`cnmlab ${pkg.version}\n`);
    });

    it('bench runs the named workloads and prints their self-checked figures', async () => {
      const r = await cli(['bench', 'W0', 'W1', '--size', 'small', '--json']);
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { workload: string; ok: boolean; delivered: number; expected: number });
      expect(results.map((x) => [x.workload, x.ok, x.delivered === x.expected])).to.deep.equal([['W0', true, true], ['W1', true, true]]);
    });

    it('bench rejects an unknown workload with exit status 2', async () => {
      const r = await cli(['bench', 'W9']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/^cnmlab bench: unknown workload "W9"/);
    });
  });

  describe('run options', () => {
    it('writes the capture folder: one pcap per link, all.pcapng, manifest.json', async () => {
      const caps = join(dir, 'caps');
      expect((await cli(['run', file('passing.yaml', PASSING), '--captures', caps])).code).to.equal(0);
      const folder = join(caps, 'passing');
      expect(readdirSync(folder).sort()).to.deep.equal(['all.pcapng', 'lan1.a.eth0.pcap', 'lan1.b.eth0.pcap', 'manifest.json']);
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { files: { file: string; frames: number; bytes: number }[] };
      for (const f of manifest.files) {
        const bytes = readFileSync(join(folder, f.file));
        expect(bytes.length, f.file).to.equal(f.bytes);
        expect(readCapture(bytes).packets.length, f.file).to.equal(f.frames);
      }
      const all = readCapture(readFileSync(join(folder, 'all.pcapng')));
      expect(all.interfaces.map((i) => i.name)).to.deep.equal(['a:eth0', 'b:eth0']);
    });

    it('replaces the capture files of an earlier run, and only those', async () => {
      const caps = join(dir, 'caps');
      mkdirSync(join(caps, 'passing'), { recursive: true });
      writeFileSync(join(caps, 'passing', 'stale--link.pcap'), 'old');
      writeFileSync(join(caps, 'passing', 'notes.txt'), 'mine');
      await cli(['run', file('passing.yaml', PASSING), '--captures', caps]);
      const names = readdirSync(join(caps, 'passing'));
      expect(names).not.to.include('stale--link.pcap');
      expect(names).to.include('notes.txt');
    });

    it('--no-captures writes nothing', async () => {
      const cwdCaps = join(dir, 'captures');
      const r = await cli(['run', file('passing.yaml', PASSING), '--no-captures']);
      expect(r.code).to.equal(0);
      expect(existsSync(cwdCaps)).to.equal(false);
    });

    it('--json prints one JSON document with every run', async () => {
      const r = await cli(['run', file('passing.yaml', PASSING), file('failing.yaml', FAILING), file('bad.yaml', INVALID), '--json', '--captures', join(dir, 'c')]);
      expect(r.code).to.equal(2);
      const doc = JSON.parse(r.stdout) as { exit: number; runs: Record<string, any>[] };
      expect(doc.exit).to.equal(2);
      expect(doc.runs.map((x) => x.exit)).to.deep.equal([0, 1, 2]);
      expect(doc.runs[0]).to.deep.include({ scenario: 'passing', ok: true, passed: 1, failed: 0 });
      expect(doc.runs[0]!.captures.path).to.equal(`${join(dir, 'c', 'passing')}/`);
      expect(doc.runs[0]!.captures.files.map((f: { file: string }) => f.file)).to.deep.equal(['lan1.a.eth0.pcap', 'lan1.b.eth0.pcap']);
      expect(doc.runs[0]!.steps[0].stdout).to.match(/^reply from 10\.0\.0\.2/);
      expect(doc.runs[1]!.steps[0].expectations[1]).to.deep.include({ kind: 'stdout', passed: false });
      expect(doc.runs[2]).to.deep.include({ file: join(dir, 'bad.yaml'), exit: 2 });
    });

    it('--quiet prints only failures and the summary', async () => {
      const quiet = await cli(['run', file('passing.yaml', PASSING), '--quiet', '--no-captures']);
      expect(quiet.stdout).to.match(/^\n1 passed, 0 failed \(simulated [\d.]+ s, wall [\d.]+ s\)\n$/);
      const failing = await cli(['run', file('failing.yaml', FAILING), '--quiet', '--no-captures']);
      expect(failing.stdout).to.match(/^a\$ probe 10\.0\.0\.2\nreply from[^\n]*\nFAIL [^\n]*\n\n0 passed, 1 failed/);
    });

    it('--seed changes the random streams, and the same seed repeats the run', async () => {
      // Jitter draws from the links' RNG streams, so the reply time depends on the seed.
      const p = file('jittery.yaml', PASSING.replace('lan1: {}', 'lan1: { jitter: 20us }'));
      const strip = (s: string): string => s.replace(/wall [\d.]+ s/, 'wall W');
      const a = strip((await cli(['run', p, '--no-captures', '--seed', '7'])).stdout);
      expect(strip((await cli(['run', p, '--no-captures', '--seed', '7'])).stdout)).to.equal(a);
      expect(strip((await cli(['run', p, '--no-captures', '--seed', '8'])).stdout)).not.to.equal(a);
    });

    it('shows no progress line for a short run, even on a terminal', async () => {
      const r = await cli(['run', file('passing.yaml', PASSING), '--no-captures'], [testPrograms], true);
      expect(r.stderr).to.equal('');
    });

    it('the progress line: silent for a second, then simulated time and events/s in place, erased at the end', () => {
      let now = 0;
      let out = '';
      const line = new ProgressLine('big', (t) => { out += t; }, () => now);
      now = 500;
      line.update({ simulatedNs: 1e9, events: 1000, step: 0 }, 3);
      expect(out).to.equal('');
      now = 2000;
      line.update({ simulatedNs: 12_345_000_000, events: 3_000_000, step: 1 }, 3);
      expect(out).to.equal('\r\x1b[Kbig: step 2/3, simulated 12.345 s, 1.5M events/s');
      now = 2100;
      line.update({ simulatedNs: 13e9, events: 3_100_000, step: 1 }, 3);
      expect(out.split('\r').length).to.equal(2); // redrawn at most every 200 ms
      line.clear();
      expect(out.endsWith('\r\x1b[K')).to.equal(true);
    });
  });

  describe('validate', () => {
    it('says ok with a count of what the file declares', async () => {
      const p = file('passing.yaml', PASSING);
      const r = await cli(['validate', p]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`${p}: ok (2 hosts, 0 routers, 1 LAN, 1 step)\n`);
    });

    it('checks the commands too', async () => {
      const r = await cli(['validate', file('x.yaml', PASSING.replace('run: probe', 'run: prbe'))]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/x\.yaml:8:5: unknown command "prbe" on a \(did you mean "probe"\?/);
    });

    it('the broken corpus: exit 2, exactly one line file:line:col, no stack trace', async () => {
      const broken = join(FIXTURES, 'broken');
      const files = readdirSync(broken).filter((f) => f.endsWith('.yaml')).sort();
      expect(files.length).to.be.at.least(15);
      for (const f of files) {
        const path = join(broken, f);
        const [, pos, substring] = /^# expect: (\d+:\d+): (.+)$/.exec(readFileSync(path, 'utf8').split('\n')[0]!)!;
        const r = await cli(['validate', path], defaultPrograms());
        expect(r.code, f).to.equal(2);
        expect(r.stdout, f).to.equal('');
        expect(r.stderr.split('\n'), f).to.have.length(2); // one line and its newline
        expect(r.stderr, f).to.match(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${pos}: `));
        expect(r.stderr, f).to.contain(substring);
        expect((await cli(['run', path, '--no-captures'], defaultPrograms())).stderr, f).to.equal(r.stderr);
      }
    });
  });

  describe('the runtime-broken corpus (unknown commands, bad flags)', () => {
    const runtime = join(FIXTURES, 'runtime-broken');
    const files = readdirSync(runtime).filter((f) => f.endsWith('.yaml')).sort();

    it('holds at least 5 files, each with an expectation on its first line', () => {
      expect(files.length).to.be.at.least(5);
      for (const f of files) expect(readFileSync(join(runtime, f), 'utf8').split('\n')[0], f).to.match(/^# expect: \d+:\d+: .+$/);
    });

    for (const f of files) {
      it(f, async function () {
        const path = join(runtime, f);
        const text = readFileSync(path, 'utf8');
        const [, pos, substring] = /^# expect: (\d+:\d+): (.+)$/.exec(text.split('\n')[0]!)!;
        // A case about a program's flags can only be judged once that program exists.
        const needs = /^# needs: (.+)$/m.exec(text)?.[1]?.split(/\s+/) ?? [];
        const world = new World(loadScenarioText(text, path), { programs: defaultPrograms() });
        const first = [...world.machines.values()][0]!;
        const missing = needs.filter((n) => first.programs.lookup(n) === undefined);
        if (missing.length > 0) this.skip();
        const r = await cli(['run', path, '--no-captures'], defaultPrograms());
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr.split('\n')).to.have.length(2);
        expect(r.stderr).to.match(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${pos}: `));
        expect(r.stderr).to.contain(substring);
        expect(r.stderr).not.to.contain('    at ');
      });
    }
  });
});

describe('README "Scenario files"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Scenario files'));

  it('its example is a valid scenario', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const s = loadScenarioText(example, 'README.md');
    expect(s.name).to.equal('two-lans');
    expect([...s.hosts.keys()]).to.deep.equal(['pc1', 'pc2']);
    expect(s.steps.map((x) => x.kind)).to.deep.equal(['run', 'sleep', 'run']);
  });

  it('lists every option of cnmlab run', async () => {
    const help = (await cli(['run', '--help'])).stdout;
    for (const opt of ['--captures DIR', '--no-captures', '--seed N', '--json', '--quiet']) {
      expect(section, opt).to.contain(opt);
      expect(help, opt).to.contain(opt);
    }
  });
});

describe('the README quick start: cnmlab run scenarios/linux-bridge.yaml', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cnmlab-quick-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('passes, and a second run prints the same transcript and writes the same bytes', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).to.contain('npx cnmlab run scenarios/linux-bridge.yaml');
    const scenario = join(ROOT, 'scenarios', 'linux-bridge.yaml');
    const runs: Result[] = [];
    for (const out of ['one', 'two']) runs.push(await cli(['run', scenario, '--captures', join(dir, out)], defaultPrograms()));
    for (const r of runs) {
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\n3 passed, 0 failed \(simulated [\d.]+ s, wall [\d.]+ s\)\ncaptures: .*linux-bridge\/ \(3 links, \d+ frames\)\n$/);
    }
    const strip = (r: Result): string => r.stdout.replace(/wall [\d.]+ s/, 'wall W').replace(/captures: .*linux-bridge\//, 'captures: X');
    expect(strip(runs[1]!)).to.equal(strip(runs[0]!));
    const one = join(dir, 'one', 'linux-bridge');
    const two = join(dir, 'two', 'linux-bridge');
    const names = readdirSync(one).sort();
    expect(readdirSync(two).sort()).to.deep.equal(names);
    expect(names).to.include.members(['all.pcapng', 'manifest.json', 'host1.br0.pcap', 'host1.veth1--ns1.eth0.pcap', 'host1.veth2--ns2.eth0.pcap']);
    for (const n of names) expect(Buffer.compare(readFileSync(join(one, n)), readFileSync(join(two, n))), n).to.equal(0);
  });
});
