// Static analysis of INF files handed to cmstp.exe.
export { analyzeInf, analyzeParsedInf, INF_LEVELS, levelRank, type InfCommand, type InfLevel, type InfOcx, type InfReason, type InfReport, type InfUacTemplate, type InfVerdict } from './analyze.js';
export { parseInf, DEFAULT_INF_LIMITS, DIRIDS, type InfEntry, type InfLimits, type InfProblem, type InfProblemCode, type InfSection, type ParsedInf } from './parse.js';
export { decodeInf, type Decoded, type InfEncoding } from './decode.js';
