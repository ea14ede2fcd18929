import type { Topology } from '../topology.js';

/** Where to publish a message so that it comes back after a delay. */
export interface DelayRoute {
  exchange: string;
  routingKey: string;
  /** Extra routing keys the message must carry (the CC header). */
  cc?: string[];
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
  /** The type of the queues it creates; quorum means the client runs on a cluster. */
  readonly queueType: 'classic' | 'quorum';
  /** True when delays should be rounded to a bounded set (one queue per distinct delay). */
  readonly quantises: boolean;
  /**
   * Where to publish so the message reaches `queue` after `delay` ms.
   * `declare` is called first when the route needs (re)declaring.
   */
  route(delay: number, queue: string, declare: (topology: Topology) => Promise<void>): Promise<DelayRoute>;
  /** Delay queues this process has declared on this connection (the ladder has all its levels from the start). */
  readonly queueCount: number;
  /** Forgets what was declared (after a reconnect everything is re-declared). */
  reset(): void;
}

export interface DelayTopologyOptions {
  /** Prefix of every exchange and queue the kit creates. @default 'retry-kit' */
  prefix?: string;
  /** Delay queues as quorum queues, with at-least-once dead-lettering, for clusters. @default 'classic' */
  queueType?: 'classic' | 'quorum';
}

/**
 * Where anything no binding takes goes, so it can be looked at instead of
 * vanishing. Quorum with quorum delays: a classic queue whose node is down
 * cannot even be declared, and the kit declares this one on every connection.
 */
export function unroutable(
  prefix: string,
  queueType: 'classic' | 'quorum' = 'classic',
): { exchange: string; queue: string; topology: Topology } {
  const exchange = `${prefix}.unroutable`;
  return {
    exchange,
    queue: exchange,
    topology: {
      exchanges: [{ name: exchange, type: 'fanout' }],
      queues: [{ name: exchange, ...keptQueueKind(queueType) }],
      bindings: [{ source: exchange, queue: exchange }],
    },
  };
}

/**
 * Settings of the queues the kit fills for people to read: dead letters and
 * unroutable messages. Quorum on a cluster, with a delivery limit never
 * reached: RabbitMQ 4 drops a quorum queue's message after 20 returns by
 * default, and reading these queues (`retry-kit dead list`, `inspect`) gives
 * back all it reads (measured: gone at the 22nd read). -1, RabbitMQ 4's "no
 * limit", drops a message at its first return on 3.10.
 */
export function keptQueueKind(queueType: 'classic' | 'quorum') {
  return queueType === 'quorum' ? ({ type: 'quorum', deliveryLimit: 2_147_483_647 } as const) : {};
}

/** Queue arguments that make a delay queue safe on a cluster when quorum. */
export function delayQueueKind(queueType: 'classic' | 'quorum') {
  return queueType === 'quorum'
    ? ({ type: 'quorum', deadLetterStrategy: 'at-least-once', overflow: 'reject-publish' } as const)
    : ({ type: 'classic' } as const);
}

/** Two topologies' parts, one after the other. */
export function merge(...parts: Topology[]): Topology {
  return {
    exchanges: parts.flatMap((part) => part.exchanges ?? []),
    queues: parts.flatMap((part) => part.queues ?? []),
    bindings: parts.flatMap((part) => part.bindings ?? []),
  };
}
