/**
 * Fetches over the request body buffered by `http-request wait-for-body` or
 * `option http-buffer-request` (HAProxy 2.6): `req.body_len` (bytes buffered),
 * `req.body_size` (the announced length, else what is buffered) and
 * `req.body_param(name[,i])` (a field of an application/x-www-form-urlencoded body,
 * `i` ignoring case). `req.body` itself sits with the other HTTP fetches (http.ts).
 * Without a buffered body they see an empty one, as HAProxy does.
 */
import type { HttpRequestView, Sample } from '../types.ts';
import { SampleError } from '../types.ts';
import { defineFetch } from '../registry.ts';

function body(req: HttpRequestView): Buffer {
  return req.body() ?? Buffer.alloc(0);
}

defineFetch({
  name: 'req.body_len', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'request', match: 'int',
  compile: () => (c) => (c.req ? { type: 'sint', v: body(c.req).length } : null),
});

defineFetch({
  name: 'req.body_size', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'request', match: 'int',
  compile: () => (c) => {
    const req = c.req;
    if (!req) return null;
    for (let i = 0; i < req.fieldCount; i++) {
      if (req.fieldName(i) === 'content-length') return { type: 'sint', v: Number(req.fieldValue(i)) || 0 };
    }
    return { type: 'sint', v: body(req).length };
  },
});

defineFetch({
  name: 'req.body_param', minArgs: 0, maxArgs: 2, out: 'str', stage: 'request', match: 'str',
  compile: (args) => {
    if (args[1] !== undefined && args[1] !== '' && args[1] !== 'i') throw new SampleError(`'req.body_param' : the second argument may only be 'i', got '${args[1]}'`);
    const ci = args[1] === 'i';
    const name = ci ? (args[0] ?? '').toLowerCase() : args[0] ?? '';
    return (c): Sample | null => {
      if (!c.req) return null;
      for (const part of body(c.req).toString('latin1').split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const n = eq < 0 ? part : part.slice(0, eq);
        if (name === '' || (ci ? n.toLowerCase() : n) === name) return { type: 'str', v: eq < 0 ? '' : part.slice(eq + 1) };
      }
      return null;
    };
  },
});
