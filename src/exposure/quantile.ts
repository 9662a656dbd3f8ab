/**
 * Order statistics for potential future exposure: the k-th smallest of n values in O(n) expected time by selection,
 * never a full sort per date: a sampled band search (kthSmallest, after Floyd and Rivest) in front of Hoare's FIND
 * (quickselect with a median-of-three pivot, selectKth, which reorders its array in place).
 *
 * Quantile rule (ORE's, so that post-processing an ORE cube reproduces its PFE column): the q-quantile of n samples is
 * the order statistic at 0-based index floor(q·(n − 1) + 0.5) of the ascending sort, i.e. the nearest rank on the
 * (n − 1) scale with halves rounded up, with no interpolation between order statistics. For n = 50 and q = 0.95 it is
 * the 48th smallest value; for n = 1000 the 950th.
 */

/** 0-based rank of the q-quantile among n ascending samples (ORE's nearest-rank rule, see the module comment). */
export function quantileRank(quantile: number, n: number): number {
  if (!(quantile >= 0 && quantile <= 1)) throw new RangeError(`a quantile must be in [0, 1], got ${quantile}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`a quantile needs at least one sample, got n = ${n}`);
  return Math.min(n - 1, Math.floor(quantile * (n - 1) + 0.5));
}

/**
 * Returns the k-th smallest (0-based) of values[0 .. n) and leaves values partitioned around it: values[k] is that
 * order statistic, everything before it is <= it and everything after it is >= it. Expected O(n); the pivot is the
 * median of the first, middle and last element of the current range; small ranges, and a range that has failed to
 * shrink by a quarter too often (introselect's guard against adversarial inputs), are finished by sorting them.
 * NaN is not allowed in values (callers pass exposures, which are finite).
 */
export function selectKth(values: Float64Array, n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`rank ${k} is outside 0..${n - 1}`);
  if (n > values.length) throw new RangeError(`n = ${n} exceeds the ${values.length} values given`);
  let lo = 0;
  let hi = n - 1;
  let badSplits = 0;
  while (hi > lo) {
    if (hi - lo < 16 || badSplits > 8) {
      // Small (or stubborn) range: sort it; a typed-array subarray sort is numeric and in place.
      values.subarray(lo, hi + 1).sort();
      return values[k]!;
    }
    const mid = lo + ((hi - lo) >> 1);
    // Median of three, placed so that values[lo] <= values[mid] <= values[hi].
    if (values[mid]! < values[lo]!) swap(values, mid, lo);
    if (values[hi]! < values[lo]!) swap(values, hi, lo);
    if (values[hi]! < values[mid]!) swap(values, hi, mid);
    const pivot = values[mid]!;
    // Hoare partition: equal keys stop both scans, so runs of ties (many zero exposures) split evenly.
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // Now values[lo..j] <= pivot <= values[i..hi], and values[j+1..i-1] == pivot.
    const before = hi - lo;
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return pivot;
    if (hi - lo > 0.75 * before) badSplits++;
  }
  return values[k]!;
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a]!;
  values[a] = values[b]!;
  values[b] = t;
}

/** Below this many values the band search does not pay: plain selection. */
const BAND_MIN_N = 1024;
/** Sample size of the band search. */
const SAMPLE_SIZE = 256;
/** Half-width of the band in standard deviations of the sample rank of the k-th value, sqrt(s·q(1 − q)). */
const BAND_SIGMAS = 4;
const sample = new Float64Array(SAMPLE_SIZE);
let band = new Float64Array(0);

/**
 * The k-th smallest of values[0 .. n) (0-based), leaving values untouched, in one pass over them plus work on small
 * buffers (the idea of Floyd and Rivest's SELECT, CACM 18(3), 1975). An evenly strided sample of 256 values gives two
 * order statistics lo and hi, 4 standard deviations of the sample rank either side of k's, that bracket the k-th value
 * with overwhelming probability; one pass counts the values below lo and gathers those in [lo, hi] (a few hundred), and
 * the k-th value is selected among them. The comparisons of that pass are predictable branches, which makes it about
 * twice as fast as partitioning on Monte Carlo exposures. When the bracket misses (a sample unlike the data), it falls
 * back to selectKth on a copy, so the answer is always exact.
 */
export function kthSmallest(values: Float64Array, n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`rank ${k} is outside 0..${n - 1}`);
  if (n > values.length) throw new RangeError(`n = ${n} exceeds the ${values.length} values given`);
  if (n < BAND_MIN_N) return selectKth(values.slice(0, n), n, k);
  for (let i = 0; i < SAMPLE_SIZE; i++) sample[i] = values[Math.floor(((i + 0.5) * n) / SAMPLE_SIZE)]!;
  const q = (k + 0.5) / n;
  const target = q * SAMPLE_SIZE;
  const halfWidth = Math.ceil(BAND_SIGMAS * Math.sqrt(SAMPLE_SIZE * q * (1 - q))) + 2;
  const iLo = Math.floor(target) - halfWidth;
  const iHi = Math.floor(target) + halfWidth;
  // Two selections on the sample instead of sorting it: after the first, sample[0 .. iHi) holds the smaller values.
  const hiOpen = iHi >= SAMPLE_SIZE - 1;
  const hi = hiOpen ? Infinity : selectKth(sample, SAMPLE_SIZE, iHi);
  const lo = iLo <= 0 ? -Infinity : selectKth(sample, hiOpen ? SAMPLE_SIZE : iHi, iLo);
  if (band.length < n) band = new Float64Array(Math.max(n, 2 * band.length));
  let below = 0;
  let inBand = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < lo) below++;
    else if (x <= hi) band[inBand++] = x;
  }
  const rank = k - below;
  if (rank >= 0 && rank < inBand) {
    if (lo === hi) return lo; // a run of ties holds the answer
    return selectKth(band, inBand, rank);
  }
  return selectKth(values.slice(0, n), n, k);
}

/** The q-quantile (ORE's rule) of values[0 .. n); may reorder values (callers pass a scratch copy). */
export function quantileInPlace(values: Float64Array, n: number, quantile: number): number {
  const k = quantileRank(quantile, n);
  return n < BAND_MIN_N ? selectKth(values, n, k) : kthSmallest(values, n, k);
}
