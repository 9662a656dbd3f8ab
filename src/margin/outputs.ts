/**
 * What `xva margin` reports: the collateral coverage scenarios, the output tables (Arrow files with stable column
 * names), the --json document and the console tables.
 */
import path from 'node:path';
import { renderTable } from '../cli/table.js';
import { forgetEarlierMerge, removeUnwrittenTables, writeTable, type OutputTable } from '../io/write.js';
import type { Market } from '../market/types.js';
import type { Scenario } from '../scenarios/types.js';
import type { MarginRun, NettingSetMargin } from './run.js';

/** One netting set under one coverage scenario, in USD. */
export interface CoverageOutcome {
  scenario: string;
  nettingSetId: string;
  /** Multiplier of the required VM and IM actually held (1 = as agreed). */
  coverage: number;
  exposure: number;
  /** VM held: coverage × the credit support amount (negative when the bank is the poster). */
  vmHeld: number;
  /** IM held: coverage × the IM we collect (under the set's IM model; without one, its stated initial_margin_held). */
  imHeld: number;
  /** max(exposure − VM − IM, 0) with the collateral as agreed (coverage 1). */
  residualExposureBase: number;
  /** The same with the stressed collateral. */
  residualExposureStressed: number;
}

/**
 * Scenarios with a `collateralCoverage` shock c (docs/scenarios.md): the collateral held is c times what the CSA
 * requires, for VM (the credit support amount) and IM (the IM collected under the set's IM model, SIMM or schedule;
 * a set without one holds its stated `initial_margin_held`, as `xva simulate` and `xva cva` hold it and scale it by the
 * coverage); the residual exposure max(E − c·VM − c·IM, 0) is reported against c = 1. Other shocks do not move margin
 * and are noted. An audit found the stated IM left out (the residual overstated by c times it, and a set holding IM
 * without a CSA given no row), while `xva cva` scaled it.
 */
export function coverageScenarios(nettingSets: readonly NettingSetMargin[], scenarios: readonly Scenario[], market: Market, notes: string[]): CoverageOutcome[] {
  const out: CoverageOutcome[] = [];
  for (const scenario of scenarios) {
    const c = scenario.shocks.collateralCoverage;
    if (c === undefined) {
      const movesMva = ['creditSpreadBp', 'ownCreditSpreadBp', 'fundingSpreadBp'].some((k) => (scenario.shocks as Record<string, number | undefined>)[k]);
      const hasMva = nettingSets.some((n) => n.mva !== undefined);
      notes.push(`scenario ${scenario.name}: no collateralCoverage shock, nothing to apply to the collateral${movesMva && hasMva ? ' (its credit and funding shocks move the MVA: margin_mva_scenarios)' : ''}`);
      continue;
    }
    for (const ns of nettingSets) {
      if (!ns.vm || !ns.collateralCurrency || onlyPostsIm(ns)) continue;
      const toUsd = ns.collateralCurrency === 'USD' ? 1 : market.fxSpot(ns.collateralCurrency, 'USD');
      const exposure = ns.vm.exposure * toUsd;
      const required = ns.vm.creditSupportAmount * toUsd;
      // a CCP posts no IM to its members (docs/margin.md, "Dynamic IM"; dim.ts heldByBank): none held from it
      const imCollected = ns.cleared ? 0 : ns.imModel === 'none' ? (ns.initialMarginHeld ?? 0) * toUsd : ns.imCollect;
      const residual = (k: number) => Math.max(exposure - k * required - k * imCollected, 0);
      out.push({
        scenario: scenario.name,
        nettingSetId: ns.nettingSetId,
        coverage: c,
        exposure,
        vmHeld: c * required,
        imHeld: c * imCollected,
        residualExposureBase: residual(1),
        residualExposureStressed: residual(c),
      });
    }
  }
  return out;
}

/**
 * A set in the margin run only for the MVA of its `initial_margin_posted` (no IM model, no CSA, no IM figure, no IM
 * held): it holds no collateral to stress, so the coverage scenarios leave it out, as before it had a row.
 */
function onlyPostsIm(ns: NettingSetMargin): boolean {
  return ns.imModel === 'none' && ns.vm?.limitedBy === 'uncollateralised' && ns.simmCollect === undefined && ns.simmPost === undefined && ns.scheduleCall === undefined && ns.schedulePost === undefined && !((ns.initialMarginHeld ?? 0) > 0);
}

const utf8 = (name: string, values: (string | null)[]) => ({ name, type: 'utf8' as const, values });
const f64 = (name: string, values: (number | null)[]) => ({ name, type: 'float64' as const, values });

