// Captures as Wireshark users see them (SCENARIOS.md "Captures": no malformed packet, correct
// IP, ICMP and UDP checksums): ../shared/tools/check-captures over a run's files and over the
// bundled scenarios' committed captures. Skipped, saying so, when tshark is not installed (CI
// installs it).
//
// Heads up (speed): tshark takes about a second per invocation and check-captures runs it three
// times per file, so only all.pcapng is checked for the bundled scenarios (it holds every frame
// of every link, the same bytes the per-link files hold), all of them concatenated into one
// multi-section pcapng; the classic format is checked on one run's file below.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemorySink } from '../src/pcap';
import { loadScenarioText, runScenario } from '../src/scenario';
import { testPrograms } from './runner-programs';

const ROOT = resolve(__dirname, '..', '..');
const TOOL = resolve(ROOT, '..', 'shared', 'tools', 'check-captures');

function tsharkMissing(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status !== 0 || !existsSync(TOOL);
}

function checkCaptures(paths: string[]): { status: number | null; output: string } {
  const r = spawnSync('bash', [TOOL, ...paths], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

const TEXT = `
name: tshark-check
start: 2020-04-26T19:37:50Z
lans: { lan1: {}, lan2: {} }
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
  - probe 192.168.2.20 1
`;

describe('captures in tshark', function () {
  this.timeout(120_000);

  before(function () {
    if (tsharkMissing()) {
      console.log('      (tshark or ../shared/tools/check-captures missing: capture checks skipped)');
      this.skip();
    }
  });

  it('a run\'s pcap and pcapng open cleanly: no malformed packet, correct checksums', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnmlab-caps-'));
    try {
      const sinks = new Map<string, MemorySink>();
      runScenario(loadScenarioText(TEXT, 'tshark-check.yaml'), {
        programs: [testPrograms],
        captures: (path) => { const s = new MemorySink(); sinks.set(path, s); return s; },
      });
      for (const name of ['all.pcapng', 'lan1.pc1.eth0.pcap']) writeFileSync(join(dir, name), sinks.get(name)!.bytes());
      const r = checkCaptures([dir]);
      expect(r.status, r.output).to.equal(0);
      // ARP, echo, echo reply and an ICMP time-exceeded quoting the probe.
      expect(r.output).to.match(/check-captures: 2 files, \d+ frames, 0 with problems/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bundled scenarios\' committed captures are clean', function () {
    const captures = join(ROOT, 'captures');
    const files = existsSync(captures)
      ? readdirSync(captures).filter((n) => !n.startsWith('.')).map((n) => join(captures, n, 'all.pcapng')).filter((f) => existsSync(f))
      : [];
    if (files.length === 0) this.skip();
    // pcapng files concatenate into one valid file of several sections: one tshark pass for all.
    const dir = mkdtempSync(join(tmpdir(), 'cnmlab-bundled-'));
    try {
      const merged = join(dir, 'bundled.pcapng');
      writeFileSync(merged, Buffer.concat(files.map((f) => readFileSync(f))));
      const r = checkCaptures([merged]);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.match(/check-captures: 1 files, [1-9]\d* frames, 0 with problems/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
