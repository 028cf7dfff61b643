// Process lineage: per-host process trees from creation and termination events of any source.

export { ProcessTree, sameImage, type TreeOptions, type TreeStats } from './tree.js';
export { baseName, type LineageSource, type ProcessNode } from './node.js';
export { actorOf, creationOf, hostOf, normGuid, targetOf, terminationOf, timeMs, type CreationRecord, type ProcessRef } from './record.js';