export function marginTables(run: MarginRun): Record<string, OutputTable> {
  const lines = run.simm.flatMap((r) => r.lines.map((l) => ({ r, l })));
  const ns = run.nettingSets;
  const metadata = { simmVersion: run.simmVersion, mporDays: String(run.mporDays), source: run.source };
  return {
    margin_simm: {
      metadata,
      columns: [
        utf8('netting_set_id', lines.map(({ r }) => r.portfolioId)),
        utf8('side', lines.map(({ r }) => r.side)),
        utf8('regulation', lines.map(({ r }) => r.regulation)),
        utf8('product_class', lines.map(({ l }) => l.productClass)),
        utf8('risk_class', lines.map(({ l }) => l.riskClass)),
        utf8('margin_type', lines.map(({ l }) => l.marginType)),
        utf8('bucket', lines.map(({ l }) => l.bucket)),
        f64('margin_usd', lines.map(({ l }) => l.margin)),
      ],
    },
    margin_netting_sets: {
      metadata,
      columns: [
        utf8('netting_set_id', ns.map((n) => n.nettingSetId)),
        utf8('im_model', ns.map((n) => n.imModel)),
        f64('simm_collect_usd', ns.map((n) => n.simmCollect ?? null)),
        f64('simm_post_usd', ns.map((n) => n.simmPost ?? null)),
        f64('schedule_call_usd', ns.map((n) => n.scheduleCall ?? null)),
        f64('schedule_post_usd', ns.map((n) => n.schedulePost ?? null)),
        utf8('collateral_currency', ns.map((n) => n.collateralCurrency ?? null)),
        f64('mtm', ns.map((n) => n.vm?.exposure ?? null)),
        f64('vm_required', ns.map((n) => n.vm?.vmRequired ?? null)),
        f64('credit_support_amount', ns.map((n) => n.vm?.creditSupportAmount ?? null)),
        f64('collateral_balance', ns.map((n) => n.vm?.balance ?? null)),
        { name: 'balance_on_file', type: 'bool', values: ns.map((n) => (n.vm ? (n.balanceOnFile ?? false) : null)) },
        f64('margin_call', ns.map((n) => n.vm?.marginCall ?? null)),
        utf8('call_limited_by', ns.map((n) => n.vm?.limitedBy ?? null)),
        f64('mva_usd', ns.map((n) => n.mva ?? null)),
        utf8('mva_source', ns.map((n) => n.mvaSource ?? null)),
      ],
    },
    margin_scenarios: {
      metadata,
      columns: [
        utf8('scenario', run.scenarios.map((s) => s.scenario)),
        utf8('netting_set_id', run.scenarios.map((s) => s.nettingSetId)),
        f64('coverage', run.scenarios.map((s) => s.coverage)),
        f64('exposure_usd', run.scenarios.map((s) => s.exposure)),
        f64('vm_held_usd', run.scenarios.map((s) => s.vmHeld)),
        f64('im_held_usd', run.scenarios.map((s) => s.imHeld)),
        f64('residual_exposure_base_usd', run.scenarios.map((s) => s.residualExposureBase)),
        f64('residual_exposure_stressed_usd', run.scenarios.map((s) => s.residualExposureStressed)),
      ],
    },
    ...(run.dim.length > 0 ? { margin_dim: dimTable(run, metadata) } : {}),
    ...(run.mvaScenarios.length > 0
      ? {
          margin_mva_scenarios: {
            metadata,
            columns: [
              utf8('scenario', run.mvaScenarios.map((s) => s.scenario)),
              utf8('netting_set_id', run.mvaScenarios.map((s) => s.nettingSetId)),
              utf8('mva_source', run.mvaScenarios.map((s) => s.mvaSource)),
              f64('mva_usd', run.mvaScenarios.map((s) => s.mva)),
              f64('mva_stressed_usd', run.mvaScenarios.map((s) => s.mvaStressed)),
            ],
          },
        }
      : {}),
  };
}

function dimTable(run: MarginRun, metadata: Record<string, string>): OutputTable {
  const rows = run.dim.flatMap((d) => Array.from(d.dates, (date, k) => ({ d, date, k })));
  return {
    metadata,
    columns: [
      utf8('netting_set_id', rows.map(({ d }) => d.nettingSetId)),
      { name: 'date', type: 'date', values: rows.map(({ date }) => date) },
      f64('time_years', rows.map(({ d, k }) => d.times[k]!)),
      f64('expected_im_collect_usd', rows.map(({ d, k }) => d.expectedImCollect[k]!)),
      f64('expected_im_post_usd', rows.map(({ d, k }) => d.expectedImPost[k]!)),
      // regression: the SIMM sets' DIM by simulation; schedule: the schedule IM projected (margin/scheduleDim.ts)
      utf8('method', rows.map(({ d }) => d.method ?? 'regression')),
    ],
  };
}

