/**
 * A Portfolio back to the tables of docs/inputs.md: the inverse of the readers (tradeRows.ts, bookRows.ts), so that an
 * amended book (`xva optimize`) is written as a portfolio folder that every command reads again. Reading what this
 * writes gives the same Portfolio (test/portfolio-write.test.ts checks the round trip on the bundled books).
 */
import { overnightCompounding, overnightSwapLegs } from '../products/overnightCoupon.js';
import { XvaInternalError } from '../errors.js';
import type { OutputColumnType, OutputTable } from '../io/write.js';
import type { FixedLeg, FloatLeg, SwapLeg, Trade } from '../products/types.js';
import type { Portfolio } from './types.js';
import { amortisingLeg } from '../products/amortization.js';

type Cell = string | number | boolean | null;

/** The trades table's columns, in the order of docs/inputs.md. */
const TRADE_COLUMNS: readonly (readonly [string, OutputColumnType])[] = [
  ['trade_id', 'utf8'], ['counterparty_id', 'utf8'], ['netting_set_id', 'utf8'], ['product', 'utf8'], ['direction', 'utf8'],
  ['currency', 'utf8'], ['notional', 'float64'], ['currency2', 'utf8'], ['notional2', 'float64'], ['start_date', 'date'],
  ['maturity_date', 'date'], ['fixed_rate', 'float64'], ['fixed_frequency', 'utf8'], ['fixed_day_count', 'utf8'],
  ['float_index', 'utf8'], ['float_frequency', 'utf8'], ['float_day_count', 'utf8'], ['float_spread_bp', 'float64'],
  ['fixed_rate2', 'float64'], ['float_index2', 'utf8'], ['float_spread_bp2', 'float64'], ['notional_exchange', 'utf8'],
  ['strike', 'float64'], ['near_rate', 'float64'], ['option_type', 'utf8'], ['expiry_date', 'date'], ['settlement', 'utf8'],
  ['underlying', 'utf8'], ['quantity', 'float64'], ['reference_entity', 'utf8'], ['cleared', 'bool'], ['ccp', 'utf8'],
  ['business_day_convention', 'utf8'], ['calendar', 'utf8'], ['stub', 'utf8'], ['end_of_month', 'bool'],
];

function table(columns: readonly (readonly [string, OutputColumnType])[], rows: readonly Record<string, Cell>[]): OutputTable {
  return { columns: columns.map(([name, type]) => ({ name, type, values: rows.map((r) => r[name] ?? null) })) };
}

function scheduleCells(leg: SwapLeg): Record<string, Cell> {
  return {
    start_date: leg.startDate,
    maturity_date: leg.maturityDate,
    business_day_convention: leg.businessDayConvention,
    calendar: leg.calendar ?? null,
    stub: leg.stub,
    end_of_month: leg.endOfMonth,
    ...(leg.paymentLagDays ? { payment_lag_days: leg.paymentLagDays } : {}),
  };
}

function fixedCells(leg: FixedLeg): Record<string, Cell> {
  return { fixed_rate: leg.fixedRate, fixed_frequency: leg.frequency, fixed_day_count: leg.dayCount };
}

function floatCells(leg: FloatLeg): Record<string, Cell> {
  return { float_index: leg.floatIndex, float_frequency: leg.frequency, float_day_count: leg.dayCount, float_spread_bp: leg.spreadBp };
}

/** A fixed-float swap's cells (an IRS/OIS, a swaption's underlying): the fixed leg's currency, notional and schedule. */
function fixedFloatCells(fixed: FixedLeg, float: FloatLeg): Record<string, Cell> {
  return { currency: fixed.currency, notional: fixed.notional, ...scheduleCells(fixed), ...fixedCells(fixed), ...floatCells(float) };
}

/** An amortising swap's three cells (the reader gives both legs the fixed leg's terms). */
function amortizationCells(leg: SwapLeg): Record<string, Cell> {
  const a = leg.amortization;
  if (a === undefined) return {};
  return {
    amortization: a.kind,
    amortization_amount: a.kind === 'fixed_amount' ? a.amount : null,
    amortization_frequency: a.kind === 'schedule' ? null : a.frequency,
  };
}

