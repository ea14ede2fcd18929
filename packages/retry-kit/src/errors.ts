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
  /** The queue or exchange whose declaration conflicts. */
  readonly resource: string;
  /** The argument that differs, e.g. `x-max-length`, when the broker names one. */
  readonly argument: string | undefined;

  constructor(resource: string, argument: string | undefined, brokerMessage: string) {
    const differing = argument ? ` (its ${argument} differs)` : '';
    super(
      'TOPOLOGY_CONFLICT',
      `${resource} already exists with other settings${differing}. Declare it as it is, or delete it first. Broker said: ${brokerMessage}`,
    );
    this.resource = resource;
    this.argument = argument;
  }
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