/** Writes the tables as Arrow IPC files into `dir`; returns the paths. */
export function writeMarginTables(dir: string, run: MarginRun): string[] {
  const files: string[] = [];
  forgetEarlierMerge(dir);
  for (const [name, table] of Object.entries(marginTables(run))) {
    const file = path.join(dir, `${name}.arrow`);
    writeTable(file, table, 'arrow');
    files.push(file);
  }
  // margin_dim only with --dim, margin_mva_scenarios only with scenarios and an MVA: an earlier run's must not stay
  // beside a run without them
  removeUnwrittenTables(dir, ['margin_simm', 'margin_netting_sets', 'margin_scenarios', 'margin_dim', 'margin_mva_scenarios'], files);
  return files;
}

export function marginJson(run: MarginRun): unknown {
  return {
    source: run.source,
    simmVersion: run.simmVersion,
    mporDays: run.mporDays,
    crifRows: run.crifRows,
    nettingSets: run.nettingSets,
    simm: run.simm.map((r) => ({
      nettingSetId: r.portfolioId,
      side: r.side,
      regulation: r.regulation,
      total: r.total,
      simmBeforeAddOn: r.simmBeforeAddOn,
      addOn: r.addOn,
      lines: r.lines,
    })),
    schedule: run.schedule,
    scenarios: run.scenarios,
    mvaScenarios: run.mvaScenarios,
    dim: run.dim.map((d) => ({
      nettingSetId: d.nettingSetId,
      method: d.method ?? 'regression',
      mva: d.mva,
      profile: Array.from(d.dates, (date, k) => ({ date: new Date(date * 86_400_000).toISOString().slice(0, 10), timeYears: d.times[k], expectedImCollect: d.expectedImCollect[k], expectedImPost: d.expectedImPost[k] })),
    })),
    notes: run.notes,
  };
}

/**
 * The book's MVA under the tables: the sum over the sets with one, by source; when a SIMM or schedule set has none
 * (no --dim) the sum is said to be partial.
 */
export function mvaTotalLine(nettingSets: readonly NettingSetMargin[]): string | undefined {
  const withMva = nettingSets.filter((n) => n.mva !== undefined);
  if (withMva.length === 0) return undefined;
  let total = 0;
  for (const n of withMva) total += n.mva!;
  const count = (source: NettingSetMargin['mvaSource']) => withMva.filter((n) => n.mvaSource === source).length;
  const sources = [
    [count('dim'), 'the regression DIM'],
    [count('schedule'), 'the schedule projection'],
    [count('initial_margin_posted'), 'initial_margin_posted'],
  ].filter(([k]) => (k as number) > 0).map(([k, what]) => `${k} from ${what}`);
  const lacking = nettingSets.filter((n) => n.mva === undefined && (n.simmPost !== undefined || n.schedulePost !== undefined)).length;
  const amount = Math.round(total).toLocaleString('en-US');
  return lacking > 0
    ? `MVA of the ${withMva.length} netting set${withMva.length === 1 ? '' : 's'} that have one: ${amount} USD (${sources.join(', ')}); ${lacking} SIMM or schedule set${lacking === 1 ? ' has' : 's have'} none without --dim, so this is not the book's MVA`
    : `MVA of the book: ${amount} USD over ${withMva.length} netting set${withMva.length === 1 ? '' : 's'} (${sources.join(', ')})`;
}

