/**
 * Typed reading of a YAML syntax tree with positions: every accessor either returns the value
 * it was asked for or throws a ScenarioError at the node's line and column that says what was
 * found and what was expected. The loader is written in terms of these, so no value of a
 * scenario reaches the model without a position to blame.
 *
 * Heads up: the `yaml` package keeps aliases (`*x`) as Alias nodes in the tree; every accessor
 * resolves them first, so an anchor can be reused anywhere a value is expected.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { ScenarioError, type SourcePos } from './scenario-error';
import { ValueSyntaxError } from './value-syntax-error';

/** A value slot in the tree: a node, or null where YAML wrote nothing at all (`{ a }`). */
export type Slot = Node | null | undefined;

/** One key of a map, checked against the allowed keys. */
export interface Entry {
  readonly key: string;
  readonly keyNode: Scalar;
  readonly value: Slot;
  /** Where the value is, or (when nothing was written) just after the key. */
  readonly pos: SourcePos;
}

/** Edit distance, to suggest the key a typo meant. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest allowed word to `word`, if it is close enough to be a typo of it. */
export function suggestion(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = editDistance(word.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) { best = a; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

export class YamlReader {
  readonly file: string;
  readonly #text: string;
  readonly #lines: LineCounter;
  readonly #doc: Document.Parsed;

  constructor(file: string, text: string, lines: LineCounter, doc: Document.Parsed) {
    this.file = file;
    this.#text = text;
    this.#lines = lines;
    this.#doc = doc;
  }

  /** The position of a source offset (0-based) as 1-based line and column. */
  at(offset: number): SourcePos {
    const { line, col } = this.#lines.linePos(offset);
    return { file: this.file, line, col };
  }

  posOf(node: Node): SourcePos {
    return this.at(node.range?.[0] ?? 0);
  }

  fail(pos: SourcePos, message: string): never {
    throw new ScenarioError(pos, message);
  }

  /** Runs a string parser; its ValueSyntaxError becomes a ScenarioError at `pos` naming `path`. */
  parse<T>(pos: SourcePos, path: string, parser: () => T): T {
    try {
      return parser();
    } catch (e) {
      if (e instanceof ValueSyntaxError) this.fail(pos, `${path}: ${e.message}`);
      throw e;
    }
  }

  /** Follows aliases. */
  resolve(slot: Slot, fallback: SourcePos): Node | null {
    if (slot === null || slot === undefined) return null;
    if (!isAlias(slot)) return slot;
    const target = slot.resolve(this.#doc);
    if (target === undefined) return this.fail(slot.range ? this.posOf(slot) : fallback, `unknown alias *${slot.source}: no anchor &${slot.source} before it`);
    return target;
  }

  /** A user-facing description of what a node holds ("a list", "number 42", "nothing"). */
  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a map';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return 'nothing';
      if (typeof v === 'string') return `"${v}"`;
      if (typeof v === 'number') return `number ${node.source ?? String(v)}`;
      if (typeof v === 'boolean') return `boolean ${String(v)}`;
      return `a ${typeof v}`;
    }
    return 'an alias';
  }

  /** A map. With `nullIsEmpty`, an empty value (`lan2:`) reads as an empty map. */
  map(slot: Slot, pos: SourcePos, path: string, expected: string, nullIsEmpty = false): YAMLMap<unknown, unknown> | null {
    const node = this.resolve(slot, pos);
    if (node === null || (isScalar(node) && node.value === null)) {
      if (nullIsEmpty) return null;
    } else if (isMap(node)) {
      return node;
    }
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  /** A list; a single value is NOT accepted here (see `listOrOne`). */
  seq(slot: Slot, pos: SourcePos, path: string, expected: string): YAMLSeq<unknown> {
    const node = this.resolve(slot, pos);
    if (node !== null && isSeq(node)) return node;
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  /** The items of a list, each with its position; a single scalar counts as a list of one. */
  listOrOne(slot: Slot, pos: SourcePos, path: string, expected: string): { node: Node | null; pos: SourcePos; path: string }[] {
    const node = this.resolve(slot, pos);
    if (node !== null && isSeq(node)) {
      return node.items.map((item, i) => {
        const n = this.resolve(item as Slot, this.posOf(node));
        return { node: n, pos: n ? this.posOf(n) : this.posOf(node), path: `${path}[${i}]` };
      });
    }
    if (node !== null && isScalar(node) && node.value !== null) return [{ node, pos: this.posOf(node), path }];
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  /**
   * The entries of a map in file order, with string keys from `allowed` (when given). An unknown
   * key is reported at the key with the list of allowed keys, and the nearest one if it looks
   * like a typo.
   */
  entries(map: YAMLMap<unknown, unknown> | null, path: string, allowed?: readonly string[]): Entry[] {
    if (map === null) return [];
    const out: Entry[] = [];
    for (const pair of map.items as Pair<unknown, unknown>[]) {
      const keySlot = pair.key as Slot;
      const keyNode = this.resolve(keySlot, this.posOf(map));
      if (keyNode === null || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
        const where = keyNode ? this.posOf(keyNode) : this.posOf(map);
        const hint = keyNode && isScalar(keyNode) && keyNode.value !== null ? ' (quote it to use it as a name)' : '';
        this.fail(where, `${path}: found key ${this.describe(keyNode)}, expected a ${allowed ? 'key' : 'name'}${hint}`);
      }
      const key = keyNode.value;
      if (allowed && !allowed.includes(key)) {
        const near = suggestion(key, allowed);
        this.fail(this.posOf(keyNode), `${path === '' ? 'top level' : path}: unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}; allowed keys: ${allowed.join(', ')}`);
      }
      const value = pair.value as Slot;
      const keyEnd = keyNode.range?.[1] ?? 0;
      out.push({ key, keyNode: keyNode as Scalar, value, pos: value ? this.posOf(value) : this.at(keyEnd) });
    }
    return out;
  }

  /** A string scalar (a plain word, a quoted string or a block). Numbers are not strings here. */
  string(slot: Slot, pos: SourcePos, path: string, expected: string): string {
    const node = this.resolve(slot, pos);
    if (node !== null && isScalar(node) && typeof node.value === 'string') return node.value;
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  /**
   * A scalar read as text: strings as they are, numbers as written in the file (so `mtu: 1500`
   * and `delay: 0` can be read by the same string parsers as `delay: 50us`).
   */
  text(slot: Slot, pos: SourcePos, path: string, expected: string): string {
    const node = this.resolve(slot, pos);
    if (node !== null && isScalar(node)) {
      if (typeof node.value === 'string') return node.value;
      if (typeof node.value === 'number') return node.source ?? String(node.value);
    }
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  /** An integer scalar in [min, max]. */
  integer(slot: Slot, pos: SourcePos, path: string, min: number, max: number, expected: string): number {
    const node = this.resolve(slot, pos);
    if (node !== null && isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= min && node.value <= max) {
      return node.value;
    }
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected ${expected}`);
  }

  boolean(slot: Slot, pos: SourcePos, path: string): boolean {
    const node = this.resolve(slot, pos);
    if (node !== null && isScalar(node) && typeof node.value === 'boolean') return node.value;
    return this.fail(node ? this.posOf(node) : pos, `${path}: found ${this.describe(node)}, expected true or false`);
  }

  /**
   * The position of a character inside a scalar's text, when the file holds the text exactly as
   * it reads on one line (plain, or quoted without escapes or folding); otherwise the scalar's own
   * position. Used to point at the offending part of a command line.
   */
  posInside(slot: Slot, pos: SourcePos, offset: number): SourcePos {
    const node = this.resolve(slot, pos);
    if (node === null || !isScalar(node) || typeof node.value !== 'string' || !node.range) return pos;
    const [start, end] = node.range;
    const raw = this.#text.slice(start, end);
    const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
    const verbatim = (node.type === 'PLAIN' || quote !== '') && raw === quote + node.value + quote && !node.value.includes('\n');
    return this.at(verbatim ? start + quote.length + offset : start);
  }
}
