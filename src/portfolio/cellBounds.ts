/**
 * Bounds shared by the portfolio's tables and their side tables: beyond MAX_AMOUNT an amount is a typo (a quadrillion
 * in any currency, whose products overflow the figures' precision), beyond MAX_RATE a rate is not one even typed in
 * percent (an error); above PLAUSIBLE_RATE a rate is most likely a percentage typed as a decimal (a warning).
 */
import type { FieldReader } from '../io/table.js';

export const MAX_AMOUNT = 1e15;
export const MAX_RATE = 10;
export const PLAUSIBLE_RATE = 0.5;

/** A signed amount (a value, a collateral balance) at most MAX_AMOUNT in size. */
export function signedAmount(r: FieldReader, row: number, column: string, what: string, required = false): number | undefined {
  return r.number(column, row, { required, min: -MAX_AMOUNT, max: MAX_AMOUNT, what });
}

/**
 * A rate as a decimal: an error beyond MAX_RATE in size (or below `min`), a warning above PLAUSIBLE_RATE naming what
 * it would be in percent.
 */
export function readRate(r: FieldReader, row: number, column: string, options: { required?: boolean; min?: number; what?: string } = {}): number | undefined {
  const what = options.what ?? 'a rate as a decimal (0.025 = 2.5%)';
  const value = r.number(column, row, { required: options.required ?? false, min: options.min ?? -MAX_RATE, max: MAX_RATE, what });
  if (value !== undefined && Math.abs(value) > PLAUSIBLE_RATE) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column,
      value: String(value),
      expected: `${what}: ${value} is ${(value * 100).toPrecision(4)}%; if ${value}% was meant, write ${value / 100}`,
      severity: 'warning',
    });
  }
  return value;
}
