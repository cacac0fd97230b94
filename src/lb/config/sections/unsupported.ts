/**
 * HAProxy keywords Switchyard recognises but does not implement yet.
 *
 * Why this list exists: silently ignoring a keyword can open a hole (an ignored
 * `http-request deny` lets through what the operator meant to block) or change
 * behaviour in ways nobody notices. So every HAProxy keyword we know of but do not
 * serve yet is a configuration error that says "not implemented yet", distinct from a
 * typo ("unknown keyword"). When a keyword gets implemented, move it out of here.
 */

/** Section headers HAProxy knows that we don't serve yet. */
export const UNSUPPORTED_SECTIONS = new Set([
  'peers', 'resolvers', 'mailers', 'program', 'ring',
  'cache', 'fcgi-app', 'log-forward', 'crt-store', 'traces', 'acme',
]);

export const UNSUPPORTED_GLOBAL = new Set([
  'log', 'log-tag', 'log-send-hostname', 'chroot', 'ulimit-n', 'nbproc', 'cpu-map',
  'ca-base', 'crt-base', 'key-base', 'description', 'node', 'grace',
  'max-spread-checks', 'lua-load', 'lua-load-per-thread', 'lua-prepend-path',
  'maxsslconn', 'maxsslrate', 'maxcomprate', 'maxpipes',
  'maxzlibmem', 'maxcompcpuusage', 'server-state-file', 'server-state-base', 'localpeer',
  'h1-case-adjust', 'h1-case-adjust-file',
  'insecure-fork-wanted', 'insecure-setuid-wanted',
  'busy-polling', 'noepoll', 'nopoll', 'nosplice', 'nogetaddrinfo', 'noreuseport',
  'profiling.tasks', 'profiling.memory', 'set-dumpable', 'strict-limits', 'unix-bind',
  'external-check', 'issuers-chain-path', 'ssl-default-bind-ciphers',
  'ssl-default-bind-ciphersuites', 'ssl-default-bind-options', 'ssl-default-bind-curves',
  'ssl-default-server-ciphers', 'ssl-default-server-ciphersuites', 'ssl-default-server-options',
  'ssl-dh-param-file', 'ssl-server-verify', 'ssl-engine', 'ssl-mode-async', 'ssl-load-extra-files',
  'ssl-load-extra-del-ext', 'ssl-skip-self-issued-ca', 'tune.ssl.default-dh-param',
  'default-path', 'numa-cpu-mapping', 'thread-groups', 'thread-group', 'pp2-never-send-local',
  'fd-hard-limit', 'cluster-secret', 'httpclient.resolvers.id', 'httpclient.ssl.verify',
  'presetenv', 'resetenv', 'deviceatlas-json-file', 'wurfl-data-file', '51degrees-data-file',
  'debug', 'zero-warning', 'stats', 'set-var', 'anonkey', 'ssl-propquery', 'ssl-provider',
]);

/** Any `tune.*` global is recognised but not implemented yet. */
export function isUnsupportedGlobal(keyword: string): boolean {
  return UNSUPPORTED_GLOBAL.has(keyword) || keyword.startsWith('tune.');
}

export const UNSUPPORTED_PROXY = new Set([
  'acl', 'http-request', 'http-response', 'tcp-request', 'tcp-response',
  'stick-table', 'stick', 'log', 'log-format', 'log-format-sd', 'error-log-format', 'log-tag',
  'cookie', 'errorfiles', 'errorloc', 'errorloc302', 'errorloc303',
  'redirect', 'compression', 'filter', 'http-check',
  'tcp-check', 'stats', 'monitor-uri', 'monitor', 'monitor-net', 'source',
  'email-alert', 'fullconn', 'persist', 'force-persist', 'ignore-persist',
  'http-reuse', 'server-template', 'dynamic-cookie-key', 'rate-limit', 'description', 'id',
  'disabled', 'enabled', 'use-server', 'http-send-name-header', 'max-keep-alive-queue',
  'retry-on', 'load-server-state-from-file', 'server-state-file-name', 'external-check',
  'backlog', 'clitcpka-cnt', 'clitcpka-idle', 'clitcpka-intvl', 'srvtcpka-cnt', 'srvtcpka-idle',
  'srvtcpka-intvl', 'bind-process', 'grace', 'guid', 'http-error', 'use-fcgi-app',
  'dispatch', 'transparent', 'tcp-smart-accept', 'tcp-smart-connect',
]);

