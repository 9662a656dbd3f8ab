/**
 * The engine's results as Facts (types.ts): every number the report's tables, charts and prose may state, with a
 * stable id, a label a reader understands, its unit and the table and column it came from. Amounts are in the base
 * currency except margin (USD, SIMM's calculation currency) and VM (the CSA's collateral currency); `pct` facts are
 * in percent (34.5 = 34.5%), `bp` facts in basis points. Deltas are new − old (a saving of a cost is negative);
 * `*_saving` facts are the same figures as positive savings.
 *
 * Ids: `book.*` (XVA of the book), `cp.<counterparty>.*`, `ns.<netting set>.*`, `trade.<trade>.*` (trade-level),
 * `scenario.<name>.*` (and `scenario.<name>.ns.<netting set>.*`: the sets that move most), `capital.*`, `capital.cp.<counterparty>.*`, `capital.scenario.<name>.*`, `margin.*`,
 * `margin.ns.<netting set>.*`, `margin.scenario.<name>.*`, `plan.*`, `rec.<action>.*`, and `change.<id>` /
 * `change.<id>.pct` against a previous run (what-changed facts).
 *
 * Facts behind the built-in writer's qualitative statements: `rec.<action>.chosen` (1 in the plan, 0 not; the
 * optimiser's skip reason as its `note`), `rec.<action>.d_dva` and, for the collateral lever, `collateral_saving`;
 * `cp.<counterparty>.netting_sets` / `csa_netting_sets` (netting_set_summary:collateralised); `plan.realised` and
 * `plan.base_xva` (the denominator of `plan.saving_pct_xva`: the optimiser's base CVA + FVA + MVA + KVA);
 * `run.cs01_shift_bp` (the 1bp shift the CS01 figures are per).
 *
 * What each stress shocks, when its scenario file is known (data.scenarioShocks): `scenario.<name>.credit_spread_shift_bp`,
 * `own_credit_spread_shift_bp`, `funding_spread_shift_bp` (bp), `collateral_coverage` (percent of what the CSAs
 * require) with its move from the 100% agreed, `d_collateral_coverage_pp` (pp), and `capital_ratio_shift_pp`
 * (percentage points of RWA: a `pct` fact a figure in pp matches) with, when the capital run holds the stress,
 * `capital.scenario.<name>.capital_ratio` (the base ratio plus the shift, percent).
 */
import type { ExplainData, MarginPart, ScenarioSetMove } from './data.js';
import type { Fact, FactUnit } from './types.js';

export class FactSet {
  readonly list: Fact[] = [];
  private readonly byId = new Map<string, Fact>();

  add(id: string, label: string, value: number | null | undefined, unit: FactUnit, source: string, extra: { currency?: string; tradeLevel?: boolean; note?: string } = {}): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    if (this.byId.has(id)) throw new Error(`fact ${id} defined twice`);
    const fact: Fact = {
      id,
      label,
      value,
      unit,
      source,
      ...(unit === 'currency' && extra.currency ? { currency: extra.currency } : {}),
      ...(extra.tradeLevel ? { tradeLevel: true } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    };
    this.list.push(fact);
    this.byId.set(id, fact);
  }

  get(id: string): Fact | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The facts whose id starts with `prefix`. */
  under(prefix: string): Fact[] {
    return this.list.filter((f) => f.id.startsWith(prefix));
  }
}

const pct = (part: number, whole: number): number | null => (whole !== 0 ? (100 * part) / whole : null);

/** Share of book CVA above which a counterparty is called a concentration, percent. */
export const CONCENTRATION_PCT = 10;

/** How many trade-level facts (largest Euler CVA) are kept. */
export const TOP_TRADES = 10;

/** How many netting sets' moves are kept per stress scenario and figure (CVA, FVA), largest first. */
export const TOP_SCENARIO_SETS = 3;

/** `mva_source` values, the key of their facts (`margin.mva_<key>`) and what their IM is. */
const MVA_SOURCES: readonly [string, string, string][] = [
  ['dim', 'dim', 'the dynamic IM of the SIMM netting sets'],
  ['schedule', 'schedule', 'the projected schedule IM'],
  ['initial_margin_posted', 'stated', 'the stated initial_margin_posted amounts'],
];

