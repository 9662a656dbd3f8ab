/**
 * The report's charts, rendered offline: a Vega-Lite spec per chart, compiled to Vega and drawn by Vega's headless
 * SVG renderer (no canvas, no network). Every plotted number comes from the facts or, for the exposure profiles, from
 * the engine's profile arrays; each mark carries an ARIA label with its values, so the SVG states what it plots.
 * Charts: exposure profiles of the top netting sets (EPE and PFE), the XVA waterfall from gross CVA to the net cost,
 * a stress tornado (change of the net XVA cost per scenario) and capital by counterparty.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { ExplainData } from '../data.js';
import type { FactSet } from '../facts.js';

/** The charts' file names (a report folder holds those of one run: report/write.ts). */
export const CHART_FILES = ['exposure-profiles.svg', 'xva-waterfall.svg', 'stress-tornado.svg', 'capital-by-counterparty.svg'] as const;

export interface Chart {
  /** File name beside report.md. */
  file: string;
  title: string;
  /** What the chart plots, in a sentence (the report's caption). */
  caption: string;
  svg: string;
  /** Fact ids (or `profile:<netting set>`) it plots. */
  plotted: string[];
}

type Spec = vegaLite.TopLevelSpec;

async function render(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', config: { font: 'sans-serif' } } as const;

/** Netting sets with the largest effective EPE (else peak EPE), at most `n`. */
export function topNettingSets(data: ExplainData, n: number): string[] {
  const sets = data.exposure?.nettingSets ?? [];
  const key = (s: (typeof sets)[number]) => (Number.isFinite(s.eepe) ? s.eepe : s.peakEpe);
  return [...sets].sort((a, b) => key(b) - key(a) || (a.nettingSetId < b.nettingSetId ? -1 : 1)).slice(0, n).map((s) => s.nettingSetId);
}

async function exposureChart(data: ExplainData, top: number): Promise<Chart | undefined> {
  const ids = topNettingSets(data, top);
  if (ids.length === 0) return undefined;
  const values: { nettingSet: string; measure: string; timeYears: number; amount: number }[] = [];
  for (const id of ids) {
    const p = data.exposure!.nettingSets.find((s) => s.nettingSetId === id)!;
    for (let k = 0; k < p.timeYears.length; k++) {
      values.push({ nettingSet: id, measure: 'EPE', timeYears: p.timeYears[k]!, amount: p.epe[k]! });
      values.push({ nettingSet: id, measure: 'PFE 95%', timeYears: p.timeYears[k]!, amount: p.pfe[k]! });
    }
  }
  const spec: Spec = {
    ...base,
    title: `Exposure profiles of the ${ids.length} largest netting sets (${data.currency})`,
    width: 560,
    height: 280,
    data: { values },
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 'timeYears', type: 'quantitative', title: 'years from today' },
      y: { field: 'amount', type: 'quantitative', title: data.currency },
      color: { field: 'nettingSet', type: 'nominal', title: 'netting set' },
      strokeDash: { field: 'measure', type: 'nominal', title: 'measure' },
    },
  };
  return {
    file: 'exposure-profiles.svg',
    title: 'Exposure profiles',
    caption: `EPE and 95% PFE by time of ${ids.join(', ')} (largest effective EPE), from the exposure tables.`,
    svg: await render(spec),
    plotted: ids.map((id) => `profile:${id}`),
  };
}

