/**
 * One `xva margin` run: the CRIF (read, or built from the portfolio), SIMM per netting set and side, the
 * standardised schedule for schedule netting sets, today's VM and margin call per CSA, and the collateral coverage
 * scenarios. Amounts of IM are in USD (SIMM's calculation currency); VM amounts in each CSA's collateral currency.
 */
import { signedAmount } from '../portfolio/cellBounds.js';
import path from 'node:path';
import { IssueCollector, XvaInputError, XvaUsageError, formatIssue } from '../errors.js';
import { findTableFile, readTable } from '../io/read.js';
import { FieldReader, reportUnknownColumns } from '../io/table.js';
import type { Market } from '../market/types.js';
import { checkBalanceCurrency, loadSaccrInputs } from '../capital/saccr/inputs.js';
import { validateInputs } from '../portfolio/validateInputs.js';
import type { NettingSet, Portfolio } from '../portfolio/types.js';
import { CURRENCIES, type Currency } from '../products/types.js';
import type { Scenario } from '../scenarios/types.js';
import { toIsoDate, type DateSerial } from '../conventions/dates.js';
import { readCrif } from './crif.js';
import { scheduleCrifFromPortfolio, simmCrifFromPortfolio, writeCrif } from './crifFromPortfolio.js';
import { calculateScheduleIm, type ScheduleNettingSetResult } from './schedule.js';
import { calculateSimm } from './simm/calculate.js';
import { loadSimmParameterFile } from './simm/parameters.js';
import type { CrifRecord, MporDays, SimmNettingSetResult } from './simm/types.js';
import { tradeValueUsd } from './sensitivities/trade.js';
import { variationMargin, type VmResult } from './vm.js';
import { coverageScenarios, type CoverageOutcome } from './outputs.js';
import { bookUniverse, runDim, type DimProfile } from './dim.js';
import { mvaCounterpartyCurve, staticPostedMvaUsd, tradesByNettingSet } from './mva.js';
import { bookScheduleDim } from './scheduleDim.js';
import { mvaScenarios, type MvaScenarioOutcome } from './mvaScenarios.js';
import { missingFundingNote } from '../xva/credit.js';
import type { FactorLayout, TimeGrid } from '../simulation/types.js';
import { someOf } from '../text.js';

export interface MarginRunOptions {
  /** Read this CRIF instead of building one from the portfolio. */
  crifFile?: string;
  /** Portfolio folder: needed without a CRIF, and for VM. */
  portfolioDir?: string;
  marketFile?: string;
  /** Load the portfolio even with a CRIF (VM, schedule as-of date). */
  usePortfolio: boolean;
  writeCrifFile?: string;
  collateralBalancesFile?: string;
  /** Build SIMM sensitivities for every netting set, whatever its `im_model`. */
  allNettingSets?: boolean;
  simmVersion?: string;
  mporDays?: MporDays;
  /** As-of date for schedule rows of a CRIF read without a portfolio. */
  asOf?: DateSerial;
  scenarios?: readonly Scenario[];
  /** Dynamic IM and MVA by simulation (dim.ts) for the netting sets with a SIMM today. */
  /** --dim: the DIM run's paths, seed and draws (margin/dim.ts DimRunOptions). */
  dim?: { paths: number; seed: number; rng?: 'philox' | 'sobol' };
  /** Only these netting sets (a shard of `xva margin --shard`, src/scale/marginShard.ts); every figure is per set. */
  nettingSetIds?: ReadonlySet<string>;
  /**
   * With `dim` in a shard: the grid and factor layout of the single run's DIM run (margin/dim.ts bookUniverse), so that
   * the DIM of this run's sets is simulated on that run's grid and the blocks of its layout they need: the single
   * run's paths, hence its profiles, bit for bit.
   */
  dimUniverse?: { grid: TimeGrid; layout: FactorLayout };
  /** The portfolio and market already loaded and validated (as validateInputs returns them). */
  loaded?: { portfolio: Portfolio; market: Market };
}

