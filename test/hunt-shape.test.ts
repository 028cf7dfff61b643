// Command-line shapes, INF location classes and the other derived columns: the same behaviour
// on different machines and users must give one shape, different behaviour different shapes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseName, comClsid, commandLineShape, directoryClass, infArgument, infLocationClass, isRandomToken, MAX_SHAPE_INPUT, pathShape, splitArgs } from '../src/hunt/shape.js';

test('user profiles, random names and GUIDs generalise; switches and profile names stay', () => {
  const a = commandLineShape('cmstp.exe /au C:\\Users\\mallory\\AppData\\Local\\Temp\\tmp7f3a9c.ini');
  const b = commandLineShape('cmstp.exe  /au c:\\users\\Bob\\AppData\\Local\\Temp\\TMP1B2C3D.ini');
  assert.equal(a, 'cmstp.exe /au %userprofile%\\appdata\\local\\temp\\<rand>.ini');
  assert.equal(a, b);
  assert.equal(commandLineShape('cmstp.exe ContosoVPN.inf /s /su'), 'cmstp.exe contosovpn.inf /s /su');
  assert.notEqual(commandLineShape('cmstp.exe ContosoVPN.inf /s'), commandLineShape('cmstp.exe ContosoVPN.inf /s /au'));
  assert.notEqual(commandLineShape('cmstp.exe ContosoVPN.inf'), commandLineShape('cmstp.exe FabrikamRAS.inf'));
  assert.equal(commandLineShape('x.exe {39E4A257-1E8F-5F91-CA12-000000000700}'), 'x.exe {guid}');
  assert.equal(commandLineShape(null), null);
});

test('well-known COM classes keep their names; URLs keep only their scheme', () => {
  assert.equal(commandLineShape('C:\\Windows\\system32\\DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}'), 'c:\\windows\\system32\\dllhost.exe /processid:{CMSTPLUA}');
  assert.equal(commandLineShape('cmstp.exe /ni /s https://cdn.example.net/x/p.inf'), 'cmstp.exe /ni /s https://<url>');
  assert.equal(commandLineShape('cmstp.exe /s HTTP://Other.example/q.inf'), 'cmstp.exe /s http://<url>');
});

test('random tokens: hex, numbers, mixed names with three digits or more; not system32 or Office16', () => {
  for (const t of ['tmp7f3a9c', 'IXP000', '1a', '12', 'deadbeef', 'a1b2c3d4']) assert.equal(isRandomToken(t), true, t);
  for (const t of ['system32', 'SysWOW64', 'Office16', 'python27', 'ContosoVPN', 'cmstp', 'temp', 'ab', '']) assert.equal(isRandomToken(t), false, t);
  assert.equal(pathShape('C:\\Windows\\ccmcache\\1a\\ContosoVPN.exe'), 'c:\\windows\\ccmcache\\<rand>\\contosovpn.exe');
  assert.equal(pathShape('C:\\Users\\alice\\AppData\\Local\\Temp\\IXP042.TMP\\'), '%userprofile%\\appdata\\local\\temp\\<rand>.tmp\\');
  assert.equal(pathShape(''), null);
});

test('shapes of very long command lines are capped and marked', () => {
  const s = commandLineShape(`cmstp.exe /s ${'A'.repeat(MAX_SHAPE_INPUT * 2)}`)!;
  assert.ok(s.length <= MAX_SHAPE_INPUT + 10);
  assert.ok(s.endsWith(' <cut>'));
});

test('arguments and the INF argument of cmstp.exe', () => {
  assert.deepEqual(splitArgs('"C:\\windows\\system32\\cmstp.exe" /s "C:\\Program Files\\x.inf" /au'), ['C:\\windows\\system32\\cmstp.exe', '/s', 'C:\\Program Files\\x.inf', '/au']);
  assert.equal(infArgument('"C:\\windows\\system32\\cmstp.exe" /s C:\\ProgramData\\T1218.003_uacbypass.inf /au'), 'C:\\ProgramData\\T1218.003_uacbypass.inf');
  assert.equal(infArgument('cmstp.exe /s /au'), null);
  assert.equal(infArgument(null), null);
});

test('INF location classes', () => {
  assert.equal(infLocationClass('cmstp.exe /au c:\\users\\ieuser\\appdata\\local\\temp\\tmp.ini', null), 'temp');
  assert.equal(infLocationClass('cmstp.exe /s C:\\ProgramData\\a.inf /au', null), 'programdata');
  assert.equal(infLocationClass('cmstp.exe /ni /s https://cdn.example.net/p.inf', null), 'remote-url');
  assert.equal(infLocationClass('cmstp.exe /s \\\\fileserver\\share\\p.inf', null), 'unc-share');
  assert.equal(infLocationClass('cmstp.exe /s C:\\Windows\\Tasks\\p.inf', null), 'windows-writable');
  assert.equal(infLocationClass('cmstp.exe /s C:\\PerfLogs\\p.inf', null), 'perflogs');
  assert.equal(infLocationClass('cmstp.exe /s D:\\p.inf', null), 'other-drive');
  // A CMAK self-extractor runs cmstp.exe with a bare INF name in its extraction folder.
  assert.equal(infLocationClass('cmstp.exe ContosoVPN.inf /s', 'C:\\Users\\bob\\AppData\\Local\\Temp\\IXP000.TMP\\'), 'relative:temp');
  assert.equal(infLocationClass('cmstp.exe ContosoVPN.inf /s /au', 'C:\\Windows\\ccmcache\\1a\\'), 'relative:sccm-cache');
  assert.equal(infLocationClass('cmstp.exe ContosoVPN.inf', null), 'relative:unknown');
  assert.equal(infLocationClass('cmstp.exe /s', null), 'none');
  assert.equal(directoryClass('C:\\Program Files (x86)\\Vendor\\'), 'program-files');
  assert.equal(directoryClass('C:\\Users\\bob\\Downloads\\'), 'user-downloads');
});

test('base names and DllHost COM classes', () => {
  assert.equal(baseName('C:\\Windows\\System32\\CMSTP.EXE'), 'cmstp.exe');
  assert.equal(baseName('cmstp.exe'), 'cmstp.exe');
  assert.equal(baseName(null), null);
  assert.equal(comClsid('C:\\Windows\\system32\\DllHost.exe /Processid:{3e5fc7f9-9a51-4367-9063-a120244fbec7}'), '3E5FC7F9-9A51-4367-9063-A120244FBEC7');
  assert.equal(comClsid('C:\\Windows\\system32\\DllHost.exe'), null);
});
