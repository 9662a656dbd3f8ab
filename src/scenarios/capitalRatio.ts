/**
 * A capital-ratio shock (`shocks.capitalRatioAdd`) moves the market file's capital ratio (`capital.capitalRatio`,
 * a decimal in (0, 1]) to ratio + add. The scenario file's own range (−0.1 to 0.2) cannot know the market's ratio, so
 * a shock that takes it to 0 or below (or above 1) would give zero or negative capital and KVA: it is refused once
 * both files are read, before any work, naming the scenario file, the key, the value and the range that market allows.
 */
import { XvaInputError, type InputIssue } from '../errors.js';
import type { Scenario } from './types.js';

/** Throws an XvaInputError for every scenario whose capitalRatioAdd takes `capitalRatio` out of (0, 1]. */
export function checkCapitalRatioShocks(scenarios: readonly Scenario[], capitalRatio: number, marketFile: string): void {
  const issues: InputIssue[] = [];
  for (const s of scenarios) {
    const add = s.shocks.capitalRatioAdd;
    if (add === undefined) continue;
    const shocked = capitalRatio + add;
    if (shocked > 0 && shocked <= 1) continue;
    issues.push({
      file: s.file,
      column: 'shocks.capitalRatioAdd',
      value: String(add),
      expected: `a shock that keeps the capital ratio in (0, 1]: the market file ${marketFile} gives capital.capitalRatio ${capitalRatio}, so capitalRatioAdd must be above ${-capitalRatio} and at most ${Number((1 - capitalRatio).toPrecision(12))} (this one gives ${Number(shocked.toPrecision(12))})`,
    });
  }
  if (issues.length > 0) throw new XvaInputError(issues);
}
