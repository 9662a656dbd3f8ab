/**
 * Merging the shards of `xva cva` / `xva fva`: the netting sets', counterparties' and trades' figures are a single
 * run's (xvaShard.ts), so the merge puts them back in the book's order, adds the book in that order exactly as
 * xva/compute.ts computeXva does (figure by figure, set by set, from 0), and writes the single run's tables with its
 * writer (xva/outputs.ts writeXvaTables), which ranks the counterparties by CVA against the whole book again.
 * With stress scenarios each shard's `xva_scenarios_netting_set` holds its sets' figures under every scenario; the
 * merge puts them in the book's order and re-adds each scenario's counterparties and book from them as computeXva
 * does (from 0, set by set), so `xva_scenarios` and `xva_scenarios_netting_set` are a single run's bit for bit.
 */
import { XvaUsageError } from '../errors.js';
import { addFigures, zeroFigures, type CounterpartyXva, type NettingSetXva, type TradeXva, type XvaFigures, type XvaResult } from '../xva/compute.js';
import type { CounterpartyCredit } from '../xva/credit.js';
import { writeXvaTables } from '../xva/outputs.js';
import type { DefaultMode, Discretisation } from '../xva/weights.js';
import type { ScenarioOutcome, ScenarioSetFigures } from '../xva/stress.js';
import type { WrongWayRow } from '../xva/wrongWay/index.js';
import type { ShardSet } from './merge.js';
import { writeMergeRecord } from './mergeSimulate.js';
import { ShardTable } from './tables.js';

interface PositionedSet {
  position: number;
  set: NettingSetXva;
  trades: TradeXva[];
}

/** The credit fields the tables carry (curve name, source, recovery); the curve itself is not needed to write them. */
function creditOf(counterpartyId: string, curveName: string, curveSource: string, recovery: number): CounterpartyCredit {
  return { counterpartyId, curveName, curveSource: curveSource as CounterpartyCredit['curveSource'], recovery } as CounterpartyCredit;
}

