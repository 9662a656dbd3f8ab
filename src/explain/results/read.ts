/**
 * `xva explain --results DIR`: the outputs of earlier runs read back as ExplainData, without recomputing. Each part
 * comes from its command's tables (file names and columns in docs/simulation.md, xva.md, capital.md, margin.md,
 * optimize.md); a part whose tables are absent is listed in `missing`, never filled in. `xva cva` and `xva fva` write
 * the same tables: the first found (folders in name order) is read and the others are noted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../../errors.js';
import type { CapitalPart, ExplainData, ExposurePart, ExposureProfile, MarginPart, OptimizePart, ScenarioSetMove, XvaPart } from '../data.js';
import { indexTables, orNull, readTableFile, type ReadTable } from './tables.js';

const isoOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

function exposurePart(sets: ReadTable, summary: ReadTable | undefined, source: string): { part: ExposurePart; asOf: string | null } {
  const ids = sets.str('netting_set_id');
  const cps = sets.str('counterparty_id');
  const t = sets.num('time_years');
  const epe = sets.num('epe');
  const ene = sets.num('ene');
  const pfe = sets.num('pfe');
  const dates = sets.has('date') ? sets.num('date') : undefined;
  const bySummary = new Map<string, { eepe: number; peakEpe: number; peakPfe: number; collateralised?: boolean }>();
  if (summary) {
    const sIds = summary.str('netting_set_id');
    const eepe = summary.num('eepe');
    const peakEpe = summary.num('peak_epe');
    const peakPfe = summary.num('peak_pfe');
    const csa = summary.has('collateralised') ? summary.bool('collateralised') : undefined;
    sIds.forEach((id, i) => {
      const c = csa?.[i];
      bySummary.set(id!, { eepe: eepe[i]!, peakEpe: peakEpe[i]!, peakPfe: peakPfe[i]!, ...(typeof c === 'boolean' ? { collateralised: c } : {}) });
    });
  }
  const profiles: ExposureProfile[] = [];
  let start = 0;
  for (let r = 1; r <= ids.length; r++) {
    if (r < ids.length && ids[r] === ids[start]) continue;
    const id = ids[start]!;
    const s = bySummary.get(id);
    const slice = (a: Float64Array) => a.slice(start, r);
    const p = slice(pfe);
    const e = slice(epe);
    profiles.push({
      nettingSetId: id,
      counterpartyId: cps[start]!,
      timeYears: slice(t),
      epe: e,
      ene: slice(ene),
      pfe: p,
      // the summary's EEPE is the engine's (CRE53 window, ACT/ACT); without the summary it is not recomputed here
      eepe: s ? s.eepe : Number.NaN,
      peakEpe: s ? s.peakEpe : Math.max(0, ...e),
      peakPfe: s ? s.peakPfe : Math.max(0, ...p),
      ...(s?.collateralised !== undefined ? { collateralised: s.collateralised } : {}),
    });
    start = r;
  }
  return { part: { nettingSets: profiles, source }, asOf: dates && dates.length > 0 ? isoOf(dates[0]!) : null };
}

/** Per scenario, every netting set's change of CVA and FVA against the table's base rows (xva_scenarios_netting_set). */
function scenarioSetMoves(t: ReadTable): Map<string, ScenarioSetMove[]> {
  const name = t.str('scenario');
  const id = t.str('netting_set_id');
  const cp = t.str('counterparty_id');
  const cva = t.num('cva');
  const fca = t.num('fca');
  const fba = t.num('fba');
  const colva = t.num('colva');
  const fva = (i: number) => fca[i]! - fba[i]! + colva[i]!;
  const base = new Map<string, number>();
  for (let i = 0; i < t.rows; i++) if (name[i] === 'base') base.set(id[i]!, i);
  const out = new Map<string, ScenarioSetMove[]>();
  for (let i = 0; i < t.rows; i++) {
    if (name[i] === 'base') continue;
    const b = base.get(id[i]!);
    if (b === undefined) continue;
    let list = out.get(name[i]!);
    if (!list) out.set(name[i]!, (list = []));
    list.push({ nettingSetId: id[i]!, counterpartyId: cp[i]!, dCva: cva[i]! - cva[b]!, dFva: fva(i) - fva(b) });
  }
  return out;
}