/** Written only when a trade amortises, so that a book of bullet trades keeps the columns it was read with. */
const AMORTIZATION_COLUMNS: readonly (readonly [string, OutputColumnType])[] = [
  ['amortization', 'utf8'], ['amortization_amount', 'float64'], ['amortization_frequency', 'utf8'],
];

/** The trades file's row of one trade. */
export function tradeRow(t: Trade): Record<string, Cell> {
  const row = productRow(t);
  const leg = compoundingLeg(t);
  if (leg === undefined) return row;
  // the row's overnight legs share these terms (portfolio/tradeRows.ts)
  return {
    ...row,
    ...(leg.lookbackDays ? { float_lookback_days: leg.lookbackDays, float_observation_shift: leg.observationShift === true } : {}),
    ...(leg.lockoutDays ? { float_lockout_days: leg.lockoutDays } : {}),
  };
}

/** The first overnight leg of a swap with a lookback or lockout (`float_lookback_days`, `float_lockout_days`). */
function compoundingLeg(t: Trade): FloatLeg | undefined {
  return overnightSwapLegs(t).find((leg) => overnightCompounding(leg) !== undefined);
}

function productRow(t: Trade): Record<string, Cell> {
  const base: Record<string, Cell> = {
    trade_id: t.tradeId,
    counterparty_id: t.counterpartyId,
    netting_set_id: t.nettingSetId,
    product: t.product,
    direction: t.direction,
    cleared: t.cleared,
    ccp: t.ccp ?? null,
  };
  switch (t.product) {
    case 'IRS':
    case 'OIS':
      return { ...base, ...fixedFloatCells(t.fixedLeg, t.floatLeg), ...amortizationCells(t.fixedLeg), ...(t.floatLeg.gearing !== undefined ? { float_gearing: t.floatLeg.gearing } : {}) };
    case 'SWAPTION':
      return {
        ...base,
        ...fixedFloatCells(t.fixedLeg, t.floatLeg),
        ...amortizationCells(t.fixedLeg),
        option_type: t.optionType,
        expiry_date: t.expiryDate,
        settlement: t.settlement,
        ...(t.exerciseDates !== undefined ? { exercise: 'bermudan' } : {}),
      };
    case 'CAPFLOOR':
      return {
        ...base,
        currency: t.floatLeg.currency,
        notional: t.floatLeg.notional,
        ...scheduleCells(t.floatLeg),
        ...floatCells(t.floatLeg),
        ...amortizationCells(t.floatLeg),
        option_type: t.optionType,
        strike: t.strike,
        ...(t.floatLeg.gearing !== undefined ? { float_gearing: t.floatLeg.gearing } : {}),
      };
    case 'BASIS': {
      const { leg1, leg2 } = t;
      return {
        ...base,
        currency: leg1.currency,
        notional: leg1.notional,
        ...scheduleCells(leg1),
        ...floatCells(leg1),
        float_index2: leg2.floatIndex,
        float_spread_bp2: leg2.spreadBp,
        float_frequency2: leg2.frequency,
        float_day_count2: leg2.dayCount,
      };
    }
    case 'XCCY': {
      const { leg1, leg2 } = t;
      if (leg1.kind === 'fixed' && leg2.kind === 'fixed' && (leg1.frequency !== leg2.frequency || leg1.dayCount !== leg2.dayCount)) {
        throw new XvaInternalError(`trade ${t.tradeId}: two fixed XCCY legs with different schedules have no row form`);
      }
      const row: Record<string, Cell> = {
        ...base,
        currency: leg1.currency,
        notional: leg1.notional,
        currency2: leg2.currency,
        notional2: leg2.notional,
        ...scheduleCells(leg1),
        notional_exchange: t.initialExchange ? 'both' : t.finalExchange ? 'final' : 'none',
        ...amortizationCells(leg1), // leg 2 steps in proportion (the reader derives it)
      };
      if (leg1.kind === 'fixed') Object.assign(row, fixedCells(leg1));
      else Object.assign(row, floatCells(leg1));
      if (leg2.kind === 'fixed') Object.assign(row, { fixed_rate2: leg2.fixedRate }, row['fixed_frequency'] === undefined ? { fixed_frequency: leg2.frequency, fixed_day_count: leg2.dayCount } : {});
      else {
        Object.assign(row, { float_index2: leg2.floatIndex, float_spread_bp2: leg2.spreadBp });
        // leg 2 floating: its own frequency and day count in float_frequency2/float_day_count2 where leg 1's float
        // columns are taken and differ (the reader's default is float_frequency / float_day_count)
        if (row['float_frequency'] === undefined) Object.assign(row, { float_frequency: leg2.frequency, float_day_count: leg2.dayCount });
        else if (row['float_frequency'] !== leg2.frequency || row['float_day_count'] !== leg2.dayCount) Object.assign(row, { float_frequency2: leg2.frequency, float_day_count2: leg2.dayCount });
      }
      if (t.fxReset !== undefined) row['fx_reset'] = t.fxReset;
      return row;
    }
    case 'FXFWD':
      return { ...base, currency: t.currency, notional: t.notional, currency2: t.currency2, notional2: t.notional2, maturity_date: t.maturityDate };
    case 'FXSWAP':
      return { ...base, currency: t.currency, notional: t.notional, currency2: t.currency2, start_date: t.nearDate, near_rate: t.nearRate, maturity_date: t.maturityDate, strike: t.farRate };
    case 'FXOPT':
      return { ...base, currency: t.currency, notional: t.notional, currency2: t.currency2, option_type: t.optionType, strike: t.strike, expiry_date: t.expiryDate, maturity_date: t.maturityDate };
    case 'EQFWD':
      return { ...base, underlying: t.underlying, currency: t.currency, quantity: t.quantity, strike: t.strike, maturity_date: t.maturityDate };
    case 'EQOPT':
      return { ...base, option_type: t.optionType, underlying: t.underlying, currency: t.currency, quantity: t.quantity, strike: t.strike, expiry_date: t.expiryDate };
    case 'CDS':
      return {
        ...base,
        reference_entity: t.referenceEntity,
        currency: t.currency,
        notional: t.notional,
        fixed_rate: t.fixedRate,
        start_date: t.startDate,
        maturity_date: t.maturityDate,
        fixed_frequency: t.frequency,
        fixed_day_count: t.dayCount,
        ...(t.tradeDate !== undefined ? { trade_date: t.tradeDate } : {}),
      };
  }
}

