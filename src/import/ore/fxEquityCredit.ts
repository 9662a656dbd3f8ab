/**
 * ORE `FxForward`, `FxSwap`, `FxOption`, `EquityForward`, `EquityOption` and `CreditDefaultSwap` → xva rows.
 * FX amounts keep ORE's sides: `currency` is the bought currency (xva `buy`), `currency2` the sold one, and rates
 * are sold per bought amount (units of currency2 per currency).
 */
import { oreBool, oreCurrency, oreDate, oreNumber } from './conventions.js';
import { parseLegs, type TradeNotes } from './legs.js';
import { dropPremium, optionTerms, requireCallPut } from './options.js';
import type { TradeFields } from './rates.js';
import { Unmappable } from './report.js';
import { child, text, type XmlNode } from './xml.js';

function differentCurrencies(a: string, b: string, field: string): void {
  if (a === b) throw new Unmappable(field, b, 'bought and sold currencies are the same');
}

/** FX forward: buy BoughtAmount of BoughtCurrency against SoldAmount of SoldCurrency on ValueDate. */
export function mapFxForward(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const p = 'FxForwardData';
  const bought = oreCurrency(text(data, 'BoughtCurrency'), `${p}/BoughtCurrency`);
  const sold = oreCurrency(text(data, 'SoldCurrency'), `${p}/SoldCurrency`);
  differentCurrencies(bought, sold, `${p}/SoldCurrency`);
  if (text(data, 'Settlement')?.toLowerCase() === 'cash')
    notes.approximate(`${p}/Settlement`, 'Cash', 'non-deliverable: xva values the forward as a physical exchange (same value before the fixing)');
  return {
    product: 'FXFWD',
    direction: 'buy',
    currency: bought,
    notional: oreNumber(text(data, 'BoughtAmount'), `${p}/BoughtAmount`, { positive: true }),
    currency2: sold,
    notional2: oreNumber(text(data, 'SoldAmount'), `${p}/SoldAmount`, { positive: true }),
    maturity_date: oreDate(text(data, 'ValueDate'), `${p}/ValueDate`),
  };
}

/**
 * FX swap: buy NearBoughtAmount of NearBoughtCurrency at the near date, sell it back (FarSoldAmount) at the far
 * date. Near rate = NearSoldAmount / NearBoughtAmount, far rate (xva `strike`) = FarBoughtAmount / FarSoldAmount.
 */
export function mapFxSwap(data: XmlNode | undefined): TradeFields {
  const p = 'FxSwapData';
  const bought = oreCurrency(text(data, 'NearBoughtCurrency'), `${p}/NearBoughtCurrency`);
  const sold = oreCurrency(text(data, 'NearSoldCurrency'), `${p}/NearSoldCurrency`);
  differentCurrencies(bought, sold, `${p}/NearSoldCurrency`);
  const nearBought = oreNumber(text(data, 'NearBoughtAmount'), `${p}/NearBoughtAmount`, { positive: true });
  const nearSold = oreNumber(text(data, 'NearSoldAmount'), `${p}/NearSoldAmount`, { positive: true });
  const farBought = oreNumber(text(data, 'FarBoughtAmount'), `${p}/FarBoughtAmount`, { positive: true });
  const farSold = oreNumber(text(data, 'FarSoldAmount'), `${p}/FarSoldAmount`, { positive: true });
  if (farSold !== nearBought)
    throw new Unmappable(`${p}/FarSoldAmount`, String(farSold), `uneven FX swap (near bought ${nearBought}): xva FX swaps exchange the same amount of ${bought} at both dates`);
  const nearDate = oreDate(text(data, 'NearDate'), `${p}/NearDate`);
  const farDate = oreDate(text(data, 'FarDate'), `${p}/FarDate`);
  if (!(farDate > nearDate)) throw new Unmappable(`${p}/FarDate`, text(data, 'FarDate'), 'the far date must be after the near date');
  return {
    product: 'FXSWAP',
    direction: 'buy',
    currency: bought,
    notional: nearBought,
    currency2: sold,
    start_date: nearDate,
    maturity_date: farDate,
    near_rate: nearSold / nearBought,
    strike: farBought / farSold,
  };
}

