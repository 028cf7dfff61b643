// Kusto (KQL) for Microsoft Sentinel and Microsoft Defender advanced hunting.
//
// Case: Sigma's default match folds case; KQL's `=~`, `contains`, `startswith`, `endswith` and
// `in~` fold case too, and their `_cs` forms (`==`, `contains_cs`, …) are used for `cased`.
// Wildcards inside a value become `matches regex` with `(?i)` (RE2), anchored at both ends.
// Absent values: Kusto string columns hold "" rather than null, so Sigma `null` is `isempty()`
// and `exists` is `isnotempty()` (a present but empty field counts as absent).

import type { SigmaLogsource } from '../../sigma/rule.js';
import type { Binding, BindingFilter, CompareOp, CorrelationField, CorrelationSpec, Dialect, FieldType, QueryPart, StringShape, TargetField } from '../dialect.js';
import { unsupported } from '../errors.js';
import { lower, mdeSources, resolveField, securitySource, SERVICE_CHANNELS, sysmonEventIds, SYSMON_FIELDS } from '../sources.js';
import { checkRe2, globToRegex, hasControl, regexFlags } from '../strings.js';

/** Sentinel's SecurityEvent columns (the Security log's EventData fields it projects). */
export const SECURITY_EVENT_COLUMNS: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([
  ...[
    'Account', 'AccountType', 'Computer', 'EventSourceName', 'Channel', 'Task', 'Activity', 'EventData', 'AccessMask', 'AccessList',
    'CommandLine', 'NewProcessId', 'NewProcessName', 'ParentProcessName', 'ProcessId', 'ProcessName', 'SubjectAccount',
    'SubjectDomainName', 'SubjectLogonId', 'SubjectUserName', 'SubjectUserSid', 'TargetAccount', 'TargetDomainName',
    'TargetLogonId', 'TargetUserName', 'TargetUserSid', 'TokenElevationType', 'MandatoryLabel', 'LogonProcessName',
    'AuthenticationPackageName', 'WorkstationName', 'IpAddress', 'IpPort', 'ServiceName', 'ServiceFileName', 'ServiceType',
    'ServiceStartType', 'ServiceAccount', 'ObjectName', 'ObjectType', 'ObjectServer', 'ObjectValueName', 'OperationType',
    'HandleId', 'Properties', 'PrivilegeList', 'ShareName', 'ShareLocalPath', 'RelativeTargetName', 'Status', 'SubStatus',
    'FailureReason', 'ElevatedToken', 'ImpersonationLevel', 'LmPackageName', 'LogonGuid', 'TargetLinkedLogonId',
    'RestrictedAdminMode', 'VirtualAccount', 'TargetOutboundUserName', 'TargetOutboundDomainName', 'TargetServerName',
    'TargetInfo', 'CallerProcessName', 'CallerProcessId', 'MemberName', 'MemberSid', 'SamAccountName', 'TargetSid',
    'NewValue', 'OldValue', 'Process', 'KeyLength', 'SidHistory', 'UserPrincipalName', 'Workstation',
  ].map((n) => [n, 'string'] as const),
  ['EventID', 'number'],
  ['LogonType', 'number'],
  ['Level', 'string'],
]);

/** The Event table (Sentinel's store for other Windows logs): EventData stays an XML string. */
export const EVENT_COLUMNS: ReadonlyMap<string, FieldType> = new Map<string, FieldType>([
  ['Source', 'string'],
  ['EventLog', 'string'],
  ['EventID', 'number'],
  ['Computer', 'string'],
  ['RenderedDescription', 'string'],
  ['EventData', 'string'],
  ['EventLevelName', 'string'],
  ['UserName', 'string'],
]);

/** The column types the MDE tables use for the columns the mapping tables name. */
const MDE_NUMBERS = new Set(['ProcessId', 'InitiatingProcessId', 'InitiatingProcessParentId', 'RemotePort', 'LocalPort', 'CreatedProcessSessionId']);

/** KQL string literal: verbatim `@"…"` when it holds backslashes (paths read as written). */
export function kqlString(text: string): string {
  // Control characters come from utf16 / wide values: text columns never hold those bytes.
  if (hasControl(text)) unsupported('character', 'a control character in a value');
  if (text.includes('\\')) return `@"${text.replace(/"/g, '""')}"`;
  return `"${text.replace(/"/g, '\\"')}"`;
}

