/**
 * Which row reached which column, as a table:
 *
 *   log              errors (error)   all (info error)
 *   info all good    -                yes
 */
export function whoGotWhat(
  corner: string,
  rows: string[],
  columns: string[],
  got: (row: number, column: number) => boolean,
): string {
  const first = Math.max(corner.length, ...rows.map((row) => row.length)) + 3;
  const cell = (text: string, column: number) => text.padEnd((columns[column] ?? '').length + 3);
  const lines = [
    `  ${corner.padEnd(first)}${columns.map((name, column) => cell(name, column)).join('')}`,
    ...rows.map(
      (row, r) =>
        `  ${row.padEnd(first)}${columns.map((_, column) => cell(got(r, column) ? 'yes' : '-', column)).join('')}`,
    ),
  ];
  return lines.map((line) => line.trimEnd()).join('\n');
}
