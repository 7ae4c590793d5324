/** Ends an exhaustive switch: the type checker proves it unreachable, the runtime reports it. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
