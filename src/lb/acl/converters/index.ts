/** Loads every converter module so the registry is complete. */
import './arith.ts';
import './encode.ts';
import './hash.ts';
import './xxhash.ts';
import './string.ts';
import './escape.ts';
import './map.ts';
import './stick.ts';
export { CONVERTERS } from '../registry.ts';
