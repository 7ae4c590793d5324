/** Where something was written in a scenario file: 1-based line and column (as editors count). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/**
 * A scenario file that cannot be loaded: YAML syntax, an unknown key, a value of the wrong kind,
 * a reference to something that does not exist. `toString()` is the one line a user sees
 * (`file:line:col: message`), the form compilers use so that editors can jump to it.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly file: string;
  readonly line: number;
  readonly col: number;

  constructor(pos: SourcePos, message: string) {
    super(message);
    this.file = pos.file;
    this.line = pos.line;
    this.col = pos.col;
  }

  get pos(): SourcePos {
    return { file: this.file, line: this.line, col: this.col };
  }

  override toString(): string {
    return `${this.file}:${this.line}:${this.col}: ${this.message}`;
  }
}
