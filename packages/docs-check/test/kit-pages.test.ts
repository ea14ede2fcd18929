import { describe, expect, it } from 'vitest';
import { diagramProblems, ladderExampleProblems, ladderSection, quotedNameProblems, topologyFor } from './kit-drift.js';
import { pages, read } from './markdown.js';

describe.each(pages())('%s', (page) => {
  it("draws retry-kit's exchanges and queues with the types, TTLs, bindings and dead-letter exchanges the kit declares", async () => {
    const markdown = read(page);
    expect(await diagramProblems(markdown, await topologyFor(markdown))).toEqual([]);
  });

  it('quotes only names and routing keys retry-kit declares', async () => {
    const markdown = read(page);
    expect(quotedNameProblems(markdown, await topologyFor(markdown))).toEqual([]);
  });
});

describe("the kit README's ladder", () => {
  it('works its example through with the routing key and CC keys the ladder publishes', async () => {
    const readme = read('packages/retry-kit/README.md');
    const { paragraph } = ladderSection(readme);
    expect(await ladderExampleProblems(paragraph, await topologyFor(readme))).toEqual([]);
  });

  it('is caught as it was before it was fixed: a topic retry-kit.ladder exchange, topic after.N exchanges, the routing key "3.2.0"', async () => {
    const old = read('packages/docs-check/test/fixtures/old-ladder.md');
    // It describes the binary ladder, radix 2.
    const kit = await topologyFor(old, { radix: 2 });
    expect(await diagramProblems(old, kit)).toEqual([
      'L{{"topic retry-kit.ladder"}}: retry-kit declares no exchange retry-kit.ladder',
      'A3{{"topic after.3"}}: retry-kit.after.3 is a direct exchange, not topic',
      'A2{{"topic after.2"}}: retry-kit.after.2 is a direct exchange, not topic',
      'A0{{"topic after.0"}}: retry-kit.after.0 is a direct exchange, not topic',
      'A0 --> H: retry-kit binds nothing from retry-kit.after.0 to ladder-return',
    ]);
    expect(await ladderExampleProblems(ladderSection(old).paragraph, kit)).toEqual([
      'it does not say the kit publishes through the default exchange',
      'it does not quote `retry-kit.level.3`, which the kit publishes 130 ms with',
      'it does not quote `retry-kit:3>2`, which the kit publishes 130 ms with',
      'it does not quote `retry-kit:2>0`, which the kit publishes 130 ms with',
      'it does not quote `retry-kit:0>out`, which the kit publishes 130 ms with',
      'it does not quote `retry-kit:out>orders`, which the kit publishes 130 ms with',
      'it quotes the routing key `"3.2.0"`; the kit publishes 130 ms with retry-kit.level.3, CC retry-kit:3>2, retry-kit:2>0, retry-kit:0>out, retry-kit:out>orders',
    ]);
  });
});
