// Process lineage: trees from Sysmon guids, Security 4688 pids joined with time (PID reuse),
// Defender InitiatingProcess* columns, ECS entity ids; Sysmon+4688 merges; caps; and the OTRF
// CMSTP sample, whose Sysmon and Security events describe the same processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { normalize, TableSet } from '../src/events/normalize.js';
import { DEFAULT_TABLES } from '../src/events/tables/index.js';
import type { Event } from '../src/events/model.js';
import { ProcessTree, baseName, type ProcessNode } from '../src/lineage/index.js';
import { readSource } from '../src/sources/index.js';
import { requireSharedData } from './support/shared-data.js';
import { ecsProcess, mdeProcess, sec4688, sec4689, sysmon1, sysmon5 } from './fixtures/incidents/synthetic.js';

const names = (nodes: readonly ProcessNode[]): Array<string | null> => nodes.map((n) => baseName(n.image));

function only(tree: ProcessTree, pred: (n: ProcessNode) => boolean): ProcessNode {
  const found = [...tree.all()].filter(pred);
  assert.equal(found.length, 1, `expected one node, found ${found.length}`);
  return found[0]!;
}

test('Sysmon: guids link parent, child and grandchild; ancestors and descendants follow them', () => {
  const t = new ProcessTree();
  t.observe(sysmon1(0, { pid: 10, guid: '{A-1}', image: 'C:\\Windows\\explorer.exe' }));
  t.observe(sysmon1(1, { pid: 20, guid: '{A-2}', image: 'C:\\Windows\\System32\\cmd.exe', ppid: 10, pguid: '{A-1}', parentImage: 'C:\\Windows\\explorer.exe' }));
  t.observe(sysmon1(2, { pid: 30, guid: '{a-3}', image: 'C:\\Windows\\System32\\whoami.exe', ppid: 20, pguid: '{a-2}', parentImage: 'C:\\Windows\\System32\\cmd.exe' }));
  const whoami = only(t, (n) => n.pid === 30);
  assert.deepEqual(names(t.ancestors(whoami)), ['cmd.exe', 'explorer.exe']);
  const explorer = only(t, (n) => n.pid === 10);
  assert.deepEqual(names(t.descendants(explorer)), ['cmd.exe', 'whoami.exe']);
  assert.equal(t.stats.nodes, 3);
  assert.equal(t.stats.inferred, 0);
});

test('Sysmon: a parent known only from the child fields becomes an inferred node, confirmed when its creation arrives', () => {
  const t = new ProcessTree();
  t.observe(sysmon1(5, { pid: 544, guid: '{C-2}', image: 'C:\\Windows\\System32\\cmd.exe', ppid: 3044, pguid: '{C-1}', parentImage: 'C:\\Windows\\System32\\dllhost.exe', parentCommandLine: 'DllHost.exe /Processid:{X}', integrity: 'High' }));
  const host = only(t, (n) => n.pid === 3044);
  assert.equal(host.inferred, true);
  assert.equal(host.commandLine, 'DllHost.exe /Processid:{X}');
  t.observe(sysmon1(1, { pid: 3044, guid: '{C-1}', image: 'C:\\Windows\\System32\\dllhost.exe' }));
  assert.equal(t.stats.nodes, 2);
  assert.equal(t.stats.confirmed, 1);
  const cmd = only(t, (n) => n.pid === 544);
  assert.equal(t.parent(cmd)?.inferred, false);
});

