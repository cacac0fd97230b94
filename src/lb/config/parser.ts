/**
 * Reads HAProxy configuration files into a Config.
 *
 * Two phases, as in HAProxy: this file reads lines (conditional blocks, directives,
 * section headers, keyword dispatch) and collects every error with file:line; then
 * finalize.ts checks what needs the whole picture (backend references, listeners).
 * Nothing here touches the network.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseContext } from './context.ts';
import { tokenize, TokenizeError } from './tokenizer.ts';
import { evaluateCondition, ConditionError } from './conditions.ts';
import { parseGlobalLine } from './sections/global.ts';
import { parseErrorfile, parseProxyLine, NAME_RE } from './sections/proxy.ts';
import { openUserlist, parseUserlistLine } from './sections/userlist.ts';
import { UNSUPPORTED_SECTIONS } from './sections/unsupported.ts';
import { finalize } from './finalize.ts';
import type { Config, DefaultsConfig, Diagnostic, ProxyConfig, ProxySettings } from './types.ts';
import { defaultBalance, cloneBalance } from '../algo/config.ts';
import { cloneStats } from '../stats/config.ts';
import { defaultProxyCheck, cloneProxyCheck } from '../check/config.ts';
import { defaultProxyLog, cloneProxyLog } from '../log/types.ts';

/** Longest line we accept; HAProxy's is 2048 bytes, we are more lenient but bounded. */
const MAX_LINE_LENGTH = 65_536;
const MAX_ARGS = 64;

export interface ParseResult {
  config: Config;
  diagnostics: Diagnostic[];
  ok: boolean;
}

export function emptySettings(): ProxySettings {
  return {
    mode: 'tcp',
    timeouts: {},
    balance: defaultBalance(),
    healthCheck: defaultProxyCheck(),
    httpReuse: 'safe',
    retries: 3,
    cookie: null,
    stats: null,
    retryOn: { connFailure: true, emptyResponse: false, junkResponse: false, responseTimeout: false, statuses: [] },
    options: { tcplog: false, dontlognull: false, redispatch: 0, redispatchOn: false, httpConnMode: 'keep-alive', forwardfor: null, originalto: null, forwarded: null, allbackups: false, abortonclose: false, persist: false },
    serverDefaults: {},
    errorfiles: {},
    errorfilesRefs: [],
    log: defaultProxyLog(),
    acls: new Map(),
  };
}

function cloneSettings(s: ProxySettings): ProxySettings {
  return {
    mode: s.mode,
    maxconn: s.maxconn,
    timeouts: { ...s.timeouts },
    balance: cloneBalance(s.balance),
    fullconn: s.fullconn,
    healthCheck: cloneProxyCheck(s.healthCheck),
    httpReuse: s.httpReuse,
    retries: s.retries,
    retryOn: structuredClone(s.retryOn),
    cookie: structuredClone(s.cookie),
    stats: cloneStats(s.stats),
    monitorUri: s.monitorUri,
    tcpInspectDelay: s.tcpInspectDelay,
    options: { ...s.options },
    serverDefaults: structuredClone(s.serverDefaults),
    defaultBackend: s.defaultBackend,
    errorfiles: { ...s.errorfiles },
    errorfilesRefs: [...s.errorfilesRefs],
    log: cloneProxyLog(s.log),
    // HAProxy 2.6: ACLs belong to their proxy; defaults sections cannot declare any.
    acls: new Map(),
  };
}

/**
 * Expands `-f` arguments: a directory contributes, in lexical order, its regular files
 * whose name does not start with '.' and whose first ".cfg" ends the name (HAProxy's
 * rule: "x.cfg.cfg" is skipped; subdirectories are skipped, symlinks followed).
 */
