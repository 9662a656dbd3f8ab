/** The columns of `cva_wrong_way` (docs/xva.md, "Wrong-way risk"): one row per netting set and per counterparty. */
import type { OutputColumn } from '../../io/write.js';
import type { WrongWayRow } from './compute.js';

export function wrongWayColumns(rows: readonly WrongWayRow[]): OutputColumn[] {
  const f64 = (name: string, pick: (r: WrongWayRow) => number | null): OutputColumn => ({ name, type: 'float64', values: rows.map(pick) });
  const utf8 = (name: string, pick: (r: WrongWayRow) => string | null): OutputColumn => ({ name, type: 'utf8', values: rows.map(pick) });
  return [
    utf8('scope', (r) => r.scope),
    utf8('counterparty_id', (r) => r.counterpartyId),
    utf8('netting_set_id', (r) => r.nettingSetId),
    utf8('wrong_way_model', (r) => r.model),
    utf8('credit_curve', (r) => r.creditCurve),
    f64('beta_per_m', (r) => r.betaPerMillion),
    f64('log_vol', (r) => r.logVolatility),
    f64('mean_reversion', (r) => r.meanReversion),
    f64('cva', (r) => r.cva),
    f64('cva_wwr', (r) => r.cvaWrongWay),
    f64('wwr_ratio', (r) => r.ratio),
    f64('cva_std_error', (r) => r.cvaStdError),
    f64('cva_wwr_std_error', (r) => r.cvaWrongWayStdError),
    f64('difference_std_error', (r) => r.differenceStdError),
    f64('survival_fit_error', (r) => r.survivalFitError),
  ];
}
