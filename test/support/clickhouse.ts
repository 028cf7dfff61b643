// One throwaway ClickHouse server per test file: started on first use, stopped by the file's
// `after` hook. Missing clickhouse-server skips the test, or fails it under CI.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { findClickHouse, startLocalClickHouse, type LocalClickHouse } from '../../src/hunt/local-clickhouse.js';

let server: LocalClickHouse | null = null;

/** The server, started once; null (test skipped) when ClickHouse is not installed and CI is unset. */
export async function clickhouse(t: TestContext): Promise<LocalClickHouse | null> {
  if (server !== null) return server;
  if (findClickHouse() === null) {
    const message = 'clickhouse-server not installed (Debian: apt-get install clickhouse-server; .ci/run installs it)';
    if (process.env.CI) assert.fail(`${message}; CI must have it`);
    t.skip(message);
    t.diagnostic(`SKIPPED: ${message}`);
    return null;
  }
  server = await startLocalClickHouse();
  return server;
}

export async function stopClickHouse(): Promise<void> {
  await server?.stop();
  server = null;
}
