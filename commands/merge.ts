import { Args, Flags } from '@oclif/core';
import { XvaCommand } from '../src/cli/base.js';
import { mergeShards } from '../src/scale/merge.js';

export default class Merge extends XvaCommand {
  static override summary = 'Merge the shard folders of a sharded simulate, cva, fva, margin or capital run into the files of a single run';

  static override description =
    'Reads DIR/shard-K-of-N (written by `xva simulate|cva|fva|margin|capital --shard K/N --out DIR`, or --shards N under a Kubernetes ' +
    'Indexed Job or an AWS Batch array job), checks that the set is complete and consistent (every shard 1..N exactly ' +
    'once, same inputs, seed, grid, options and N, every netting set in exactly one shard) and writes into --out the ' +
    'files a single run writes, bit for bit, plus merge.json. A missing, duplicated or mismatched shard is an error ' +
    'naming it (exit 2). A capital merge also reads the run\'s inputs again (the book-level BA-CVA, SA-CVA and KVA are ' +
    'formed from them), where the shards read them unless --portfolio/--market say where they are here; each file must ' +
    'be the one the shards read (SHA-256). Details: docs/scale.md.';

  static override examples = [
    '<%= config.bin %> merge ./shards --out ./run1',
    '<%= config.bin %> merge /data/shards --out /data/run1 --json',
    '<%= config.bin %> merge /data/capital-shards --out /data/capital --portfolio /data/book --market /data/book/market.yaml',
  ];

  static override args = {
    dir: Args.string({ description: 'Folder holding the shard-K-of-N folders', required: true }),
  };

  static override flags = {
    out: Flags.string({ description: 'Output folder for the merged files', helpValue: 'DIR', required: true }),
    portfolio: Flags.string({ description: 'xva capital shards only: the portfolio folder on this machine (default: where the shards read it)', helpValue: 'DIR' }),
    market: Flags.string({ description: 'xva capital shards only: the market file on this machine (default: market.yaml in --portfolio when given, else where the shards read it)', helpValue: 'FILE' }),
    'sacva-sensitivities': Flags.string({ description: 'xva capital shards run with --sacva-sensitivities only: that file on this machine (default: under --portfolio where the shards had it under theirs, else where they read it)', helpValue: 'FILE' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Merge);
    this.setModes(flags);
    const result = await mergeShards(args.dir, flags.out, {
      ...(flags.portfolio !== undefined ? { portfolio: flags.portfolio } : {}),
      ...(flags.market !== undefined ? { market: flags.market } : {}),
      ...(flags['sacva-sensitivities'] !== undefined ? { sacvaSensitivities: flags['sacva-sensitivities'] } : {}),
    });
    for (const name of result.stale) this.warnLine(`ignored ${name}: a shard run that did not finish (delete it when no shard is running)`);
    if (this.jsonMode) {
      this.printJson(result);
      return;
    }
    this.say(
      `Merged ${result.shards} shards of xva ${result.command} (${result.nettingSets} netting sets, ${result.counterparties} counterparties) ` +
        `into ${flags.out}: ${result.files.length} files in ${result.seconds.toFixed(2)} s`,
    );
  }
}
