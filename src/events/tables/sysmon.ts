// Sysmon (Microsoft-Windows-Sysmon/Operational): its field names are Sigma's canonical names,
// so every event copies its view; the table only names the category per EventID.

import type { EventMapping, MappingTable } from '../mapping.js';
import type { Category } from '../model.js';

/** Ids and ports as numbers whatever the source wrote (flat JSON and CSV exports carry text). */
const NUMERIC = Object.fromEntries(
  ['ProcessId', 'ParentProcessId', 'SourceProcessId', 'TargetProcessId', 'SourcePort', 'DestinationPort', 'TerminalSessionId'].map(
    (name) => [name, { from: name, transform: 'number' } as const],
  ),
);

const all = (category: Category): EventMapping => ({ category, copyAll: true, fields: NUMERIC });

export const SYSMON_TABLE: MappingTable = {
  id: 'sysmon',
  kind: 'windows',
  match: { channel: ['Microsoft-Windows-Sysmon/Operational'], provider: ['Microsoft-Windows-Sysmon'] },
  key: ['EventID'],
  events: {
    1: all('process_creation'),
    2: all('file_change'),
    3: all('network_connection'),
    4: all('sysmon_status'),
    5: all('process_termination'),
    6: all('driver_load'),
    7: all('image_load'),
    8: all('create_remote_thread'),
    9: all('raw_access_thread'),
    10: all('process_access'),
    11: all('file_event'),
    // 12 is key create/delete (and value delete); Sigma splits it by EventType.
    12: [
      { ...all('registry_add'), when: { EventType: ['CreateKey'] } },
      { ...all('registry_delete'), when: { EventType: ['DeleteKey', 'DeleteValue'] } },
      all('registry_add'),
    ],
    13: all('registry_set'),
    14: all('registry_rename'),
    15: all('create_stream_hash'),
    16: all('sysmon_status'),
    17: all('pipe_created'),
    18: all('pipe_created'),
    19: all('wmi_event'),
    20: all('wmi_event'),
    21: all('wmi_event'),
    22: all('dns_query'),
    23: all('file_delete'),
    24: all('clipboard_change'),
    25: all('process_tampering'),
    26: all('file_delete'),
    255: all('sysmon_error'),
  },
};

/** PowerShell's own logs: module and script-block logging, and the classic engine log. */
export const POWERSHELL_TABLE: MappingTable = {
  id: 'powershell',
  kind: 'windows',
  match: { channel: ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'] },
  key: ['EventID'],
  events: {
    4103: all('ps_module'),
    4104: all('ps_script'),
  },
};

export const POWERSHELL_CLASSIC_TABLE: MappingTable = {
  id: 'powershell-classic',
  kind: 'windows',
  match: { channel: ['Windows PowerShell'] },
  key: ['EventID'],
  events: {
    400: all('ps_classic_start'),
    600: all('ps_classic_provider_start'),
    800: all('ps_classic_script'),
  },
};
