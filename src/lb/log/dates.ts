/**
 * Dates as HAProxy writes them in log lines and syslog headers. Everything is derived
 * from a millisecond timestamp; the part that only changes once a second is cached, so a
 * busy logger formats each second once, not once per line.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const p3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n));

/** A one-entry cache per formatter: the last second seen and its text. */
function perSecond(fn: (d: Date) => string): (ms: number) => string {
  let sec = NaN;
  let text = '';
  return (ms: number): string => {
    const s = Math.floor(ms / 1000);
    if (s !== sec) {
      sec = s;
      text = fn(new Date(s * 1000));
    }
    return text;
  };
}

/** "+hhmm" / "-hhmm" of the local zone at that date. */
function offset(d: Date, colon: boolean): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return (off < 0 ? '-' : '+') + p2(Math.floor(a / 60)) + (colon ? ':' : '') + p2(a % 60);
}

const localSecond = perSecond((d) => `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`);

/** %t, %tr: "22/Nov/2026:08:52:47.802", local time. */
export function logDateMs(ms: number): string {
  return localSecond(ms) + '.' + p3(((ms % 1000) + 1000) % 1000);
}

/** %T, %trg: "22/Nov/2026:08:52:47 +0000" (GMT). */
export const logDateGmt = perSecond((d) => `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`);

/** %Tl, %trl: "22/Nov/2026:08:52:47 +0100" (local time and zone). */
export const logDateLocal = perSecond((d) => `${localSecond(d.getTime())} ${offset(d, false)}`);

/** RFC 3164 header date: "Nov 22 08:52:21", day padded with a space. */
export const rfc3164Date = perSecond((d) => `${MONTHS[d.getMonth()]} ${d.getDate() < 10 ? ' ' + d.getDate() : d.getDate()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`);

const isoSecond = perSecond((d) => `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`);
const isoZone = perSecond((d) => offset(d, true));

/** RFC 5424 / iso / timed header date: "2026-11-22T08:52:21.118587+00:00" (local, µs; ms may be fractional). */
export function isoDate(ms: number): string {
  const us = String(Math.min(999_999, Math.round((((ms % 1000) + 1000) % 1000) * 1000)));
  return isoSecond(ms) + '.' + '000000'.slice(us.length) + us + isoZone(ms);
}
