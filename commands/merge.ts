import { Args, Flags } from '@oclif/core';
import { XvaCommand } from '../src/cli/base.js';
import { mergeShards } from '../src/scale/merge.js';

export default class Merge extends XvaCommand {
  static override summary = 'Merge the shard folders of a sharded simulate, cva, fva or margin run into the files of a single run';

  static override description =
    'Reads DIR/shard-K-of-N (written by `xva simulate|cva|fva --shard K/N --out DIR`, or --shards N under a Kubernetes ' +
    'Indexed Job or an AWS Batch array job), checks that the set is complete and consistent (every shard 1..N exactly ' +
    'once, same inputs, seed, grid, options and N, every netting set in exactly one shard) and writes into --out the ' +
    'files a single run writes, bit for bit, plus merge.json. A missing, duplicated or mismatched shard is an error ' +
    'naming it (exit 2). Details: docs/scale.md.';

  static override examples = [
    '<%= config.bin %> merge ./shards --out ./run1',
    '<%= config.bin %> merge /data/shards --out /data/run1 --json',
  ];

  static override args = {
    dir: Args.string({ description: 'Folder holding the shard-K-of-N folders', required: true }),
  };

  static override flags = {
    out: Flags.string({ description: 'Output folder for the merged files', helpValue: 'DIR', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Merge);
    this.setModes(flags);
    const result = await mergeShards(args.dir, flags.out);
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
