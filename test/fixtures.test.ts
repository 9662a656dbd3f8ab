import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { addMonths, fromYmd, parseIsoDate, type DateSerial } from '../src/conventions/dates.js';
import { generateBook, type GeneratedBook } from '../src/fixtures/book.js';
import { Rng } from '../src/fixtures/random.js';
import { columnValues, rowCount, type BookTable } from '../src/fixtures/table.js';
import { writeBook } from '../src/fixtures/write.js';
import { priceTrade } from '../src/pricing/index.js';
import { capletPieces } from '../src/products/capFloor.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { amortisingLeg, notionalSteps } from '../src/products/amortization.js';
import { loadSaccrInputs } from '../src/capital/saccr/inputs.js';
import { IssueCollector } from '../src/errors.js';
import { readTable } from '../src/io/read.js';
import { FieldReader } from '../src/io/table.js';
import {
  CDS_TENORS, RATING_SPREAD_5Y_BP, REFERENCE_NAMES, REGION_SPREAD_MULTIPLIER, SECTOR_SPREAD_MULTIPLIER, cdsTermShape,
} from '../src/fixtures/marketData.js';

const AS_OF = fromYmd(2026, 6, 30);
const DAYS_PER_YEAR = 365.25;

function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `xva-fixtures-${label}-`));
}

function col<T = unknown>(table: BookTable, name: string): T[] {
  return columnValues(table, name) as T[];
}

/**
 * Smallest eigenvalue of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Matrix Computations,
 * §8.5): rotations zero the off-diagonal entries one by one until they vanish; the diagonal is then the spectrum.
 */
function jacobiEigenvalues(input: number[][]): number[] {
  const n = input.length;
  const a = input.map((row) => [...row]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!).sort((x, y) => x - y);
}

