// The compact shape of one process in a host's tree: what lineage and incidents need, never the
// whole event. Nodes come from creation events, or are inferred from a child's parent fields
// (or a Defender row's InitiatingProcess* columns) when the process's own creation is absent.

/** The telemetry a node was seen in. */
export type LineageSource = 'sysmon' | 'security' | 'mde' | 'ecs' | 'other';

/** What a creation event (or a child's parent fields) says about one process. */
export interface ProcessFacts {
  /** Lower-cased host name. */
  host: string;
  pid: number | null;
  /** Sysmon ProcessGuid, Defender-less ECS entity id; null for Security and Defender rows. */
  guid: string | null;
  image: string | null;
  commandLine: string | null;
  originalFileName: string | null;
  /** `Low`, `Medium`, `High`, `System`, … as Sysmon writes it. */
  integrity: string | null;
  /** `TokenElevationTypeFull` / `Default` / `Limited` (4688, Defender). */
  elevation: string | null;
  user: string | null;
  /** Start in ms since the epoch; null for inferred nodes whose start is unknown. */
  startMs: number | null;
  /** Start as ISO text (the source's precision). */
  time: string | null;
}

export interface ProcessNode extends ProcessFacts {
  /** Unique within one tree; stable while the node lives. */
  readonly id: number;
  readonly host: string;
  /** Termination in ms, when a termination event was seen. */
  endMs: number | null;
  sources: LineageSource[];
  /** True while the node is known only from a child's parent fields. */
  inferred: boolean;
  /** Earliest time the process is known to have been alive (its start, or a child's start). */
  seenMs: number | null;
  /** The parent as the creation event described it (used to resolve the link). */
  parentPid: number | null;
  parentGuid: string | null;
  parentStartMs: number | null;
  parentImage: string | null;
  /** Resolved parent node id (null: none found). */
  parentId: number | null;
}

/** The file name of a Windows or POSIX path, lower-cased (`C:\X\CMSTP.EXE` → `cmstp.exe`). */
export function baseName(path: string | null): string | null {
  if (path === null || path === '') return null;
  const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return path.slice(cut + 1).toLowerCase();
}