export function expandConfigPaths(paths: string[], ctx?: ParseContext): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      ctx?.alert('SY_ERR_CFG_READ', `Cannot open configuration file/directory ${p} : ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`, null);
      continue;
    }
    if (st.isDirectory()) {
      const names = readdirSync(p).filter((n) => !n.startsWith('.') && n.indexOf('.cfg') === n.length - 4).sort();
      for (const n of names) {
        const f = join(p, n);
        try {
          if (statSync(f).isFile()) out.push(f);
        } catch {
          // A dangling symlink: HAProxy fails on it; let the reader report it.
          out.push(f);
        }
      }
    } else {
      out.push(p);
    }
  }
  return out;
}

export function parseConfigFiles(paths: string[], env: NodeJS.ProcessEnv = { ...process.env }): ParseResult {
  const config: Config = {
    files: [],
    global: { daemon: false, quiet: false, statsSockets: [], statsTimeout: 10_000 },
    proxies: [],
  };
  const ctx = new ParseContext(config, env);
  const files = expandConfigPaths(paths, ctx);
  config.files = files;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      ctx.alert('SY_ERR_CFG_READ', `Could not open configuration file ${file} : ${(e as Error).message}`, null);
      continue;
    }
    parseText(ctx, file, text);
  }
  if (!ctx.hasAlerts) finalize(ctx);
  return { config, diagnostics: ctx.diagnostics, ok: !ctx.hasAlerts };
}

/** Parses one file's text into ctx (exported for unit tests). */
export function parseText(ctx: ParseContext, file: string, text: string): void {
  const lines = text.split('\n');
  // Conditional block stack: each level knows if its branch is active and if any branch was taken.
  const conds: { active: boolean; taken: boolean; sawElse: boolean; line: number; parentActive: boolean }[] = [];
  const active = (): boolean => conds.length === 0 || conds[conds.length - 1]!.active;
  ctx.section = { kind: 'none' };
  for (let i = 0; i < lines.length; i++) {
    ctx.where = { file, line: i + 1 };
    let raw = lines[i]!;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.length > MAX_LINE_LENGTH) {
      ctx.alert('SY_ERR_CFG_SYNTAX', `line too long (${raw.length} characters; the limit is ${MAX_LINE_LENGTH}).`);
      continue;
    }
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const isCondKeyword = /^\.(if|elif|else|endif)(\s|$)/.test(trimmed);
    if (!active() && !isCondKeyword) continue;
    // Inside a skipped branch, only block structure matters: don't expand or judge the line.
    if (!active() && isCondKeyword) {
      const kw = trimmed.split(/\s/)[0];
      if (kw === '.if') { conds.push({ active: false, taken: true, sawElse: false, line: i + 1, parentActive: false }); continue; }
    }
    let words: string[];
    try {
      words = tokenize(raw, ctx.env, { file, line: i + 1, section: sectionName(ctx) }).words;
    } catch (e) {
      if (e instanceof TokenizeError) {
        ctx.alert('SY_ERR_CFG_SYNTAX', `${e.message} at position ${e.column}:\n  ${raw}\n  ${' '.repeat(Math.max(0, e.column - 1))}^`);
        continue;
      }
      throw e;
    }
    // HAProxy's keyword parsers stop at the first empty word (an unset "${VAR}"), and a
    // line whose first word is empty is blank.
    const firstEmpty = words.indexOf('');
    if (firstEmpty >= 0 && !words[0]!.startsWith('.')) words = words.slice(0, firstEmpty);
    if (words.length === 0) continue;
    if (words.length > MAX_ARGS) {
      ctx.alert('SY_ERR_CFG_SYNTAX', `too many words, truncating after word ${MAX_ARGS}; a line may hold at most ${MAX_ARGS} words.`);
      continue;
    }
    const kw = words[0]!;
    if (kw.startsWith('.')) {
      handleDirective(ctx, words, conds, i + 1);
      continue;
    }
    dispatch(ctx, words);
  }
  if (text.length > 0 && !text.endsWith('\n')) {
    ctx.where = { file, line: lines.length };
    ctx.alert('SY_ERR_CFG_SYNTAX', `Missing LF on last line, file might have been truncated at position ${lines[lines.length - 1]!.length + 1}.`);
  }
  for (const c of conds) {
    ctx.alert('SY_ERR_CFG_CONDITION', `unterminated '.if' block starting here; add the matching '.endif'.`, { file, line: c.line });
  }
}

