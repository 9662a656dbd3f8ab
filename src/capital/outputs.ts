/**
 * Outputs of `xva capital` (columns in docs/capital.md, "xva capital"): the JSON document, the Arrow tables
 * capital_netting_set, capital_counterparty, capital_book, capital_trade, kva_profile, sacva_sensitivities and
 * capital_scenarios, and the `--explain-trade` derivation. Amounts in the base currency.
 */
import path from 'node:path';
import { forgetEarlierMerge, removeUnwrittenTables, writeTable, type OutputColumn } from '../io/write.js';
import type { CapitalRun } from './run.js';
import type { SaccrPositionResult } from './saccr/types.js';

const f64 = (name: string, values: ArrayLike<number | null>): OutputColumn => ({ name, type: 'float64', values });
const utf8 = (name: string, values: ArrayLike<string | null>): OutputColumn => ({ name, type: 'utf8', values });

export interface CapitalNettingSetRow {
  nettingSetId: string;
  counterpartyId: string;
  margined: boolean;
  /** A margined set whose EAD is its unmargined one (the CRE52.2 cap): rc, add-ons, multiplier and pfe are then the unmargined figures. */
  capApplied: boolean;
  value: number;
  collateral: number;
  rc: number;
  addOnIr: number;
  addOnFx: number;
  addOnCredit: number;
  addOnEquity: number;
  addOnCommodity: number;
  multiplier: number;
  pfe: number;
  ead: number;
  riskWeight: number;
  rwa: number;
  capital: number;
  effectiveMaturityYears: number;
  baCvaWeightedExposure: number;
  kvaCcr: number | null;
}

export function nettingSetRows(run: CapitalRun): CapitalNettingSetRow[] {
  const rw = new Map(run.rwa.nettingSets.map((r) => [r.nettingSetId, r]));
  const m = new Map(run.effectiveMaturity.map((e) => [e.nettingSetId, e.years]));
  const ba = new Map(run.baCva.counterparties.flatMap((c) => c.nettingSets.map((n) => [n.nettingSetId, n.weightedExposure] as const)));
  const kva = new Map(run.kva?.nettingSets.map((n) => [n.nettingSetId, n.kvaCcr]) ?? []);
  return run.saccr.nettingSets.map((ns) => {
    // the PFE that gave the EAD: the unmargined one when the CRE52.2 cap applied
    const pfe = ns.capApplied && ns.unmargined ? ns.unmargined.pfe : ns.pfe;
    const r = rw.get(ns.nettingSetId)!;
    return {
      nettingSetId: ns.nettingSetId,
      counterpartyId: ns.counterpartyId,
      margined: ns.margined,
      capApplied: ns.capApplied,
      value: ns.value,
      collateral: ns.collateral,
      rc: ns.capApplied && ns.unmargined ? ns.unmargined.replacementCost : ns.replacementCost,
      addOnIr: pfe.addOns.IR,
      addOnFx: pfe.addOns.FX,
      addOnCredit: pfe.addOns.Credit,
      addOnEquity: pfe.addOns.Equity,
      addOnCommodity: pfe.addOns.Commodity,
      multiplier: pfe.multiplier,
      pfe: pfe.pfe,
      ead: ns.ead,
      riskWeight: r.riskWeight,
      rwa: r.rwa,
      capital: r.capital,
      effectiveMaturityYears: m.get(ns.nettingSetId) ?? 0,
      baCvaWeightedExposure: ba.get(ns.nettingSetId) ?? 0,
      kvaCcr: kva.get(ns.nettingSetId) ?? null,
    };
  });
}

export function counterpartyRows(run: CapitalRun) {
  const ba = new Map(run.baCva.counterparties.map((c) => [c.counterpartyId, c]));
  const kva = new Map(run.kva?.counterparties.map((c) => [c.counterpartyId, c]) ?? []);
  return run.rwa.byCounterparty.map((c) => ({
    counterpartyId: c.counterpartyId,
    ead: c.ead,
    rwa: c.rwa,
    capital: c.capital,
    baCvaScva: ba.get(c.counterpartyId)?.scva ?? 0,
    baCvaSnh: ba.get(c.counterpartyId)?.snh ?? 0,
    kva: kva.get(c.counterpartyId)?.kva ?? null,
  }));
}

