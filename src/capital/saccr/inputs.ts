/**
 * The side inputs of SA-CCR, read from a folder (the portfolio folder): each table is `<name>.parquet`, `.pq` or
 * `.csv` and optional (docs/capital.md, "SA-CCR inputs"):
 *
 * - `trade_values`: today's values in the base currency, per `trade_id` or per `netting_set_id` (V of the set);
 * - `collateral_balances`: VM and independent collateral per netting set (haircut values);
 * - `reference_entities`: rating or index grade of credit names, single name / index of equity names;
 * - `saccr_trades`: positions given directly in SA-CCR terms (commodities, anything xva has no product for).
 *
 * Every problem is recorded in the IssueCollector with file, row, column and value; rows with problems are left out.
 */
import { MAX_AMOUNT, signedAmount } from '../../portfolio/cellBounds.js';
import path from 'node:path';
import { XvaInputError, type IssueCollector } from '../../errors.js';
import { findTableFile, readTable } from '../../io/read.js';
import { FieldReader, reportUnknownColumns } from '../../io/table.js';
import { isCurrencyCode } from '../../conventions/currencies.js';
import { fxPairOrder } from './conventions.js';
import { CURRENCIES, type Currency } from '../../products/types.js';
import type { Market } from '../../market/types.js';
import { readReferenceEntities, REFERENCE_ENTITY_COLUMNS } from '../../portfolio/referenceEntities.js';
import { COMMODITY_HEDGING_SETS, COMMODITY_SUBCLASSES, type CreditRating } from './parameters.js';
import type { HedgingSetKind, SaccrAssetClass, SaccrCollateralBalance, SaccrOptions, SaccrPosition, SaccrSubclass } from './types.js';

export type SaccrInputs = Pick<SaccrOptions, 'tradeValues' | 'nettingSetValues' | 'collateralBalances' | 'referenceEntities' | 'externalPositions' | 'rateShift'>;

const TABLES = {
  trade_values: ['trade_id', 'netting_set_id', 'value'],
  collateral_balances: ['netting_set_id', 'currency', 'variation_margin', 'independent_collateral_received', 'independent_collateral_posted', 'posted_segregated'],
  reference_entities: REFERENCE_ENTITY_COLUMNS,
  saccr_trades: [
    'trade_id', 'netting_set_id', 'asset_class', 'hedging_set', 'hedging_set_kind', 'entity', 'subclass', 'notional', 'direction',
    'option_type', 'price', 'strike', 'shift', 'exercise_years', 'attachment', 'detachment', 'start_years', 'end_years', 'maturity_years',
  ],
} as const;
type TableName = keyof typeof TABLES;

const CREDIT_RATINGS: readonly CreditRating[] = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC'];
const ASSET_CLASSES: readonly SaccrAssetClass[] = ['IR', 'FX', 'Credit', 'Equity', 'Commodity'];
const ENUM = { ignoreCase: true } as const;
const REQUIRED_ENUM = { required: true, ignoreCase: true } as const;

async function open(dir: string, name: TableName, issues: IssueCollector): Promise<FieldReader | undefined> {
  let filePath: string | undefined;
  try {
    filePath = findTableFile(dir, name);
    if (filePath === undefined) return undefined;
    const table = await readTable(filePath, { displayName: path.basename(filePath) });
    const known: readonly string[] = TABLES[name];
    // reference_entities is read with the portfolio too (portfolio/load.ts), which reports its unknown columns
    if (name === 'reference_entities') return new FieldReader(table, issues);
    return new FieldReader(table, issues).readAs(reportUnknownColumns(table, known, issues, { value: 'unknown column(s), ignored', expected: `columns of the ${name} table (docs/capital.md)`, severity: 'warning' }));
  } catch (err) {
    if (err instanceof XvaInputError) {
      for (const issue of err.issues) issues.add(issue);
      return undefined;
    }
    throw err;
  }
}

function readValues(r: FieldReader, out: SaccrInputs): void {
  if (!r.requireColumns(['value'])) return;
  const byTrade = new Map<string, number>();
  const bySet = new Map<string, number>();
  for (let row = 0; row < r.table.numRows; row++) {
    const tradeId = r.string('trade_id', row);
    const setId = r.string('netting_set_id', row);
    const value = signedAmount(r, row, 'value', 'a value in the base currency', true);
    if ((tradeId === undefined) === (setId === undefined)) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'trade_id', value: tradeId ?? '', expected: 'exactly one of trade_id (a trade value) or netting_set_id (the value V of a netting set)' });
      continue;
    }
    if (value === undefined) continue;
    const [map, id] = tradeId !== undefined ? [byTrade, tradeId] : [bySet, setId!];
    if (map.has(id)) {
      r.issues.add({ file: r.table.file, row: row + 1, column: tradeId !== undefined ? 'trade_id' : 'netting_set_id', value: id, expected: 'one row per id' });
      continue;
    }
    map.set(id, value);
  }
  out.tradeValues = byTrade;
  out.nettingSetValues = bySet;
}

