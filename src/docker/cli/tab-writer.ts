/**
 * Go's text/tabwriter (elastic tabstops), as Docker's CLI uses it for every table
 * (`tabwriter.NewWriter(out, minwidth, tabwidth=1, padding=3, ' ', 0)`, docker/cli's fork of
 * the Go package). Cells are tab-terminated; tab-terminated cells in contiguous lines form a
 * column whose width is max(minwidth, widest cell + padding); text after a line's last tab is
 * not part of any column and is never padded (so table rows have no trailing spaces).
 *
 * Heads up: a cell's width is its number of code points. docker/cli's fork measures East Asian
 * wide characters as 2 (go-runewidth); Docker's own names are ASCII, where the two agree.
 */

export interface TabWriterOptions {
  /** Minimal cell width including padding (Docker: 20 before CLI 20.10, 10 after). */
  readonly minWidth: number;
  /** Width of a tab character; only used when padding with tabs. */
  readonly tabWidth: number;
  /** Added to a cell's width before computing the column width. */
  readonly padding: number;
  /** Padding character (Docker: ' '). */
  readonly padChar?: string;
}

interface Cell {
  readonly text: string;
  readonly width: number;
  /** Terminated by a tab (part of a column) rather than by the end of the line. */
  readonly htab: boolean;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Splits text into lines of cells exactly as tabwriter.Write + Flush would. */
function toCells(text: string): Cell[][] {
  const rawLines = text.split('\n');
  const lines: Cell[][] = [];
  rawLines.forEach((raw, i) => {
    const isLast = i === rawLines.length - 1;
    const parts = raw.split('\t');
    const cells: Cell[] = parts.map((p, j) => ({ text: p, width: codePoints(p), htab: j < parts.length - 1 }));
    // After the final newline, Flush only adds the pending cell if it is not empty.
    if (isLast && parts.length === 1 && raw === '') {
      lines.push([]);
      return;
    }
    lines.push(cells);
  });
  return lines;
}

/** Formats `text` (tab-separated cells, newline-separated lines) as tabwriter would. */
export function tabwrite(text: string, options: TabWriterOptions): string {
  const lines = toCells(text);
  const padChar = options.padChar ?? ' ';
  const widths: number[] = [];
  const out: string[] = [];

  const writePadding = (textWidth: number, cellWidth: number): void => {
    if (padChar === '\t') {
      if (options.tabWidth === 0) return;
      const cw = Math.ceil(cellWidth / options.tabWidth) * options.tabWidth;
      out.push('\t'.repeat(Math.ceil((cw - textWidth) / options.tabWidth)));
      return;
    }
    out.push(padChar.repeat(cellWidth - textWidth));
  };

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      line.forEach((c, j) => {
        out.push(c.text);
        if (j < widths.length) writePadding(c.width, widths[j]!);
      });
      if (i + 1 < lines.length) out.push('\n');
    }
  };

  const format = (line0In: number, line1: number): void => {
    let line0 = line0In;
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      // A cell exists in this column: this line starts a column block.
      writeLines(line0, current);
      line0 = current;
      let width = options.minWidth;
      for (; current < line1; current++) {
        const line = lines[current]!;
        if (column >= line.length - 1) break;
        const w = line[column]!.width + options.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}
