/**
 * table_<data>(table): the input sample is a key of `table`; the converter answers the
 * entry's data (0 when the key is absent, no sample when the table lacks the data type),
 * as HAProxy 2.6. Also table_trackers (trackers of the entry) and table_server_id.
 * HAProxy 2.6's table_trackers reads the entry's reference count while its own lookup
 * holds one: a present entry answers its trackers plus one (checked against 2.6.12).
 */
import { defineConverter } from '../registry.ts';
import { SampleError } from '../types.ts';
import { STICK_DATA, tableRef, type EntryOp } from '../fetches/stick.ts';
import { stickKey } from '../../stick/keys.ts';

const NAMES: Record<string, string> = { get_gpc0: 'gpc0', get_gpc1: 'gpc1', get_gpt0: 'gpt0' };

function defineTableConv(name: string, op: EntryOp): void {
  defineConverter({
    name, minArgs: 1, maxArgs: 1, in: 'any', out: 'sint',
    compile: (args, env) => {
      if (!args[0]) throw new SampleError(`'${name}' expects a table name`);
      const table = tableRef(args[0], env, name);
      return (s, c) => {
        const t = table(c);
        if (!t) return null;
        const key = stickKey(s, t.cfg.type, t.cfg.keyLen);
        if (key === null) return null;
        const v = op(t, t.lookup(key));
        return v === null ? null : { type: 'sint', v };
      };
    },
  });
}

for (const [suffix, op] of STICK_DATA) defineTableConv(`table_${NAMES[suffix] ?? suffix}`, op);
defineTableConv('table_server_id', (t, e) => (!t.stores('server_id') ? null : e === null ? 0 : t.read(e, 'server_id')));
defineTableConv('table_trackers', (_t, e) => (e === null ? 0 : e.refs + 1));
