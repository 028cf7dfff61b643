// Splunk SPL (search command syntax), for the Splunk Add-on for Windows and for Sysmon.
//
// Case: Splunk's search matches field values case-insensitively, which is Sigma's default;
// `cased` cannot be stated in a search and is unsupported. Wildcards: `*` is Splunk's own; `?`
// and a literal `*` have no search form and are unsupported. CIDR: the search command matches
// `field="10.0.0.0/8"` as a network. Regexes, field references and keywords with inner wildcards
// would need a `| regex` / `| where` stage and are unsupported (a pipeline stage cannot sit
// under an OR of the search). `null`/`exists` are `NOT field=*` / `field=*`.

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { SigmaFieldRef, SigmaRegex } from '../../sigma/values.js';
import type { Binding, BindingFilter, CompareOp, CorrelationField, CorrelationSpec, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { hasControl, partsOf, regexFlags } from '../strings.js';
import { windowsBindings, type WindowsLayout } from './windows-bindings.js';

/** Splunk's classic WinEventLog names for Security fields (taken from the rendered message). */
const CLASSIC_SECURITY: ReadonlyMap<string, string> = new Map([
  ['NewProcessName', 'New_Process_Name'],
  ['ParentProcessName', 'Creator_Process_Name'],
  ['CommandLine', 'Process_Command_Line'],
  ['NewProcessId', 'New_Process_ID'],
  ['TokenElevationType', 'Token_Elevation_Type'],
  ['MandatoryLabel', 'Mandatory_Label'],
  // 5156 (Filtering Platform connection).
  ['Application', 'Application_Name'],
  ['SourceAddress', 'Source_Address'],
  ['DestAddress', 'Destination_Address'],
  ['DestPort', 'Destination_Port'],
  ['SourcePort', 'Source_Port'],
]);

const LAYOUT: WindowsLayout = {
  eventId: 'EventCode',
  // Sysmon is read as XML by the add-on; the Security log as classic WinEventLog.
  source: (channel) => `source=${splString(channel === 'Microsoft-Windows-Sysmon/Operational' ? `XmlWinEventLog:${channel}` : `WinEventLog:${channel}`)}`,
  rename: (name, channel) => (name === 'Provider_Name' ? 'SourceName' : channel === 'Security' ? (CLASSIC_SECURITY.get(name) ?? name) : name),
};

export function splString(text: string): string {
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function field(f: TargetField): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(f.name)) unsupported('field-name', `field name ${JSON.stringify(f.name)}`);
  return f.name;
}