test('4688: a reused PID joins the process that held it when the child started', () => {
  const t = new ProcessTree();
  const A = 'C:\\Tools\\a.exe';
  const B = 'C:\\Tools\\b.exe';
  t.observe(sec4688(0, { pid: 0x100, image: A, ppid: 4 }));
  t.observe(sec4688(10, { pid: 0x200, image: 'C:\\Windows\\System32\\child1.exe', ppid: 0x100 }));
  t.observe(sec4689(20, 'WS1', 0x100, A));
  // Between A's end and B's start the pid is free: no real parent may be chosen.
  t.observe(sec4688(25, { pid: 0x300, image: 'C:\\Windows\\System32\\child2.exe', ppid: 0x100 }));
  t.observe(sec4688(30, { pid: 0x100, image: B, ppid: 4 }));
  t.observe(sec4688(40, { pid: 0x400, image: 'C:\\Windows\\System32\\child3.exe', ppid: 0x100 }));
  const parentOf = (pid: number): ProcessNode | null => t.parent(only(t, (n) => n.pid === pid && !n.inferred));
  assert.equal(baseName(parentOf(0x200)?.image ?? null), 'a.exe');
  assert.equal(parentOf(0x300)?.inferred, true, 'child2 must not join the terminated a.exe nor the later b.exe');
  assert.equal(baseName(parentOf(0x400)?.image ?? null), 'b.exe');
  assert.equal(t.stats.terminations, 1);
});

test('4688: without terminations the newest holder of a pid supersedes the older; a later process is never a parent', () => {
  const t = new ProcessTree();
  t.observe(sec4688(0, { pid: 0x10, image: 'C:\\x\\old.exe', ppid: 4 }));
  t.observe(sec4688(50, { pid: 0x10, image: 'C:\\x\\new.exe', ppid: 4 }));
  t.observe(sec4688(60, { pid: 0x20, image: 'C:\\x\\kid.exe', ppid: 0x10 }));
  t.observe(sec4688(5, { pid: 0x30, image: 'C:\\x\\early.exe', ppid: 0x10 }));
  assert.equal(baseName(t.parent(only(t, (n) => n.pid === 0x20))?.image ?? null), 'new.exe');
  assert.equal(baseName(t.parent(only(t, (n) => n.pid === 0x30))?.image ?? null), 'old.exe');
  // A child that names a parent pid only used after it started gets an inferred parent.
  t.observe(sec4688(70, { pid: 0x40, image: 'C:\\x\\orphan.exe', ppid: 0x99 }));
  t.observe(sec4688(80, { pid: 0x99, image: 'C:\\x\\late.exe', ppid: 4 }));
  t.relink();
  assert.equal(t.parent(only(t, (n) => n.pid === 0x40))?.inferred, true);
});

test('Sysmon 1 and 4688 of one process merge into one node, so a chain joins across the sources', () => {
  const t = new ProcessTree();
  const dllhost = 'C:\\Windows\\System32\\dllhost.exe';
  // Security first, as in a file where the Security log precedes Sysmon.
  t.observe(sec4688(0, { pid: 10620, image: dllhost, ppid: 944, commandLine: 'DllHost.exe /Processid:{3E5FC7F9-9A51-4367-9063-A120244FBEC7}', integrity: 'High' }));
  t.observe(sysmon1(0.01, { pid: 10620, guid: '{D-1}', image: dllhost, ppid: 944, integrity: 'High', originalFileName: 'dllhost.exe' }));
  // A Sysmon child names the guid; a 4688 grandchild names the pid of the Sysmon child.
  t.observe(sysmon1(0.2, { pid: 9996, guid: '{D-2}', image: 'C:\\Windows\\System32\\cmd.exe', pguid: '{D-1}', ppid: 10620, integrity: 'High' }));
  t.observe(sec4688(0.3, { pid: 8332, image: 'C:\\Windows\\System32\\whoami.exe', ppid: 9996, integrity: 'High' }));
  const host = only(t, (n) => n.pid === 10620);
  assert.deepEqual([...host.sources].sort(), ['security', 'sysmon']);
  assert.equal(host.guid, 'd-1');
  assert.equal(host.originalFileName, 'dllhost.exe');
  assert.match(host.commandLine ?? '', /3E5FC7F9/);
  assert.equal(t.stats.merged, 1);
  assert.deepEqual(names(t.ancestors(only(t, (n) => n.pid === 8332))).slice(0, 2), ['cmd.exe', 'dllhost.exe']);
  assert.deepEqual(names(t.descendants(host)), ['cmd.exe', 'whoami.exe']);
});

