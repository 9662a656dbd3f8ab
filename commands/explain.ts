import { Flags } from '@oclif/core';
import { pathsFlag, threadsFlag } from '../src/cli/threads.js';
import path from 'node:path';
import { XvaCommand, portfolioFlags } from '../src/cli/base.js';
import { lockFolder } from '../src/cli/lock.js';
import { stderrLog } from '../src/cli/log.js';
import { packageRoot } from '../src/cli/paths.js';
import { XvaUsageError } from '../src/errors.js';
import { DEFAULT_EXPLAIN_CANDIDATES, DEFAULT_EXPLAIN_LEVERS, DEFAULT_EXPLAIN_PATHS, DEFAULT_OPTIMIZE_PATHS } from '../src/explain/results/runNow.js';
import { runExplain, type NarratorKind } from '../src/explain/run.js';
import type { ShareLevel } from '../src/explain/types.js';
import { LEVERS, type Lever } from '../src/optimize/types.js';
import { loadScenarioDir } from '../src/scenarios/load.js';

function whole(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min || Number(text) > max) throw new XvaUsageError(`--${flag} must be a whole number ${min} to ${max}, got '${text}'`);
  return Number(text);
}

export default class Explain extends XvaCommand {
  static override summary = 'A board report of the book: XVA, exposures, capital, margin, stress and recommendations, written by desk personas';

  static override description =
    'Turns the results into facts, has four desk personas (CVA trader, FVA specialist, capital optimiser, collateral ' +
    'manager) and the head of desk write their sections in dependency order, and writes report.md with tables and SVG ' +
    'charts (and report.html with --format html). Reads earlier runs with --results DIR (no recomputing); without it ' +
    `runs what it needs now (--paths default ${DEFAULT_EXPLAIN_PATHS}) into OUT/results. The built-in narrator sends nothing anywhere; ` +
    'every figure of the prose is checked against the facts (value, unit and stated direction; a failing built-in paragraph ' +
    'is left out and flagged; with --narrator ollama|bedrock one regeneration, then the built-in text, flagged) and only ' +
    'aggregates leave the machine unless --share trade-level. Files: docs/explain.md.';

  static override examples = [
    '<%= config.bin %> explain',
    '<%= config.bin %> explain --results ./nightly/2026-06-30 --previous ./report-2026-06-29 --out ./report --format html',
    '<%= config.bin %> explain --results ./nightly --narrator ollama --model llama3.1:8b --fallback builtin',
    '<%= config.bin %> explain --results ./nightly --narrator bedrock --model-id anthropic.claude-3-5-sonnet-20240620-v1:0 --region eu-west-1',
  ];