/** European FX option on BoughtCurrency: a call is the right to buy it at strike SoldAmount / BoughtAmount. */
export function mapFxOption(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const p = 'FxOptionData';
  const subType = text(data, 'SubType');
  if (subType !== undefined && subType.toLowerCase() !== 'vanilla')
    throw new Unmappable(`${p}/SubType`, subType, 'only vanilla FX options are supported by xva');
  if (child(data, 'Barriers') !== undefined || text(data, 'BarrierType') !== undefined)
    throw new Unmappable(`${p}/Barriers`, undefined, 'barrier FX options are not supported by xva');
  const option = optionTerms(data, p, notes);
  dropPremium(data, p, notes);
  const bought = oreCurrency(text(data, 'BoughtCurrency'), `${p}/BoughtCurrency`);
  const sold = oreCurrency(text(data, 'SoldCurrency'), `${p}/SoldCurrency`);
  differentCurrencies(bought, sold, `${p}/SoldCurrency`);
  const boughtAmount = oreNumber(text(data, 'BoughtAmount'), `${p}/BoughtAmount`, { positive: true });
  const soldAmount = oreNumber(text(data, 'SoldAmount'), `${p}/SoldAmount`, { positive: true });
  if (child(data, 'PaymentData') !== undefined)
    notes.approximate(`${p}/PaymentData`, undefined, 'delayed payment ignored: xva settles on the expiry date');
  return {
    product: 'FXOPT',
    direction: option.long ? 'buy' : 'sell',
    option_type: requireCallPut(option, p),
    currency: bought,
    notional: boughtAmount,
    currency2: sold,
    strike: soldAmount / boughtAmount,
    expiry_date: option.expiryDate,
    maturity_date: option.expiryDate,
  };
}

/** The equity name: `<Name>` or `<Underlying><Name>` (newer ORE), kept as written (the market file's `equities` key). */
function equityName(data: XmlNode | undefined, p: string): string {
  const name = text(data, 'Name') ?? text(child(data, 'Underlying'), 'Name');
  if (name === undefined) throw new Unmappable(`${p}/Name`, undefined, 'the equity name is required');
  const type = text(child(data, 'Underlying'), 'Type');
  if (type !== undefined && type.toLowerCase() !== 'equity')
    throw new Unmappable(`${p}/Underlying/Type`, type, 'only single equities are supported by xva');
  return name;
}

/** Strike per share, in the trade currency (a StrikeCurrency other than Currency would be a quanto). */
function equityStrike(data: XmlNode | undefined, p: string, currency: string): number {
  const strikeCurrency = text(data, 'StrikeCurrency') ?? text(child(child(data, 'StrikeData'), 'StrikePrice'), 'Currency');
  if (strikeCurrency !== undefined && strikeCurrency.toUpperCase() !== currency)
    throw new Unmappable(`${p}/StrikeCurrency`, strikeCurrency, `strike currency differs from the trade currency ${currency} (quanto): not supported by xva`);
  const strike = text(data, 'Strike') ?? text(child(child(data, 'StrikeData'), 'StrikePrice'), 'Value');
  return oreNumber(strike, `${p}/Strike`, { positive: true });
}

export function mapEquityForward(data: XmlNode | undefined): TradeFields {
  const p = 'EquityForwardData';
  const longShort = text(data, 'LongShort')?.toLowerCase();
  if (longShort !== 'long' && longShort !== 'short')
    throw new Unmappable(`${p}/LongShort`, text(data, 'LongShort'), 'expected Long or Short');
  const currency = oreCurrency(text(data, 'Currency'), `${p}/Currency`);
  return {
    product: 'EQFWD',
    direction: longShort === 'long' ? 'buy' : 'sell',
    underlying: equityName(data, p),
    currency,
    quantity: oreNumber(text(data, 'Quantity'), `${p}/Quantity`, { positive: true }),
    strike: equityStrike(data, p, currency),
    maturity_date: oreDate(text(data, 'Maturity'), `${p}/Maturity`),
  };
}

export function mapEquityOption(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const p = 'EquityOptionData';
  const option = optionTerms(data, p, notes);
  dropPremium(data, p, notes);
  const currency = oreCurrency(text(data, 'Currency'), `${p}/Currency`);
  return {
    product: 'EQOPT',
    direction: option.long ? 'buy' : 'sell',
    option_type: requireCallPut(option, p),
    underlying: equityName(data, p),
    currency,
    quantity: oreNumber(text(data, 'Quantity'), `${p}/Quantity`, { positive: true }),
    strike: equityStrike(data, p, currency),
    expiry_date: option.expiryDate,
  };
}