/** What `${.SECTION}` expands to: the section's name, or its keyword when it has none. */
function sectionName(ctx: ParseContext): string {
  const s = ctx.section;
  switch (s.kind) {
    case 'none': return '';
    case 'global': return 'global';
    case 'defaults': return s.defaults.name || 'defaults';
    case 'proxy': return s.proxy.name;
    case 'unsupported': return s.name;
    case 'http-errors': return s.name;
    case 'userlist': return s.list?.name ?? 'userlist';
  }
}

type CondFrame = { active: boolean; taken: boolean; sawElse: boolean; line: number; parentActive: boolean };

function handleDirective(ctx: ParseContext, words: string[], conds: CondFrame[], line: number): void {
  const kw = words[0]!;
  const top = conds[conds.length - 1];
  const expr = words.slice(1).join(' ');
  const evalCond = (): boolean => {
    try {
      return evaluateCondition(expr, ctx.env);
    } catch (e) {
      if (e instanceof ConditionError) {
        ctx.alert('SY_ERR_CFG_CONDITION', `${e.message} in '${kw}' at position ${e.position}.`);
        return false;
      }
      throw e;
    }
  };
  switch (kw) {
    case '.if': {
      const parentActive = conds.length === 0 || conds[conds.length - 1]!.active;
      const v = parentActive && evalCond();
      conds.push({ active: v, taken: v, sawElse: false, line, parentActive });
      return;
    }
    case '.elif':
      if (!top) return ctx.alert('SY_ERR_CFG_CONDITION', `'.elif' appears without a matching '.if'.`);
      if (top.sawElse) return ctx.alert('SY_ERR_CFG_CONDITION', `'.elif' after '.else' is not allowed.`);
      if (top.taken || !top.parentActive) { top.active = false; return; }
      top.active = evalCond();
      top.taken = top.active;
      return;
    case '.else':
      if (!top) return ctx.alert('SY_ERR_CFG_CONDITION', `'.else' appears without a matching '.if'.`);
      if (top.sawElse) return ctx.alert('SY_ERR_CFG_CONDITION', `'.else' appears twice in the same '.if' block.`);
      if (words.length > 1) return ctx.alert('SY_ERR_CFG_CONDITION', `'.else' takes no argument.`);
      top.sawElse = true;
      top.active = top.parentActive && !top.taken;
      top.taken = true;
      return;
    case '.endif':
      if (!top) return ctx.alert('SY_ERR_CFG_CONDITION', `'.endif' appears without a matching '.if'.`);
      if (words.length > 1) return ctx.alert('SY_ERR_CFG_CONDITION', `'.endif' takes no argument.`);
      conds.pop();
      return;
    case '.diag': case '.notice': case '.warning': case '.alert': {
      if (words.length > 2) {
        return ctx.alert('SY_ERR_CFG_ARG', `Unexpected argument '${words[2]}' for '${kw}'. Use quotes if the message should contain spaces.`);
      }
      const msg = `'${words[1] ?? ''}'.`;
      if (kw === '.alert') ctx.alert('SY_ERR_CFG_DIRECTIVE_ALERT', msg);
      else if (kw === '.warning') ctx.warning(msg);
      else ctx.notice(msg, kw === '.diag' ? 'diag' : 'notice');
      return;
    }
  }
  ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown directive '${kw}'; allowed: .if, .elif, .else, .endif, .diag, .notice, .warning, .alert.`);
}

function dispatch(ctx: ParseContext, words: string[]): void {
  const kw = words[0]!;
  switch (kw) {
    case 'global':
      if (words.length > 1) ctx.alert('SY_ERR_CFG_ARG', `'global' cannot handle unexpected argument '${words[1]}'.`);
      ctx.section = { kind: 'global' };
      return;
    case 'defaults':
      return openDefaults(ctx, words);
    case 'frontend': case 'backend': case 'listen':
      return openProxy(ctx, kw, words);
  }
  if (kw === 'http-errors') return openHttpErrors(ctx, words);
  if (kw === 'userlist') { ctx.section = { kind: 'userlist', list: openUserlist(ctx, words) }; return; }
  if (UNSUPPORTED_SECTIONS.has(kw)) {
    ctx.alert('SY_ERR_CFG_NOT_IMPLEMENTED', `'${kw}' sections are valid in HAProxy but not implemented yet in Switchyard; this section is skipped.`);
    ctx.section = { kind: 'unsupported', name: kw };
    return;
  }
  const s = ctx.section;
  switch (s.kind) {
    case 'none':
      return ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown keyword '${kw}' out of section; sections are: global, defaults, frontend, backend, listen.`);
    case 'unsupported':
      return;
    case 'global':
      return parseGlobalLine(ctx, words);
    case 'defaults':
      return parseProxyLine(ctx, { defaults: s.defaults }, words);
    case 'proxy':
      return parseProxyLine(ctx, { proxy: s.proxy }, words);
    case 'userlist':
      if (s.list) parseUserlistLine(ctx, s.list, words);
      return;
    case 'http-errors':
      if (kw !== 'errorfile') return ctx.alert('SY_ERR_CFG_UNKNOWN_KEYWORD', `unknown keyword '${kw}' in 'http-errors' section; supported: errorfile.`);
      return parseErrorfile(ctx, { errorfiles: s.files }, words);
  }
}

