/**
 * Responses the balancer generates itself, in the two shapes HAProxy 2.6 sends
 * (observed on the wire), each with a short HTML body in our own words:
 *
 *   - refusals of what the client sent (400, 408, 414, 431, 501, 505), written before
 *     any request exists: `Content-length`, `Cache-Control: no-cache`,
 *     `Connection: close`, `Content-Type: text/html` — and the connection closes;
 *   - failures on the server side or decisions about a valid request (deny and friends:
 *     200, 401, 403, 404, 405, 407, 410, 425, 429; and 500, 502, 503, 504): `content-length`, `cache-control: no-cache`, `content-type: text/html`;
 *     the client connection stays open for its next request when it asked for
 *     keep-alive (`connection: keep-alive` added for an HTTP/1.0 client), else
 *     `connection: close` is added and it closes.
 * Built once per status and shape, and reused.
 */
const REASONS: Record<number, [string, string]> = {
  200: ['OK', 'The proxy is ready.'],
  400: ['Bad request', 'The proxy could not understand the request.'],
  401: ['Unauthorized', 'Authentication is needed for this resource.'],
  404: ['Not Found', 'No such resource here.'],
  405: ['Method Not Allowed', 'This method is not allowed for this resource.'],
  407: ['Proxy Authentication Required', 'Authentication with the proxy is needed.'],
  410: ['Gone', 'This resource is no longer here.'],
  425: ['Too Early', 'The request was sent too early; try again.'],
  429: ['Too Many Requests', 'Too many requests were sent; slow down.'],
  403: ['Forbidden', 'Access to this resource is denied.'],
  408: ['Request Time-out', 'The request did not arrive in time.'],
  413: ['Payload Too Large', 'The request body is larger than the proxy accepts here.'],
  414: ['URI Too Long', 'The request line is longer than the proxy accepts.'],
  431: ['Request Header Fields Too Large', 'The request header fields are larger than the proxy accepts.'],
  500: ['Internal Server Error', 'The proxy met an internal error.'],
  501: ['Not Implemented', 'The proxy does not support this request method or framing.'],
  502: ['Bad Gateway', 'The server sent an invalid or incomplete response.'],
  503: ['Service Unavailable', 'No server is available for this request right now.'],
  504: ['Gateway Time-out', 'The server did not answer in time.'],
  505: ['HTTP Version Not Supported', 'This HTTP version is not supported.'],
};

/** Statuses about a valid request: the client connection may stay open after them. */
const KEEPABLE = new Set([200, 401, 403, 404, 405, 407, 410, 425, 429, 500, 502, 503, 504]);

export type ErrorShape = 'close' | 'keep-alive' | 'keep-alive-1.0';

const cache = new Map<string, Buffer>();

/** True when the client connection may stay open after `status` (see above). */
export function errorKeepsConnection(status: number): boolean {
  return KEEPABLE.has(status);
}

export function errorResponse(status: number, shape: ErrorShape = 'close'): Buffer {
  const key = `${status} ${shape}`;
  let b = cache.get(key);
  if (b) return b;
  const code = REASONS[status] ? status : 500;
  const [reason, text] = REASONS[code]!;
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
  const len = Buffer.byteLength(body);
  let head: string;
  if (!KEEPABLE.has(code)) {
    head = `HTTP/1.1 ${code} ${reason}\r\nContent-length: ${len}\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n`;
  } else {
    const conn = shape === 'close' ? 'connection: close\r\n' : shape === 'keep-alive-1.0' ? 'connection: keep-alive\r\n' : '';
    head = `HTTP/1.1 ${code} ${reason}\r\ncontent-length: ${len}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n${conn}`;
  }
  b = Buffer.from(`${head}\r\n${body}`, 'latin1');
  cache.set(key, b);
  return b;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * A generated response (http-request return, deny, redirect, auth …) with `line` — e.g.
 * "connection: close" — added as the last field of its head, unless the head already has
 * a Connection field. HAProxy says so whenever it closes after its own answer, and answers
 * an HTTP/1.0 keep-alive client with "connection: keep-alive".
 */
export function withConnection(response: Buffer, line: string): Buffer {
  const end = response.indexOf(HEAD_END);
  if (end < 0) return response;
  const head = response.toString('latin1', 0, end + 2).toLowerCase();
  if (head.includes('\r\nconnection:')) return response;
  return Buffer.concat([response.subarray(0, end + 2), Buffer.from(`${line}\r\n`, 'latin1'), response.subarray(end + 2)]);
}
