import { type DelayOptions, delayTopology } from '../delays/delay-options.js';
import { keptQueueKind, merge } from '../delays/delay-topology.js';
import type { Topology } from '../topology.js';
import { deadLetterQueueOf } from './failure-routes.js';
import { DEFAULT_ATTEMPTS, nextDelay, type RetryPolicy } from './policy.js';

/** Enough retries to meet every distinct delay of a policy: growth stops at maxDelay. */
const MOST_ATTEMPTS_LISTED = 64;

/**
 * What the kit declares to consume `queue` with `policy`: the work queue, its
 * dead-letter queue, the delay exchanges and queues, and their bindings. Found
 * by asking the delay topology to route each delay the policy can produce
 * (jitter aside: jittered delays are rounded to a bounded set and declared as
 * they occur). Needs no broker.
 */
export async function retryTopology(
  queue: string,
  policy: RetryPolicy,
  options: DelayOptions,
  deadLetterQueue = deadLetterQueueOf(queue),
): Promise<Topology> {
  const delays = delayTopology(options);
  const routes: Topology[] = [];
  const limit = policy.attempts ?? (policy.deadline === undefined ? DEFAULT_ATTEMPTS : Number.POSITIVE_INFINITY);
  const attempts = Math.min(limit, MOST_ATTEMPTS_LISTED);
  for (let attempt = 1; attempt < attempts; attempt++) {
    const delay = nextDelay({ ...policy, jitter: 'none' }, attempt, { quantise: delays.quantises });
    await delays.route(delay, queue, async (topology) => {
      routes.push(topology);
    });
  }
  return merge(
    { queues: [{ name: queue }, { name: deadLetterQueue, ...keptQueueKind(delays.queueType) }] },
    delays.shared(),
    delays.returnTo(queue),
    ...routes,
  );
}
