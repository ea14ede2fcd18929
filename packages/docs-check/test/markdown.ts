import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** Every page a reader follows: docs/*.md and every README.md in the repository. */
export function pages(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file));
  return [...new Set([...docs, ...readmes('.')])];
}

/** README.md files under `dir`, skipping dependencies and dot-directories (.git, .broker, .turbo). */
function readmes(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      found.push(...readmes(relative));
    } else if (entry.isFile() && entry.name === 'README.md') {
      found.push(relative);
    }
  }
  return found.sort();
}

export function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

export interface Excerpt {
  page: string;
  source: string;
  code: string;
}

/** Code blocks marked `<!-- excerpt: path -->`, which must appear verbatim in that file. */
export function excerpts(page: string): Excerpt[] {
  const found: Excerpt[] = [];
  const pattern = /<!-- excerpt: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g;
  for (const match of read(page).matchAll(pattern)) {
    found.push({ page, source: match[1] ?? '', code: match[2] ?? '' });
  }
  return found;
}

export interface CheckedRun {
  page: string;
  command: string;
  output: string;
}

/**
 * Commands a page marks with `<!-- checked: ... -->`: a ```sh block of one
 * command that exits by itself, and the ```text block right after it, what
 * the command printed.
 */
export function checkedRuns(page: string): CheckedRun[] {
  const pattern = /<!-- checked:[^>]*-->\n```sh\n(.+)\n```\n\n```text\n([\s\S]*?)\n```/g;
  return [...read(page).matchAll(pattern)].map((match) => ({ page, command: match[1] ?? '', output: match[2] ?? '' }));
}

/**
 * Output reduced to its shape: every number a `#` (times, counts and ids
 * differ from run to run), runs of spaces one space, no trailing spaces.
 */
export function shape(output: string): string[] {
  return output
    .trimEnd()
    .split('\n')
    .map((line) =>
      line
        .replace(/\d+(\.\d+)?/g, '#')
        .replace(/ +/g, ' ')
        .trimEnd(),
    );
}

/** Relative links to files of the repository. */
export function links(page: string): string[] {
  const found: string[] = [];
  for (const match of read(page).matchAll(/\]\(((?!https?:|#)[^)#\s]+)(#[^)]*)?\)/g)) {
    found.push(path.normalize(path.join(path.dirname(page), match[1] ?? '')));
  }
  return found;
}

/** `pnpm [--silent] [--filter X] script` commands in ```sh blocks. */
export function pnpmCommands(page: string): { filter: string | undefined; script: string }[] {
  const found: { filter: string | undefined; script: string }[] = [];
  for (const block of read(page).matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const match = /(?:^|&& |\s)pnpm (?:--silent )?(?:--filter (\S+) )?([\w:-]+)/.exec(line);
      if (match?.[2] && !['install', 'add', 'exec'].includes(match[2]))
        found.push({ filter: match[1], script: match[2] });
    }
  }
  return found;
}

/**
 * Whether `code` appears in `source` verbatim, or verbatim once every line is
 * indented alike: Biome formats code blocks in Markdown, and takes a snippet
 * cut from inside a function back to the left margin.
 */
export function quotes(source: string, code: string): boolean {
  if (source.includes(code)) return true;
  const lines = code.split('\n');
  const indents = new Set(source.split('\n').map((line) => /^ */.exec(line)?.[0] ?? ''));
  return [...indents].some((indent) => source.includes(lines.map((line) => (line ? indent + line : line)).join('\n')));
}
