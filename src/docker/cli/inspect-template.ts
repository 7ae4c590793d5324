/**
 * `docker inspect -f TEMPLATE`: Go's text/template run over an inspected object, the way the
 * CLI runs it when the typed execution fails over to the raw JSON (cli/command/inspect): the
 * object is a tree of maps, so a missing key prints `<no value>` rather than failing.
 *
 * Supported: text; `{{.A.B}}`, `{{$}}`, `{{$v.A}}`; string, raw-string, number, bool and nil
 * literals; pipelines (`a | b`); parenthesised pipelines with field access after them
 * (`(index .NetworkSettings.Networks "demo").IPAddress`); variables (`$x := …`);
 * `if`/`else if`/`else`, `range` (with `$k, $v :=` and `else`), `with`/`else`; `{{-`/`-}}`.
 * Functions: Docker's `json`, `join`, `split`, `lower`, `upper`, `title`, `pad`, `truncate`
 * and Go's `index`, `len`, `print`, `println`, `printf` (%s %d %v %q), `eq`, `ne`, `lt`, `le`,
 * `gt`, `ge`, `not`, `and`, `or`. Values print as fmt's %v prints them (maps as `map[k:v]`,
 * lists as `[a b]`).
 */
import { GoMap, GoStruct, encodeGoJson } from '../go-json';
import type { GoJson } from '../go-json';

type Value = GoJson | undefined;

class TemplateFailure extends Error {}

// ---------------------------------------------------------------------------------------------
// Lexing and parsing

type Tok =
  | { t: 'field'; names: string[] }
  | { t: 'var'; name: string; names: string[] }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; v: string }
  | { t: 'lparen' }
  | { t: 'rparen'; names: string[] }
  | { t: 'pipe' }
  | { t: 'decl' }
  | { t: 'assign' }
  | { t: 'comma' };

function lexAction(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const chain = (): string[] => {
    const names: string[] = [];
    while (src[i] === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      i++;
      const m = /^[A-Za-z0-9_]+/.exec(src.slice(i))!;
      names.push(m[0]);
      i += m[0].length;
    }
    return names;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) toks.push({ t: 'field', names: chain() });
      else { toks.push({ t: 'field', names: [] }); i++; }
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'var', name: m[0], names: chain() });
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') {
          const n = src[++j];
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n ?? '';
        } else v += src[j];
      }
      if (j >= src.length) throw new TemplateFailure('unterminated quoted string');
      toks.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new TemplateFailure('unterminated raw quoted string');
      toks.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === '(') { toks.push({ t: 'lparen' }); i++; continue; }
    if (c === ')') { i++; toks.push({ t: 'rparen', names: chain() }); continue; }
    if (c === '|') { toks.push({ t: 'pipe' }); i++; continue; }
    if (c === ',') { toks.push({ t: 'comma' }); i++; continue; }
    if (src.startsWith(':=', i)) { toks.push({ t: 'decl' }); i += 2; continue; }
    if (c === '=') { toks.push({ t: 'assign' }); i++; continue; }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { toks.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      i += id[0].length;
      if (id[0] === 'true' || id[0] === 'false') toks.push({ t: 'bool', v: id[0] === 'true' });
      else if (id[0] === 'nil') toks.push({ t: 'nil' });
      else toks.push({ t: 'ident', v: id[0] });
      continue;
    }
    throw new TemplateFailure(`unexpected "${c}" in command`);
  }
  return toks;
}

type Operand =
  | { k: 'field'; names: string[] }
  | { k: 'var'; name: string; names: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'func'; name: string }
  | { k: 'sub'; pipe: Pipeline; names: string[] };
type Command = Operand[];
interface Pipeline { decl: string[]; assign: boolean; cmds: Command[] }