export function tradesTable(trades: readonly Trade[]): OutputTable {
  const amortising = trades.some((t) => amortisingLeg(t) !== undefined);
  const geared = trades.some((t) => (t.product === 'IRS' || t.product === 'OIS' || t.product === 'CAPFLOOR') && t.floatLeg.gearing !== undefined);
  const basis = trades.some((t) => t.product === 'BASIS' || (t.product === 'XCCY' && t.leg1.kind === 'float' && t.leg2.kind === 'float' && (t.leg1.frequency !== t.leg2.frequency || t.leg1.dayCount !== t.leg2.dayCount)));
  const columns = [
    ...TRADE_COLUMNS,
    ...(amortising ? AMORTIZATION_COLUMNS : []),
    ...(geared ? [['float_gearing', 'float64'] as const] : []),
    // written only when a basis swap or a float/float XCCY with legs on different conventions needs them, so that
    // books without one keep their columns
    ...(basis ? ([['float_frequency2', 'utf8'], ['float_day_count2', 'utf8']] as const) : []),
    // likewise `exercise`, only when a swaption is Bermudan
    ...(trades.some((t) => t.product === 'SWAPTION' && t.exerciseDates !== undefined) ? ([['exercise', 'utf8']] as const) : []),
    // `payment_lag_days`, only when a swap pays late
    ...(trades.some(hasPaymentLag) ? ([['payment_lag_days', 'int32']] as const) : []),
    // the overnight legs' compounding, only when a swap looks back or locks out
    ...(trades.some((t) => compoundingLeg(t) !== undefined)
      ? ([['float_lookback_days', 'int32'], ['float_observation_shift', 'bool'], ['float_lockout_days', 'int32']] as const)
      : []),
    // and `fx_reset`, only when a cross-currency swap resets
    ...(trades.some((t) => t.product === 'XCCY' && t.fxReset !== undefined) ? ([['fx_reset', 'utf8']] as const) : []),
    // `trade_date`, only when a CDS has one (its accrued rebate still to come)
    ...(trades.some((t) => t.product === 'CDS' && t.tradeDate !== undefined) ? ([['trade_date', 'date']] as const) : []),
  ];
  return table(columns, trades.map(tradeRow));
}

