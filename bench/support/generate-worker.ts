// A worker_threads worker of the set generator: writes the files it is sent, one at a time.

import { parentPort } from 'node:worker_threads';
import { writeGeneratedFile } from './generate.js';
import type { FilePlan } from './generate.js';

const port = parentPort;
if (port === null) throw new Error('generate-worker: not started as a worker thread');
port.on('message', (plan: FilePlan) => {
  try {
    port.postMessage({ ok: true, result: writeGeneratedFile(plan) });
  } catch (e) {
    port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