test('merging needs the same pid, image and a start within the tolerance', () => {
  const t = new ProcessTree({ mergeToleranceMs: 2000 });
  t.observe(sec4688(0, { pid: 77, image: 'C:\\x\\one.exe', ppid: 4 }));
  t.observe(sysmon1(0.5, { pid: 77, guid: '{E-1}', image: 'C:\\x\\two.exe' }));
  t.observe(sysmon1(10, { pid: 77, guid: '{E-2}', image: 'C:\\x\\one.exe' }));
  assert.equal(t.stats.merged, 0);
  assert.equal([...t.all()].filter((n) => n.pid === 77).length, 3);
});

test('Sysmon 5 ends a process: a later child naming its pid does not join it', () => {
  const t = new ProcessTree();
  t.observe(sysmon1(0, { pid: 5, guid: '{F-1}', image: 'C:\\x\\p.exe' }));
  t.observe(sysmon5(1, 'WS1', 5, '{F-1}', 'C:\\x\\p.exe'));
  assert.notEqual(only(t, (n) => n.guid === 'f-1').endMs, null);
  t.observe(sec4688(5, { pid: 0x66, image: 'C:\\x\\c.exe', ppid: 5 }));
  assert.equal(t.parent(only(t, (n) => n.pid === 0x66))?.inferred, true);
});

test('Defender: InitiatingProcessId with its creation time picks the right one of two same-pid parents; an absent initiator becomes a node', () => {
  const t = new ProcessTree();
  const row = (s: number, pid: number, file: string, ppid: number, pfile: string, pstart: string, created: string): Event =>
    mdeProcess(s, {
      ProcessId: pid,
      FolderPath: file,
      FileName: path.win32.basename(file),
      ProcessCommandLine: path.win32.basename(file),
      ProcessCreationTime: created,
      InitiatingProcessId: ppid,
      InitiatingProcessFolderPath: pfile,
      InitiatingProcessFileName: path.win32.basename(pfile),
      InitiatingProcessCommandLine: path.win32.basename(pfile),
      InitiatingProcessCreationTime: pstart,
      ProcessIntegrityLevel: 'High',
    });
  const t0 = '2026-03-01T09:00:00Z';
  const t1 = '2026-03-01T09:30:00Z';
  t.observe(row(0, 500, 'C:\\x\\first.exe', 4, 'C:\\Windows\\System32\\services.exe', '2026-03-01T08:00:00Z', t0));
  t.observe(row(1, 500, 'C:\\x\\second.exe', 4, 'C:\\Windows\\System32\\services.exe', '2026-03-01T08:00:00Z', t1));
  // The child starts after both, but its row says its parent started at t0: the first one.
  t.observe(row(2, 600, 'C:\\x\\kid.exe', 500, 'C:\\x\\first.exe', t0, '2026-03-01T10:00:02Z'));
  assert.equal(baseName(t.parent(only(t, (n) => n.pid === 600))?.image ?? null), 'first.exe');
  const services = only(t, (n) => n.pid === 4);
  assert.equal(services.inferred, true);
  assert.equal(baseName(services.image), 'services.exe');
  assert.equal(t.children(services).length, 2);
});

test('ECS: entity ids link processes', () => {
  const t = new ProcessTree();
  t.observe(ecsProcess(0, { 'process.pid': 1, 'process.entity_id': 'e-1', 'process.executable': 'C:\\x\\p.exe' }));
  t.observe(ecsProcess(1, { 'process.pid': 2, 'process.entity_id': 'e-2', 'process.executable': 'C:\\x\\c.exe', 'process.parent.entity_id': 'e-1', 'process.parent.pid': 1 }));
  assert.equal(baseName(t.parent(only(t, (n) => n.guid === 'e-2'))?.image ?? null), 'p.exe');
});