  static override flags = {
    ...portfolioFlags,
    results: Flags.string({ description: 'Folder of earlier runs (simulate, cva/fva, capital, margin, optimize with --out), read without recomputing', helpValue: 'DIR' }),
    previous: Flags.string({ description: 'An earlier report folder (its facts.json) or results folder: adds what changed', helpValue: 'DIR' }),
    out: Flags.string({ description: 'Report folder (report.md, charts, facts.json; results/ when run now)', default: 'report', helpValue: 'DIR' }),
    narrator: Flags.string({ description: 'Who writes the prose: builtin (local, deterministic), ollama or bedrock', options: ['builtin', 'ollama', 'bedrock'], default: 'builtin' }),
    model: Flags.string({ description: 'Ollama model (e.g. llama3.1:8b); server from OLLAMA_HOST, default local', helpValue: 'NAME' }),
    'model-id': Flags.string({ description: 'Bedrock model id (credentials from the standard AWS chain)', helpValue: 'ID' }),
    region: Flags.string({ description: 'Bedrock region (default: the AWS chain: AWS_REGION, profile)', helpValue: 'REGION' }),
    endpoint: Flags.string({ description: 'Bedrock runtime endpoint URL (a VPC endpoint)', helpValue: 'URL' }),
    fallback: Flags.string({ description: 'When the model cannot be reached, continue with this writer (said in the report)', options: ['builtin'] }),
    share: Flags.string({ description: "What the LLM narrators may send: 'aggregates' (default) or 'trade-level'", options: ['aggregates', 'trade-level'], default: 'aggregates' }),
    format: Flags.string({ description: "'md' (report.md) or 'html' (also one self-contained report.html)", options: ['md', 'html'], default: 'md' }),
    paths: Flags.string({ description: 'Monte Carlo paths of the runs made now (without --results)', default: String(DEFAULT_EXPLAIN_PATHS), helpValue: 'N' }),
    seed: Flags.string({ description: 'Seed of the runs made now', default: '42', helpValue: 'N' }),
    rng: Flags.string({
      description: "Random numbers of the runs made now: 'philox' (default) or 'sobol' (Sobol points with a Brownian bridge, as `xva simulate --rng sobol`)",
      options: ['philox', 'sobol'],
      default: 'philox',
    }),
    threads: Flags.string({ description: 'Worker threads of the runs made now (default: all cores)', helpValue: 'N' }),
    scenarios: Flags.string({
      description:
        "Stress scenarios of the runs made now ('default' = the bundled scenarios/, the default; 'none'; or a folder); with --results, the folder the earlier runs read, whose shocks become facts (not given: none)",
      helpValue: 'DIR',
    }),
    mva: Flags.boolean({ description: 'Runs made now: dynamic IM and MVA in the margin run (one more simulation of the SIMM netting sets, the schedule sets\' IM projected; --no-mva: none of those, only the MVA of a stated initial_margin_posted)', default: true, allowNo: true }),
    optimize: Flags.boolean({ description: 'Runs made now: run the optimiser for recommendations (--no-optimize: none)', default: true, allowNo: true }),
    levers: Flags.string({ description: `Optimiser levers of the runs made now (all: ${LEVERS.join(',')})`, default: DEFAULT_EXPLAIN_LEVERS.join(','), helpValue: 'LIST' }),
    'max-candidates': Flags.string({ description: 'Optimiser candidates measured per lever (runs made now)', default: String(DEFAULT_EXPLAIN_CANDIDATES), helpValue: 'N' }),
    'optimize-paths': Flags.string({ description: 'Monte Carlo paths of the optimiser run made now', default: String(DEFAULT_OPTIMIZE_PATHS), helpValue: 'N' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Explain);
    this.setModes(flags);
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const marketFile = this.marketFile(flags.market, portfolioDir);
    const narrator = flags.narrator as NarratorKind;
    if (narrator === 'ollama' && !flags.model) throw new XvaUsageError('--narrator ollama needs --model (a model pulled on the Ollama server, e.g. llama3.1:8b)');
    if (narrator === 'bedrock' && !flags['model-id']) throw new XvaUsageError('--narrator bedrock needs --model-id');
    const levers = flags.levers.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const l of levers) if (!(LEVERS as readonly string[]).includes(l)) throw new XvaUsageError(`--levers: unknown lever '${l}' (one of ${LEVERS.join(', ')})`);
    // the runs made now read the bundled scenarios unless told otherwise; with --results the files the earlier runs
    // read are known only when given (the tables do not record the shocks)
    const scenarioDir = flags.scenarios ?? (flags.results === undefined ? 'default' : 'none');
    const scenarios = scenarioDir === 'none' ? [] : loadScenarioDir(scenarioDir === 'default' ? path.join(packageRoot(), 'scenarios') : path.resolve(scenarioDir));
    const outDir = path.resolve(flags.out);
    const log = stderrLog('explain', !this.quietMode && !this.jsonMode);
    const lock = lockFolder(outDir, 'xva explain');
    try {
      const run = await runExplain({
        portfolioDir,
        marketFile,
        ...(flags.results !== undefined ? { resultsDir: path.resolve(flags.results) } : {}),
        ...(flags.previous !== undefined ? { previousDir: path.resolve(flags.previous) } : {}),
        outDir,
        narrator,
        ...(flags.model !== undefined ? { model: flags.model } : {}),
        ...(flags['model-id'] !== undefined ? { modelId: flags['model-id'] } : {}),
        ...(flags.region !== undefined ? { region: flags.region } : {}),
        ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
        fallbackBuiltin: flags.fallback === 'builtin',
        share: flags.share as ShareLevel,
        format: flags.format as 'md' | 'html',
        paths: pathsFlag('paths', flags.paths),
        seed: whole('seed', flags.seed, 0, 0xffffffff),
        ...(flags.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
        ...(flags.threads !== undefined ? { threads: threadsFlag(flags.threads) } : {}),
        scenarios,
        mva: flags.mva,
        ...(flags.optimize && levers.length > 0 ? { optimize: { paths: pathsFlag('optimize-paths', flags['optimize-paths']), levers: levers as Lever[], maxCandidatesPerLever: whole('max-candidates', flags['max-candidates'], 1) } } : {}),
        debug: this.debugMode,
        onProgress: (stage) => log(stage),
        // where the data goes is said before anything is sent, even with --quiet (on stderr)
        onDestination: (line) => process.stderr.write(`${line}\n`),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (this.jsonMode) {
        this.printJson({ report: run.reportFile, files: run.files, resultsDir: run.resultsDir, ranNow: run.ranNow, narrator: run.narrator, asOf: run.data.asOf, currency: run.data.currency, missing: run.data.missing, facts: run.facts.list.length, sections: run.sections.map((s) => ({ persona: s.persona.title, paragraphs: s.paragraphs.length, flagged: s.sources.filter((x) => x.flagged).length, leftOut: s.dropped?.length ?? 0 })) });
        return;
      }
      for (const m of run.data.missing) this.warnLine(`not in the results: ${m}`);
      const failed = run.sections.filter((s) => s.narratorError);
      if (failed.length > 0) this.warnLine(`the ${run.narrator.kind} narrator failed on ${failed.length} section(s) (${failed[0]!.narratorError}); the built-in writer wrote them (--fallback builtin, said in the report)`);
      const flagged = run.sections.filter((s) => !s.narratorError).reduce((a, s) => a + s.sources.filter((x) => x.flagged).length, 0);
      if (flagged > 0) this.warnLine(`${flagged} paragraph(s) failed the fact check twice and were replaced by the built-in text (flagged in the report)`);
      const leftOut = run.sections.reduce((a, s) => a + (s.dropped?.length ?? 0), 0);
      if (leftOut > 0) this.warnLine(`${leftOut} paragraph(s) failed the fact check and were left out (said in the report)`);
      this.say(`Wrote ${run.reportFile} (${run.files.length} files${run.ranNow ? `; the runs' tables in ${run.resultsDir}` : ''})`);
    } finally {
      lock.release();
    }
  }
}