export function mergeXva(set: ShardSet, outDir: string): { files: string[]; nettingSets: number; counterparties: number } {
  const valued = set.shards.filter((s) => s.section.nettingSetIds.length > 0);
  const reference = valued[0];
  if (!reference) throw new XvaUsageError('merge: no shard holds a netting set (the book has no valued trades)');
  const options = reference.manifest.options as { discretisation: Discretisation; mode: DefaultMode; scenarios?: { name: string }[] };
  const scenarioNames = (options.scenarios ?? []).map((s) => s.name);
  /** Per scenario: netting set id → its figures, note and resimulated flag, from the shards' rows. */
  const scenarioRows = new Map<string, Map<string, { x: ScenarioSetFigures; note: string | null; resimulated: boolean }>>(scenarioNames.map((n) => [n, new Map()]));
  const positioned: PositionedSet[] = [];
  const cpById = new Map<string, CounterpartyXva>();
  // the amounts' currency (the tables' xva.currency): every shard's the same, as its market's base currency
  let currency: string | undefined;
  for (const shard of valued) {
    const ns = ShardTable.read(shard.dir, 'cva_netting_set', '.arrow');
    const shardCurrency = ns.metadata('xva.currency');
    if (currency !== undefined && shardCurrency !== currency) throw new XvaUsageError(`${shard.name}: its figures are in ${shardCurrency ?? 'an unnamed currency'}, the first shard's in ${currency}: the shards ran on different markets; re-run them on one`);
    currency ??= shardCurrency;
    const ids = ns.strings('netting_set_id');
    const expected = shard.section.nettingSetIds;
    if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
      throw new XvaUsageError(`${shard.name}: cva_netting_set lists other netting sets than its manifest; re-run the shard`);
    }
    const c = {
      cp: ns.strings('counterparty_id'),
      curve: ns.strings('credit_curve'),
      source: ns.strings('curve_source'),
      recovery: ns.f64('recovery'),
      cva: ns.f64('cva'),
      dva: ns.f64('dva'),
      cvaU: ns.f64('cva_unilateral'),
      dvaU: ns.f64('dva_unilateral'),
      fca: ns.f64('fca'),
      fba: ns.f64('fba'),
      colva: ns.f64('colva'),
      se: ns.f64('cva_std_error'),
    };
    const tr = ShardTable.read(shard.dir, 'cva_trade', '.arrow');
    const t = {
      id: tr.strings('trade_id'),
      set: tr.strings('netting_set_id'),
      cp: tr.strings('counterparty_id'),
      cva: tr.f64('cva_euler'),
      dva: tr.f64('dva_euler'),
      fca: tr.f64('fca_euler'),
      fba: tr.f64('fba_euler'),
      colva: tr.f64('colva_allocated'),
    };
    let row = 0;
    ids.forEach((id, i) => {
      const trades: TradeXva[] = [];
      for (; row < t.id.length && t.set[row] === id; row++) {
        trades.push({ tradeId: t.id[row]!, nettingSetId: id, counterpartyId: t.cp[row]!, cva: t.cva[row]!, dva: t.dva[row]!, fca: t.fca[row]!, fba: t.fba[row]!, colva: t.colva[row]! });
      }
      positioned.push({
        position: shard.section.nettingSetIndices[i]!,
        trades,
        set: {
          nettingSetId: id,
          counterpartyId: c.cp[i]!,
          credit: creditOf(c.cp[i]!, c.curve[i]!, c.source[i]!, c.recovery[i]!),
          cva: c.cva[i]!,
          dva: c.dva[i]!,
          fca: c.fca[i]!,
          fba: c.fba[i]!,
          colva: c.colva[i]!,
          cvaUnilateral: c.cvaU[i]!,
          dvaUnilateral: c.dvaU[i]!,
          cvaStdError: c.se[i]!,
        },
      });
    });
    if (row !== t.id.length) throw new XvaUsageError(`${tr.where}: rows out of the netting sets' order; re-run the shard`);

    const cpt = ShardTable.read(shard.dir, 'cva_counterparty', '.arrow');
    const cpIds = cpt.strings('counterparty_id');
    const cc = {
      curve: cpt.strings('credit_curve'),
      source: cpt.strings('curve_source'),
      recovery: cpt.f64('recovery'),
      cva: cpt.f64('cva'),
      dva: cpt.f64('dva'),
      fca: cpt.f64('fca'),
      fba: cpt.f64('fba'),
      colva: cpt.f64('colva'),
      se: cpt.f64('cva_std_error'),
    };
    cpIds.forEach((id, r) => {
      const nettingSetIds = ids.filter((_, i) => c.cp[i] === id);
      cpById.set(id, { counterpartyId: id, credit: creditOf(id, cc.curve[r]!, cc.source[r]!, cc.recovery[r]!), nettingSetIds, cva: cc.cva[r]!, dva: cc.dva[r]!, fca: cc.fca[r]!, fba: cc.fba[r]!, colva: cc.colva[r]!, cvaStdError: cc.se[r]! });
    });
  }
  positioned.sort((a, b) => a.position - b.position);
  if (scenarioNames.length > 0) for (const shard of valued) readScenarioRows(shard, scenarioRows);

  // computeXva's book: each figure added set by set in the book's order, from 0
  const book = { cva: 0, dva: 0, fca: 0, fba: 0, colva: 0, cvaStdError: 0 };
  const counterparties: CounterpartyXva[] = [];
  const seen = new Set<string>();
  for (const { set: s } of positioned) {
    book.cva += s.cva;
    book.dva += s.dva;
    book.fca += s.fca;
    book.fba += s.fba;
    book.colva += s.colva;
    book.cvaStdError += s.cvaStdError;
    const cp = cpById.get(s.counterpartyId);
    if (!cp) throw new XvaUsageError(`merge: counterparty ${s.counterpartyId} of netting set ${s.nettingSetId} has no cva_counterparty row`);
    if (!seen.has(cp.counterpartyId)) {
      seen.add(cp.counterpartyId);
      counterparties.push(cp);
    }
  }
  const result: XvaResult = {
    options,
    nettingSets: positioned.map((p) => p.set),
    counterparties,
    trades: positioned.flatMap((p) => p.trades),
    book,
  };
  const scenarios = scenarioNames.map((name) => scenarioOutcome(name, positioned, scenarioRows.get(name)!));
  if (currency === undefined) throw new XvaUsageError(`${reference.name}: cva_netting_set names no currency (xva.currency): written by another version of xva? re-run the shards`);
  const files = writeXvaTables(outDir, currency, result, scenarios, [], wrongWayRows(valued));
  files.push(writeMergeRecord(set, outDir));
  return { files, nettingSets: result.nettingSets.length, counterparties: counterparties.length };
}

/** A shard's `xva_scenarios_netting_set` rows into `rows` (scenario → set → figures); each of its sets once per scenario. */
function readScenarioRows(shard: ShardSet['shards'][number], rows: Map<string, Map<string, { x: ScenarioSetFigures; note: string | null; resimulated: boolean }>>): void {
  const t = ShardTable.read(shard.dir, 'xva_scenarios_netting_set', '.arrow');
  const scenario = t.strings('scenario');
  const setId = t.strings('netting_set_id');
  const cp = t.strings('counterparty_id');
  const cva = t.f64('cva');
  const dva = t.f64('dva');
  const fca = t.f64('fca');
  const fba = t.f64('fba');
  const colva = t.f64('colva');
  const resim = t.bools('resimulated');
  const noteColumn = t.table.getChild('note');
  if (!noteColumn) throw new XvaUsageError(`${t.where} has no column note: written by another version of xva?`);
  for (let r = 0; r < t.numRows; r++) {
    if (scenario[r] === 'base') continue;
    const bySet = rows.get(scenario[r]!);
    if (!bySet) throw new XvaUsageError(`${t.where}: scenario ${scenario[r]} is not in the run's scenarios; re-run the shard`);
    if (bySet.has(setId[r]!)) throw new XvaUsageError(`${t.where}: netting set ${setId[r]} appears twice under scenario ${scenario[r]}; re-run the shard`);
    const note = noteColumn.get(r) as string | null;
    bySet.set(setId[r]!, { x: { nettingSetId: setId[r]!, counterpartyId: cp[r]!, cva: cva[r]!, dva: dva[r]!, fca: fca[r]!, fba: fba[r]!, colva: colva[r]! }, note, resimulated: resim[r]! });
  }
  for (const [name, bySet] of rows) {
    for (const id of shard.section.nettingSetIds) {
      if (!bySet.has(id)) throw new XvaUsageError(`${t.where} has no row for netting set ${id} under scenario ${name}; re-run the shard`);
    }
  }
}