function readBalances(r: FieldReader, out: SaccrInputs, market?: Market): void {
  if (!r.requireColumns(['netting_set_id'])) return;
  const balances = new Map<string, SaccrCollateralBalance>();
  for (let row = 0; row < r.table.numRows; row++) {
    const nettingSetId = r.string('netting_set_id', row, { required: true });
    const currency = r.oneOf('currency', row, CURRENCIES, ENUM);
    if (currency !== undefined && market) checkBalanceCurrency(r, row, currency, market);
    const vm = signedAmount(r, row, 'variation_margin', 'a net VM amount (received positive, posted negative)') ?? 0;
    const received = r.number('independent_collateral_received', row, { min: 0, max: MAX_AMOUNT, what: `an amount >= 0, at most ${MAX_AMOUNT}` });
    const posted = r.number('independent_collateral_posted', row, { min: 0, max: MAX_AMOUNT, what: `an amount >= 0, at most ${MAX_AMOUNT}` });
    const segregated = r.boolean('posted_segregated', row) ?? false;
    if (nettingSetId === undefined) continue;
    if (balances.has(nettingSetId)) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'netting_set_id', value: nettingSetId, expected: 'one balance row per netting set' });
      continue;
    }
    const balance: SaccrCollateralBalance = { nettingSetId, variationMargin: vm, postedSegregated: segregated };
    if (currency !== undefined) balance.currency = currency as Currency;
    if (received !== undefined) balance.independentCollateralReceived = received;
    if (posted !== undefined) balance.independentCollateralPosted = posted;
    balances.set(nettingSetId, balance);
  }
  out.collateralBalances = balances;
}

function readEntities(r: FieldReader, out: SaccrInputs): void {
  const entities = readReferenceEntities(r);
  if (entities) out.referenceEntities = entities;
}

/** The Table 2 subclass of a directly given position, from `subclass` (and the class). */
function positionSubclass(r: FieldReader, row: number, assetClass: SaccrAssetClass): SaccrSubclass | undefined {
  switch (assetClass) {
    case 'IR':
      return { kind: 'IR' };
    case 'FX':
      return { kind: 'FX' };
    case 'Credit': {
      const s = r.oneOf('subclass', row, [...CREDIT_RATINGS, 'IG', 'SG'] as const, REQUIRED_ENUM);
      if (s === undefined) return undefined;
      return s === 'IG' || s === 'SG' ? { kind: 'CreditIndex', grade: s } : { kind: 'CreditSingleName', rating: s };
    }
    case 'Equity': {
      const s = r.oneOf('subclass', row, ['single_name', 'index'] as const, REQUIRED_ENUM);
      if (s === undefined) return undefined;
      return s === 'index' ? { kind: 'EquityIndex' } : { kind: 'EquitySingleName' };
    }
    case 'Commodity': {
      const s = r.oneOf('subclass', row, COMMODITY_SUBCLASSES, REQUIRED_ENUM);
      return s === undefined ? undefined : { kind: 'Commodity', subclass: s };
    }
  }
}

/**
 * An IR position's hedging set: its currency (CRE52.43), and for a basis position optionally its pair of risk factors,
 * `USD SOFR/FF` (CRE52.46(b): a hedging set of its own per pair; the pair in alphabetical order, as a BASIS trade's).
 * A basis position given by its currency alone shares the currency's one basis hedging set. `reversedPair`: the row
 * wrote the pair in the other order, so its long/short refers to the other difference (B − A) and turns.
 */
