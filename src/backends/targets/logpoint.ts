// LogPoint search language over LogPoint's normalised Windows fields (`norm_id=WindowsSysmon`,
// `norm_id=WinServer` for the Security and other Windows logs).
//
// Case: LogPoint matches field values case-insensitively, Sigma's default; `cased` is
// unsupported. Wildcards: `*` only; `?` and a literal `*` are unsupported. Regexes, CIDR and field
// references need a `| process` / list stage and are unsupported. Field names follow LogPoint's
// taxonomy: the table below for the names it renames, snake_case of Sysmon's name otherwise
// (`ParentImage` → `parent_image`).

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, BindingFilter, CompareOp, Dialect, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { hasControl, partsOf } from '../strings.js';
import { windowsBindings, type WindowsLayout } from './windows-bindings.js';

/** LogPoint's names where they are not the snake_case of Sysmon's / the Security log's. */
const RENAMES: ReadonlyMap<string, string> = new Map([
  ['CommandLine', 'command'],
  ['ParentCommandLine', 'parent_command'],
  ['SourceIp', 'source_address'],
  ['DestinationIp', 'destination_address'],
  ['SourceHostname', 'source_host'],
  ['DestinationHostname', 'destination_host'],
  ['TargetFilename', 'path'],
  ['Hashes', 'hash'],
  ['User', 'user'],
  ['Details', 'detail'],
  ['QueryName', 'query'],
  ['NewProcessName', 'process'],
  ['ParentProcessName', 'parent_process'],
  ['SubjectUserName', 'user'],
  ['SubjectDomainName', 'domain'],
  ['TargetUserName', 'target_user'],
  ['TargetDomainName', 'target_domain'],
  ['Provider_Name', 'source_name'],
]);

export function snakeCase(n: string): string {
  return n
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

const LAYOUT: WindowsLayout = {
  eventId: 'event_id',
  source: (channel) => (channel === 'Microsoft-Windows-Sysmon/Operational' ? 'norm_id=WindowsSysmon' : `norm_id=WinServer channel=${lpString(channel)}`),
  rename: (n) => (/^[A-Za-z0-9_]+$/.test(n) ? (RENAMES.get(n) ?? snakeCase(n)) : null),
};

export function lpString(text: string): string {
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  // Values are written with their backslashes as they are (`"C:\Windows"`); one before the
  // closing quote would escape it.
  if (/\\$/.test(text) || text.includes('\\"')) unsupported('character', 'a backslash before a quote in a LogPoint value');
  return `"${text.replace(/"/g, '\\"')}"`;
}

function glob(v: StringShape): string {
  let out = '';
  for (const p of partsOf(v)) {
    if (p.kind === 'wildcard-multi') out += '*';
    else if (p.kind === 'wildcard-single') unsupported('wildcard', 'LogPoint has no single-character wildcard');
    else if (p.kind === 'text') {
      if (p.text.includes('*')) unsupported('wildcard', 'LogPoint cannot match a literal *');
      out += p.text;
    }
  }
  return lpString(out);
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class LogPoint implements Dialect {
  readonly id = 'logpoint';
  readonly extension = 'logpoint';
  comment(line: string): string {
    return `// ${line}`;
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
    if (cased) unsupported('cased', 'LogPoint matches values case-insensitively only');
    return `${f.name}=${glob(v)}`;
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    if (cased) unsupported('cased', 'LogPoint matches values case-insensitively only');
    if (values.some((v) => v.includes('*'))) unsupported('wildcard', 'LogPoint cannot match a literal *');
    return `${f.name} IN [${values.map(lpString).join(', ')}]`;
  }
  number(f: TargetField, n: number): string {
    return `${f.name}=${n}`;
  }
  bool(f: TargetField, b: boolean): string {
    return `${f.name}=${lpString(String(b))}`;
  }
  isNull(f: TargetField): string {
    return `NOT ${f.name}=*`;
  }
  exists(f: TargetField, present: boolean): string {
    return present ? `${f.name}=*` : `NOT ${f.name}=*`;
  }
  regex(): string {
    return unsupported('regex', 'LogPoint regexes need a | process stage');
  }
  cidr(): string {
    return unsupported('modifier', 'LogPoint matches networks through lists, not CIDR literals');
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    return `${f.name}${CMP[op]}${n}`;
  }
  fieldref(): string {
    return unsupported('modifier', 'LogPoint cannot compare two fields in a search');
  }
  keyword(v: StringShape, cased: boolean): string {
    if (cased) unsupported('cased', 'LogPoint matches case-insensitively only');
    return glob(v);
  }
  filter(b: BindingFilter): string {
    if (b.values.length === 1) return `${b.field.name}=${b.values[0] as number}`;
    return `${b.field.name} IN [${b.values.join(', ')}]`;
  }
  bindings(ls: SigmaLogsource): Binding[] {
    return windowsBindings(LAYOUT, ls);
  }
  query(parts: readonly QueryPart[]): string {
    const one = (p: { binding: Binding; condition: string }): string => `${p.binding.source} ${p.condition}`;
    return parts.length === 1 ? one(parts[0] as { binding: Binding; condition: string }) : parts.map((p) => `(${one(p)})`).join(' OR ');
  }
}
