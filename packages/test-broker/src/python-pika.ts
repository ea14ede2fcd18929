// A second AMQP client that is not amqplib, for the interop tests: Python's
// pika, which the official tutorials' Python programs use. The machine's
// python3 with its pika, or with Debian's python3-pika fetched into the cache.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CannotProvisionError, fetchDebianBundle, findCachedInstall } from './cached-install.js';
import { onPath } from './installation.js';
import { type Program, runCommand, runProgram } from './programs.js';

const run = promisify(execFile);

async function importsPika(env: NodeJS.ProcessEnv): Promise<boolean> {
  return run('python3', ['-c', 'import pika'], { env: { ...process.env, ...env } }).then(
    () => true,
    () => false,
  );
}

let found: Promise<NodeJS.ProcessEnv> | undefined;

/** The environment in which `python3` imports pika, fetching python3-pika on first use. */
export function pikaEnvironment(): Promise<NodeJS.ProcessEnv> {
  found ??= (async () => {
    if (!onPath('python3'))
      throw new CannotProvisionError('The interop tests need python3: install it (sudo apt-get install python3).');
    if (await importsPika({})) return {};
    const bundle =
      findCachedInstall(process.env, 'python3-pika') ??
      (await fetchDebianBundle({
        package: 'python3-pika',
        what: 'pika (Python AMQP client)',
        otherwise: 'install it (sudo apt-get install python3-pika, or pip install pika)',
      }));
    const env = { PYTHONPATH: path.join(bundle.root, 'usr', 'lib', 'python3', 'dist-packages') };
    if (!(await importsPika(env)))
      throw new CannotProvisionError(`python3 cannot import the pika fetched into ${bundle.root}.`);
    return env;
  })();
  return found;
}

/**
 * Runs a Python program with pika (unbuffered, so its lines arrive as it
 * prints them), like {@link runProgram}: killed when its test ends.
 */
export async function runPython(file: string | URL, args: string[], env: Record<string, string>): Promise<Program> {
  const script = typeof file === 'string' ? file : fileURLToPath(file);
  return runCommand(
    'python3',
    ['-u', script, ...args],
    { ...(await pikaEnvironment()), ...env },
    path.basename(script),
  );
}

/**
 * A step's programs, for its tests: `program('send')` runs src/send.ts through
 * tsx, `official('send')` runs test/official/send.py (the official tutorial's
 * Python program) with pika; both against `env` (AMQP_URL, usually).
 */
export function stepPrograms(testFile: string, env: Record<string, string>) {
  return {
    program: (name: string, args: string[] = [], extra: Record<string, string> = {}): Program =>
      runProgram(new URL(`../src/${name}.ts`, testFile), args, { ...env, ...extra }),
    official: (name: string, args: string[] = []): Promise<Program> =>
      runPython(new URL(`./official/${name}.py`, testFile), args, env),
  };
}