function name(f: TargetField | string): string {
  const n = typeof f === 'string' ? f : f.name;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) return n;
  if (hasControl(n)) unsupported('field-name', `field name ${JSON.stringify(n)}`);
  return `['${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** The field as a string expression (`tostring()` for typed columns). */
function str(f: TargetField): string {
  return f.type === 'string' ? name(f) : `tostring(${name(f)})`;
}

const OPS: Record<'exact' | 'startswith' | 'endswith' | 'contains', [string, string]> = {
  exact: ['=~', '=='],
  startswith: ['startswith', 'startswith_cs'],
  endswith: ['endswith', 'endswith_cs'],
  contains: ['contains', 'contains_cs'],
};

/**
 * Kusto's parser nests `a or b or c …` one level per operand and refuses deep trees (a rule with
 * hundreds of values): long runs are grouped in parenthesised chunks, which keeps the depth low.
 */
const CHUNK = 32;
function balanced(xs: readonly string[], op: 'and' | 'or'): string {
  if (xs.length <= CHUNK) return xs.join(` ${op} `);
  const groups: string[] = [];
  for (let i = 0; i < xs.length; i += CHUNK) groups.push(`(${xs.slice(i, i + CHUNK).join(` ${op} `)})`);
  return balanced(groups, op);
}

const CMP: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

const KQL_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' } as const;

abstract class KqlDialect implements Dialect {
  abstract readonly id: string;
  /** The event time column of the tables (Sentinel: TimeGenerated; Defender: Timestamp). */
  abstract readonly timeColumn: string;
  correlate(parts: readonly QueryPart[], spec: CorrelationSpec): string {
    const fields = [...spec.groupBy, ...(spec.field === null ? [] : [spec.field])];
    // One name per field across the tables: the table's own when all agree, else the canonical
    // name, computed in each branch.
    const same = (f: CorrelationField): boolean => f.perPart.every((x) => x.name === (f.perPart[0] as TargetField).name);
    const label = (f: CorrelationField): string => (same(f) ? name(f.perPart[0] as TargetField) : name(`Sigma${f.canonical}`));
    const renames = fields.filter((f) => !same(f));
    const suffix = (i: number): string =>
      renames.length === 0 ? '' : ` | extend ${renames.map((f) => `${label(f)} = ${str(f.perPart[i] as TargetField)}`).join(', ')}`;
    const count = spec.field === null ? 'EventCount = count()' : `ValueCount = dcount(${label(spec.field)})`;
    const col = spec.field === null ? 'EventCount' : 'ValueCount';
    const by = [`bin(${this.timeColumn}, ${spec.seconds}s)`, ...spec.groupBy.map(label)].join(', ');
    const where = spec.tests.map((t) => `${col} ${KQL_OPS[t.op]} ${t.value}`).join(' and ');
    return `${this.query(parts, suffix)}\n| summarize ${count} by ${by}\n| where ${where}`;
  }
  readonly extension = 'kql';
  comment(line: string): string {
    return `// ${line}`;
  }
  and(xs: readonly string[]): string {
    return balanced(xs, 'and');
  }
  or(xs: readonly string[]): string {
    const e = balanced(xs, 'or');
    return xs.length === 1 ? e : `(${e})`;
  }
  list(f: TargetField, values: readonly string[], cased: boolean): string {
    return `${str(f)} ${cased ? 'in' : 'in~'} (${values.map(kqlString).join(', ')})`;
  }
  not(x: string): string {
    return `not(${x})`;
  }
  string(f: TargetField, v: StringShape, cased: boolean): string {
    if (v.kind === 'pattern') return `${str(f)} matches regex ${kqlString(regexFlags({ ignoreCase: !cased, multiline: false, dotAll: true }) + globToRegex(v.parts))}`;
    if (v.kind === 'contains' && v.text === '') return `isnotnull(${name(f)})`;
    const [ci, cs] = OPS[v.kind];
    return `${str(f)} ${cased ? cs : ci} ${kqlString(v.text)}`;
  }
  number(f: TargetField, n: number): string {
    return f.type === 'number' ? `${name(f)} == ${n}` : `${str(f)} == ${kqlString(String(n))}`;
  }
  bool(f: TargetField, b: boolean): string {
    return f.type === 'bool' ? `${name(f)} == ${b}` : `${str(f)} =~ ${kqlString(String(b))}`;
  }
  isNull(f: TargetField): string {
    return `isempty(${name(f)})`;
  }
  exists(f: TargetField, present: boolean): string {
    return present ? `isnotempty(${name(f)})` : `isempty(${name(f)})`;
  }
  regex(f: TargetField, r: { pattern: string; flags: { ignoreCase: boolean; multiline: boolean; dotAll: boolean } }): string {
    checkRe2(r.pattern);
    return `${str(f)} matches regex ${kqlString(regexFlags(r.flags) + r.pattern)}`;
  }
  cidr(f: TargetField, c: { version: 4 | 6; address: string; prefix: number }): string {
    // Null (not false) for a value of the other IP version or no IP at all; not(null) drops the
    // row, where Sigma's `not` would keep it.
    return `coalesce(ipv${c.version}_is_in_range(${str(f)}, ${kqlString(`${c.address}/${c.prefix}`)}), false)`;
  }
  compare(f: TargetField, op: CompareOp, n: number): string {
    // todouble() of a non-number, or a null column, gives null: see cidr().
    return `coalesce(${f.type === 'number' ? name(f) : `todouble(${name(f)})`} ${CMP[op]} ${n}, false)`;
  }
  fieldref(f: TargetField, other: TargetField, r: { startsWith: boolean; endsWith: boolean }): string {
    const op = r.startsWith && r.endsWith ? 'contains' : r.startsWith ? 'startswith' : r.endsWith ? 'endswith' : '=~';
    return `${str(f)} ${op} ${str(other)}`;
  }
  keyword(v: StringShape, cased: boolean): string {
    if (v.kind !== 'contains') unsupported('keyword', 'a keyword with inner wildcards (Kusto searches all columns with contains only)');
    return `* ${cased ? 'contains_cs' : 'contains'} ${kqlString(v.text)}`;
  }
  filter(b: BindingFilter): string {
    const lit = (x: string | number): string => (typeof x === 'number' && b.field.type === 'number' ? String(x) : kqlString(String(x)));
    if (b.values.length === 1) return `${name(b.field)} == ${lit(b.values[0] as string | number)}`;
    return `${name(b.field)} in (${b.values.map(lit).join(', ')})`;
  }
  abstract bindings(ls: SigmaLogsource): Binding[];
  query(parts: readonly QueryPart[], suffix: (i: number) => string = () => ''): string {
    // Only the derived fields the condition names are computed.
    const head = (p: QueryPart, sep: string): string => {
      const used = [...(p.binding.derived ?? [])].filter(([n]) => new RegExp(`\\b${n}\\b`).test(p.condition));
      return used.length === 0 ? p.binding.source : `${p.binding.source}${sep}| extend ${used.map(([n, e]) => `${n} = ${e}`).join(', ')}`;
    };
    if (parts.length === 1) {
      const p = parts[0] as QueryPart;
      return `${head(p, '\n')}\n| where ${p.condition}${suffix(0)}`;
    }
    return `union\n${parts.map((p, i) => `  (${head(p, ' ')} | where ${p.condition}${suffix(i)})`).join(',\n')}`;
  }
}

