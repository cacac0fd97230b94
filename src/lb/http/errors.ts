/**
 * Responses the balancer generates itself (HAProxy's "errorfiles" defaults): the same
 * status lines and header set HAProxy sends — content-length, cache-control: no-cache,
 * content-type: text/html, connection: close — with a short HTML body of our own words.
 * Built once per status and reused.
 */
const REASONS: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be understood by the proxy.'],
  403: ['Forbidden', 'Access to this resource is denied.'],
  408: ['Request Time-out', 'The request was not received in time.'],
  414: ['URI Too Long', 'The request line is longer than the proxy accepts.'],
  431: ['Request Header Fields Too Large', 'The request headers are larger than the proxy accepts.'],
  500: ['Internal Server Error', 'The proxy met an internal error.'],
  501: ['Not Implemented', 'The proxy does not support this request.'],
  502: ['Bad Gateway', 'The server returned an invalid or incomplete response.'],
  503: ['Service Unavailable', 'No server is available to handle this request.'],
  504: ['Gateway Time-out', 'The server did not respond in time.'],
  505: ['HTTP Version Not Supported', 'This HTTP version is not supported.'],
};

const cache = new Map<number, Buffer>();

export function errorResponse(status: number): Buffer {
  let b = cache.get(status);
  if (b) return b;
  const [reason, text] = REASONS[status] ?? REASONS[500]!;
  const code = REASONS[status] ? status : 500;
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
  b = Buffer.from(
    `HTTP/1.1 ${code} ${reason}\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n${body}`,
    'latin1',
  );
  cache.set(status, b);
  return b;
}
