/**
 * Deployment as data (docs/scale.md): the Kubernetes Indexed Job and merge Job, the AWS Batch job definitions and the
 * Step Functions state machine parse, have the structure their schedulers need (Indexed completion mode with
 * completions = parallelism = the --shards N of the command; an array job fanned out to N then the merge; one shared
 * volume mounted where --out points), and every command in them is a valid `xva` invocation: its argv parses with
 * the command class's own flags and args (oclif's parser, strict), and the shard flags resolve to a shard for every
 * index the scheduler hands out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { Parser } from '@oclif/core';
import YAML from 'yaml';
import Capital from '../commands/capital.js';
import Simulate from '../commands/simulate.js';
import Merge from '../commands/merge.js';
import { outputFlags } from '../src/cli/base.js';
import { resolveShard } from '../src/scale/shardSpec.js';

const root = path.resolve(import.meta.dirname, '..', 'deploy');
const commands: Record<string, { flags: Record<string, unknown>; args?: Record<string, unknown> }> = { simulate: Simulate, capital: Capital, merge: Merge };

/** Parses `xva <command> ...argv` with the command's flags (strict: an unknown flag or a missing value throws). */
async function parseXva(argv: string[]): Promise<{ command: string; flags: Record<string, unknown>; args: Record<string, unknown> }> {
  expect(argv[0]).toBe('xva');
  const command = argv[1]!;
  const cls = commands[command];
  if (!cls) throw new Error(`not an xva command: ${command}`);
  const parsed = await Parser.parse(argv.slice(2), { flags: { ...outputFlags, ...cls.flags } as never, args: (cls.args ?? {}) as never, strict: true });
  return { command, flags: parsed.flags as Record<string, unknown>, args: parsed.args as Record<string, unknown> };
}

function yamlDocs(file: string): Record<string, any>[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(root, 'kubernetes', file), 'utf8')).map((d) => d.toJS());
}

