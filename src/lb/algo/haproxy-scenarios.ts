/**
 * The balancing scenarios whose picks record-haproxy-orders.ts records from HAProxy 2.6
 * and haproxy-orders.test.ts replays through our algorithms. Requests are generated
 * deterministically; the recording stores them too.
 */
export interface RecordedRequest {
  target?: string;
  headers?: Record<string, string | string[]>;
  /** Client address (127.0.0.0/8) the request is sent from. */
  src?: string;
  /**
   * Not a request: a runtime API command run between requests (`$s` = this scenario's
   * proxy name): `set weight $s/s1 5`, `disable server $s/s2`, `enable server $s/s2`.
   */
  cli?: string;
  /** A request the server keeps open (its slot stays taken) until the `release` of this label. */
  hold?: string;
  /** Not a request: the held request of this label is answered (its slot freed). */
  release?: string;
}

export interface Scenario {
  name: string;
  /** Lines of the listen section besides bind and server (balance, hash-type…). */
  cfg: string[];
  weights: number[];
  /** Options appended to every server line (e.g. `maxconn 2`). */
  server?: string;
  requests: RecordedRequest[];
}

const times = (n: number, f: (i: number) => RecordedRequest = () => ({})): RecordedRequest[] => Array.from({ length: n }, (_, i) => f(i));

const rr = (weights: number[], n: number, algo = 'roundrobin'): Scenario => ({
  name: `${algo} ${weights.join(',')}`, cfg: [`balance ${algo}`], weights, requests: times(n),
});

/** Targets with directories, queries, an absolute form and odd cases. */
const TARGETS: string[] = [
  '/', '/index.html', '/a', '/a/', '/a/b', '/a/b/c', '/a/b/c?x=1', '/a?b/c', '/img/logo.png?v=3',
  'http://example.com/a/b?c=d', 'http://example.com', 'http://Example.COM:8080/x/y/z',
  ...Array.from({ length: 48 }, (_, i) => `/dir${i % 7}/sub${i % 5}/file${i}.html${i % 3 ? `?q=${i}&r=${i * 7}` : ''}`),
];

/** Absolute-form targets carry a matching Host header (HAProxy rejects a mismatch with 400). */
const withHost = (target: string): RecordedRequest => {
  const m = /^http:\/\/([^/]+)/.exec(target);
  return m ? { target, headers: { host: m[1]! } } : { target };
};

const uriReqs = TARGETS.map(withHost);

const PARAMS: string[] = [
  ...Array.from({ length: 30 }, (_, i) => `/p?userid=${i * 37}`),
  ...Array.from({ length: 10 }, (_, i) => `/p?a=1&userid=u${i}&b=2`),
  '/p', '/p?', '/p?userid', '/p?userid=', '/p?xuserid=5', '/p?useridx=5', '/p?a=1&userid=7', '/p?userid=7&userid=8',
  '/p/userid=9', '/p?userid=a&b', 'http://h/p?userid=42',
];

const HOSTS: string[] = [
  'www.example.com', 'example.com', 'localhost', 'a.b.c.d.e', '.com', 'com.', 'www.example.com:8080',
  ...Array.from({ length: 30 }, (_, i) => `host${i}.site${i % 9}.org`),
];

const KEYS: (string | string[])[] = [
  'alpha', 'beta', 'a, b', ' spaced ', '"quo,ted", x', ['first', 'second'], ['x1, x2', 'y1, y2'], '',
  ...Array.from({ length: 30 }, (_, i) => `key-${i * 11}`),
];

const SRCS: string[] = Array.from({ length: 40 }, (_, i) => `127.${i % 3}.${(i * 7) % 256}.${1 + ((i * 13) % 250)}`);

const hashed = (name: string, cfg: string[], weights: number[], requests: RecordedRequest[]): Scenario => ({ name, cfg, weights, requests });

const FN_VARIANTS = ['map-based', 'map-based djb2', 'map-based wt6', 'map-based crc32', 'map-based sdbm avalanche',
  'consistent', 'consistent djb2', 'consistent wt6', 'consistent crc32', 'consistent sdbm avalanche', 'consistent wt6 avalanche'];