/** A value with Splunk's `*` wildcards; `?` and literal `*` have no form. */
function glob(v: StringShape): string {
  let out = '';
  for (const p of partsOf(v)) {
    if (p.kind === 'wildcard-multi') out += '*';
    else if (p.kind === 'wildcard-single') unsupported('wildcard', 'Splunk search has no single-character wildcard');
    else if (p.kind === 'text') {
      if (p.text.includes('*')) unsupported('wildcard', 'Splunk search cannot match a literal *');
      out += p.text;
    }
  }
  return splString(out);
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class Spl implements Dialect {
  readonly id = 'spl';
  readonly extension = 'spl';
  comment(line: string): string {
    // SPL comments: triple backticks (Splunk 8.1+).
    return `\`\`\` ${line.replace(/`/g, "'")} \`\`\``;
  }
  and(xs: readonly string[]): string {
    return xs.join(' ');
  }
  or(xs: readonly string[]): string {
    return xs.length === 1 ? (xs[0] as string) : `(${xs.join(' OR ')})`;
  }
  not(x: string): string {
    return `NOT (${x})`;
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    if (cased) unsupported('cased', 'Splunk search matches values case-insensitively only');
    return `${field(f)}=${glob(v)}`;
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    if (cased) unsupported('cased', 'Splunk search matches values case-insensitively only');
    if (values.some((v) => v.includes('*'))) unsupported('wildcard', 'Splunk search cannot match a literal *');
    return `${field(f)} IN (${values.map(splString).join(', ')})`;
  }
  number(f: TargetField, n: number): string {
    return `${field(f)}=${n}`;
  }
  bool(f: TargetField, b: boolean): string {
    return `${field(f)}=${splString(String(b))}`;
  }
  isNull(f: TargetField): string {
    return `NOT ${field(f)}=*`;
  }
  exists(f: TargetField, present: boolean): string {
    return present ? `${field(f)}=*` : `NOT ${field(f)}=*`;
  }
  regex(): string {
    return unsupported('regex', 'a regex under OR or NOT: a | regex stage can only narrow the whole search');
  }
  /** `| regex` (PCRE, case-sensitive unless `(?i)`) and `| where` for field references, after the search. */
  stage(f: TargetField, v: SigmaRegex | { type: 'fieldref'; other: TargetField; ref: SigmaFieldRef }): string {
    if (v.type === 'regex') {
      if (hasControl(v.pattern)) unsupported('character', 'a control character in a regex');
      return `| regex ${field(f)}="${(regexFlags(v.flags) + v.pattern).replace(/"/g, '\\"')}"`;
    }
    const a = `lower('${field(f)}')`;
    const b = `lower('${field(v.other)}')`;
    const { startsWith, endsWith } = v.ref;
    if (startsWith && endsWith) return `| where like(${a}, "%" . ${b} . "%")`;
    if (startsWith) return `| where like(${a}, ${b} . "%")`;
    if (endsWith) return `| where like(${a}, "%" . ${b})`;
    return `| where ${a}==${b}`;
  }
  cidr(f: TargetField, c: { address: string; prefix: number }): string {
    return `${field(f)}=${splString(`${c.address}/${c.prefix}`)}`;
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${field(f)}${CMP[op]}${n}`;
  }
  fieldref(): string {
    return unsupported('modifier', 'fieldref under OR or NOT: a | where stage can only narrow the whole search');
  }
  keyword(v: StringShape, cased: boolean): string {
    if (cased) unsupported('cased', 'Splunk search matches terms case-insensitively only');
    return glob(v);
  }
  filter(b: BindingFilter): string {
    if (b.values.length === 1) return `${field(b.field)}=${b.values[0] as number}`;
    return `${field(b.field)} IN (${b.values.join(', ')})`;
  }
  bindings(ls: SigmaLogsource): Binding[] {
    return windowsBindings(LAYOUT, ls);
  }
  correlate(parts: readonly QueryPart[], spec: CorrelationSpec): string {
    const ops = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' } as const;
    // Sources naming a field differently: one field, the first that is present (`coalesce`).
    const evals: string[] = [];
    const label = (f: CorrelationField): string => {
      const names = [...new Set(f.perPart.map((x) => field(x)))];
      if (names.length === 1) return names[0] as string;
      evals.push(`| eval sigma_${f.canonical}=coalesce(${names.join(', ')})`);
      return `sigma_${f.canonical}`;
    };
    const by = ['_time', ...spec.groupBy.map(label)].join(' ');
    const col = spec.field === null ? 'event_count' : 'value_count';
    const agg = spec.field === null ? 'count as event_count' : `dc(${label(spec.field)}) as value_count`;
    const where = spec.tests.map((t) => `${col}${ops[t.op]}${t.value}`).join(' AND ');
    return [this.query(parts), ...evals, `| bin _time span=${spec.seconds}s`, `| stats ${agg} by ${by}`, `| where ${where}`].join('\n');
  }
  query(parts: readonly QueryPart[]): string {
    const one = (p: QueryPart): string => `${p.binding.source} ${p.condition}`;
    const search = parts.length === 1 ? one(parts[0] as QueryPart) : parts.map((p) => `(${one(p)})`).join(' OR ');
    const stages = parts[0]?.stages ?? [];
    return [search, ...stages].join('\n');
  }
}
