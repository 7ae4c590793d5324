/**
 * The subset of Go's text/template that `--format` strings for Docker's list commands use:
 * text, `{{.Field}}`, `{{.Method "arg"}}`, the functions Docker adds that make sense on text
 * (`json`, `lower`, `upper`, `title`), and `{{-`/`-}}` whitespace trimming. Errors read as Go's
 * do ("template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type …"), and an
 * execution error keeps the output written before it, as Go's Execute does.
 */
import { goQuote } from '../go-json';

export type TemplateValue = string | boolean | number;

/** A value a template runs against: Docker's formatter contexts. */
export interface TemplateData {
  /** The Go type name errors mention, e.g. "*network.networkContext". */
  readonly typeName: string;
  /** `.Name` → the field or zero-argument method's value; undefined if there is none. */
  field(name: string): TemplateValue | undefined;
  /** `.Name "a" "b"` → the method's value; undefined if there is no such method. */
  call?(name: string, args: readonly string[]): TemplateValue | undefined;
}

interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}
interface ActionNode {
  readonly kind: 'action';
  /** Byte offset of the field in the source (for error positions). */
  readonly pos: number;
  readonly func: string | undefined;
  readonly field: string;
  readonly args: readonly string[];
}
type Node = TextNode | ActionNode;

const FUNCTIONS: Readonly<Record<string, (v: string) => string>> = {
  json: (v) => goQuote(v),
  lower: (v) => v.toLowerCase(),
  upper: (v) => v.toUpperCase(),
  title: (v) => v.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
};

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

function location(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  return `:${line}:${nl < 0 ? pos : pos - nl - 1}`;
}

function lineOf(src: string, pos: number): number {
  return 1 + (src.slice(0, pos).match(/\n/g)?.length ?? 0);
}

export class GoTemplate {
  readonly source: string;
  readonly #nodes: readonly Node[];

  private constructor(source: string, nodes: readonly Node[]) {
    this.source = source;
    this.#nodes = nodes;
  }

  /** template.New("").Parse(src); throws TemplateError with Go's message. */
  static parse(src: string): GoTemplate {
    const nodes: Node[] = [];
    let i = 0;
    let text = '';
    while (i < src.length) {
      const open = src.indexOf('{{', i);
      if (open < 0) {
        text += src.slice(i);
        break;
      }
      text += src.slice(i, open);
      const close = src.indexOf('}}', open + 2);
      if (close < 0) throw new TemplateError(`template: :${lineOf(src, open)}: unclosed action`);
      let inner = src.slice(open + 2, close);
      let innerStart = open + 2;
      // "{{- " trims the whitespace before the action, " -}}" the whitespace after it.
      if (/^-\s/.test(inner)) {
        text = text.replace(/\s+$/, '');
        inner = inner.slice(1);
        innerStart++;
      }
      const trimAfter = /\s-$/.test(inner);
      if (trimAfter) inner = inner.slice(0, -1);
      if (text) nodes.push({ kind: 'text', text });
      text = '';
      nodes.push(GoTemplate.#parseAction(src, inner, innerStart));
      i = close + 2;
      if (trimAfter) while (i < src.length && /\s/.test(src[i]!)) i++;
    }
    if (text) nodes.push({ kind: 'text', text });
    return new GoTemplate(src, nodes);
  }

  static #parseAction(src: string, inner: string, innerStart: number): ActionNode {
    const line = lineOf(src, innerStart);
    const tokens: { text: string; pos: number }[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
    for (let m = re.exec(inner); m; m = re.exec(inner)) tokens.push({ text: m[0], pos: innerStart + m.index });
    if (tokens.length === 0) throw new TemplateError(`template: :${line}: missing value for command`);
    let func: string | undefined;
    let k = 0;
    if (!tokens[0]!.text.startsWith('.')) {
      func = tokens[0]!.text;
      if (!(func in FUNCTIONS)) throw new TemplateError(`template: :${line}: function "${func}" not defined`);
      k = 1;
    }
    const fieldTok = tokens[k];
    if (!fieldTok || !/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(fieldTok.text)) {
      throw new TemplateError(`template: :${line}: unexpected "${fieldTok?.text ?? '}}'}" in command`);
    }
    const args: string[] = [];
    for (const t of tokens.slice(k + 1)) {
      if (!t.text.startsWith('"')) throw new TemplateError(`template: :${line}: unexpected "${t.text}" in operand`);
      args.push(JSON.parse(t.text) as string);
    }
    return { kind: 'action', pos: fieldTok.pos, func, field: fieldTok.text.slice(1), args };
  }

  /** Executes against `data`. On error, `output` is what was written before it. */
  execute(data: TemplateData): { output: string; error?: string } {
    let out = '';
    for (const n of this.#nodes) {
      if (n.kind === 'text') {
        out += n.text;
        continue;
      }
      const at = `template: ${location(this.source, n.pos)}: executing "" at <.${n.field}>`;
      const v = n.args.length > 0 ? data.call?.(n.field, n.args) : data.field(n.field);
      if (v === undefined) {
        return { output: out, error: `${at}: can't evaluate field ${n.field} in type ${data.typeName}` };
      }
      const s = String(v);
      out += n.func ? FUNCTIONS[n.func]!(s) : s;
    }
    return { output: out };
  }
}
