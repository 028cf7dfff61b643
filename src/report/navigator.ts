// `navigator`: an ATT&CK Navigator layer (format 4.5) with the techniques the findings carry.
// Score = number of findings; colour = the most severe level seen; the comment and metadata name
// the rules. Sub-techniques are shown expanded (`expandedSubtechniques: annotated`).

import type { Finding } from '../detect/finding.js';
import type { ScanSummary } from '../detect/scan.js';
import type { SigmaLevel } from '../sigma/rule.js';
import { levelRankOf } from './finding-view.js';
import { safeJson } from './json.js';
import { DEFAULT_TITLE, type ReportOptions } from './options.js';

export const LEVEL_COLORS: Record<SigmaLevel | 'none', string> = {
  critical: '#b3132b',
  high: '#e0531f',
  medium: '#f0b429',
  low: '#4a90c8',
  informational: '#9aa3b2',
  none: '#c4cad4',
};

const TECHNIQUE = /^T\d{4}(?:\.\d{3})?$/;
const MAX_RULES_LISTED = 20;

export interface NavigatorTechnique {
  techniqueID: string;
  score: number;
  color: string;
  comment: string;
  enabled: boolean;
  showSubtechniques?: boolean;
  metadata: { name: string; value: string }[];
}

export interface NavigatorLayer {
  name: string;
  versions: { attack?: string; navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  filters: { platforms: string[] };
  sorting: number;
  layout: { layout: string; showID: boolean; showName: boolean; expandedSubtechniques: string };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  metadata: { name: string; value: string }[];
}

export function navigatorLayer(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): NavigatorLayer {
  const by = new Map<string, { count: number; level: SigmaLevel | null; rules: Map<string, number> }>();
  for (const f of findings) {
    for (const t of f.techniques) {
      if (!TECHNIQUE.test(t)) continue;
      let e = by.get(t);
      if (e === undefined) by.set(t, (e = { count: 0, level: null, rules: new Map() }));
      e.count++;
      if (levelRankOf(f.level) > levelRankOf(e.level)) e.level = f.level;
      e.rules.set(f.rule.title, (e.rules.get(f.rule.title) ?? 0) + 1);
    }
  }
  const ids = [...by.keys()].sort();
  const parents = new Set(ids.filter((id) => id.includes('.')).map((id) => id.slice(0, 5)));
  const max = Math.max(1, ...[...by.values()].map((e) => e.count));
  const techniques = ids.map((id): NavigatorTechnique => {
    const e = by.get(id)!;
    const rules = [...e.rules.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const listed = rules.slice(0, MAX_RULES_LISTED).map(([title, n]) => `${title} (${n})`);
    if (rules.length > MAX_RULES_LISTED) listed.push(`… and ${rules.length - MAX_RULES_LISTED} more rules`);
    const t: NavigatorTechnique = {
      techniqueID: id,
      score: e.count,
      color: LEVEL_COLORS[e.level ?? 'none'],
      comment: `${e.count} finding${e.count === 1 ? '' : 's'}, most severe: ${e.level ?? 'none'}. Rules: ${listed.join('; ')}`,
      enabled: true,
      metadata: [
        { name: 'findings', value: String(e.count) },
        { name: 'most severe level', value: e.level ?? 'none' },
        ...rules.slice(0, MAX_RULES_LISTED).map(([title, n]) => ({ name: 'rule', value: `${title} (${n})` })),
      ],
    };
    if (parents.has(id)) t.showSubtechniques = true;
    return t;
  });
  return {
    name: options.title ?? DEFAULT_TITLE,
    versions: { navigator: '4.9.1', layer: '4.5' },
    domain: 'enterprise-attack',
    description: `Techniques of ${findings.length} finding${findings.length === 1 ? '' : 's'} over ${summary.events} events (cmstp-hunt)${options.generatedAt !== undefined ? `, ${options.generatedAt}` : ''}`,
    filters: { platforms: ['Windows'] },
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#fff3c4', '#b3132b'], minValue: 0, maxValue: max },
    legendItems: (['critical', 'high', 'medium', 'low', 'informational'] as const).map((l) => ({ label: `most severe: ${l}`, color: LEVEL_COLORS[l] })),
    metadata: [
      { name: 'generator', value: 'cmstp-hunt' },
      { name: 'findings', value: String(findings.length) },
      { name: 'events', value: String(summary.events) },
    ],
  };
}

export function renderNavigator(findings: readonly Finding[], summary: ScanSummary, options: ReportOptions = {}): string {
  return safeJson(navigatorLayer(findings, summary, options), 2) + '\n';
}
