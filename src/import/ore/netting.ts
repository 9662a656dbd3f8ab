/**
 * ORE netting.xml → xva netting sets (+ eligible collateral). ORE's "Pay" terms bind our posting (xva `_bank`), the
 * "Receive" terms the counterparty's (xva `_cpty`); IndependentAmountHeld > 0 is held by us (posted by the
 * counterparty). Periods become business days, the unit of the netting_sets table.
 */
import { XvaInputError, type InputIssue } from '../../errors.js';
import { isCurrency, type Currency } from '../../products/types.js';
import { MAX_MARGIN_FREQUENCY_DAYS, MAX_MPOR_DAYS } from '../../portfolio/bookRows.js';
import { oreBool, orePeriodBusinessDays } from './conventions.js';
import { Unmappable, type ImportFinding } from './report.js';
import { emptyRow, ELIGIBLE_COLLATERAL_COLUMNS, NETTING_SET_COLUMNS, type EligibleCollateralRow, type NettingSetRow } from './rows.js';
import { child, childNames, children, text, texts, type XmlDocument, type XmlNode } from './xml.js';

export interface NettingImport {
  /** By netting set id, counterparty_id still unset (it comes from the trades). */
  rows: Map<string, NettingSetRow>;
  eligible: EligibleCollateralRow[];
  findings: ImportFinding[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The netting set id of an ORE `Envelope` or `NettingSet` node, as ORE's Envelope::fromXML and
 * NettingSetDefinition::fromXML read it: `NettingSetDetails/NettingSetId` when a `NettingSetDetails` node is given,
 * else `NettingSetId`. `others`: the other keys of the details given with a value (AgreementType, CallType,
 * InitialMarginType, LegalEntityId, ...), which are part of ORE's netting set key but have no xva column.
 */
export function oreNettingSetId(node: XmlNode | undefined): { id: string | undefined; others: { field: string; value: string }[] } {
  const details = child(node, 'NettingSetDetails');
  if (details === undefined) return { id: text(node, 'NettingSetId'), others: [] };
  const others = childNames(details)
    .filter((name) => name !== 'NettingSetId')
    .flatMap((name) => texts(details, name).map((value) => ({ field: `NettingSetDetails/${name}`, value })));
  return { id: text(details, 'NettingSetId'), others };
}

/** Why a NettingSetDetails key other than the id is not carried over (oreNettingSetId's `others`). */
export const NETTING_SET_DETAILS_DROPPED =
  "xva keys a netting set by its NettingSetId alone: ORE's key is the whole NettingSetDetails, so netting sets differing only in this field are one netting set in xva";

export function importNettingSets(doc: XmlDocument | undefined, baseCurrency: Currency | undefined): NettingImport {
  const result: NettingImport = { rows: new Map(), eligible: [], findings: [] };
  if (doc === undefined) return result;
  const issues: InputIssue[] = [];

  for (const node of children(doc.root, 'NettingSet')) {
    const line = doc.lineOf(node);
    const where = { file: doc.file, ...(line !== undefined ? { row: line } : {}) };
    const { id, others } = oreNettingSetId(node);
    if (id === undefined) {
      issues.push({ ...where, column: 'NettingSetId', expected: 'a netting set id' });
      continue;
    }
    if (result.rows.has(id)) {
      issues.push({ ...where, column: 'NettingSetId', value: id, expected: 'a unique netting set id (it appears twice)' });
      continue;
    }
    const subject = { file: doc.file, ...(line !== undefined ? { line } : {}), nettingSetId: id };
    const note = (kind: ImportFinding['kind'], field: string, value: string | undefined, reason: string): void => {
      result.findings.push({ kind, ...subject, field, ...(value !== undefined ? { value } : {}), reason });
    };
    const amount = (parent: typeof node | undefined, name: string, path: string): number | undefined => {
      const t = text(parent, name);
      if (t === undefined) return undefined;
      if (!NUMBER.test(t)) {
        issues.push({ ...where, column: path, value: t, expected: 'a number' });
        return undefined;
      }
      return Number(t);
    };
    const nonNegative = (value: number | undefined, path: string): number | undefined => {
      if (value !== undefined && value < 0) {
        issues.push({ ...where, column: path, value: String(value), expected: 'an amount of at least 0' });
        return undefined;
      }
      return value;
    };

    for (const o of others) note('unmapped_field', o.field, o.value, NETTING_SET_DETAILS_DROPPED);
    try {
      const row: NettingSetRow = { ...emptyRow(NETTING_SET_COLUMNS), netting_set_id: id, im_model: 'none', cleared: false };
      const csaDetails = child(node, 'CSADetails');
      // ORE: ActiveCSAFlag "if left blank or omitted, defaults to True"
      let active = oreBool(text(node, 'ActiveCSAFlag'), 'ActiveCSAFlag', true);
      const hasTerms = csaDetails !== undefined && Object.keys(csaDetails).some((k) => !k.startsWith('@_') && k !== '#text');
      if (active && !hasTerms) {
        active = false;
        note('defaulted', 'CSADetails', undefined, 'the CSA is flagged active but has no CSADetails: the netting set is taken as uncollateralised');
      }
      row.csa = active;
      // an inactive CSA's terms move nothing (xva ignores a set's CSA columns when csa is false, and xva validate would
      // warn of every figure left in them): only what applies without a CSA is read
      const termsRead = hasTerms && active;
      if (hasTerms && !active) note('unmapped_field', 'CSADetails', undefined, 'ActiveCSAFlag is false: the CSADetails (terms, CSA currency, CalculateVMAmount, ApplyInitialMargin, eligible collateral) are not imported; the netting set is uncollateralised');
      if (termsRead) {
        const c = csaDetails!;
        const p = 'CSADetails';
        const bilateral = text(c, 'Bilateral');
        if (bilateral !== undefined && bilateral.toLowerCase() !== 'bilateral')
          note('approximated', `${p}/Bilateral`, bilateral, 'xva CSAs are two-way: the posting terms of both sides are kept as given');
        const ccy = text(c, 'CSACurrency');
        if (ccy !== undefined) {
          if (isCurrency(ccy.toUpperCase())) row.collateral_currency = ccy.toUpperCase();
          else note('defaulted', `${p}/CSACurrency`, ccy, `currency not supported by xva; the collateral currency defaults to ${baseCurrency ?? "the market's base currency"}`);
        }
        if (row.collateral_currency === null && baseCurrency !== undefined) row.collateral_currency = baseCurrency;
        row.threshold_bank = nonNegative(amount(c, 'ThresholdPay', `${p}/ThresholdPay`), `${p}/ThresholdPay`) ?? null;
        row.threshold_cpty = nonNegative(amount(c, 'ThresholdReceive', `${p}/ThresholdReceive`), `${p}/ThresholdReceive`) ?? null;
        row.mta_bank = nonNegative(amount(c, 'MinimumTransferAmountPay', `${p}/MinimumTransferAmountPay`), `${p}/MinimumTransferAmountPay`) ?? null;
        row.mta_cpty =
          nonNegative(amount(c, 'MinimumTransferAmountReceive', `${p}/MinimumTransferAmountReceive`), `${p}/MinimumTransferAmountReceive`) ?? null;

        const ia = child(c, 'IndependentAmount');
        const held = amount(ia, 'IndependentAmountHeld', `${p}/IndependentAmount/IndependentAmountHeld`);
        if (held !== undefined) {
          // ORE: "A negative number implies that the counterparty holds the independent amount."
          row.independent_amount_cpty = Math.max(held, 0);
          row.independent_amount_bank = Math.max(-held, 0);
        }
        const iaType = text(ia, 'IndependentAmountType');
        if (iaType !== undefined && iaType.toUpperCase() !== 'FIXED')
          note('unmapped_field', `${p}/IndependentAmount/IndependentAmountType`, iaType, 'only a fixed independent amount is supported; the amount is kept as fixed');

        // the netting_sets table's limits (portfolio/bookRows.ts), which `xva validate` would otherwise refuse later: a
        // value beyond them is refused here, as a negative threshold is, naming the ORE field
        const beyond = (path: string, periodText: string | undefined, days: number, max: number, what: string): boolean => {
          if (days <= max) return false;
          issues.push({ ...where, column: path, value: periodText ?? '', expected: `${what} of at most ${max} business days (${periodText} is ${days}; xva's netting_sets limit)` });
          return true;
        };
        const mporText = text(c, 'MarginPeriodOfRisk');
        const mpor = orePeriodBusinessDays(mporText, `${p}/MarginPeriodOfRisk`);
        if (mpor !== undefined && !beyond(`${p}/MarginPeriodOfRisk`, mporText, mpor.value, MAX_MPOR_DAYS, 'a margin period of risk')) {
          row.margin_period_of_risk_days = mpor.value;
          if (mpor.approximation) note('approximated', `${p}/MarginPeriodOfRisk`, mporText, mpor.approximation);
        }
        const freq = child(c, 'MarginingFrequency');
        const callText = text(freq, 'CallFrequency');
        const postText = text(freq, 'PostFrequency');
        const call = orePeriodBusinessDays(callText ?? postText, `${p}/MarginingFrequency/CallFrequency`);
        if (call !== undefined && !beyond(`${p}/MarginingFrequency/${callText !== undefined ? 'CallFrequency' : 'PostFrequency'}`, callText ?? postText, call.value, MAX_MARGIN_FREQUENCY_DAYS, 'a margin call frequency')) {
          row.margin_frequency_days = Math.max(call.value, 1);
          if (call.approximation) note('approximated', `${p}/MarginingFrequency/CallFrequency`, callText, call.approximation);
        }
        if (callText !== undefined && postText !== undefined && callText.toUpperCase() !== postText.toUpperCase())
          note('approximated', `${p}/MarginingFrequency/PostFrequency`, postText, `xva has one margining frequency; the call frequency ${callText} is used`);

        for (const side of ['Receive', 'Pay']) {
          const spread = amount(c, `CollateralCompoundingSpread${side}`, `${p}/CollateralCompoundingSpread${side}`);
          if (spread !== undefined && spread !== 0)
            note('unmapped_field', `${p}/CollateralCompoundingSpread${side}`, String(spread), 'collateral remuneration spreads belong in the market file (funding.<CCY>.collateralSpreadBp)');
        }
        // ORE's SA-CCR takes VM = the set's NPV when no balance is given; xva's cre52 convention calls it beyond the
        // thresholds (docs/capital.md), the same where they are 0
        if (oreBool(text(c, 'CalculateVMAmount'), `${p}/CalculateVMAmount`, false)) {
          row.calculate_vm = true;
          if (active && ((row.threshold_cpty ?? 0) !== 0 || (row.threshold_bank ?? 0) !== 0))
            note('approximated', `${p}/CalculateVMAmount`, text(c, 'CalculateVMAmount'), "SA-CCR calls the VM beyond the CSA's thresholds under --convention cre52 (ORE: VM = the netting set's NPV, as --convention ore)");
        }
        if (oreBool(text(c, 'ApplyInitialMargin'), `${p}/ApplyInitialMargin`, false)) {
          row.im_model = 'simm';
          note('approximated', `${p}/ApplyInitialMargin`, text(c, 'ApplyInitialMargin'), 'dynamic initial margin is modelled with ISDA SIMM (im_model simm)');
        }
        for (const currency of texts(child(child(c, 'EligibleCollaterals'), 'Currencies'), 'Currency')) {
          const ccyUpper = currency.toUpperCase();
          if (!isCurrency(ccyUpper)) {
            note('unmapped_field', `${p}/EligibleCollaterals/Currencies/Currency`, currency, 'currency not supported by xva; left out of eligible_collateral');
            continue;
          }
          // ORE: "For now the only supported type of collateral is cash"; its CSA is a VM CSA
          result.eligible.push({ ...emptyRow(ELIGIBLE_COLLATERAL_COLUMNS), netting_set_id: id, asset_type: 'cash', currency: ccyUpper, haircut_pct: 0, margin_type: 'vm' });
        }
      } else if (baseCurrency !== undefined) {
        row.collateral_currency = baseCurrency;
      }
      result.rows.set(id, row);
    } catch (err) {
      if (!(err instanceof Unmappable)) throw err;
      // a reason phrased "…: expected X" gives X; another is quoted as the reason it cannot be imported
      const at = err.message.indexOf('expected ');
      const expected = at >= 0 ? err.message.slice(at + 'expected '.length) : `a value xva can import here (${err.message})`;
      issues.push({ ...where, column: err.field ?? 'NettingSet', ...(err.value !== undefined ? { value: err.value } : {}), expected });
    }
  }
  if (issues.length > 0) throw new XvaInputError(issues);
  return result;
}

/** An uncollateralised netting set for an id that trades use but netting.xml does not define. */
export function defaultNettingSet(id: string, counterpartyId: string, baseCurrency: Currency | undefined): NettingSetRow {
  return {
    ...emptyRow(NETTING_SET_COLUMNS),
    netting_set_id: id,
    counterparty_id: counterpartyId,
    csa: false,
    im_model: 'none',
    collateral_currency: baseCurrency ?? null,
    cleared: false,
  };
}
