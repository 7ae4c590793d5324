/**
 * busybox `echo` (coreutils/echo.c): the words joined by spaces and a newline. Leading
 * options are only words made of the letters n, e, E after a dash ("-n", "-ne"): -n drops the
 * newline, -e interprets backslash escapes (\\ \a \b \c \e \f \n \r \t \v, \0NNN octal, \xHH
 * hex; \c ends all output), -E turns that off again (the default).
 */
import type { Program } from '../program';

export const echoProgram: Program = (argv, _env, io, exit) => {
  let i = 1;
  let newline = true;
  let escapes = false;
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (!/^-[neE]+$/.test(w)) break;
    for (const c of w.slice(1)) {
      if (c === 'n') newline = false;
      else if (c === 'e') escapes = true;
      else escapes = false;
    }
  }
  let out = '';
  const words = argv.slice(i);
  for (let k = 0; k < words.length; k++) {
    if (k > 0) out += ' ';
    if (!escapes) {
      out += words[k];
      continue;
    }
    const r = unescape(words[k]!);
    out += r.text;
    if (r.stop) {
      io.stdout(out);
      exit(0);
      return;
    }
  }
  if (newline) out += '\n';
  io.stdout(out);
  exit(0);
};

const SIMPLE: Readonly<Record<string, string>> = {
  '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** bb_process_escape_sequence as echo -e uses it; `stop` when \c was met. */
function unescape(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const n = s[i + 1]!;
    if (n === 'c') return { text: out, stop: true };
    const simple = SIMPLE[n];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i += 1 + m.length;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(s.slice(i + 2))) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 2))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += 1 + m.length;
    } else {
      out += ch;
    }
  }
  return { text: out, stop: false };
}
