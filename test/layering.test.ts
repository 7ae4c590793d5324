// DESIGN.md "Layers": each folder under src/ may import only the layers listed for it, and only
// through that layer's index.ts. This test holds the rule as data and fails on any other import.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** The import rules of DESIGN.md, as data. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  wire: [],
  sim: [],
  pcap: ['sim'],
  devices: ['wire', 'sim'],
  stack: ['devices', 'wire', 'sim'],
  userland: ['stack', 'devices', 'wire', 'sim'],
  docker: ['userland', 'stack', 'devices', 'wire', 'sim'],
  scenario: ['docker', 'userland', 'stack', 'devices', 'pcap', 'wire', 'sim'],
  bench: ['scenario', 'docker', 'userland', 'stack', 'devices', 'pcap', 'wire', 'sim'],
  cli: ['bench', 'scenario', 'docker', 'userland', 'stack', 'devices', 'pcap', 'wire', 'sim'],
};

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

/** Every module specifier of static imports, re-exports and require/dynamic import calls. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bimport\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?|\bexport\s+(?:type\s+)?[^'";]*?\s+from\s+|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[1]!);
  return out;
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

describe('layering (DESIGN.md "Layers")', () => {
  it('knows every folder under src/', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    for (const f of folders) expect(MAY_IMPORT, `src/${f} is not in the rule table`).to.have.property(f);
  });

  it('finds import specifiers of every form', () => {
    expect(importsOf(`import { a } from '../wire';\nimport type { B } from "./b";\nexport * from './c';\nconst x = require('../stack');`))
      .to.deep.equal(['../wire', './b', './c', '../stack']);
  });

  it('every cross-folder import is allowed and goes through the index', () => {
    const violations: string[] = [];
    for (const file of tsFiles(SRC)) {
      const from = layerOf(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue; // packages and node: built-ins
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC + sep)) { violations.push(`${relative(ROOT, file)} imports ${spec} (outside src/)`); continue; }
        const to = layerOf(target);
        if (to === from) continue;
        const rest = relative(join(SRC, to), target);
        if (rest !== '' && rest !== 'index') violations.push(`${relative(ROOT, file)} imports ${spec}: go through src/${to}/index.ts`);
        if (!MAY_IMPORT[from]?.includes(to)) violations.push(`${relative(ROOT, file)} (${from}) may not import ${to}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });
});
