// `validate`: every catalogued procedure simulated in every format, scanned with a rule pack,
// and judged against what the procedure expects per telemetry source (ATT&CK techniques and a
// minimum level, never rule ids, so any pack can be validated), and legitimate installs against
// "nothing at medium or above". The result is a procedure × source matrix.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledRule } from '../detect/compile.js';
import { levelRank, scan, type Finding, type ScanPostprocessor } from '../detect/scan.js';
import type { SigmaCorrelation, SigmaFilter, SigmaLevel } from '../sigma/rule.js';
import { FORMAT_SOURCES, SIM_FORMATS, simulate, type SimFormat } from './index.js';
import { SOURCES, type Source } from './model.js';
import { PROCEDURES, type Expectation, type Procedure } from './procedures.js';

export interface ValidatePack {
  rules: readonly CompiledRule[];
  filters?: readonly SigmaFilter[];
  correlations?: readonly SigmaCorrelation[];
  postprocess?: () => ScanPostprocessor;
}

export interface FiredRule {
  id: string | null;
  title: string;
  level: SigmaLevel | null;
  kind: Finding['kind'];
  techniques: string[];
  /** Findings of this rule on this source, per format. */
  count: Partial<Record<SimFormat, number>>;
}

/**
 * - `met` / `missed`: an attack with an expectation on this source;
 * - `clean` / `false-positive`: a legitimate install (nothing at medium+ / something);
 * - `gap`: an attack with no expectation on this source (the reason is given);
 * - `inconsistent`: formats carrying the same source disagree about what fired.
 */
export type CellStatus = 'met' | 'missed' | 'clean' | 'false-positive' | 'gap' | 'inconsistent';

export interface Cell {
  procedure: string;
  source: Source;
  status: CellStatus;
  expectation: Expectation | null;
  /** Why an attack has no expectation here, or what was missed. */
  note: string | null;
  fired: FiredRule[];
  formats: SimFormat[];
}

export interface ValidateResult {
  cells: Cell[];
  /** Cells that make validation fail (missed, false-positive, inconsistent). */
  failures: Cell[];
  procedures: number;
  formats: number;
  events: number;
  findings: number;
}

const BENIGN_LIMIT: SigmaLevel = 'medium';

/** Whether a finding's technique satisfies an expected one (a parent technique tag counts). */
export function techniqueMatches(found: string, expected: string): boolean {
  const f = found.toUpperCase();
  const e = expected.toUpperCase();
  return f === e || e.startsWith(`${f}.`);
}

function sourceOf(format: SimFormat, f: Finding): Source[] {
  if (format === 'ecs') return ['ecs'];
  if (format === 'mde-csv') return ['mde'];
  const out = new Set<Source>();
  // A finding without evidence events (an aggregate) belongs to every source of the format.
  if (f.events.length === 0) return [...FORMAT_SOURCES[format]];
  for (const e of f.events) out.add(String(e.fields['Channel'] ?? '').toLowerCase() === 'security' ? 'security' : 'sysmon');
  return [...out];
}

function fires(rules: FiredRule[], e: Expectation): boolean {
  return rules.some((r) => levelRank(r.level) >= levelRank(e.minLevel) && r.techniques.some((t) => e.techniques.some((x) => techniqueMatches(t, x))));
}

/** What fired per format, as comparable keys. */
function signature(rules: FiredRule[], format: SimFormat): string {
  return rules
    .filter((r) => (r.count[format] ?? 0) > 0)
    .map((r) => `${r.kind}|${r.id ?? r.title}|${r.level}`)
    .sort()
    .join('\n');
}

function judge(p: Procedure, source: Source, fired: FiredRule[], formats: SimFormat[]): Pick<Cell, 'status' | 'note' | 'expectation'> {
  const sigs = new Set(formats.map((f) => signature(fired, f)));
  if (sigs.size > 1) {
    const per = formats.map((f) => `${f}: ${fired.filter((r) => (r.count[f] ?? 0) > 0).length} rules`).join(', ');
    return { status: 'inconsistent', note: `formats disagree (${per})`, expectation: p.expect[source] ?? null };
  }
  if (p.benign) {
    const loud = fired.filter((r) => levelRank(r.level) >= levelRank(BENIGN_LIMIT));
    return loud.length > 0
      ? { status: 'false-positive', note: `${loud.length} rule(s) at ${BENIGN_LIMIT} or above on a legitimate install`, expectation: null }
      : { status: 'clean', note: null, expectation: null };
  }
  const e = p.expect[source];
  if (e === undefined) return { status: 'gap', note: p.gaps[source] ?? 'no expectation', expectation: null };
  if (fires(fired, e)) return { status: 'met', note: null, expectation: e };
  return { status: 'missed', note: `no finding tagged ${e.techniques.join(' or ')} at ${e.minLevel} or above`, expectation: e };
}

