/**
 * Numbers as prose writes them (1.2m, 12bp, 3.4%): the builtin writer and the report use this one function, so
 * every figure in the words is a fact rounded the way the fact check (grounding/) reads it back. Conventions:
 * - currency: `USD 1.2m` (|x| >= 1e9: one decimal and `bn`; >= 1e6: one decimal and `m`; >= 1e3: one decimal and
 *   `k`; below: whole units); a negative amount keeps its sign (`USD -1.2m`);
 * - bp: `12bp` (one decimal below 10bp: `3.4bp`); the fact's value is in basis points;
 * - pct: `3.4%` (one decimal); the fact's value is in percent (34.5 means 34.5%);
 * - count: a whole number; years: one decimal and ` years`; ratio: two decimals; flag (1 or 0): `yes` or `no`.
 * Rounding is half away from zero on the printed digits (toFixed), so the same value always gives the same words.
 */
import type { Fact, FactUnit } from './types.js';

function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  // no "-0.0"
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/**
 * The amount without currency: 1.2m, 340.5k, 12. The scale is chosen on the rounded figure, so 999,960 is `1.0m`, not
 * `1000.0k`, and 999.6 is `1.0k`.
 */
export function formatAmount(value: number): string {
  const a = Math.abs(value);
  if (Math.abs(Number((value / 1e6).toFixed(1))) >= 1000) return `${fixed(value / 1e9, 1)}bn`;
  if (Math.abs(Number((value / 1e3).toFixed(1))) >= 1000) return `${fixed(value / 1e6, 1)}m`;
  if (Math.abs(Number(value.toFixed(0))) >= 1000 || a >= 1e3) return `${fixed(value / 1e3, 1)}k`;
  return fixed(value, 0);
}

export function formatFigure(value: number, unit: FactUnit, currency?: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'currency':
      return currency ? `${currency} ${formatAmount(value)}` : formatAmount(value);
    case 'bp':
      // one decimal below 10bp, on the rounded figure (9.96 is 10bp, not 10.0bp)
      return `${fixed(value, Math.abs(Number(value.toFixed(1))) < 10 ? 1 : 0)}bp`;
    case 'pct':
      return `${fixed(value, 1)}%`;
    case 'count':
      return fixed(value, 0);
    case 'years':
      return `${fixed(value, 1)} years`;
    case 'ratio':
      return fixed(value, 2);
    case 'flag':
      return value !== 0 ? 'yes' : 'no';
  }
}

/** A fact as prose cites it. */
export function formatFact(fact: Fact): string {
  return formatFigure(fact.value, fact.unit, fact.currency);
}

/** Full precision for tables: whole currency units with thousands separators, bp and % to two decimals. */
export function formatTableFigure(value: number, unit: FactUnit): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'currency':
      return (Math.round(value) || 0).toLocaleString('en-US');
    case 'bp':
    case 'pct':
    case 'ratio':
      return value.toFixed(2);
    case 'count':
      return String(Math.round(value));
    case 'years':
      return value.toFixed(2);
    case 'flag':
      return value !== 0 ? 'yes' : 'no';
  }
}
