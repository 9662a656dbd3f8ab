/** What `xva cva` and `xva fva` print: the --json document and the base-vs-stressed table. */
import { renderTable } from '../cli/table.js';
import type { XvaFigures } from './compute.js';
import type { XvaRun } from './run.js';
import { whatIfJson } from './whatIf/index.js';

type Metric = keyof XvaFigures;

/** One JSON document: book, counterparties (ranked), netting sets, trades, analysis, scenarios, notes, files. */
export function xvaJson(run: XvaRun): unknown {
  const { result, analysis } = run;
  const figures = (x: XvaFigures) => ({ cva: x.cva, dva: x.dva, fca: x.fca, fba: x.fba, colva: x.colva });
  return {
    options: result.options,
    source: run.source,
    ...(run.paths !== undefined ? { paths: run.paths } : {}),
    signs: 'all positive; CVA, FCA and ColVA are costs, DVA and FBA benefits; adjustment = -CVA + DVA - FCA + FBA - ColVA',
    book: { ...figures(result.book), cvaStdError: result.book.cvaStdError },
    counterparties: analysis.top.map((r) => ({
      rank: r.rank,
      counterpartyId: r.counterparty.counterpartyId,
      creditCurve: r.counterparty.credit.curveName,
      curveSource: r.counterparty.credit.curveSource,
      recovery: r.counterparty.credit.recovery,
      ...figures(r.counterparty),
      shareOfBookCva: r.shareOfBookCva,
    })),
    concentrations: analysis.concentrations.map((r) => ({ counterpartyId: r.counterparty.counterpartyId, shareOfBookCva: r.shareOfBookCva })),
    materialNettingSets: analysis.material.map((s) => ({ nettingSetId: s.nettingSetId, cva: s.cva })),
    nettingSets: result.nettingSets.map((s) => ({ nettingSetId: s.nettingSetId, counterpartyId: s.counterpartyId, creditCurve: s.credit.curveName, curveSource: s.credit.curveSource, ...figures(s), cvaUnilateral: s.cvaUnilateral, dvaUnilateral: s.dvaUnilateral, cvaStdError: s.cvaStdError })),
    incremental: run.incremental,
    wrongWay: run.wrongWay,
    scenarios: run.scenarios.map((s) => ({ scenario: s.scenario, applied: s.applied, skipped: s.skipped ?? null, resimulated: s.resimulated, book: s.book, counterparties: Object.fromEntries(s.counterparties), nettingSets: s.nettingSets })),
    ...(run.whatIf ? { whatIf: whatIfJson(run.whatIf) } : {}),
    simulations: run.simulations,
    notes: run.notes,
    files: run.files,
  };
}

/** Wrong-way CVA beside the independent CVA, one line per counterparty with a wrong-way model (docs/xva.md). */
export function wrongWayTable(run: XvaRun): string {
  const rows = run.wrongWay
    .filter((r) => r.scope === 'counterparty')
    .map((r) => [
      r.counterpartyId,
      r.model === 'exposure' ? `exposure, b = ${r.betaPerMillion} per m` : `intensity, σ = ${r.logVolatility}, κ = ${r.meanReversion}`,
      r.cva,
      r.cvaWrongWay,
      r.ratio ?? '',
      r.differenceStdError,
    ]);
  return renderTable(['Counterparty', 'Model', 'CVA independent', 'CVA wrong-way', 'Ratio', 'Std error of difference'], rows, { title: 'Wrong-way risk (same paths)' });
}

/** Base vs stressed metrics for the book and the top `topN` counterparties. */
export function scenarioTable(run: XvaRun, metrics: Metric[], topN: number): string {
  const rows: (string | number)[][] = [];
  const base = run.result.book;
  const top = run.analysis.top.slice(0, topN);
  rows.push(['base', 'book', ...metrics.map((m) => base[m])]);
  for (const r of top) rows.push(['base', r.counterparty.counterpartyId, ...metrics.map((m) => r.counterparty[m])]);
  for (const s of run.scenarios) {
    rows.push([s.scenario + (s.skipped ? ' (see note)' : ''), 'book', ...metrics.map((m) => s.book[m])]);
    for (const r of top) {
      const x = s.counterparties.get(r.counterparty.counterpartyId);
      if (x) rows.push([s.scenario, r.counterparty.counterpartyId, ...metrics.map((m) => x[m])]);
    }
  }
  return renderTable(['Scenario', 'Scope', ...metrics.map((m) => m.toUpperCase())], rows, { title: 'Stress: base vs stressed (credit and funding shocks reuse the exposure)' });
}
