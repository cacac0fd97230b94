/**
 * Layer-7 fetches on the request and the response (HAProxy 2.6 names and defaults). In an
 * ACL, `hdr()`-style fetches without an occurrence test every value; in an expression they
 * yield the last one.
 */
import { defineFetch } from '../registry.ts';
import type { FetchDef } from '../registry.ts';
import type { HttpResponseView, HttpRequestView, Sample, SampleContext } from '../types.ts';
import { intArg } from '../args.ts';
import { eachCookie, eachHeader, headerCount, headerOcc } from './headers.ts';
import { eachUrlParam, pathOf, pathqOf, queryOf } from './uri.ts';

const str = (v: string | null): Sample | null => (v === null ? null : { type: 'str', v });

function reqStr(name: string, get: (r: HttpRequestView) => string | null, match: FetchDef['match'] = 'str'): void {
  defineFetch({ name, minArgs: 0, maxArgs: 0, out: 'str', stage: 'request', match, compile: () => (c) => (c.req ? str(get(c.req)) : null) });
}

reqStr('path', (r) => pathOf(r.target));
reqStr('pathq', (r) => pathqOf(r.target));
reqStr('url', (r) => r.target);
reqStr('query', (r) => queryOf(r.target));
defineFetch({ name: 'req.ver', minArgs: 0, maxArgs: 0, out: 'str', stage: 'request', match: 'str', compile: () => (c) => (c.req ? { type: 'str', v: c.req.version } : null) }, 'req_ver');
defineFetch({
  name: 'base', minArgs: 0, maxArgs: 0, out: 'str', stage: 'request', match: 'str',
  compile: () => (c) => {
    if (!c.req) return null;
    const path = pathOf(c.req.target);
    const host = headerOcc(c.req, 'host', true, 1);
    if (host === null) return str(path);
    return { type: 'str', v: host + (path ?? '') };
  },
});
defineFetch({
  name: 'method', minArgs: 0, maxArgs: 0, out: 'meth', stage: 'request', match: 'meth',
  compile: () => (c) => (c.req ? { type: 'meth', v: c.req.method } : null),
});
defineFetch({
  name: 'url_param', minArgs: 0, maxArgs: 2, out: 'str', stage: 'request', match: 'str',
  // In an expression, the first value; in an ACL, every one (eachUrlParam).
  compile: (args) => {
    const name = args[0] ?? '';
    const delim = args[1]?.[0] ?? '?';
    return (c) => {
      if (!c.req) return null;
      let v: string | null = null;
      eachUrlParam(c.req.target, name, delim, (x) => { v = x; return true; });
      return str(v);
    };
  },
  compileEach: (args) => {
    const name = args[0] ?? '';
    const delim = args[1]?.[0] ?? '?';
    return (c, visit) => (c.req ? eachUrlParam(c.req.target, name, delim, (v) => visit({ type: 'str', v })) : false);
  },
}, 'urlp');

type View = HttpRequestView | HttpResponseView;

/** hdr/fhdr families for one side: (name[,occ]) values and _cnt counts. */
function headerFetches(prefix: string, side: 'req' | 'res', full: boolean, aliases: string[], cntAliases: string[]): void {
  const view = side === 'req' ? (c: SampleContext): View | null => c.req : (c: SampleContext): View | null => c.res;
  const stage = side === 'req' ? 'request' : 'response';
  defineFetch({
    name: prefix, minArgs: 0, maxArgs: 2, out: 'str', stage, match: 'str',
    // Without a name, HAProxy walks whole field lines (no comma splitting).
    compile: (args) => {
      const name = (args[0] ?? '').toLowerCase();
      const occ = args[1] !== undefined && args[1] !== '' ? intArg(prefix, args[1]) : 0;
      const f = full || name === '';
      return (c) => { const m = view(c); return m ? str(headerOcc(m, name, f, occ)) : null; };
    },
    compileEach: (args) => {
      if (args[1] !== undefined && args[1] !== '') return null;
      const name = (args[0] ?? '').toLowerCase();
      const f = full || name === '';
      return (c, visit) => {
        const m = view(c);
        return m ? eachHeader(m, name, f, (x) => visit({ type: 'str', v: x })) : false;
      };
    },
  }, ...aliases);
  defineFetch({
    name: prefix + '_cnt', minArgs: 0, maxArgs: 1, out: 'sint', stage, match: 'int',
    compile: (args) => {
      const name = (args[0] ?? '').toLowerCase();
      const f = full || name === '';
      return (c) => { const m = view(c); return m ? { type: 'sint', v: headerCount(m, name, f) } : null; };
    },
  }, ...cntAliases);
}