function parsePipeline(toks: Tok[], pos: { i: number }, inParen: boolean): Pipeline {
  const decl: string[] = [];
  let assign = false;
  // "$a := …", "$a, $b := …", "$a = …"
  let j = pos.i;
  const vars: string[] = [];
  while (toks[j]?.t === 'var' && (toks[j] as { names: string[] }).names.length === 0) {
    vars.push((toks[j] as { name: string }).name);
    j++;
    if (toks[j]?.t === 'comma') { j++; continue; }
    break;
  }
  if (vars.length > 0 && (toks[j]?.t === 'decl' || toks[j]?.t === 'assign')) {
    decl.push(...vars);
    assign = toks[j]!.t === 'assign';
    pos.i = j + 1;
  }
  const cmds: Command[] = [];
  let cmd: Command = [];
  while (pos.i < toks.length) {
    const tk = toks[pos.i]!;
    if (tk.t === 'rparen') {
      if (!inParen) throw new TemplateFailure('unexpected right paren');
      break;
    }
    pos.i++;
    switch (tk.t) {
      case 'pipe':
        if (cmd.length === 0) throw new TemplateFailure('missing command');
        cmds.push(cmd);
        cmd = [];
        break;
      case 'field': cmd.push({ k: 'field', names: tk.names }); break;
      case 'var': cmd.push({ k: 'var', name: tk.name, names: tk.names }); break;
      case 'str': cmd.push({ k: 'lit', v: tk.v }); break;
      case 'num': cmd.push({ k: 'lit', v: tk.v }); break;
      case 'bool': cmd.push({ k: 'lit', v: tk.v }); break;
      case 'nil': cmd.push({ k: 'lit', v: null }); break;
      case 'ident':
        if (!(tk.v in FUNCS)) throw new TemplateFailure(`function "${tk.v}" not defined`);
        cmd.push({ k: 'func', name: tk.v });
        break;
      case 'lparen': {
        const sub = parsePipeline(toks, pos, true);
        const close = toks[pos.i];
        if (close?.t !== 'rparen') throw new TemplateFailure('unclosed left paren');
        pos.i++;
        cmd.push({ k: 'sub', pipe: sub, names: close.names });
        break;
      }
      default:
        throw new TemplateFailure(`unexpected token in command`);
    }
  }
  if (cmd.length > 0) cmds.push(cmd);
  if (cmds.length === 0) throw new TemplateFailure('missing value for command');
  return { decl, assign, cmds };
}

type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipeline }
  | { n: 'if' | 'with'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { n: 'range'; pipe: Pipeline; body: Node[]; else: Node[] };

interface RawAction { text: string }

function splitTemplate(src: string): (string | RawAction)[] {
  const out: (string | RawAction)[] = [];
  let i = 0;
  let text = '';
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) { text += src.slice(i); break; }
    text += src.slice(i, open);
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateFailure('unclosed action');
    let inner = src.slice(open + 2, close);
    if (/^-\s/.test(inner)) { text = text.replace(/\s+$/, ''); inner = inner.slice(1); }
    const trimAfter = /\s-$/.test(inner);
    if (trimAfter) inner = inner.slice(0, -1);
    if (text) out.push(text);
    text = '';
    out.push({ text: inner.trim() });
    i = close + 2;
    if (trimAfter) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  if (text) out.push(text);
  return out;
}

/** The nodes up to an `{{end}}` or `{{else…}}` (left unconsumed) or the end of the template. */
function parseList(items: (string | RawAction)[], pos: { i: number }): { nodes: Node[]; stop: RawAction | undefined } {
  const nodes: Node[] = [];
  while (pos.i < items.length) {
    const it = items[pos.i]!;
    if (typeof it === 'string') {
      pos.i++;
      nodes.push({ n: 'text', text: it });
      continue;
    }
    const word = /^[a-z]+/.exec(it.text)?.[0] ?? '';
    if (word === 'end' || word === 'else') return { nodes, stop: it };
    pos.i++;
    if (word === 'if' || word === 'with' || word === 'range') {
      nodes.push(parseBlock(word, it.text.slice(word.length), items, pos));
      continue;
    }
    nodes.push({ n: 'action', pipe: parsePipeline(lexAction(it.text), { i: 0 }, false) });
  }
  return { nodes, stop: undefined };
}