const num = (n: string): TargetField => ({ name: n, type: 'number' });
const text = (n: string): TargetField => ({ name: n, type: 'string' });

/** Windows product check shared by both: another product has no table here. */
function windowsOnly(ls: SigmaLogsource): void {
  const product = lower(ls.product);
  if (product !== undefined && product !== 'windows') unsupported('logsource', `product '${ls.product}' has no table in this target`);
}

export class KqlSentinel extends KqlDialect {
  readonly id = 'kql-sentinel';
  readonly timeColumn = 'TimeGenerated';
  /**
   * Sysmon in Sentinel lands in the Event table as XML; this name is the parser function that
   * projects its EventData under Sysmon's own names (a workspace function, as Sentinel's Sysmon parser is).
   */
  constructor(readonly sysmonFunction = 'Sysmon') {
    super();
  }
  bindings(ls: SigmaLogsource): Binding[] {
    windowsOnly(ls);
    const category = lower(ls.category);
    const service = lower(ls.service);
    const sysmon = (ids: number[]): Binding => ({
      label: `${this.sysmonFunction} (Sysmon EventID ${ids.join(', ')})`,
      source: this.sysmonFunction,
      filters: ids.length === 0 ? [] : [{ field: num('EventID'), values: ids }],
      field: (n) => resolveField(n, new Map(), SYSMON_FIELDS),
    });
    if (category !== undefined) {
      const out: Binding[] = [];
      const ids = sysmonEventIds(category);
      if (ids.length > 0) out.push(sysmon(ids));
      const sec = securitySource(category);
      if (sec !== null) {
        out.push({
          label: `SecurityEvent ${sec.eventIds.join(', ')}`,
          source: 'SecurityEvent',
          filters: [{ field: num('EventID'), values: sec.eventIds }],
          // A mapped name must still be one of SecurityEvent's columns (5156's DestAddress is not).
          field: (n) => {
            const f = resolveField(n, sec.fields, SECURITY_EVENT_COLUMNS);
            const t = f === null ? undefined : SECURITY_EVENT_COLUMNS.get(f.name);
            return f === null || t === undefined ? null : { name: f.name, type: t };
          },
        });
      }
      if (out.length === 0) unsupported('logsource', `category '${ls.category}' has no Sentinel table here`);
      return out;
    }
    if (service === 'security') {
      return [{ label: 'SecurityEvent', source: 'SecurityEvent', filters: [], field: (n) => resolveField(n, new Map([['Provider_Name', text('EventSourceName')]]), SECURITY_EVENT_COLUMNS) }];
    }
    if (service === 'sysmon') return [sysmon([])];
    const channel = service === undefined ? undefined : SERVICE_CHANNELS.get(service);
    if (channel === undefined) return unsupported('logsource', `logsource ${JSON.stringify(ls)} has no Sentinel table here`);
    return [{
      label: `Event (${channel})`,
      source: 'Event',
      filters: [{ field: text('EventLog'), values: [channel] }],
      field: (n) => resolveField(n, new Map([['Provider_Name', text('Source')]]), EVENT_COLUMNS),
    }];
  }
}