/** The notional_schedules rows of the swaps that amortise by `schedule`: each step after the start. */
function notionalScheduleRows(trades: readonly Trade[]): Record<string, Cell>[] {
  const rows: Record<string, Cell>[] = [];
  for (const t of trades) {
    const a = amortisingLeg(t)?.amortization;
    if (a?.kind !== 'schedule') continue;
    a.fromDates.forEach((d, i) => rows.push({ trade_id: t.tradeId, from_date: d, notional: a.notionals[i]! }));
  }
  return rows;
}

/** The rate_schedules rows of step-up fixed rates and stepped cap/floor strikes: each step after the start. */
function rateScheduleRows(trades: readonly Trade[]): Record<string, Cell>[] {
  const rows: Record<string, Cell>[] = [];
  for (const t of trades) {
    const steps = t.product === 'IRS' || t.product === 'OIS' || t.product === 'SWAPTION' ? t.fixedLeg.rateSteps : t.product === 'CAPFLOOR' ? t.strikeSteps : undefined;
    steps?.fromDates.forEach((d, i) => rows.push({ trade_id: t.tradeId, from_date: d, rate: steps.rates[i]! }));
  }
  return rows;
}

/**
 * trades, counterparties, netting_sets, eligible_collateral (when any), notional_schedules (when a swap amortises by
 * schedule), rate_schedules (when a rate steps) and collateral (when any) of a portfolio.
 */
