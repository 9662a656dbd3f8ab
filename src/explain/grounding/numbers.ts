/**
 * Reads the figures a paragraph of prose states, with the precision the text gives them, so that the fact check can
 * compare each one with the engine's numbers "with the rounding the text uses" (issue #9, item 3).
 *
 * A stated figure is a currency amount (`$1.2m`, `EUR 950k`, `1.2 million`, `USD 1,234,567`, `16.0 million yen`,
 * `US$5m`), a percentage (`3.4%`, `3.4 percent`), a difference of percentages (`0.5pp`, `0.5 percentage points`), basis
 * points (`12bp`, `12 bps`, `12 basis points`), a span in years (`4.2 years`) or a plain number (a count, a ratio). What
 * is not a figure of the engine is left alone: dates (`2026-11-25`, `25 Nov 2026`, `in 2026`, `Q3 2026`), tenors and
 * durations (`5Y`, `10y`, `6M EURIBOR`, `10-year`, `10 days`), ordinals (`1st`), ranks and labels (`top 5`, `Tier 1`,
 * `CET1`, `CRE52.40`, `CP0001`, `v2.6`) and any phrase the caller names (persona titles, identifiers). A year-like
 * number after "by", "in", "of"… is a date only when no unit follows it ("by 2030" is a date, "by 2030 USD" an amount).
 *
 * Figures the check cannot verify are reported separately (`unverifiableFigures`), never read as something else:
 * multiples (`9.9x`, `3 times`, `tenfold`, `a factor of 10`, `doubles`, `twice`), fractions in words (`half of`), numbers
 * in words with a unit (`seven percent`, `five million`) and amounts with a scale or currency word the reader does not
 * know (`5.4 mio`, `3 lakh`, `2 yards`, `10 quid`). Spelled-out counts without a unit (`seven counterparties`) are not
 * read at all.
 *
 * Direction: a figure introduced by a word that says which way something moved ("rises by", "fell", "an increase of",
 * "up", "down by", "reduces CVA by", "adds", "USD 1m lower") carries `direction` up or down; a figure in parentheses
 * right after such a figure ("rises by USD 1.2m (3.4%)") takes its direction. The check compares it with the sign of the
 * fact (check.ts). A verb that says better or worse but not which way ("improves by", "worsens the ratio by") makes the
 * figure unverifiable. A sign written on a figure (`+USD 3.5m`, `-4.0bp`, `USD −1.2m`; not the dash of "3-4%" or
 * "NS-12") is kept as `sign`: the check holds a change, delta, impact or saving to it, not a level, whose sign is a
 * convention. Otherwise figures are magnitudes: prose says "a CVA charge of 1.2m" of a fact stored as -1,234,567.
 *
 * Nothing is dropped unread: a figure run into a word (`5.9MUSD`, `21.8pc`) and digits of another script (`９`) are
 * unverifiable; a rank word ("round", "level") or a tenor word ("forward") beside an amount with its currency does
 * not make it a label or a tenor ("a round USD 6m", "USD 9m forward"); units may be joined by a hyphen ("a 30-percent
 * share", "a USD 5.9-million charge", "a 4.2-year life").
 */

export type FigureKind = 'amount' | 'pct' | 'pp' | 'bp' | 'years' | 'plain';

export type Direction = 'up' | 'down';

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
  /** ISO code when the text states a currency (`$` → USD, `€` → EUR, `GBP 3m` → GBP, `yen` → JPY). */
  currency?: string;
  /** The direction the sentence gives the figure ("rises by" → up, "falls by" → down); absent when it gives none. */
  direction?: Direction;
  /** The figure is where a move ends ("rises to USD 4.0m", "cuts CVA by 1m to USD 3m"): a level, never the change. */
  level?: true;
  /** An explicit sign written on the figure (`+USD 3.5m`, `-4.0m`, `USD −1.2m`): +1 or −1; absent when none. */
  sign?: 1 | -1;
}

/** A number the text states in a form the fact check cannot compare with a fact (a multiple, an unknown unit). */
export interface UnverifiableFigure {
  text: string;
  index: number;
  /** Why it cannot be checked, as the narrator reads it. */
  reason: string;
}

export interface ExtractOptions {
  /** Phrases whose digits are not figures (persona titles, report headings); matched case-insensitively. */
  ignore?: readonly string[];
}