/**
 * Sysmon's TargetObject from Defender's key and value name, with the hive written short as Sysmon
 * does (the registryRoot transform of the event tables): `HKEY_LOCAL_MACHINE\…` → `HKLM\…`.
 */
const TARGET_OBJECT = `strcat(${[
  ['HKEY_LOCAL_MACHINE', 'HKLM'],
  ['HKEY_CURRENT_USER', 'HKCU'],
  ['HKEY_USERS', 'HKU'],
  ['HKEY_CLASSES_ROOT', 'HKCR'],
].reduce((acc, [long, short]) => `replace_regex(${acc}, @"(?i)^${long as string}(\\\\|$)", @"${short as string}\\1")`, 'RegistryKey')}, iff(isempty(RegistryValueName), "", strcat(@"\\", RegistryValueName)))`;

/** Computed fields for what Defender does not have as columns Defender does not have as columns: TargetObject, and constants per ActionType. */
function prelude(table: string, constants: ReadonlyMap<string, ReadonlyMap<string, string>>): { derived?: ReadonlyMap<string, string> } {
  const cols = new Map<string, string>(table === 'DeviceRegistryEvents' ? [['TargetObject', TARGET_OBJECT]] : []);
  for (const [name, byAction] of constants) {
    const cases = [...byAction].map(([action, value]) => `ActionType == ${kqlString(action)}, ${kqlString(value)}`);
    cols.set(name, `case(${cases.join(', ')}, "")`);
  }
  return cols.size === 0 ? {} : { derived: cols };
}

export class KqlMde extends KqlDialect {
  readonly id = 'kql-mde';
  readonly timeColumn = 'Timestamp';
  bindings(ls: SigmaLogsource): Binding[] {
    windowsOnly(ls);
    const category = lower(ls.category);
    if (category === undefined) return unsupported('logsource', `service '${ls.service ?? ''}' has no Defender table (Defender tables are by category)`);
    const sources = mdeSources(category);
    if (sources.length === 0) return unsupported('logsource', `category '${ls.category}' has no Defender table here`);
    return sources.map((s) => ({
      label: s.actionTypes.length === 0 ? s.table : `${s.table} (${s.actionTypes.join(', ')})`,
      source: s.table,
      filters: s.actionTypes.length === 0 ? [] : [{ field: text('ActionType'), values: s.actionTypes }],
      // Renames carry the new key in RegistryKey: TargetObject is the new name there (Sysmon: the old).
      ...prelude(s.table, s.constants),
      field: (n: string): TargetField | null => {
        if (n === 'TargetObject' && s.table === 'DeviceRegistryEvents') return text('TargetObject');
        if (s.constants.has(n)) return text(n);
        const f = s.fields.get(n);
        // Dotted sources are AdditionalFields properties (dynamic), not columns.
        if (f === undefined || f === null || f.name.includes('.')) return null;
        return MDE_NUMBERS.has(f.name) ? { name: f.name, type: 'number' } : f;
      },
    }));
  }
}
