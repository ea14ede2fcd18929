/** What went wrong, for callers that handle cases differently. */
export type RetryKitErrorCode =
  | ConnectFailure
  | 'TOPOLOGY_CONFLICT'
  | 'NOT_FOUND'
  | 'NACKED'
  | 'QUEUE_FULL'
  | 'UNROUTABLE'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'PERMANENT'
  | 'UNDECODABLE'
  | 'MANAGEMENT_API';

/** Why the first connection could not be made. */
export type ConnectFailure =
  | 'BAD_URL'
  | 'CONNECTION_REFUSED'
  | 'ACCESS_REFUSED'
  | 'VHOST_NOT_FOUND'
  | 'TLS'
  | 'CONNECT_FAILED';

/** Base of every error the kit throws; each subclass sets its own `code`. */
export abstract class RetryKitError extends Error {
  abstract readonly code: RetryKitErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The first connection could not be made. `code` says why: a bad URL,
 * nothing listening, refused credentials, an unknown vhost, TLS; all but
 * nothing listening are for a person to fix.
 */
export class ConnectError extends RetryKitError {
  readonly code: ConnectFailure;

  constructor(code: ConnectFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** What the broker said of a declaration that differs from what exists, taken apart. */
export interface PreconditionFailed {
  /** The broker's words. */
  said: string;
  kind: 'queue' | 'exchange' | undefined;
  name: string | undefined;
  argument: string | undefined;
  declared: string | undefined;
  current: string | undefined;
}

/** A declaration differs from what the broker already has (PRECONDITION_FAILED). */
export class TopologyConflictError extends RetryKitError {
  readonly code = 'TOPOLOGY_CONFLICT';
  /** The queue or exchange whose declaration conflicts, e.g. `Queue "hello"`. */
  readonly resource: string;
  /** The setting that differs, e.g. `x-queue-type`, when the broker names one. */
  readonly argument: string | undefined;
  /** rabbitmqctl's arguments that delete what is there, when rabbitmqctl can (queues). */
  readonly fix: string | undefined;
  readonly #difference: string;

  /** @param fallback names the resource when the broker's message does not. */
  constructor(conflict: PreconditionFailed, fallback = 'A queue or exchange') {
    const { said, kind, name, argument, declared, current } = conflict;
    super('');
    this.resource = kind ? `${kind === 'queue' ? 'Queue' : 'Exchange'} "${name}"` : fallback;
    this.argument = argument;
    this.fix = kind === 'queue' ? `delete_queue ${name}` : undefined;
    this.#difference =
      argument && current !== undefined
        ? `: its ${argument} is ${queueTypeName(argument, current)}, this program declares ${queueTypeName(argument, declared)}`
        : `. Broker said: ${said}`;
    this.message = this.explain();
  }

  /** The one-line message, with rabbitmqctl run as this project runs it (e.g. `pnpm rabbitmqctl`). */
  explain(rabbitmqctl = 'rabbitmqctl'): string {
    const remedy = this.fix
      ? `Delete it with "${rabbitmqctl} ${this.fix}" (its messages go with it), or declare it as it is.`
      : 'Delete it (management UI, Exchanges tab), or declare it as it is.';
    return `${this.resource} already exists with other settings${this.#difference}. ${remedy}`;
  }
}

// RabbitMQ 3.x reports a queue declared without x-queue-type as "none" (either side), 4.x as "classic": both mean classic.
function queueTypeName(argument: string, value: string | undefined): string | undefined {
  return argument === 'x-queue-type' && value === 'none' ? 'classic' : value;
}

/** The broker refused the message (basic.nack). */
export class PublishNackedError extends RetryKitError {
  readonly code: 'NACKED' | 'QUEUE_FULL' = 'NACKED';
}

/** The broker refused the message because the queue is full (x-overflow: reject-publish). */
export class QueueFullError extends PublishNackedError {
  override readonly code = 'QUEUE_FULL';
}

/** No queue is bound to take the message (mandatory publish returned). */
export class UnroutableError extends RetryKitError {
  readonly code = 'UNROUTABLE';
}

/** The exchange does not exist. */
export class ExchangeNotFoundError extends RetryKitError {
  readonly code = 'NOT_FOUND';
}

/** The broker did not confirm in time, or the connection did not come back in time. */
export class TimeoutError extends RetryKitError {
  readonly code = 'TIMEOUT';
}

/** The client was closed. */
export class ClosedError extends RetryKitError {
  readonly code = 'CLOSED';
}

/**
 * Throw it from a handler for a failure that retrying cannot fix (a declined
 * card, a malformed address): the message goes straight to the dead-letter
 * queue with reason 'permanent'.
 */
export class PermanentError extends RetryKitError {
  readonly code = 'PERMANENT';
}

/** A message body is not what its content type says (JSON that does not parse): it is dead-lettered as 'invalid'. */
export class DecodeError extends RetryKitError {
  readonly code = 'UNDECODABLE';
}
