/** Loads every fetch module so the registry is complete. */
import './l4.ts';
import './http.ts';
import './payload.ts';
import './body.ts';
import './misc.ts';
import './auth.ts';
import './stick.ts';
export { FETCHES } from '../registry.ts';
