/** What went wrong, for callers that handle cases differently. */
export type RetryKitErrorCode =
  | 'BAD_URL'
  | 'CONNECTION_REFUSED'
  | 'ACCESS_REFUSED'
  | 'VHOST_NOT_FOUND'
  | 'TLS'
  | 'CONNECT_FAILED'
  | 'TOPOLOGY_CONFLICT'
  | 'NOT_FOUND'
  | 'NACKED'
  | 'QUEUE_FULL'
  | 'UNROUTABLE'
  | 'TIMEOUT'
  | 'CLOSED';

/** Base of every error the kit throws; `code` says which case it is. */
export class RetryKitError extends Error {
  readonly code: RetryKitErrorCode;

  constructor(code: RetryKitErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The first connection could not be made: bad URL, nothing listening, refused credentials, unknown vhost, TLS. */
export class ConnectError extends RetryKitError {}

/** A declaration differs from what the broker already has (PRECONDITION_FAILED). */
export class TopologyConflictError extends RetryKitError {
  /** The queue or exchange whose declaration conflicts, e.g. `Queue "hello"`. */
  readonly resource: string;
  /** The setting that differs, e.g. `x-queue-type`, when the broker names one. */
  readonly argument: string | undefined;
  /** rabbitmqctl's arguments that delete what is there, when rabbitmqctl can (queues). */
  readonly fix: string | undefined;
  readonly #difference: string;

  /** @param fallback names the resource when the broker's message does not. */
  constructor(brokerMessage: string, fallback = 'A queue or exchange') {
    // amqplib quotes the broker's text: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ..."
    const said = brokerMessage.replace(/^.*?PRECONDITION_FAILED - /, '').replace(/"$/, '');
    const named = /(queue|exchange) '([^']*)'/.exec(said);
    const kind = named?.[1] === 'queue' ? 'Queue' : 'Exchange';
    const resource = named ? `${kind} "${named[2]}"` : fallback;
    const argument = /inequivalent arg '([^']+)'/.exec(said)?.[1];
    const values = /received (?:the value )?'?([^' ]*)'?.* but current is (?:the value )?'?([^' ]*)'?/.exec(said);
    const difference =
      argument && values
        ? `: its ${argument} is ${queueTypeName(argument, values[2])}, this program declares ${values[1]}`
        : `. Broker said: ${said}`;
    super('TOPOLOGY_CONFLICT', '');
    this.resource = resource;
    this.argument = argument;
    this.fix = named?.[1] === 'queue' ? `delete_queue ${named[2]}` : undefined;
    this.#difference = difference;
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

// RabbitMQ 3.x reports a queue declared without x-queue-type as "none", 4.x as "classic": both mean classic.
function queueTypeName(argument: string, current: string | undefined): string | undefined {
  return argument === 'x-queue-type' && current === 'none' ? 'classic' : current;
}

/** The broker refused the message (basic.nack). */
export class PublishNackedError extends RetryKitError {}

/** The broker refused the message because the queue is full (x-overflow: reject-publish). */
export class QueueFullError extends PublishNackedError {}

/** No queue is bound to take the message (mandatory publish returned). */
export class UnroutableError extends RetryKitError {}

/** The exchange does not exist. */
export class ExchangeNotFoundError extends RetryKitError {}

/** The broker did not confirm in time, or the connection did not come back in time. */
export class TimeoutError extends RetryKitError {}

/** The client was closed. */
export class ClosedError extends RetryKitError {}

/**
 * Throw it from a handler for a failure that retrying cannot fix (a declined
 * card, a malformed address): the message goes straight to the dead-letter
 * queue with reason 'permanent'.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}
