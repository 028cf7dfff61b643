// The named value transforms mapping tables may ask for. Each takes a source value and returns
// the canonical one, or null when the input does not fit (the field is then left out).

import type { FieldValue } from './fields.js';
import type { TransformName } from './mapping.js';
import { normalizeTime } from './time.js';

type Transform = (v: FieldValue) => FieldValue;

function text(v: FieldValue): string | null {
  if (v === null || Array.isArray(v)) return null;
  return String(v);
}

/** Security log process ids are hex (`0x1a4`); other sources write decimal. */
function hexToNumber(v: FieldValue): FieldValue {
  if (typeof v === 'number') return v;
  const t = text(v)?.trim();
  if (t === undefined || t === '') return null;
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

/** Mandatory labels (S-1-16-x) as the integrity level names Sysmon writes. */
const INTEGRITY: Readonly<Record<string, string>> = {
  'S-1-16-0': 'Untrusted',
  'S-1-16-4096': 'Low',
  'S-1-16-8192': 'Medium',
  'S-1-16-8448': 'Medium',
  'S-1-16-12288': 'High',
  'S-1-16-16384': 'System',
  'S-1-16-20480': 'Protected',
};

/** %%1936/7/8: TokenElevationTypeDefault (no split token), Full (elevated), Limited (filtered). */
const ELEVATION: Readonly<Record<string, string>> = {
  '%%1936': 'TokenElevationTypeDefault',
  '%%1937': 'TokenElevationTypeFull',
  '%%1938': 'TokenElevationTypeLimited',
};

const REGISTRY_ROOTS: ReadonlyArray<[RegExp, string]> = [
  [/^HKEY_LOCAL_MACHINE(?=\\|$)/i, 'HKLM'],
  [/^HKEY_CURRENT_USER(?=\\|$)/i, 'HKCU'],
  [/^HKEY_USERS(?=\\|$)/i, 'HKU'],
  [/^HKEY_CLASSES_ROOT(?=\\|$)/i, 'HKCR'],
  [/^\\REGISTRY\\MACHINE(?=\\|$)/i, 'HKLM'],
  [/^\\REGISTRY\\USER(?=\\|$)/i, 'HKU'],
];

const PROTOCOLS: Readonly<Record<string, string>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };

export const TRANSFORMS: Readonly<Record<TransformName, Transform>> = {
  number: (v) => {
    if (typeof v === 'number') return v;
    const t = text(v);
    const n = t === null || t.trim() === '' ? NaN : Number(t);
    return Number.isFinite(n) ? n : null;
  },
  hexToNumber,
  integrityFromSid: (v) => {
    const t = text(v);
    return t === null ? null : (INTEGRITY[t.toUpperCase()] ?? t);
  },
  integrityFromMde: (v) => {
    const t = text(v);
    if (t === null || t === '') return null;
    return t.charAt(0).toUpperCase() + t.slice(1).toLowerCase();
  },
  elevationType: (v) => {
    const t = text(v);
    return t === null ? null : (ELEVATION[t] ?? t);
  },
  basename: (v) => {
    const t = text(v);
    return t === null ? null : t.slice(Math.max(t.lastIndexOf('\\'), t.lastIndexOf('/')) + 1);
  },
  lower: (v) => text(v)?.toLowerCase() ?? null,
  upper: (v) => text(v)?.toUpperCase() ?? null,
  boolFromText: (v) => {
    if (typeof v === 'boolean') return v;
    const t = text(v)?.trim().toLowerCase();
    return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : null;
  },
  registryRoot: (v) => {
    const t = text(v);
    if (t === null) return null;
    for (const [re, short] of REGISTRY_ROOTS) if (re.test(t)) return t.replace(re, short);
    return t;
  },
  protocolName: (v) => {
    const t = text(v);
    return t === null ? null : (PROTOCOLS[t] ?? t.toLowerCase());
  },
  // 5156 Direction: %%14592 inbound, %%14593 outbound (Sysmon's Initiated = true).
  direction5156: (v) => (v === '%%14593' ? true : v === '%%14592' ? false : null),
  // Logon ids and handles of 0 mean "none" (4688's TargetLogonId before Windows 10).
  nonZero: (v) => (v === 0 || v === '0' || (typeof v === 'string' && /^0x0+$/i.test(v)) ? null : v),
  // ECS network.direction as Sysmon's Initiated (the local process opened the connection).
  initiatedFromDirection: (v) => {
    const t = text(v)?.toLowerCase();
    return t === 'egress' || t === 'outbound' || t === 'outgoing' ? true : t === 'ingress' || t === 'inbound' || t === 'incoming' ? false : null;
  },
  // Access masks as Sysmon writes GrantedAccess: `0x1fffff`.
  hexFromNumber: (v) => {
    const n = typeof v === 'number' ? v : Number(text(v));
    return Number.isSafeInteger(n) && n >= 0 ? '0x' + n.toString(16) : null;
  },
  // `\Device\NamedPipe\x` (Defender) as Sysmon's `\x`.
  pipeName: (v) => {
    const t = text(v);
    return t === null ? null : t.replace(/^\\Device\\NamedPipe(?=\\)/i, '');
  },
  isoTime: (v) => {
    const t = text(v);
    return t === null ? null : normalizeTime(t);
  },
};
