/**
 * Rows of the book's other tables → Counterparty, NettingSet, EligibleCollateral, CollateralAsset, with the defaults
 * of docs/inputs.md. Like tradeRows.ts: every problem is recorded with file, row, column and value, and a row with
 * any problem yields nothing.
 */
import { MAX_AMOUNT } from './cellBounds.js';
import type { FieldReader } from '../io/table.js';
import { CURRENCIES, type Currency } from '../products/types.js';
import {
  ASSET_TYPES,
  IM_MODELS,
  RATINGS,
  REGIONS,
  SECTORS,
  WRONG_WAY_MODELS,
  type CollateralAsset,
  type Counterparty,
  type EligibleCollateral,
  type NettingSet,
  type WrongWaySpec,
} from './types.js';

/** A margin period of risk is weeks (CRE52.50-52.52: 10 to 20 business days, doubled after disputes); above a year it is a typo. */
export const MAX_MPOR_DAYS = 250;
/** Margin calls at most once a year (250 business days): beyond it a frequency is a typo, and the call dates never end. */
export const MAX_MARGIN_FREQUENCY_DAYS = 250;
/** 1250% is the Basel framework's highest risk weight (securitisation exposures, CRE40): above it a weight is a typo. */
const MAX_RISK_WEIGHT = 12.5;

export const COUNTERPARTY_COLUMNS = [
  'counterparty_id',
  'name',
  'sector',
  'rating',
  'region',
  'cds_curve',
  'recovery',
  'qccp',
  'risk_weight',
  'wrong_way_model',
  'wrong_way_beta_per_m',
  'wrong_way_log_vol',
] as const;
export const REQUIRED_COUNTERPARTY_COLUMNS = ['counterparty_id', 'sector', 'rating', 'region'] as const;

export const NETTING_SET_COLUMNS = [
  'netting_set_id',
  'counterparty_id',
  'csa',
  'threshold_cpty',
  'threshold_bank',
  'mta_cpty',
  'mta_bank',
  'independent_amount_cpty',
  'independent_amount_bank',
  'initial_margin_held',
  'initial_margin_posted',
  'rounding',
  'margin_period_of_risk_days',
  'margin_frequency_days',
  'im_model',
  'collateral_currency',
  'cleared',
  'ccp',
  'calculate_vm',
] as const;
export const REQUIRED_NETTING_SET_COLUMNS = ['netting_set_id', 'counterparty_id'] as const;

export const ELIGIBLE_COLLATERAL_COLUMNS = ['netting_set_id', 'asset_type', 'currency', 'haircut_pct', 'margin_type'] as const;
export const REQUIRED_ELIGIBLE_COLLATERAL_COLUMNS = ['netting_set_id', 'asset_type', 'haircut_pct'] as const;

export const COLLATERAL_COLUMNS = [
  'asset_id',
  'asset_type',
  'currency',
  'market_value',
  'eligibility',
  'haircut_pct',
  'funding_cost_bp',
  'issuer_rating',
] as const;
export const REQUIRED_COLLATERAL_COLUMNS = ['asset_id', 'asset_type', 'currency', 'market_value'] as const;

const REQUIRED = { required: true } as const;
const ENUM = { ignoreCase: true } as const;
const REQUIRED_ENUM = { required: true, ignoreCase: true } as const;
const MARGIN_TYPES = ['vm', 'im', 'both'] as const;

/** A recovery rate: 0 <= R < 1 (R = 1 would make every loss zero and the hazard rate undefined). */
function recoveryRate(r: FieldReader, row: number, column: string): number | undefined {
  const value = r.number(column, row, { what: 'a recovery rate from 0 to below 1' });
  if (value !== undefined && (value < 0 || value >= 1)) {
    r.issues.add({ file: r.table.file, row: row + 1, column, value: String(value), expected: 'a recovery rate from 0 to below 1' });
    return undefined;
  }
  // a loss given default of under 10%: no derivatives counterparty's (ISDA's standard recoveries are 0.25 to 0.40), and
  // its CVA falls in proportion (0.99: a sixtieth of 0.40's)
  if (value !== undefined && value > PLAUSIBLE_RECOVERY) {
    r.issues.add({ file: r.table.file, row: row + 1, column, value: String(value), expected: `a recovery rate at most ${PLAUSIBLE_RECOVERY} (the loss given default ${+(1 - value).toFixed(4)} makes the CVA ${+((1 - value) / 0.6).toPrecision(2)} times the standard 0.40's)`, severity: 'warning' });
  }
  return value;
}

/** Above it a recovery rate leaves almost nothing to lose: a warning. */
const PLAUSIBLE_RECOVERY = 0.9;

function percent(r: FieldReader, row: number, column: string, required: boolean): number | undefined {
  return r.number(column, row, { required, min: 0, max: 100, what: 'a percentage' });
}