/** An if/with/range block whose opening action has been consumed; consumes through its end. */
function parseBlock(word: 'if' | 'with' | 'range', pipeText: string, items: (string | RawAction)[], pos: { i: number }): Node {
  const pipe = parsePipeline(lexAction(pipeText), { i: 0 }, false);
  const body = parseList(items, pos);
  if (!body.stop) throw new TemplateFailure(`unexpected EOF`);
  pos.i++;
  let elseNodes: Node[] = [];
  if (body.stop.text.startsWith('else')) {
    const rest = body.stop.text.slice(4).trim();
    if (word === 'if' && rest.startsWith('if ')) {
      // "else if X" is an if nested in the else branch that shares this block's end.
      elseNodes = [parseBlock('if', rest.slice(2), items, pos)];
    } else {
      const e = parseList(items, pos);
      if (!e.stop || !e.stop.text.startsWith('end')) throw new TemplateFailure('unexpected EOF');
      pos.i++;
      elseNodes = e.nodes;
    }
  }
  return word === 'range'
    ? { n: 'range', pipe, body: body.nodes, else: elseNodes }
    : { n: word, pipe, then: body.nodes, else: elseNodes };
}

// ---------------------------------------------------------------------------------------------
// Values

function isMap(v: Value): v is GoMap | GoStruct {
  return v instanceof GoMap || v instanceof GoStruct;
}

function entries(v: GoMap | GoStruct): [string, GoJson][] {
  if (v instanceof GoStruct) return v.fields.map(([k, x]) => [k, x]);
  return [...v.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function getKey(v: Value, key: string): Value {
  if (v instanceof GoStruct) return v.fields.find(([k]) => k === key)?.[1];
  if (v instanceof GoMap) return v.entries.get(key);
  if (v === undefined || v === null) return undefined;
  throw new TemplateFailure(`can't evaluate field ${key} in type ${typeof v === 'string' ? 'string' : typeof v === 'number' ? 'float64' : typeof v === 'boolean' ? 'bool' : 'interface {}'}`);
}

/** fmt's %v. */
function show(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isMap(v)) return `map[${entries(v).map(([k, x]) => `${k}:${show(x)}`).join(' ')}]`;
  return `[${(v as readonly GoJson[]).map(show).join(' ')}]`;
}

/** text/template truth. */
function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (isMap(v)) return entries(v).length > 0;
  return (v as readonly GoJson[]).length > 0;
}

function printf(format: string, args: Value[]): string {
  let k = 0;
  return format.replace(/%([sdvq%])/g, (_m, c: string) => {
    if (c === '%') return '%';
    const a = args[k++];
    if (c === 'q') return JSON.stringify(show(a));
    return show(a);
  });
}

const FUNCS: Readonly<Record<string, (...args: Value[]) => Value>> = {
  json: (v) => encodeGoJson(v === undefined ? null : v),
  join: (list, sep) => (Array.isArray(list) ? (list as GoJson[]).map(show).join(show(sep)) : show(list)),
  split: (s, sep) => show(s).split(show(sep)),
  lower: (s) => show(s).toLowerCase(),
  upper: (s) => show(s).toUpperCase(),
  title: (s) => show(s).replace(/(^|\s)(\S)/g, (_m, a: string, b: string) => a + b.toUpperCase()),
  pad: (s, before, after) => ' '.repeat(Number(before)) + show(s) + ' '.repeat(Number(after)),
  truncate: (s, n) => [...show(s)].slice(0, Number(n)).join(''),
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (Array.isArray(cur)) cur = (cur as GoJson[])[Number(k)];
      else if (isMap(cur)) cur = getKey(cur, show(k));
      else throw new TemplateFailure(`can't index item of type ${show(cur)}`);
    }
    return cur;
  },
  len: (v) => {
    if (typeof v === 'string') return v.length;
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return entries(v).length;
    throw new TemplateFailure('len of nil pointer');
  },
  print: (...a) => a.map(show).join(''),
  println: (...a) => `${a.map(show).join(' ')}\n`,
  printf: (f, ...a) => printf(show(f), a),
  eq: (a, ...bs) => bs.some((b) => show(a) === show(b)),
  ne: (a, b) => show(a) !== show(b),
  lt: (a, b) => Number(a) < Number(b),
  le: (a, b) => Number(a) <= Number(b),
  gt: (a, b) => Number(a) > Number(b),
  ge: (a, b) => Number(a) >= Number(b),
  not: (a) => !truth(a),
  and: (...a) => a.find((x) => !truth(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truth(x)) ?? a[a.length - 1],
};

