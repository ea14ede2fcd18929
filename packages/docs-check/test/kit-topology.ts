// What retry-kit declares for its delays, computed without a broker from the
// kit's own delay topologies, so the pages can be checked against the code.
// They are internals: if the kit moves them, this is the one file to adapt.
import { DelayLadder, type DelayLadderOptions } from '../../retry-kit/src/delays/delay-ladder.js';
import { DelayQueues } from '../../retry-kit/src/delays/delay-queues.js';

type Topology = ReturnType<DelayLadder['shared']>;
export type KitExchange = NonNullable<Topology['exchanges']>[number];
export type KitQueue = NonNullable<Topology['queues']>[number];
export type KitBinding = NonNullable<Topology['bindings']>[number];

/** The prefix the README's examples use: the kit's default. */
export const PREFIX = 'retry-kit';

export interface KitTopology {
  exchanges: Map<string, KitExchange>;
  queues: Map<string, KitQueue>;
  bindings: KitBinding[];
  ladder: DelayLadder;
  /** The work queues delays return to. */
  workQueues: string[];
}

/**
 * Everything both delay topologies declare with the kit's defaults (or the
 * ladder's `ladderOptions`): what they share, the way back to each of
 * `workQueues`, and the per-delay queue and exchange of each of `delays`
 * (what `route` declares on first use).
 */
export async function kitTopology(
  workQueues: string[],
  delays: number[],
  ladderOptions: DelayLadderOptions = {},
): Promise<KitTopology> {
  const ladder = new DelayLadder(ladderOptions);
  const queues = new DelayQueues();
  const parts: Topology[] = [ladder.shared(), queues.shared()];
  for (const queue of workQueues) parts.push(ladder.returnTo(queue), queues.returnTo(queue));
  for (const delay of delays) {
    await queues.route(delay, workQueues[0] ?? 'work', async (topology) => {
      parts.push(topology);
    });
  }
  return {
    exchanges: new Map(parts.flatMap((part) => part.exchanges ?? []).map((spec) => [spec.name, spec])),
    queues: new Map(parts.flatMap((part) => part.queues ?? []).map((spec) => [spec.name, spec])),
    bindings: parts.flatMap((part) => part.bindings ?? []),
    ladder,
    workQueues,
  };
}

/** Where a binding sends messages: its queue or exchange. */
export function destination(binding: KitBinding): string {
  return 'queue' in binding ? binding.queue : binding.exchange;
}

/**
 * The kit's name for a name drawn on a page: the name itself, or, as the
 * pages may leave the prefix off (`delay.1000`, `after.3`), the prefixed one
 * when that is the kit's. Undefined for names that are not the kit's.
 */
export function kitName(drawn: string, names: ReadonlySet<string> | Map<string, unknown>): string | undefined {
  if (drawn.startsWith(`${PREFIX}.`) || drawn.startsWith(`${PREFIX}:`)) return drawn;
  return names.has(`${PREFIX}.${drawn}`) ? `${PREFIX}.${drawn}` : undefined;
}
