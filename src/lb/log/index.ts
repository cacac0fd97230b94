/**
 * The logging library's public face for the core and the configuration:
 * createAccessLog() per frontend, the parsed-settings types, counters and shutdown.
 */
export { createAccessLog, isErrorRecord, resolveTargets, selectFormat } from './access-log.ts';
export type { AccessLog, AccessLogOptions, AccessLogProxy } from './access-log.ts';
export { compileLogFormat, evaluateLogFormat } from './format.ts';
export type { CompiledFormat, LogValue, SampleCompiler } from './format.ts';
export { logSampleCompiler } from './samples.ts';
export type { SampleUse } from './samples.ts';
export { compileUniqueId } from './unique-id.ts';
export type { UniqueIdGen, UniqueIdSource } from './unique-id.ts';
export { logCounters, closeLogSinks } from './sinks.ts';
export type { LogRecord } from './record.ts';
export type { GlobalLogSettings, LogTarget, ProxyLogSettings } from './types.ts';