// ---------------------------------------------------------------------------------------------
// Execution

type Scope = Map<string, Value>[];

function lookupVar(scope: Scope, name: string): Value {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.has(name)) return scope[i]!.get(name);
  throw new TemplateFailure(`undefined variable: ${name}`);
}

function chainFrom(v: Value, names: readonly string[]): Value {
  let cur = v;
  for (const n of names) cur = getKey(cur, n);
  return cur;
}

function evalOperand(op: Operand, dot: Value, scope: Scope): Value {
  switch (op.k) {
    case 'field': return chainFrom(dot, op.names);
    case 'var': return chainFrom(lookupVar(scope, op.name), op.names);
    case 'lit': return op.v;
    case 'sub': return chainFrom(evalPipeline(op.pipe, dot, scope), op.names);
    case 'func': return FUNCS[op.name]!();
  }
}

function evalPipeline(p: Pipeline, dot: Value, scope: Scope): Value {
  let piped: Value;
  let first = true;
  for (const cmd of p.cmds) {
    const head = cmd[0]!;
    if (head.k === 'func') {
      const args = cmd.slice(1).map((o) => evalOperand(o, dot, scope));
      if (!first) args.push(piped);
      piped = FUNCS[head.name]!(...args);
    } else {
      if (cmd.length > 1 || !first) throw new TemplateFailure(`can't give argument to non-function`);
      piped = evalOperand(head, dot, scope);
    }
    first = false;
  }
  if (p.decl.length > 0) {
    let target = scope[scope.length - 1]!;
    if (p.assign) for (const s of scope) if (s.has(p.decl[0]!)) target = s;
    target.set(p.decl[0]!, piped);
  }
  return piped;
}

function run(nodes: readonly Node[], dot: Value, scope: Scope, out: string[]): void {
  for (const node of nodes) {
    switch (node.n) {
      case 'text': out.push(node.text); break;
      case 'action': {
        const v = evalPipeline(node.pipe, dot, scope);
        if (node.pipe.decl.length === 0) out.push(show(v));
        break;
      }
      case 'if':
      case 'with': {
        scope.push(new Map());
        const v = evalPipeline(node.pipe, dot, scope);
        if (truth(v)) run(node.then, node.n === 'with' ? v : dot, scope, out);
        else run(node.else, dot, scope, out);
        scope.pop();
        break;
      }
      case 'range': {
        scope.push(new Map());
        const decl = node.pipe.decl;
        const v = evalPipeline({ ...node.pipe, decl: [] }, dot, scope);
        const items: [Value, Value][] = isMap(v)
          ? entries(v)
          : Array.isArray(v) ? (v as GoJson[]).map((x, i) => [i, x]) : [];
        if (items.length === 0) run(node.else, dot, scope, out);
        for (const [k, x] of items) {
          const frame = scope[scope.length - 1]!;
          if (decl.length === 1) frame.set(decl[0]!, x);
          if (decl.length === 2) { frame.set(decl[0]!, k); frame.set(decl[1]!, x); }
          run(node.body, x, scope, out);
        }
        scope.pop();
        break;
      }
    }
  }
}

export type InspectTemplateResult = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

/** Runs `format` (the text after `-f`) over one inspected object. */
export function executeInspectTemplate(format: string, object: GoJson): InspectTemplateResult {
  let nodes: Node[];
  try {
    const parsed = parseList(splitTemplate(format), { i: 0 });
    if (parsed.stop) throw new TemplateFailure(`unexpected {{${parsed.stop.text}}}`);
    nodes = parsed.nodes;
  } catch (e) {
    if (e instanceof TemplateFailure) return { ok: false, error: `template: :1: ${e.message}` };
    throw e;
  }
  const out: string[] = [];
  try {
    run(nodes, object, [new Map<string, Value>([['$', object]])], out);
  } catch (e) {
    if (e instanceof TemplateFailure) return { ok: false, error: `template: :1:2: executing "" at <${format}>: ${e.message}` };
    throw e;
  }
  return { ok: true, output: out.join('') };
}