/** The parallel rows of xva_cs01 (`xva cva --cs01`): per counterparty its CVA CS01, and the own curve's DVA CS01. */
function cs01Part(t: ReadTable): NonNullable<XvaPart['cs01']> {
  const scope = t.str('scope');
  const tenor = t.str('tenor');
  const id = t.str('counterparty_id');
  const curve = t.str('credit_curve');
  const cva = t.num('cva_cs01');
  const dva = t.num('dva_cs01');
  const out: NonNullable<XvaPart['cs01']> = { counterparties: [], ownDva: null };
  for (let i = 0; i < t.rows; i++) {
    if (tenor[i] !== 'parallel') continue;
    if (scope[i] === 'own') out.ownDva = dva[i]!;
    else out.counterparties.push({ counterpartyId: id[i]!, creditCurve: curve[i]!, cva: cva[i]! });
  }
  return out;
}

function xvaPart(book: ReadTable, cps: ReadTable, sets: ReadTable, trades: ReadTable | undefined, scenarios: ReadTable | undefined, setScenarios: ReadTable | undefined, source: string, cs01?: ReadTable): XvaPart {
  const x = (t: ReadTable) => ({ cva: t.num('cva'), dva: t.num('dva'), fca: t.num('fca'), fba: t.num('fba'), colva: t.num('colva') });
  const b = x(book);
  const c = x(cps);
  const cpIds = cps.str('counterparty_id');
  const share = cps.num('share_of_book_cva');
  const s = x(sets);
  const sIds = sets.str('netting_set_id');
  const sCps = sets.str('counterparty_id');
  const row = (f: ReturnType<typeof x>, i: number) => ({ cva: f.cva[i]!, dva: f.dva[i]!, fca: f.fca[i]!, fba: f.fba[i]!, colva: f.colva[i]! });
  const part: XvaPart = {
    book: { ...row(b, 0), cvaStdError: book.num('cva_std_error')[0]! },
    counterparties: cpIds.map((id, i) => ({ counterpartyId: id!, ...row(c, i), shareOfBookCva: share[i]! })).sort((p, q) => q.cva - p.cva || (p.counterpartyId < q.counterpartyId ? -1 : 1)),
    nettingSets: sIds.map((id, i) => ({ nettingSetId: id!, counterpartyId: sCps[i]!, ...row(s, i) })),
    trades: [],
    scenarios: [],
    discretisation: book.has('discretisation') ? (book.str('discretisation')[0] ?? 'mid') : 'mid',
    mode: book.has('mode') ? (book.str('mode')[0] ?? 'unilateral') : 'unilateral',
    source,
  };
  if (trades) {
    const tIds = trades.str('trade_id');
    const tNs = trades.str('netting_set_id');
    const tCp = trades.str('counterparty_id');
    const cva = trades.num('cva_euler');
    part.trades = tIds.map((id, i) => ({ tradeId: id!, nettingSetId: tNs[i]!, counterpartyId: tCp[i]!, cva: cva[i]! }));
  }
  if (scenarios) {
    const name = scenarios.str('scenario');
    const scope = scenarios.str('scope');
    const note = scenarios.str('note');
    const f = x(scenarios);
    for (let i = 0; i < scenarios.rows; i++) {
      if (scope[i] !== 'book' || name[i] === 'base') continue;
      part.scenarios.push({ scenario: name[i]!, book: row(f, i), note: note[i] ?? null });
    }
  }
  if (setScenarios && part.scenarios.length > 0) {
    const moves = scenarioSetMoves(setScenarios);
    for (const sc of part.scenarios) {
      const m = moves.get(sc.scenario);
      if (m) sc.nettingSets = m;
    }
  }
  if (cs01) part.cs01 = cs01Part(cs01);
  return part;
}

function capitalPart(book: ReadTable, cps: ReadTable | undefined, scenarios: ReadTable | undefined, source: string): { part: CapitalPart; currency: string | null } {
  const one = (col: string) => orNull(book.num(col)[0]!);
  const part: CapitalPart = {
    book: {
      ead: book.num('ead')[0]!,
      rwaCcr: book.num('rwa_ccr')[0]!,
      capitalCcr: book.num('capital_ccr')[0]!,
      baCva: book.num('ba_cva')[0]!,
      capitalCva: book.num('capital_cva')[0]!,
      capital: book.num('capital')[0]!,
      capitalRatio: book.num('capital_ratio')[0]!,
      kva: one('kva'),
      cet1ImpactBp: one('cet1_impact_bp'),
      cvaMethod: book.str('cva_method')[0] ?? 'BA-CVA',
    },
    counterparties: [],
    scenarios: [],
    source,
  };
  if (cps) {
    const ids = cps.str('counterparty_id');
    const ead = cps.num('ead');
    const rwa = cps.num('rwa');
    const cap = cps.num('capital');
    const scva = cps.num('ba_cva_scva');
    const kva = cps.num('kva');
    part.counterparties = ids.map((id, i) => ({ counterpartyId: id!, ead: ead[i]!, rwa: rwa[i]!, capital: cap[i]!, baCvaScva: scva[i]!, kva: orNull(kva[i]!) }));
  }
  if (scenarios) {
    const name = scenarios.str('scenario');
    const cap = scenarios.num('capital');
    const kva = scenarios.num('kva');
    part.scenarios = name.map((n, i) => ({ scenario: n!, capital: cap[i]!, kva: orNull(kva[i]!) }));
  }
  return { part, currency: book.has('currency') ? book.str('currency')[0] : null };
}

