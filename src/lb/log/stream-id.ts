/**
 * HAProxy's stream counter (%rt, global.req_count): one number per stream — per HTTP
 * request, per TCP session — unique in the process. Numbers are drawn when first read
 * (a stream nobody asks about costs nothing), so they increase in the order they were
 * first needed rather than strictly in the order streams started.
 */
let next = 0;

export function nextStreamId(): number {
  return next++;
}