export interface ValidateOptions {
  procedures?: readonly Procedure[];
  formats?: readonly SimFormat[];
  host?: string;
  seed?: string;
}

export async function validate(pack: ValidatePack, options: ValidateOptions = {}): Promise<ValidateResult> {
  const procedures = options.procedures ?? PROCEDURES;
  const formats = options.formats ?? SIM_FORMATS;
  const dir = mkdtempSync(join(tmpdir(), 'cmstp-hunt-validate-'));
  const cells: Cell[] = [];
  let events = 0;
  let findings = 0;
  try {
    for (const p of procedures) {
      const fired = new Map<Source, Map<string, FiredRule>>(SOURCES.map((s) => [s, new Map()]));
      for (const format of formats) {
        const files = simulate(p, format, { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
        const paths = files.map((f) => {
          const path = join(dir, f.name);
          writeFileSync(path, f.bytes);
          events += f.events;
          return path;
        });
        const it = scan(paths, {
          rules: pack.rules,
          ...(pack.filters !== undefined ? { filters: pack.filters } : {}),
          ...(pack.correlations !== undefined ? { correlations: pack.correlations } : {}),
          ...(pack.postprocess !== undefined ? { postprocess: pack.postprocess() } : {}),
        });
        for (;;) {
          const r = await it.next();
          if (r.done === true) break;
          const f = r.value;
          findings++;
          for (const source of sourceOf(format, f)) {
            const bySource = fired.get(source)!;
            const key = `${f.kind}|${f.rule.id ?? ''}|${f.rule.title}|${f.level}`;
            const entry = bySource.get(key) ?? { id: f.rule.id, title: f.rule.title, level: f.level, kind: f.kind, techniques: [...f.techniques], count: {} };
            entry.count[format] = (entry.count[format] ?? 0) + 1;
            bySource.set(key, entry);
          }
        }
      }
      for (const source of SOURCES) {
        const carrying = formats.filter((f) => FORMAT_SOURCES[f].includes(source));
        if (carrying.length === 0) continue;
        const list = [...fired.get(source)!.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || a.title.localeCompare(b.title));
        cells.push({ procedure: p.name, source, ...judge(p, source, list, carrying), fired: list, formats: carrying });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failures = cells.filter((c) => c.status === 'missed' || c.status === 'false-positive' || c.status === 'inconsistent');
  return { cells, failures, procedures: procedures.length, formats: formats.length, events, findings };
}

const MARK: Record<CellStatus, string> = { met: 'met', missed: 'MISSED', clean: 'clean', 'false-positive': 'FALSE POSITIVE', gap: 'gap', inconsistent: 'INCONSISTENT' };

function maxLevel(rules: FiredRule[]): SigmaLevel | null {
  let m: SigmaLevel | null = null;
  for (const r of rules) if (levelRank(r.level) > levelRank(m)) m = r.level;
  return m;
}

/** The matrix as a Markdown table, then one line per cell naming the rules that fired. */
export function matrixMarkdown(result: ValidateResult, clean: (s: string) => string = (s) => s): string {
  const sources = SOURCES.filter((s) => result.cells.some((c) => c.source === s));
  const esc = (s: string): string => clean(s).replace(/\|/g, '\\|');
  const lines = [`| procedure | ${sources.join(' | ')} |`, `| --- | ${sources.map(() => '---').join(' | ')} |`];
  const procedures = [...new Set(result.cells.map((c) => c.procedure))];
  for (const p of procedures) {
    const row = sources.map((s) => {
      const c = result.cells.find((x) => x.procedure === p && x.source === s);
      if (c === undefined) return '';
      const n = c.fired.length;
      const top = maxLevel(c.fired);
      return `${MARK[c.status]}${n > 0 ? ` (${n} rule${n === 1 ? '' : 's'}, ${top ?? 'no level'})` : ''}`;
    });
    lines.push(`| ${esc(p)} | ${row.join(' | ')} |`);
  }
  const details: string[] = [];
  for (const c of result.cells) {
    if (c.fired.length === 0 && c.note === null) continue;
    const rules = c.fired.map((r) => `${r.title} (${r.level ?? 'no level'}${r.techniques.length > 0 ? `, ${r.techniques.join('/')}` : ''})`).join('; ');
    details.push(`- ${esc(c.procedure)} / ${c.source}: ${MARK[c.status]}${c.note !== null ? ` (${esc(c.note)})` : ''}${rules !== '' ? `: ${esc(rules)}` : ''}`);
  }
  return lines.join('\n') + '\n\n' + details.join('\n') + '\n';
}