export function bookRow(run: CapitalRun) {
  const ns = run.saccr.nettingSets;
  return {
    currency: run.currency,
    ead: ns.reduce((s, n) => s + n.ead, 0),
    rwaCcr: run.rwa.totalRwa,
    capitalCcr: run.capitalCcr,
    baCvaVersion: run.baCva.version,
    baCva: run.baCva.capital,
    baCvaReduced: run.baCva.capitalReduced,
    baCvaFull: run.baCva.capitalFull,
    saCva: run.saCva?.capital ?? null,
    saCvaSource: run.saCva?.source ?? null,
    cvaMethod: run.saCva?.source === 'file' ? 'SA-CVA' : 'BA-CVA',
    capitalCva: run.capitalCva,
    capital: run.capital,
    capitalRatio: run.rwa.capitalRatio,
    kva: run.kva?.kva ?? null,
    cet1: run.cet1 ?? null,
  };
}

/**
 * One row per index hedge of today's BA-CVA (MAR50.24): its risk weight RW_i (0.7 scalar included), notional B_i, M_i,
 * DF_i and RW_i·M_i·B_i·DF_i, plus the index name the CDS references.
 */
export function indexHedgeRows(run: CapitalRun) {
  const given = new Map(run.indexHedges.map((h) => [h.hedgeId, h]));
  return run.baCva.indexHedges.map((h) => {
    const input = given.get(h.hedgeId);
    return {
      hedgeId: h.hedgeId,
      referenceName: input?.referenceName ?? null,
      riskWeight: h.riskWeight,
      notionalAmount: input?.notionalAmount ?? null,
      remainingMaturityYears: input?.remainingMaturityYears ?? null,
      discountFactor: h.discountFactor,
      weightedHedge: h.weightedHedge,
    };
  });
}

/** One position's derivation, as the BCBS 279 tables print it. */
export function explainRows(position: SaccrPositionResult): [string, string | number][] {
  const rows: [string, string | number][] = [
    ['Trade / component', `${position.tradeId} / ${position.component}`],
    ['Netting set', position.nettingSetId],
    ['Asset class / hedging set', `${position.assetClass} / ${position.hedgingSet}${position.hedgingSetKind === 'regular' ? '' : ` (${position.hedgingSetKind})`}`],
    [position.notionalSteps ? 'Notional (base currency; amortising: the average over the remaining life)' : 'Notional (base currency)', position.notionalBase],
  ];
  if (position.startYears !== undefined) rows.push(['S (years)', position.startYears.toFixed(6)]);
  if (position.endYears !== undefined) rows.push(['E (years)', position.endYears.toFixed(6)]);
  rows.push(['M (years)', position.maturityYears.toFixed(6)]);
  if (position.exerciseYears !== undefined) rows.push(['T (years)', position.exerciseYears.toFixed(6)]);
  const o = position.optionality;
  if (o?.kind === 'option') {
    // the inputs of the supervisory delta (CRE52.40), so that δ can be checked from this printout alone
    rows.push(['Option (CRE52.40)', `${o.bought ? 'bought' : 'sold'} ${o.optionType}`]);
    // as given (a rate of 0.031 would print as 0.03 among the amounts)
    rows.push(['Underlying price P', String(Number(o.underlyingPrice.toPrecision(12)))]);
    rows.push(['Strike K', String(Number(o.strike.toPrecision(12)))]);
    rows.push(['Shift λ (CRE52.40 FAQ2)', o.shift.toFixed(6)]);
  }
  if (position.supervisoryDuration !== undefined) rows.push(['Supervisory duration SD (CRE52.34)', position.supervisoryDuration.toFixed(6)]);
  rows.push(['Adjusted notional d (CRE52.33-36)', position.adjustedNotional]);
  if (position.optionD !== undefined) rows.push(['Option d (CRE52.40)', position.optionD.toFixed(6)]);
  if (position.supervisoryVolatility !== undefined) rows.push(['Supervisory volatility σ', position.supervisoryVolatility.toFixed(4)]);
  rows.push(['Supervisory delta δ (CRE52.38-41)', position.supervisoryDelta.toFixed(6)]);
  rows.push(['Maturity factor MF (CRE52.48/52)', position.maturityFactor.toFixed(6)]);
  if (position.maturityBucket !== undefined) rows.push(['Maturity bucket (CRE52.57)', String(position.maturityBucket)]);
  rows.push(['Supervisory factor SF (CRE52.72)', position.supervisoryFactor.toFixed(6)]);
  if (position.correlation !== undefined) rows.push(['Correlation ρ', position.correlation.toFixed(2)]);
  rows.push(['Effective notional D = d·MF·δ (CRE52.30)', position.effectiveNotional]);
  return rows;
}

