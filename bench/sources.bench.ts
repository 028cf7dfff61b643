// Text source readers benchmark: a large NDJSON file in the OTRF flat shape and a large Defender
// DeviceProcessEvents CSV, generated in a temporary folder, each read by its source reader
// (readJsonSource, readCsvSource) in a fresh child process that counts records. Prints
// events/s, MB/s and the child's peak RSS per format and size; memory must not grow with size.
//
//   npm run bench:sources [-- --size-mb N[,N…]] [-- --formats ndjson,csv] [-- --dir DIR] [-- --keep]
//
// Defaults: 200 MB of each format. `--size-mb 200,1000` runs both sizes, to see that peak RSS
// stays flat. The NDJSON lines are the OTRF CMSTP dataset's (../shared/data/otrf) repeated, or
// built-in OTRF-shaped lines when that folder is absent (said on stderr). The temporary files are
// deleted at the end, also on Ctrl-C, unless --keep.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCsvSource } from '../src/sources/csv.js';
import { MDE_COLUMNS } from '../src/sources/mde-columns.js';
import { openInput } from '../src/sources/input.js';
import type { Input } from '../src/sources/input.js';
import type { SourceItem } from '../src/sources/types.js';
import { projectRoot } from './support/corpus.js';
import { MB, renderTable, sig, thousands } from './support/stats.js';

type Format = 'ndjson' | 'csv';

interface Args {
  sizesMb: number[];
  formats: Format[];
  dir: string | null;
  keep: boolean;
}

/** What a worker prints (one JSON line on stdout). */
interface WorkerResult {
  format: Format;
  bytes: number;
  records: number;
  rejected: number;
  diagnostics: number;
  seconds: number;
  /** Peak RSS of the worker process, KiB (process.resourceUsage().maxRSS). */
  maxRssKiB: number;
  /** RSS (KiB) when 25, 50, 75 and 100 % of the records were read. */
  rssAtKiB: number[];
  heapUsedMaxMiB: number;
}

const SELF = fileURLToPath(import.meta.url);

function progress(text: string): void {
  process.stderr.write(`[bench:sources] ${text}\n`);
}

function usage(): never {
  process.stderr.write('usage: node dist/bench/sources.bench.js [--size-mb N[,N…]] [--formats ndjson,csv] [--dir DIR] [--keep]\n');
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { sizesMb: [200], formats: ['ndjson', 'csv'], dir: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = argv[i + 1];
    if (a === '--size-mb' && value !== undefined) {
      args.sizesMb = value.split(',').map(Number);
      i++;
    } else if (a === '--formats' && value !== undefined) {
      args.formats = value.split(',') as Format[];
      i++;
    } else if (a === '--dir' && value !== undefined) {
      args.dir = path.resolve(value);
      i++;
    } else if (a === '--keep') args.keep = true;
    else usage();
  }
  if (args.sizesMb.some((n) => !Number.isFinite(n) || n <= 0)) usage();
  if (args.formats.some((f) => f !== 'ndjson' && f !== 'csv')) usage();
  return args;
}

// ---------------------------------------------------------------------------------------------
// Generating the inputs: written in ~8 MB batches, never held whole.

const BATCH = 8 * 1024 * 1024;

