/**
 * Bump-level parallelism of the SA-CVA bump and revalue (sacvaSensitivities.ts): the engine runs of the bumps are
 * independent, so `threads` worker threads (bumpWorker.ts) each load the inputs once and take whole bumped runs from a
 * queue, each run in-process. Starting a worker pool inside every engine run would pay its start-up (loading the
 * market, calibrating the model) once per bump; here it is paid once per worker. Results are placed by bump index, so
 * neither the thread count nor the finishing order changes a bit.
 */
import { Worker } from 'node:worker_threads';
import { XvaInputError, XvaInternalError, XvaUsageError, type InputIssue } from '../errors.js';
import type { SimulationOptions } from '../exposure/engine.js';
import { compiledWorkerScript } from '../exposure/pool.js';
import type { MarketBump } from '../market/bumps.js';
import type { XvaOptions } from '../xva/compute.js';

export interface BumpWorkerInit {
  portfolioDir: string;
  marketFile: string;
  /** The netting sets to simulate (a shard's); null: the whole book. */
  nettingSetIds: string[] | null;
  /** Counterparties whose credit the CVA needs (those of the base run's sets). */
  counterpartyIds: string[];
  simulation: Omit<SimulationOptions, 'threads'>;
  xva: XvaOptions;
}

export interface BumpTask {
  index: number;
  bump: MarketBump;
}

export type BumpWorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; index: number; nettingSetIds: string[]; cva: Float64Array }
  | { type: 'error'; name: string; message: string; issues?: InputIssue[]; stack?: string };

function errorOf(message: Extract<BumpWorkerMessage, { type: 'error' }>): Error {
  if (message.issues) return new XvaInputError(message.issues);
  if (message.name === 'XvaUsageError') return new XvaUsageError(message.message);
  const error = new XvaInternalError(`SA-CVA worker thread: ${message.message}`);
  if (message.stack) error.stack = message.stack;
  return error;
}

/**
 * Runs every bump on `threads` workers; `onDone(index)` as each finishes. Returns each bump's per-set CVA in bump order,
 * after checking that every run valued `expectedIds` in that order.
 */
export async function runBumpsInWorkers(init: BumpWorkerInit, bumps: readonly MarketBump[], threads: number, expectedIds: readonly string[], onDone?: (index: number) => void): Promise<Float64Array[]> {
  const results: (Float64Array | undefined)[] = new Array(bumps.length);
  if (bumps.length === 0) return [];
  const script = compiledWorkerScript(import.meta.url, 'bumpWorker.js', 'src/capital');
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let closing = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        closing = true;
        reject(error);
      };
      const give = (worker: Worker) => {
        if (next < bumps.length) {
          const task: BumpTask = { index: next, bump: bumps[next]! };
          next++;
          worker.postMessage(task);
        }
      };
      for (let w = 0; w < Math.min(threads, bumps.length); w++) {
        const worker = new Worker(script, { workerData: init });
        workers.push(worker);
        worker.on('message', (message: BumpWorkerMessage) => {
          if (closing) return;
          if (message.type === 'error') return fail(errorOf(message));
          if (message.type === 'ready') return give(worker);
          if (message.nettingSetIds.length !== expectedIds.length || message.nettingSetIds.some((id, i) => id !== expectedIds[i])) {
            return fail(new XvaInternalError('SA-CVA worker thread: a bumped run valued other netting sets than the base run'));
          }
          results[message.index] = message.cva;
          onDone?.(message.index);
          if (++done === bumps.length) {
            closing = true;
            resolve();
            return;
          }
          give(worker);
        });
        worker.on('error', (error) => {
          if (!closing) fail(error);
        });
        worker.on('exit', (code) => {
          if (code !== 0 && !closing) fail(new XvaInternalError(`an SA-CVA worker thread stopped with exit code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results as Float64Array[];
}
