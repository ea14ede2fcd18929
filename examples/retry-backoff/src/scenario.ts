/** Shrinks every delay so the demo finishes quickly; SCALE=1 uses the real seconds. */
export const SCALE = Number(process.env.SCALE ?? 0.2);

/** The delays of the demo, published in this order: the long one first. */
export const DELAYS_S = [10, 1, 5, 2];

export interface Row {
  label: string;
  /** ms after the start when it should come back. */
  due: number;
  /** ms after the start when it did. */
  arrived: number;
}

export const lateness = (row: Row) => row.arrived - row.due;

/** One line per message: what was asked, when it came back, how late. */
export function table(title: string, rows: Row[]): string {
  const lines = rows.map(
    (row) =>
      `  ${row.label.padEnd(10)} due ${(row.due / 1000).toFixed(2).padStart(6)} s   back ${(row.arrived / 1000).toFixed(2).padStart(6)} s   late ${String(Math.round(lateness(row))).padStart(6)} ms`,
  );
  return [title, ...lines].join('\n');
}
