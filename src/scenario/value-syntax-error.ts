/**
 * A value in a scenario file that does not parse (a duration, a rate, a time, a regex). It has no
 * position: the parsers work on strings, and the loader, which knows where the string was,
 * turns it into a ScenarioError with file:line:col.
 */
export class ValueSyntaxError extends Error {
  override readonly name = 'ValueSyntaxError';
}
