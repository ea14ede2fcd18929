import { lateness, type Row } from './scenario.js';

export interface Group {
  title: string;
  rows: Row[];
}

/** A message this late is drawn (and called) late. */
export const LATE_MS = 200;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * An SVG timeline: one row per message, a hollow mark where it was due and a
 * dot where it came back, joined in red when it came back late.
 */
export function timelineSvg(groups: Group[]): string {
  const end = Math.max(...groups.flatMap((group) => group.rows.map((row) => Math.max(row.due, row.arrived)))) * 1.05;
  const width = 760;
  const left = 170;
  const x = (ms: number) => left + ((width - left - 20) * ms) / end;
  const rowHeight = 22;
  const parts: string[] = [];
  let y = 30;
  for (const group of groups) {
    parts.push(`<text x="10" y="${y}" font-weight="bold">${escapeXml(group.title)}</text>`);
    y += 8;
    for (const row of group.rows) {
      y += rowHeight;
      const late = lateness(row) > LATE_MS;
      const colour = late ? '#c0392b' : '#27ae60';
      parts.push(
        `<g class="row" data-label="${escapeXml(row.label)}" data-late-ms="${Math.round(lateness(row))}">`,
        `<text x="20" y="${y + 4}">${escapeXml(row.label)}</text>`,
        `<line x1="${x(row.due).toFixed(1)}" y1="${y}" x2="${x(row.arrived).toFixed(1)}" y2="${y}" stroke="${colour}" stroke-width="3"/>`,
        `<circle cx="${x(row.due).toFixed(1)}" cy="${y}" r="6" fill="white" stroke="#555"/>`,
        `<circle cx="${x(row.arrived).toFixed(1)}" cy="${y}" r="5" fill="${colour}"/>`,
        '</g>',
      );
    }
    y += 24;
  }
  const axis = [];
  for (let s = 0; s * 1000 <= end; s += Math.max(1, Math.ceil(end / 10_000))) {
    axis.push(`<text x="${x(s * 1000).toFixed(1)}" y="${y}" font-size="11" text-anchor="middle">${s} s</text>`);
  }
  const legend = `<text x="10" y="${y + 24}" font-size="12">○ due   ● came back (red: more than ${LATE_MS} ms late)</text>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 40}" font-family="sans-serif" font-size="13" role="img">
<title>When each delayed message was due and when it came back: ${groups.map((group) => escapeXml(group.title)).join(', ')}</title>
<rect width="100%" height="100%" fill="white"/>
${[...parts, ...axis, legend].join('\n')}
</svg>
`;
}

/** The same picture in text: due (|) and back (*) on a 60-column line per message. */
export function timelineText(groups: Group[]): string {
  const end = Math.max(...groups.flatMap((group) => group.rows.map((row) => Math.max(row.due, row.arrived))));
  const column = (ms: number) => Math.min(59, Math.round((59 * ms) / end));
  const lines: string[] = [];
  for (const group of groups) {
    lines.push(group.title);
    for (const row of group.rows) {
      const line = Array.from({ length: 60 }, () => ' ');
      line[column(row.due)] = '|';
      line[column(row.arrived)] = '*';
      lines.push(`  ${row.label.padEnd(6)} ${line.join('')}`);
    }
  }
  return lines.join('\n');
}
