/**
 * The shared flow of `xva cva` and `xva fva` (the commands differ only in their human tables): parse the XVA flags,
 * then either run one shard (`--shard K/N`, src/scale) and print its summary, or run the XVA (src/xva/run.ts), print
 * its notes and, with --json, its document. Returns the run and its options when the command still has to render.
 */
import type { Interfaces } from '@oclif/core';
import { XvaCommand } from '../cli/base.js';
import { XvaUsageError } from '../errors.js';
import { markOutputsWritten } from '../io/tempFiles.js';
import { resolveShard } from '../scale/shardSpec.js';
import { checkXvaShardOptions, runXvaShard, xvaShardSummary } from '../scale/xvaShard.js';
import { xvaRunOptions, type ParsedXvaFlags } from './cli.js';
import { xvaJson } from './render.js';
import { runXva, type XvaRun, type XvaRunOptions } from './run.js';

export abstract class XvaMetricCommand extends XvaCommand {
  protected async runMetric(
    command: 'cva' | 'fva',
    flags: ParsedXvaFlags & Interfaces.InferredFlags<typeof XvaCommand.baseFlags> & { shard?: string | undefined; shards?: string | undefined },
    metadata: { flags: { [name: string]: { setFromDefault?: boolean } | undefined } },
  ): Promise<{ run: XvaRun; options: XvaRunOptions } | undefined> {
    this.setModes(flags);
    if (flags.results !== undefined) {
      // the exposure read was drawn by the run that wrote it: these flags would be silently ignored
      const given = (['paths', 'seed', 'grid'] as const).filter((f) => metadata.flags[f]?.setFromDefault !== true);
      if (given.length > 0) {
        const list = given.map((f) => `--${f}`).join(', ');
        throw new XvaUsageError(`${list} with --results: the exposure read has the paths, seed and grid of the \`xva simulate\` that wrote it (its manifest.json); give ${list} to that run, or leave ${given.length > 1 ? 'them' : 'it'} out`);
      }
    }
    const label = command.toUpperCase();
    const portfolioDir = this.portfolioDir(flags.portfolio);
    const options = xvaRunOptions(flags, portfolioDir, this.marketFile(flags.market, portfolioDir));
    const shard = resolveShard(flags);
    if (shard) {
      // --shard K/N: shard K's netting sets into --out/shard-K-of-N (src/scale, docs/scale.md); `xva merge` joins them
      checkXvaShardOptions(options);
      const run = await this.withProgress(`${label} shard ${shard.index}/${shard.count}`, (onProgress, onWarning) => runXvaShard({ ...options, command, shard, onProgress, onWarning }));
      for (const note of run.notes) this.warnLine(note);
      const summary = xvaShardSummary(run);
      if (this.jsonMode) this.printJson(summary.json);
      else this.say(summary.line);
      return undefined;
    }
    const run = await this.withProgress(label, (onProgress, onWarning) => runXva({ ...options, onProgress, onWarning, onWritten: (files) => markOutputsWritten(`${files.length} files in ${options.outDir}`) }));
    for (const note of run.notes) this.warnLine(note);
    if (this.jsonMode) {
      this.printJson(xvaJson(run));
      return undefined;
    }
    return { run, options };
  }
}
