/**
 * `balance source`: the client's IP address picks the server, so a client keeps its
 * server while the farm is stable. As HAProxy does, the address is folded into one
 * 32-bit word (the XOR of its 32-bit words in network order — no hash function; the
 * `avalanche` modifier mixes it), then looked up in the map or on the ring. A client
 * without an IP address (UNIX socket) goes round-robin.
 */
import { hashAlgorithm } from './hashing.ts';
import { addressBytes, ipv4Word } from './request-keys.ts';

export const source = hashAlgorithm('source', 'source', (_st, req) => {
  const v4 = ipv4Word(req.srcAddr);
  if (v4 >= 0) return v4;
  const b = addressBytes(req.srcAddr);
  if (!b) return null;
  let h = 0;
  for (let i = 0; i + 4 <= b.length; i += 4) h ^= (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  return h >>> 0;
});