export function factsOf(data: ExplainData): FactSet {
  const f = new FactSet();
  const ccy = data.currency;
  const money = (id: string, label: string, value: number | null | undefined, source: string, tradeLevel = false) => f.add(id, label, value, 'currency', source, { currency: ccy, tradeLevel });
  const usd = (id: string, label: string, value: number | null | undefined, source: string) => f.add(id, label, value, 'currency', source, { currency: 'USD' });

  const x = data.xva;
  if (x) {
    const s = x.source.replace(/\.(arrow|parquet)$/, '');
    const b = x.book;
    const fvaOf = (r: { fca: number; fba: number; colva: number }) => r.fca - r.fba + r.colva;
    const netOf = (r: { cva: number; dva: number; fca: number; fba: number; colva: number }) => r.cva - r.dva + r.fca - r.fba + r.colva;
    money('book.cva', 'book CVA', b.cva, `${s}:cva`);
    money('book.dva', 'book DVA', b.dva, `${s}:dva`);
    money('book.fca', 'book FCA', b.fca, `${s}:fca`);
    money('book.fba', 'book FBA', b.fba, `${s}:fba`);
    money('book.colva', 'book ColVA', b.colva, `${s}:colva`);
    money('book.fva', 'book FVA (FCA − FBA + ColVA)', fvaOf(b), `${s}:fca-fba+colva`);
    money('book.xva_net', 'net XVA cost of the book (CVA − DVA + FVA)', netOf(b), `${s}:-total_adjustment`);
    money('book.cva_std_error', 'Monte Carlo standard error of book CVA', b.cvaStdError, `${s}:cva_std_error`);
    f.add('book.cva_std_error_pct', 'standard error as a share of book CVA', pct(b.cvaStdError, b.cva), 'pct', `${s}:cva_std_error/cva`);
    f.add('book.counterparties', 'counterparties in the book', x.counterparties.length, 'count', 'cva_counterparty:rows');
    f.add('book.netting_sets', 'netting sets in the book', x.nettingSets.length, 'count', 'cva_netting_set:rows');
    const top5 = x.counterparties.slice(0, 5).reduce((a, c) => a + c.cva, 0);
    f.add('book.cva_top5_share', 'share of book CVA from the five largest counterparties', pct(top5, b.cva), 'pct', 'cva_counterparty:cva');
    money('book.cva_top5', 'CVA of the five largest counterparties', top5, 'cva_counterparty:cva');
    f.add('book.concentration_threshold', 'concentration threshold, percent of book CVA', CONCENTRATION_PCT, 'pct', 'xva explain setting');
    for (const c of x.counterparties) {
      const p = `cp.${c.counterpartyId}`;
      const src = 'cva_counterparty';
      money(`${p}.cva`, `CVA of ${c.counterpartyId}`, c.cva, `${src}:cva`);
      money(`${p}.dva`, `DVA of ${c.counterpartyId}`, c.dva, `${src}:dva`);
      money(`${p}.fva`, `FVA of ${c.counterpartyId}`, fvaOf(c), `${src}:fca-fba+colva`);
      money(`${p}.fca`, `FCA of ${c.counterpartyId}`, c.fca, `${src}:fca`);
      money(`${p}.fba`, `FBA of ${c.counterpartyId}`, c.fba, `${src}:fba`);
      money(`${p}.colva`, `ColVA of ${c.counterpartyId}`, c.colva, `${src}:colva`);
      f.add(`${p}.cva_share`, `${c.counterpartyId}'s share of book CVA`, 100 * c.shareOfBookCva, 'pct', `${src}:share_of_book_cva`);
      f.add(`${p}.fva_share`, `${c.counterpartyId}'s share of book FVA`, pct(fvaOf(c), fvaOf(b)), 'pct', `${src}:fca-fba+colva`);
    }
    for (const n of x.nettingSets) money(`ns.${n.nettingSetId}.cva`, `CVA of netting set ${n.nettingSetId}`, n.cva, 'cva_netting_set:cva');
    if (x.cs01) {
      // each counterparty's CVA depends on its own curve alone, so the sum is the CVA change for +1bp on every curve
      const total = x.cs01.counterparties.reduce((a, c) => a + c.cva, 0);
      money('book.cva_cs01', 'CVA change for +1bp on every counterparty curve', total, 'xva_cs01:cva_cs01 (parallel, summed)');
      for (const c of x.cs01.counterparties) {
        money(`cp.${c.counterpartyId}.cva_cs01`, `CVA change for +1bp on ${c.counterpartyId}'s curve`, c.cva, 'xva_cs01:cva_cs01 (parallel)');
        f.add(`cp.${c.counterpartyId}.cva_cs01_share`, `${c.counterpartyId}'s share of the book's CVA CS01`, pct(c.cva, total), 'pct', 'xva_cs01:cva_cs01 / sum');
      }
      if (x.cs01.ownDva !== null) money('book.dva_cs01', "DVA change for +1bp on the bank's own curve", x.cs01.ownDva, 'xva_cs01:dva_cs01 (own, parallel)');
      // the size of the shift the CS01 figures are per (prose says "a 1bp widening")
      f.add('run.cs01_shift_bp', 'credit spread shift of the CS01 figures (parallel, every quote of the curve)', 1, 'bp', 'xva_cs01:tenor=parallel (+1bp)');
    }
    const trades = [...x.trades].sort((a, c) => c.cva - a.cva || (a.tradeId < c.tradeId ? -1 : 1)).slice(0, TOP_TRADES);
    for (const t of trades) money(`trade.${t.tradeId}.cva`, `Euler CVA of trade ${t.tradeId}`, t.cva, 'cva_trade:cva_euler', true);
    for (const sc of x.scenarios) {
      if (sc.note && sc.note.length > 0 && sc.book.cva === b.cva && sc.book.fca === b.fca) continue;
      const p = `scenario.${sc.scenario}`;
      money(`${p}.cva`, `book CVA under ${sc.scenario}`, sc.book.cva, 'xva_scenarios:cva');
      money(`${p}.fva`, `book FVA under ${sc.scenario}`, fvaOf(sc.book), 'xva_scenarios:fca-fba+colva');
      money(`${p}.d_cva`, `change of book CVA under ${sc.scenario}`, sc.book.cva - b.cva, 'xva_scenarios:cva − base');
      money(`${p}.d_dva`, `change of book DVA under ${sc.scenario}`, sc.book.dva - b.dva, 'xva_scenarios:dva − base');
      money(`${p}.d_fva`, `change of book FVA under ${sc.scenario}`, fvaOf(sc.book) - fvaOf(b), 'xva_scenarios:fva − base');
      money(`${p}.d_net`, `change of the net XVA cost under ${sc.scenario}`, netOf(sc.book) - netOf(b), 'xva_scenarios − base');
      f.add(`${p}.d_cva_pct`, `change of book CVA under ${sc.scenario}, percent`, pct(sc.book.cva - b.cva, b.cva), 'pct', 'xva_scenarios:cva / base');
      // the netting sets that move most under the stress, and their share of the book's move
      const moves = sc.nettingSets ?? [];
      for (const [metric, label, of, bookMove] of [
        ['d_cva', 'CVA', (m: ScenarioSetMove) => m.dCva, sc.book.cva - b.cva],
        ['d_fva', 'FVA', (m: ScenarioSetMove) => m.dFva, fvaOf(sc.book) - fvaOf(b)],
      ] as const) {
        const top = moves
          .filter((m) => Math.abs(of(m)) >= 0.5)
          .sort((m, n) => Math.abs(of(n)) - Math.abs(of(m)) || (m.nettingSetId < n.nettingSetId ? -1 : 1))
          .slice(0, TOP_SCENARIO_SETS);
        for (const m of top) {
          const q = `${p}.ns.${m.nettingSetId}`;
          money(`${q}.${metric}`, `change of ${label} of netting set ${m.nettingSetId} under ${sc.scenario}`, of(m), `xva_scenarios_netting_set:${metric === 'd_cva' ? 'cva' : 'fca-fba+colva'} − base`);
          f.add(`${q}.${metric}_share`, `netting set ${m.nettingSetId}'s share of the change of book ${label} under ${sc.scenario}, percent`, pct(of(m), bookMove), 'pct', `xva_scenarios_netting_set / xva_scenarios`);
        }
      }
    }
  }

  const e = data.exposure;
  if (e) {
    for (const n of e.nettingSets) {
      const p = `ns.${n.nettingSetId}`;
      money(`${p}.eepe`, `effective EPE of ${n.nettingSetId}`, n.eepe, 'netting_set_summary:eepe');
      money(`${p}.peak_epe`, `peak EPE of ${n.nettingSetId}`, n.peakEpe, 'netting_set_summary:peak_epe');
      money(`${p}.peak_pfe`, `peak PFE (95%) of ${n.nettingSetId}`, n.peakPfe, 'netting_set_summary:peak_pfe');
    }
    // per counterparty: how many of its netting sets are under a CSA (netting_set_summary:collateralised), so that
    // prose never calls a counterparty uncollateralised when one of its sets has a CSA
    if (e.nettingSets.some((n) => n.collateralised !== undefined)) {
      const byCp = new Map<string, { sets: number; csa: number; known: boolean }>();
      for (const n of e.nettingSets) {
        const c = byCp.get(n.counterpartyId) ?? { sets: 0, csa: 0, known: true };
        c.sets++;
        if (n.collateralised === true) c.csa++;
        if (n.collateralised === undefined) c.known = false;
        byCp.set(n.counterpartyId, c);
      }
      for (const [id, c] of [...byCp].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        if (!c.known) continue;
        f.add(`cp.${id}.netting_sets`, `netting sets of ${id}`, c.sets, 'count', 'netting_set_summary:rows');
        f.add(`cp.${id}.csa_netting_sets`, `netting sets of ${id} under a CSA (collateralised)`, c.csa, 'count', 'netting_set_summary:collateralised');
      }
    }
    const eepe = e.nettingSets.reduce((a, n) => a + (Number.isFinite(n.eepe) ? n.eepe : 0), 0);
    money('book.eepe', 'effective EPE of the book (sum over netting sets)', e.nettingSets.some((n) => Number.isFinite(n.eepe)) ? eepe : null, 'netting_set_summary:eepe');
    if (e.paths !== undefined) f.add('run.paths', 'Monte Carlo paths of the exposure', e.paths, 'count', 'manifest.json:paths');
    // On Sobol points the standard errors (the Monte Carlo formula of the tables) overstate the error: docs/model.md
    if (e.rng === 'sobol') f.add('run.sobol_points', 'the exposure was simulated on Sobol points (--rng sobol): its standard errors use the Monte Carlo formula, which overstates their error', 1, 'flag', 'manifest.json:options.rng');
  }

  const c = data.capital;
  if (c) {
    const b = c.book;
    const s = 'capital_book';
    money('capital.ead', 'SA-CCR EAD of the book', b.ead, `${s}:ead`);
    money('capital.rwa_ccr', 'counterparty credit risk RWA', b.rwaCcr, `${s}:rwa_ccr`);
    money('capital.rwa_cva', 'CVA RWA (12.5 × CVA capital charge)', 12.5 * b.baCva, `${s}:12.5×ba_cva`);
    money('capital.capital_ccr', 'capital for counterparty credit risk', b.capitalCcr, `${s}:capital_ccr`);
    money('capital.ba_cva', 'BA-CVA capital charge', b.baCva, `${s}:ba_cva`);
    money('capital.capital_cva', 'capital for CVA risk', b.capitalCva, `${s}:capital_cva`);
    money('capital.capital', 'total capital of the book', b.capital, `${s}:capital`);
    f.add('capital.capital_ratio', 'capital ratio applied to RWA', 100 * b.capitalRatio, 'pct', `${s}:capital_ratio`);
    money('capital.kva', 'KVA (cost of holding the capital over the life of the book)', b.kva, `${s}:kva`);
    f.add('capital.cet1_impact_bp', "change of the bank's CET1 ratio from this book", b.cet1ImpactBp, 'bp', `${s}:cet1_impact_bp`);
    f.add('capital.cva_share', 'CVA risk share of total capital', pct(b.capitalCva, b.capital), 'pct', `${s}:capital_cva/capital`);
    for (const r of c.counterparties) {
      const p = `capital.cp.${r.counterpartyId}`;
      money(`${p}.ead`, `EAD of ${r.counterpartyId}`, r.ead, 'capital_counterparty:ead');
      money(`${p}.rwa`, `RWA of ${r.counterpartyId}`, r.rwa, 'capital_counterparty:rwa');
      money(`${p}.capital`, `CCR capital of ${r.counterpartyId}`, r.capital, 'capital_counterparty:capital');
      money(`${p}.kva`, `KVA of ${r.counterpartyId}`, r.kva, 'capital_counterparty:kva');
      f.add(`${p}.capital_share`, `${r.counterpartyId}'s share of CCR capital`, pct(r.capital, b.capitalCcr), 'pct', 'capital_counterparty:capital/capital_ccr');
    }
    for (const r of c.scenarios) {
      const p = `capital.scenario.${r.scenario}`;
      money(`${p}.capital`, `total capital under ${r.scenario}`, r.capital, 'capital_scenarios:capital');
      money(`${p}.d_capital`, `change of total capital under ${r.scenario}`, r.capital - b.capital, 'capital_scenarios:capital − base');
      if (r.kva !== null && b.kva !== null) money(`${p}.d_kva`, `change of KVA under ${r.scenario}`, r.kva - b.kva, 'capital_scenarios:kva − base');
    }
  }

  const m = data.margin;
  if (m) {
    const sum = (pick: (n: MarginPart['nettingSets'][number]) => number | null) => m.nettingSets.reduce((a, n) => a + (pick(n) ?? 0), 0);
    const s = 'margin_netting_sets';
    usd('margin.simm_collect', 'SIMM initial margin we collect', sum((n) => n.simmCollect), `${s}:simm_collect_usd`);
    usd('margin.simm_post', 'SIMM initial margin we post', sum((n) => n.simmPost), `${s}:simm_post_usd`);
    usd('margin.schedule_call', 'schedule initial margin we collect', sum((n) => n.scheduleCall), `${s}:schedule_call_usd`);
    usd('margin.schedule_post', 'schedule initial margin we post', sum((n) => n.schedulePost), `${s}:schedule_post_usd`);
    usd('margin.im_post', 'initial margin we post (SIMM and schedule)', sum((n) => (n.simmPost ?? 0) + (n.schedulePost ?? 0)), `${s}:simm_post_usd+schedule_post_usd`);
    f.add('margin.simm_sets', 'netting sets with a SIMM figure', m.nettingSets.filter((n) => n.simmCollect !== null || n.simmPost !== null).length, 'count', `${s}:rows`);
    const calls = m.nettingSets.filter((n) => n.marginCall !== null && n.marginCall !== 0);
    f.add('margin.calls', 'netting sets with a variation margin call today', calls.length, 'count', `${s}:margin_call`);
    // a call that starts from no balance on file is the CSA's whole requirement: a first call, not a move of the day
    if (calls.some((n) => n.balanceOnFile !== null)) {
      f.add('margin.calls_without_balance', 'of the calls today, those with no VM balance on file (the whole requirement)', calls.filter((n) => n.balanceOnFile === false).length, 'count', `${s}:balance_on_file`);
    }
    // the book's MVA only when whole: a SIMM or schedule set without its MVA (no --dim) would make the sum partial
    const partial = m.nettingSets.some((n) => (n.simmPost !== null || n.schedulePost !== null) && n.mva === null);
    if (!partial && m.nettingSets.some((n) => n.mva !== null)) {
      usd('margin.mva', 'MVA (funding cost of the initial margin posted)', sum((n) => n.mva), `${s}:mva_usd`);
      // by what the IM posted is (margin_netting_sets mva_source): the SIMM sets' dynamic IM, the schedule's
      // projection, or a stated initial_margin_posted held flat
      for (const [source, key, what] of MVA_SOURCES) {
        const of = m.nettingSets.filter((n) => n.mvaSource === source && n.mva !== null);
        if (of.length > 0) usd(`margin.mva_${key}`, `MVA of ${what}`, of.reduce((a, n) => a + n.mva!, 0), `${s}:mva_usd where mva_source = ${source}`);
      }
    }
    for (const n of m.nettingSets) {
      const p = `margin.ns.${n.nettingSetId}`;
      // a set whose CRIF margins some trades by SIMM and the others by the schedule collects and posts both (xva margin's imCollect)
      usd(`${p}.im_collect`, `IM we collect from ${n.nettingSetId}`, bothOrEither(n.simmCollect, n.scheduleCall), `${s}:simm_collect_usd${n.simmCollect !== null && n.scheduleCall !== null ? '+' : '|'}schedule_call_usd`);
      usd(`${p}.im_post`, `IM we post to ${n.nettingSetId}`, bothOrEither(n.simmPost, n.schedulePost), `${s}:simm_post_usd${n.simmPost !== null && n.schedulePost !== null ? '+' : '|'}schedule_post_usd`);
      usd(`${p}.mva`, `MVA of ${n.nettingSetId}`, n.mva, `${s}:mva_usd`);
      if (n.marginCall !== null && n.marginCall !== 0) f.add(`${p}.margin_call`, `margin call on ${n.nettingSetId} today`, n.marginCall, 'currency', `${s}:margin_call`, n.collateralCurrency ? { currency: n.collateralCurrency } : {});
    }
    // the MVA under each scenario, when the MVA is the book's (not partial): margin_mva_scenarios summed
    if (!partial) {
      for (const sc of m.mvaScenarios) {
        const p = `margin.scenario.${sc.scenario}`;
        usd(`${p}.mva`, `MVA under ${sc.scenario}`, sc.mvaStressed, 'margin_mva_scenarios:mva_stressed_usd');
        usd(`${p}.d_mva`, `change of MVA under ${sc.scenario}`, sc.mvaStressed - sc.mva, 'margin_mva_scenarios:stressed − base');
      }
    }
    for (const sc of m.scenarios) {
      const p = `margin.scenario.${sc.scenario}`;
      usd(`${p}.residual`, `uncollateralised exposure under ${sc.scenario}`, sc.residualStressed, 'margin_scenarios:residual_exposure_stressed_usd');
      usd(`${p}.d_residual`, `change of uncollateralised exposure under ${sc.scenario}`, sc.residualStressed - sc.residualBase, 'margin_scenarios:stressed − base');
      f.add(`${p}.coverage`, `collateral held under ${sc.scenario}, percent of agreed`, 100 * sc.coverage, 'pct', 'margin_scenarios:coverage');
    }
  }

  // what each stress shocks, in the units of its scenario file's keys (docs/scenarios.md): bp shifts; the collateral
  // coverage in percent of what the CSAs require; the capital ratio's addition in percentage points of RWA
  for (const sc of data.scenarioShocks ?? []) {
    const p = `scenario.${sc.scenario}`;
    const src = `${sc.file}:shocks`;
    f.add(`${p}.credit_spread_shift_bp`, `shift of every counterparty, reference-name and proxy CDS spread under ${sc.scenario} (parallel, floored at 0bp)`, sc.creditSpreadBp, 'bp', `${src}.creditSpreadBp`);
    f.add(`${p}.own_credit_spread_shift_bp`, `shift of the bank's own CDS spreads under ${sc.scenario} (parallel, floored at 0bp)`, sc.ownCreditSpreadBp, 'bp', `${src}.ownCreditSpreadBp`);
    f.add(`${p}.funding_spread_shift_bp`, `shift of the borrow and lend funding spreads of every currency under ${sc.scenario}`, sc.fundingSpreadBp, 'bp', `${src}.fundingSpreadBp`);
    f.add(`${p}.collateral_coverage`, `collateral held under ${sc.scenario}, percent of what the CSAs require (VM and IM, both ways)`, sc.collateralCoverage === undefined ? undefined : 100 * sc.collateralCoverage, 'pct', `${src}.collateralCoverage×100`);
    f.add(`${p}.capital_ratio_shift_pp`, `addition to the capital ratio under ${sc.scenario}, percentage points (pp) of RWA`, sc.capitalRatioAdd === undefined ? undefined : 100 * sc.capitalRatioAdd, 'pct', `${src}.capitalRatioAdd×100`);
    if (sc.collateralCoverage !== undefined) collateralMove(f, sc.scenario, sc.collateralCoverage, src);
    // the ratio the capital run applied under the stress: the market's ratio plus the shock (docs/scenarios.md,
    // capitalRatioAdd), so that "the capital ratio rises to 11.5%" has its fact
    if (c && sc.capitalRatioAdd !== undefined && c.scenarios.some((r) => r.scenario === sc.scenario)) {
      f.add(`capital.scenario.${sc.scenario}.capital_ratio`, `capital ratio applied to RWA under ${sc.scenario} (the base ratio plus the shock's addition)`, 100 * (c.book.capitalRatio + sc.capitalRatioAdd), 'pct', `capital_book:capital_ratio + ${src}.capitalRatioAdd, ×100`);
    }
  }

  const o = data.optimize;
  if (o) {
    if (o.plan) {
      const src = `plan:${o.plan.source}`;
      money('plan.saving', `${o.plan.source} saving of the plan`, o.plan.saving, `${src}:saving`);
      f.add('plan.realised', 'whether the plan saving was re-measured on the amended book (1) or is the sum of its actions measured one by one (0)', o.plan.source === 'realised' ? 1 : 0, 'flag', `${src}:figure`);
      f.add('plan.saving_pct_xva', "saving of the plan, percent of the optimiser's base XVA cost (CVA + FVA + MVA + KVA of the book as the optimiser measured it)", o.plan.savingPctOfXva, 'pct', `${src}:saving_pct_of_xva`);
      // the denominator of that percentage, which the plan table does not carry: saving / (percent / 100)
      if (Number.isFinite(o.plan.savingPctOfXva) && o.plan.savingPctOfXva !== 0 && Number.isFinite(o.plan.saving) && o.plan.saving !== 0) {
        money('plan.base_xva', "the optimiser's base XVA cost of the book (CVA + FVA + MVA + KVA of its own base run), of which the plan saving's percentage is taken", (100 * o.plan.saving) / o.plan.savingPctOfXva, `${src}:saving/saving_pct_of_xva×100`);
      }
      f.add('plan.saving_bp_notional', 'saving of the plan, bp of gross notional', o.plan.savingBpOfGrossNotional, 'bp', `${src}:saving_bp_of_gross_notional`);
      money('plan.cva_saving', 'CVA saving of the plan', -o.plan.dCva, `${src}:-d_cva`);
      money('plan.fva_saving', 'FVA saving of the plan', -o.plan.dFva, `${src}:-d_fva`);
      money('plan.kva_saving', 'KVA saving of the plan', -o.plan.dKva, `${src}:-d_kva`);
      if (o.plan.dMva !== undefined) money('plan.mva_saving', 'MVA saving of the plan (negative: the plan raises the MVA)', -o.plan.dMva, `${src}:-d_mva`);
      money('plan.capital_saving', 'capital saving of the plan', -o.plan.dCapital, `${src}:-d_capital`);
    }
    f.add('plan.actions', 'actions in the plan', o.recommendations.filter((r) => r.chosen).length, 'count', 'recommendations:chosen');
    f.add('plan.candidates', 'candidate actions measured', o.recommendations.length, 'count', 'recommendations:rows');
    for (const r of o.recommendations) {
      const p = `rec.${r.actionId}`;
      const src = 'recommendations';
      money(`${p}.net_benefit`, `net benefit of ${r.actionId}`, r.netBenefit, `${src}:net_benefit`);
      f.add(`${p}.chosen`, `whether the optimiser chose ${r.actionId} for its plan (1) or not (0)`, r.chosen ? 1 : 0, 'flag', `${src}:chosen`, r.skipReason ? { note: r.skipReason } : {});
      money(`${p}.cva_saving`, `CVA saving of ${r.actionId}`, -r.dCva, `${src}:-d_cva`);
      money(`${p}.fva_saving`, `FVA saving of ${r.actionId}`, -r.dFva, `${src}:-d_fva`);
      money(`${p}.mva_saving`, `MVA saving of ${r.actionId}`, -r.dMva, `${src}:-d_mva`);
      money(`${p}.kva_saving`, `KVA saving of ${r.actionId}`, -r.dKva, `${src}:-d_kva`);
      if (r.dDva !== null) money(`${p}.d_dva`, `DVA change of ${r.actionId} (not part of its net benefit: own credit)`, r.dDva, `${src}:d_dva`);
      if (r.lever === 'collateral') {
        // the collateral lever's saving is a year of collateral funding, not a column: what the net benefit holds
        // beyond the four measured savings, less the cost
        const rest = r.netBenefit + r.cost - (-r.dCva - r.dFva - r.dMva - r.dKva);
        if (Math.abs(rest) >= 0.5) money(`${p}.collateral_saving`, `one year of collateral funding saving of ${r.actionId}, as its net benefit counts it`, rest, `${src}:net_benefit+cost+d_cva+d_fva+d_mva+d_kva`);
      }
      money(`${p}.ead_saving`, `EAD reduction of ${r.actionId}`, -r.dEad, `${src}:-d_ead`);
      money(`${p}.capital_saving`, `capital saving of ${r.actionId}`, -r.dCapital, `${src}:-d_capital`);
      f.add(`${p}.d_cet1_bp`, `CET1 ratio change of ${r.actionId}`, r.dCet1Bp, 'bp', `${src}:d_cet1_bp`);
      money(`${p}.cost`, `cost of ${r.actionId}`, r.cost, `${src}:cost`);
      if (r.worstScenarioBenefit !== null) money(`${p}.worst_benefit`, `net benefit of ${r.actionId} in its worst scenario`, r.worstScenarioBenefit, `${src}:worst_scenario_benefit`);
    }
  }
  return f;
}

