/** What `xva cva` and `xva fva` print: the --json document and the base-vs-stressed table. */
import { renderTable } from '../cli/table.js';
import { totalAdjustment, type XvaFigures } from './compute.js';
import type { XvaRun } from './run.js';
import { XVA_SIGNS } from './outputs.js';
import { whatIfJson } from './whatIf/index.js';
import { rankCounterparties } from './analysis.js';

type Metric = keyof XvaFigures;

/** One JSON document: book, counterparties (all, ranked), netting sets, analysis, scenarios, notes, files. */
export function xvaJson(run: XvaRun): unknown {
  const { result, analysis } = run;
  const figures = (x: XvaFigures) => ({ cva: x.cva, dva: x.dva, fca: x.fca, fba: x.fba, colva: x.colva });
  return {
    options: result.options,
    source: run.source,
    ...(run.paths !== undefined ? { paths: run.paths } : {}),
    currency: run.currency,
    signs: XVA_SIGNS,
    book: { ...figures(result.book), totalAdjustment: totalAdjustment(result.book), cvaStdError: result.book.cvaStdError },
    // every counterparty, ranked (the table cva_counterparty's rows); the printout shows the top --top of them
    counterparties: rankCounterparties(result).map((r) => ({
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
    ...(run.cs01.length > 0 ? { cs01: run.cs01 } : {}),
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

/**
 * The `metric` CS01 (change for +1bp) of the `topN` counterparties with the largest |parallel| CS01, one column per
 * quote tenor of their curves (blank where a curve has no such quote), then the own curve's row when there is one.
 */
export function cs01Table(run: XvaRun, metric: 'cva' | 'dva' | 'fca' | 'fba', ownMetric: 'cva' | 'dva' | 'fca' | 'fba', topN: number): string {
  const parallel = run.cs01.filter((r) => r.scope === 'counterparty' && r.tenor === 'parallel');
  const top = [...parallel].sort((a, b) => Math.abs(b[metric]) - Math.abs(a[metric]) || (a.counterpartyId! < b.counterpartyId! ? -1 : 1)).slice(0, topN);
  const ids = new Set(top.map((r) => r.counterpartyId));
  const own = run.cs01.filter((r) => r.scope === 'own');
  const listed = run.cs01.filter((r) => r.tenorYears !== null && (ids.has(r.counterpartyId) || r.scope === 'own'));
  const tenors = [...new Map(listed.map((r) => [r.tenor, r.tenorYears!])).entries()].sort((a, b) => a[1] - b[1]).map(([t]) => t);
  const line = (label: string, curve: string, rows: typeof run.cs01, m: typeof metric): (string | number)[] => {
    const byTenor = new Map(rows.map((r) => [r.tenor, r[m]]));
    return [label, curve, byTenor.get('parallel') ?? '', ...tenors.map((t) => byTenor.get(t) ?? '')];
  };
  const body = top.map((p) => line(p.counterpartyId!, p.creditCurve, run.cs01.filter((r) => r.counterpartyId === p.counterpartyId), metric));
  if (own.length > 0) body.push(line(`own curve (${ownMetric.toUpperCase()})`, own[0]!.creditCurve, own, ownMetric));
  // the table file only where the run wrote one (--out); else --json holds every row
  const all = run.files.some((f) => f.endsWith('xva_cs01.arrow')) ? 'xva_cs01.arrow has every one' : '--json or --out lists every one';
  return renderTable(['Counterparty', 'Curve', 'Parallel', ...tenors], body, { title: `${metric.toUpperCase()} CS01 per +1bp (top ${top.length} counterparties by parallel; ${all})` });
}