test('caps: beyond maxNodes the oldest are evicted and counted; the tree keeps working', () => {
  const t = new ProcessTree({ maxNodes: 16 });
  t.observe(sysmon1(0, { pid: 1000, guid: '{G-0}', image: 'C:\\x\\p.exe' }));
  for (let i = 1; i < 40; i++) t.observe(sysmon1(i, { pid: 1000 + i, guid: `{G-${i}}`, image: 'C:\\x\\p.exe', pguid: `{G-${i - 1}}`, ppid: 999 + i }));
  assert.equal(t.stats.nodes, 16);
  assert.equal(t.stats.evicted, t.stats.created - 16);
  assert.ok(t.stats.evicted >= 24);
  const last = only(t, (n) => n.guid === 'g-39');
  assert.equal(t.parent(last)?.guid, 'g-38');
  assert.ok(t.ancestors(last).length <= 15);
});

test('caps: a pinned node outlives eviction, others go in age order', () => {
  const t = new ProcessTree({ maxNodes: 16 });
  const first = t.observe(sysmon1(0, { pid: 1000, guid: '{G-0}', image: 'C:\\x\\cmstp.exe' }))!;
  t.pin(first.id);
  for (let i = 1; i < 60; i++) t.observe(sysmon1(i, { pid: 1000 + i, guid: `{G-${i}}`, image: 'C:\\x\\p.exe' }));
  assert.equal(t.stats.nodes, 16);
  assert.equal(t.node(first.id)?.guid, 'g-0');
  // The second node was not pinned: long gone.
  assert.equal([...Array(60).keys()].filter((i) => t.find({ host: first.host, guid: `g-${i}`, pid: null, atMs: null, startMs: null }) !== null).length, 16);
  assert.equal(t.find({ host: first.host, guid: 'g-1', pid: null, atMs: null, startMs: null }), null);
});

test('out of read order: a 4688 child read before its parent is relinked to it', () => {
  const t = new ProcessTree();
  t.observe(sec4688(5, { pid: 0x20, image: 'C:\\x\\kid.exe', ppid: 0x10, parentImage: 'C:\\x\\dad.exe' }));
  t.observe(sec4688(1, { pid: 0x10, image: 'C:\\x\\dad.exe', ppid: 4 }));
  t.relink();
  const kid = only(t, (n) => n.pid === 0x20);
  assert.equal(t.parent(kid)?.inferred, false);
  assert.equal(t.parent(kid)?.startMs, Date.parse('2026-03-01T10:00:01Z'));
});

async function readAll(file: string): Promise<Event[]> {
  const tables = new TableSet(DEFAULT_TABLES);
  const out: Event[] = [];
  for await (const item of readSource(file)) if (item.ok) out.push(normalize(item.record, tables));
  return out;
}

test('OTRF CMSTP sample: Sysmon and Security creations of the same five processes merge; the chain joins across both', async (t) => {
  const dir = requireSharedData(t);
  if (dir === null) return;
  const events = await readAll(path.join(dir, 'otrf', 'psh_cmstp_execution_bypassuac_2020-10-2201543213.json'));
  const tree = new ProcessTree();
  for (const e of events) tree.observe(e);
  t.diagnostic(`lineage ${JSON.stringify(tree.stats)}`);
  assert.equal(tree.stats.merged, 5);
  const cmd = only(tree, (n) => baseName(n.image) === 'cmd.exe');
  assert.deepEqual([...cmd.sources].sort(), ['security', 'sysmon']);
  const [host] = tree.ancestors(cmd);
  assert.equal(baseName(host?.image ?? null), 'dllhost.exe');
  assert.match(host?.commandLine ?? '', /\{3E5FC7F9-9A51-4367-9063-A120244FBEC7\}/);
  assert.deepEqual(names(tree.descendants(cmd)), ['conhost.exe', 'whoami.exe']);
  const cmstp = only(tree, (n) => baseName(n.image) === 'cmstp.exe');
  assert.equal(baseName(tree.parent(cmstp)?.image ?? null), 'powershell.exe');
  assert.equal(cmstp.originalFileName, 'CMSTP.EXE');
});
