// Caps on everything a crafted file controls, so that no input can hang the reader or exhaust
// memory. Defaults are far above what Windows writes.

export interface EvtxLimits {
  /** Nested Binary XML values (type 0x21) inside one record. */
  maxFragmentDepth: number;
  /** Open elements at once within one fragment. */
  maxElementDepth: number;
  /** Substitution values in one template instance. */
  maxValues: number;
  /** Nodes decoded for one record, templates included. */
  maxNodesPerRecord: number;
  /** Items in one array value. */
  maxArrayItems: number;
}

export const DEFAULT_LIMITS: Readonly<EvtxLimits> = Object.freeze({
  maxFragmentDepth: 16,
  maxElementDepth: 128,
  maxValues: 4096,
  maxNodesPerRecord: 200_000,
  maxArrayItems: 65_536,
});
