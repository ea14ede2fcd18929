import type { Delivery } from './delivery.js';

/**
 * What the kit tells a telemetry module (`retry-kit/telemetry` implements it
 * with OpenTelemetry). The kit itself depends on no tracing library: without
 * `connect({ telemetry })` none of this is called.
 */
export interface Telemetry {
  /**
   * A message is about to be published. May add trace context to
   * `facts.headers` (retries and dead letters keep their message's own).
   */
  publishing(facts: PublishFacts): PublishTrace;
  /** A delivery is about to be handled. Returns the attempt's scope. */
  handling(facts: AttemptFacts): AttemptTrace;
}

/** Why the kit publishes a message. */
export type PublishKind =
  /** `publish` or `sendToQueue` without a delay. */
  | 'publish'
  /** `sendToQueue` with a delay: through the delay topology. */
  | 'delayed'
  /** What a handler returned, on to the consumer's `next` queue. */
  | 'chain'
  /** A failed message, back to its queue after a delay. */
  | 'retry'
  /** A message given up on, to its dead-letter queue. */
  | 'dead-letter'
  /** A redelivered message of a classic queue, put back with its delivery count (the crash-loop guard). */
  | 'redelivery';

export interface PublishFacts {
  kind: PublishKind;
  exchange: string;
  routingKey: string;
  /** The queue the message is meant to reach, when the kit knows it (every kind but 'publish' to an exchange). */
  destination: string | undefined;
  messageId: string;
  bodySize: number;
  /** The headers about to be sent: add trace context here unless `kind` carries its message's own. */
  headers: Record<string, unknown>;
  /** For 'retry' and 'delayed': milliseconds until the message is back. */
  delay?: number;
  /** For 'dead-letter': why. */
  deadLetterReason?: string;
  /** For 'retry', 'dead-letter' and 'redelivery': the work queue the message comes from. */
  sourceQueue?: string;
  /** For 'retry' and 'dead-letter': the attempt that failed (1 for the first), 0 when none ran. */
  attemptNumber?: number;
}

/** One publish: the AMQP publish runs in `run`, so spans other libraries make of it are its children. */
export interface PublishTrace {
  run<T>(send: () => Promise<T>): Promise<T>;
  /** The broker confirmed (no error), or the publish rejects with `error`. */
  end(error?: unknown): void;
}

export interface AttemptFacts {
  queue: string;
  delivery: Delivery;
  /** This attempt: 1 for the first. */
  attemptNumber: number;
}

/** How one handling attempt ended. */
export type AttemptOutcome =
  /** The handler succeeded; the message is acked. */
  | 'acked'
  /** The handler failed; the retry is stored and the message acked. */
  | 'retried'
  /** The message is in its dead-letter queue and acked. */
  | 'dead-lettered'
  /** The retry or dead letter could not be stored: the message goes back to its queue. */
  | 'requeued'
  /** Not handled: the crash-loop guard counted a redelivery and put the message back. */
  | 'counted';

export interface AttemptEnd {
  outcome: AttemptOutcome;
  /** What the handler threw, or why the message could not be handled. */
  error?: unknown;
  /** Milliseconds the handler ran, when it ran. */
  handlerMs?: number;
}

/** One attempt at a message: publishes made in `run` belong to it. */
export interface AttemptTrace {
  run<T>(work: () => Promise<T>): Promise<T>;
  end(end: AttemptEnd): void;
}
