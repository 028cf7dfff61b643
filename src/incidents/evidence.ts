// Which single events can be evidence of a CMSTP or elevated-COM chain, decided per event as it
// is read, so only those are kept (with the whole event) until the chains are assembled.

import type { Event } from '../events/model.js';
import { baseName, type ProcessNode } from '../lineage/index.js';
import { text } from '../lineage/record.js';
import { elevatedClassOf, type ElevatedClass } from './com.js';

/** Why an event is evidence; the `role` of the event in an incident. */
export type Role =
  | 'cmstp launch'
  | 'cmstp child'
  | 'COM elevation host'
  | 'elevated child'
  | 'descendant'
  | 'profile registry write'
  | 'COM call trace'
  | 'cmstp network'
  | 'INF written'
  | 'process activity'
  | 'rule match';

export function isCmstp(n: Pick<ProcessNode, 'image' | 'originalFileName'>): boolean {
  return baseName(n.image) === 'cmstp.exe' || (n.originalFileName ?? '').toUpperCase() === 'CMSTP.EXE';
}

/** The elevated class a node hosts, when it is a DllHost with one of those CLSIDs. */
export function comClassOf(n: Pick<ProcessNode, 'image' | 'commandLine'>): ElevatedClass | null {
  const name = baseName(n.image);
  if (name !== null && name !== 'dllhost.exe') return null;
  return elevatedClassOf(n.commandLine);
}

/** Explicitly not elevated (Low, Medium, Untrusted, or a limited token); unknown counts as elevated. */
export function isNotElevated(n: Pick<ProcessNode, 'integrity' | 'elevation'>): boolean {
  const i = (n.integrity ?? '').toLowerCase();
  if (i === 'high' || i === 'system' || i === 'protected' || n.elevation === 'TokenElevationTypeFull') return false;
  return i === 'low' || i === 'medium' || i === 'untrusted' || n.elevation === 'TokenElevationTypeLimited';
}

const REGISTRY = new Set(['registry_add', 'registry_set', 'registry_delete', 'registry_rename']);

export function isRegistry(event: Event): boolean {
  return event.category !== null && REGISTRY.has(event.category);
}

/** The role of a non-process event judged from the event alone, or null. */
export function roleOfActivity(event: Event): Role | null {
  if (isRegistry(event)) {
    const target = text(event.fields.get('TargetObject')) ?? '';
    return /\\cmmgr32\.exe/i.test(target) ? 'profile registry write' : null;
  }
  if (event.category === 'process_access') {
    const trace = text(event.fields.get('CallTrace')) ?? '';
    if (/cmlua\.dll/i.test(trace)) return 'COM call trace';
    if (/advpack\.dll/i.test(trace) && baseName(text(event.fields.get('SourceImage'))) === 'dllhost.exe') return 'COM call trace';
    return null;
  }
  if (event.category === 'network_connection') {
    return baseName(text(event.fields.get('Image'))) === 'cmstp.exe' ? 'cmstp network' : null;
  }
  return null;
}

/** Kinds of event kept as `process activity` of a process already in a chain. */
export function isActivityKind(event: Event): boolean {
  return isRegistry(event) || event.category === 'file_event' || event.category === 'network_connection' || event.category === 'dns_query';
}

export function extensionDllWrite(event: Event): boolean {
  return /\\cmmgr32\.exe\\cmstpextensiondll$/i.test(text(event.fields.get('TargetObject')) ?? '');
}