function irHedgingSet(r: FieldReader, row: number, kind: HedgingSetKind): { hedgingSet: string; reversedPair?: boolean } | undefined {
  const text = r.string('hedging_set', row, { required: true });
  if (text === undefined) return undefined;
  const m = /^([A-Za-z]{3})(?:\s+([^\s/]+)\/([^\s/]+))?$/.exec(text.trim());
  const ccy = m?.[1]!.toUpperCase();
  if (!m || !(CURRENCIES as readonly string[]).includes(ccy!) || (m[2] !== undefined && kind !== 'basis')) {
    r.issues.add({
      file: r.table.file,
      row: row + 1,
      column: 'hedging_set',
      value: text,
      expected: `a currency (${CURRENCIES.join(', ')})${kind === 'basis' ? ', optionally with its pair of risk factors: USD SOFR/FF (CRE52.46(b))' : ''}`,
    });
    return undefined;
  }
  if (m[2] === undefined) return { hedgingSet: ccy! };
  const [a, b] = [m[2], m[3]!].sort();
  if (a === b) {
    r.issues.add({ file: r.table.file, row: row + 1, column: 'hedging_set', value: text, expected: 'a pair of two different risk factors' });
    return undefined;
  }
  return { hedgingSet: `${ccy} ${a}/${b}`, reversedPair: a !== m[2] };
}

/** SA-CCR's price P and strike K of an option must be positive after the shift λ (CRE52.40 FAQ2). */
function checkShiftedOption(r: FieldReader, row: number, price: number, strike: number, shift: number): void {
  for (const [column, value] of [['price', price], ['strike', strike]] as const) {
    if (!(value + shift > 0)) {
      r.issues.add({ file: r.table.file, row: row + 1, column, value: String(value), expected: `${column === 'price' ? 'P' : 'K'} + shift > 0 (shift ${shift}): give a shift λ so that P + λ and K + λ are positive (CRE52.40 FAQ2)` });
    }
  }
}

