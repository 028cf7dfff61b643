// The mapping tables cmstp-hunt applies by default.

import type { MappingTable } from '../mapping.js';
import { ECS_TABLE } from './ecs.js';
import { MDE_TABLES } from './mde.js';
import { SECURITY_TABLE } from './security.js';
import { POWERSHELL_CLASSIC_TABLE, POWERSHELL_TABLE, SYSMON_TABLE } from './sysmon.js';

export const DEFAULT_TABLES: readonly MappingTable[] = [
  SYSMON_TABLE,
  SECURITY_TABLE,
  POWERSHELL_TABLE,
  POWERSHELL_CLASSIC_TABLE,
  ECS_TABLE,
  ...MDE_TABLES,
];