export interface NettingSetMargin {
  nettingSetId: string;
  imModel: string;
  simmCollect?: number;
  simmPost?: number;
  scheduleCall?: number;
  schedulePost?: number;
  /**
   * IM we collect under the netting set's model (USD): its SIMM or its schedule IM, or their sum when its CRIF margins
   * some trades by each (a set with both SIMM and schedule rows).
   */
  imCollect: number;
  /** Cleared through a CCP, which posts no IM to its members (none held in the coverage scenarios). */
  cleared?: boolean;
  collateralCurrency?: Currency;
  vm?: VmResult;
  /** Whether a VM balance was on file (`vm.balance` is 0 otherwise: the call is then the CSA's whole requirement). */
  balanceOnFile?: boolean;
  /**
   * Funding cost of the IM posted over the life of the netting set (USD, margin/mva.ts): from its IM profile with
   * --dim (the regression DIM of a set with a SIMM today, the projected schedule IM of a schedule set), else from its
   * `initial_margin_posted` held flat to its last live date; absent when neither applies.
   */
  mva?: number;
  /**
   * Which IM posted `mva` funds: the simulated DIM profile (SIMM sets), the schedule IM projected (schedule sets;
   * margin/scheduleDim.ts), both with --dim, or the static `initial_margin_posted`.
   */
  mvaSource?: 'dim' | 'schedule' | 'initial_margin_posted';
  /** The static `initial_margin_posted` (collateral currency) when `mva` comes from it. */
  initialMarginPosted?: number;
  /**
   * The netting set's stated `initial_margin_held` (collateral currency) when above 0: the IM a set without an IM
   * model holds in the coverage scenarios (outputs.ts coverageScenarios), as `xva simulate` holds it.
   */
  initialMarginHeld?: number;
}

export interface MarginRun {
  source: 'crif' | 'portfolio';
  crifRows: number;
  simm: SimmNettingSetResult[];
  schedule: ScheduleNettingSetResult[];
  nettingSets: NettingSetMargin[];
  scenarios: CoverageOutcome[];
  /** The MVA of each set that has one under each scenario (margin/mvaScenarios.ts); empty without scenarios or MVA. */
  mvaScenarios: MvaScenarioOutcome[];
  /** Expected IM profiles (with --dim). */
  dim: DimProfile[];
  notes: string[];
  simmVersion: string;
  mporDays: MporDays;
}

/** Net VM balance per netting set (received positive): `netting_set_id` with `balance` or `variation_margin`. */
export async function readCollateralBalances(filePath: string, market?: Market, notes?: string[]): Promise<Map<string, { balance: number; currency?: Currency }>> {
  const issues = new IssueCollector();
  const table = await readTable(filePath, { displayName: path.basename(filePath) });
  // a known column in another case (Currency: the balance would be read in USD) is an error; others a note
  const variants = reportUnknownColumns(table, ['netting_set_id', 'balance', 'variation_margin', 'currency'], issues, { value: 'unknown column(s), ignored', expected: 'the columns netting_set_id, balance (or variation_margin) and currency (docs/margin.md)', severity: 'warning' });
  const r = new FieldReader(table, issues).readAs(variants);
  const column = r.has('balance') ? 'balance' : 'variation_margin';
  const out = new Map<string, { balance: number; currency?: Currency }>();
  if (r.requireColumns(['netting_set_id', column])) {
    for (let row = 0; row < table.numRows; row++) {
      const id = r.string('netting_set_id', row, { required: true });
      const balance = signedAmount(r, row, column, 'the net collateral balance (received positive, posted negative)', true);
      const currency = r.has('currency') ? r.oneOf('currency', row, CURRENCIES, { ignoreCase: true }) : undefined;
      if (currency !== undefined && market) checkBalanceCurrency(r, row, currency, market);
      if (id === undefined || balance === undefined) continue;
      if (out.has(id)) {
        issues.add({ file: table.file, row: row + 1, column: 'netting_set_id', value: id, expected: 'one balance row per netting set' });
        continue;
      }
      out.set(id, currency ? { balance, currency } : { balance });
    }
  }
  issues.throwIfAny();
  notes?.push(...issues.warnings.map(formatIssue));
  return out;
}

