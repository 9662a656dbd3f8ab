/**
 * Reads the figures a paragraph of prose states, with the precision the text gives them, so that the fact check can
 * compare each one with the engine's numbers "with the rounding the text uses" (issue #9, item 3).
 *
 * A stated figure is a currency amount (`$1.2m`, `EUR 950k`, `1.2 million`, `USD 1,234,567`), a percentage (`3.4%`,
 * `3.4 percent`, `0.5pp`), basis points (`12bp`, `12 bps`, `12 basis points`), a span in years (`4.2 years`) or a plain
 * number (a count, a ratio). What is not a figure of the engine is left alone: dates (`2026-11-25`, `25 Nov 2026`,
 * `in 2026`, `Q3 2026`), tenors and durations (`5Y`, `10y`, `6M EURIBOR`, `10-year`, `10 days`), ordinals (`1st`),
 * ranks and labels (`top 5`, `Tier 1`, `CET1`, `CRE52.40`, `CP0001`, `v2.6`) and any phrase the caller names (persona
 * titles).
 *
 * Signs are not read: prose says "a CVA charge of 1.2m" or "fell by 3.4%" of a fact stored as -1,234,567 or -0.034, so
 * figures and facts are compared by magnitude.
 */

export type FigureKind = 'amount' | 'pct' | 'bp' | 'years' | 'plain';

export interface StatedFigure {
  /** The figure as written, with its unit and currency (`$1.2m`, `12 bps`). */
  text: string;
  /** Offset of the figure in the paragraph. */
  index: number;
  /** Magnitude in base units: 1.2m → 1 200 000; 3.4% → 3.4; 12bp → 12; 4.2 years → 4.2. */
  value: number;
  /** Half of the last stated digit's step in base units (1.2m → 50 000; 12bp → 0.5; 1,234,567 → 0.5). */
  halfStep: number;
  kind: FigureKind;
  /** ISO code when the text states a currency (`$` → USD, `€` → EUR, `GBP 3m` → GBP). */
  currency?: string;
}

export interface ExtractOptions {
  /** Phrases whose digits are not figures (persona titles, report headings); matched case-insensitively. */
  ignore?: readonly string[];
}

const CURRENCY_CODES =
  'USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|HKD|SGD|CNY|CNH|KRW|INR|BRL|MXN|ZAR|PLN|CZK|HUF|TRY';
const SYMBOL_CURRENCY: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
const MONTHS =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)';

/** Dates are blanked (same length, so offsets stay) before figures are read. */
const DATE_PATTERNS: RegExp[] = [
  /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g,
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g,
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTHS}\\.?,?(?:\\s+\\d{4})?\\b`, 'gi'),
  new RegExp(`\\b${MONTHS}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi'),
  new RegExp(`\\b${MONTHS}\\.?\\s+\\d{4}\\b`, 'gi'),
  /\b(?:Q[1-4]|H[12]|FY)\s?'?\d{2,4}\b/gi,
  // a calendar year after a word that introduces a point in time ("in 2026", "since 2019", "year-end 2025")
  /\b(?:in|since|by|until|till|from|through|during|of|year|year-end|end|before|after|early|late|mid|between|and)\s+(?:19|20)\d{2}(?:\/\d{2})?\b/gi,
];

/** Words before a number that make it a rank or a label, not a figure ("top 5", "Tier 1", "Basel 3"). */
const RANK_BEFORE =
  /\b(?:top|bottom|tier|level|pillar|basel|phase|step|scenario|section|article|rank|number|no\.|chapter|part|table|figure|chart|appendix|paragraph|item|version|round|turn)\s*$/i;

/** Words after an integer + M that make it a tenor in months (`6M EURIBOR`, `3m point`), not millions. */
const TENOR_AFTER =
  /^\s*(?:EURIBOR|LIBOR|SOFR|SONIA|ESTR|€STR|TONA|TONAR|SARON|BBSW|CDOR|JIBAR|HIBOR|SIBOR|TIBOR|tenor|point|bucket|pillar|maturity|horizon|MPOR|forward|rate|[-/]\s*\d+[YMWD]\b)/i;

/** Durations other than years are tenors or settings (MPOR, notice periods), never engine figures. */
const DURATION_AFTER = /^\s?(?:business\s+days?|days?|weeks?|months?)\b/i;

const FIGURE = new RegExp(
  `(?:(?<code>${CURRENCY_CODES})\\s?|(?<sym>[$€£¥])\\s?)?` +
    `(?<num>\\d{1,3}(?:[,\\u00a0\\u202f]\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)`,
  'gu',
);

const SUFFIX = new RegExp(
  '^(?:' +
    '\\s?(?<pct>%|percent\\b|per\\s+cent\\b|percentage\\s+points?\\b|pp\\b)' +
    '|\\s?(?<bp>basis\\s+points?\\b|bps\\b|bp\\b)' +
    '|\\s?(?<word>trillion|billion|million|thousand|tn|bln|bn|mln|mn|mm)\\b' +
    '|(?<glued>[kKmMbB])(?![\\p{L}\\p{N}])' +
    '|\\s(?<years>years?|yrs?)\\b' +
    ')',
  'iu',
);

const TRAILING_CODE = new RegExp(`^\\s?(?<code>${CURRENCY_CODES})\\b`);

