/** Bounded retries with exponential back-off for calls to a model server. */

export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  maxAttempts: number;
  /** Wait before the second attempt; doubles after each failure. */
  baseDelayMs: number;
  /** Cap on one wait. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/** Wait before attempt n+1 after n failures: base · 2^(n−1), capped (no jitter: one client, reproducible runs). */
export function backoffDelayMs(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
}

export class RetriesExhausted extends Error {
  constructor(readonly attempts: number, readonly last: unknown) {
    super(last instanceof Error ? last.message : String(last));
    this.name = 'RetriesExhausted';
  }
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable (rethrown as is), or the attempts run out
 * (RetriesExhausted carrying the last error and the count).
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  isRetryable: (error: unknown) => boolean,
  onRetry?: (error: unknown, failures: number, delayMs: number) => void,
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (n >= maxAttempts) throw new RetriesExhausted(n, error);
      const delayMs = backoffDelayMs(n, policy);
      onRetry?.(error, n, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