export function capitalJson(run: CapitalRun, explain?: readonly SaccrPositionResult[]) {
  return {
    asOf: new Date(run.asOf * 86_400_000).toISOString().slice(0, 10),
    currency: run.currency,
    convention: run.saccr.convention,
    book: bookRow(run),
    nettingSets: nettingSetRows(run),
    counterparties: counterpartyRows(run),
    baCva: {
      version: run.baCva.version,
      capital: run.baCva.capital,
      kReduced: run.baCva.kReduced,
      kHedged: run.baCva.kHedged,
      kFull: run.baCva.kFull,
      counterparties: run.baCva.counterparties.map((c) => ({ counterpartyId: c.counterpartyId, riskWeight: c.riskWeight, scva: c.scva, snh: c.snh, hma: c.hma, nettingSets: c.nettingSets })),
      hedges: run.baCva.counterparties.flatMap((c) => c.singleNameHedges),
      ih: run.baCva.ih,
      indexHedges: indexHedgeRows(run),
      effectiveMaturity: run.effectiveMaturity,
    },
    saCva: run.saCva
      ? {
          source: run.saCva.source,
          capital: run.saCva.capital,
          deltaCapital: run.saCva.deltaCapital,
          vegaCapital: run.saCva.vegaCapital,
          sensitivities: run.saCva.sensitivities?.records.map((r) => ({ riskType: r.riskType, riskFactor: r.riskFactor, bucket: r.bucket, value: r.value })),
          baseCva: run.saCva.sensitivities?.baseCva,
        }
      : null,
    kva: run.kva ? { kva: run.kva.kva, costOfCapital: run.kva.costOfCapital, capitalRatio: run.kva.capitalRatio, paths: run.kva.paths, counterparties: run.kva.counterparties, profile: run.kva.profile } : null,
    scenarios: run.scenarios,
    skipped: run.saccr.skipped,
    simulations: run.simulations,
    notes: run.notes,
    ...(explain ? { explain } : {}),
  };
}