async function balancesFor(options: MarginRunOptions, portfolioDir: string, market: Market, notes: string[]): Promise<Map<string, { balance: number; currency?: Currency }>> {
  if (options.collateralBalancesFile) return readCollateralBalances(path.resolve(options.collateralBalancesFile), market, notes);
  if (findTableFile(portfolioDir, 'collateral_balances') === undefined) return new Map();
  // the SA-CCR side table (docs/capital.md): its net VM column is the balance
  const issues = new IssueCollector();
  const inputs = await loadSaccrInputs(portfolioDir, issues, market);
  issues.throwIfAny();
  const out = new Map<string, { balance: number; currency?: Currency }>();
  for (const [id, b] of inputs.collateralBalances ?? []) out.set(id, b.currency ? { balance: b.variationMargin, currency: b.currency } : { balance: b.variationMargin });
  return out;
}

function nettingSetMtm(portfolio: Portfolio, market: Market, only?: ReadonlySet<string>): Map<string, number> {
  const usd = new Map<string, number>();
  const coll = new Map(portfolio.nettingSets.map((n) => [n.nettingSetId, n.collateralCurrency]));
  for (const t of portfolio.trades) if (!only || only.has(t.nettingSetId)) usd.set(t.nettingSetId, (usd.get(t.nettingSetId) ?? 0) + tradeValueUsd(t, market, coll.get(t.nettingSetId)));
  return usd;
}

/** USD per unit of each currency the market quotes (CRIF amounts into USD). */
function usdRates(market: Market): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ccy of CURRENCIES) {
    try {
      out[ccy] = market.fxSpot(ccy, 'USD');
    } catch {
      // a currency the market does not quote: a CRIF amount in it without AmountUSD stays an error naming the row
    }
  }
  return out;
}

