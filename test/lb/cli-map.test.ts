/** Maps changed at run time through the stats socket take effect on the next request. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, freePort, runSwitchyard, tempDir, waitForPort, writeConfig } from '../helpers/switchyard.ts';
import { cliCommand as cli } from '../helpers/cli.ts';

after(cleanup);

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length >= end + 4 + len) { s.destroy(); resolve(got.slice(end + 4)); }
    });
    s.on('error', () => {});
    s.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
  });
}

test('show/add/set/del/clear map through the runtime API change what requests see', async () => {
  const dir = tempDir();
  const mapFile = join(dir, 'paths.map');
  writeFileSync(mapFile, '# path -> answer\n/a alpha\n/b beta\n');
  const sock = join(dir, 'admin.sock');
  const port = await freePort();
  runSwitchyard(['-d', '-f', writeConfig(`global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  http-request return status 200 content-type text/plain lf-string "%[path,map(${mapFile},none)]"
`, dir)]);
  await waitForPort(port);
  assert.equal(await get(port, '/a'), 'alpha');
  assert.match(await cli(sock, 'show map'), new RegExp(`\\(${mapFile.replaceAll('/', '\\/')}\\).*entry_cnt=2`));
  assert.match(await cli(sock, `show map ${mapFile}`), /^0x1 \/a alpha\n0x2 \/b beta\n/);
  assert.equal((await cli(sock, `add map ${mapFile} /c gamma`)).trim(), '');
  assert.equal(await get(port, '/c'), 'gamma');
  await cli(sock, `set map ${mapFile} /a ALPHA`);
  assert.equal(await get(port, '/a'), 'ALPHA');
  await cli(sock, `del map ${mapFile} /b`);
  assert.equal(await get(port, '/b'), 'none');
  assert.match(await cli(sock, `del map ${mapFile} /zz`), /Key not found/);
  assert.match(await cli(sock, 'show map /no/such'), /Unknown map identifier/);
  // HAProxy writes the kind in capitals for ACLs
  assert.match(await cli(sock, 'show acl /no/such'), /^Unknown ACL identifier\. Please use #<id> or <file>\.\n/);
  await cli(sock, `clear map ${mapFile}`);
  assert.equal(await get(port, '/a'), 'none');
});
