/**
 * The QCCP netting set the novated trades go to: the book's own house account at the CCP when it has one that models
 * the CCP's IM (option `ccpAccount`, `ccpTarget` below), else a netting set `NS-CCP-<ccp>` that the amendment adds, of
 * the book's CCP counterparty or of a counterparty `CCP-<ccp>` it adds too (deterministic ids).
 *
 * A created netting set is a CCP house account: VM daily (`csa`, margin frequency 1 day) with zero thresholds, MTAs
 * and independent amounts, its VM taken as the CCP's call at today's value (`calculateVm`: the account is new, so no
 * balance is on file), `cleared` with `ccp` set, and IM by SIMM (`im_model simm`) as the proxy of the CCP's own IM
 * model (LCH PAIRS, CME HVaR, ... are not available to xva; SIMM is a 10-day 99% VaR of the same sensitivities). The
 * IM is posted by the bank: MVA goes up. Its margin period of risk is the option's (default 5 business days, the
 * CCP's liquidation period); SA-CCR floors it at 10 days for cleared netting sets (CRE54, src/capital/saccr).
 *
 * The created counterparty is `qccp` (RWA 2% of EAD, CRE54.14) with the option's sector and rating (default
 * financial, AA: the large CCPs' issuer ratings). Its CVA is measured like any other: with the market curve named by
 * `ccpCdsCurve`, else the sector × rating × region proxy of the market (`credit.proxies`); one of the two must exist.
 */
import { XvaInputError, XvaUsageError } from '../../../errors.js';
import type { Market } from '../../../market/types.js';
import type { Counterparty, NettingSet, Portfolio } from '../../../portfolio/types.js';
import { CCP_REGIONS, type ResolvedNovationOptions } from './options.js';

export interface CcpTarget {
  counterparty: Counterparty;
  nettingSet: NettingSet;
  /** Whether the amendment adds the counterparty / the netting set (false: the book already has it). */
  createdCounterparty: boolean;
  createdNettingSet: boolean;
  /** The credit curve CVA uses for the CCP: `cds:<name>`, `proxy:<name>` or `none` (no curve resolves). */
  creditCurve: string;
}

export const ccpCounterpartyId = (ccp: string): string => `CCP-${ccp}`;
export const ccpNettingSetId = (ccp: string): string => `NS-CCP-${ccp}`;

/** The Market object does not record its file: messages name the market file generically. */
const MARKET_FILE = 'market file';

function counterpartiesFile(portfolio: Portfolio): string {
  return portfolio.sources.counterparties ? portfolio.sources.counterparties.split(/[\\/]/).pop()! : 'counterparties';
}

/** How the credit inputs of xva/credit.ts resolve a counterparty's curve (own CDS curve, else proxy). */
function creditCurveOf(cp: Counterparty, market: Market): string {
  if (cp.cdsCurve !== undefined) return market.hasCreditCurve(cp.cdsCurve) ? `cds:${cp.cdsCurve}` : 'none';
  try {
    return `proxy:${market.proxyCreditCurve({ sector: cp.sector, rating: cp.rating, region: cp.region }).proxyName}`;
  } catch {
    return 'none';
  }
}

function newCounterparty(portfolio: Portfolio, market: Market, o: ResolvedNovationOptions): Counterparty {
  const region = o.ccpRegion;
  if (region === undefined) {
    throw new XvaUsageError(`novation option ccpRegion: needed for CCP '${o.ccp}' (a region is known only for ${Object.keys(CCP_REGIONS).join(', ')})`);
  }
  const cp: Counterparty = {
    counterpartyId: ccpCounterpartyId(o.ccp),
    name: `${o.ccp} (qualifying CCP, added by the novation lever)`,
    sector: o.ccpSector,
    rating: o.ccpRating,
    region,
    qccp: true,
  };
  if (o.ccpCdsCurve !== undefined) {
    if (!market.hasCreditCurve(o.ccpCdsCurve)) {
      throw new XvaInputError([{ file: MARKET_FILE, column: 'credit.names', value: o.ccpCdsCurve, expected: 'the credit curve named by the novation option ccpCdsCurve' }]);
    }
    cp.cdsCurve = o.ccpCdsCurve;
  } else if (creditCurveOf(cp, market) === 'none') {
    throw new XvaInputError([
      {
        file: MARKET_FILE,
        column: 'credit.proxies',
        value: `${cp.sector}-${cp.rating}-${cp.region}`,
        expected: `a proxy curve for the CCP counterparty ${cp.counterpartyId} the novation lever adds (or the option ccpCdsCurve naming a curve of credit.names)`,
      },
    ]);
  }
  return cp;
}

