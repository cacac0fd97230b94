/**
 * `stick-table type ip|ipv6|integer|string [len N]|binary [len N] size N[k|m|g]
 *  [expire T] [nopurge] [peers P] [store DATA[,DATA…]]…` (HAProxy 2.6 forms). Returns the
 * table's configuration or the reason it is refused; the section parser words the error.
 * `peers` (sharing tables between processes) is refused as not implemented.
 */
import { parseSize, parseTime } from '../config/units.ts';
import { COUNTER_TYPES, RATE_TYPES, type CounterType, type RateType, type StickKeyType, type StickTableConfig } from './types.ts';

export type StickParse =
  | { ok: true; cfg: StickTableConfig }
  | { ok: false; code: 'SY_ERR_CFG_ARG' | 'SY_ERR_CFG_NOT_IMPLEMENTED'; reason: string };

const KEY_TYPES: readonly StickKeyType[] = ['ip', 'ipv6', 'integer', 'string', 'binary'];
const COUNTERS = new Set<string>(COUNTER_TYPES);
const RATES = new Set<string>(RATE_TYPES);

/** `args` is the whole line, args[0] === 'stick-table'. */
export function parseStickTable(args: readonly string[], name: string, where: { file: string; line: number }): StickParse {
  const bad = (reason: string): StickParse => ({ ok: false, code: 'SY_ERR_CFG_ARG', reason });
  let type: StickKeyType | null = null;
  let keyLen = 32;
  let size = -1;
  let expire = 0;
  let nopurge = false;
  const counters = new Set<CounterType>();
  const rates = new Map<RateType, number>();
  for (let i = 1; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    switch (w) {
      case 'type': {
        if (!KEY_TYPES.includes(v as StickKeyType)) return bad(`'stick-table type' expects one of ${KEY_TYPES.join(', ')}${v ? `, not '${v}'` : ''}.`);
        type = v as StickKeyType;
        i++;
        if (args[i + 1] === 'len') {
          if (type !== 'string' && type !== 'binary') return bad(`'stick-table type ${type}' does not take 'len'.`);
          const n = Number(args[i + 2]);
          if (!/^\d+$/.test(args[i + 2] ?? '') || n < 1) return bad(`'stick-table type ${type} len' expects a positive length.`);
          keyLen = n;
          i += 2;
        }
        continue;
      }
      case 'size': {
        const p = parseSize(v ?? '');
        if (!p.ok || p.value < 1) return bad(`'stick-table size' expects a positive size${v ? `, not '${v}'` : ''}.`);
        size = p.value;
        i++;
        continue;
      }
      case 'expire': {
        const p = parseTime(v ?? '');
        if (!p.ok) return bad(`'stick-table expire' : ${v ? p.ok ? '' : p.reason : 'expects a delay'}.`);
        expire = p.value;
        i++;
        continue;
      }
      case 'nopurge': nopurge = true; continue;
      case 'peers': return { ok: false, code: 'SY_ERR_CFG_NOT_IMPLEMENTED', reason: `'stick-table peers' (sharing tables between processes) is not implemented yet in Switchyard.` };
      case 'store': {
        if (!v) return bad(`'stick-table store' expects a list of data types.`);
        for (const d of v.split(',')) {
          const m = /^([a-z0-9_]+)(?:\(([^)]*)\))?$/.exec(d);
          const dn = m?.[1] ?? d;
          if (m && RATES.has(dn)) {
            const p = parseTime(m[2] ?? '');
            if (m[2] === undefined || !p.ok || p.value < 1) return bad(`'stick-table store ${dn}' expects a period in parentheses, as ${dn}(10s).`);
            rates.set(dn as RateType, p.value);
          } else if (m && COUNTERS.has(dn) && m[2] === undefined) {
            counters.add(dn as CounterType);
          } else {
            return bad(`'stick-table store' : unknown or not implemented data type '${d}'; supported: ${[...COUNTER_TYPES, ...RATE_TYPES.map((r) => `${r}(period)`)].join(', ')}.`);
          }
        }
        i++;
        continue;
      }
      default:
        return bad(`'stick-table' : unexpected argument '${w}'; allowed: type, size, expire, nopurge, store.`);
    }
  }
  if (type === null) return bad(`'stick-table' : missing type.`);
  if (size < 0) return bad(`'stick-table' : missing size.`);
  return { ok: true, cfg: { name, type, keyLen, size, expire, nopurge, counters, rates, where } };
}