export function writeCapitalTables(outDir: string, run: CapitalRun): string[] {
  const metadata = { 'xva.currency': run.currency, 'xva.saccr.convention': run.saccr.convention };
  const files: string[] = [];
  forgetEarlierMerge(outDir);
  const write = (name: string, columns: OutputColumn[]): void => {
    const file = path.join(outDir, `${name}.arrow`);
    writeTable(file, { columns, metadata }, 'arrow');
    files.push(file);
  };
  const ns = nettingSetRows(run);
  write('capital_netting_set', [
    utf8('netting_set_id', ns.map((r) => r.nettingSetId)),
    utf8('counterparty_id', ns.map((r) => r.counterpartyId)),
    { name: 'margined', type: 'bool', values: ns.map((r) => r.margined) },
    { name: 'cap_applied', type: 'bool', values: ns.map((r) => r.capApplied) },
    f64('value', ns.map((r) => r.value)),
    f64('collateral', ns.map((r) => r.collateral)),
    f64('rc', ns.map((r) => r.rc)),
    f64('addon_ir', ns.map((r) => r.addOnIr)),
    f64('addon_fx', ns.map((r) => r.addOnFx)),
    f64('addon_credit', ns.map((r) => r.addOnCredit)),
    f64('addon_equity', ns.map((r) => r.addOnEquity)),
    f64('addon_commodity', ns.map((r) => r.addOnCommodity)),
    f64('multiplier', ns.map((r) => r.multiplier)),
    f64('pfe', ns.map((r) => r.pfe)),
    f64('ead', ns.map((r) => r.ead)),
    f64('risk_weight', ns.map((r) => r.riskWeight)),
    f64('rwa', ns.map((r) => r.rwa)),
    f64('capital', ns.map((r) => r.capital)),
    f64('effective_maturity_years', ns.map((r) => r.effectiveMaturityYears)),
    f64('kva_ccr', ns.map((r) => r.kvaCcr)),
  ]);
  const cp = counterpartyRows(run);
  write('capital_counterparty', [
    utf8('counterparty_id', cp.map((r) => r.counterpartyId)),
    f64('ead', cp.map((r) => r.ead)),
    f64('rwa', cp.map((r) => r.rwa)),
    f64('capital', cp.map((r) => r.capital)),
    f64('ba_cva_scva', cp.map((r) => r.baCvaScva)),
    f64('ba_cva_snh', cp.map((r) => r.baCvaSnh)),
    f64('kva', cp.map((r) => r.kva)),
  ]);
  const b = bookRow(run);
  write('capital_book', [
    utf8('currency', [b.currency]),
    f64('ead', [b.ead]),
    f64('rwa_ccr', [b.rwaCcr]),
    f64('capital_ccr', [b.capitalCcr]),
    utf8('ba_cva_version', [b.baCvaVersion]),
    f64('ba_cva', [b.baCva]),
    f64('sa_cva', [b.saCva]),
    utf8('cva_method', [b.cvaMethod]),
    f64('capital_cva', [b.capitalCva]),
    f64('capital', [b.capital]),
    f64('capital_ratio', [b.capitalRatio]),
    f64('kva', [b.kva]),
    f64('cet1_impact_bp', [b.cet1?.impactBp ?? null]),
  ]);
  const t = run.saccr.trades;
  write('capital_trade', [
    utf8('trade_id', t.map((r) => r.tradeId)),
    utf8('component', t.map((r) => r.component)),
    utf8('netting_set_id', t.map((r) => r.nettingSetId)),
    utf8('asset_class', t.map((r) => r.assetClass)),
    utf8('hedging_set', t.map((r) => r.hedgingSet)),
    f64('notional', t.map((r) => r.notionalBase)),
    f64('start_years', t.map((r) => r.startYears ?? null)),
    f64('end_years', t.map((r) => r.endYears ?? null)),
    f64('maturity_years', t.map((r) => r.maturityYears)),
    f64('supervisory_duration', t.map((r) => r.supervisoryDuration ?? null)),
    f64('adjusted_notional', t.map((r) => r.adjustedNotional)),
    f64('supervisory_delta', t.map((r) => r.supervisoryDelta)),
    f64('maturity_factor', t.map((r) => r.maturityFactor)),
    f64('maturity_bucket', t.map((r) => r.maturityBucket ?? null)),
    f64('supervisory_factor', t.map((r) => r.supervisoryFactor)),
    f64('effective_notional', t.map((r) => r.effectiveNotional)),
  ]);
  if (run.kva) {
    const p = run.kva.profile;
    write('kva_profile', [
      f64('time_years', p.map((r) => r.timeYears)),
      f64('ead', p.map((r) => r.ead)),
      f64('rwa_ccr', p.map((r) => r.rwaCcr)),
      f64('rwa_cva', p.map((r) => r.rwaCva)),
      f64('capital', p.map((r) => r.capital)),
      f64('survival_own', p.map((r) => r.survivalOwn)),
      f64('discount', p.map((r) => r.discount)),
      f64('kva_contribution', p.map((r) => r.kvaContribution)),
    ]);
  }
  const sens = run.saCva?.sensitivities?.records;
  if (sens) {
    // the columns of ORE's layout in xva's names, so that the table reads back with --sacva-sensitivities
    write('sacva_sensitivities', [
      utf8('risk_type', sens.map((r) => r.riskType)),
      utf8('cva_type', sens.map((r) => r.cvaType)),
      utf8('margin_type', sens.map((r) => r.marginType)),
      utf8('risk_factor', sens.map((r) => r.riskFactor)),
      utf8('bucket', sens.map((r) => r.bucket)),
      f64('value', sens.map((r) => r.value)),
    ]);
  }
  if (run.scenarios.length > 0) {
    const s = run.scenarios;
    write('capital_scenarios', [
      utf8('scenario', s.map((r) => r.scenario)),
      f64('capital_ratio', s.map((r) => r.capitalRatio)),
      f64('capital_ccr', s.map((r) => r.capitalCcr)),
      f64('capital_cva', s.map((r) => r.capitalCva)),
      f64('capital', s.map((r) => r.capital)),
      f64('kva', s.map((r) => r.kva ?? null)),
    ]);
  }
  removeUnwrittenTables(outDir, CAPITAL_TABLES, files);
  return files;
}

/** Every table `writeCapitalTables` may write (KVA's profile and SA-CVA's sensitivities only when computed, scenarios when run). */
const CAPITAL_TABLES = ['capital_netting_set', 'capital_counterparty', 'capital_book', 'capital_trade', 'kva_profile', 'sacva_sensitivities', 'capital_scenarios'] as const;
