import { XvaUsageError } from '../../errors.js';

/**
 * An LLM narrator could not be used: the model cannot be reached, is not installed, refuses the request or has no
 * credentials. A usage error (the command prints one line and exits 2, no stack trace); `--fallback builtin` turns it
 * into a flagged built-in section instead (grounding/grounded.ts).
 */
export class NarratorUnavailableError extends XvaUsageError {
  /**
   * The message as the report and the warning say it when `--fallback builtin` is on (grounding/grounded.ts): without
   * the advice to run with it (an audit found the notes of a run with it still ending "or run with --fallback builtin").
   */
  readonly underFallback: string;

  constructor(
    readonly narrator: 'ollama' | 'bedrock',
    /** Where the request went (host, or region and endpoint). */
    readonly destination: string,
    message: string,
    underFallback?: string,
  ) {
    super(message);
    this.name = 'NarratorUnavailableError';
    this.underFallback = underFallback ?? message;
  }
}

/** Every error code on an error and its causes, outermost first (ERR_HTTP2_STREAM_CANCEL, then ECONNREFUSED...). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof e.code === 'string') codes.push(e.code);
    if (Array.isArray(e.errors) && e.errors.length > 0) codes.push(...errorCodes(e.errors[0]));
    current = e.cause;
  }
  return codes;
}

/** The code that says what went wrong: the first network code in the chain (the root cause), else the first code. */
export function errorCode(error: unknown): string | undefined {
  const codes = errorCodes(error);
  return codes.find((c) => NETWORK_ERROR_CODES.has(c)) ?? codes[0];
}

/** Network failures worth another attempt (the peer is down, restarting or slow). */
export const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
]);

/** A phrase for a network error code ("connection refused"), for the one-line error. */
export function describeNetworkError(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable';
    default:
      return fallback;
  }
}