export function readCounterpartyRow(r: FieldReader, row: number): Counterparty | undefined {
  const errorsBefore = r.issues.errorCount;
  const counterpartyId = r.string('counterparty_id', row, REQUIRED);
  const name = r.string('name', row);
  const sector = r.oneOf('sector', row, SECTORS, REQUIRED_ENUM);
  const rating = r.oneOf('rating', row, RATINGS, REQUIRED_ENUM);
  const region = r.oneOf('region', row, REGIONS, REQUIRED_ENUM);
  const cdsCurve = r.string('cds_curve', row);
  const recovery = recoveryRate(r, row, 'recovery');
  const qccp = r.boolean('qccp', row) ?? false;
  const riskWeight = r.number('risk_weight', row, { min: 0, max: MAX_RISK_WEIGHT, what: 'a risk weight as a decimal (1.0 = 100%)' });
  const wrongWay = wrongWaySpec(r, row, cdsCurve);
  if (r.issues.errorCount > errorsBefore || !counterpartyId || !sector || !rating || !region) return undefined;
  const counterparty: Counterparty = { counterpartyId, name: name ?? counterpartyId, sector, rating, region, qccp, sourceRow: row + 1 };
  if (cdsCurve !== undefined) counterparty.cdsCurve = cdsCurve;
  if (recovery !== undefined) counterparty.recovery = recovery;
  if (riskWeight !== undefined) counterparty.riskWeight = riskWeight;
  if (wrongWay !== undefined) counterparty.wrongWay = wrongWay;
  return counterparty;
}

/** Largest lognormal intensity volatility accepted (500% a √year: beyond it the hazard is numerically degenerate). */
const MAX_WRONG_WAY_LOG_VOL = 5;

/**
 * The wrong-way columns of a counterparties row (docs/inputs.md): `wrong_way_model` none (default) | exposure |
 * intensity; `wrong_way_beta_per_m` (exposure: the Hull-White b per 1,000,000 of base-currency portfolio value,
 * required there and only there); `wrong_way_log_vol` (intensity: lognormal intensity volatility per √year, required
 * there and only there). The intensity model needs `cds_curve`: its CR:<NAME> factor carries the correlations.
 */
function wrongWaySpec(r: FieldReader, row: number, cdsCurve: string | undefined): WrongWaySpec | undefined {
  const model = r.oneOf('wrong_way_model', row, WRONG_WAY_MODELS, ENUM) ?? (r.string('wrong_way_model', row) === undefined ? 'none' : undefined);
  const beta = r.number('wrong_way_beta_per_m', row, { what: 'a wrong-way beta: hazard log-sensitivity per 1,000,000 of base-currency portfolio value' });
  const logVol = r.number('wrong_way_log_vol', row, { min: 0, max: MAX_WRONG_WAY_LOG_VOL, what: 'a lognormal intensity volatility per √year (decimal, 0 to 5)' });
  if (model === undefined) return undefined;
  const file = r.table.file;
  const unexpected = (column: string, value: number, needs: string): void => {
    r.issues.add({ file, row: row + 1, column, value: String(value), expected: `blank unless wrong_way_model is ${needs} (it is ${model})` });
  };
  if (beta !== undefined && model !== 'exposure') unexpected('wrong_way_beta_per_m', beta, 'exposure');
  if (logVol !== undefined && model !== 'intensity') unexpected('wrong_way_log_vol', logVol, 'intensity');
  if (model === 'exposure') {
    if (beta === undefined && r.string('wrong_way_beta_per_m', row) === undefined) {
      r.issues.add({ file, row: row + 1, column: 'wrong_way_beta_per_m', expected: 'a wrong-way beta per 1,000,000 of base-currency portfolio value for wrong_way_model exposure' });
    }
    return beta === undefined ? undefined : { model, betaPerMillion: beta };
  }
  if (model === 'intensity') {
    if (logVol === undefined && r.string('wrong_way_log_vol', row) === undefined) {
      r.issues.add({ file, row: row + 1, column: 'wrong_way_log_vol', expected: 'a lognormal intensity volatility per √year (decimal, 0 to 5) for wrong_way_model intensity' });
    }
    if (cdsCurve === undefined) {
      r.issues.add({ file, row: row + 1, column: 'cds_curve', expected: 'a credit.names curve for wrong_way_model intensity (its CR:<NAME> factor carries the correlations with the market)' });
    }
    return logVol === undefined ? undefined : { model, logVolatility: logVol };
  }
  return undefined;
}

/**
 * `baseCurrency`: the market's, the default collateral currency; undefined when the market is unknown (a blank
 * collateral_currency is then reported, since there is nothing to default it to).
 */
