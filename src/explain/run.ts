/**
 * The library entry of `xva explain` (docs/explain.md): results → facts → personas in dependency order, each
 * narrated and fact-checked (builtin: a paragraph that fails the check is left out and reported; an LLM: one
 * regeneration, then the built-in text flagged) → report.md with tables and charts (and report.html) in the output
 * folder. The appendix's facts cited are the ones the check matched.
 *
 * Results: `resultsDir` (the tables of earlier runs, read without recomputing) or, without it, runs made now through
 * the library into `<outDir>/results` (results/runNow.ts). `previousDir` (an earlier explain's folder with facts.json,
 * or a results folder) adds what-changed facts. Before any narration the destination of the data is reported through
 * `onDestination`; nothing else about prompts or credentials is logged here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { loadMarket } from '../market/load.js';
import type { Lever } from '../optimize/types.js';
import type { Scenario } from '../scenarios/types.js';
import type { ExplainData } from './data.js';
import { addChangeFacts, factsOf, type FactSet } from './facts.js';
import { checkedNarration, groundedNarration, type Subject } from './grounding/index.js';
import { BuiltinNarrator } from './narrators/builtin.js';
import { PERSONAS, personaTools, startingFacts, type ToolContext } from './personas.js';
import { renderCharts, type Chart } from './report/charts.js';
import { renderHtml } from './report/html.js';
import { factsDocument, renderMarkdown, type ReportSection } from './report/markdown.js';
import { writeReportFiles } from './report/write.js';
import { readResults } from './results/read.js';
import { indexTables } from './results/tables.js';
import { runNow } from './results/runNow.js';
import { scenarioShocksOf } from './results/shocks.js';
import { checkBeforeRunsNow, checkReportReplaceable, stageResults } from './results/stage.js';
import type { Fact, NarrationRequest, Narrator, ShareLevel } from './types.js';
import { spreadWhatIfEngine, type WhatIfEngine } from './whatIf.js';

export type NarratorKind = 'builtin' | 'ollama' | 'bedrock';

export interface ExplainOptions {
  portfolioDir: string;
  marketFile: string;
  resultsDir?: string;
  previousDir?: string;
  outDir: string;
  narrator: NarratorKind;
  /** Ollama model (--model), Bedrock model id (--model-id), region and endpoint. */
  model?: string;
  modelId?: string;
  region?: string;
  endpoint?: string;
  /** Continue with the built-in writer when the LLM cannot be reached (--fallback builtin). */
  fallbackBuiltin: boolean;
  share: ShareLevel;
  format: 'md' | 'html';
  /** Runs made now (without resultsDir). */
  paths: number;
  seed: number;
  /** The draws of the runs made now (results/runNow.ts); default philox. */
  rng?: 'philox' | 'sobol';
  threads?: number;
  /**
   * The stress scenario files: those the runs made now read, or with `resultsDir` the ones the earlier runs read
   * (`--scenarios DIR`; empty when not given), whose shocks become facts (results/shocks.ts).
   */
  scenarios: readonly Scenario[];
  mva: boolean;
  optimize?: { paths: number; levers: readonly Lever[]; maxCandidatesPerLever: number };
  debug: boolean;
  onProgress?: (stage: string) => void;
  /** Told where data is sent, before anything is sent. */
  onDestination?: (line: string) => void;
  log?: (line: string) => void;
}

export interface ExplainRun {
  outDir: string;
  reportFile: string;
  files: string[];
  data: ExplainData;
  facts: FactSet;
  sections: ReportSection[];
  charts: Chart[];
  narrator: { kind: NarratorKind; model: string; destination: string };
  resultsDir: string;
  ranNow: boolean;
}

