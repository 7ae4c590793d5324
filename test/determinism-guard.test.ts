// DESIGN.md "Determinism": Date, Math.random, performance.now, timers and crypto randomness are
// banned outside src/cli/, so that the same scenario and seed give byte-identical output.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const BANNED: readonly [RegExp, string][] = [
  [/\bDate\.now\b|\bnew Date\b|\bDate\(/, 'Date'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\bperformance\.now\b/, 'performance.now'],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, 'timers'],
  [/\bgetRandomValues\b|\brandomBytes\b|\brandomUUID\b|\brandomInt\b|from ['"](node:)?crypto['"]/, 'crypto randomness'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
];

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

/** Removes comments so that a comment may name what it avoids. */
function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('determinism guard (DESIGN.md "Determinism")', () => {
  it('the patterns catch what they should', () => {
    const hit = (src: string) => BANNED.filter(([re]) => re.test(stripComments(src))).map(([, n]) => n);
    expect(hit('const t = Date.now();')).to.deep.equal(['Date']);
    expect(hit('x = Math.random() * 2')).to.deep.equal(['Math.random']);
    expect(hit("import { randomBytes } from 'node:crypto'")).to.deep.equal(['crypto randomness']);
    expect(hit('// Date.now is banned here')).to.deep.equal([]);
  });

  it('no banned call anywhere in src/ outside src/cli/', () => {
    const found: string[] = [];
    for (const file of tsFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file);
      if (rel.startsWith(join('src', 'cli'))) continue;
      const code = stripComments(readFileSync(file, 'utf8'));
      for (const [re, name] of BANNED) if (re.test(code)) found.push(`${rel}: ${name}`);
    }
    expect(found).to.deep.equal([]);
  });
});