const CURRENCY_CODES =
  'USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|HKD|SGD|CNY|CNH|KRW|INR|BRL|MXN|ZAR|PLN|CZK|HUF|TRY|ILS|THB|TWD|IDR|MYR|SAR|AED|RUB|CLP|COP|ARS|RON|QAR|KWD';
const SYMBOL_CURRENCY: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  C$: 'CAD',
  A$: 'AUD',
  NZ$: 'NZD',
  HK$: 'HKD',
  S$: 'SGD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
};
const MONTHS =
  '(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)';

/** Currency words after a figure ("1,200,000 dollars", "16.0 million yen", "5m Swiss francs"), with their ISO code. */
const CURRENCY_WORD =
  /^\s?(?:(?<qual>US|U\.S\.|American|Canadian|Australian|New\s+Zealand|Hong\s+Kong|Singapore|Swiss)\s+)?(?<word>dollars?|euros?|pounds?(?:\s+sterling)?|sterling|yen|francs?|yuan|renminbi|rupees?)(?![\p{L}\p{N}])/iu;

function currencyOfWord(qualifier: string | undefined, word: string): string {
  const w = word.toLowerCase();
  const q = (qualifier ?? '').toLowerCase().replace(/\s+/g, ' ');
  if (w.startsWith('dollar')) {
    return q === 'canadian' ? 'CAD' : q === 'australian' ? 'AUD' : q === 'new zealand' ? 'NZD' : q === 'hong kong' ? 'HKD' : q === 'singapore' ? 'SGD' : 'USD';
  }
  if (w.startsWith('euro')) return 'EUR';
  if (w.startsWith('pound') || w === 'sterling') return 'GBP';
  if (w === 'yen') return 'JPY';
  if (w.startsWith('franc')) return 'CHF';
  if (w === 'yuan' || w === 'renminbi') return 'CNY';
  return 'INR';
}

/** What makes a year-like number a figure rather than a date: a unit right after it. */
const UNIT_AFTER_YEAR = new RegExp(
  `^\\s?(?:(?:${CURRENCY_CODES})\\b|[$€£¥%×]|(?:percent|per\\s+cent|pp|bps?|basis\\s+points?|[kKmMbB]|bn|mn|mln|bln|mio|million|billion|thousand|trillion|dollars?|euros?|pounds?|sterling|yen|francs?|x|times|-?fold)(?![\\p{L}\\p{N}]))`,
  'iu',
);

/** Dates are blanked (same length, so offsets stay) before figures are read. */
const DATE_PATTERNS: RegExp[] = [
  /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g,
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g,
  new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTHS}\\.?,?(?:\\s+\\d{4})?\\b`, 'gi'),
  new RegExp(`\\b${MONTHS}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi'),
  new RegExp(`\\b${MONTHS}\\.?\\s+\\d{4}\\b`, 'gi'),
  /\b(?:Q[1-4]|H[12]|FY)\s?'?\d{2,4}\b/gi,
];

/**
 * A calendar year after a word that introduces a point in time ("in 2026", "since 2019", "year-end 2025"): a date,
 * unless a unit follows ("rises by 2030 USD" states an amount).
 */
const YEAR_AFTER_WORD =
  /\b(?:in|since|by|until|till|from|through|during|of|year|year-end|end|before|after|early|late|mid|between|and)\s+(?:19|20)\d{2}(?:\/\d{2})?\b/gi;

/** Words before a number that make it a rank or a label, not a figure ("top 5", "Tier 1", "Basel 3"). */
const RANK_BEFORE =
  /\b(?:top|bottom|tier|level|pillar|basel|phase|step|scenario|section|article|rank|number|no\.|chapter|part|table|figure|chart|appendix|paragraph|item|version|round|turn)\s*$/i;

/** Words after an integer + M that make it a tenor in months (`6M EURIBOR`, `3m point`), not millions. */
const TENOR_AFTER =
  /^\s*(?:EURIBOR|LIBOR|SOFR|SONIA|ESTR|€STR|TONA|TONAR|SARON|BBSW|CDOR|JIBAR|HIBOR|SIBOR|TIBOR|tenor|point|bucket|pillar|maturity|horizon|MPOR|forward|rate|[-/]\s*\d+[YMWD]\b)/i;