const cli = (cmd: string): RecordedRequest => ({ cli: cmd });

/** Run-time changes between requests: weights, maintenance on and off. */
const DYNAMIC: Scenario[] = [
  { name: 'roundrobin 1,1,1: s3 down, then up', cfg: ['balance roundrobin'], weights: [1, 1, 1],
    requests: [...times(5), cli('disable server $s/s3'), ...times(20), cli('enable server $s/s3'), ...times(40)] },
  { name: 'roundrobin 3,2,1: weights changed at run time', cfg: ['balance roundrobin'], weights: [3, 2, 1],
    requests: [...times(7), cli('set weight $s/s1 1'), ...times(30), cli('set weight $s/s1 10'), ...times(60),
      cli('set weight $s/s2 0'), ...times(20), cli('set weight $s/s2 2'), ...times(60)] },
  { name: 'roundrobin 2,2,2,2: two down, one back', cfg: ['balance roundrobin'], weights: [2, 2, 2, 2],
    requests: [...times(3), cli('disable server $s/s1'), cli('disable server $s/s2'), ...times(30), cli('enable server $s/s1'), ...times(90)] },
  { name: 'static-rr 3,2,1: s1 down, then up', cfg: ['balance static-rr'], weights: [3, 2, 1],
    requests: [...times(2), cli('disable server $s/s1'), ...times(10), cli('enable server $s/s1'), ...times(14)] },
  { name: 'uri map-based: s2 down remaps', cfg: ['balance uri'], weights: [1, 2, 1, 3, 1],
    requests: [...uriReqs, cli('disable server $s/s2'), ...uriReqs, cli('enable server $s/s2'), ...uriReqs] },
  { name: 'uri consistent: s2 down moves only its keys', cfg: ['balance uri', 'hash-type consistent'], weights: [1, 2, 1, 3, 1],
    requests: [...uriReqs, cli('disable server $s/s2'), ...uriReqs, cli('set weight $s/s4 1'), ...uriReqs] },
];

const hold = (label: string, r: RecordedRequest = {}): RecordedRequest => ({ ...r, hold: label });
const release = (label: string): RecordedRequest => ({ release: label });
const holds = (from: number, n: number, r: RecordedRequest = {}): RecordedRequest[] => times(n, (i) => hold(`h${from + i}`, r));

/** Requests held open: loads that leastconn, first, full servers and bounded loads see. */
const LOADED: Scenario[] = [
  { name: 'leastconn 3,1 with held connections', cfg: ['balance leastconn'], weights: [3, 1],
    requests: [...holds(1, 10), release('h2'), release('h3'), ...holds(11, 3), release('h1'), release('h4'), release('h5'), ...holds(14, 4)] },
  { name: 'leastconn 1,1,1: ties after releases', cfg: ['balance leastconn'], weights: [1, 1, 1],
    requests: [...holds(1, 6), release('h5'), release('h1'), ...holds(7, 3), ...times(4)] },
  { name: 'first with maxconn 2: filling in order', cfg: ['balance first'], weights: [1, 1, 1], server: 'maxconn 2',
    requests: [...holds(1, 5), release('h1'), ...holds(6, 2), release('h3'), release('h4'), ...holds(8, 1), ...times(3)] },
  { name: 'roundrobin 1,1,1 maxconn 1: full servers lose their turn', cfg: ['balance roundrobin'], weights: [1, 1, 1], server: 'maxconn 1',
    requests: [...holds(1, 2), ...times(4), release('h1'), ...times(6), release('h2'), ...times(6)] },
  { name: 'static-rr 2,1,1 maxconn 1: full servers skipped', cfg: ['balance static-rr'], weights: [2, 1, 1], server: 'maxconn 1',
    requests: [...holds(1, 1), ...times(5), release('h1'), ...times(6)] },
  { name: 'hash-balance-factor 150: one hot key spills over', cfg: ['balance hdr(x-user)', 'hash-type consistent', 'hash-balance-factor 150'], weights: [1, 1, 1, 1],
    requests: [...holds(1, 12, { headers: { 'x-user': 'hot' } }), release('h1'), release('h2'), ...holds(13, 4, { headers: { 'x-user': 'hot' } }),
      ...times(6, (i) => ({ headers: { 'x-user': `u${i}` } }))] },
];