/** The sum of a set's SIMM and schedule figures when it has both, else the one it has (null: neither). */
function bothOrEither(simm: number | null, schedule: number | null): number | null {
  return simm !== null && schedule !== null ? simm + schedule : (simm ?? schedule);
}

/**
 * How a coverage stress moves the collateral coverage from the reference coverage of 1 (collateral as agreed: the base
 * run holds what the CSAs require, docs/scenarios.md). The coverage is a percentage, so its move is in percentage
 * points: 100% → 50% is −50pp (`d_collateral_coverage_pp`). "Collateral falls by 50%" is not checked against it: a
 * percentage's move in % would be a relative change, and the check never converts % and pp (grounding/check.ts tells
 * the writer to state the pp). An audit found that sentence told only that the 50% coverage was a level. The level in
 * percent less 100, as the source says (100·(1.2 − 1) would be 19.999999999999996 in facts.json).
 */
function collateralMove(f: FactSet, scenario: string, coverage: number, src: string): void {
  f.add(`scenario.${scenario}.d_collateral_coverage_pp`, `change of the collateral coverage under ${scenario} from the 100% the CSAs require, percentage points (pp)`, 100 * coverage - 100, 'pct', `${src}.collateralCoverage×100 − 100`);
}

/** Facts whose change against a previous run is reported (those present in both). */
const CHANGE_IDS = [
  'book.cva', 'book.dva', 'book.fva', 'book.xva_net', 'book.eepe', 'capital.ead', 'capital.rwa_ccr', 'capital.ba_cva', 'capital.capital',
  'capital.kva', 'capital.cet1_impact_bp', 'margin.simm_collect', 'margin.simm_post', 'margin.mva', 'plan.saving',
];