export async function runMargin(options: MarginRunOptions): Promise<MarginRun> {
  const simmVersion = options.simmVersion ?? '2.6';
  const mporDays = options.mporDays ?? 10;
  const notes: string[] = [];
  let portfolio: Portfolio | undefined;
  let market: Market | undefined;
  if (options.loaded) {
    portfolio = options.loaded.portfolio;
    market = options.loaded.market;
  } else if (!options.crifFile || options.usePortfolio) {
    if (!options.portfolioDir) throw new XvaUsageError('a portfolio folder is needed without --crif');
    const validation = await validateInputs({ portfolioDir: options.portfolioDir, ...(options.marketFile ? { marketFile: options.marketFile } : {}) });
    if (!validation.ok || !validation.market) throw new XvaInputError(validation.issues, validation.truncated);
    portfolio = validation.portfolio;
    market = validation.market;
  }

  if (market && options.asOf !== undefined && options.asOf !== market.asOf)
    throw new XvaUsageError(`--as-of ${toIsoDate(options.asOf)} is not the market date ${toIsoDate(market.asOf)} of the portfolio: give one of them (with --portfolio the market's date is the as-of date)`);

  let records: CrifRecord[];
  if (options.crifFile) {
    // with the market loaded, an Amount in another currency than USD converts at today's spot (AmountUSD still wins)
    const fxRates = market ? usdRates(market) : undefined;
    // read against the run's SIMM version (the IR buckets' volatility groups); warnings become notes
    records = await readCrif(path.resolve(options.crifFile), { ...(fxRates ? { fxRates } : {}), parameters: loadSimmParameterFile(simmVersion), warnings: notes });
    if (records.length === 0) notes.push(`${path.basename(options.crifFile)} has no rows: no initial margin`);
    notes.push(...unmatchedAddOnFactors(records, path.basename(options.crifFile)));
  } else {
    const only = options.nettingSetIds;
    const ids = (options.allNettingSets
      ? portfolio!.nettingSets.map((n) => n.nettingSetId)
      : portfolio!.nettingSets.filter((n) => n.imModel === 'simm').map((n) => n.nettingSetId)
    ).filter((id) => !only || only.has(id));
    const simm = simmCrifFromPortfolio(portfolio!, market!, { nettingSetIds: ids });
    notes.push(...simm.notes);
    const scheduleIds = portfolio!.nettingSets.filter((n) => n.imModel === 'schedule' && !ids.includes(n.nettingSetId) && (!only || only.has(n.nettingSetId))).map((n) => n.nettingSetId);
    records = [...simm.records, ...scheduleCrifFromPortfolio(portfolio!, market!, scheduleIds)];
  }

  const simmRows = records.filter((r) => r.imModel !== 'Schedule');
  const scheduleRows = records.filter((r) => r.imModel === 'Schedule');
  // each calculator takes the whole CRIF: the regulations a netting set's other rows name count (SEC and CFTC)
  const simm = simmRows.length > 0 ? calculateSimm(records, { version: simmVersion, mporDays }) : [];
  let schedule: ScheduleNettingSetResult[] = [];
  if (scheduleRows.length > 0) {
    const asOf = market?.asOf ?? options.asOf;
    if (asOf === undefined) throw new XvaUsageError('the CRIF has schedule rows: give --as-of (or --portfolio for its market date)');
    schedule = calculateScheduleIm(records, { asOf, file: options.crifFile ? path.basename(options.crifFile) : 'CRIF' }).nettingSets;
  }

  const ids = new Set<string>([...simm.map((s) => s.portfolioId), ...schedule.map((s) => s.portfolioId), ...(portfolio?.nettingSets.map((n) => n.nettingSetId) ?? [])]);
  if (options.nettingSetIds) for (const id of ids) if (!options.nettingSetIds.has(id)) ids.delete(id);
  const byId = new Map<string, NettingSet>(portfolio?.nettingSets.map((n) => [n.nettingSetId, n]) ?? []);
  const mtmUsd = portfolio && market ? nettingSetMtm(portfolio, market, options.nettingSetIds) : new Map<string, number>();
  const balances = portfolio && market && options.portfolioDir ? await balancesFor(options, options.portfolioDir, market, notes) : new Map();
  for (const id of balances.keys()) if (!byId.has(id)) notes.push(`collateral balance for ${id}: no such netting set in the portfolio, ignored`);

  const nettingSets: NettingSetMargin[] = [];
  for (const id of [...ids].sort()) {
    const ns = byId.get(id);
    const simmCall = simm.find((s) => s.portfolioId === id && s.side === 'Call');
    const simmPost = simm.find((s) => s.portfolioId === id && s.side === 'Post');
    const schedCall = schedule.find((s) => s.portfolioId === id && s.side === 'Call');
    const schedPost = schedule.find((s) => s.portfolioId === id && s.side === 'Post');
    const imModel = ns?.imModel ?? (simmCall || simmPost ? 'simm' : schedCall || schedPost ? 'schedule' : 'none');
    if (ns && !simmCall && !simmPost && !schedCall && !schedPost && imModel === 'none' && !ns.csa && !((ns.initialMarginPosted ?? 0) > 0) && !((ns.initialMarginHeld ?? 0) > 0)) continue;
    const entry: NettingSetMargin = { nettingSetId: id, imModel, imCollect: 0, ...(ns?.cleared ? { cleared: true } : {}) };
    if (simmCall) entry.simmCollect = simmCall.total;
    if (simmPost) entry.simmPost = simmPost.total;
    if (schedCall) entry.scheduleCall = schedCall.scheduleIm;
    if (schedPost) entry.schedulePost = schedPost.scheduleIm;
    entry.imCollect = imCollected(imModel, entry.simmCollect, entry.scheduleCall);
    if (ns && (ns.initialMarginHeld ?? 0) > 0) entry.initialMarginHeld = ns.initialMarginHeld!;
    if (ns && market) {
      entry.collateralCurrency = ns.collateralCurrency;
      const toColl = ns.collateralCurrency === 'USD' ? 1 : market.fxSpot('USD', ns.collateralCurrency);
      const b = balances.get(id);
      const balance = b === undefined ? 0 : b.balance * (b.currency && b.currency !== ns.collateralCurrency ? market.fxSpot(b.currency, ns.collateralCurrency) : 1);
      entry.vm = variationMargin(ns, (mtmUsd.get(id) ?? 0) * toColl, balance);
      entry.balanceOnFile = b !== undefined;
    }
    nettingSets.push(entry);
  }
  // a CSA set without a balance starts from 0: its call is the CSA's whole requirement (a first call), whatever
  // calculate_vm says (that is an SA-CCR setting); say so, since such a book looks as if no collateral had moved yet
  const noBalance = nettingSets.filter((n) => n.vm !== undefined && byId.get(n.nettingSetId)?.csa === true && n.balanceOnFile === false).map((n) => n.nettingSetId);
  if (noBalance.length > 0) {
    const shown = someOf(noBalance, 5);
    notes.push(`VM: ${noBalance.length} CSA netting set${noBalance.length === 1 ? ' has' : 's have'} no collateral balance on file (${shown}): today's call starts from 0, the CSA's whole requirement; give the balances (collateral_balances, --collateral-balances) for today's actual calls`);
  }
  let dim: DimProfile[] = [];
  if (options.dim) {
    if (!portfolio || !market || options.crifFile) throw new XvaUsageError('--dim simulates the portfolio: it cannot be used with --crif');
    const simmToday = new Map<string, { collect: number; post: number }>();
    for (const n of nettingSets) if (n.simmCollect !== undefined && n.simmPost !== undefined) simmToday.set(n.nettingSetId, { collect: n.simmCollect, post: n.simmPost });
    // on the whole book's grid and layout (the exposure run's paths), unless a shard hands it the single run's
    const universe = options.dimUniverse ?? bookUniverse(portfolio, market, undefined, options.dim.paths);
    dim = await runDim(portfolio, market, { ...options.dim, mporDays, simm: simmToday, universe }, notes);
    // the schedule sets' IM projected on the same exposure dates (no simulation), after the SIMM sets' (book order)
    const withSchedule = new Set(nettingSets.filter((n) => n.imModel === 'schedule' && (n.scheduleCall !== undefined || n.schedulePost !== undefined)).map((n) => n.nettingSetId));
    dim.push(...bookScheduleDim(portfolio, market, universe.grid, (_, note) => notes.push(note), withSchedule));
    for (const profile of dim) {
      const entry = nettingSets.find((n) => n.nettingSetId === profile.nettingSetId);
      if (entry) {
        entry.mva = profile.mva;
        entry.mvaSource = profile.method === 'schedule' ? 'schedule' : 'dim';
      }
    }
  }
  // The sets that post a static IM and have no DIM profile: the MVA of that amount (the IM the exposure engine lets
  // lower their DVA; under --dim a SIMM set's DIM replaces it there as here), no simulation needed
  if (portfolio && market) staticMvas(portfolio, market, nettingSets, byId, notes);
  // an MVA of 0 for want of the base currency's funding spreads is said once, as xva fva says it of FCA/FBA (an audit
  // found a column of zeros with no word why)
  if (market && nettingSets.some((n) => n.mva !== undefined) && missingFundingNote(market) !== undefined) {
    notes.push(`the market has no funding spreads for the base currency (funding.${market.baseCurrency}): every MVA is 0`);
  }
  const scenarios = market ? coverageScenarios(nettingSets, options.scenarios ?? [], market, notes) : [];
  if (!market && (options.scenarios?.length ?? 0) > 0) notes.push('scenarios need the portfolio (VM for the collateral coverage, the IM posted for the MVA): give --portfolio with --crif');
  const mvaRows = portfolio && market ? mvaScenarios(portfolio, market, nettingSets, dim, options.scenarios ?? [], notes) : [];
  // written once everything above has run: a run that fails leaves no CRIF behind
  if (options.writeCrifFile) writeCrif(path.resolve(options.writeCrifFile), records, loadSimmParameterFile(simmVersion));
  return { source: options.crifFile ? 'crif' : 'portfolio', crifRows: records.length, simm, schedule, nettingSets, scenarios, mvaScenarios: mvaRows, dim, notes, simmVersion, mporDays };
}