/** `http-errors NAME`: a named set of errorfiles that proxies use with `errorfiles NAME`. */
function openHttpErrors(ctx: ParseContext, words: string[]): void {
  const name = words[1];
  const files: Record<number, Buffer> = {};
  ctx.section = { kind: 'http-errors', name: name ?? '', files };
  if (!name) return ctx.alert('SY_ERR_CFG_ARG', `'http-errors' expects <name> as argument.`);
  if (words.length > 2) ctx.alert('SY_ERR_CFG_ARG', `'http-errors' : unexpected argument '${words[2]}'.`);
  const all = (ctx.config.httpErrors ??= new Map());
  const prev = all.get(name);
  if (prev) return ctx.alert('SY_ERR_CFG_DUPLICATE', `http-errors section '${name}' has the same name as another one declared at ${prev.where.file}:${prev.where.line}.`);
  all.set(name, { where: { ...ctx.where }, files });
}

function badNameChar(name: string): string | undefined {
  return [...name].find((c) => !NAME_RE.test(c));
}

/** For a defaults section that reused an earlier section's name: where that one was. */
const ambiguousDefaults = new WeakMap<DefaultsConfig, { file: string; line: number }>();

/** The defaults section `from NAME` designates, or undefined after reporting why not. */
function findDefaults(ctx: ParseContext, name: string, user: string): DefaultsConfig | undefined {
  const d = ctx.defaults.get(name);
  if (!d) {
    ctx.alert('SY_ERR_CFG_REFERENCE', `defaults section '${name}' not found for ${user}.`);
    return undefined;
  }
  const earlier = ambiguousDefaults.get(d);
  if (earlier) {
    ctx.alert('SY_ERR_CFG_DUPLICATE', `ambiguous defaults section name '${name}' referenced by ${user} exists at least at ${earlier.file}:${earlier.line} and ${d.where.file}:${d.where.line}.`);
    return undefined;
  }
  return d;
}

