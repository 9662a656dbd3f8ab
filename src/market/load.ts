/**
 * Loads the market YAML file (docs/market.md) into a Market. Every problem in the file is collected and reported at
 * once as an XvaInputError: file, line (`row`), YAML path (`column`), the value found and what was expected.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { IssueCollector, XvaInputError } from '../errors.js';
import type { Currency } from '../products/types.js';
import type { HazardCurveSpec } from './hazard.js';
import { readCorrelation } from './loadCorrelation.js';
import { readCredit } from './loadCredit.js';
import { readCurves } from './loadCurves.js';
import { readEquities, readFx } from './loadFxEquity.js';
import { readCurrency, type LoadContext } from './loadCommon.js';
import { readCapital, readFunding, readRates } from './loadParams.js';
import { readFixings } from './loadFixings.js';
import { buildMarket, type MarketData } from './market.js';
import { YamlReader, type YamlMap } from './yamlReader.js';

export const MARKET_SECTIONS = [
  'asOf',
  'baseCurrency',
  'curves',
  'fx',
  'rates',
  'equities',
  'credit',
  'funding',
  'capital',
  'correlation',
  'fixings',
] as const;

function declaredKeys(value: unknown): Set<string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? new Set(Object.keys(value)) : new Set();
}

export interface MarketLoadOptions {
  /**
   * Bootstrap each CDS curve on its first use (worker threads, whose main thread has read and validated the same
   * market: a failing bootstrap then throws its XvaInputError at that use).
   */
  deferCredit?: boolean;
  /**
   * With deferCredit: CDS curves already bootstrapped from this market's quotes (a worker thread gets its main
   * thread's, WorkerInit.creditCurves), by curve name. A deferred curve whose spreads and recovery equal its seed's
   * takes the seed's nodes instead of bootstrapping again (the same numbers: the same bootstrap of the same inputs);
   * otherwise it bootstraps. The map may be filled after the load, up to the curve's first use.
   */
  creditSeed?: ReadonlyMap<string, HazardCurveSpec>;
}

/**
 * The parsed YAML a market was read from (parseMarket), for worker threads to read again without the file, and its id:
 * a number per parse in this thread, so that a worker kept between runs (exposure/pool.ts) knows whether the market it
 * built is the run's.
 */
export interface MarketSource {
  tree: unknown;
  fileName: string;
  id: number;
}
const sources = new WeakMap<MarketData, MarketSource>();
let parsedMarkets = 0;

/**
 * The plain-data YAML tree `market` was read from (structured-cloneable), or undefined when it was built otherwise
 * (bumped, hand-made). marketFromTree(tree, fileName) reads the same market again.
 */
export function marketSource(market: object): MarketSource | undefined {
  return sources.get(market as MarketData);
}

/** Parses market YAML text; `fileName` is the name used in messages. */
export function parseMarket(text: string, fileName: string, options: MarketLoadOptions = {}): MarketData {
  const issues = new IssueCollector();
  const reader = new YamlReader(fileName, issues);
  const root = reader.parse(text);
  issues.throwIfAny();
  const market = readMarketTree(reader, root, options);
  sources.set(market, { tree: root, fileName, id: ++parsedMarkets });
  return market;
}

/**
 * The market of a tree marketSource gave (a worker thread's copy of its main thread's market: no file read, no YAML
 * parse). Messages carry no line numbers, since the tree has none; the main thread has reported any issue already.
 */
export function marketFromTree(tree: unknown, fileName: string, options: MarketLoadOptions = {}): MarketData {
  const reader = new YamlReader(fileName, new IssueCollector());
  return readMarketTree(reader, tree, options);
}

function readMarketTree(reader: YamlReader, root: unknown, options: MarketLoadOptions): MarketData {
  const issues = reader.issues;
  const top: YamlMap | undefined = reader.map(root, '', `a mapping with the sections ${MARKET_SECTIONS.join(', ')}`);
  if (!top) throw new XvaInputError(issues.issues, issues.truncated);
  reader.keys(top, '', MARKET_SECTIONS, 'top-level sections');

  const ctx: LoadContext = {
    reader,
    asOf: undefined,
    base: undefined,
    discountCurves: new Map(),
    discountCurrencies: new Set(),
    ...(options.deferCredit ? { deferCredit: true } : {}),
    ...(options.creditSeed ? { creditSeed: options.creditSeed } : {}),
  };
  if (top.asOf === undefined) reader.issue('asOf', undefined, 'the valuation date as an ISO date YYYY-MM-DD');
  else ctx.asOf = reader.date(top.asOf, 'asOf');
  if (top.baseCurrency === undefined) reader.issue('baseCurrency', undefined, 'the reporting currency, e.g. USD');
  else ctx.base = readCurrency(ctx, top.baseCurrency, 'baseCurrency');

  const curves = readCurves(ctx, top.curves);
  ctx.discountCurves = curves.discount;
  const fx = readFx(ctx, top.fx, curves.xccyBasis);
  const rates = readRates(ctx, top.rates);
  const equities = readEquities(ctx, top.equities);
  const credit = readCredit(ctx, top.credit);
  const funding = readFunding(ctx, top.funding);
  const fixings = readFixings(ctx, top.fixings, new Set(curves.projection.keys()), fx.reachable);
  const capital = readCapital(ctx, top.capital);
  const correlation = readCorrelation(ctx, top.correlation, {
    rateCurrencies: ctx.discountCurrencies,
    fxCurrencies: fx.reachable,
    equities: declaredKeys(top.equities),
    creditNames: declaredKeys((top.credit as YamlMap | undefined)?.names),
  });

  issues.throwIfAny();
  // With no issue collected, every section was read in full.
  return buildMarket({
    asOf: ctx.asOf!,
    baseCurrency: ctx.base as Currency,
    discountCurves: curves.discount,
    projectionCurves: curves.projection,
    xccyBasis: curves.xccyBasis,
    fxSpots: fx.spots,
    fxVols: fx.vols,
    hullWhite: rates.hullWhite,
    swaptionVols: rates.swaptionVols,
    capFloorVols: rates.capFloorVols,
    fixings,
    equities,
    creditCurves: credit.names,
    proxies: credit.proxies,
    ownCredit: credit.own,
    creditModel: credit.model,
    creditModels: credit.models,
    funding,
    capital,
    correlation,
    loadWarnings: issues.warnings,
    fileName: reader.file,
  });
}

/** Reads and parses a market file; messages name the file by its base name. */
export function loadMarket(filePath: string, options: MarketLoadOptions = {}): MarketData {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'a folder, not a file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String((error as Error).message);
    throw new XvaInputError([{ file: filePath, value: reason, expected: 'a readable market YAML file (docs/market.md)' }]);
  }
  return parseMarket(text, basename(filePath), options);
}