/**
 * Single-name CDS: the premium leg's Payer = true means we pay the premium, i.e. buy protection. The reference name
 * is CreditCurveId (or ReferenceInformation/ReferenceEntityId), the market file's `credit.names` key.
 */
export function mapCreditDefaultSwap(data: XmlNode | undefined, notes: TradeNotes): TradeFields {
  const p = 'CreditDefaultSwapData';
  const reference =
    text(data, 'CreditCurveId') ?? text(child(data, 'ReferenceInformation'), 'ReferenceEntityId') ?? text(data, 'IssuerId');
  if (reference === undefined) throw new Unmappable(`${p}/CreditCurveId`, undefined, 'the reference entity (CreditCurveId) is required');
  // a fixed-recovery (recovery-lock) CDS pays 1 − that recovery: xva's CDS takes the name's market recovery
  const fixedRecovery = text(data, 'FixedRecoveryRate');
  if (fixedRecovery !== undefined)
    throw new Unmappable(`${p}/FixedRecoveryRate`, fixedRecovery, "a fixed-recovery CDS is not mapped: xva's CDS pays 1 − the reference name's market recovery");
  const legs = parseLegs(data, p, notes, { cdsSchedule: true, paidOnAccrualEnd: 'the CDS premiums' });
  if (legs.length !== 1 || legs[0]!.kind !== 'fixed')
    throw new Unmappable(`${p}/LegData`, `${legs.length} legs`, 'a CDS needs exactly one fixed premium leg');
  const leg = legs[0]!;
  // protection from another date than the premium leg's start (a forward-starting protection): xva protects from
  // the premium leg's start
  // (a standard CDS's protection starts on its trade date, up to a quarter after the accrual start: xva's step-in
  // date, the day after the as-of date, stands for it)
  const protectionStart = text(data, 'ProtectionStart');
  const protectionFrom = protectionStart === undefined ? undefined : oreDate(protectionStart, `${p}/ProtectionStart`);
  if (protectionFrom !== undefined && protectionFrom > leg.startDate + 92)
    throw new Unmappable(`${p}/ProtectionStart`, protectionStart, "forward-starting protection is not mapped: xva's CDS protects from the premium leg's start (or its step-in date)");
  if (protectionFrom !== undefined && protectionFrom !== leg.startDate)
    notes.approximate(`${p}/ProtectionStart`, protectionStart, "xva protects from the later of the premium leg's start and its step-in date (the day after the as-of date)");
  if (!oreBool(text(data, 'PaysAtDefaultTime'), `${p}/PaysAtDefaultTime`, true))
    notes.approximate(`${p}/PaysAtDefaultTime`, text(data, 'PaysAtDefaultTime'), 'xva pays the protection at default (ISDA standard), not at the premium leg\'s end');
  const upfront = text(data, 'UpfrontFee');
  if (upfront !== undefined && Number(upfront) !== 0)
    notes.drop(`${p}/UpfrontFee`, upfront, 'the upfront fee payment is not carried over');
  if (!oreBool(text(data, 'SettlesAccrual'), `${p}/SettlesAccrual`, true))
    notes.approximate(`${p}/SettlesAccrual`, text(data, 'SettlesAccrual'), 'xva pays accrued premium on default (ISDA standard)');
  // the trade date: its accrued rebate is paid at cash settlement, 3 business days later (docs/inputs.md trade_date)
  const tradeDateText = text(data, 'TradeDate');
  const tradeDate = tradeDateText === undefined ? undefined : oreDate(tradeDateText, `${p}/TradeDate`);
  const cashSettlementDays = text(data, 'CashSettlementDays');
  if (cashSettlementDays !== undefined && Number(cashSettlementDays) !== 3)
    notes.approximate(`${p}/CashSettlementDays`, cashSettlementDays, 'xva settles a CDS trade 3 business days after its trade date (ISDA standard)');
  return {
    product: 'CDS',
    direction: leg.payer ? 'buy' : 'sell',
    reference_entity: reference,
    currency: leg.currency,
    notional: leg.notional,
    fixed_rate: leg.fixedRate!,
    start_date: leg.startDate,
    maturity_date: leg.endDate,
    fixed_frequency: leg.frequency,
    fixed_day_count: leg.dayCount,
    ...(tradeDate !== undefined ? { trade_date: tradeDate } : {}),
  };
}