function marginPart(sets: ReadTable, scenarios: ReadTable | undefined, source: string, mvaScenarios?: ReadTable): MarginPart {
  const ids = sets.str('netting_set_id');
  const col = (name: string) => sets.num(name);
  const [sc, sp, hc, hp, csa, call, mva] = ['simm_collect_usd', 'simm_post_usd', 'schedule_call_usd', 'schedule_post_usd', 'credit_support_amount', 'margin_call', 'mva_usd'].map(col) as Float64Array[];
  const model = sets.str('im_model');
  const ccy = sets.str('collateral_currency');
  const onFile = sets.has('balance_on_file') ? sets.bool('balance_on_file') : undefined;
  const mvaSource = sets.has('mva_source') ? sets.str('mva_source') : undefined;
  const part: MarginPart = {
    nettingSets: ids.map((id, i) => ({
      nettingSetId: id!,
      imModel: model[i] ?? 'none',
      simmCollect: orNull(sc![i]!),
      simmPost: orNull(sp![i]!),
      scheduleCall: orNull(hc![i]!),
      schedulePost: orNull(hp![i]!),
      collateralCurrency: ccy[i] ?? null,
      vmRequired: orNull(csa![i]!),
      marginCall: orNull(call![i]!),
      balanceOnFile: onFile ? (onFile[i] ?? null) : null,
      mva: orNull(mva![i]!),
      mvaSource: mvaSource ? (mvaSource[i] ?? null) : null,
    })),
    scenarios: [],
    mvaScenarios: [],
    source,
  };
  if (mvaScenarios) {
    const name = mvaScenarios.str('scenario');
    const mva = mvaScenarios.num('mva_usd');
    const stressed = mvaScenarios.num('mva_stressed_usd');
    const by = new Map<string, MarginPart['mvaScenarios'][number]>();
    for (let i = 0; i < mvaScenarios.rows; i++) {
      const s = by.get(name[i]!) ?? { scenario: name[i]!, mva: 0, mvaStressed: 0 };
      s.mva += mva[i]!;
      s.mvaStressed += stressed[i]!;
      by.set(name[i]!, s);
    }
    part.mvaScenarios = [...by.values()];
  }
  if (scenarios) {
    const name = scenarios.str('scenario');
    const cov = scenarios.num('coverage');
    const base = scenarios.num('residual_exposure_base_usd');
    const stressed = scenarios.num('residual_exposure_stressed_usd');
    const by = new Map<string, MarginPart['scenarios'][number]>();
    for (let i = 0; i < scenarios.rows; i++) {
      const s = by.get(name[i]!) ?? { scenario: name[i]!, coverage: cov[i]!, residualBase: 0, residualStressed: 0 };
      s.residualBase += base[i]!;
      s.residualStressed += stressed[i]!;
      by.set(name[i]!, s);
    }
    part.scenarios = [...by.values()];
  }
  return part;
}