function readPosition(r: FieldReader, row: number): SaccrPosition | undefined {
  const errorsBefore = r.issues.errorCount;
  const tradeId = r.string('trade_id', row, { required: true });
  const nettingSetId = r.string('netting_set_id', row, { required: true });
  const assetClass = r.oneOf('asset_class', row, ASSET_CLASSES, REQUIRED_ENUM);
  const notional = r.number('notional', row, { required: true, min: 0, max: MAX_AMOUNT, what: `a notional in the base currency >= 0, at most ${MAX_AMOUNT}` });
  const direction = r.oneOf('direction', row, ['long', 'short', 'bought', 'sold'] as const, REQUIRED_ENUM);
  const maturityYears = r.number('maturity_years', row, { required: true, min: 0, what: 'the maturity M in years >= 0' });
  const kind = (r.oneOf('hedging_set_kind', row, ['regular', 'basis', 'volatility'] as const, ENUM) ?? 'regular') as HedgingSetKind;
  if (tradeId === undefined || nettingSetId === undefined || assetClass === undefined || direction === undefined) return undefined;
  const subclass = positionSubclass(r, row, assetClass);
  let hedgingSet: string | undefined;
  let invertedPair = false;
  let commodityHedgingSet: SaccrPosition['commodityHedgingSet'];
  let reversedBasis = false;
  if (assetClass === 'IR') {
    const ir = irHedgingSet(r, row, kind);
    hedgingSet = ir?.hedgingSet;
    reversedBasis = ir?.reversedPair === true;
  }
  else if (assetClass === 'FX') {
    const pair = r.string('hedging_set', row, { required: true })?.toUpperCase();
    const a = pair?.slice(0, 3) as Currency | undefined;
    const b = pair?.slice(3) as Currency | undefined;
    if (pair !== undefined && (!/^[A-Z]{6}$/.test(pair) || !isCurrencyCode(a!) || !isCurrencyCode(b!) || a === b)) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'hedging_set', value: pair, expected: 'a pair of two ISO 4217 currencies such as EURUSD' });
    } else if (pair !== undefined) {
      // CRE52.45: one hedging set per pair, whichever way it is quoted: the market order (conventions.ts fxPairOrder);
      // a position given on the inverse pair has the opposite delta to its risk factor (below)
      const [first, second] = fxPairOrder(a!, b!);
      hedgingSet = first + second;
      invertedPair = first !== a;
    }
  } else if (assetClass === 'Commodity') {
    commodityHedgingSet = r.oneOf('hedging_set', row, COMMODITY_HEDGING_SETS, REQUIRED_ENUM);
    // CRE52.69: the commodity type decides the hedging set (electricity and oil/gas are energy); a mislabelled set would
    // aggregate the position with another set's types at ρ = 40% instead of adding the sets
    const type = subclass?.kind === 'Commodity' ? subclass.subclass : undefined;
    const setOfType = type === undefined ? undefined : commodityHedgingSetOf(type);
    if (commodityHedgingSet !== undefined && setOfType !== undefined && setOfType !== commodityHedgingSet) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'hedging_set', value: commodityHedgingSet, expected: `${setOfType}, the hedging set of subclass ${type} (CRE52.69: electricity and oil_gas are energy; metals, agricultural and other their own)` });
    }
    hedgingSet = commodityHedgingSet;
  } else hedgingSet = assetClass;
  const needsEntity = assetClass === 'Credit' || assetClass === 'Equity' || assetClass === 'Commodity';
  const entity = needsEntity ? r.string('entity', row, { required: true }) : undefined;
  const needsTimes = assetClass === 'IR' || assetClass === 'Credit';
  const startYears = needsTimes ? r.number('start_years', row, { min: 0, what: 'S in years >= 0' }) : undefined;
  // CRE52.34: S and E are the start and end of the period the position references, E >= S (SD = (e^{−0.05S} −
  // e^{−0.05E})/0.05 would be negative)
  const endYears = needsTimes
    ? r.number('end_years', row, { required: true, min: startYears ?? 0, what: startYears !== undefined && startYears > 0 ? `E in years >= S (start_years ${startYears})` : 'E in years >= 0' })
    : undefined;

  const position: SaccrPosition = {
    tradeId,
    component: 'record',
    nettingSetId,
    product: 'external',
    source: { file: r.table.file, row: row + 1 },
    assetClass,
    hedgingSet: hedgingSet ?? '',
    hedgingSetKind: kind,
    subclass: subclass ?? { kind: 'IR' },
    notionalBase: notional ?? 0,
    direction: direction === 'short' ? -1 : 1,
    maturityYears: maturityYears ?? 0,
  };
  if (entity !== undefined) position.entity = entity;
  if (commodityHedgingSet !== undefined) position.commodityHedgingSet = commodityHedgingSet;
  if (startYears !== undefined) position.startYears = startYears;
  if (endYears !== undefined) position.endYears = endYears;
  if (direction === 'bought' || direction === 'sold') {
    const bought = direction === 'bought';
    const attachment = r.number('attachment', row, { min: 0, max: 1, what: 'a tranche attachment point in [0, 1]' });
    if (attachment !== undefined) {
      const detachment = r.number('detachment', row, { required: true, min: attachment, max: 1, what: `a detachment point in [${attachment}, 1]` });
      if (detachment !== undefined) position.optionality = { kind: 'cdoTranche', purchasedProtection: bought, attachment, detachment };
    } else {
      const optionType = r.oneOf('option_type', row, ['call', 'put'] as const, REQUIRED_ENUM);
      const price = r.number('price', row, { required: true, what: 'the underlying price P' });
      const strike = r.number('strike', row, { required: true, what: 'the strike K' });
      const shift = r.number('shift', row, { min: 0, what: 'a shift λ >= 0' }) ?? 0;
      const exerciseYears = r.number('exercise_years', row, { required: true, min: 0, what: 'the latest exercise time T in years >= 0' });
      if (price !== undefined && strike !== undefined) checkShiftedOption(r, row, price, strike, shift);
      if (optionType !== undefined && price !== undefined && strike !== undefined && exerciseYears !== undefined) {
        position.optionality = { kind: 'option', optionType, bought, underlyingPrice: price, strike, shift };
        position.exerciseYears = exerciseYears;
        position.direction = optionType === 'call' ? 1 : -1;
      }
    }
  }
  // on the inverse pair (USDEUR for EURUSD) the position is restated on the hedging set's pair, as a book FX option is
  // (mapping.ts FXOPT): a linear position's direction flips; an option's call is a put on the pair, at 1/P and 1/K,
  // bought as given (so its supervisory delta is the same option's whichever way the pair is quoted)
  if (invertedPair) {
    const o = position.optionality;
    if (o?.kind === 'option') {
      const optionType = o.optionType === 'call' ? 'put' : 'call';
      position.optionality = { ...o, optionType, underlyingPrice: 1 / o.underlyingPrice, strike: 1 / o.strike };
      position.direction = optionType === 'call' ? 1 : -1;
    } else position.direction = -position.direction as 1 | -1;
  }
  // a basis pair written B/A: long (B − A) is short the hedging set's A − B, as a BASIS trade's δ is set (mapping.ts);
  // an option on such a pair would need its price and strike negated, which CRE52.40 cannot take: refused
  if (reversedBasis) {
    if (position.optionality !== undefined) {
      r.issues.add({ file: r.table.file, row: row + 1, column: 'hedging_set', value: r.string('hedging_set', row) ?? '', expected: `the pair in alphabetical order (${position.hedgingSet}) for an option on a basis: long and short refer to the first index less the second` });
    } else position.direction = -position.direction as 1 | -1;
  }
  return r.issues.errorCount === errorsBefore ? position : undefined;
}