/** Durations other than years are tenors or settings (MPOR, notice periods), never engine figures. */
const DURATION_AFTER = /^\s?(?:business\s+days?|days?|weeks?|months?)\b/i;

const FIGURE = new RegExp(
  `(?<sign1>[+\\-\\u2212](?=(?:(?:${CURRENCY_CODES})\\s?|(?:(?:US|NZ|HK|[CAS])\\$|[$€£¥])\\s?)?[\\d.]))?` +
    `(?:(?<code>${CURRENCY_CODES})\\s?|(?<sym>(?:US|NZ|HK|[CAS])\\$|[$€£¥])\\s?)?(?<sign2>[+\\-\\u2212](?=[\\d.]))?` +
    `(?<num>\\d{1,3}(?:[,\\u00a0\\u202f]\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|\\.\\d+)`,
  'gu',
);

const SUFFIX = new RegExp(
  '^(?:' +
    '(?:\\s|-)?(?<pp>percentage[\\s-]+points?\\b|pp\\b|ppts?\\b)' +
    '|(?:\\s|-)?(?<pct>%|percent\\b|per[\\s-]+cent\\b|pct\\b)' +
    '|(?:\\s|-)?(?<bp>basis[\\s-]+points?\\b|bps\\b|bp\\b)' +
    '|(?:\\s|-)?(?<word>trillion|billion|million|thousand|tn|bln|bn|mln|mn|mm)\\b' +
    '|\\s?(?<glued>[kKmMbB])(?![\\p{L}\\p{N}])' +
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

/** Scale and currency words the check does not read: a figure with one cannot be verified. */
const UNKNOWN_UNIT = /^\s?(?<w>mios?|mill?s?|mrds?|mlds?|mlrds?|bio|lakhs?|lacs?|crores?|grand|yards?|bucks|quid|thou)(?![\p{L}\p{N}])/iu;

/** A multiple after the number: 9.9x, 3×, 2-fold, 3 times. */
const MULTIPLE_AFTER = /^(?:\s?[x×](?![\p{L}\p{N}])|\s?-?\s?fold\b|\s+times\b)/iu;

/** "a factor of 10", "a multiple of 3". */
const FACTOR_BEFORE = /\b(?:factor|multiple)\s+of\s+(?:(?:about|around|roughly|nearly|almost|some|over|more\s+than|close\s+to)\s+)?$/i;

const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a\\s+hundred|a\\s+thousand|a\\s+million|a\\s+billion';

/** Words that state a multiple or a fraction, or a number in words with a unit: not verifiable figures. */
const WORD_FIGURES: { re: RegExp; reason: string }[] = [
  {
    re: /\b(?:(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand)[- ]?fold|twice|doubl(?:e|es|ed|ing)(?![- ]count)|tripl(?:e|es|ed|ing)|quadrupl(?:e|es|ed|ing)|halv(?:e|es|ed|ing))\b/giu,
    reason: 'a multiple in words',
  },
  {
    re: /(?<!\b(?:first|second|1st|2nd)\s)\b(?:half|a\s+third|two\s+thirds|a\s+quarter|three\s+quarters)\s+(?=(?:of|the)\b)/giu,
    reason: 'a fraction in words',
  },
  {
    re: new RegExp(
      `\\b(?:${NUMBER_WORDS}|half(?:\\s+a)?)(?:[\\s-]+(?:and\\s+)?(?:${NUMBER_WORDS}|a\\s+half|half))*[\\s-]+(?:percent|per\\s+cent|percentage\\s+points?|basis\\s+points?|bps?|thousand|million|billion|trillion|dollars?|euros?|pounds?|yen|francs?)\\b`,
      'giu',
    ),
    reason: 'a number in words with a unit',
  },
  {
    // "three times the base", "a factor of five", "an order of magnitude"
    re: new RegExp(`\\b(?:(?:${NUMBER_WORDS})\\s+times\\b|\\b(?:factor|multiple)\\s+of\\s+(?:(?:about|around|roughly|nearly|almost|some|over|more\\s+than|close\\s+to)\\s+)?(?:${NUMBER_WORDS})\\b|\\borders?\\s+of\\s+magnitude\\b)`, 'giu'),
    reason: 'a multiple in words',
  },
  {
    // "two-fifths of", "one-third", "a tenth of" (not "a third scenario"); a quarter only before "of" or "the" (above)
    re: /\b(?:a|one|two|three|four|five|six|seven|eight|nine)(?:-(?:thirds?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)\b|\s+(?:thirds?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)\s+of\b)/giu,
    reason: 'a fraction in words',
  },
];

/** Digits of another script (full-width ９, Arabic-Indic ٣): the reader takes ASCII digits only, so these are flagged. */
const OTHER_DIGITS = /(?![0-9])\p{Nd}+/gu;

/** Every form of regular verbs given as stem and the letter doubled before -ed/-ing, if any ("dip" → dips dipped dipping). */
function forms(verbs: readonly string[]): string[] {
  return verbs.flatMap((v) => {
    const [stem, double] = v.split('+') as [string, string | undefined];
    if (stem.endsWith('e')) return [stem, `${stem}s`, `${stem}d`, `${stem.slice(0, -1)}ing`];
    const base = double ? stem + double : stem;
    return [stem, /(?:s|sh|ch|x)$/.test(stem) ? `${stem}es` : `${stem}s`, `${base}ed`, `${base}ing`];
  });
}

/** Words that say which way a figure moved. */
const UP_VERBS = [
  'rise|rises|rose|risen|rising|grow|grows|grew|grown|growing|swell|swells|swelled|swollen|swelling|soar|soars|soared|soaring',
  ...forms(['increase', 'climb', 'jump', 'add', 'raise', 'surge', 'gain', 'widen', 'spike', 'balloon', 'expand', 'advance', 'mount', 'escalate', 'rebound', 'lift']),
].join('|');
const DOWN_VERBS = [
  // "frees up USD 2.4m of capital" is a saving, a fall of what it frees (an audit found "up" read as a rise)
  'free\\s+up|frees\\s+up|freed\\s+up|freeing\\s+up',
  'fall|falls|fell|fallen|falling|shrink|shrinks|shrank|shrunk|shrinking|cut|cuts|cutting|sink|sinks|sank|sunk|sinking|slide|slides|slid|sliding|lose|loses|lost|losing|shed|sheds|shedding|freeing',
  ...forms(['decrease', 'decline', 'drop+p', 'reduce', 'lower', 'ease', 'dip+p', 'slip+p', 'plunge', 'tumble', 'contract', 'retreat', 'narrow', 'recede', 'trim+m', 'compress', 'slump', 'tighten', 'subside', 'diminish', 'dwindle', 'fade', 'save', 'free']),
].join('|');
/** Verbs that say a figure got better or worse without saying which way it moved (a cost that improves falls, a ratio rises). */
const AMBIGUOUS_VERBS = forms(['improve', 'worsen', 'deteriorate', 'weaken', 'strengthen', 'swing', 'benefit']).join('|');
// "an uplift of", "a reduction in book CVA of" (an audit found both read as no direction, so a wrong sign passed)
const UP_NOUNS = 'increase|rise|jump|uplift|growth|hike|surge|spike|climb';
const DOWN_NOUNS = 'fall|drop|decrease|decline|reduction|cut|dip|contraction|relief|saving|savings';
const HEDGE =
  '(?:(?:about|around|roughly|approximately|nearly|almost|some|just|over|under|only|another|further|a|an|more\\s+than|less\\s+than|close\\s+to)\\s+){0,3}';
/** The object between a verb and "by": up to six words, each starting with a letter ("the book's CVA", "the CET1 ratio"). */
const OBJECT = "(?:\\s+[\\p{L}'’`_-][\\p{L}\\p{N}'’`_-]*){1,6}?";
/** "rises by", "fell", "an increase of", "reduces the book's CVA by", "up", "down by" right before the figure. */
const DIRECTION_BEFORE = [
  // ("falls, by USD 1m": a comma between the verb and its figure)
  new RegExp(`\\b(?<up>${UP_VERBS}),?\\s+(?:by\\s+)?${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<down>${DOWN_VERBS}),?\\s+(?:by\\s+)?${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<up>${UP_VERBS})${OBJECT}\\s+by\\s+${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<down>${DOWN_VERBS})${OBJECT}\\s+by\\s+${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<up>${UP_NOUNS})\\s+(?:of|by)\\s+${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<down>${DOWN_NOUNS})\\s+(?:of|by)\\s+${HEDGE}$`, 'iu'),
  // "an increase in book CVA of", "a reduction to the CET1 ratio of": the noun, what moved, then the figure
  new RegExp(`\\b(?<up>${UP_NOUNS})\\s+(?:in|to|on)${OBJECT}\\s+(?:of|by)\\s+${HEDGE}$`, 'iu'),
  new RegExp(`\\b(?<down>${DOWN_NOUNS})\\s+(?:in|to|on)${OBJECT}\\s+(?:of|by)\\s+${HEDGE}$`, 'iu'),
  // "up 5%", "down by 3bp"; not "make up", "adds up to", "breaks down"
  new RegExp(`(?<!\\b(?:make|makes|made|making|add|adds|added|sum|sums|summed|set|sets|break|breaks|broke|broken|shut|shuts|free|frees|freed|freeing)\\s)\\b(?:(?<up>up)|(?<down>down))\\s+(?:by\\s+)?${HEDGE}$`, 'iu'),
];
/**
 * "rises to", "falls 73.1% to", "cuts CVA by USD 1.5m to": a moving verb, then "to" right before the figure (a decimal
 * point between them is a figure's, not a sentence's end).
 */
const LEVEL_BEFORE = new RegExp(`\\b(?:${UP_VERBS}|${DOWN_VERBS}|${AMBIGUOUS_VERBS})\\b(?:[^.;:!?]|\\.(?=\\d)){0,60}?\\bto\\s+${HEDGE}$`, 'iu');
/** "improves by 2.3bp", "worsens the CET1 ratio by 2.3bp": a move whose direction the words do not give. */
const AMBIGUOUS_BEFORE = [new RegExp(`\\b(?:${AMBIGUOUS_VERBS})\\s+(?:by\\s+)?${HEDGE}$`, 'iu'), new RegExp(`\\b(?:${AMBIGUOUS_VERBS})${OBJECT}\\s+by\\s+${HEDGE}$`, 'iu')];
/**
 * "USD 1m higher", "a 5% increase", "3bp lower", "USD 4.1m smaller", "USD 1m less", "USD 20.7m down", "USD 3.6m above
 * today's" (not "up to", "down to": where a move ends).
 */
const DIRECTION_AFTER = new RegExp(
  `^\\s+(?:(?<up>higher|larger|greater|bigger|more|above|up(?!\\s+(?:to|front)\\b)|${UP_NOUNS})|(?<down>lower|smaller|less|below|down(?!\\s+to\\b)|${DOWN_NOUNS}))\\b`,
  'iu',
);

function directionAround(masked: string, start: number, end: number): Direction | 'ambiguous' | undefined {
  const before = masked.slice(Math.max(0, start - 80), start);
  if (AMBIGUOUS_BEFORE.some((re) => re.test(before))) return 'ambiguous';
  for (const re of DIRECTION_BEFORE) {
    const m = re.exec(before);
    if (m?.groups) return m.groups.up !== undefined ? 'up' : 'down';
  }
  const after = DIRECTION_AFTER.exec(masked.slice(end, end + 20));
  if (after?.groups) return after.groups.up !== undefined ? 'up' : 'down';
  return undefined;
}

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
    while ((m = re.exec(masked)) !== null) masked = blank(masked, m.index, m.index + m[0].length);
  }
  YEAR_AFTER_WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = YEAR_AFTER_WORD.exec(masked)) !== null) {
    const end = m.index + m[0].length;
    // "by 2030 USD", "of 2025 dollars": a figure with its unit, not a date
    if (UNIT_AFTER_YEAR.test(masked.slice(end))) continue;
    // keep the introducing word of "in 2026" readable; only the digits matter
    const digits = m[0].search(/\d/);
    masked = blank(masked, m.index + digits, end);
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

interface Scan {
  figures: StatedFigure[];
  unverifiable: UnverifiableFigure[];
}

function scan(text: string, options: ExtractOptions): Scan {
  const masked = maskNonFigures(text, options.ignore ?? []);
  const figures: (StatedFigure & { end: number })[] = [];
  const unverifiable: UnverifiableFigure[] = [];
  FIGURE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FIGURE.exec(masked)) !== null) {
    const start = m.index;
    const groups = m.groups ?? {};
    // a sign only where it starts a word: in "3-4%", "NS-12" or "1.2m-1.5m" the dash joins, and is read again as such
    if (groups.sign1 !== undefined && /[\p{L}\p{N}_.)%]/u.test(masked[start - 1] ?? ' ')) {
      FIGURE.lastIndex = start + 1;
      continue;
    }
    const signChar = groups.sign1 ?? groups.sign2;
    const sign: 1 | -1 | undefined = signChar === undefined ? undefined : signChar === '+' ? 1 : -1;
    const prev = masked[start - 1] ?? ' ';
    const prev2 = masked[start - 2] ?? ' ';
    // glued to an identifier or a word: CET1, CRE52.40, CP0001, v2.6, scenario_100bp
    if (WORDLIKE.test(prev)) continue;
    // NS-12, A/1 (a letter, then a joiner)
    if ((prev === '-' || prev === '/') && LETTER.test(prev2)) continue;
    // "top 5", "Tier 1", "round 3": a rank or a label, unless it is stated as an amount ("a round USD 6m")
    const ranked = RANK_BEFORE.test(masked.slice(Math.max(0, start - 16), start));

    let end = start + m[0].length;
    const digits = (groups.num ?? '').replace(/[,\u00a0\u202f]/g, '');
    let value = Number(digits);
    let halfStep = halfStepOf(digits);
    let kind: FigureKind = 'plain';
    let currency: string | undefined = groups.code ?? (groups.sym ? SYMBOL_CURRENCY[groups.sym] : undefined);

    const rest = masked.slice(end);
    if (DURATION_AFTER.test(rest)) continue;
    if (MULTIPLE_AFTER.test(rest) || FACTOR_BEFORE.test(masked.slice(Math.max(0, start - 40), start))) {
      const mult = MULTIPLE_AFTER.exec(rest);
      const stop = end + (mult ? mult[0].length : 0);
      unverifiable.push({ text: text.slice(start, stop), index: start, reason: 'a multiple' });
      FIGURE.lastIndex = stop;
      continue;
    }
    const suffix = SUFFIX.exec(rest);
    if (suffix?.groups) {
      const s = suffix.groups;
      if (s.glued !== undefined && (s.glued === 'M' || s.glued === 'm') && !digits.includes('.')) {
        // 6M EURIBOR, 3m point: a tenor in months
        if (currency === undefined && TENOR_AFTER.test(rest.slice(suffix[0].length))) continue;
      }
      if (s.pp !== undefined) kind = 'pp';
      else if (s.pct !== undefined) kind = 'pct';
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
    if (kind === 'amount' || kind === 'plain') {
      const code = TRAILING_CODE.exec(masked.slice(end));
      const word = code ? undefined : CURRENCY_WORD.exec(masked.slice(end));
      if (code?.groups?.code) {
        if (currency === undefined) currency = code.groups.code;
        end += code[0].length;
      } else if (word?.groups?.word) {
        const named = currencyOfWord(word.groups.qual, word.groups.word);
        if (currency === undefined) currency = named;
        else if (currency !== named) {
          unverifiable.push({ text: text.slice(start, end + word[0].length), index: start, reason: 'two different currencies' });
          FIGURE.lastIndex = end + word[0].length;
          continue;
        }
        end += word[0].length;
      }
    }
    const unknown = UNKNOWN_UNIT.exec(masked.slice(end));
    if (unknown) {
      const stop = end + unknown[0].length;
      unverifiable.push({ text: text.slice(start, stop), index: start, reason: `a unit the fact check does not know ("${unknown.groups!.w}")` });
      FIGURE.lastIndex = stop;
      continue;
    }
    if (currency !== undefined && kind === 'plain') kind = 'amount';
    if (ranked && kind !== 'amount') continue;
    const next = masked[end] ?? ' ';
    const bareInteger = kind === 'plain' && !digits.includes('.');
    if (/[\p{L}\p{N}_]/u.test(next)) {
      // tenors, ordinals and identifiers: 5Y, 10y, 3rd, 12a
      if (bareInteger) continue;
      // 5.9MUSD, 21.8pc, USD 3mio: a figure run into a word is no form the check reads, and is not dropped unread
      const word = /^[\p{L}\p{N}_]+/u.exec(masked.slice(end))![0];
      unverifiable.push({ text: text.slice(start, end + word.length), index: start, reason: 'a figure run together with a word' });
      FIGURE.lastIndex = end + word.length;
      continue;
    }
    if (next === '-' && LETTER.test(masked[end + 1] ?? ' ')) {
      // adjectival spans: 10-year, 5-day, 3-notch
      if (bareInteger) continue;
      if (kind === 'plain') {
        // "a 4.2-year maturity" states years; any other word after a decimal is no form the check reads
        const years = /^-(?:years?|yrs?)(?![\p{L}\p{N}])/iu.exec(masked.slice(end));
        if (years) {
          kind = 'years';
          end += years[0].length;
        } else {
          const word = /^-[\p{L}\p{N}_]+/u.exec(masked.slice(end))![0];
          unverifiable.push({ text: text.slice(start, end + word.length), index: start, reason: 'a figure run together with a word' });
          FIGURE.lastIndex = end + word.length;
          continue;
        }
      }
      // an amount or a percentage with a modifier after it ("USD 25.7m-worth") is read as stated
    }

    const direction = directionAround(masked, start, end);
    if (direction === 'ambiguous') {
      unverifiable.push({ text: text.slice(start, end), index: start, reason: 'a move the words do not give a direction to ("improves", "worsens"; say rises or falls)' });
      FIGURE.lastIndex = end;
      continue;
    }
    const level = !direction && LEVEL_BEFORE.test(masked.slice(Math.max(0, start - 100), start));
    figures.push({ text: text.slice(start, end), index: start, value, halfStep, kind, ...(currency !== undefined ? { currency } : {}), ...(direction ? { direction } : {}), ...(level ? { level: true as const } : {}), ...(sign !== undefined ? { sign } : {}), end });
    FIGURE.lastIndex = end;
  }

  for (const { re, reason } of WORD_FIGURES) {
    re.lastIndex = 0;
    let w: RegExpExecArray | null;
    while ((w = re.exec(masked)) !== null) unverifiable.push({ text: text.slice(w.index, w.index + w[0].length).trim(), index: w.index, reason });
  }
  OTHER_DIGITS.lastIndex = 0;
  let d: RegExpExecArray | null;
  while ((d = OTHER_DIGITS.exec(masked)) !== null) unverifiable.push({ text: d[0], index: d.index, reason: 'digits the fact check does not read (write 0-9)' });
  unverifiable.sort((a, b) => a.index - b.index);

  for (let i = 0; i + 1 < figures.length; i++) {
    const a = figures[i]!;
    const b = figures[i + 1]!;
    const between = masked.slice(a.end, b.index);
    // "rises by USD 1.2m (3.4%)", "falls by 12bp or 0.1%": the second states the same move
    if (a.direction && !b.direction && (/^\s*\(\s*$/.test(between) && /^\s*\)/.test(masked.slice(b.end)) || /^\s*,?\s*or\s+$/.test(between))) {
      b.direction = a.direction;
    }
    // ranges: "3-4%", "1.2 to 1.5m": the first bound takes the unit (and scale) of the second
    if (a.kind !== 'plain' || b.kind === 'plain') continue;
    if (!/^\s*(?:-|–|—|to)\s*$/.test(between)) continue;
    a.kind = b.kind;
    if (a.currency === undefined && b.currency !== undefined) a.currency = b.currency;
    if (b.kind === 'amount') {
      const bDigits = (/[\d.,]+/.exec(b.text.replace(/^[^\d.]+/, ''))?.[0] ?? '').replace(/,/g, '');
      const scale = b.value / Number(bDigits);
      if (Number.isFinite(scale) && scale > 1) {
        a.value *= scale;
        a.halfStep *= scale;
      }
    }
  }
  return { figures: figures.map(({ end: _end, ...f }) => f), unverifiable };
}

/** Every figure the paragraph states, in order of appearance. */
export function extractFigures(text: string, options: ExtractOptions = {}): StatedFigure[] {
  return scan(text, options).figures;
}

/** Numbers the paragraph states in a form the fact check cannot verify (multiples, unknown units, words). */
export function unverifiableFigures(text: string, options: ExtractOptions = {}): UnverifiableFigure[] {
  return scan(text, options).unverifiable;
}

/** Both at once (one pass). */
export function readFigures(text: string, options: ExtractOptions = {}): Scan {
  return scan(text, options);
}
