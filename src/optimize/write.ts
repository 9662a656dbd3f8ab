/**
 * Writes every output of an `xva optimize` run into its folder (outputs.ts has the tables; each write is atomic).
 * summary.md goes first and comes back last: a folder without it holds a run stopped part way (its tables may be of two
 * runs), as a simulate folder without its manifest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { removeUnwrittenTables, writeTable } from '../io/write.js';
import { ALLOCATION_COLUMNS, allocationTable, type CollateralAllocation } from './levers/collateral/index.js';
import { paretoTable, recommendationsTable, scenarioTable, writeAmendedPortfolio, writeArrow, writeSummary } from './outputs.js';
import type { OptimizeRun } from './run.js';
import { planFigures, summaryMarkdown } from './summary.js';

export function writeOptimizeOutputs(outDir: string, run: OptimizeRun, header: { asOf: string; paths: number; seed: number; rng?: 'philox' | 'sobol'; portfolioDir: string; marketFile: string }): string[] {
  const files: string[] = [];
  fs.rmSync(path.join(outDir, 'summary.md'), { force: true });
  files.push(writeArrow(outDir, 'recommendations', recommendationsTable(run.recommendations)));
  files.push(writeArrow(outDir, 'recommendation_scenarios', scenarioTable(run.scenarioRows)));
  files.push(writeArrow(outDir, 'pareto', paretoTable(run.pareto)));
  const f = planFigures(run);
  const planFile = path.join(outDir, 'plan.arrow');
  const keys = Object.keys(f.delta) as (keyof typeof f.delta)[];
  writeTable(
    planFile,
    {
      columns: [
        { name: 'figure', type: 'utf8', values: ['realised', 'estimated_sum_of_actions'] },
        // measured: the row is a measurement of the whole amended book (the estimate sums single-action measurements)
        { name: 'measured', type: 'bool', values: [run.realised !== undefined, false] },
        ...keys.map((k) => ({ name: `d_${k === 'cet1Bp' ? 'cet1_bp' : k}`, type: 'float64' as const, values: [run.realised ? run.realised.delta[k] : null, run.estimatedDelta[k]] })),
        { name: 'saving', type: 'float64', values: [run.realised ? f.saving : null, f.estimatedSaving] },
        { name: 'saving_pct_of_xva', type: 'float64', values: [run.realised ? f.savingPctOfXva : null, f.totalXva > 0 ? (100 * f.estimatedSaving) / f.totalXva : 0] },
        { name: 'saving_bp_of_gross_notional', type: 'float64', values: [run.realised ? f.savingBpOfGrossNotional : null, f.grossNotional > 0 ? (1e4 * f.estimatedSaving) / f.grossNotional : 0] },
      ],
    },
    'arrow',
  );
  files.push(planFile);
  if (run.collateral) {
    const rows = allocationTable(run.collateral);
    files.push(writeArrow(outDir, 'collateral_allocation', { columns: ALLOCATION_COLUMNS.map(([name, type]) => ({ name, type, values: rows.map((r) => r[name]) })) }));
  } else {
    // only with the collateral lever: an earlier run's must not stay beside this run's plan
    removeUnwrittenTables(outDir, ['collateral_allocation'], files);
  }
  files.push(...writeAmendedPortfolio(path.join(outDir, 'amended'), run.amendedPortfolio, header.portfolioDir, header.marketFile, run.amendedCollateralBalances));
  files.push(writeSummary(outDir, summaryMarkdown(run, header)));
  return files;
}

/** Rows of the CLI's collateral table: optimal, current and greedy annual cost. */
export function collateralTable(c: CollateralAllocation): (string | number)[][] {
  return [
    ['optimal (LP)', c.totals.optimal],
    ['current', c.totals.current],
    ['greedy cheapest-to-deliver', c.totals.greedy],
    ['saving vs current', c.totals.savingVsCurrent],
  ];
}
