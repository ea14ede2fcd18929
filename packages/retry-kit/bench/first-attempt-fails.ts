/**
 * The handler every side of the retry round trip runs: its first attempt
 * fails the way a call to a service that is down does, by throwing.
 */
export function firstAttemptFails(attempts: number): void {
  if (attempts === 0) throw new Error('first attempt fails');
}