/**
 * Percentages whose change against a previous run is reported, in percentage points (now − before, a `pct` fact whose
 * id is `change.<id>`: the only facts a figure in pp matches, grounding/check.ts); with each counterparty's share of
 * book CVA. An audit found the docs saying `pp` matched such facts when none was made.
 */
const CHANGE_PP_IDS = ['book.cva_top5_share', 'capital.capital_ratio', 'capital.cva_share', 'plan.saving_pct_xva'];

/**
 * What changed against a previous run: `change.<id>` = now − before for the book-level facts above and for each
 * counterparty's CVA present in both, and `change.<id>.pct` relative to before (when before ≠ 0); for the percentages
 * above and each counterparty's share of book CVA present in both, `change.<id>` in percentage points (no relative
 * change of a percentage).
 */
export function addChangeFacts(now: FactSet, previous: readonly Fact[], previousLabel: string): void {
  const before = new Map(previous.map((p) => [p.id, p]));
  const ids = [...CHANGE_IDS, ...now.list.filter((x) => /^cp\.[^.]+\.cva$/.test(x.id)).map((x) => x.id)];
  for (const id of ids) {
    const a = now.get(id);
    const b = before.get(id);
    if (!a || !b || a.unit !== b.unit || a.currency !== b.currency) continue;
    const src = `${a.source} − ${previousLabel}`;
    now.add(`change.${id}`, `change of ${a.label} since the previous run`, a.value - b.value, a.unit, src, a.currency ? { currency: a.currency } : {});
    if (a.unit === 'currency' && b.value !== 0) now.add(`change.${id}.pct`, `change of ${a.label} since the previous run, percent`, (100 * (a.value - b.value)) / Math.abs(b.value), 'pct', src);
  }
  const ppIds = [...CHANGE_PP_IDS, ...now.list.filter((x) => /^cp\.[^.]+\.cva_share$/.test(x.id)).map((x) => x.id)];
  for (const id of ppIds) {
    const a = now.get(id);
    const b = before.get(id);
    if (!a || !b || a.unit !== 'pct' || b.unit !== 'pct') continue;
    now.add(`change.${id}`, `change of ${a.label} since the previous run, percentage points (pp)`, a.value - b.value, 'pct', `${a.source} − ${previousLabel}`);
  }
  // a counterparty that left the book (its CVA then 0) or joined it (from 0): its whole CVA is its change, so that a
  // book move it makes is put to its name
  const cvaNow = new Set(now.list.filter((x) => /^cp\.[^.]+\.cva$/.test(x.id)).map((x) => x.id));
  for (const b of previous) {
    if (!/^cp\.[^.]+\.cva$/.test(b.id) || cvaNow.has(b.id) || b.unit !== 'currency') continue;
    now.add(`change.${b.id}`, `change of ${b.label} since the previous run (no longer in the book)`, -b.value, b.unit, `0 − ${previousLabel}`, b.currency ? { currency: b.currency } : {});
  }
  for (const id of cvaNow) {
    const a = now.get(id)!;
    if (before.has(id) || a.unit !== 'currency') continue;
    now.add(`change.${id}`, `change of ${a.label} since the previous run (new in the book)`, a.value, a.unit, `${a.source} − 0`, a.currency ? { currency: a.currency } : {});
  }
}
