/**
 * The `correlation` section of the market file: a factor list and a full matrix, or a list of pairs (identity
 * elsewhere). The matrix must be a correlation matrix: square, symmetric, unit diagonal, entries in [-1, 1] and
 * positive semi-definite (a Cholesky factor must exist for the simulation); when it is not, the message names the
 * factors that make it fail (correlation.ts).
 */
import type { Currency } from '../products/types.js';
import { findPsdViolation } from './correlation.js';
import { parseFxPair } from './fx.js';
import type { LoadContext } from './loadCommon.js';
import type { CorrelationMatrix } from './types.js';
import { child } from './yamlReader.js';

/** Names the factors may refer to (as declared in the file). */
export interface FactorUniverse {
  /** Currencies with a discount curve. */
  rateCurrencies: ReadonlySet<Currency>;
  /** Currencies whose FX spot reaches the base currency. */
  fxCurrencies: ReadonlySet<Currency>;
  equities: ReadonlySet<string>;
  creditNames: ReadonlySet<string>;
}

/** Symmetry tolerance: matrices typed by hand are symmetric to the digit. */
const SYMMETRY_TOLERANCE = 1e-12;

/** Undefined when the factor name is well-formed and refers to something in the file; else what was expected. */
export function factorProblem(factor: string, base: Currency | undefined, universe: FactorUniverse): string | undefined {
  const m = /^(IR|FX|EQ|CR):(.+)$/.exec(factor);
  const form = 'a factor IR:<CCY>, FX:<CCY><BASE>, EQ:<equity> or CR:<credit name>';
  if (!m) return form;
  const [, kind, name] = m as unknown as [string, string, string];
  switch (kind) {
    case 'IR':
      return universe.rateCurrencies.has(name as Currency) ? undefined : `IR:<CCY> of a currency with a discount curve (curves.discount.${name} is not given)`;
    case 'FX': {
      const pair = parseFxPair(name);
      if (!pair || (base !== undefined && pair.quote !== base)) return `FX:<CCY>${base ?? '<BASE>'}, a currency against the base currency`;
      return universe.fxCurrencies.has(pair.base) ? undefined : `FX:<CCY>${pair.quote} of a currency with an FX spot against ${pair.quote}`;
    }
    case 'EQ':
      return universe.equities.has(name) ? undefined : `EQ:<NAME> of an equity in the equities section (${name} is not there)`;
    default:
      return universe.creditNames.has(name) ? undefined : `CR:<NAME> of a credit.names entry (${name} is not there)`;
  }
}