/** One scenario of the merged run: its sets in the book's order, counterparties and book added as computeXva adds them. */
function scenarioOutcome(name: string, positioned: readonly PositionedSet[], bySet: Map<string, { x: ScenarioSetFigures; note: string | null; resimulated: boolean }>): ScenarioOutcome {
  const book = zeroFigures();
  const counterparties = new Map<string, XvaFigures>();
  const nettingSets: ScenarioSetFigures[] = [];
  let note: string | null | undefined;
  let resimulated = false;
  for (const { set } of positioned) {
    const row = bySet.get(set.nettingSetId)!;
    nettingSets.push(row.x);
    let cp = counterparties.get(row.x.counterpartyId);
    if (!cp) counterparties.set(row.x.counterpartyId, (cp = zeroFigures()));
    addFigures(cp, row.x);
    addFigures(book, row.x);
    // the same on every set of a single run: a scenario's note and flag do not depend on the sets
    if (note === undefined) {
      note = row.note;
      resimulated = row.resimulated;
    } else if (row.note !== note || row.resimulated !== resimulated) {
      throw new XvaUsageError(`merge: the shards disagree on scenario ${name} (note or resimulated flag of netting set ${set.nettingSetId}); re-run the shards with the same version of xva`);
    }
  }
  return { scenario: name, description: '', applied: [], ...(note !== null && note !== undefined ? { skipped: note } : {}), resimulated, book, counterparties, nettingSets };
}

/**
 * The shards' `cva_wrong_way` rows (each counterparty's netting-set rows, then its own row), the counterparties in the
 * order of their rows in the counterparties table (the manifests' `wrongWay` positions), as a single run lists them.
 */
function wrongWayRows(shards: readonly ShardSet['shards'][number][]): WrongWayRow[] {
  const groups: { position: number; rows: WrongWayRow[] }[] = [];
  for (const shard of shards) {
    const listed = shard.manifest.wrongWay as { counterpartyId: string; position: number }[] | undefined;
    if (!listed || listed.length === 0) continue;
    const t = ShardTable.read(shard.dir, 'cva_wrong_way', '.arrow');
    const scope = t.strings('scope');
    const cp = t.strings('counterparty_id');
    const setColumn = t.table.getChild('netting_set_id');
    if (!setColumn) throw new XvaUsageError(`${t.where} has no column netting_set_id: written by another version of xva?`);
    const model = t.strings('wrong_way_model');
    const curve = t.strings('credit_curve');
    const beta = t.nullableF64('beta_per_m');
    const logVol = t.nullableF64('log_vol');
    const kappa = t.nullableF64('mean_reversion');
    const cva = t.f64('cva');
    const cvaWwr = t.f64('cva_wwr');
    const ratio = t.nullableF64('wwr_ratio');
    const se = t.f64('cva_std_error');
    const seWwr = t.f64('cva_wwr_std_error');
    const seDiff = t.f64('difference_std_error');
    const fit = t.f64('survival_fit_error');
    const byCp = new Map<string, WrongWayRow[]>(listed.map((w) => [w.counterpartyId, []]));
    for (let r = 0; r < t.numRows; r++) {
      const rows = byCp.get(cp[r]!);
      if (!rows) throw new XvaUsageError(`${t.where}: counterparty ${cp[r]} is not in the manifest's wrongWay list; re-run the shard`);
      rows.push({
        scope: scope[r] as WrongWayRow['scope'],
        counterpartyId: cp[r]!,
        nettingSetId: setColumn.get(r) as string | null,
        model: model[r] as WrongWayRow['model'],
        creditCurve: curve[r]!,
        betaPerMillion: beta[r]!,
        logVolatility: logVol[r]!,
        meanReversion: kappa[r]!,
        cva: cva[r]!,
        cvaWrongWay: cvaWwr[r]!,
        ratio: ratio[r]!,
        cvaStdError: se[r]!,
        cvaWrongWayStdError: seWwr[r]!,
        differenceStdError: seDiff[r]!,
        survivalFitError: fit[r]!,
      });
    }
    for (const w of listed) {
      const rows = byCp.get(w.counterpartyId)!;
      if (rows.length === 0 || rows[rows.length - 1]!.scope !== 'counterparty') throw new XvaUsageError(`${t.where}: no counterparty row for ${w.counterpartyId}; re-run the shard`);
      groups.push({ position: w.position, rows });
    }
  }
  groups.sort((a, b) => a.position - b.position);
  return groups.flatMap((g) => g.rows);
}
