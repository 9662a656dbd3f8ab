/**
 * Helper 157's optimiser audit: `--weights` named an objective twice and took the last value silently (a lever named
 * twice is refused), and summary.md said "None pays under the objective." under a run whose time limit came before
 * any candidate was measured. References: the exact messages; the weights by hand (a missing key keeps 0.25).
 */
import { describe, expect, it } from 'vitest';
import { parseWeights } from '../src/optimize/objective.js';
import { emptyPlanSentence } from '../src/optimize/summary.js';
import { XvaUsageError } from '../src/errors.js';

const stats = (candidatesMeasured: number) => ({ candidatesMeasured }) as never;

describe('--weights', () => {
  it('an objective named twice is refused; a missing one keeps its default 0.25', () => {
    expect(() => parseWeights('cva=1,cva=0')).toThrow(XvaUsageError);
    expect(() => parseWeights('cva=1,cva=0')).toThrow('--weights: cva is given twice: give each objective once');
    expect(parseWeights('cva=1')).toEqual({ cva: 1, fva: 0.25, capital: 0.25, collateral: 0.25 });
    expect(parseWeights('cva=0.5,fva=0.2,capital=0.2,collateral=0.1')).toEqual({ cva: 0.5, fva: 0.2, capital: 0.2, collateral: 0.1 });
  });
});

describe('summary.md on an empty plan', () => {
  it('says why: nothing measured before the time limit, none generated, or none pays', () => {
    expect(emptyPlanSentence({ timedOut: true, stats: stats(0) })).toBe('None: the time limit was reached before any candidate was measured (raise --max-seconds).');
    expect(emptyPlanSentence({ timedOut: false, stats: stats(0) })).toBe('None: no candidate was measured (the levers generated none for this book).');
    expect(emptyPlanSentence({ timedOut: true, stats: stats(3) })).toBe('None pays under the objective.');
    expect(emptyPlanSentence({ timedOut: false, stats: stats(19) })).toBe('None pays under the objective.');
  });
});
