/**
 * Options of the novation lever (docs/optimize-novation.md), their defaults and their checks. Every option has a
 * documented default so that `xva optimize` runs without any; a wrong value is a usage error naming the option.
 */
import { XvaUsageError } from '../../../errors.js';
import { RATINGS, REGIONS, SECTORS, type Rating, type Region, type Sector } from '../../../portfolio/types.js';
import { isCurrency, type Currency } from '../../../products/types.js';
import type { SaccrReferenceEntity } from '../../../capital/saccr/types.js';

/**
 * Currencies whose IRS and OIS are clearable by default: the majors with deep cleared swap markets (LCH SwapClear,
 * CME and Eurex all clear them). Overridable with `clearableCurrencies`.
 */
export const DEFAULT_CLEARABLE_CURRENCIES: readonly Currency[] = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD'];

export const DEFAULT_CCP = 'LCH';

/** Home region of well-known CCPs (for the proxy credit curve of a CCP counterparty the lever creates). */
export const CCP_REGIONS: Readonly<Record<string, Region>> = {
  LCH: 'uk',
  ICE: 'north_america',
  CME: 'north_america',
  EUREX: 'europe',
  JSCC: 'japan',
};

export interface NovationOptions {
  /** Name of the CCP the trades are novated to (default `LCH`): it names the CCP netting set, `ccp` of the trades. */
  ccp?: string;
  /** Currencies whose IRS/OIS are clearable (default DEFAULT_CLEARABLE_CURRENCIES). */
  clearableCurrencies?: readonly Currency[];
  /**
   * Reference entities (the `reference_entities` table of `xva capital`): a CDS whose reference entity is an index
   * here is an index CDS and clearable; without the table no CDS is proposed (xva has no index CDS product of its own).
   */
  referenceEntities?: ReadonlyMap<string, SaccrReferenceEntity>;
  /** At most this many per-netting-set actions, the largest clearable notional first (default 100). */
  maxNettingSetActions?: number;
  /** Also propose the novation of each of the N largest clearable trades alone (default 10; 0 = none). */
  largestTrades?: number;
  /** The CCP counterparty the lever creates when the book has none: CRE20 sector and rating (default financial, AA). */
  ccpSector?: Sector;
  ccpRating?: Rating;
  /** Region of that counterparty (default CCP_REGIONS[ccp]; required for another CCP name). */
  ccpRegion?: Region;
  /** A market credit curve (`credit.names`) for that counterparty; absent = the sector × rating × region proxy. */
  ccpCdsCurve?: string;
  /** Collateral (VM) currency of the CCP netting set the lever creates (default the market's base currency). */
  ccpCollateralCurrency?: Currency;
  /**
   * The CCP's margin period of risk in business days used by the exposure simulation (default 5: EMIR RTS 153/2013
   * Art. 26, the CCP's own liquidation period for OTC derivatives). SA-CCR floors it at 10 (CRE54, as
   * src/capital/saccr applies to cleared netting sets).
   */
  ccpMarginPeriodOfRiskDays?: number;
  /**
   * Which account at the CCP receives the trades when the book already has a cleared netting set there with a QCCP
   * counterparty: `existing` (that set, as it is), `new` (a separate house account `NS-CCP-<ccp>` of the same
   * counterparty, IM by SIMM), or `auto` (default): the existing set when its `im_model` is simm, else a new one (an
   * account without a modelled IM would make the novation look free of IM cost; ccp.ts).
   */
  ccpAccount?: 'auto' | 'existing' | 'new';
  /** Clearing (novation) fee per trade in the base currency, the action's cost (default 0: no fee schedule given). */
  feePerTrade?: number;
}

export interface ResolvedNovationOptions {
  ccp: string;
  clearableCurrencies: ReadonlySet<Currency>;
  referenceEntities: ReadonlyMap<string, SaccrReferenceEntity>;
  maxNettingSetActions: number;
  largestTrades: number;
  ccpSector: Sector;
  ccpRating: Rating;
  ccpRegion: Region | undefined;
  ccpCdsCurve: string | undefined;
  ccpCollateralCurrency: Currency | undefined;
  ccpMarginPeriodOfRiskDays: number;
  ccpAccount: 'auto' | 'existing' | 'new';
  feePerTrade: number;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new XvaUsageError(`novation option ${name}: ${value} is not a whole number >= 0`);
  return value;
}

/** Defaults filled in and every value checked. */
export function resolveNovationOptions(options: NovationOptions = {}): ResolvedNovationOptions {
  const ccp = options.ccp ?? DEFAULT_CCP;
  if (!/^[A-Za-z0-9_.]+$/.test(ccp)) throw new XvaUsageError(`novation option ccp: '${ccp}' is not a CCP name (letters, digits, '_' and '.')`);
  const currencies = options.clearableCurrencies ?? DEFAULT_CLEARABLE_CURRENCIES;
  for (const c of currencies) {
    if (!isCurrency(c)) throw new XvaUsageError(`novation option clearableCurrencies: '${String(c)}' is not a currency xva knows`);
  }
  if (options.ccpSector !== undefined && !SECTORS.includes(options.ccpSector)) throw new XvaUsageError(`novation option ccpSector: '${options.ccpSector}' is not one of ${SECTORS.join(', ')}`);
  if (options.ccpRating !== undefined && !RATINGS.includes(options.ccpRating)) throw new XvaUsageError(`novation option ccpRating: '${options.ccpRating}' is not one of ${RATINGS.join(', ')}`);
  if (options.ccpRegion !== undefined && !REGIONS.includes(options.ccpRegion)) throw new XvaUsageError(`novation option ccpRegion: '${options.ccpRegion}' is not one of ${REGIONS.join(', ')}`);
  if (options.ccpCollateralCurrency !== undefined && !isCurrency(options.ccpCollateralCurrency)) {
    throw new XvaUsageError(`novation option ccpCollateralCurrency: '${String(options.ccpCollateralCurrency)}' is not a currency xva knows`);
  }
  const mpor = options.ccpMarginPeriodOfRiskDays ?? 5;
  if (!Number.isInteger(mpor) || mpor < 1) throw new XvaUsageError(`novation option ccpMarginPeriodOfRiskDays: ${mpor} is not a whole number of business days >= 1`);
  const account = options.ccpAccount ?? 'auto';
  if (!['auto', 'existing', 'new'].includes(account)) throw new XvaUsageError(`novation option ccpAccount: '${String(account)}' is not one of auto, existing, new`);
  const fee = options.feePerTrade ?? 0;
  if (!Number.isFinite(fee) || fee < 0) throw new XvaUsageError(`novation option feePerTrade: ${fee} is not an amount >= 0`);
  return {
    ccp,
    clearableCurrencies: new Set(currencies),
    referenceEntities: options.referenceEntities ?? new Map(),
    maxNettingSetActions: count('maxNettingSetActions', options.maxNettingSetActions, 100),
    largestTrades: count('largestTrades', options.largestTrades, 10),
    ccpSector: options.ccpSector ?? 'financial',
    ccpRating: options.ccpRating ?? 'AA',
    ccpRegion: options.ccpRegion ?? CCP_REGIONS[ccp.toUpperCase()],
    ccpCdsCurve: options.ccpCdsCurve,
    ccpCollateralCurrency: options.ccpCollateralCurrency,
    ccpMarginPeriodOfRiskDays: mpor,
    ccpAccount: account,
    feePerTrade: fee,
  };
}