/** Every `option` name HAProxy 2.6 knows; those we serve are handled before this list. */
export const KNOWN_OPTIONS = new Set([
  'abortonclose', 'accept-invalid-http-request', 'accept-invalid-http-response', 'allbackups',
  'checkcache', 'clitcpka', 'contstats', 'disable-h2-upgrade', 'dontlog-normal', 'dontlognull',
  'external-check', 'forwardfor', 'forwarded', 'h1-case-adjust-bogus-client',
  'h1-case-adjust-bogus-server', 'http-buffer-request', 'http-ignore-probes', 'http-keep-alive',
  'http-no-delay', 'http-pretend-keepalive', 'http-restrict-req-hdr-names', 'http-server-close',
  'http-use-proxy-header', 'http_proxy', 'httpchk', 'httpclose', 'httplog', 'httpslog',
  'idle-close-on-response', 'independent-streams', 'ldap-check', 'log-health-checks',
  'log-separate-errors', 'logasap', 'mysql-check', 'nolinger', 'originalto', 'persist',
  'pgsql-check', 'prefer-last-server', 'redis-check', 'redispatch', 'smtpchk', 'socket-stats',
  'splice-auto', 'splice-request', 'splice-response', 'spop-check', 'srvtcpka', 'ssl-hello-chk',
  'tcp-check', 'tcp-smart-accept', 'tcp-smart-connect', 'tcpka', 'tcplog', 'transparent',
]);

/** Server keywords HAProxy knows; the ones we serve are parsed before this list. */
export const UNSUPPORTED_SERVER_KEYWORDS = new Set([
  'check', 'inter', 'fastinter', 'downinter', 'rise', 'fall', 'port', 'addr', 'backup',
  'maxconn', 'minconn', 'maxqueue', 'slowstart', 'track', 'id', 'cookie', 'agent-check',
  'agent-port', 'agent-inter', 'agent-addr', 'agent-send', 'observe', 'error-limit', 'on-error',
  'on-marked-down', 'on-marked-up', 'send-proxy', 'send-proxy-v2', 'check-send-proxy', 'ssl',
  'verify', 'ca-file', 'crt', 'sni', 'alpn', 'proto', 'resolvers', 'resolve-prefer',
  'init-addr', 'redir', 'source', 'namespace', 'pool-max-conn', 'pool-purge-delay',
  'max-reuse', 'tfo', 'no-check', 'enabled', 'non-stick', 'check-ssl', 'check-sni',
  'check-alpn', 'socks4', 'usesrc', 'log-proto', 'ws', 'tcp-ut', 'curves', 'ciphers',
  'ciphersuites', 'no-sslv3', 'no-tlsv10', 'no-tlsv11', 'no-tlsv12', 'no-tlsv13',
  'force-tlsv12', 'force-tlsv13', 'ssl-min-ver', 'ssl-max-ver', 'allow-0rtt', 'npn',
  'pool-low-conn', 'resolve-net', 'resolve-opts', 'error-limit', 'set-proxy-v2-tlv-fmt',
]);

/** Bind keywords HAProxy knows; the ones we serve are parsed before this list. */
export const UNSUPPORTED_BIND_KEYWORDS = new Set([
  'ssl', 'crt', 'crt-list', 'ca-file', 'verify', 'alpn', 'npn', 'accept-proxy', 'accept-netscaler-cip',
  'backlog', 'defer-accept', 'interface', 'maxconn', 'mode', 'uid', 'gid', 'user', 'group',
  'level', 'severity-output', 'namespace', 'nice', 'process', 'thread', 'proto', 'tfo',
  'transparent', 'v4v6', 'v6only', 'mss', 'tcp-ut', 'id', 'expose-fd', 'generate-certificates',
  'strict-sni', 'no-sslv3', 'no-tlsv10', 'no-tlsv11', 'no-tlsv12', 'no-tlsv13', 'ssl-min-ver',
  'ssl-max-ver', 'ciphers', 'ciphersuites', 'curves', 'ecdhe', 'allow-0rtt', 'prefer-client-ciphers',
  'quic-cc-algo', 'quic-force-retry', 'shards', 'label', 'guid-prefix', 'idle-ping',
]);
