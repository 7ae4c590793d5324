/**
 * Splits a step's command line into words the way a POSIX shell does (XCU 2.2 Quoting, 2.6.2
 * Parameter Expansion, 2.6.5 Field Splitting), and does nothing else: no globbing, no tilde
 * expansion, no command substitution, no pipes or redirections. Nothing is handed to a shell.
 *
 * - `'…'` keeps everything literally; `"…"` keeps everything except `$` expansion and the
 *   backslash escapes `\$ \` \" \\` and backslash-newline (XCU 2.2.3); outside quotes a backslash
 *   keeps the next character and backslash-newline joins lines.
 * - `$NAME` and `${NAME}` expand a variable (a value captured by an earlier step). An unknown name
 *   is an error, never an empty string. Unquoted expansions are field-split on blanks, as in sh:
 *   `X="a b"; cmd $X` passes two words, `cmd "$X"` one.
 * - `#` at the start of a word starts a comment that runs to the end of the line.
 *
 * Heads up: what a shell would do and cnmlab cannot (`$(…)`, backticks, `$?`, `${X:-y}`, `|`,
 * `;`, `&`, `<`, `>`, a second command on a new line) is an error, so that a step never does
 * something other than what its author read. Quote a character to pass it literally.
 */

/** A command line that cannot be split; `offset` is the 0-based index in the line. */
export class CommandSyntaxError extends Error {
  override readonly name = 'CommandSyntaxError';
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** XCU 2.6.5: with IFS unset, fields are split on <space>, <tab> and <newline>. */
const BLANKS = new Set([' ', '\t', '\n']);
/** Characters that a shell treats as operators (XCU 2.4 / 2.9); cnmlab runs one simple command. */
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Splits one step's command line into words, expanding `vars`. Throws CommandSyntaxError. */
export function splitCommand(line: string, vars: ReadonlyMap<string, string>): string[] {
  const words: string[] = [];
  let word = '';
  /** A word exists once it has a literal character or a (possibly empty) quoted part. */
  let started = false;
  const finish = (): void => {
    if (started) words.push(word);
    word = '';
    started = false;
  };

  /** Reads `$…` at `at` (which holds '$'); returns the expansion and the index after it, or undefined for a literal '$'. */
  const expand = (at: number): { value: string; end: number } | undefined => {
    const next = line[at + 1];
    if (next === '{') {
      const close = line.indexOf('}', at + 2);
      if (close < 0) throw new CommandSyntaxError('unterminated ${: expected ${NAME}', at);
      const name = line.slice(at + 2, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new CommandSyntaxError(`found \${${name}}, expected \${NAME}: only plain variable expansion is supported (no defaults, lengths or patterns)`, at);
      }
      return { value: lookup(name, at), end: close + 1 };
    }
    if (next === '(') throw new CommandSyntaxError('command substitution $( ) is not supported: nothing is run by a shell', at);
    if (next !== undefined && NAME_START.test(next)) {
      let end = at + 1;
      while (end < line.length && NAME_CHAR.test(line[end]!)) end++;
      const name = line.slice(at + 1, end);
      return { value: lookup(name, at), end };
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      throw new CommandSyntaxError(`special parameter $${next} is not supported: quote it ('$${next}') to pass it literally`, at);
    }
    return undefined; // XCU 2.6.2: a '$' not followed by a name or '{' is literal.
  };
  const lookup = (name: string, at: number): string => {
    const value = vars.get(name);
    if (value !== undefined) return value;
    const known = [...vars.keys()].sort();
    const hint = known.length === 0 ? 'no variables are defined' : `defined: ${known.join(', ')}`;
    throw new CommandSyntaxError(`unknown variable \${${name}} (${hint})`, at);
  };

  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\n') {
      if (/^\s*$/.test(line.slice(i))) break;
      throw new CommandSyntaxError('a line break starts a second command: a step runs one command (end the line with \\ to continue it)', i);
    }
    if (BLANKS.has(c)) { finish(); i++; continue; }
    if (c === '#' && !started) {
      const eol = line.indexOf('\n', i);
      i = eol < 0 ? line.length : eol;
      continue;
    }
    if (OPERATORS.has(c)) {
      throw new CommandSyntaxError(`"${c}" is a shell operator and cnmlab runs one command without a shell (no pipes, lists or redirections): quote it to pass it literally`, i);
    }
    if (c === '`') throw new CommandSyntaxError('command substitution with backticks is not supported: nothing is run by a shell', i);
    if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) throw new CommandSyntaxError('the command ends with a backslash that escapes nothing', i);
      if (next !== '\n') { word += next; started = true; }
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new CommandSyntaxError("unterminated single quote: expected a closing '", i);
      word += line.slice(i + 1, close);
      started = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      const open = i;
      started = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new CommandSyntaxError('unterminated double quote: expected a closing "', open);
        const d = line[i]!;
        if (d === '"') { i++; break; }
        if (d === '\\') {
          const next = line[i + 1];
          // XCU 2.2.3: inside double quotes a backslash escapes only $ ` " \ and <newline>.
          if (next !== undefined && '$`"\\\n'.includes(next)) {
            if (next !== '\n') word += next;
            i += 2;
          } else {
            word += d;
            i++;
          }
          continue;
        }
        if (d === '`') throw new CommandSyntaxError('command substitution with backticks is not supported: nothing is run by a shell', i);
        if (d === '$') {
          const e = expand(i);
          if (e) { word += e.value; i = e.end; continue; }
        }
        word += d;
        i++;
      }
      continue;
    }
    if (c === '$') {
      const e = expand(i);
      if (e) {
        // XCU 2.6.5: the result of an unquoted expansion is split into fields on blanks.
        for (const v of e.value) {
          if (BLANKS.has(v)) finish();
          else { word += v; started = true; }
        }
        i = e.end;
        continue;
      }
    }
    word += c;
    started = true;
    i++;
  }
  finish();
  return words;
}