function optimizePart(recs: ReadTable, plan: ReadTable | undefined, source: string): OptimizePart {
  const s = (c: string) => recs.str(c);
  const n = (c: string) => recs.num(c);
  const [ids, lever, desc, cpIds, nsIds, worst] = ['action_id', 'lever', 'description', 'counterparty_ids', 'netting_set_ids', 'worst_scenario'].map(s) as (string | null)[][];
  const [rank, dCva, dFva, dMva, dKva, dEad, dCap, dCet1, cost, net, worstB] = ['rank', 'd_cva', 'd_fva', 'd_mva', 'd_kva', 'd_ead', 'd_capital', 'd_cet1_bp', 'cost', 'net_benefit', 'worst_scenario_benefit'].map(n) as Float64Array[];
  const chosen = recs.bool('chosen');
  const skip = recs.has('skip_reason') ? recs.str('skip_reason') : undefined;
  const dDva = recs.has('d_dva') ? recs.num('d_dva') : undefined;
  const split = (x: string | null | undefined) => (x ? x.split(';').filter((v) => v !== '') : []);
  const part: OptimizePart = {
    recommendations: ids!.map((id, i) => ({
      actionId: id!,
      lever: lever![i] ?? '',
      description: desc![i] ?? '',
      chosen: chosen[i]!,
      skipReason: !chosen[i] && skip?.[i] ? skip[i]! : null,
      rank: orNull(rank![i]!),
      dCva: dCva![i]!,
      dDva: dDva ? orNull(dDva[i]!) : null,
      dFva: dFva![i]!,
      dMva: dMva![i]!,
      dKva: dKva![i]!,
      dEad: dEad![i]!,
      dCapital: dCap![i]!,
      dCet1Bp: dCet1![i]!,
      cost: cost![i]!,
      netBenefit: net![i]!,
      worstScenario: worst![i] ?? null,
      worstScenarioBenefit: orNull(worstB![i]!),
      counterpartyIds: split(cpIds![i]),
      nettingSetIds: split(nsIds![i]),
    })),
    plan: null,
    source,
  };
  if (plan) {
    const figure = plan.str('figure');
    const measured = plan.bool('measured');
    let i = figure.indexOf('realised');
    const realised = i >= 0 && measured[i]!;
    if (!realised) i = figure.indexOf('estimated_sum_of_actions');
    if (i >= 0) {
      part.plan = {
        source: realised ? 'realised' : 'estimated',
        saving: plan.num('saving')[i]!,
        savingPctOfXva: plan.num('saving_pct_of_xva')[i]!,
        savingBpOfGrossNotional: plan.num('saving_bp_of_gross_notional')[i]!,
        dCva: plan.num('d_cva')[i]!,
        dFva: plan.num('d_fva')[i]!,
        dKva: plan.num('d_kva')[i]!,
        dCapital: plan.num('d_capital')[i]!,
        ...(plan.has('d_mva') ? { dMva: plan.num('d_mva')[i]! } : {}),
      };
    }
  }
  return part;
}

/**
 * The paths and draws of the simulate run whose tables are in `dir`, from its manifest.json (`paths`, `options.rng`:
 * philox when the manifest has none); undefined without a readable manifest of `xva simulate`.
 */
function simulateRun(dir: string): { paths?: number; rng: 'philox' | 'sobol' } | undefined {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { command?: unknown; paths?: unknown; options?: { rng?: unknown } };
    if (manifest.command !== 'simulate') return undefined;
    const paths = typeof manifest.paths === 'number' && Number.isSafeInteger(manifest.paths) && manifest.paths > 0 ? manifest.paths : undefined;
    return { ...(paths !== undefined ? { paths } : {}), rng: manifest.options?.rng === 'sobol' ? 'sobol' : 'philox' };
  } catch {
    return undefined;
  }
}

/**
 * Reads every part found under `dir`; `currency` is the base currency when no table says it. `flag` is the option that
 * named `dir`, for the messages: `--results`, or `--previous` when an earlier results folder is read for what changed
 * (an audit found `--previous DIR` refused as `--results DIR`).
 */