export function readCorrelation(ctx: LoadContext, value: unknown, universe: FactorUniverse): CorrelationMatrix {
  const r = ctx.reader;
  const identity: CorrelationMatrix = { factors: [], matrix: new Float64Array(0) };
  if (value === undefined) return identity;
  const spec = r.map(value, 'correlation', 'a mapping with factors and matrix, or pairs');
  if (!spec) return identity;
  r.keys(spec, 'correlation', ['factors', 'matrix', 'pairs'], 'correlation keys');
  const before = r.issues.errorCount;

  const checkFactor = (factor: unknown, path: string): string | undefined => {
    if (typeof factor !== 'string') {
      r.issue(path, factor, 'a factor name such as IR:USD or FX:EURUSD');
      return undefined;
    }
    const problem = factorProblem(factor, ctx.base, universe);
    if (problem) {
      r.issue(path, factor, problem);
      return undefined;
    }
    return factor;
  };

  let factors: string[] = [];
  let matrix = new Float64Array(0);
  let where = 'correlation.matrix';

  if (spec.pairs !== undefined) {
    where = 'correlation.pairs';
    if (spec.factors !== undefined || spec.matrix !== undefined) {
      r.issue('correlation.pairs', 'pairs with factors/matrix', 'either factors and matrix, or pairs, not both');
      return identity;
    }
    const list = r.list(spec.pairs, 'correlation.pairs', 'a non-empty list of { a, b, rho }');
    const entries: { a: string; b: string; rho: number }[] = [];
    const seen = new Map<string, number>();
    list?.forEach((item, i) => {
      const p = child('correlation.pairs', i);
      const pair = r.map(item, p, 'a pair { a: IR:USD, b: IR:EUR, rho: 0.6 }');
      if (!pair) return;
      r.keys(pair, p, ['a', 'b', 'rho'], 'pair keys');
      const a = checkFactor(pair.a, child(p, 'a'));
      const b = checkFactor(pair.b, child(p, 'b'));
      const rho = r.numberWhere(pair.rho, child(p, 'rho'), (x) => x >= -1 && x <= 1, 'a correlation in [-1, 1]');
      if (a === undefined || b === undefined || rho === undefined) return;
      if (a === b) {
        r.issue(child(p, 'b'), b, `a factor other than a (${a}): the diagonal is 1`);
        return;
      }
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      if (seen.has(key)) {
        r.issue(p, `${a} ~ ${b}`, `one entry per pair of factors (also correlation.pairs[${seen.get(key)}])`);
        return;
      }
      seen.set(key, i);
      entries.push({ a, b, rho });
    });
    if (r.issues.errorCount > before) return identity;
    for (const { a, b } of entries) for (const f of [a, b]) if (!factors.includes(f)) factors.push(f);
    const n = factors.length;
    matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) matrix[i * n + i] = 1;
    for (const { a, b, rho } of entries) {
      const i = factors.indexOf(a);
      const j = factors.indexOf(b);
      matrix[i * n + j] = rho;
      matrix[j * n + i] = rho;
    }
  } else {
    const list = r.list(spec.factors, 'correlation.factors', 'a non-empty list of factor names (IR:USD, FX:EURUSD, ...)');
    if (!list) return identity;
    const firstAt = new Map<string, number>();
    list.forEach((f, i) => {
      const path = child('correlation.factors', i);
      const factor = checkFactor(f, path);
      if (factor === undefined) return;
      if (firstAt.has(factor)) r.issue(path, factor, `unique factors (${factor} is also factors[${firstAt.get(factor)}])`);
      else firstAt.set(factor, i);
    });
    factors = list.map((f) => String(f));
    const n = factors.length;
    const rows = r.list(spec.matrix, 'correlation.matrix', `a ${n}x${n} matrix, one row per factor`);
    if (!rows) return identity;
    if (rows.length !== n) {
      r.issue('correlation.matrix', rows, `${n} rows, one per factor (a square matrix)`);
      return identity;
    }
    matrix = new Float64Array(n * n);
    rows.forEach((row, i) => {
      const rowPath = child('correlation.matrix', i);
      if (!Array.isArray(row) || row.length !== n) {
        r.issue(rowPath, row, `a row of ${n} numbers, one per factor (a square matrix)`);
        return;
      }
      row.forEach((x, j) => {
        const path = child(rowPath, j);
        if (i === j) {
          if (x !== 1) r.issue(path, x, `1 on the diagonal (${factors[i]} with itself)`);
        } else {
          r.numberWhere(x, path, (v) => v >= -1 && v <= 1, `a correlation in [-1, 1] (${factors[i]} with ${factors[j]})`);
        }
        matrix[i * n + j] = typeof x === 'number' ? x : Number.NaN;
      });
    });
    if (r.issues.errorCount > before) return identity;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (Math.abs(matrix[i * n + j]! - matrix[j * n + i]!) > SYMMETRY_TOLERANCE) {
          r.issue(
            child(child('correlation.matrix', j), i),
            matrix[j * n + i],
            `${matrix[i * n + j]}, the same as matrix[${i}][${j}] (${factors[i]} with ${factors[j]}): the matrix must be symmetric`,
          );
        }
      }
    }
    if (r.issues.errorCount > before) return identity;
  }

  const violation = findPsdViolation(factors, matrix);
  if (violation) {
    const culprits = violation.factors.join(', ');
    const detail =
      violation.reason === 'block'
        ? `${culprits} are inconsistent together (their ${violation.factors.length}x${violation.factors.length} block has eigenvalue ${violation.blockEigenvalue.toPrecision(3)})`
        : `the factors with the largest weight in the eigenvector of the negative eigenvalue are ${culprits}`;
    r.issue(where, `smallest eigenvalue ${violation.minEigenvalue.toPrecision(3)}`, `a positive semi-definite correlation matrix: ${detail}`);
    return identity;
  }
  return { factors, matrix };
}