/** CRE52.69: the hedging set of a commodity type. */
function commodityHedgingSetOf(type: (typeof COMMODITY_SUBCLASSES)[number]): (typeof COMMODITY_HEDGING_SETS)[number] {
  return type === 'electricity' || type === 'oil_gas' ? 'energy' : type;
}

/** Reads the SA-CCR side tables found in `dir` (none is required). */
/**
 * A balance's currency must convert into the base currency: one the market has a discount curve (and an FX rate) for;
 * else the figures would stop on the missing rate far from the row that asked for it.
 */
export function checkBalanceCurrency(r: FieldReader, row: number, currency: string, market: Market): void {
  if (market.currencies.includes(currency as Currency)) return;
  r.issues.add({ file: r.table.file, row: row + 1, column: 'currency', value: currency, expected: `a currency with a discount curve and an FX rate in the market file (it has ${market.currencies.join(', ')})` });
}

/** The SA-CCR side tables of `dir`; `market` checks the balances' currencies (convertible into the base currency). */
export async function loadSaccrInputs(dir: string, issues: IssueCollector, market?: Market): Promise<SaccrInputs> {
  const out: SaccrInputs = {};
  const values = await open(dir, 'trade_values', issues);
  if (values) readValues(values, out);
  const balances = await open(dir, 'collateral_balances', issues);
  if (balances) readBalances(balances, out, market);
  const entities = await open(dir, 'reference_entities', issues);
  if (entities) readEntities(entities, out);
  const records = await open(dir, 'saccr_trades', issues);
  if (records && records.requireColumns(['trade_id', 'netting_set_id', 'asset_class', 'notional', 'direction', 'maturity_years'])) {
    const positions: SaccrPosition[] = [];
    // an entity (credit name, equity, commodity type) has one subclass: two ratings would give it two supervisory
    // factors in one entity add-on (CRE52.60, CRE52.70)
    const subclassOf = new Map<string, { subclass: string; row: number }>();
    // one shift λ for all interest rate options of a currency (CRE52.40 FAQ2)
    const shiftOf = new Map<string, { shift: number; row: number }>();
    // one row per position: a repeated trade_id would add its add-on twice while trade_values gives its value once
    const rowOf = new Map<string, number>();
    for (let row = 0; row < records.table.numRows; row++) {
      const pos = readPosition(records, row);
      if (!pos) continue;
      const firstRow = rowOf.get(pos.tradeId);
      if (firstRow !== undefined) {
        records.issues.add({ file: records.table.file, row: row + 1, column: 'trade_id', value: pos.tradeId, expected: `an id of its own: row ${firstRow} has it already (each row is one position; its value in trade_values counts once)` });
        continue;
      }
      rowOf.set(pos.tradeId, row + 1);
      if (pos.assetClass === 'IR' && pos.optionality?.kind === 'option') {
        const currency = pos.hedgingSet.slice(0, 3);
        const first = shiftOf.get(currency);
        if (first === undefined) shiftOf.set(currency, { shift: pos.optionality.shift, row: row + 1 });
        else if (first.shift !== pos.optionality.shift) {
          records.issues.add({ file: records.table.file, row: row + 1, column: 'shift', value: String(pos.optionality.shift), expected: `the shift λ row ${first.row} gives ${currency} options (${first.shift}): one λ for all interest rate options of a currency (CRE52.40 FAQ2)` });
          continue;
        }
      }
      if (pos.entity !== undefined && (pos.assetClass === 'Credit' || pos.assetClass === 'Equity' || pos.assetClass === 'Commodity')) {
        const key = `${pos.assetClass}|${pos.entity}`;
        const subclass = JSON.stringify(pos.subclass);
        const first = subclassOf.get(key);
        if (first === undefined) subclassOf.set(key, { subclass, row: row + 1 });
        else if (first.subclass !== subclass) {
          records.issues.add({ file: records.table.file, row: row + 1, column: 'subclass', value: records.string('subclass', row) ?? '', expected: `the subclass row ${first.row} gives ${pos.entity} (one rating or kind per entity)` });
          continue;
        }
      }
      positions.push(pos);
    }
    out.externalPositions = positions;
  }
  return out;
}