const SCALE: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  mm: 1e6,
  mln: 1e6,
  bln: 1e9,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  tn: 1e12,
  trillion: 1e12,
};

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text with dates and ignored phrases blanked out (same length). */
function maskNonFigures(text: string, ignore: readonly string[]): string {
  let masked = text;
  for (const phrase of ignore) {
    if (phrase.trim() === '') continue;
    const re = new RegExp(escapeRegExp(phrase), 'gi');
    masked = masked.replace(re, (m) => ' '.repeat(m.length));
  }
  for (const re of DATE_PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(masked)) !== null) {
      // keep the introducing word of "in 2026" readable; only the digits matter
      masked = blank(masked, m.index, m.index + m[0].length);
    }
  }
  return masked;
}

/**
 * Half of the step of the last stated digit. Decimals state their precision exactly (1.20m → 5 000). An integer with
 * trailing zeros is read as rounded to its last non-zero digit, keeping at least two significant digits
 * (1,200,000 → ±50 000; 140 → ±5; 100 → ±5; 7 → ±0.5): "about 1,200,000" is a rounding, "7 counterparties" is not.
 */
function halfStepOf(digits: string): number {
  const dot = digits.indexOf('.');
  if (dot >= 0) return 0.5 * 10 ** -(digits.length - dot - 1);
  const significant = digits.replace(/^0+/, '');
  let zeros = 0;
  for (let i = significant.length - 1; i > 0 && significant[i] === '0'; i--) zeros++;
  zeros = Math.min(zeros, Math.max(0, significant.length - 2));
  return 0.5 * 10 ** zeros;
}

const WORDLIKE = /[\p{L}\p{N}_.]/u;
const LETTER = /\p{L}/u;

/** Every figure the paragraph states, in order of appearance. */
export function extractFigures(text: string, options: ExtractOptions = {}): StatedFigure[] {
  const masked = maskNonFigures(text, options.ignore ?? []);
  const figures: (StatedFigure & { end: number })[] = [];
  FIGURE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FIGURE.exec(masked)) !== null) {
    const start = m.index;
    const groups = m.groups ?? {};
    const prev = masked[start - 1] ?? ' ';
    const prev2 = masked[start - 2] ?? ' ';
    // glued to an identifier or a word: CET1, CRE52.40, CP0001, v2.6, scenario_100bp
    if (WORDLIKE.test(prev)) continue;
    // NS-12, A/1 (a letter, then a joiner)
    if ((prev === '-' || prev === '/') && LETTER.test(prev2)) continue;
    if (RANK_BEFORE.test(masked.slice(Math.max(0, start - 16), start))) continue;

    let end = start + m[0].length;
    const digits = (groups.num ?? '').replace(/[,\u00a0\u202f]/g, '');
    let value = Number(digits);
    let halfStep = halfStepOf(digits);
    let kind: FigureKind = 'plain';
    let currency: string | undefined = groups.code ?? (groups.sym ? SYMBOL_CURRENCY[groups.sym] : undefined);

    const rest = masked.slice(end);
    if (DURATION_AFTER.test(rest)) continue;
    const suffix = SUFFIX.exec(rest);
    if (suffix?.groups) {
      const s = suffix.groups;
      if (s.glued !== undefined && (s.glued === 'M' || s.glued === 'm') && !digits.includes('.')) {
        // 6M EURIBOR, 3m point: a tenor in months
        if (TENOR_AFTER.test(rest.slice(suffix[0].length))) continue;
      }
      if (s.pct !== undefined) kind = 'pct';
      else if (s.bp !== undefined) kind = 'bp';
      else if (s.years !== undefined) kind = 'years';
      else {
        const scale = SCALE[(s.word ?? s.glued ?? '').toLowerCase()];
        if (scale === undefined) continue;
        value *= scale;
        halfStep *= scale;
        kind = 'amount';
      }
      end += suffix[0].length;
    }
    const code = TRAILING_CODE.exec(masked.slice(end));
    if (code?.groups?.code && currency === undefined && (kind === 'amount' || kind === 'plain')) {
      currency = code.groups.code;
      end += code[0].length;
    }
    if (currency !== undefined && kind === 'plain') kind = 'amount';
    // tenors, ordinals and identifiers: 5Y, 10y, 3rd, 2x, 12a
    const next = masked[end] ?? ' ';
    if (/[\p{L}\p{N}_]/u.test(next)) continue;
    // adjectival spans: 10-year, 5-day, 3-notch
    if (next === '-' && LETTER.test(masked[end + 1] ?? ' ')) continue;

    figures.push({ text: text.slice(start, end), index: start, value, halfStep, kind, currency, end });
    FIGURE.lastIndex = end;
  }

  // ranges: "3-4%", "1.2 to 1.5m": the first bound takes the unit (and scale) of the second
  for (let i = 0; i + 1 < figures.length; i++) {
    const a = figures[i]!;
    const b = figures[i + 1]!;
    if (a.kind !== 'plain' || b.kind === 'plain') continue;
    if (!/^\s*(?:-|–|—|to)\s*$/.test(masked.slice(a.end, b.index))) continue;
    a.kind = b.kind;
    a.currency = a.currency ?? b.currency;
    if (b.kind === 'amount') {
      const bDigits = (/[\d.,]+/.exec(b.text)?.[0] ?? '').replace(/,/g, '');
      const scale = b.value / Number(bDigits);
      if (Number.isFinite(scale) && scale > 1) {
        a.value *= scale;
        a.halfStep *= scale;
      }
    }
  }
  return figures.map(({ end: _end, ...f }) => f);
}
