/**
 * A linear or mixed-integer program as plain data, and its CPLEX LP-format text for HiGHS. Variables and rows are
 * written as x<i> and r<i> (the callers' names stay on this side), so no user string reaches the solver's parser.
 */

export interface LpVariable {
  /** For messages and reports only. */
  name: string;
  lower: number;
  /** Infinity for no upper bound. */
  upper: number;
  /** Objective coefficient. */
  cost: number;
  integer?: boolean;
}

/** lower <= Σ coef·x <= upper; lower = −Infinity or upper = Infinity for one-sided rows, equal for an equality. */
export interface LpRow {
  name: string;
  /** Pairs (variable index, coefficient); a variable at most once per row. */
  terms: readonly (readonly [number, number])[];
  lower: number;
  upper: number;
}

export interface LinearProgram {
  sense: 'minimize' | 'maximize';
  variables: readonly LpVariable[];
  rows: readonly LpRow[];
}

/** A finite number as LP-format text: full precision, exponent form accepted by the HiGHS LP reader. */
function num(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`LP coefficient must be finite, got ${x}`);
  return String(x);
}

function linear(terms: readonly (readonly [number, number])[]): string {
  if (terms.length === 0) return '0 x0';
  const parts: string[] = [];
  for (const [i, c] of terms) {
    parts.push(c < 0 ? `- ${num(-c)} x${i}` : `+ ${num(c)} x${i}`);
  }
  return parts.join(' ');
}

/** Checks the program's shape: indices in range, bounds ordered, nothing NaN. Throws RangeError (a caller's bug). */
export function checkProgram(lp: LinearProgram): void {
  const n = lp.variables.length;
  if (n === 0) throw new RangeError('a linear program needs at least one variable');
  lp.variables.forEach((v, i) => {
    if (Number.isNaN(v.lower) || Number.isNaN(v.upper) || v.lower > v.upper) throw new RangeError(`variable ${i} (${v.name}): bounds ${v.lower}..${v.upper}`);
    if (!Number.isFinite(v.cost)) throw new RangeError(`variable ${i} (${v.name}): cost ${v.cost}`);
  });
  lp.rows.forEach((r, j) => {
    if (Number.isNaN(r.lower) || Number.isNaN(r.upper) || r.lower > r.upper) throw new RangeError(`row ${j} (${r.name}): bounds ${r.lower}..${r.upper}`);
    for (const [i, c] of r.terms) if (!(i >= 0 && i < n && Number.isInteger(i)) || !Number.isFinite(c)) throw new RangeError(`row ${j} (${r.name}): term (${i}, ${c})`);
  });
}

/** The program in CPLEX LP format (the reader HiGHS ships). */
export function toLpFormat(lp: LinearProgram): string {
  checkProgram(lp);
  const out: string[] = [];
  out.push(lp.sense === 'minimize' ? 'Minimize' : 'Maximize');
  const objective = lp.variables.map((v, i) => [i, v.cost] as const).filter(([, c]) => c !== 0);
  out.push(` obj: ${linear(objective)}`);
  out.push('Subject To');
  lp.rows.forEach((r, j) => {
    const body = linear(r.terms);
    if (r.lower === r.upper) out.push(` r${j}: ${body} = ${num(r.lower)}`);
    else {
      if (Number.isFinite(r.lower)) out.push(` r${j}l: ${body} >= ${num(r.lower)}`);
      if (Number.isFinite(r.upper)) out.push(` r${j}u: ${body} <= ${num(r.upper)}`);
    }
  });
  out.push('Bounds');
  lp.variables.forEach((v, i) => {
    const lo = Number.isFinite(v.lower) ? num(v.lower) : '-inf';
    const hi = Number.isFinite(v.upper) ? num(v.upper) : '+inf';
    if (v.lower === v.upper) out.push(` x${i} = ${num(v.lower)}`);
    else out.push(` ${lo} <= x${i} <= ${hi}`);
  });
  const ints = lp.variables.map((v, i) => (v.integer ? `x${i}` : '')).filter((s) => s !== '');
  if (ints.length > 0) {
    out.push('General');
    for (let k = 0; k < ints.length; k += 20) out.push(' ' + ints.slice(k, k + 20).join(' '));
  }
  out.push('End');
  return out.join('\n') + '\n';
}