/** Console tables: IM per netting set, SIMM by product and risk class, VM, scenarios. */
export function marginText(run: MarginRun): string {
  const parts: string[] = [];
  const im = run.nettingSets.filter((n) => n.simmCollect !== undefined || n.scheduleCall !== undefined || n.simmPost !== undefined || n.schedulePost !== undefined);
  parts.push(
    renderTable(
      ['Netting set', 'Model', 'SIMM collect', 'SIMM post', 'Schedule call', 'Schedule post'],
      im.map((n) => [n.nettingSetId, n.imModel, n.simmCollect ?? '', n.simmPost ?? '', n.scheduleCall ?? '', n.schedulePost ?? '']),
      { title: `Initial margin (USD; SIMM v${run.simmVersion}, ${run.mporDays}-day)` },
    ),
  );
  // each risk class's margin, then the set's SIMM before add-ons (the product classes' sum, SIMM v2.6 §D.2), the
  // add-on (§J) and the total, so that the table adds up to the IM above (the risk classes aggregate with ψ, not a sum)
  const classes = run.simm.flatMap((r) => [
    ...r.lines.filter((l) => l.bucket === 'All' && l.marginType === 'All' && l.productClass !== 'All').map((l) => [r.portfolioId, r.side, l.productClass, l.riskClass === 'All' ? 'product class SIMM' : l.riskClass, l.margin] as (string | number)[]),
    ...(r.addOn !== 0 ? [[r.portfolioId, r.side, 'All', 'before add-on', r.simmBeforeAddOn], [r.portfolioId, r.side, 'All', 'add-on', r.addOn]] : []),
    [r.portfolioId, r.side, 'All', 'total', r.total],
  ]);
  if (classes.length > 0) parts.push(renderTable(['Netting set', 'Side', 'Product class', 'Risk class', 'IM'], classes, { title: 'SIMM by product and risk class (USD; a product class aggregates its risk classes by correlation, the product classes and the add-on add up to the total)' }));
  const vm = run.nettingSets.filter((n) => n.vm && n.vm.limitedBy !== 'uncollateralised');
  if (vm.length > 0) {
    parts.push(
      renderTable(
        ['Netting set', 'Ccy', 'MTM', 'VM required', 'Credit support', 'Balance', 'Margin call'],
        vm.map((n) => [n.nettingSetId, n.collateralCurrency ?? '', n.vm!.exposure, n.vm!.vmRequired, n.vm!.creditSupportAmount, n.vm!.balance, n.vm!.limitedBy === 'mta' ? `0 (below MTA)` : n.vm!.marginCall]),
        { title: 'Variation margin today (collateral currency; call > 0: the counterparty delivers)' },
      ),
    );
  }
  if (run.dim.length > 0) {
    parts.push(
      renderTable(
        ['Netting set', 'Method', 'E[IM] today', 'E[IM] 1y', 'E[IM] 5y', 'MVA'],
        run.dim.map((d) => {
          const at = (t: number) => {
            const k = d.times.findIndex((x) => x >= t);
            return k < 0 ? 0 : d.expectedImCollect[k]!;
          };
          return [d.nettingSetId, d.method ?? 'regression', at(0), at(1), at(5), d.mva];
        }),
        { title: 'Dynamic IM (collect, USD; regression: scaled to today\'s SIMM; schedule: projected) and MVA (funds the IM posted)' },
      ),
    );
  }
  const flat = run.nettingSets.filter((n) => n.mvaSource === 'initial_margin_posted');
  if (flat.length > 0) {
    parts.push(
      renderTable(
        ['Netting set', 'Ccy', 'IM posted', 'MVA (USD)'],
        flat.map((n) => [n.nettingSetId, n.collateralCurrency ?? '', n.initialMarginPosted ?? '', n.mva ?? '']),
        { title: 'MVA of initial_margin_posted (held flat to the set\'s last live date; collateral currency, MVA in USD)' },
      ),
    );
  }

  const total = mvaTotalLine(run.nettingSets);
  if (total) parts.push(total);

  if (run.scenarios.length > 0) {
    const byScenario = new Map<string, { coverage: number; base: number; stressed: number }>();
    for (const s of run.scenarios) {
      const e = byScenario.get(s.scenario) ?? { coverage: s.coverage, base: 0, stressed: 0 };
      e.base += s.residualExposureBase;
      e.stressed += s.residualExposureStressed;
      byScenario.set(s.scenario, e);
    }
    parts.push(
      renderTable(
        ['Scenario', 'Coverage', 'Residual exposure base', 'Residual exposure stressed'],
        [...byScenario].map(([name, e]) => [name, `${(e.coverage * 100).toFixed(0)}%`, e.base, e.stressed]),
        { title: 'Collateral coverage scenarios (USD, sum over netting sets)' },
      ),
    );
  }
  if (run.mvaScenarios.length > 0) {
    const byScenario = new Map<string, { base: number; stressed: number; sets: number }>();
    for (const s of run.mvaScenarios) {
      const e = byScenario.get(s.scenario) ?? { base: 0, stressed: 0, sets: 0 };
      e.base += s.mva;
      e.stressed += s.mvaStressed;
      e.sets++;
      byScenario.set(s.scenario, e);
    }
    parts.push(
      renderTable(
        ['Scenario', 'Netting sets', 'MVA base', 'MVA stressed', 'Change'],
        [...byScenario].map(([name, e]) => [name, String(e.sets), e.base, e.stressed, e.stressed - e.base]),
        { title: 'MVA under the scenarios (USD, sum over the netting sets with an MVA)' },
      ),
    );
  }
  return parts.join('\n');
}