function openDefaults(ctx: ParseContext, words: string[]): void {
  let name = '';
  let from: string | undefined;
  let i = 1;
  if (words[i] && words[i] !== 'from') name = words[i++]!;
  if (words[i] === 'from') {
    from = words[i + 1];
    if (!from) ctx.alert('SY_ERR_CFG_ARG', `'defaults ${name}' : 'from' expects a defaults section name.`);
  }
  if (name && badNameChar(name)) {
    ctx.alert('SY_ERR_CFG_ARG', `character '${badNameChar(name)}' is not permitted in 'defaults' name '${name}'.`);
  }
  let base: ProxySettings = emptySettings();
  if (from) {
    const d = findDefaults(ctx, from, `defaults '${name}'`);
    if (d) base = d;
  }
  const d: DefaultsConfig = { ...cloneSettings(base), name, where: { ...ctx.where } };
  if (name) {
    const prev = ctx.defaults.get(name);
    // Two defaults sections may share a name; only referencing that name is an error.
    if (prev) ambiguousDefaults.set(d, prev.where);
    ctx.defaults.set(name, d);
  }
  ctx.lastDefaults = d;
  ctx.section = { kind: 'defaults', defaults: d };
}

function openProxy(ctx: ParseContext, kind: 'frontend' | 'backend' | 'listen', words: string[]): void {
  const name = words[1];
  if (!name) {
    ctx.alert('SY_ERR_CFG_ARG', `'${kind}' expects an <id> argument.`);
    ctx.section = { kind: 'unsupported', name: kind };
    return;
  }
  const bad = badNameChar(name);
  if (bad) ctx.alert('SY_ERR_CFG_ARG', `character '${bad}' is not permitted in '${kind}' name '${name}'.`);
  let i = 2;
  let bindText: string | undefined;
  if (words[i] && words[i] !== 'from') bindText = words[i++];
  let base: ProxySettings | undefined = ctx.lastDefaults;
  if (words[i] === 'from') {
    const from = words[i + 1];
    if (!from) ctx.alert('SY_ERR_CFG_ARG', `'${kind} ${name}' : 'from' expects a defaults section name.`);
    else {
      const d = findDefaults(ctx, from, `${kind} '${name}'`);
      if (d) base = d;
    }
    i += 2;
  }
  if (words[i] !== undefined) ctx.alert('SY_ERR_CFG_ARG', `'${kind} ${name}' : unexpected argument '${words[i]}'.`);
  const cap = { frontend: kind !== 'backend', backend: kind !== 'frontend' };
  for (const other of ctx.config.proxies) {
    if (other.name !== name) continue;
    if ((cap.frontend && other.cap.frontend) || (cap.backend && other.cap.backend)) {
      ctx.alert('SY_ERR_CFG_DUPLICATE', `${kind} '${name}' has the same name as ${other.kind === 'listen' ? 'proxy' : other.kind} '${name}' declared at ${other.where.file}:${other.where.line}.`);
    }
  }
  const proxy: ProxyConfig = {
    ...cloneSettings(base ?? emptySettings()),
    kind,
    name,
    where: { ...ctx.where },
    id: ctx.config.proxies.length + 1,
    binds: [],
    useBackends: [],
    servers: [],
    httpRequestRules: [],
    httpResponseRules: [],
    tcpConnectionRules: [],
    httpAfterResponseRules: [],
    tcpSessionRules: [],
    tcpContentRules: [],
    captures: { request: [], response: [] },
    monitorFail: [],
    persistRules: [],
    useServers: [],
    stickRules: [],
    cap,
  };
  // default_backend only makes sense for frontends; a backend inherits none.
  if (!cap.frontend) delete proxy.defaultBackend;
  if (!cap.backend) proxy.serverDefaults = {};
  ctx.config.proxies.push(proxy);
  ctx.section = { kind: 'proxy', proxy };
  if (bindText !== undefined) {
    if (!cap.frontend) ctx.alert('SY_ERR_CFG_NOT_ALLOWED', `backend '${name}' : no bind address allowed on a backend line.`);
    else parseProxyLine(ctx, { proxy }, ['bind', bindText]);
  }
}
