// The bundled Docker scenarios (scenarios/docker-*.yaml) run through the runner with the
// programs `cnmlab run` uses: every expectation holds, and a second run gives the same
// transcript and byte-identical captures.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemorySink } from '../src/pcap';
import { defaultPrograms, loadScenarioText, runScenario } from '../src/scenario';
import type { RunReport } from '../src/scenario';

const ROOT = resolve(__dirname, '..', '..');
const FILES = readdirSync(join(ROOT, 'scenarios')).filter((f) => /^docker-.*\.yaml$/.test(f)).sort();

function run(file: string): { report: RunReport; captures: Map<string, Uint8Array> } {
  const path = `scenarios/${file}`;
  const scenario = loadScenarioText(readFileSync(join(ROOT, path), 'utf8'), path);
  const sinks = new Map<string, MemorySink>();
  const report = runScenario(scenario, {
    programs: defaultPrograms(),
    captures: (p) => {
      const s = new MemorySink();
      sinks.set(p, s);
      return s;
    },
  });
  return { report, captures: new Map([...sinks].map(([k, s]) => [k, s.bytes().slice()])) };
}

function failures(report: RunReport): string[] {
  const out: string[] = [];
  for (const s of report.steps) {
    if (s.kind !== 'run') continue;
    for (const c of s.checks) if (!c.passed) out.push(`${s.command}: ${c.message}\n${s.stdout}${s.stderr}`);
    if (s.status === 'killed') out.push(`${s.command}: ${s.note ?? 'killed'}`);
  }
  return out;
}

describe('bundled Docker scenarios', () => {
  it('there are the four of the single-host tutorial', () => {
    expect(FILES).to.include.members(['docker-single-host.yaml', 'docker-default-bridge.yaml', 'docker-isolation-connect.yaml', 'docker-dns.yaml']);
  });

  for (const file of FILES) {
    it(`${file}: every expectation holds, and a rerun is byte-identical`, () => {
      const first = run(file);
      expect(failures(first.report)).to.deep.equal([]);
      expect(first.report.failed).to.equal(0);
      expect(first.report.passed).to.be.greaterThan(0);
      const frames = [...first.captures.values()].reduce((n, b) => n + b.length, 0);
      expect(frames, 'captured bytes').to.be.greaterThan(0);
      const second = run(file);
      expect(second.report.steps.map((s) => (s.kind === 'run' ? s.stdout + s.stderr : '')))
        .to.deep.equal(first.report.steps.map((s) => (s.kind === 'run' ? s.stdout + s.stderr : '')));
      expect([...second.captures.keys()]).to.deep.equal([...first.captures.keys()]);
      for (const [k, v] of first.captures) expect(Buffer.compare(Buffer.from(second.captures.get(k)!), Buffer.from(v)), k).to.equal(0);
    });
  }
});
