import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { excerpts, links, pages, pnpmCommands, quotes, ROOT, read } from './markdown.js';

function scriptsOf(filter: string | undefined): Record<string, string> {
  if (!filter) return JSON.parse(read('package.json')).scripts;
  for (const group of ['examples', 'packages']) {
    for (const dir of readdirSync(path.join(ROOT, group))) {
      const manifest = path.join(group, dir, 'package.json');
      if (existsSync(path.join(ROOT, manifest)) && JSON.parse(read(manifest)).name === filter) {
        return JSON.parse(read(manifest)).scripts;
      }
    }
  }
  return {};
}

describe.each(pages())('%s', (page) => {
  it('quotes code exactly as it is in the source', () => {
    for (const { source, code } of excerpts(page)) {
      expect(existsSync(path.join(ROOT, source)), `${source} exists`).toBe(true);
      expect(quotes(read(source), code), `excerpt of ${source}:\n${code}`).toBe(true);
    }
  });

  it('links only to files that exist', () => {
    for (const target of links(page)) expect(existsSync(path.join(ROOT, target)), target).toBe(true);
  });

  it('tells readers to run only scripts that exist', () => {
    for (const { filter, script } of pnpmCommands(page)) {
      expect(Object.keys(scriptsOf(filter)), `pnpm ${filter ? `--filter ${filter} ` : ''}${script}`).toContain(script);
    }
  });
});

describe('the steps', () => {
  it('are listed in docs/README.md in reading order, each page linking to the next', () => {
    const steps = readdirSync(path.join(ROOT, 'docs'))
      .filter((file) => /^\d\d-.*\.md$/.test(file))
      .sort();
    const index = read('docs/README.md');
    const positions = steps.map((step) => index.indexOf(`(${step})`));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const [i, step] of steps.entries()) {
      const next = steps[i + 1];
      if (next) expect(read(`docs/${step}`)).toContain(`(${next})`);
    }
  });

  it('each have an excerpt of real code and a diagram', () => {
    for (const step of readdirSync(path.join(ROOT, 'docs')).filter((file) => /^\d\d-.*\.md$/.test(file))) {
      expect(excerpts(`docs/${step}`).length, step).toBeGreaterThan(0);
      expect(read(`docs/${step}`), step).toContain('```mermaid');
    }
  });
});
