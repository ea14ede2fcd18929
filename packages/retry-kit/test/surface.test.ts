import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../src/errors.js';
import * as kit from '../src/index.js';

describe('errors', () => {
  const errorClasses = (Object.entries(kit) as [string, unknown][]).filter(
    (entry): entry is [string, typeof Error] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error && entry[1] !== kit.RetryKitError,
  );

  it('every error class the kit exports, and DecodeError, extends RetryKitError', () => {
    expect(errorClasses.map(([name]) => name).sort()).toEqual([
      'ClosedError',
      'ConnectError',
      'ExchangeNotFoundError',
      'PermanentError',
      'PublishNackedError',
      'QueueFullError',
      'TimeoutError',
      'TopologyConflictError',
      'UnroutableError',
    ]);
    for (const [, ErrorClass] of errorClasses) expect(ErrorClass.prototype).toBeInstanceOf(kit.RetryKitError);
    expect(new DecodeError('bad JSON')).toBeInstanceOf(kit.RetryKitError);
  });

  it('each class sets its own code and name', () => {
    const cases: [kit.RetryKitError, string][] = [
      [new kit.ClosedError('closed'), 'CLOSED'],
      [new kit.TimeoutError('late'), 'TIMEOUT'],
      [new kit.UnroutableError('nowhere'), 'UNROUTABLE'],
      [new kit.ExchangeNotFoundError('no exchange'), 'NOT_FOUND'],
      [new kit.PublishNackedError('nacked'), 'NACKED'],
      [new kit.QueueFullError('full'), 'QUEUE_FULL'],
      [new kit.PermanentError('declined'), 'PERMANENT'],
      [new DecodeError('bad JSON'), 'UNDECODABLE'],
      [new kit.ConnectError('ACCESS_REFUSED', 'refused'), 'ACCESS_REFUSED'],
    ];
    for (const [error, code] of cases) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new kit.QueueFullError('full')).toBeInstanceOf(kit.PublishNackedError);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket closed');
    expect(new kit.TimeoutError('late', { cause }).cause).toBe(cause);
  });
});

describe('the README', () => {
  it('lists exactly the values the kit exports', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const list = /<!-- exports -->\n([\s\S]*?)\n\n/.exec(readme)?.[1] ?? '';
    const listed = [...list.matchAll(/`(\w+)`/g)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(kit).sort());
  });
});

describe('the CLI', () => {
  it('imports from the kit only through its public and tooling entries', () => {
    const cli = new URL('../cli/', import.meta.url);
    for (const file of readdirSync(cli).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, cli), 'utf8');
      const fromKit = [...source.matchAll(/from '(\.\.\/src\/[^']+)'/g)].map((match) => match[1]);
      for (const entry of fromKit)
        expect(['../src/index.js', '../src/tooling.js'], `${file}: ${entry}`).toContain(entry);
    }
  });
});
