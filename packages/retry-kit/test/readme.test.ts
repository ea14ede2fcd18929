import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADERS } from '../src/tooling.js';

// The README's option tables against the interfaces that take the options,
// read from the source, so neither can change without the other.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = (file: string) => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');

/** The backticked first cells of the table whose header row starts with `| <firstHeader> `. */
function tableKeys(firstHeader: string): string[] {
  const start = readme.indexOf(`| ${firstHeader} `);
  expect(start, `a table headed "${firstHeader}"`).toBeGreaterThanOrEqual(0);
  const rows = readme.slice(start).split('\n');
  const table = rows.slice(
    2,
    rows.findIndex((row) => !row.startsWith('|')),
  );
  return table.map((row) => /^\| `([^`]+)`/.exec(row)?.[1] ?? row);
}

/** The property names of `interface name` in `file` (its own, not inherited ones). */
function interfaceKeys(file: string, name: string): string[] {
  const body = new RegExp(`export interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`).exec(source(file))?.[1];
  expect(body, `interface ${name} in ${file}`).toBeDefined();
  return [...(body ?? '').matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1] ?? '');
}

const sorted = (keys: string[]) => [...new Set(keys)].sort();

describe('the README option tables', () => {
  it('Connecting: every option listed is one connect() takes (retry and delays have sections of their own)', () => {
    const listed = tableKeys('option                       |').map((key) => key.split('.')[0] ?? key);
    expect(sorted([...listed, 'retry', 'delays'])).toEqual(sorted(interfaceKeys('client.ts', 'ConnectOptions')));
    const recovery = tableKeys('option                       |').filter((key) => key.startsWith('recovery.'));
    expect(sorted(recovery.map((key) => key.slice('recovery.'.length)))).toEqual(
      sorted(interfaceKeys('client.ts', 'RecoveryOptions')),
    );
  });

  it('Publishing: the options the kit adds to amqplib’s', () => {
    expect(sorted(tableKeys('option      |'))).toEqual(
      sorted([...interfaceKeys('publisher.ts', 'PublishOptions'), ...interfaceKeys('publisher.ts', 'SendOptions')]),
    );
  });

  it('Consuming', () => {
    expect(sorted(tableKeys('option            | default                               |'))).toEqual(
      sorted(interfaceKeys('consumer.ts', 'ConsumeOptions')),
    );
  });

  it('Retries', () => {
    expect(sorted(tableKeys('option            | default                                       |'))).toEqual(
      sorted(interfaceKeys('retry/policy.ts', 'RetryPolicy')),
    );
  });

  it('Delays', () => {
    const listed = tableKeys('`delays` option').map((key) => key.split(' ')[0] ?? key);
    expect(sorted(listed)).toEqual(
      sorted([
        'topology',
        ...interfaceKeys('delays/delay-topology.ts', 'DelayTopologyOptions'),
        ...interfaceKeys('delays/delay-queues.ts', 'DelayQueuesOptions'),
        ...interfaceKeys('delays/delay-ladder.ts', 'DelayLadderOptions'),
      ]),
    );
  });

  it('Dead letters: every header listed is one the kit sets', () => {
    const rows = readme.slice(readme.indexOf('| header ')).split('\n');
    const named = rows
      .slice(
        2,
        rows.findIndex((row) => !row.startsWith('|')),
      )
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''));
    expect(named.length).toBeGreaterThan(5);
    for (const header of named) expect(Object.values(HEADERS), header).toContain(header);
  });
});