/**
 * The IM collected from a set with an IM model: the SIMM of its SIMM rows or the schedule IM of its schedule rows,
 * and, when its CRIF has both (some trades margined by SIMM, the others by the schedule), the two added. Each method
 * covers only its own trades (BCBS-IOSCO Requirement 3 asks the choice of model or schedule to be consistent within
 * an asset class, so one counterparty's set may hold both; ORE's SimmCalculator and IMScheduleCalculator each skip
 * the other's rows),
 * so the set's requirement is the sum, not the one its `im_model` names.
 */
export function imCollected(imModel: string, simmCollect: number | undefined, scheduleCall: number | undefined): number {
  if (imModel !== 'simm' && imModel !== 'schedule') return 0;
  if (simmCollect !== undefined && scheduleCall !== undefined) return simmCollect + scheduleCall;
  return imModel === 'schedule' ? (scheduleCall ?? 0) : (simmCollect ?? 0);
}

/** entry.mva of the sets in `nettingSets` that post a static `initial_margin_posted` and have no MVA from a DIM profile. */
function staticMvas(portfolio: Portfolio, market: Market, nettingSets: NettingSetMargin[], byId: ReadonlyMap<string, NettingSet>, notes: string[]): void {
  const posting = nettingSets.filter((n) => n.mvaSource === undefined && (byId.get(n.nettingSetId)?.initialMarginPosted ?? 0) > 0);
  if (posting.length === 0) return;
  const ids = new Set(posting.map((n) => n.nettingSetId));
  const tradesOf = tradesByNettingSet(portfolio.trades.filter((t) => ids.has(t.nettingSetId)));
  const cps = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  for (const entry of posting) {
    const ns = byId.get(entry.nettingSetId)!;
    const curve = mvaCounterpartyCurve(cps.get(ns.counterpartyId), market, () => notes.push(`MVA of ${ns.nettingSetId}: no credit curve for ${ns.counterpartyId}, counterparty survival taken as 1`));
    entry.mva = staticPostedMvaUsd(ns, tradesOf.get(ns.nettingSetId) ?? [], market, curve);
    entry.mvaSource = 'initial_margin_posted';
    entry.initialMarginPosted = ns.initialMarginPosted!;
  }
}

/**
 * A `Param_AddOnNotionalFactor` row whose product has no `Notional` row in the same netting set adds 0 (SIMM's add-on
 * is the factor times the product's notionals): said once per netting set and product, as a misspelt product name
 * would otherwise pass unseen (an audit's note).
 */
export function unmatchedAddOnFactors(records: readonly CrifRecord[], fileName: string): string[] {
  const notionals = new Set(records.filter((r) => r.riskType === 'Notional').map((r) => `${r.portfolioId}\u0000${r.qualifier}`));
  const said = new Set<string>();
  const notes: string[] = [];
  for (const r of records) {
    if (r.riskType !== 'Param_AddOnNotionalFactor') continue;
    const key = `${r.portfolioId}\u0000${r.qualifier}`;
    if (notionals.has(key) || said.has(key)) continue;
    said.add(key);
    notes.push(`${fileName}: Param_AddOnNotionalFactor for product '${r.qualifier}' in ${r.portfolioId} has no Notional row of that product: its add-on is 0 (check the product's name)`);
  }
  return notes;
}