export const SCENARIOS: Scenario[] = [
  ...DYNAMIC,
  ...LOADED,
  rr([1, 1, 1], 10), rr([2, 1], 150), rr([3, 2, 1], 300), rr([5, 1, 1], 250), rr([7, 3, 1, 1], 400),
  rr([13, 7, 2], 800), rr([1, 2, 3, 4, 5, 6, 7, 8], 1250), rr([100, 3], 3400),
  rr([3, 2, 1], 12, 'static-rr'), rr([5, 1, 1], 14, 'static-rr'), rr([7, 3, 1, 1], 24, 'static-rr'),
  rr([13, 7, 2], 44, 'static-rr'), rr([4, 2, 6], 12, 'static-rr'),
  rr([3, 1, 1], 9, 'leastconn'), rr([1, 1], 4, 'first'),
  ...FN_VARIANTS.map((t) => hashed(`uri, hash-type ${t}`, ['balance uri', `hash-type ${t}`], [1, 2, 1, 3, 1], uriReqs)),
  ...['whole', 'len 5', 'depth 1', 'depth 2', 'path-only', 'whole path-only len 12 depth 3'].flatMap((o) => [
    hashed(`uri ${o}`, [`balance uri ${o}`], [1, 2, 1, 3, 1], uriReqs),
    hashed(`uri ${o}, consistent`, [`balance uri ${o}`, 'hash-type consistent'], [1, 2, 1, 3, 1], uriReqs),
  ]),
  hashed('url_param userid', ['balance url_param userid'], [2, 1, 1, 1], PARAMS.map(withHost)),
  hashed('url_param userid, consistent', ['balance url_param userid', 'hash-type consistent'], [2, 1, 1, 1], PARAMS.map(withHost)),
  hashed('hdr(host) use_domain_only', ['balance hdr(host) use_domain_only'], [1, 1, 1, 1, 1], HOSTS.map((h) => ({ headers: { host: h } }))),
  hashed('hdr(host) use_domain_only, consistent', ['balance hdr(host) use_domain_only', 'hash-type consistent'], [1, 1, 1, 1, 1], HOSTS.map((h) => ({ headers: { host: h } }))),
  hashed('hdr(X-Key)', ['balance hdr(X-Key)'], [1, 3, 1], KEYS.map((k, i) => (i === 7 ? {} : { headers: { 'x-key': k } }))),
  hashed('hdr(X-Key), consistent', ['balance hdr(X-Key)', 'hash-type consistent'], [1, 3, 1], KEYS.map((k, i) => (i === 7 ? {} : { headers: { 'x-key': k } }))),
  hashed('source', ['balance source'], [1, 1, 2, 1], SRCS.map((src) => ({ src }))),
  hashed('source, consistent', ['balance source', 'hash-type consistent'], [1, 1, 2, 1], SRCS.map((src) => ({ src }))),
  hashed('source, avalanche', ['balance source', 'hash-type map-based sdbm avalanche'], [1, 1, 2, 1], SRCS.map((src) => ({ src }))),
  hashed('hash src, consistent', ['balance hash src', 'hash-type consistent'], [1, 1, 2, 1], SRCS.map((src) => ({ src }))),
  hashed('hash path, consistent', ['balance hash path', 'hash-type consistent'], [1, 2, 1, 3, 1], uriReqs),
  hashed('hash url', ['balance hash url'], [1, 2, 1, 3, 1], uriReqs),
  hashed('hash req.hdr(x-key), consistent', ['balance hash req.hdr(x-key)', 'hash-type consistent'], [1, 3, 1], KEYS.map((k, i) => (i === 7 ? {} : { headers: { 'x-key': k } }))),
  hashed('hash req.hdr(x-key,1)', ['balance hash req.hdr(x-key,1)'], [1, 3, 1], KEYS.map((k, i) => (i === 7 ? {} : { headers: { 'x-key': k } }))),
];
