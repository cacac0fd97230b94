/**
 * The sample/ACL engine's public surface (HAProxy 2.6 §7). Configuration-time compilers
 * turn text into closures once; at run time the proxy hands a `SampleContext` to them.
 *
 *   compileExpr('req.hdr(host),lower', env).eval(ctx)        → Sample | null
 *   addAclLine(proxy.acls, name, words, env)                  ← one `acl` line
 *   compileCondition(['if', …], proxy.acls, { env, stage }).test(ctx) → boolean
 *   compileLogFormat('x=%[path]', { env }).render(ctx)        → string
 *   maps.get(path)?.add/del/set/clear                         ← runtime API
 *
 * Errors at compile time are `SampleError` (code SY_ERR_CFG_ACL / _SAMPLE /
 * _PATTERN_FILE); nothing throws at run time (a missing sample is null / no match).
 */
export type * from './types.ts';
export { SampleError } from './types.ts';
export { compileExpr, parseExpr, fetchUsableAt } from './expr.ts';
export type { CompiledExpr } from './expr.ts';
export { Acl, addAclLine, compileTerm } from './acl.ts';
export type { AclTable, AclTerm } from './acl.ts';
export { compileCondition } from './condition.ts';
export type { CompiledCondition, ConditionOptions } from './condition.ts';
export { compileLogFormat } from './logformat.ts';
export type { CompiledLogFormat, LogFormatOptions, LogPart } from './logformat.ts';
export { maps, MapRegistry, PatternRef, parseMapText } from './maps.ts';
export { MapVarStore, parseVarName } from './vars.ts';
export { sampleToString, sampleToSint, sampleToBool, sampleToBin, castFn } from './casts.ts';
export { PREDEFINED_ACL_NAMES } from './predefined.ts';
export { FETCHES, CONVERTERS } from './registry.ts';
export { requestView, responseView, editedRequestView, editedResponseView } from './http-view.ts';
export { testContext, parseRequestHead as parseTestRequest } from './test-context.ts';
