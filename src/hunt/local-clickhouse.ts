// A throwaway ClickHouse server for tests, benchmarks and demos: the installed `clickhouse-server`
// (Debian's package) started as a child process with its own config and data folder in a temp
// directory, listening on loopback HTTP only, on a free port; stopped and removed afterwards.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LocalClickHouse {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse'];

/** The server binary, or null when ClickHouse is not installed. */
export function findClickHouse(): { bin: string; args: string[] } | null {
  for (const bin of CANDIDATES) {
    if (!existsSync(bin)) continue;
    // The single `clickhouse` binary takes the tool name as its first argument.
    return path.basename(bin) === 'clickhouse' ? { bin, args: ['server'] } : { bin, args: [] };
  }
  const which = spawnSync('sh', ['-c', 'command -v clickhouse-server'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found !== '' ? { bin: found, args: [] } : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog></logger>
  <http_port>${port}</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`;

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/ping', url));
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts a server; rejects (after cleaning up) when it does not answer within `waitMs`. */
export async function startLocalClickHouse(options: { waitMs?: number } = {}): Promise<LocalClickHouse> {
  const found = findClickHouse();
  if (found === null) throw new Error('clickhouse-server is not installed (Debian: apt-get install clickhouse-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'cmstp-hunt-ch-'));
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  writeFileSync(path.join(dir, 'config.xml'), config(dir, port));
  writeFileSync(path.join(dir, 'users.xml'), USERS);
  let stderr = '';
  const child: ChildProcess = spawn(found.bin, [...found.args, `--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 8192) stderr += b.toString('utf8');
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (!exited) {
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited) break;
    if (await ping(url)) return { url, port, dir, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`clickhouse-server did not start on port ${port}${stderr === '' ? '' : `: ${stderr.trim().slice(0, 1000)}`}`);
}
