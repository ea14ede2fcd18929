import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { afterAll, describe, expect, it } from 'vitest';

const broker = await useTestVhost('copy-recipe');
const KIT = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.join(KIT, '../..');

/** The files README's "Copying it into your project" shows, by the name each is marked with. */
function recipeFiles(): Map<string, string> {
  const readme = readFileSync(path.join(KIT, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- copy-recipe: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    files.set(match[1] ?? '', `${match[2]}\n`);
  }
  return files;
}

describe("the README's copy recipe", () => {
  // A new project as the recipe makes it, with the packages it installs taken
  // from this workspace (the same versions): TypeScript 7, @types/node 20, amqplib, tsx.
  const project = mkdtempSync(path.join(tmpdir(), 'my-service-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-service', type: 'module' }));
  cpSync(path.join(KIT, 'src'), path.join(project, 'src/retry-kit'), { recursive: true });
  const modules = path.join(project, 'node_modules');
  for (const [name, from] of [
    ['typescript', ROOT],
    ['@types/node', ROOT],
    ['amqplib', KIT],
    ['tsx', KIT],
  ] as const) {
    mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    symlinkSync(realpathSync(path.join(from, 'node_modules', name)), path.join(modules, name));
  }
  for (const [name, text] of recipeFiles()) writeFileSync(path.join(project, name), text);

  it('shows a tsconfig.json and a program', () => {
    expect([...recipeFiles().keys()].sort()).toEqual(['src/main.ts', 'tsconfig.json']);
  });

  it('type-checks with its tsconfig', async () => {
    const tsc = runCommand(process.execPath, [path.join(modules, 'typescript/bin/tsc'), '-p', project], {});
    const { code } = await tsc.exit();
    expect(tsc.output).toEqual([]);
    expect(code).toBe(0);
  });

  it('runs', async () => {
    const tsx = path.join(modules, 'tsx/dist/cli.mjs');
    const main = runCommand(process.execPath, [tsx, path.join(project, 'src/main.ts')], {
      AMQP_URL: broker.amqpUrl,
    });
    const { code } = await main.exit();
    expect(main.output.filter((line) => !line.startsWith('[retry-kit]'))).toEqual(['sent']);
    expect(code).toBe(0);
  });
});