async function waterfallChart(data: ExplainData, facts: FactSet): Promise<Chart | undefined> {
  const steps: { id: string; label: string; sign: 1 | -1 }[] = [
    { id: 'book.cva', label: 'CVA', sign: 1 },
    { id: 'book.fca', label: 'FCA', sign: 1 },
    { id: 'book.colva', label: 'ColVA', sign: 1 },
    { id: 'book.dva', label: 'DVA', sign: -1 },
    { id: 'book.fba', label: 'FBA', sign: -1 },
  ];
  if (!facts.has('book.cva') || !facts.has('book.xva_net')) return undefined;
  const values: { step: string; order: number; start: number; end: number; amount: number; kind: string }[] = [];
  let level = 0;
  steps.forEach((s, i) => {
    const amount = s.sign * facts.get(s.id)!.value;
    values.push({ step: s.label, order: i, start: level, end: level + amount, amount, kind: amount >= 0 ? 'cost' : 'benefit' });
    level += amount;
  });
  const net = facts.get('book.xva_net')!.value;
  values.push({ step: 'Net XVA cost', order: steps.length, start: 0, end: net, amount: net, kind: 'net' });
  const spec: Spec = {
    ...base,
    title: `XVA of the book from gross CVA to the net cost (${data.currency})`,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'step', type: 'ordinal', sort: { field: 'order' }, title: null },
      y: { field: 'start', type: 'quantitative', title: data.currency },
      y2: { field: 'end' },
      color: { field: 'kind', type: 'nominal', scale: { domain: ['cost', 'benefit', 'net'], range: ['#c0392b', '#27ae60', '#34495e'] }, title: null },
      tooltip: [{ field: 'step' }, { field: 'amount', type: 'quantitative' }],
    },
  };
  return {
    file: 'xva-waterfall.svg',
    title: 'XVA waterfall',
    caption: 'Costs (CVA, FCA, ColVA) up, benefits (DVA, FBA) down, to the net XVA cost of the book.',
    svg: await render(spec),
    plotted: [...steps.map((s) => s.id), 'book.xva_net'],
  };
}

async function tornadoChart(data: ExplainData, facts: FactSet): Promise<Chart | undefined> {
  const rows = facts.list.filter((f) => /^scenario\.[^.]+\.d_net$/.test(f.id));
  if (rows.length === 0) return undefined;
  const values = rows
    .map((f) => ({ scenario: f.id.split('.')[1]!, change: f.value, id: f.id }))
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || (a.scenario < b.scenario ? -1 : 1));
  const spec: Spec = {
    ...base,
    title: `Stress: change of the net XVA cost (${data.currency})`,
    width: 480,
    height: Math.max(120, 28 * values.length),
    data: { values: values.map(({ scenario, change }, i) => ({ scenario, change, order: i })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'scenario', type: 'nominal', sort: { field: 'order' }, title: null },
      x: { field: 'change', type: 'quantitative', title: `change, ${data.currency}` },
      color: { condition: { test: 'datum.change >= 0', value: '#c0392b' }, value: '#27ae60' },
    },
  };
  return {
    file: 'stress-tornado.svg',
    title: 'Stress tornado',
    caption: 'Change of the net XVA cost (CVA − DVA + FVA) under each stress scenario, largest first.',
    svg: await render(spec),
    plotted: values.map((v) => v.id),
  };
}

async function capitalChart(data: ExplainData, facts: FactSet, top: number): Promise<Chart | undefined> {
  const rows = facts.list.filter((f) => /^capital\.cp\.[^.]+\.capital$/.test(f.id)).sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : 1)).slice(0, top);
  if (rows.length === 0) return undefined;
  const spec: Spec = {
    ...base,
    title: `Counterparty credit risk capital, ${rows.length} largest counterparties (${data.currency})`,
    width: 480,
    height: Math.max(120, 24 * rows.length),
    data: { values: rows.map((f, i) => ({ counterparty: f.id.split('.')[2]!, capital: f.value, order: i })) },
    mark: { type: 'bar', color: '#2c3e50' },
    encoding: {
      y: { field: 'counterparty', type: 'nominal', sort: { field: 'order' }, title: null },
      x: { field: 'capital', type: 'quantitative', title: data.currency },
    },
  };
  return {
    file: 'capital-by-counterparty.svg',
    title: 'Capital by counterparty',
    caption: 'SA-CCR capital (RWA × capital ratio) of the counterparties using the most.',
    svg: await render(spec),
    plotted: rows.map((f) => f.id),
  };
}

export async function renderCharts(data: ExplainData, facts: FactSet, options: { topNettingSets: number; topCounterparties: number }): Promise<Chart[]> {
  const charts = [await exposureChart(data, options.topNettingSets), await waterfallChart(data, facts), await tornadoChart(data, facts), await capitalChart(data, facts, options.topCounterparties)];
  return charts.filter((c): c is Chart => c !== undefined);
}
