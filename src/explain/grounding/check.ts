/**
 * The fact check of one paragraph (issue #9, item 3): every figure the prose states must be one of the facts the
 * narrator was given or that its tools revealed, within the rounding the text uses. "1.2m" stands for anything in
 * [1.15m, 1.25m] and so supports a fact of 1,234,567 but not one of 1,290,000; "12bp" supports 12.4bp; "3.4%" supports a
 * percentage fact of 3.4 or a ratio fact of 0.0341.
 */

import type { Fact, FactUnit, ParagraphCheck } from '../types.js';
import { extractFigures, type ExtractOptions, type StatedFigure } from './numbers.js';

/** Relative slack for binary floating point on top of the text's own rounding (1e-9 of the figure). */
const FLOAT_SLACK = 1e-9;

/**
 * The fact's magnitude in the units of the figure, or undefined when the two cannot describe the same number
 * (a percentage is never a currency amount). Ratios are fractions (0.0341), `pct` facts are already in percent (3.4).
 */
function factInFigureUnits(fact: Fact, figure: StatedFigure): number | undefined {
  const v = Math.abs(fact.value);
  const unit: FactUnit = fact.unit;
  switch (figure.kind) {
    case 'amount':
      if (unit === 'currency') {
        if (figure.currency !== undefined && fact.currency !== undefined && figure.currency !== fact.currency) return undefined;
        return v;
      }
      // "1.2m paths", "1.5 thousand trades": a scaled count, only when no currency is stated
      return unit === 'count' && figure.currency === undefined ? v : undefined;
    case 'pct':
      if (unit === 'pct') return v;
      if (unit === 'ratio') return v * 100;
      if (unit === 'bp') return v / 100;
      return undefined;
    case 'bp':
      if (unit === 'bp') return v;
      if (unit === 'ratio') return v * 1e4;
      if (unit === 'pct') return v * 100;
      return undefined;
    case 'years':
      return unit === 'years' ? v : undefined;
    case 'plain':
      // a bare number: a count, a ratio, an amount written without its currency, a span without its unit
      return v;
  }
}

function within(figure: StatedFigure, candidate: number): boolean {
  return Math.abs(candidate - figure.value) <= figure.halfStep + FLOAT_SLACK * Math.max(figure.value, candidate);
}

/** Fact ids whose value the figure states within its rounding. */
export function factsMatching(figure: StatedFigure, facts: readonly Fact[]): string[] {
  const ids: string[] = [];
  for (const fact of facts) {
    const candidate = factInFigureUnits(fact, figure);
    if (candidate !== undefined && within(figure, candidate)) ids.push(fact.id);
  }
  return ids;
}

function formatFact(fact: Fact): string {
  const value = Math.abs(fact.value) >= 1000
    ? fact.value.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : String(Number(fact.value.toPrecision(6)));
  const unit = fact.unit === 'currency' ? ` ${fact.currency ?? ''}`.trimEnd() : fact.unit === 'count' ? '' : ` (${fact.unit})`;
  return `${fact.label} [${fact.id}] = ${value}${unit}`;
}

/** The closest fact a figure could have meant, for the reason the narrator reads when it writes again. */
function closest(figure: StatedFigure, facts: readonly Fact[]): Fact | undefined {
  let best: Fact | undefined;
  let bestDistance = Infinity;
  for (const fact of facts) {
    const candidate = factInFigureUnits(fact, figure);
    if (candidate === undefined) continue;
    const distance = Math.abs(Math.log((candidate + 1e-12) / (figure.value + 1e-12)));
    if (distance < bestDistance) {
      bestDistance = distance;
      best = fact;
    }
  }
  // only worth naming when it is the same order of magnitude
  return bestDistance < Math.log(10) ? best : undefined;
}

function problemFor(figure: StatedFigure, facts: readonly Fact[]): string {
  if (figure.kind === 'amount' && figure.currency !== undefined) {
    const otherCurrency = factsMatching({ ...figure, currency: undefined }, facts)
      .map((id) => facts.find((f) => f.id === id)!)
      .find((f) => f.unit === 'currency');
    if (otherCurrency) return `${figure.text}: states ${figure.currency} but ${formatFact(otherCurrency)}`;
  }
  const near = closest(figure, facts);
  const hint = near ? ` (closest: ${formatFact(near)})` : '';
  return `${figure.text}: no fact within its rounding${hint}`;
}

/** Checks every figure of a paragraph against the facts (given to the narrator or revealed by its tools). */
export function checkParagraph(text: string, facts: readonly Fact[], options: ExtractOptions = {}): ParagraphCheck {
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const figure of extractFigures(text, options)) {
    const ids = factsMatching(figure, facts);
    if (ids.length === 0) problems.push(problemFor(figure, facts));
    for (const id of ids) matched.add(id);
  }
  return { ok: problems.length === 0, problems, matched: [...matched] };
}
