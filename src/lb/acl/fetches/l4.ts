/**
 * Connection-level fetches (addresses, ports, proxy and server names) and the backend
 * state fetches (nbsrv, be_conn, connslots, queue, avg_queue, srv_is_up). Names given as
 * arguments are checked against the known backends when the environment lists them.
 */
import { defineFetch } from '../registry.ts';
import type { BackendStats, CompileEnv, Sample, SampleContext } from '../types.ts';
import { SampleError } from '../types.ts';
import { parseIPv4, parseIPv6 } from '../ip.ts';

function addr(text: string | null): Sample | null {
  if (text === null) return null;
  const v4 = parseIPv4(text);
  if (v4 !== null) return { type: 'ipv4', v: v4 };
  const v6 = parseIPv6(text);
  return v6 ? { type: 'ipv6', v: v6 } : null;
}

defineFetch({ name: 'src', minArgs: 0, maxArgs: 0, out: 'addr', stage: 'connection', match: 'ip', compile: () => (c) => addr(c.srcAddr) });
defineFetch({ name: 'dst', minArgs: 0, maxArgs: 0, out: 'addr', stage: 'connection', match: 'ip', compile: () => (c) => addr(c.dstAddr) });
defineFetch({ name: 'src_port', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'connection', match: 'int', compile: () => (c) => ({ type: 'sint', v: c.srcPort }) });
defineFetch({ name: 'dst_port', minArgs: 0, maxArgs: 0, out: 'sint', stage: 'connection', match: 'int', compile: () => (c) => ({ type: 'sint', v: c.dstPort }) });
defineFetch({ name: 'fe_name', minArgs: 0, maxArgs: 0, out: 'str', stage: 'connection', match: 'str', compile: () => (c) => ({ type: 'str', v: c.frontendName }) });
defineFetch({ name: 'be_name', minArgs: 0, maxArgs: 0, out: 'str', stage: 'connection', match: 'str', compile: () => (c) => (c.backendName === null ? null : { type: 'str', v: c.backendName }) });
defineFetch({ name: 'srv_name', minArgs: 0, maxArgs: 0, out: 'str', stage: 'connection', match: 'str', compile: () => (c) => (c.serverName === null ? null : { type: 'str', v: c.serverName }) });

function checkBackend(owner: string, name: string, env: CompileEnv): void {
  if (env.backendNames && !env.backendNames.has(name)) {
    throw new SampleError(`unable to find backend '${name}' referenced in arg 1 of sample fetch keyword '${owner}'`);
  }
}

/** The backend named by the optional argument, else the stream's current backend. */
function backendOf(owner: string, args: string[], env: CompileEnv): (c: SampleContext) => BackendStats | null {
  const name = args[0];
  if (name === undefined || name === '') return (c) => c.currentBackend;
  checkBackend(owner, name, env);
  return (c) => (c.backends ? c.backends.backend(name) : null);
}

function beFetch(name: string, value: (b: BackendStats) => number): void {
  defineFetch({
    name, minArgs: 0, maxArgs: 1, out: 'sint', stage: 'connection', match: 'int',
    compile: (args, env) => {
      const be = backendOf(name, args, env);
      return (c) => { const b = be(c); return b ? { type: 'sint', v: value(b) } : null; };
    },
  });
}

beFetch('nbsrv', (b) => b.usableServers);
beFetch('be_conn', (b) => b.currentConns);
beFetch('connslots', (b) => b.connSlots);
beFetch('queue', (b) => b.queued);
// HAProxy: queued requests per usable server, rounded up; twice the queue when none is usable.
beFetch('avg_queue', (b) => (b.activeServers > 0 ? Math.ceil(b.queued / b.activeServers) : b.queued * 2));

defineFetch({
  name: 'srv_is_up', minArgs: 1, maxArgs: 1, out: 'bool', stage: 'connection', match: 'bool',
  compile: (args, env) => {
    const text = args[0]!;
    const slash = text.indexOf('/');
    const srv = slash < 0 ? text : text.slice(slash + 1);
    if (slash < 0) {
      return (c) => { const u = c.currentBackend?.serverUp(srv); return u === undefined ? null : { type: 'bool', v: u }; };
    }
    const be = text.slice(0, slash);
    checkBackend('srv_is_up', be, env);
    return (c) => {
      const u = c.backends?.backend(be)?.serverUp(srv);
      return u === undefined ? null : { type: 'bool', v: u };
    };
  },
});