export function readResults(dir: string, fallbackCurrency = 'base currency', flag: '--results' | '--previous' = '--results'): ExplainData {
  const root = path.resolve(dir);
  let index: Map<string, string[]>;
  const shards: string[] = [];
  try {
    index = indexTables(root, shards);
  } catch (error) {
    throw new XvaUsageError(`${flag}: cannot read the folder ${dir} (${(error as Error).message})`);
  }
  if (shards.length > 0 && index.size === 0) {
    throw new XvaUsageError(`${flag}: ${dir} holds shard folders (${shards.slice(0, 3).join(', ')}${shards.length > 3 ? ', …' : ''}), each a part of the book: merge them first (xva merge ${dir} --out MERGED) and explain MERGED`);
  }
  // the exposure tables are a run's only with the manifest simulate writes last (a run stopped part way has none)
  const exposureFile = index.get('exposure_netting_set')?.[0];
  if (exposureFile && !fs.existsSync(path.join(path.dirname(exposureFile), 'manifest.json'))) {
    throw new XvaUsageError(`${flag}: ${path.relative(root, path.dirname(exposureFile)) || dir} has exposure tables but no manifest.json: a simulate run stopped part way leaves its folder so (its tables may be of two runs); run it again`);
  }
  // an optimize folder is one run's only with its summary.md, written last (a run stopped while writing has none)
  const recommendationsFile = index.get('recommendations')?.[0];
  if (recommendationsFile && !fs.existsSync(path.join(path.dirname(recommendationsFile), 'summary.md'))) {
    throw new XvaUsageError(`${flag}: ${path.relative(root, path.dirname(recommendationsFile)) || dir} has the optimiser's tables but no summary.md: an xva optimize run stopped while writing leaves its folder so (its tables may be of two runs); run it again`);
  }
  const notes: string[] = [];
  if (shards.length > 0) notes.push(`shard folders not read (parts of a book, to merge): ${shards.join(', ')}`);
  const missing: string[] = [];
  const open = (name: string): ReadTable | undefined => {
    const files = index.get(name);
    if (!files || files.length === 0) return undefined;
    if (files.length > 1) notes.push(`${name}: ${files.length} copies found, read ${path.relative(root, files[0]!)}`);
    return readTableFile(files[0]!, root);
  };
  const data: ExplainData = { asOf: null, currency: fallbackCurrency, missing, notes };

  const expo = open('exposure_netting_set');
  if (expo) {
    const { part, asOf } = exposurePart(expo, open('netting_set_summary'), expo.file);
    const run = simulateRun(path.dirname(index.get('exposure_netting_set')![0]!));
    if (run) {
      part.rng = run.rng;
      if (run.paths !== undefined) part.paths = run.paths;
    }
    data.exposure = part;
    data.asOf = asOf;
  } else missing.push('exposure profiles (no exposure_netting_set table of `xva simulate --out`)');

  const book = open('xva_book');
  const cps = open('cva_counterparty');
  const sets = open('cva_netting_set');
  if (book && cps && sets) data.xva = xvaPart(book, cps, sets, open('cva_trade'), open('xva_scenarios'), open('xva_scenarios_netting_set'), book.file, open('xva_cs01'));
  else missing.push('XVA figures (xva_book, cva_counterparty, cva_netting_set of `xva cva --out` or `xva fva --out`)');
  if (data.xva && data.xva.scenarios.length === 0) missing.push('XVA stress scenarios (the cva/fva run had no --scenarios)');

  const capBook = open('capital_book');
  if (capBook) {
    const { part, currency } = capitalPart(capBook, open('capital_counterparty'), open('capital_scenarios'), capBook.file);
    data.capital = part;
    if (currency) data.currency = currency;
    if (part.book.kva === null) missing.push('KVA (the capital run had --no-kva)');
  } else missing.push('capital (capital_book of `xva capital --out`)');

  const margin = open('margin_netting_sets');
  if (margin) data.margin = marginPart(margin, open('margin_scenarios'), margin.file, open('margin_mva_scenarios'));
  else missing.push('margin (margin_netting_sets of `xva margin --out`)');
  // a SIMM or schedule set's MVA needs its IM profile (`xva margin --dim`); a static initial_margin_posted has its MVA
  // without it
  if (data.margin && data.margin.nettingSets.some((n) => (n.simmPost !== null || n.schedulePost !== null) && n.mva === null)) missing.push('MVA of the SIMM and schedule netting sets (the margin run had no --dim)');

  // a stress the margin or capital run evaluated and the XVA run did not (with --results, collateral coverage stresses
  // need path values the run read does not have): said, so that "the worst stress" is read among those evaluated
  if (data.xva && data.xva.scenarios.length > 0) {
    const xvaNames = new Set(data.xva.scenarios.map((sc) => sc.scenario));
    const elsewhere = [...new Set([...(data.margin?.scenarios ?? []).map((sc) => sc.scenario), ...(data.capital?.scenarios ?? []).map((sc) => sc.scenario)])].filter((n) => !xvaNames.has(n)).sort();
    if (elsewhere.length > 0) missing.push(`XVA under ${elsewhere.join(', ')} (run by margin or capital, not in the XVA run's tables: with --results a collateral coverage stress needs path values; the XVA stresses below are those evaluated)`);
  }

  const recs = open('recommendations');
  if (recs) data.optimize = optimizePart(recs, open('plan'), recs.file);
  else missing.push('recommendations (recommendations.arrow of `xva optimize --out`)');
  // a report of nothing is a mistaken folder, not a result
  if (!data.exposure && !data.xva && !data.capital && !data.margin && !data.optimize) {
    throw new XvaUsageError(
      `${flag} ${dir}: no results of an xva run in it or its subfolders (none of exposure_netting_set, xva_book, capital_book, ` +
        `margin_netting_sets or recommendations as .arrow or .parquet): expected a folder written by xva simulate, cva, fva, capital, margin or optimize with --out${flag === '--previous' ? ', or the --out folder of an earlier xva explain (its facts.json)' : ''}`,
    );
  }
  return data;
}