// HAProxy 2.6 declares the unqualified hdr/hdr_cnt as request fetches.
headerFetches('req.hdr', 'req', false, ['hdr'], ['hdr_cnt']);
headerFetches('req.fhdr', 'req', true, [], []);
headerFetches('res.hdr', 'res', false, ['shdr'], ['shdr_cnt']);
headerFetches('res.fhdr', 'res', true, [], []);

defineFetch({
  name: 'req.cook', minArgs: 0, maxArgs: 1, out: 'str', stage: 'request', match: 'str',
  compile: (args) => {
    const name = args[0] ?? '';
    return (c) => {
      if (!c.req) return null;
      let last: string | null = null;
      eachCookie(c.req, 'cookie', name, (v) => { last = v; return false; });
      return str(last);
    };
  },
  compileEach: (args) => {
    const name = args[0] ?? '';
    return (c, visit) => (c.req ? eachCookie(c.req, 'cookie', name, (v) => visit({ type: 'str', v })) : false);
  },
}, 'cook');
defineFetch({
  name: 'req.cook_cnt', minArgs: 0, maxArgs: 1, out: 'sint', stage: 'request', match: 'int',
  compile: (args) => {
    const name = args[0] ?? '';
    return (c) => {
      if (!c.req) return null;
      let n = 0;
      eachCookie(c.req, 'cookie', name, () => { n++; return false; });
      return { type: 'sint', v: n };
    };
  },
}, 'cook_cnt');

defineFetch({
  name: 'status', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'response', match: 'int',
  compile: () => (c) => (c.res ? { type: 'sint', v: c.res.status } : null),
}, 'res.status');
defineFetch({
  name: 'req.body', minArgs: 0, maxArgs: 0, out: 'bin', stage: 'request', match: null,
  // HAProxy answers an empty body (found) when there is none or it was not buffered.
  compile: () => {
    const empty: Sample = { type: 'bin', v: Buffer.alloc(0) };
    return (c) => { if (!c.req) return null; const b = c.req.body(); return b ? { type: 'bin', v: b } : empty; };
  },
});
// req.len lives with the payload fetches (payload.ts).
/** True when the request is HTTP (used by the predefined ACL HTTP). */
defineFetch({
  name: 'req.proto_http', minArgs: 0, maxArgs: 0, out: 'bool', stage: 'request', match: 'bool',
  compile: () => (c) => ({ type: 'bool', v: c.req !== null }),
}, 'req_proto_http');
/** Integer value of a header (hdr_val): the header's text read as an integer. */
defineFetch({
  name: 'req.hdr_val', minArgs: 1, maxArgs: 2, out: 'sint', stage: 'request', match: 'int',
  compile: (args) => {
    const name = args[0]!.toLowerCase();
    const occ = args[1] !== undefined && args[1] !== '' ? intArg('req.hdr_val', args[1]) : 0;
    return (c) => {
      const v = c.req ? headerOcc(c.req, name, false, occ) : null;
      if (v === null) return null;
      const m = /^[-+]?[0-9]*/.exec(v)![0];
      return { type: 'sint', v: Number(m) || 0 };
    };
  },
}, 'hdr_val');
