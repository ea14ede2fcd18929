/** Beyond this, an answer has thousands of digits and a request holds its server too long: refused. */
export const MAX_N = 10_000;

/** fib(n), exactly (BigInt), iteratively as today's official tutorial does. */
export function fibonacci(n: number): bigint {
  let [a, b] = [0n, 1n];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** The reply to a request's text: fib(n), or why there is none. */
export function answer(request: string): { text: string; error: boolean } {
  const n = Number(request);
  if (request.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_N) {
    return { text: `fib needs a whole number from 0 to ${MAX_N}, got '${request}'`, error: true };
  }
  return { text: fibonacci(n).toString(), error: false };
}