function newNettingSet(counterpartyId: string, market: Market, o: ResolvedNovationOptions): NettingSet {
  return {
    nettingSetId: ccpNettingSetId(o.ccp),
    counterpartyId,
    csa: true,
    thresholdCpty: 0,
    thresholdBank: 0,
    mtaCpty: 0,
    mtaBank: 0,
    independentAmountCpty: 0,
    independentAmountBank: 0,
    // the CCP holds the bank's IM; it posts none to the bank
    initialMarginHeld: 0,
    rounding: 0,
    marginPeriodOfRiskDays: o.ccpMarginPeriodOfRiskDays,
    marginFrequencyDays: 1,
    imModel: 'simm',
    collateralCurrency: o.ccpCollateralCurrency ?? market.baseCurrency,
    cleared: true,
    ccp: o.ccp,
    // a new account has no VM balance on file: SA-CCR takes the VM the CCP calls at today's value (its daily call
    // settles the account's whole value, thresholds and MTAs being 0), so RC is 0 rather than max(V, 0)
    calculateVm: true,
  };
}

function rowOf(x: { sourceRow?: number }): { row?: number } {
  return x.sourceRow !== undefined ? { row: x.sourceRow } : {};
}

const byNettingSetId = (a: NettingSet, b: NettingSet): number => (a.nettingSetId < b.nettingSetId ? -1 : a.nettingSetId > b.nettingSetId ? 1 : 0);

/**
 * The target of the novations to `options.ccp`. The book's accounts at that CCP are its cleared netting sets with
 * `ccp` = the CCP and a `qccp` counterparty (lowest id first). With `ccpAccount`:
 *  - existing: the first account, as it is;
 *  - auto (default): the first account whose im_model is simm; when no account has simm (none: its MVA is that of a
 *    stated initial_margin_posted, which the novated trades do not raise; schedule: the schedule's IM, not the CCP's
 *    model), a new account, so that the CCP's IM is neither left out nor taken from another model;
 *  - new: always a new account.
 * A new account is `NS-CCP-<ccp>` of the accounts' counterparty, else of `CCP-<ccp>` (added). A book whose
 * netting sets at that CCP all have a non-qualifying counterparty is an input error (the lever moves trades to a
 * QCCP only), as is a netting set `NS-CCP-<ccp>` that is not an account at that CCP.
 */
export function ccpTarget(portfolio: Portfolio, market: Market, o: ResolvedNovationOptions): CcpTarget {
  const counterparties = new Map(portfolio.counterparties.map((c) => [c.counterpartyId, c]));
  const existing = (ns: NettingSet): CcpTarget => {
    const cp = counterparties.get(ns.counterpartyId)!;
    return { counterparty: cp, nettingSet: ns, createdCounterparty: false, createdNettingSet: false, creditCurve: creditCurveOf(cp, market) };
  };
  const nsId = ccpNettingSetId(o.ccp);
  const atCcp = portfolio.nettingSets.filter((ns) => ns.cleared && ns.ccp === o.ccp).sort(byNettingSetId);
  const accounts = atCcp.filter((ns) => counterparties.get(ns.counterpartyId)?.qccp === true);
  if (atCcp.length > 0 && accounts.length === 0) {
    const cp = counterparties.get(atCcp[0]!.counterpartyId);
    throw new XvaInputError([
      {
        file: counterpartiesFile(portfolio),
        ...(cp ? rowOf(cp) : {}),
        column: 'qccp',
        value: atCcp[0]!.counterpartyId,
        expected: `a qualifying CCP (qccp true) for the book's netting set ${atCcp[0]!.nettingSetId} at CCP ${o.ccp}: the novation lever moves trades to a QCCP only`,
      },
    ]);
  }
  // the lever's own account from an earlier amendment of this book: always the one to use
  const own = accounts.find((ns) => ns.nettingSetId === nsId);
  if (own) return existing(own);
  const clash = portfolio.nettingSets.find((ns) => ns.nettingSetId === nsId);
  if (clash) {
    throw new XvaInputError([
      {
        file: portfolio.sources.netting_sets ? portfolio.sources.netting_sets.split(/[\\/]/).pop()! : 'netting_sets',
        ...rowOf(clash),
        column: 'netting_set_id',
        value: nsId,
        expected: `a cleared netting set at CCP ${o.ccp} with a qccp counterparty: the novation lever uses this id for its account at the CCP`,
      },
    ]);
  }
  if (o.ccpAccount === 'existing' && accounts.length > 0) return existing(accounts[0]!);
  if (o.ccpAccount === 'auto') {
    const withSimm = accounts.find((ns) => ns.imModel === 'simm');
    if (withSimm) return existing(withSimm);
  }

  let counterparty = accounts.length > 0 ? counterparties.get(accounts[0]!.counterpartyId)! : undefined;
  let createdCounterparty = false;
  if (!counterparty) {
    const id = ccpCounterpartyId(o.ccp);
    const known = counterparties.get(id);
    if (known && !known.qccp) {
      throw new XvaInputError([{ file: counterpartiesFile(portfolio), ...rowOf(known), column: 'qccp', value: 'false', expected: `qccp true for ${id}, the counterparty id the novation lever uses for CCP ${o.ccp}` }]);
    }
    counterparty = known ?? newCounterparty(portfolio, market, o);
    createdCounterparty = !known;
  }
  return { counterparty, nettingSet: newNettingSet(counterparty.counterpartyId, market, o), createdCounterparty, createdNettingSet: true, creditCurve: creditCurveOf(counterparty, market) };
}
