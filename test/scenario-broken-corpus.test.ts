// The broken-scenario corpus (issue 4, "Acceptance"): every file in
// test/fixtures/scenarios/broken/ starts with `# expect: LINE:COL: SUBSTRING` and must fail to load
// with a ScenarioError at exactly that position whose message contains the substring.
//
// This corpus covers what loading can judge. An unknown command or a bad flag is a runtime error
// (the command line is split and dispatched by the runner), so those cases belong to the runner's
// own corpus.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenarioText, ScenarioError } from '../src/scenario';

const BROKEN = resolve(__dirname, '..', '..', 'test', 'fixtures', 'scenarios', 'broken');
const EXPECT_LINE = /^# expect: (\d+):(\d+): (.+)$/;

describe('broken scenario corpus', () => {
  const files = readdirSync(BROKEN).filter((f) => f.endsWith('.yaml')).sort();

  it('holds at least 20 files, each with an expectation on its first line', () => {
    expect(files.length).to.be.at.least(20);
    for (const f of files) expect(readFileSync(join(BROKEN, f), 'utf8').split('\n')[0], f).to.match(EXPECT_LINE);
  });

  for (const f of files) {
    it(f, () => {
      const text = readFileSync(join(BROKEN, f), 'utf8');
      const [, line, col, substring] = EXPECT_LINE.exec(text.split('\n')[0]!)!;
      const file = `broken/${f}`;
      let error: unknown;
      try {
        loadScenarioText(text, file);
      } catch (e) {
        error = e;
      }
      expect(error, 'loading must fail').to.be.instanceOf(ScenarioError);
      const e = error as ScenarioError;
      expect(e.toString()).to.contain(substring);
      expect(`${e.file}:${e.line}:${e.col}`).to.equal(`${file}:${line}:${col}`);
      expect(e.toString()).to.equal(`${file}:${line}:${col}: ${e.message}`);
      expect(e.toString(), 'one line').not.to.contain('\n');
    });
  }
});