/** Facts of a previous explain (facts.json) or of a results folder. */
export function readPrevious(dir: string, currency: string): { facts: Fact[]; label: string } {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new XvaUsageError(`--previous: no folder ${dir}`);
  const json = path.join(root, 'facts.json');
  if (fs.existsSync(json)) {
    let doc: { facts?: Fact[] };
    try {
      doc = JSON.parse(fs.readFileSync(json, 'utf8')) as { facts?: Fact[] };
    } catch (error) {
      throw new XvaUsageError(`--previous: ${json} is not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(doc.facts)) throw new XvaUsageError(`--previous: ${json} has no facts array (written by xva explain)`);
    return { facts: doc.facts.filter((f) => typeof f?.id === 'string' && typeof f.value === 'number'), label: `the previous report ${path.join(dir, 'facts.json')}` };
  }
  const resultsSub = path.join(root, 'results');
  const from = fs.existsSync(resultsSub) ? resultsSub : root;
  return { facts: factsOf(readResults(from, currency, '--previous')).list, label: `the previous results ${dir}` };
}

/** Phrases whose digits are identifiers, not figures (ids of counterparties, netting sets, scenarios, actions). */
export function identifierPhrases(data: ExplainData): string[] {
  const ids = new Set<string>();
  for (const c of data.xva?.counterparties ?? []) ids.add(c.counterpartyId);
  for (const n of data.xva?.nettingSets ?? []) ids.add(n.nettingSetId);
  for (const n of data.exposure?.nettingSets ?? []) ids.add(n.nettingSetId);
  for (const n of data.margin?.nettingSets ?? []) ids.add(n.nettingSetId);
  for (const s of data.xva?.scenarios ?? []) ids.add(s.scenario);
  for (const s of data.capital?.scenarios ?? []) ids.add(s.scenario);
  for (const s of data.margin?.scenarios ?? []) ids.add(s.scenario);
  for (const r of data.optimize?.recommendations ?? []) ids.add(r.actionId);
  return [...ids].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/**
 * The run's identifiers with their kind, for the fact check (grounding/attribution.ts): a counterparty, netting set,
 * scenario or action that prose names is the subject of the figures beside it, even in a section whose narrator was
 * given none of its facts (such a figure then fails instead of passing on another subject's number).
 */
export function subjectsOf(data: ExplainData): Subject[] {
  const out: Subject[] = [];
  for (const c of data.xva?.counterparties ?? []) out.push({ kind: 'counterparty', id: c.counterpartyId });
  for (const n of [...(data.xva?.nettingSets ?? []), ...(data.exposure?.nettingSets ?? []), ...(data.margin?.nettingSets ?? [])]) out.push({ kind: 'netting_set', id: n.nettingSetId });
  for (const n of data.exposure?.nettingSets ?? []) out.push({ kind: 'counterparty', id: n.counterpartyId });
  for (const t of data.xva?.trades ?? []) out.push({ kind: 'trade', id: t.tradeId });
  for (const s of [...(data.xva?.scenarios ?? []), ...(data.capital?.scenarios ?? []), ...(data.margin?.scenarios ?? [])]) out.push({ kind: 'scenario', id: s.scenario });
  for (const r of data.optimize?.recommendations ?? []) out.push({ kind: 'action', id: r.actionId });
  // once each (a netting set is in several tables)
  return [...new Map(out.map((s) => [`${s.kind} ${s.id}`, s])).values()];
}

function baseCurrencyOf(marketFile: string): string | undefined {
  try {
    return fs.existsSync(marketFile) ? loadMarket(marketFile).baseCurrency : undefined;
  } catch {
    return undefined;
  }
}

async function narratorOf(options: ExplainOptions): Promise<Narrator> {
  if (options.narrator === 'builtin') return new BuiltinNarrator();
  // the adapters (narrators/index.ts) load their SDK only when chosen
  const { createNarrator } = await import('./narrators/index.js');
  return createNarrator(options.narrator, {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    debug: options.debug,
    ...(options.log ? { log: options.log } : {}),
  });
}

export async function runExplain(options: ExplainOptions): Promise<ExplainRun> {
  const outDir = path.resolve(options.outDir);
  const currency = baseCurrencyOf(options.marketFile) ?? 'base currency';
  const ranNow = options.resultsDir === undefined;
  const resultsDir = ranNow ? path.join(outDir, 'results') : path.resolve(options.resultsDir!);
  if (!ranNow && !fs.existsSync(resultsDir)) throw new XvaUsageError(`--results: no folder ${options.resultsDir}`);
  // what --out must allow, refused before any work (results/stage.ts): the report files' names, the stage folders the
  // runs made now replace, and no input inside those
  if (ranNow) {
    const inputs = [{ flag: '--portfolio', path: options.portfolioDir }, { flag: '--market', path: options.marketFile }, ...options.scenarios.map((s) => ({ flag: '--scenarios', path: s.file }))];
    checkBeforeRunsNow(outDir, inputs);
  } else checkReportReplaceable(outDir);
  // the narrator first: a bad --model, an unknown narrator, a model not pulled, a server not reachable or no
  // credentials fail before any long run (with --fallback builtin the sections fall back instead, as later); and the
  // previous report, read now
  const narrator = await narratorOf(options);
  const builtin = new BuiltinNarrator();
  if (narrator.kind !== 'builtin') {
    const { describeDestination } = await import('./narrators/index.js');
    options.onDestination?.(describeDestination(narrator, options.share));
  } else options.onDestination?.(`Narrator: built-in; nothing leaves this machine.`);
  if (!options.fallbackBuiltin && narrator.preflight) {
    options.onProgress?.(`checking the narrator at ${narrator.destination}`);
    try {
      await narrator.preflight();
    } catch (error) {
      if (narrator.kind !== 'builtin') (await import('./narrators/index.js')).closeNarrator(narrator);
      throw error;
    }
  }
  const previous = options.previousDir !== undefined ? readPrevious(options.previousDir, currency) : undefined;

  // runs made now write into a hidden folder swapped in with the report at the end (results/stage.ts): a run that
  // fails or is stopped before leaves OUT as it was
  const stage = ranNow ? stageResults(outDir) : undefined;
  try {
    // the tables as this run reads them (the staging folder until the commit)
    const tablesDir = stage ? stage.dir : resultsDir;
    let runNotes: string[] = [];
    if (ranNow) {
      runNotes = await runNow({
        portfolioDir: options.portfolioDir,
        marketFile: options.marketFile,
        resultsDir: tablesDir,
        paths: options.paths,
        seed: options.seed,
        ...(options.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        scenarios: options.scenarios,
        mva: options.mva,
        ...(options.optimize ? { optimize: options.optimize } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    }
    options.onProgress?.('reading the results');
    const data = readResults(tablesDir, currency);
    data.notes.push(...runNotes);
    if (!ranNow && data.exposure) data.notes.push(`results read from ${resultsDir} without recomputing`);
    const shocks = scenarioShocksOf(data, options.scenarios, ranNow ? 'the scenario files of the runs made now' : '--scenarios');
    if (shocks.length > 0) data.scenarioShocks = shocks;
    const facts = factsOf(data);
    let previousLabel: string | undefined;
    if (previous !== undefined) {
      addChangeFacts(facts, previous.facts, previous.label);
      previousLabel = previous.label;
    }

    // the what-if engine is built on first use (the tables of the exposure and the book's credit curves)
    let engine: Promise<WhatIfEngine> | undefined;
    const exposureFile = indexTables(tablesDir).get('exposure_netting_set')?.[0];
    const ctx: ToolContext = { data, facts, share: options.share };
    if (exposureFile && data.xva) {
      const xvaOptions = { discretisation: data.xva.discretisation as 'mid' | 'end', mode: data.xva.mode as 'unilateral' | 'bilateral' | 'first-to-default' };
      ctx.whatIf = () => (engine ??= spreadWhatIfEngine(options.portfolioDir, options.marketFile, path.dirname(exposureFile), xvaOptions));
    }

    const destination = narrator.destination;

    const ignore = identifierPhrases(data);
    const subjects = subjectsOf(data);
    const sections: ReportSection[] = [];
    // with --fallback builtin, a narrator found unavailable (unreachable, no such model) is not asked again
    let unavailable: string | undefined;
    try {
      for (const persona of PERSONAS) {
        options.onProgress?.(`writing: ${persona.title}`);
        const request: NarrationRequest = {
          persona,
          facts: startingFacts(persona.id, facts, options.share),
          tools: personaTools(persona.id, ctx),
          earlier: sections.filter((s) => persona.dependsOn.includes(s.persona.id)).map((s) => ({ persona: s.persona.id, title: s.persona.title, paragraphs: s.paragraphs })),
          share: options.share,
        };
        // the built-in writer's paragraphs go through the same fact check as a model's: one that fails is left out
        // (the writer would write the same words again, and nothing stands in for it) and the report says why
        const g =
          narrator.kind === 'builtin'
            ? await checkedNarration(narrator, request, { ignore, subjects })
            : await groundedNarration(narrator, request, builtin, { ignore, subjects, fallbackOnError: options.fallbackBuiltin, ...(unavailable !== undefined ? { unavailable } : {}) });
        if (g.narratorUnavailable && unavailable === undefined) unavailable = `it failed on the ${persona.title} section (${g.narratorError})`;
        sections.push({
          persona,
          paragraphs: g.result.paragraphs,
          sources: g.provenance.map((p) => ({ narrator: p.narrator, model: p.model, cited: p.cited, flagged: p.flagged, reasons: p.reasons })),
          ...(g.narratorError ? { narratorError: g.narratorError } : {}),
          ...(g.dropped.length > 0 ? { dropped: g.dropped } : {}),
        });
      }
    } finally {
      if (narrator.kind !== 'builtin') (await import('./narrators/index.js')).closeNarrator(narrator);
    }

    options.onProgress?.('charts and report');
    const charts = await renderCharts(data, facts, { topNettingSets: 3, topCounterparties: 10 });
    const relResults = path.relative(outDir, resultsDir);
    const meta = {
      title: `XVA desk report${data.asOf ? ` of ${data.asOf}` : ''}`,
      generatedFrom: ranNow ? `runs made now (${options.paths} paths, seed ${options.seed})` : `the results in ${resultsDir}`,
      narrator: narrator.kind === 'builtin' ? 'built-in writer' : `${narrator.kind} (${narrator.model})`,
      destination,
      share: options.share,
      ...(previousLabel ? { previous: previousLabel } : {}),
      ...(!relResults.startsWith('..') && !path.isAbsolute(relResults) ? { resultsLink: relResults.split(path.sep).join('/') } : {}),
    };
    const markdown = renderMarkdown(data, facts, sections, charts, meta);
    const html = options.format === 'html' ? renderHtml(markdown, charts, meta.title) : undefined;
    const writeReport = () => writeReportFiles(outDir, { charts, factsJson: factsDocument(facts.list, { asOf: data.asOf, currency: data.currency }), markdown, ...(html !== undefined ? { html } : {}) });
    const files = stage ? stage.commit(writeReport) : writeReport();
    return { outDir, reportFile: path.join(outDir, 'report.md'), files, data, facts, sections, charts, narrator: { kind: narrator.kind, model: narrator.model, destination }, resultsDir, ranNow };
  } finally {
    stage?.abandon();
  }
}
