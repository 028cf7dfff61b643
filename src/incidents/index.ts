// Incidents: CMSTP / elevated-COM chains from lineage, with risk factors and triage.

export { IncidentBuilder, INCIDENT_RULE_ID, PACK_TECHNIQUES, type Enrichment, type IncidentOptions, type IncidentResult, type IncidentStats } from './builder.js';
export { ELEVATED_CLASSES, elevatedClassOf, isBenignElevatedChild, type ElevatedClass } from './com.js';
export { FACTORS, LEVEL_THRESHOLDS, argumentsOf, chainFactors, cmstpFactors, isInternalAddress, levelFor, scoreOf, type ChainFacts, type CmstpFacts, type FactorCode } from './risk.js';
export { triageFor } from './triage.js';
export type { Role } from './evidence.js';
