import { DelayLadder, type DelayLadderOptions } from './delay-ladder.js';
import { DelayQueues, type DelayQueuesOptions } from './delay-queues.js';
import type { DelayTopology } from './delay-topology.js';

/** One queue per distinct delay (`queues`), or binary delay levels (`ladder`). */
export type DelayOptions =
  | ({ topology?: 'queues' } & DelayQueuesOptions)
  | ({ topology: 'ladder' } & DelayLadderOptions);

/** The delay topology `options` describe. */
export function delayTopology(options: DelayOptions = {}): DelayTopology {
  return options.topology === 'ladder' ? new DelayLadder(options) : new DelayQueues(options);
}
