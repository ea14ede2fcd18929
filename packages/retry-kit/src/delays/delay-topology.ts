import type { Topology } from '../topology.js';

/** Where to publish a message so that it comes back after a delay. */
export interface DelayRoute {
  exchange: string;
  routingKey: string;
}

/**
 * A way to delay messages without plugins. Every queue it uses holds
 * messages of one TTL only, so the message at its head always expires first
 * and no delay waits behind a longer one.
 */
export interface DelayTopology {
  /** The exchanges and queues every delay shares. Declared once per connection. */
  shared(): Topology;
  /** What `queue` needs to receive delayed messages back. */
  returnTo(queue: string): Topology;
  /** True when delays should be rounded to a bounded set (one queue per distinct delay). */
  readonly quantises: boolean;
  /** Where to publish for `delay` ms; `declare` is called first when the route needs (re)declaring. */
  route(delay: number, declare: (topology: Topology) => Promise<void>): Promise<DelayRoute>;
  /** Forgets what was declared (after a reconnect everything is re-declared). */
  reset(): void;
}

export interface DelayTopologyOptions {
  /** Prefix of every exchange and queue the kit creates. @default 'retry-kit' */
  prefix?: string;
  /** Delay queues as quorum queues, with at-least-once dead-lettering, for clusters. @default 'classic' */
  queueType?: 'classic' | 'quorum';
}

export function names(prefix: string) {
  return {
    /** Headers exchange: sends a delayed message back to the queue named in its `retry-queue` header. */
    returnExchange: `${prefix}.return`,
    /** Where anything no binding takes goes, so it can be looked at instead of vanishing. */
    unroutableExchange: `${prefix}.unroutable`,
    unroutableQueue: `${prefix}.unroutable`,
  };
}

/** The parts both topologies share: the return exchange and the unroutable parking queue. */
export function sharedReturnTopology(prefix: string): Topology {
  const { returnExchange, unroutableExchange, unroutableQueue } = names(prefix);
  return {
    exchanges: [
      { name: unroutableExchange, type: 'fanout' },
      { name: returnExchange, type: 'headers', alternateExchange: unroutableExchange },
    ],
    queues: [{ name: unroutableQueue }],
    bindings: [{ source: unroutableExchange, queue: unroutableQueue }],
  };
}

export function returnBinding(prefix: string, queue: string): Topology {
  return {
    bindings: [{ source: names(prefix).returnExchange, queue, arguments: { 'x-match': 'all', 'retry-queue': queue } }],
  };
}

/** Queue arguments that make a delay queue safe on a cluster when quorum. */
export function delayQueueKind(queueType: 'classic' | 'quorum') {
  return queueType === 'quorum'
    ? ({ type: 'quorum', deadLetterStrategy: 'at-least-once', overflow: 'reject-publish' } as const)
    : ({ type: 'classic' } as const);
}
