/** Options of a consumer's circuit breaker. */
export interface BreakerOptions {
  /** Failures in a row that open the breaker: handler errors the policy would retry. @default 5 */
  failures?: number;
  /** How long the breaker stays open before one message is let through, in ms. @default 30000 */
  coolDown?: number;
  /** Each failed trial doubles the cool-down, up to this many ms. @default 600000 (10 minutes) */
  maxCoolDown?: number;
}

/** closed: consuming; open: paused, messages wait in the queue; half-open: one trial message. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The breaker of a consumer changed state. */
export interface BreakerEvent {
  queue: string;
  state: BreakerState;
  /** When it opened: milliseconds until the trial. */
  coolDown?: number;
}

export const BREAKER_DEFAULTS: Required<BreakerOptions> = { failures: 5, coolDown: 30_000, maxCoolDown: 600_000 };

/**
 * Counts failures in a row, not a rate: a service that is down fails every
 * call, so this opens after the same number of calls at any throughput, while
 * a flaky one (some calls succeed) is what retries with backoff are for.
 * Only the state machine: the consumer pauses and resumes on its changes.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failuresInARow = 0;
  #coolDown: number;
  readonly #options: Required<BreakerOptions>;
  readonly #onChange: (state: BreakerState, coolDown: number) => void;

  constructor(options: BreakerOptions, onChange: (state: BreakerState, coolDown: number) => void) {
    this.#options = { ...BREAKER_DEFAULTS, ...options };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!Number.isFinite(value) || value < (name === 'failures' ? 1 : 0)) {
        throw new RangeError(`breaker.${name} must be a finite number >= ${name === 'failures' ? 1 : 0}, not ${value}`);
      }
    }
    this.#coolDown = this.#options.coolDown;
    this.#onChange = onChange;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Milliseconds the breaker stays open this time. */
  get coolDown(): number {
    return this.#coolDown;
  }

  /** A handler's run while closed: `failed` when it failed in a way the policy retries. */
  record(failed: boolean): void {
    if (this.#state !== 'closed') return; // in hand when it opened: the trial decides
    this.#failuresInARow = failed ? this.#failuresInARow + 1 : 0;
    if (this.#failuresInARow >= this.#options.failures) this.#set('open');
  }

  /** The cool-down is over: one message may go through. */
  halfOpen(): void {
    if (this.#state === 'open') this.#set('half-open');
  }

  /** The trial message's outcome: success closes, failure opens again for twice as long. */
  trialEnded(failed: boolean): void {
    if (this.#state !== 'half-open') return;
    if (failed) {
      this.#coolDown = Math.min(this.#coolDown * 2, this.#options.maxCoolDown);
      this.#set('open');
    } else {
      this.#failuresInARow = 0;
      this.#coolDown = this.#options.coolDown;
      this.#set('closed');
    }
  }

  #set(state: BreakerState): void {
    this.#state = state;
    this.#onChange(state, this.#coolDown);
  }
}
