/**
 * A command line a program cannot accept: an unknown option, a missing or malformed argument.
 *
 * A program throws it synchronously from its start (while it reads argv, before it schedules
 * anything). SCENARIOS.md makes a bad flag in a scenario step an invalid scenario, not a
 * command that ran and failed, so the scenario runner turns it into a `file:line:col:` error
 * for the step (exit 2). `message` is the tool's own complaint, without the program's name
 * (the runner prefixes it): "unrecognized option '--bogus'", "unknown flag: --bogus".
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
