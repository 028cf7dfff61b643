// The auto-elevated COM classes of the CMSTP family and their relatives, as the public rules
// list them (see docs in the shared catalogue, section 2.7), and how to read them off a
// `DllHost.exe /Processid:{CLSID}` command line.

export interface ElevatedClass {
  clsid: string;
  name: string;
  /** CMSTP's own classes (Connection Manager); the others are related elevated-COM bypasses. */
  cmstp: boolean;
}

export const ELEVATED_CLASSES: readonly ElevatedClass[] = [
  { clsid: '3E5FC7F9-9A51-4367-9063-A120244FBEC7', name: 'CMSTPLUA (ICMLuaUtil)', cmstp: true },
  { clsid: '3E000D72-A845-4CD9-BD83-80C07C3B881F', name: 'CMLUAUTIL', cmstp: true },
  { clsid: 'BA126F01-2166-11D1-B1D0-00805FC1270E', name: 'Connection Manager LUA Host Object', cmstp: true },
  { clsid: 'D2E7041B-2927-42FB-8E9F-7CE93B6DC937', name: 'ColorDataProxy (colorui)', cmstp: false },
  { clsid: 'BD54C901-076B-434E-B6C7-17C531F4AB41', name: 'EditionUpgradeManager', cmstp: false },
  { clsid: 'E9495B87-D950-4AB5-87A5-FF6D70BF3E90', name: 'IWscAdmin (wscui.cpl)', cmstp: false },
];

const BY_CLSID = new Map(ELEVATED_CLASSES.map((c) => [c.clsid, c]));
const PROCESSID = /\/processid:\s*\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}/i;

/** The elevated class a DllHost command line hosts, or null (any other class, or no CLSID). */
export function elevatedClassOf(commandLine: string | null): ElevatedClass | null {
  if (commandLine === null) return null;
  const m = PROCESSID.exec(commandLine);
  return m === null ? null : (BY_CLSID.get(m[1]!.toUpperCase()) ?? null);
}

/** Children an elevated COM host starts legitimately (Elastic and Sigma exclusions). */
export function isBenignElevatedChild(image: string | null, commandLine: string | null): boolean {
  const name = (image ?? '').toLowerCase();
  if (/\\(werfault|wermgr|dccw)\.exe$/.test(name) && /^[a-z]:\\windows\\(system32|syswow64)\\/.test(name)) return true;
  return /\\program files\\wireguard\\wireguard\.exe$/.test(name) && /\/installmanagerservice/i.test(commandLine ?? '');
}