export function readNettingSetRow(r: FieldReader, row: number, baseCurrency: Currency | undefined): NettingSet | undefined {
  const errorsBefore = r.issues.errorCount;
  const nettingSetId = r.string('netting_set_id', row, REQUIRED);
  const counterpartyId = r.string('counterparty_id', row, REQUIRED);
  const csa = r.boolean('csa', row) ?? false;
  // above 1e15 an amount is a typo (a quadrillion in any currency, the trades' notional limit) and overflows the figures
  const amountOptions = { min: 0, max: MAX_AMOUNT, what: 'an amount' } as const;
  const thresholdCpty = r.number('threshold_cpty', row, amountOptions) ?? 0;
  const thresholdBank = r.number('threshold_bank', row, amountOptions) ?? 0;
  const mtaCpty = r.number('mta_cpty', row, amountOptions) ?? 0;
  const mtaBank = r.number('mta_bank', row, amountOptions) ?? 0;
  const independentAmountCpty = r.number('independent_amount_cpty', row, amountOptions) ?? 0;
  const independentAmountBank = r.number('independent_amount_bank', row, amountOptions) ?? 0;
  const initialMarginHeld = r.number('initial_margin_held', row, amountOptions) ?? 0;
  const initialMarginPosted = r.number('initial_margin_posted', row, amountOptions) ?? 0;
  const rounding = r.number('rounding', row, amountOptions) ?? 0;
  // CRE52.50: a margined bilateral netting set has a margin period of risk of at least 10 business days
  const marginPeriodOfRiskDays =
    r.number('margin_period_of_risk_days', row, { min: 0, max: MAX_MPOR_DAYS, integer: true, what: 'a number of business days' }) ?? (csa ? 10 : 0);
  const marginFrequencyDays =
    r.number('margin_frequency_days', row, { min: 1, max: MAX_MARGIN_FREQUENCY_DAYS, integer: true, what: 'a number of business days' }) ?? 1;
  const imModel = r.oneOf('im_model', row, IM_MODELS, ENUM) ?? 'none';
  const cleared = r.boolean('cleared', row) ?? false;
  const ccp = r.string('ccp', row);
  const calculateVm = r.boolean('calculate_vm', row);
  if (cleared && ccp === undefined) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'ccp', expected: 'the name of the CCP for a cleared netting set' });
  }
  let collateralCurrency = r.oneOf('collateral_currency', row, CURRENCIES, ENUM);
  if (collateralCurrency === undefined && r.string('collateral_currency', row) === undefined) {
    if (baseCurrency !== undefined) collateralCurrency = baseCurrency;
    else {
      r.issues.add({
        file: r.table.file,
        row: row + 1,
        column: 'collateral_currency',
        expected: 'a currency (the default, the market base currency, is unknown because the market file did not load)',
      });
    }
  }
  if (r.issues.errorCount > errorsBefore || !nettingSetId || !counterpartyId || !collateralCurrency) return undefined;
  const nettingSet: NettingSet = {
    nettingSetId,
    counterpartyId,
    csa,
    thresholdCpty,
    thresholdBank,
    mtaCpty,
    mtaBank,
    independentAmountCpty,
    independentAmountBank,
    initialMarginHeld,
    ...(initialMarginPosted > 0 ? { initialMarginPosted } : {}),
    rounding,
    marginPeriodOfRiskDays,
    marginFrequencyDays,
    imModel,
    collateralCurrency,
    cleared,
    sourceRow: row + 1,
  };
  if (ccp !== undefined) nettingSet.ccp = ccp;
  if (calculateVm !== undefined) nettingSet.calculateVm = calculateVm;
  return nettingSet;
}

export function readEligibleCollateralRow(r: FieldReader, row: number): EligibleCollateral | undefined {
  const errorsBefore = r.issues.errorCount;
  const nettingSetId = r.string('netting_set_id', row, REQUIRED);
  const assetType = r.oneOf('asset_type', row, ASSET_TYPES, REQUIRED_ENUM);
  const currency = r.oneOf('currency', row, CURRENCIES, ENUM);
  const haircutPct = percent(r, row, 'haircut_pct', true);
  const marginType = r.oneOf('margin_type', row, MARGIN_TYPES, ENUM) ?? 'both';
  if (r.issues.errorCount > errorsBefore || !nettingSetId || !assetType || haircutPct === undefined) return undefined;
  const eligible: EligibleCollateral = { nettingSetId, assetType, haircutPct, marginType, sourceRow: row + 1 };
  if (currency !== undefined) eligible.currency = currency;
  return eligible;
}

export function readCollateralRow(r: FieldReader, row: number): CollateralAsset | undefined {
  const errorsBefore = r.issues.errorCount;
  const assetId = r.string('asset_id', row, REQUIRED);
  const assetType = r.oneOf('asset_type', row, ASSET_TYPES, REQUIRED_ENUM);
  const currency = r.oneOf('currency', row, CURRENCIES, REQUIRED_ENUM);
  const marketValue = r.number('market_value', row, { required: true, min: 0, what: 'an amount' });
  const eligibility = r.oneOf('eligibility', row, MARGIN_TYPES, ENUM) ?? 'both';
  const haircutPct = percent(r, row, 'haircut_pct', false) ?? 0;
  const fundingCostBp = r.number('funding_cost_bp', row, { what: 'a cost in basis points per year' }) ?? 0;
  const issuerRating = r.oneOf('issuer_rating', row, RATINGS, ENUM);
  if (r.issues.errorCount > errorsBefore || !assetId || !assetType || !currency || marketValue === undefined) return undefined;
  const asset: CollateralAsset = { assetId, assetType, currency, marketValue, eligibility, haircutPct, fundingCostBp, sourceRow: row + 1 };
  if (issuerRating !== undefined) asset.issuerRating = issuerRating;
  return asset;
}