export function portfolioTables(p: Portfolio): Record<string, OutputTable> {
  const out: Record<string, OutputTable> = {
    trades: tradesTable(p.trades),
    counterparties: table(
      [
        ['counterparty_id', 'utf8'], ['name', 'utf8'], ['sector', 'utf8'], ['rating', 'utf8'], ['region', 'utf8'], ['cds_curve', 'utf8'], ['recovery', 'float64'], ['qccp', 'bool'], ['risk_weight', 'float64'],
        // the wrong-way model (docs/xva.md), written only when a counterparty has one, so that books without it are written as before
        ...(p.counterparties.some((c) => c.wrongWay !== undefined)
          ? ([['wrong_way_model', 'utf8'], ['wrong_way_beta_per_m', 'float64'], ['wrong_way_log_vol', 'float64']] as const)
          : []),
      ],
      p.counterparties.map((c) => ({
        counterparty_id: c.counterpartyId,
        name: c.name,
        sector: c.sector,
        rating: c.rating,
        region: c.region,
        cds_curve: c.cdsCurve ?? null,
        recovery: c.recovery ?? null,
        qccp: c.qccp,
        risk_weight: c.riskWeight ?? null,
        wrong_way_model: c.wrongWay?.model ?? 'none',
        wrong_way_beta_per_m: c.wrongWay?.model === 'exposure' ? c.wrongWay.betaPerMillion : null,
        wrong_way_log_vol: c.wrongWay?.model === 'intensity' ? c.wrongWay.logVolatility : null,
      })),
    ),
    netting_sets: table(
      [
        ['netting_set_id', 'utf8'], ['counterparty_id', 'utf8'], ['csa', 'bool'], ['threshold_cpty', 'float64'], ['threshold_bank', 'float64'],
        ['mta_cpty', 'float64'], ['mta_bank', 'float64'], ['independent_amount_cpty', 'float64'], ['independent_amount_bank', 'float64'],
        ['initial_margin_held', 'float64'], ['rounding', 'float64'], ['margin_period_of_risk_days', 'int32'], ['margin_frequency_days', 'int32'],
        ['im_model', 'utf8'], ['collateral_currency', 'utf8'], ['cleared', 'bool'], ['ccp', 'utf8'],
        // written only when a set says it, so that books without it are written as before
        ...(p.nettingSets.some((s) => s.calculateVm !== undefined) ? [['calculate_vm', 'bool'] as const] : []),
        ...(p.nettingSets.some((s) => (s.initialMarginPosted ?? 0) > 0) ? [['initial_margin_posted', 'float64'] as const] : []),
      ],
      p.nettingSets.map((s) => ({
        netting_set_id: s.nettingSetId,
        counterparty_id: s.counterpartyId,
        csa: s.csa,
        threshold_cpty: s.thresholdCpty,
        threshold_bank: s.thresholdBank,
        mta_cpty: s.mtaCpty,
        mta_bank: s.mtaBank,
        independent_amount_cpty: s.independentAmountCpty,
        independent_amount_bank: s.independentAmountBank,
        initial_margin_held: s.initialMarginHeld ?? null,
        rounding: s.rounding,
        margin_period_of_risk_days: s.marginPeriodOfRiskDays,
        margin_frequency_days: s.marginFrequencyDays,
        im_model: s.imModel,
        collateral_currency: s.collateralCurrency,
        cleared: s.cleared,
        ccp: s.ccp ?? null,
        calculate_vm: s.calculateVm ?? null,
        initial_margin_posted: s.initialMarginPosted ?? null,
      })),
    ),
  };
  if (p.eligibleCollateral.length > 0) {
    out['eligible_collateral'] = table(
      [['netting_set_id', 'utf8'], ['asset_type', 'utf8'], ['currency', 'utf8'], ['haircut_pct', 'float64'], ['margin_type', 'utf8']],
      p.eligibleCollateral.map((e) => ({ netting_set_id: e.nettingSetId, asset_type: e.assetType, currency: e.currency ?? null, haircut_pct: e.haircutPct, margin_type: e.marginType })),
    );
  }
  const scheduled = notionalScheduleRows(p.trades);
  if (scheduled.length > 0) out['notional_schedules'] = table([['trade_id', 'utf8'], ['from_date', 'date'], ['notional', 'float64']], scheduled);
  const stepped = rateScheduleRows(p.trades);
  if (stepped.length > 0) out['rate_schedules'] = table([['trade_id', 'utf8'], ['from_date', 'date'], ['rate', 'float64']], stepped);
  if (p.collateral.length > 0) {
    out['collateral'] = table(
      [['asset_id', 'utf8'], ['asset_type', 'utf8'], ['currency', 'utf8'], ['market_value', 'float64'], ['eligibility', 'utf8'], ['haircut_pct', 'float64'], ['funding_cost_bp', 'float64'], ['issuer_rating', 'utf8']],
      p.collateral.map((a) => ({
        asset_id: a.assetId,
        asset_type: a.assetType,
        currency: a.currency,
        market_value: a.marketValue,
        eligibility: a.eligibility,
        haircut_pct: a.haircutPct,
        funding_cost_bp: a.fundingCostBp,
        issuer_rating: a.issuerRating ?? null,
      })),
    );
  }
  return out;
}

/** A swap whose coupons are paid after their accrual ends (`payment_lag_days`). */
function hasPaymentLag(t: Trade): boolean {
  switch (t.product) {
    case 'IRS':
    case 'OIS':
      return (t.fixedLeg.paymentLagDays ?? 0) > 0;
    case 'BASIS':
    case 'XCCY':
      return (t.leg1.paymentLagDays ?? 0) > 0;
    default:
      return false;
  }
}