describe('Kubernetes: Indexed Job of shards, then the merge Job', () => {
  const [job] = yamlDocs('shards-job.yaml');
  const [merge] = yamlDocs('merge-job.yaml');
  const [pvc] = yamlDocs('pvc.yaml');

  it('is an Indexed Job with completions = parallelism = the --shards N of its command', async () => {
    expect(job!.apiVersion).toBe('batch/v1');
    expect(job!.kind).toBe('Job');
    expect(job!.spec.completionMode).toBe('Indexed');
    expect(job!.spec.completions).toBe(job!.spec.parallelism);
    const container = job!.spec.template.spec.containers[0];
    const parsed = await parseXva([...container.command, ...container.args]);
    expect(parsed.command).toBe('simulate');
    expect(Number(parsed.flags.shards)).toBe(job!.spec.completions);
    // every index Kubernetes hands out (0 .. N-1) is a shard K = index + 1 of N
    for (let index = 0; index < job!.spec.completions; index++) {
      expect(resolveShard(parsed.flags as { shards?: string }, { JOB_COMPLETION_INDEX: String(index) })).toEqual({ index: index + 1, count: job!.spec.completions, source: 'JOB_COMPLETION_INDEX' });
    }
    expect(job!.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('shards and merge share one ReadWriteMany volume, and the merge reads the folder the shards write', async () => {
    expect(pvc!.kind).toBe('PersistentVolumeClaim');
    expect(pvc!.spec.accessModes).toContain('ReadWriteMany');
    const shardPod = job!.spec.template.spec;
    const mergePod = merge!.spec.template.spec;
    for (const pod of [shardPod, mergePod]) {
      expect(pod.volumes[0].persistentVolumeClaim.claimName).toBe(pvc!.metadata.name);
      expect(pod.containers[0].volumeMounts[0].name).toBe(pod.volumes[0].name);
    }
    const mount = shardPod.containers[0].volumeMounts[0].mountPath as string;
    const shards = await parseXva([...shardPod.containers[0].command, ...shardPod.containers[0].args]);
    const merged = await parseXva([...mergePod.containers[0].command, ...mergePod.containers[0].args]);
    expect(merged.command).toBe('merge');
    expect(merged.args.dir).toBe(shards.flags.out);
    expect(String(shards.flags.out).startsWith(mount + '/')).toBe(true);
    expect(String(shards.flags.portfolio).startsWith(mount + '/')).toBe(true);
    expect(String(merged.flags.out).startsWith(mergePod.containers[0].volumeMounts[0].mountPath + '/')).toBe(true);
    expect(merge!.kind).toBe('Job');
  });

  it('the capital Indexed Job: N agrees, and the same merge Job reads its shards and the book it read', async () => {
    const [capital] = yamlDocs('capital-shards-job.yaml');
    expect(capital!.spec.completionMode).toBe('Indexed');
    expect(capital!.spec.completions).toBe(capital!.spec.parallelism);
    const container = capital!.spec.template.spec.containers[0];
    const parsed = await parseXva([...container.command, ...container.args]);
    expect(parsed.command).toBe('capital');
    expect(Number(parsed.flags.shards)).toBe(capital!.spec.completions);
    for (let index = 0; index < capital!.spec.completions; index++) {
      expect(resolveShard(parsed.flags as { shards?: string }, { JOB_COMPLETION_INDEX: String(index) })).toEqual({ index: index + 1, count: capital!.spec.completions, source: 'JOB_COMPLETION_INDEX' });
    }
    const mergePod = merge!.spec.template.spec;
    const merged = await parseXva([...mergePod.containers[0].command, ...mergePod.containers[0].args]);
    expect(merged.args.dir).toBe(parsed.flags.out);
    // the merge finds the book where the shards read it: on the volume both mount at the same path
    expect(mergePod.containers[0].volumeMounts[0].mountPath).toBe(container.volumeMounts[0].mountPath);
    expect(String(parsed.flags.portfolio).startsWith(container.volumeMounts[0].mountPath + '/')).toBe(true);
  });
});

describe('AWS: Batch array job of shards and a Step Functions state machine that fans out, then merges', () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, 'aws', file), 'utf8'));
  const shardDef = read('job-definition-shard.json');
  const mergeDef = read('job-definition-merge.json');
  const machine = read('state-machine.json');
  const input = read('execution-input.json');
  /** The container command with each Ref::name replaced by `values[name]` (Batch's parameter substitution). */
  const substituted = (def: any, values: Record<string, string>): string[] =>
    def.containerProperties.command.map((word: string) => (word.startsWith('Ref::') ? values[word.slice(5)] ?? `<unset ${word}>` : word));

  it('job definitions run valid xva commands with their default parameters, on one shared EFS volume', async () => {
    for (const def of [shardDef, mergeDef]) {
      expect(def.type).toBe('container');
      const volume = def.containerProperties.volumes[0];
      expect(def.containerProperties.mountPoints[0].sourceVolume).toBe(volume.name);
      expect(volume.efsVolumeConfiguration.fileSystemId).toBeTypeOf('string');
    }
    const shard = await parseXva(substituted(shardDef, shardDef.parameters));
    expect(shard.command).toBe('simulate');
    const n = Number(shard.flags.shards);
    for (let index = 0; index < n; index++) {
      expect(resolveShard(shard.flags as { shards?: string }, { AWS_BATCH_JOB_ARRAY_INDEX: String(index) })!.index).toBe(index + 1);
    }
    const merge = await parseXva(substituted(mergeDef, mergeDef.parameters));
    expect(merge.command).toBe('merge');
    expect(merge.args.dir).toBe(shard.flags.out);
  });

  it('the state machine submits the array job (size = --shards N) and then the merge, with the same folders', async () => {
    const shards = machine.States[machine.StartAt];
    expect(shards.Type).toBe('Task');
    expect(shards.Resource).toBe('arn:aws:states:::batch:submitJob.sync');
    expect(shards.Parameters.JobDefinition).toBe(shardDef.jobDefinitionName);
    const merge = machine.States[shards.Next];
    expect(merge.Resource).toBe('arn:aws:states:::batch:submitJob.sync');
    expect(merge.Parameters.JobDefinition).toBe(mergeDef.jobDefinitionName);
    expect(merge.End).toBe(true);
    expect(machine.States[shards.Catch[0].Next].Type).toBe('Fail');
    // resolve the JSONPath parameters against the example execution input, then parse the commands Batch would run
    const resolve = (params: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(params).map(([k, v]) => (k.endsWith('.$') ? [k.slice(0, -2), String(input[v.replace(/^\$\./, '')])] : [k, v])));
    const arraySize = input[shards.Parameters.ArrayProperties['Size.$'].replace(/^\$\./, '')];
    const shardCommand = await parseXva(substituted(shardDef, { ...shardDef.parameters, ...resolve(shards.Parameters.Parameters) }));
    expect(Number(shardCommand.flags.shards)).toBe(arraySize);
    const mergeCommand = await parseXva(substituted(mergeDef, { ...mergeDef.parameters, ...resolve(merge.Parameters.Parameters) }));
    expect(mergeCommand.args.dir).toBe(shardCommand.flags.out);
  });

  it('a command with an unknown flag is refused by the same check (the check is not vacuous)', async () => {
    await expect(parseXva(['xva', 'simulate', '--shardz', '4'])).rejects.toThrow(/shardz|Nonexistent|Unexpected/i);
    await expect(parseXva(['xva', 'merge', '--out', '/x'])).rejects.toThrow(/dir|Missing/i);
  });
});

describe('the Docker image the jobs run', () => {
  it('puts xva on the PATH without running the build again after the dev tools are pruned (npm link did: tsc not found)', () => {
    const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const workdir = /^WORKDIR (\S+)$/m.exec(text)![1]!;
    const run = text.split('\n').filter((l) => l.startsWith('RUN ')).join(' && ');
    const steps = run.replace(/^RUN /, '').split(/\s*&&\s*/);
    const prune = steps.findIndex((s) => s.startsWith('npm prune'));
    expect(steps[0]).toBe('npm ci');
    expect(prune).toBeGreaterThan(0);
    // nothing after the prune runs package scripts (npm link, npm install, npm run build would run prepare: tsc)
    expect(steps.slice(prune + 1).some((s) => /^npm (link|install|i|ci|run|rebuild)\b/.test(s))).toBe(false);
    // the link points at the entry point the package declares as its bin, executable in the repository
    const pkg = JSON.parse(fs.readFileSync(path.join(root, '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(steps).toContain(`ln -s ${workdir}/${pkg.bin.xva!.replace(/^\.\//, '')} /usr/local/bin/xva`);
    expect(fs.statSync(path.join(root, '..', pkg.bin.xva!)).mode & 0o111).not.toBe(0);
  });
});
