/**
 * Expectations on output (SCENARIOS.md, `expect:`): a string is a substring to find, unless it
 * is written "/…/" or "/…/flags", which is a regular expression.
 *
 * Heads up: the flags allowed are i, m, s and u. `g` and `y` are refused because they make
 * RegExp.test stateful (lastIndex), so the same matcher would alternate between pass and fail.
 * To expect a substring that itself starts and ends with "/", write it as a regex: /\/etc\//.
 */
import type { Matcher } from './scenario-types';
import type { SourcePos } from './scenario-error';
import { ValueSyntaxError } from './value-syntax-error';

const REGEX_FORM = /^\/(.*)\/([A-Za-z]*)$/s;
const ALLOWED_FLAGS = 'imsu';

/** Compiles a regular expression, turning the engine's SyntaxError into a ValueSyntaxError. */
export function compileRegex(source: string, flags: string, written: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(e);
    throw new ValueSyntaxError(`found ${written}, which is not a valid regular expression: ${why}`);
  }
}

/** Reads one matcher as written in the file. Throws ValueSyntaxError for a bad regex. */
export function parseMatcher(written: string, pos: SourcePos): Matcher {
  const m = written.length >= 2 ? REGEX_FORM.exec(written) : null;
  if (!m) return { text: written, source: written, pos };
  const [, body, flags] = m as unknown as [string, string, string];
  for (const [i, f] of [...flags].entries()) {
    if (!ALLOWED_FLAGS.includes(f)) {
      throw new ValueSyntaxError(`found flag "${f}" in ${written}, expected regex flags from "${ALLOWED_FLAGS}" (to expect the text itself, escape the slashes: /\\/…\\//)`);
    }
    if (flags.indexOf(f) !== i) throw new ValueSyntaxError(`found flag "${f}" twice in ${written}`);
  }
  if (body === '') throw new ValueSyntaxError(`found an empty regex ${written}, which matches anything; expected a pattern between the slashes`);
  return { regex: compileRegex(body, flags, written), source: written, pos };
}

/** True when the matcher holds on `output`. */
export function matcherMatches(m: Matcher, output: string): boolean {
  return 'regex' in m ? m.regex.test(output) : output.includes(m.text);
}