/** Writes lines from `next` until the file reaches `bytes`; returns the number of records. */
function writeUntil(file: string, bytes: number, header: string | null, next: (i: number) => string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  let records = 0;
  let batch: string[] = [];
  let batchSize = 0;
  const flush = (): void => {
    const buf = Buffer.from(batch.join(''), 'utf8');
    writeSync(fd, buf);
    written += buf.length;
    batch = [];
    batchSize = 0;
  };
  try {
    if (header !== null) {
      batch.push(header);
      batchSize += header.length;
    }
    while (written + batchSize < bytes) {
      const line = next(records++);
      batch.push(line);
      batchSize += line.length;
      if (batchSize >= BATCH) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return records;
}

function otrfLines(): string[] {
  const dir = path.resolve(projectRoot(), '..', 'shared', 'data', 'otrf');
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
  if (file !== undefined) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
    progress(`NDJSON: repeating the ${lines.length} lines of ${path.join(dir, file)}`);
    return lines;
  }
  progress(`NDJSON: ${dir} is absent; using built-in OTRF-shaped lines`);
  const base = {
    '@timestamp': '2020-10-22T01:54:32.741Z',
    TimeCreated: '2020-10-22T01:54:32.741Z',
    Hostname: 'WORKSTATION5',
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    SourceName: 'Microsoft-Windows-Sysmon',
    ProviderGuid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
    Level: '4',
    Task: '1',
    Keywords: '0x8000000000000000',
  };
  return [
    JSON.stringify({
      ...base,
      EventID: 1,
      Image: 'C:\\Windows\\System32\\cmstp.exe',
      CommandLine: '"C:\\Windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au',
      ParentImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ProcessId: '7244',
      IntegrityLevel: 'Medium',
      User: 'WORKSTATION5\\wardog',
      Message: 'Process Create:\r\nRuleName: -\r\nImage: C:\\Windows\\System32\\cmstp.exe',
    }),
    JSON.stringify({ ...base, EventID: 10, SourceImage: 'C:\\windows\\system32\\DllHost.exe', TargetImage: 'c:\\windows\\system32\\cmd.exe', GrantedAccess: '0x1fffff', CallTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9c584|C:\\Windows\\System32\\cmlua.dll+6b9d' }),
    JSON.stringify({ ...base, EventID: 13, EventType: 'SetValue', Image: 'C:\\Windows\\system32\\DllHost.exe', TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\cmmgr32.exe\\ProfileInstallPath', Details: 'C:\\ProgramData\\Microsoft\\Network\\Connections\\Cm' }),
    JSON.stringify({ ...base, Channel: 'Security', SourceName: 'Microsoft-Windows-Security-Auditing', EventID: 4688, NewProcessName: 'C:\\Windows\\System32\\cmstp.exe', CommandLine: 'cmstp.exe /s x.inf /au', ProcessId: '0x2a0c', MandatoryLabel: 'S-1-16-8192' }),
  ];
}

function generateNdjson(file: string, bytes: number): number {
  const lines = otrfLines().map((l) => `${l}\n`);
  return writeUntil(file, bytes, null, (i) => lines[i % lines.length]!);
}

const csvCell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** DeviceProcessEvents rows: the CMSTP attack, a legitimate install and ordinary processes. */
function generateCsv(file: string, bytes: number): number {
  const columns = MDE_COLUMNS.DeviceProcessEvents;
  const common: Record<string, string> = {
    DeviceId: '7b3c0a1e5d9f42c68e1a0b2c3d4e5f60718293a4',
    DeviceName: 'ws-0142.contoso.local',
    ActionType: 'ProcessCreated',
    SHA1: 'ba135738ef1fb2f4c2c6c610be2c4e855a526668',
    MD5: '4833e6c0ad7e2ab5c8b6d1f6c6a0f1b2',
    FileSize: '94208',
    ProcessVersionInfoCompanyName: 'Microsoft Corporation',
    ProcessVersionInfoProductName: 'Microsoft® Windows® Operating System',
    ProcessVersionInfoProductVersion: '10.0.19041.1',
    ProcessIntegrityLevel: 'Medium',
    ProcessTokenElevation: 'TokenElevationTypeLimited',
    AccountDomain: 'contoso',
    AccountName: 'jdoe',
    AccountSid: 'S-1-5-21-1004336348-1177238915-682003330-1109',
    AccountUpn: 'jdoe@contoso.com',
    InitiatingProcessAccountDomain: 'contoso',
    InitiatingProcessAccountName: 'jdoe',
    InitiatingProcessAccountSid: 'S-1-5-21-1004336348-1177238915-682003330-1109',
    InitiatingProcessIntegrityLevel: 'Medium',
    InitiatingProcessTokenElevation: 'TokenElevationTypeLimited',
    InitiatingProcessSHA1: '6cbce4a295c163791b60fc23d285e6d84f28ee4c',
    InitiatingProcessVersionInfoCompanyName: 'Microsoft Corporation',
    InitiatingProcessVersionInfoProductName: 'Microsoft® Windows® Operating System',
    InitiatingProcessParentFileName: 'explorer.exe',
    InitiatingProcessSignerType: 'OsVendor',
    InitiatingProcessSignatureStatus: 'Valid',
    InitiatingProcessSessionId: '1',
    IsInitiatingProcessRemoteSession: 'false',
    CreatedProcessSessionId: '1',
    IsProcessRemoteSession: 'false',
  };
  const kinds: Array<Record<string, string>> = [
    {
      FileName: 'cmstp.exe',
      FolderPath: 'C:\\Windows\\System32\\cmstp.exe',
      ProcessVersionInfoOriginalFileName: 'CMSTP.EXE',
      ProcessVersionInfoFileDescription: 'Microsoft Connection Manager Profile Installer',
      ProcessCommandLine: 'cmstp.exe  /s /ns C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf /au',
      InitiatingProcessFileName: 'powershell.exe',
      InitiatingProcessFolderPath: 'c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe',
      InitiatingProcessCommandLine: `"powershell.exe" -nop -w hidden -c "Start-Process cmstp.exe -ArgumentList '/s','/ns','C:\\Users\\jdoe\\AppData\\Local\\Temp\\x.inf','/au'"`,
    },
    {
      FileName: 'cmstp.exe',
      FolderPath: 'C:\\Windows\\System32\\cmstp.exe',
      ProcessVersionInfoOriginalFileName: 'CMSTP.EXE',
      ProcessCommandLine: '"C:\\Windows\\System32\\cmstp.exe" /s /au "C:\\Program Files\\Contoso\\CorpVPN\\CorpVPN.inf"',
      InitiatingProcessFileName: 'CorpVPN.exe',
      InitiatingProcessFolderPath: 'c:\\windows\\ccmcache\\1a\\corpvpn.exe',
      InitiatingProcessCommandLine: '"C:\\Windows\\ccmcache\\1a\\CorpVPN.exe" /q:a /c:"cmstp.exe CorpVPN.inf /s /au"',
    },
    {
      FileName: 'svchost.exe',
      FolderPath: 'C:\\Windows\\System32\\svchost.exe',
      ProcessVersionInfoOriginalFileName: 'svchost.exe',
      ProcessCommandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
      InitiatingProcessFileName: 'services.exe',
      InitiatingProcessFolderPath: 'c:\\windows\\system32\\services.exe',
      InitiatingProcessCommandLine: 'services.exe',
    },
    {
      FileName: 'chrome.exe',
      FolderPath: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
      ProcessVersionInfoOriginalFileName: 'chrome.exe',
      ProcessCommandLine:
        '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --display-capture-permissions-policy-allowed --lang=en-US --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=7 --time-ticks-at-unix-epoch=-1715670000000000 --launch-time-ticks=123456789 --mojo-platform-channel-handle=3456 --field-trial-handle=1880,i,123,456,262144 /prefetch:1',
      InitiatingProcessFileName: 'chrome.exe',
      InitiatingProcessFolderPath: 'c:\\program files\\google\\chrome\\application\\chrome.exe',
      InitiatingProcessCommandLine: '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"',
    },
  ];
  // Per kind, the escaped cells once; per row only the (never quoted) varying cells change.
  const templates = kinds.map((kind) => columns.map((c) => csvCell({ ...common, ...kind }[c] ?? '')));
  const at = (name: string): number => columns.indexOf(name);
  const [ts, created, pid, ppid, gpid, logon, report] = ['Timestamp', 'ProcessCreationTime', 'ProcessId', 'InitiatingProcessId', 'InitiatingProcessParentId', 'LogonId', 'ReportId'].map(at) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const start = Date.parse('2024-05-14T00:00:00Z');
  return writeUntil(file, bytes, `${columns.join(',')}\r\n`, (i) => {
    const cells = templates[i % templates.length]!.slice();
    const t = new Date(start + i * 37).toISOString().replace('Z', '1234Z');
    cells[ts] = t;
    cells[created] = t;
    cells[pid] = String(1000 + (i % 60000));
    cells[ppid] = String(900 + ((i * 7) % 60000));
    cells[gpid] = String(4312 + (i % 97));
    cells[logon] = String(4459123 + (i % 13));
    cells[report] = String(10000 + i);
    return `${cells.join(',')}\r\n`;
  });
}

// ---------------------------------------------------------------------------------------------
// The worker: reads one file with its reader and reports.

type Reader = (input: Input) => AsyncIterable<SourceItem>;

async function jsonReader(): Promise<Reader | null> {
  const url = new URL('../src/sources/json.js', import.meta.url);
  if (!existsSync(url)) return null;
  const mod = (await import(url.href)) as { readJsonSource?: Reader };
  return typeof mod.readJsonSource === 'function' ? mod.readJsonSource : null;
}

async function worker(format: Format, file: string, expected: number): Promise<void> {
  const reader: Reader | null = format === 'csv' ? readCsvSource : await jsonReader();
  if (reader === null) {
    process.stdout.write('null\n');
    return;
  }
  const marks = [0.25, 0.5, 0.75].map((f) => Math.max(1, Math.floor(f * expected)));
  const rssAt: number[] = [];
  let heapMax = 0;
  let records = 0;
  let rejected = 0;
  let diagnostics = 0;
  const t0 = process.hrtime.bigint();
  for await (const item of reader(await openInput(file))) {
    if (item.ok) {
      records++;
      if (records === marks[rssAt.length]) {
        const m = process.memoryUsage();
        rssAt.push(Math.round(m.rss / 1024));
        heapMax = Math.max(heapMax, m.heapUsed);
      }
    } else {
      diagnostics++;
      if (item.diagnostic.rejected) rejected++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = process.memoryUsage();
  rssAt.push(Math.round(m.rss / 1024));
  heapMax = Math.max(heapMax, m.heapUsed);
  const result: WorkerResult = {
    format,
    bytes: statSync(file).size,
    records,
    rejected,
    diagnostics,
    seconds,
    maxRssKiB: process.resourceUsage().maxRSS,
    rssAtKiB: rssAt,
    heapUsedMaxMiB: heapMax / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The driver

function runWorker(format: Format, file: string, expected: number): WorkerResult | null | string {
  const r = spawnSync(process.execPath, [SELF, '--worker', format, file, String(expected)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (r.status !== 0) return `worker exited with ${r.status ?? r.signal}`;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as WorkerResult | null;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    await worker(argv[1] as Format, argv[2]!, Number(argv[3]));
    return;
  }
  const args = parseArgs(argv);
  const dir = mkdtempSync(path.join(args.dir ?? tmpdir(), 'cmstp-hunt-bench-sources-'));
  const cleanup = (): void => {
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    for (const sizeMb of args.sizesMb) {
      for (const format of args.formats) {
        const file = path.join(dir, `${format}-${sizeMb}mb.${format === 'csv' ? 'csv' : 'ndjson'}`);
        progress(`generating ${sizeMb} MB of ${format} in ${dir}`);
        const t = Date.now();
        const expected = format === 'csv' ? generateCsv(file, sizeMb * MB) : generateNdjson(file, sizeMb * MB);
        progress(`  ${thousands(expected)} records, ${sig(statSync(file).size / MB)} MB in ${sig((Date.now() - t) / 1000)} s; reading`);
        const r = runWorker(format, file, expected);
        if (r === null) {
          notes.push(`${format}: skipped, src/sources/json.ts (readJsonSource) is not built yet`);
        } else if (typeof r === 'string') {
          notes.push(`${format} ${sizeMb} MB: ${r}`);
        } else {
          if (r.records !== expected) notes.push(`${format} ${sizeMb} MB: read ${r.records} records, wrote ${expected}`);
          rows.push([
            format === 'csv' ? 'csv (Defender DeviceProcessEvents)' : 'ndjson (OTRF flat)',
            sig(r.bytes / MB),
            thousands(r.records),
            String(r.rejected),
            sig(r.seconds),
            thousands(r.records / r.seconds),
            sig(r.bytes / MB / r.seconds),
            sig(r.maxRssKiB / 1024),
            r.rssAtKiB.map((k) => (k / 1024).toFixed(0)).join(' / '),
            sig(r.heapUsedMaxMiB),
          ]);
        }
        if (!args.keep) rmSync(file, { force: true });
      }
    }
  } finally {
    cleanup();
  }
  process.stdout.write(
    `\n${renderTable(
      ['format', 'MB', 'records', 'rejected', 's', 'events/s', 'MB/s', 'peak RSS MiB', 'RSS at 25/50/75/100 % (MiB)', 'heap max MiB'],
      rows,
      new Set([1, 2, 3, 4, 5, 6, 7, 9]),
    )}\n`,
  );
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`node ${process.version}; MB = 10^6 bytes; each row is one fresh process (peak RSS = process.resourceUsage().maxRSS)\n`);
}

if (pathToFileURL(process.argv[1] ?? '').href === import.meta.url) await main();
