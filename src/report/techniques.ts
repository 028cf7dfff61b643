// Names of the ATT&CK techniques this tool's rules and incidents refer to, for display. Techniques
// not listed are shown by id alone.

export const TECHNIQUE_NAMES: Readonly<Record<string, string>> = {
  T1218: 'System Binary Proxy Execution',
  'T1218.003': 'CMSTP',
  T1548: 'Abuse Elevation Control Mechanism',
  'T1548.002': 'Bypass User Account Control',
  T1559: 'Inter-Process Communication',
  'T1559.001': 'Component Object Model',
  T1112: 'Modify Registry',
  T1105: 'Ingress Tool Transfer',
  T1059: 'Command and Scripting Interpreter',
  'T1059.001': 'PowerShell',
  'T1059.003': 'Windows Command Shell',
  T1036: 'Masquerading',
  'T1036.003': 'Rename System Utilities',
  'T1036.005': 'Match Legitimate Name or Location',
  T1574: 'Hijack Execution Flow',
  'T1547.001': 'Registry Run Keys / Startup Folder',
  T1204: 'User Execution',
  'T1204.002': 'Malicious File',
  'T1566.001': 'Spearphishing Attachment',
  T1027: 'Obfuscated Files or Information',
};