describe('seeded generator (xoshiro128** via splitmix32)', () => {
  it('is reproducible and its uniforms have the moments of U(0,1)', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 200_000 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs.slice(0, 5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    // Mean 1/2 and variance 1/12; with 200,000 draws the standard errors are 6.5e-4 and 1.9e-4: 5 sigma bounds.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / xs.length));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(1e-3);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('seeds above 2^32 do not fold onto smaller ones: 42 and (42 xor 0x27d4eb2d) + 2^32 shared the 32-bit state before', () => {
    // the 32-bit state is lo ^ imul(hi, 0x27d4eb2d) ^ hash(label): for hi = 1 and lo = 42 ^ 0x27d4eb2d it is 42's; the
    // high word now also moves two of the four words, so the streams differ
    const folded = ((42 ^ 0x27d4eb2d) >>> 0) + 2 ** 32;
    const draws = (rng: Rng) => Array.from({ length: 8 }, () => rng.nextU32());
    expect(draws(new Rng(folded))).not.toEqual(draws(new Rng(42)));
    expect(draws(new Rng(folded, 'trades'))).not.toEqual(draws(new Rng(42, 'trades')));
    // the largest seed the command takes works, and is its own stream
    expect(draws(new Rng(Number.MAX_SAFE_INTEGER))).toEqual(draws(new Rng(Number.MAX_SAFE_INTEGER)));
    // (seeds below 2^32 keep their books: the fixtures/demo test below compares the files byte for byte)
  });

  it('draws normals with mean 0 and variance 1 (Box-Muller)', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
    }
    // Standard errors: 1/sqrt(n) = 2.2e-3 for the mean, sqrt(2/n) = 3.2e-3 for the variance; 5 sigma bounds.
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe('jacobiEigenvalues (the test helper) against closed forms', () => {
  it('finds 1 and 3 for [[2,1],[1,2]] and 1 - rho, 1 + 2 rho for a 3x3 equicorrelation', () => {
    const two = jacobiEigenvalues([[2, 1], [1, 2]]);
    expect(two[0]).toBeCloseTo(1, 12);
    expect(two[1]).toBeCloseTo(3, 12);
    const rho = 0.3;
    const three = jacobiEigenvalues([[1, rho, rho], [rho, 1, rho], [rho, rho, 1]]);
    expect(three[0]).toBeCloseTo(1 - rho, 12);
    expect(three[1]).toBeCloseTo(1 - rho, 12);
    expect(three[2]).toBeCloseTo(1 + 2 * rho, 12);
  });
});

describe('xva fixtures: determinism', () => {
  it('writes byte-identical files for the same seed and different files for another seed', () => {
    const dirA = tmpDir('a');
    const dirB = tmpDir('b');
    const dirC = tmpDir('c');
    const filesA = writeBook(generateBook('demo', 42), dirA, 'parquet');
    writeBook(generateBook('demo', 42), dirB, 'parquet');
    writeBook(generateBook('demo', 43), dirC, 'parquet');
    expect(filesA.map((f) => path.basename(f)).sort()).toEqual(
      [
        'collateral.parquet', 'counterparties.parquet', 'eligible_collateral.parquet', 'market.yaml', 'netting_sets.parquet',
        'reference_entities.parquet', 'trades.parquet',
      ],
    );
    for (const file of filesA) {
      const name = path.basename(file);
      expect(Buffer.compare(fs.readFileSync(file), fs.readFileSync(path.join(dirB, name))), name).toBe(0);
    }
    for (const name of ['trades.parquet', 'counterparties.parquet', 'netting_sets.parquet', 'market.yaml']) {
      expect(Buffer.compare(fs.readFileSync(path.join(dirA, name)), fs.readFileSync(path.join(dirC, name))), name).not.toBe(0);
    }
  });

  it('written over an earlier book it leaves none of that book\'s tables (a variant\'s rate_schedules, the other format)', () => {
    // the second book, read from the folder, is the plain demo: the folder holds exactly its files and a user's file
    const dir = tmpDir('over');
    writeBook(generateBook('demo', 42, { stepUp: true, amortising: true }), dir, 'parquet');
    expect(fs.existsSync(path.join(dir, 'rate_schedules.parquet'))).toBe(true);
    writeBook(generateBook('demo', 42), dir, 'csv');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
    writeBook(generateBook('demo', 42), dir, 'parquet');
    const fresh = tmpDir('over-fresh');
    writeBook(generateBook('demo', 42), fresh, 'parquet');
    expect(fs.readdirSync(dir).sort()).toEqual([...fs.readdirSync(fresh), 'notes.txt'].sort());
    for (const name of fs.readdirSync(fresh)) expect(Buffer.compare(fs.readFileSync(path.join(dir, name)), fs.readFileSync(path.join(fresh, name))), name).toBe(0);
  });

  it('writes the same CSV twice and the CSV holds the same rows as the tables', () => {
    const dirA = tmpDir('csv-a');
    const dirB = tmpDir('csv-b');
    const book = generateBook('demo', 5);
    writeBook(book, dirA, 'csv');
    writeBook(generateBook('demo', 5), dirB, 'csv');
    for (const name of fs.readdirSync(dirA)) {
      expect(fs.readFileSync(path.join(dirA, name), 'utf8'), name).toBe(fs.readFileSync(path.join(dirB, name), 'utf8'));
    }
    const lines = fs.readFileSync(path.join(dirA, 'trades.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines.length).toBe(1 + rowCount(book.tables.trades));
  });

  it('fixtures/demo in the repository is what `xva fixtures --preset demo --seed 42` writes', () => {
    const dir = tmpDir('repo-demo');
    writeBook(generateBook('demo', 42), dir, 'parquet');
    const committed = path.join(__dirname, '..', 'fixtures', 'demo');
    let total = 0;
    for (const name of fs.readdirSync(dir)) {
      const bytes = fs.readFileSync(path.join(committed, name));
      total += bytes.length;
      expect(Buffer.compare(bytes, fs.readFileSync(path.join(dir, name))), `${name} is stale: regenerate fixtures/demo`).toBe(0);
    }
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('xva fixtures --preset utb-20k: composition', () => {
  let book: GeneratedBook;
  let market: any;
  beforeAll(() => {
    book = generateBook('utb-20k', 42);
    market = parseYaml(book.marketYaml);
  });

  it('has the product mix by count within 1.5 percentage points of the targets', () => {
    const products = col<string>(book.tables.trades, 'product');
    expect(products.length).toBe(20_000);
    const share = (...ps: string[]) => products.filter((p) => ps.includes(p)).length / products.length;
    const targets: [string[], number][] = [
      [['IRS', 'OIS'], 0.55], [['FXFWD', 'FXSWAP'], 0.15], [['XCCY'], 0.08], [['SWAPTION'], 0.07], [['FXOPT'], 0.05],
      [['EQFWD', 'EQOPT'], 0.05], [['CDS'], 0.05],
    ];
    for (const [ps, target] of targets) expect(Math.abs(share(...ps) - target), ps.join('+')).toBeLessThanOrEqual(0.015);
    expect(share('OIS')).toBeGreaterThan(0.05); // "some OIS" among the 55%
    for (const p of ['EQFWD', 'EQOPT']) expect(share(p)).toBeGreaterThan(0);
  });

  it('has 1,000 counterparties, 1,150-1,250 netting sets and 65-75% of netting sets under a CSA', () => {
    expect(rowCount(book.tables.counterparties)).toBe(1000);
    const sets = rowCount(book.tables.netting_sets);
    expect(sets).toBeGreaterThanOrEqual(1150);
    expect(sets).toBeLessThanOrEqual(1250);
    const csaShare = col<boolean>(book.tables.netting_sets, 'csa').filter(Boolean).length / sets;
    expect(csaShare).toBeGreaterThanOrEqual(0.65);
    expect(csaShare).toBeLessThanOrEqual(0.75);
  });

  it('has a median notional within 20% of 25m USD equivalent, converted at the market file spots', () => {
    const spots = market.fx.spots as Record<string, number>;
    const usdPer = (c: string): number => (c === 'USD' ? 1 : spots[`${c}USD`] ?? 1 / spots[`USD${c}`]!);
    const notionals = col<number | null>(book.tables.trades, 'notional');
    const currencies = col<string>(book.tables.trades, 'currency');
    const usd = notionals.flatMap((n, i) => (n === null ? [] : [n * usdPer(currencies[i]!)])).sort((a, b) => a - b);
    const median = usd[usd.length >> 1]!;
    expect(Math.abs(median / 25e6 - 1)).toBeLessThanOrEqual(0.2);
    expect(usd[0]).toBeGreaterThan(0);
  });

  it('has swap, XCCY and CDS tenors within 1-30Y, everything alive after the as-of date and ending within 30Y', () => {
    const products = col<string>(book.tables.trades, 'product');
    const start = col<number | null>(book.tables.trades, 'start_date');
    const maturity = col<number | null>(book.tables.trades, 'maturity_date');
    const expiry = col<number | null>(book.tables.trades, 'expiry_date');
    let seasoned = 0;
    let forward = 0;
    let longTenor = 0;
    for (let i = 0; i < products.length; i++) {
      const p = products[i]!;
      const end = maturity[i] ?? expiry[i]!;
      expect(end, `trade ${i}`).toBeGreaterThan(AS_OF);
      expect(end, `trade ${i}`).toBeLessThanOrEqual(AS_OF + Math.ceil(30 * DAYS_PER_YEAR) + 10);
      if (p === 'IRS' || p === 'OIS' || p === 'XCCY' || p === 'CDS') {
        // CDS roll to the next IMM date: up to 3 months beyond the tenor.
        const tenorYears = (maturity[i]! - start[i]!) / DAYS_PER_YEAR;
        expect(tenorYears, `trade ${i}`).toBeGreaterThanOrEqual(1 - 3 / 365);
        expect(tenorYears, `trade ${i}`).toBeLessThanOrEqual(30 + 0.26);
        if (start[i]! < AS_OF) seasoned++;
        else if (start[i]! > AS_OF + 7) forward++;
        if (tenorYears > 10.5) longTenor++;
      }
    }
    const swaps = products.filter((p) => p === 'IRS' || p === 'OIS' || p === 'XCCY' || p === 'CDS').length;
    expect(seasoned / swaps).toBeGreaterThan(0.7); // mostly seasoned
    expect(forward).toBeGreaterThan(0); // some forward-starting
    expect(longTenor / swaps).toBeLessThan(0.25); // skewed short
  });

  it('has unique ids, and every trade sits in an existing netting set of its own counterparty', () => {
    const tradeIds = col<string>(book.tables.trades, 'trade_id');
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    const cpIds = col<string>(book.tables.counterparties, 'counterparty_id');
    expect(new Set(cpIds).size).toBe(cpIds.length);
    const nsIds = col<string>(book.tables.netting_sets, 'netting_set_id');
    expect(new Set(nsIds).size).toBe(nsIds.length);
    const nsOwner = new Map(nsIds.map((id, i) => [id, col<string>(book.tables.netting_sets, 'counterparty_id')[i]!]));
    for (const owner of nsOwner.values()) expect(cpIds).toContain(owner);
    const tradeCp = col<string>(book.tables.trades, 'counterparty_id');
    const used = new Set<string>();
    col<string>(book.tables.trades, 'netting_set_id').forEach((ns, i) => {
      expect(nsOwner.has(ns), ns).toBe(true);
      expect(nsOwner.get(ns), tradeIds[i]).toBe(tradeCp[i]);
      used.add(ns);
    });
    expect(used.size).toBe(nsIds.length); // no empty netting set
  });

  it('sets CSA terms by the rules: cleared with CCPs at 5 days, bilateral CSAs at 10 or 20 days (+ N - 1 for N-day margining)', () => {
    const t = book.tables.netting_sets;
    const csa = col<boolean>(t, 'csa');
    const cleared = col<boolean>(t, 'cleared');
    const ccp = col<string | null>(t, 'ccp');
    const mpor = col<number | null>(t, 'margin_period_of_risk_days');
    const freq = col<number | null>(t, 'margin_frequency_days');
    const threshold = col<number | null>(t, 'threshold_cpty');
    const mta = col<number | null>(t, 'mta_cpty');
    const imModel = col<string>(t, 'im_model');
    const ccys = col<string>(t, 'collateral_currency');
    const usdPer: Record<string, number> = { USD: 1, EUR: 1.085, GBP: 1.27, JPY: 1 / 152.3, CHF: 1 / 0.885 };
    const ccpCounterparties = new Map(
      col<string>(book.tables.counterparties, 'counterparty_id').map((id, i) => [id, col<boolean>(book.tables.counterparties, 'qccp')[i]!]),
    );
    let twenty = 0;
    for (let i = 0; i < csa.length; i++) {
      if (cleared[i]) {
        expect(['LCH', 'CME', 'EUREX']).toContain(ccp[i]);
        expect(csa[i]).toBe(true);
        expect(mpor[i]).toBe(5);
        expect(ccpCounterparties.get(col<string>(t, 'counterparty_id')[i]!)).toBe(true);
      } else if (csa[i]) {
        expect(mpor[i]! - (freq[i]! - 1)).toSatisfy((m: number) => m === 10 || m === 20);
        if (mpor[i]! - (freq[i]! - 1) === 20) twenty++;
        // thresholds 0-50m and MTAs 0-1m in USD equivalent (2 significant figures of rounding: 5% slack)
        expect(threshold[i]! * usdPer[ccys[i]!]!).toBeLessThanOrEqual(50e6 * 1.05);
        expect(mta[i]! * usdPer[ccys[i]!]!).toBeLessThanOrEqual(1e6 * 1.05);
      } else {
        expect(mpor[i]).toBeNull();
        expect(imModel[i]).toBe('none');
      }
    }
    expect(twenty).toBeGreaterThan(0);
    expect(imModel.filter((m) => m === 'simm').length).toBeGreaterThan(imModel.filter((m) => m === 'schedule').length);
    expect(imModel.filter((m) => m === 'schedule').length).toBeGreaterThan(0);
    expect(new Set(threshold.filter((x) => x !== null)).size).toBeGreaterThan(5); // varied thresholds
    const eligibleSets = new Set(col<string>(book.tables.eligible_collateral, 'netting_set_id'));
    col<string>(t, 'netting_set_id').forEach((id, i) => expect(eligibleSets.has(id), id).toBe(csa[i]));
  });

  it('has a correlation matrix that is symmetric, unit-diagonal and positive definite (Jacobi smallest eigenvalue > 0)', () => {
    const factors = market.correlation.factors as string[];
    const matrix = market.correlation.matrix as number[][];
    expect(factors).toEqual(expect.arrayContaining(['IR:USD', 'IR:EUR', 'IR:GBP', 'IR:JPY', 'IR:CHF', 'FX:EURUSD', 'FX:GBPUSD', 'FX:JPYUSD', 'FX:CHFUSD']));
    expect(factors.filter((f) => f.startsWith('EQ:')).length).toBe(Object.keys(market.equities).length);
    expect(matrix.length).toBe(factors.length);
    for (let i = 0; i < matrix.length; i++) {
      expect(matrix[i]![i]).toBe(1);
      for (let j = 0; j < matrix.length; j++) {
        expect(matrix[i]![j]).toBe(matrix[j]![i]);
        expect(Math.abs(matrix[i]![j]!)).toBeLessThanOrEqual(1);
      }
    }
    // By construction (loadings with |l|^2 <= 0.9) the smallest eigenvalue is >= 0.1 before rounding to 4 decimals,
    // which moves it by at most n * 5e-5 (Weyl's inequality).
    const eigen = jacobiEigenvalues(matrix);
    expect(eigen[0]).toBeGreaterThan(0.1 - factors.length * 5e-5);
    // The trace is preserved by the rotations: the eigenvalues sum to n.
    expect(eigen.reduce((s, x) => s + x, 0)).toBeCloseTo(factors.length, 9);
  });

  it('uses only float indices, equities, CDS names, proxies and currencies that the market file has', () => {
    const trades = book.tables.trades;
    const projection = new Set(Object.keys(market.curves.projection));
    for (const name of ['float_index', 'float_index2']) {
      for (const idx of col<string | null>(trades, name)) if (idx !== null) expect(projection.has(idx), idx).toBe(true);
    }
    expect([...projection].sort()).toEqual(
      ['CHF-SARON', 'EUR-ESTR', 'EUR-EURIBOR-3M', 'EUR-EURIBOR-6M', 'GBP-SONIA', 'JPY-TONA', 'USD-SOFR'],
    );
    const used = new Set(col<string | null>(trades, 'float_index'));
    for (const idx of projection) expect(used.has(idx), `${idx} traded`).toBe(true);
    for (const u of col<string | null>(trades, 'underlying')) if (u !== null) expect(market.equities[u], u).toBeDefined();
    expect(Object.keys(market.equities).length).toBeGreaterThanOrEqual(6);
    const names = market.credit.names as Record<string, unknown>;
    const refs = new Set(col<string | null>(trades, 'reference_entity').filter((x): x is string => x !== null));
    for (const r of refs) expect(names[r], r).toBeDefined();
    expect(refs.size).toBeGreaterThanOrEqual(25);
    const cp = book.tables.counterparties;
    const sectors = col<string>(cp, 'sector');
    const ratings = col<string>(cp, 'rating');
    const proxies = market.credit.proxies as { sector: string; rating: string; region?: string }[];
    let ownCurves = 0;
    col<string | null>(cp, 'cds_curve').forEach((curve, i) => {
      if (curve !== null) {
        ownCurves++;
        expect(names[curve], curve).toBeDefined();
      } else {
        expect(proxies.some((p) => p.sector === sectors[i] && p.rating === ratings[i] && p.region === undefined), `${sectors[i]} ${ratings[i]}`).toBe(true);
      }
    });
    expect(ownCurves).toBeGreaterThan(0);
    expect(ownCurves).toBeLessThan(rowCount(cp) / 2);
    expect(proxies.some((p) => p.region !== undefined)).toBe(true);
    const currencies = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF']);
    expect(new Set(Object.keys(market.curves.discount))).toEqual(currencies);
    for (const c of [...col<string | null>(trades, 'currency'), ...col<string | null>(trades, 'currency2')]) if (c !== null) expect(currencies.has(c)).toBe(true);
    for (const c of currencies) {
      expect(market.rates[c].hullWhite.meanReversion).toBeGreaterThan(0);
      expect(market.funding[c].borrowSpreadBp).toBeGreaterThan(market.funding[c].lendSpreadBp);
    }
    expect(parseIsoDate(String(market.asOf))).toBe(AS_OF);
  });

  it('spreads ratings, sectors and regions like a dealer client base', () => {
    const cp = book.tables.counterparties;
    const sectors = col<string>(cp, 'sector');
    const ratings = col<string>(cp, 'rating');
    const share = (xs: string[], pred: (x: string) => boolean) => xs.filter(pred).length / xs.length;
    expect(share(sectors, (s) => s === 'financial')).toBeGreaterThan(0.35);
    expect(share(sectors, (s) => s === 'sovereign')).toBeGreaterThan(0.01);
    expect(share(sectors, (s) => s === 'sovereign')).toBeLessThan(0.08);
    expect(share(ratings, (r) => ['AAA', 'AA', 'A', 'BBB'].includes(r))).toBeGreaterThan(0.6);
    expect(share(ratings, (r) => ['BB', 'B', 'CCC', 'NR'].includes(r))).toBeGreaterThan(0.15);
    expect(new Set(col<string>(cp, 'region')).size).toBe(7);
  });
});

describe('generated books validate and price at market (validateInputs, the loader and pricers of src/)', () => {
  it.each([['demo' as const], ['utb-20k' as const]])('%s validates with zero errors', async (preset) => {
    const dir = tmpDir(preset);
    writeBook(generateBook(preset, 42), dir, 'parquet');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    expect(result.truncated).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.summary.tradeCount).toBe(preset === 'demo' ? 1000 : 20_000);
    expect(result.summary.mtm?.failedTrades).toBe(0);
  }, 120_000);

  it('strikes spot- and forward-starting swaps at the par rate of the market file (|NPV| < 25bp x notional x years)', async () => {
    // The generator strikes new swaps at its own forward par rate plus N(0, 5bp); the independent multi-curve pricer
    // on the YAML pillars must agree to within 5 standard deviations (25bp running) of that noise.
    const dir = tmpDir('at-market');
    writeBook(generateBook('demo', 42), dir, 'parquet');
    const result = await validateInputs({ portfolioDir: dir });
    const market = result.market!;
    let checked = 0;
    for (const trade of result.portfolio.trades) {
      if (trade.product !== 'IRS' && trade.product !== 'OIS') continue;
      if (trade.fixedLeg.startDate < AS_OF) continue;
      const years = (trade.fixedLeg.maturityDate - trade.fixedLeg.startDate) / 365;
      const npv = priceTrade(trade, market).npv;
      expect(Math.abs(npv) / (trade.fixedLeg.notional * years), trade.tradeId).toBeLessThan(0.0025);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  }, 60_000);
});

describe('xva fixtures --calendars: each swap on its currency\'s holiday calendar', () => {
  const plain = generateBook('demo', 42);
  const withCalendars = generateBook('demo', 42, { calendars: true });
  const trades = (b: GeneratedBook): BookTable => b.tables.trades;

  it('adds a calendar column after business_day_convention and changes no other cell', () => {
    const names = trades(withCalendars).columns.map((c) => c.name);
    expect(names.filter((n) => n !== 'calendar')).toEqual(trades(plain).columns.map((c) => c.name));
    expect(names.indexOf('calendar')).toBe(names.indexOf('business_day_convention') + 1);
    for (const column of trades(plain).columns) expect(columnValues(trades(withCalendars), column.name), column.name).toEqual(column.values);
    for (const name of ['counterparties', 'netting_sets', 'eligible_collateral', 'collateral', 'reference_entities'] as const)
      expect(withCalendars.tables[name], name).toEqual(plain.tables[name]);
    expect(withCalendars.marketYaml).toBe(plain.marketYaml);
  });

  it('USD USNY, EUR TARGET, GBP GBLO, JPY JPTO, CHF CHZU; a cross-currency swap both; other products none', () => {
    const expected: Record<string, string> = { USD: 'USNY', EUR: 'TARGET', GBP: 'GBLO', JPY: 'JPTO', CHF: 'CHZU' };
    const t = trades(withCalendars);
    const product = columnValues(t, 'product');
    const ccy = columnValues(t, 'currency');
    const ccy2 = columnValues(t, 'currency2');
    const calendar = columnValues(t, 'calendar');
    let xccy = 0;
    product.forEach((p, i) => {
      if (p === 'IRS' || p === 'OIS' || p === 'SWAPTION') expect(calendar[i]).toBe(expected[ccy[i] as string]);
      else if (p === 'XCCY') {
        xccy++;
        expect(String(calendar[i]).split('+').sort()).toEqual([expected[ccy[i] as string], expected[ccy2[i] as string]].sort());
      } else expect(calendar[i]).toBeNull();
    });
    expect(xccy).toBeGreaterThan(0);
  });

  it('the written book loads with every swap on its calendar, and xva validate counts them', async () => {
    const dir = tmpDir('calendars');
    writeBook(withCalendars, dir, 'parquet');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    const swaps = result.portfolio.trades.filter((x) => x.product === 'IRS' || x.product === 'OIS' || x.product === 'SWAPTION' || x.product === 'XCCY');
    const counted = Object.values(result.summary.swapsByCalendar).reduce((a, b) => a + b, 0);
    expect(counted).toBe(swaps.length);
    expect(result.summary.swapsByCalendar['weekends']).toBeUndefined();
    for (const x of result.portfolio.trades) {
      const leg = x.product === 'XCCY' ? x.leg1 : x.product === 'IRS' || x.product === 'OIS' || x.product === 'SWAPTION' ? x.fixedLeg : undefined;
      if (leg) expect(leg.calendar, x.tradeId).toBeDefined();
    }
  }, 60_000);
});

describe('xva fixtures --amortising: three swaps in four amortise', () => {
  const plain = generateBook('demo', 42);
  const amortising = generateBook('demo', 42, { amortising: true });

  it('adds the three amortization columns last and a notional_schedules table, and changes no other cell', () => {
    const names = amortising.tables.trades.columns.map((c) => c.name);
    expect(names.slice(-3)).toEqual(['amortization', 'amortization_amount', 'amortization_frequency']);
    for (const column of plain.tables.trades.columns) expect(columnValues(amortising.tables.trades, column.name), column.name).toEqual(column.values);
    for (const name of ['counterparties', 'netting_sets', 'eligible_collateral', 'collateral', 'reference_entities'] as const)
      expect(amortising.tables[name], name).toEqual(plain.tables[name]);
    expect(amortising.marketYaml).toBe(plain.marketYaml);
    expect(plain.notionalSchedules).toBeUndefined();
  });

  it('in turn bullet, linear, fixed_amount (yearly, never repaid before maturity) and schedule, over IRS, OIS and XCCY in book order', () => {
    const t = amortising.tables.trades;
    const product = columnValues(t, 'product');
    const kind = columnValues(t, 'amortization');
    const swaps = product.map((p, i) => [p, i] as const).filter(([p]) => p === 'IRS' || p === 'OIS' || p === 'XCCY').map(([, i]) => i);
    const expected = [null, 'linear', 'fixed_amount', 'schedule'];
    const shortSchedule = swaps.filter((i, k) => k % 4 === 3 && kind[i] === 'linear').length; // under two whole years: linear
    swaps.forEach((i, k) => {
      if (!(k % 4 === 3 && kind[i] === 'linear')) expect(kind[i], String(columnValues(t, 'trade_id')[i])).toBe(expected[k % 4]);
    });
    expect(shortSchedule).toBeLessThan(swaps.length / 8);
    product.forEach((p, i) => {
      if (p !== 'IRS' && p !== 'OIS' && p !== 'XCCY') expect(kind[i]).toBeNull();
    });
  });

  it('the written book loads and validates with no issue; the repayments of fixed_amount leave notional to the last year', async () => {
    const dir = tmpDir('amortising');
    const files = writeBook(amortising, dir, 'csv').map((f) => path.basename(f));
    expect(files).toContain('notional_schedules.csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    let fixedAmount = 0;
    let scheduled = 0;
    for (const x of result.portfolio.trades) {
      const leg = amortisingLeg(x);
      if (leg?.amortization?.kind === 'fixed_amount') {
        fixedAmount++;
        const steps = notionalSteps(leg);
        expect(steps.notionals[steps.notionals.length - 1], x.tradeId).toBeGreaterThan(0);
      }
      if (leg?.amortization?.kind === 'schedule') {
        scheduled++;
        expect(leg.amortization.notionals[0]).toBeCloseTo(1.2 * leg.notional, 0); // drawn to 120% in the second year
      }
    }
    expect(fixedAmount).toBeGreaterThan(20);
    expect(scheduled).toBeGreaterThan(20);
    // xva validate's summary counts them by kind, as the generated column says
    const kinds = columnValues(amortising.tables.trades, 'amortization').filter((k) => k !== null);
    const byKind: Record<string, number> = {};
    for (const k of kinds) byKind[k as string] = (byKind[k as string] ?? 0) + 1;
    expect(result.summary.amortisingSwaps).toEqual(byKind);
    expect(result.summary.amortisingSwaps['fixed_amount']).toBe(fixedAmount);
  }, 60_000);
});

describe('xva fixtures --caps: every fourth bilateral EURIBOR IRS and every fourth bilateral OIS a cap or floor', () => {
  const plain = generateBook('demo', 42);
  const capped = generateBook('demo', 42, { caps: true });

  it('turns every fourth bilateral IRS on a term index and every fourth bilateral OIS into a cap (payer) or floor (receiver) at its fixed rate, sold and bought in turn; no other cell changes', () => {
    const [before, after] = [plain.tables.trades, capped.tables.trades];
    expect(after.columns.map((c) => c.name)).toEqual(before.columns.map((c) => c.name));
    const at = (t: typeof before, name: string, i: number) => columnValues(t, name)[i];
    const bilateral = (i: number) => at(before, 'cleared', i) !== true;
    const rows = columnValues(before, 'product').map((p, i) => i);
    const termSwaps = rows.filter((i) => at(before, 'product', i) === 'IRS' && bilateral(i) && /-\d+[MY]$/.test(String(at(before, 'float_index', i))));
    const overnightSwaps = rows.filter((i) => at(before, 'product', i) === 'OIS' && bilateral(i));
    const term = termSwaps.filter((_, k) => k % 4 === 0);
    const overnight = overnightSwaps.filter((_, k) => k % 4 === 0);
    const converted = new Set([...term, ...overnight]);
    expect(converted.size).toBe(capped.summary.tradesByProduct.CAPFLOOR);
    expect(term.length).toBeGreaterThan(10);
    expect(overnight.length).toBeGreaterThan(10);
    // of each kind, sold and bought in turn
    const turnOf = new Map([...term.map((i, k) => [i, k] as const), ...overnight.map((i, k) => [i, k] as const)]);
    for (let i = 0; i < columnValues(before, 'product').length; i++) {
      if (!converted.has(i)) {
        for (const c of before.columns) expect(at(after, c.name, i), `${c.name}[${i}]`).toEqual(c.values[i]);
        continue;
      }
      expect(at(after, 'product', i)).toBe('CAPFLOOR');
      expect(at(after, 'option_type', i)).toBe(at(before, 'direction', i) === 'pay' ? 'cap' : 'floor');
      expect(at(after, 'direction', i)).toBe(turnOf.get(i)! % 2 === 0 ? 'sell' : 'buy');
      expect(at(after, 'strike', i)).toBe(at(before, 'fixed_rate', i));
      for (const name of ['fixed_rate', 'fixed_frequency', 'fixed_day_count']) expect(at(after, name, i)).toBeNull();
      expect(at(after, 'float_spread_bp', i)).toBe(0);
      for (const name of ['trade_id', 'counterparty_id', 'netting_set_id', 'currency', 'notional', 'start_date', 'maturity_date', 'float_index', 'float_frequency', 'float_day_count'])
        expect(at(after, name, i), name).toEqual(at(before, name, i));
    }
    for (const name of ['counterparties', 'netting_sets', 'eligible_collateral', 'collateral', 'reference_entities'] as const)
      expect(capped.tables[name], name).toEqual(plain.tables[name]);
    expect(capped.marketYaml).toBe(plain.marketYaml);
  });

  it('the written book validates with no issue, the caps priced on the demo market', async () => {
    const dir = tmpDir('caps');
    writeBook(capped, dir, 'csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    const caps = result.portfolio.trades.filter((x) => x.product === 'CAPFLOOR');
    expect(caps.length).toBe(capped.summary.tradesByProduct.CAPFLOOR);
    expect(result.summary.tradesByProduct.CAPFLOOR).toBe(caps.length);
    // the overnight ones price in arrears (their caplets flagged), the term ones fixed at the start
    const overnight = caps.filter((c) => c.product === 'CAPFLOOR' && !/-\d+[MY]$/.test(c.floatLeg.floatIndex));
    expect(overnight.length).toBe(25);
    // an option is worth something to its holder: bought ones above 0, sold ones below (a cap whose only period left
    // is running, out of the money, is worth 0: its intrinsic value)
    const market = result.market!;
    let strict = 0;
    for (const c of overnight) {
      const npv = priceTrade(c, market).npv;
      const live = capletPieces(c, market.asOf).caplets.length > 0;
      if (live) strict++;
      expect(c.direction === 'buy' ? (live ? npv > 0 : npv >= 0) : live ? npv < 0 : npv <= 0, `${c.tradeId}: ${npv}`).toBe(true);
    }
    expect(strict).toBeGreaterThan(15);
  }, 60_000);
});

describe('xva fixtures --step-up: every third IRS, OIS and physical swaption steps up', () => {
  const plain = generateBook('demo', 42);
  const stepped = generateBook('demo', 42, { stepUp: true });

  it('adds a rate_schedules table (+25bp a third of the way, +50bp two thirds of the way, on whole-year anniversaries) and changes no other table', () => {
    for (const name of ['trades', 'counterparties', 'netting_sets', 'eligible_collateral', 'collateral', 'reference_entities'] as const)
      expect(stepped.tables[name], name).toEqual(plain.tables[name]);
    expect(stepped.marketYaml).toBe(plain.marketYaml);
    expect(plain.rateSchedules).toBeUndefined();
    const t = plain.tables.trades;
    const product = columnValues(t, 'product');
    const settlement = columnValues(t, 'settlement');
    const eligible = product.map((p, i) => i).filter((i) => product[i] === 'IRS' || product[i] === 'OIS' || (product[i] === 'SWAPTION' && settlement[i] !== 'cash'));
    const chosen = eligible.filter((_, k) => k % 3 === 0);
    const rows = stepped.rateSchedules!;
    const ids = columnValues(rows, 'trade_id');
    const byTrade = new Map<string, { from: DateSerial; rate: number }[]>();
    ids.forEach((id, j) => byTrade.set(id as string, [...(byTrade.get(id as string) ?? []), { from: columnValues(rows, 'from_date')[j] as DateSerial, rate: columnValues(rows, 'rate')[j] as number }]));
    let two = 0;
    for (const i of chosen) {
      const id = columnValues(t, 'trade_id')[i] as string;
      const start = columnValues(t, 'start_date')[i] as DateSerial;
      const end = columnValues(t, 'maturity_date')[i] as DateSerial;
      const rate = columnValues(t, 'fixed_rate')[i] as number;
      let n = 0;
      while (addMonths(start, 12 * (n + 1)) < end) n++;
      const steps = byTrade.get(id) ?? [];
      if (n >= 4) {
        two++;
        expect(steps, id).toEqual([{ from: addMonths(start, 12 * (Math.floor(n / 3) + 1)), rate: expect.closeTo(rate + 0.0025, 9) }, { from: addMonths(start, 12 * (Math.floor((2 * n) / 3) + 1)), rate: expect.closeTo(rate + 0.005, 9) }]);
      } else if (n >= 2) expect(steps, id).toEqual([{ from: addMonths(start, 12 * (Math.floor(n / 2) + 1)), rate: expect.closeTo(rate + 0.0025, 9) }]);
      else expect(steps).toEqual([]);
    }
    expect(two).toBeGreaterThan(50);
    expect(new Set(ids).size).toBeLessThanOrEqual(chosen.length);
    expect([...new Set(ids)].every((id) => chosen.some((i) => columnValues(t, 'trade_id')[i] === id))).toBe(true);
  });

  it('the written book validates with no issue and counts its step-up trades by product', async () => {
    const dir = tmpDir('step-up');
    expect(writeBook(stepped, dir, 'csv').map((f) => path.basename(f))).toContain('rate_schedules.csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    const trades = new Set(columnValues(stepped.rateSchedules!, 'trade_id'));
    const byProduct: Record<string, number> = {};
    for (const x of result.portfolio.trades) {
      if (!trades.has(x.tradeId)) continue;
      expect(x.product === 'IRS' || x.product === 'OIS' || x.product === 'SWAPTION' ? x.fixedLeg.rateSteps : undefined, x.tradeId).toBeDefined();
      byProduct[x.product] = (byProduct[x.product] ?? 0) + 1;
    }
    expect(result.summary.steppedRates).toEqual(byProduct);
    expect(byProduct['SWAPTION']).toBeGreaterThan(5);
  }, 60_000);
});

describe('xva fixtures --bermudan: every fourth physical swaption Bermudan', () => {
  it('adds an exercise column (bermudan on the 1st, 5th, ... physical swaption), no other cell changes; the book validates and counts them', async () => {
    const plain = generateBook('demo', 42);
    const book = generateBook('demo', 42, { bermudan: true });
    const t = book.tables.trades;
    expect(t.columns.map((c) => c.name)).toEqual([...plain.tables.trades.columns.map((c) => c.name), 'exercise']);
    for (const column of plain.tables.trades.columns) expect(columnValues(t, column.name), column.name).toEqual(column.values);
    const product = columnValues(t, 'product');
    const settlement = columnValues(t, 'settlement');
    const physical = product.map((_, i) => i).filter((i) => product[i] === 'SWAPTION' && settlement[i] !== 'cash');
    const expected = product.map((_, i) => (physical.indexOf(i) >= 0 && physical.indexOf(i) % 4 === 0 ? 'bermudan' : null));
    expect(columnValues(t, 'exercise')).toEqual(expected);
    const dir = tmpDir('bermudan');
    writeBook(book, dir, 'csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    expect(result.summary.bermudanSwaptions).toBe(expected.filter((x) => x !== null).length);
    expect(result.summary.bermudanSwaptions).toBeGreaterThan(10);
  }, 60_000);
});

describe('xva fixtures --mtm-xccy: every second bullet float/float XCCY with both exchanges resets', () => {
  it('adds an fx_reset column (the leg without a spread, else the USD leg, else leg 2), no other cell changes; validates and counts them', async () => {
    const plain = generateBook('demo', 42);
    const book = generateBook('demo', 42, { mtmXccy: true });
    const t = book.tables.trades;
    expect(t.columns.map((c) => c.name)).toEqual([...plain.tables.trades.columns.map((c) => c.name), 'fx_reset']);
    for (const column of plain.tables.trades.columns) expect(columnValues(t, column.name), column.name).toEqual(column.values);
    const col = (name: string) => columnValues(t, name);
    const blank = (v: unknown) => v === null || v === undefined || v === '';
    const eligible = col('product').map((_, i) => i).filter((i) => col('product')[i] === 'XCCY' && blank(col('fixed_rate')[i]) && blank(col('fixed_rate2')[i]) && (blank(col('notional_exchange')[i]) || col('notional_exchange')[i] === 'both'));
    const expected = col('product').map((_, i) => {
      const k = eligible.indexOf(i);
      if (k < 0 || k % 2 !== 0) return null;
      const s1 = Number(col('float_spread_bp')[i] ?? 0);
      const s2 = Number(col('float_spread_bp2')[i] ?? 0);
      return s1 === 0 && s2 !== 0 ? 'leg1' : s2 === 0 && s1 !== 0 ? 'leg2' : col('currency')[i] === 'USD' ? 'leg1' : 'leg2';
    });
    expect(col('fx_reset')).toEqual(expected);
    const dir = tmpDir('mtm');
    writeBook(book, dir, 'csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    expect(result.summary.resettingSwaps).toBe(expected.filter((x) => x !== null).length);
    expect(result.summary.resettingSwaps).toBeGreaterThan(10);
  }, 60_000);
});

describe('xva fixtures --payment-lag: every OIS pays two business days late', () => {
  it('adds a payment_lag_days column (2 on the OIS rows), no other cell changes; the book validates with the lags on both legs', async () => {
    const plain = generateBook('demo', 42);
    const book = generateBook('demo', 42, { paymentLag: true });
    const t = book.tables.trades;
    expect(t.columns.map((c) => c.name)).toEqual([...plain.tables.trades.columns.map((c) => c.name), 'payment_lag_days']);
    for (const column of plain.tables.trades.columns) expect(columnValues(t, column.name), column.name).toEqual(column.values);
    expect(columnValues(t, 'payment_lag_days')).toEqual(columnValues(t, 'product').map((p) => (p === 'OIS' ? 2 : null)));
    const dir = tmpDir('lag');
    writeBook(book, dir, 'csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    const ois = result.portfolio.trades.filter((x) => x.product === 'OIS');
    expect(ois.length).toBeGreaterThan(50);
    for (const x of ois) if (x.product === 'OIS') expect([x.fixedLeg.paymentLagDays, x.floatLeg.paymentLagDays]).toEqual([2, 2]);
    expect(result.summary.laggedSwaps).toBe(ois.length);
  }, 60_000);
});

describe('xva fixtures --ois-lookback: every OIS looks back two business days', () => {
  it('adds the three columns on the OIS rows (shift on every second, lockout on every fourth), no other cell changes; validates with the terms on the float legs', async () => {
    const plain = generateBook('demo', 42);
    const book = generateBook('demo', 42, { oisLookback: true });
    const t = book.tables.trades;
    expect(t.columns.map((c) => c.name)).toEqual([...plain.tables.trades.columns.map((c) => c.name), 'float_lookback_days', 'float_observation_shift', 'float_lockout_days']);
    for (const column of plain.tables.trades.columns) expect(columnValues(t, column.name), column.name).toEqual(column.values);
    const products = columnValues(t, 'product');
    let k = 0;
    const expected = products.map((p) => (p === 'OIS' ? k++ : -1));
    expect(columnValues(t, 'float_lookback_days')).toEqual(expected.map((i) => (i < 0 ? null : 2)));
    expect(columnValues(t, 'float_observation_shift')).toEqual(expected.map((i) => (i < 0 ? null : i % 2 === 0)));
    expect(columnValues(t, 'float_lockout_days')).toEqual(expected.map((i) => (i < 0 || i % 4 !== 0 ? null : 1)));
    const dir = tmpDir('lookback');
    writeBook(book, dir, 'csv');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.issues).toEqual([]);
    const ois = result.portfolio.trades.filter((x) => x.product === 'OIS');
    expect(ois.length).toBeGreaterThan(50);
    ois.forEach((x, i) => {
      if (x.product !== 'OIS') return;
      expect([x.floatLeg.lookbackDays, x.floatLeg.observationShift, x.floatLeg.lockoutDays]).toEqual([2, i % 2 === 0 ? true : undefined, i % 4 === 0 ? 1 : undefined]);
      expect('lookbackDays' in x.fixedLeg).toBe(false);
    });
    expect(result.summary.lookbackSwaps).toBe(ois.length);
  }, 60_000);
});

describe('reference_entities: the SA-CCR names of the book (docs/capital.md, "SA-CCR inputs")', () => {
  it('the committed fixtures/demo has a row for every CDS reference entity and equity underlying, read by loadSaccrInputs with no issue', async () => {
    const dir = path.join(__dirname, '..', 'fixtures', 'demo');
    const issues = new IssueCollector();
    const trades = new FieldReader(await readTable(path.join(dir, 'trades.parquet')), issues);
    const credit = new Set<string>();
    const equity = new Set<string>();
    for (let row = 0; row < trades.table.numRows; row++) {
      const product = trades.string('product', row);
      if (product === 'CDS') credit.add(trades.string('reference_entity', row, { required: true })!);
      if (product === 'EQFWD' || product === 'EQOPT') equity.add(trades.string('underlying', row, { required: true })!);
    }
    const entities = (await loadSaccrInputs(dir, issues)).referenceEntities!;
    expect(issues.issues).toEqual([]);
    expect(issues.warnings).toEqual([]);
    expect(credit.size).toBeGreaterThan(10);
    expect(equity.size).toBeGreaterThan(1);
    // Exactly the names traded: a credit single name with a CRE52.72 rating, an equity index (CRE52.71).
    expect(new Set(entities.keys())).toEqual(new Set([...credit, ...equity]));
    for (const name of credit) {
      const e = entities.get(name)!;
      expect(e.isIndex, name).toBe(false);
      expect(e.rating, name).toBe(REFERENCE_NAMES.find((r) => r.name === name)!.rating);
      expect(e.grade, name).toBeUndefined();
    }
    for (const name of equity) expect(entities.get(name), name).toEqual({ name, isIndex: true });
  });

  it('gives each utb-20k credit name the rating behind its market curve and its traded coupon', () => {
    const book = generateBook('utb-20k', 42);
    const market = parseYaml(book.marketYaml);
    const table = book.tables.reference_entities;
    const names = col<string>(table, 'name');
    const kinds = col<string>(table, 'kind');
    const ratings = col<string | null>(table, 'rating');
    const trades = book.tables.trades;
    const refs = new Set(col<string | null>(trades, 'reference_entity').filter((x): x is string => x !== null));
    const underlyings = new Set(col<string | null>(trades, 'underlying').filter((x): x is string => x !== null));
    expect(new Set(names)).toEqual(new Set([...refs, ...underlyings]));
    expect(names.length).toBe(refs.size + underlyings.size);
    const couponOf = new Map<string, number>();
    col<string | null>(trades, 'reference_entity').forEach((r, i) => {
      if (r !== null) couponOf.set(r, col<number>(trades, 'fixed_rate')[i]!);
    });
    let checked = 0;
    names.forEach((name, i) => {
      if (!refs.has(name)) {
        expect([kinds[i], ratings[i]], name).toEqual(['index', null]);
        return;
      }
      expect(kinds[i], name).toBe('single_name');
      const rating = ratings[i] as keyof typeof RATING_SPREAD_5Y_BP;
      const spreads = (market.credit.names[name].pillars as { tenor: string; spreadBp: number }[]).map((p) => p.spreadBp);
      const s5 = spreads[CDS_TENORS.indexOf('5Y')]!;
      // Term shape of the rating: 1Y / 5Y is 0.55 (IG), 0.70 (BB), 0.85 (B) or 1.25 (CCC). Each spread is rounded to
      // 0.1bp, so the ratio is off by at most 0.1 / s5 (< 0.02 here), far below the 0.15 between shapes.
      expect(Math.abs(spreads[0]! / s5 - cdsTermShape(rating)[0]!), name).toBeLessThan(0.1 / s5 + 1e-12);
      // Level: 5Y = rating level x sector x region x a lognormal name effect of log-vol 0.25; 4 sigma is exp(+-1).
      const ref = REFERENCE_NAMES.find((r) => r.name === name)!;
      const effect = s5 / (RATING_SPREAD_5Y_BP[rating] * SECTOR_SPREAD_MULTIPLIER[ref.sector] * REGION_SPREAD_MULTIPLIER[ref.region]);
      expect(Math.abs(Math.log(effect)), name).toBeLessThan(1);
      // ISDA standard coupons: 100bp for an investment-grade name, 500bp for high yield.
      expect(couponOf.get(name), name).toBe(['AAA', 'AA', 'A', 'BBB'].includes(rating) ? 0.01 : 0.05);
      checked++;
    });
    expect(checked).toBe(refs.size);
  }, 60_000);
});
