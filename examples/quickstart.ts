/**
 * `npm start`: runs three tiny demo web servers and Switchyard in front of them with
 * examples/quickstart.cfg, so a newcomer sees a working balancer with nothing else
 * installed. Ctrl-C stops everything. Ports: QS_PORT (default 8080) for the balancer,
 * QS_BACKEND_BASE (default 8081) and the next two for the demo servers.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const port = Number(process.env.QS_PORT ?? 8080);
const base = Number(process.env.QS_BACKEND_BASE ?? 8081);
const env = { ...process.env, QS_PORT: String(port), QS_BACKEND_BASE: String(base), QS_BACKEND_2: String(base + 1), QS_BACKEND_3: String(base + 2) };

function demoServer(name: string, p: number): Promise<http.Server> {
  const srv = http.createServer((req, res) => {
    const body = `Hello from demo server ${name} (port ${p}) — you asked for ${req.url}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`demo server ${name} cannot listen on 127.0.0.1:${p}: ${e.code}. Set QS_BACKEND_BASE to another port.`)));
    srv.listen(p, '127.0.0.1', () => resolve(srv));
  });
}

async function main(): Promise<void> {
  const servers = await Promise.all([demoServer('s1', base), demoServer('s2', base + 1), demoServer('s3', base + 2)]);
  const lb = spawn(join(root, 'bin', 'switchyard'), ['-db', '-f', join(root, 'examples', 'quickstart.cfg')], { stdio: 'inherit', env });
  const stop = (): void => { lb.kill('SIGINT'); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  lb.on('exit', (code) => {
    for (const s of servers) s.close();
    process.exitCode = code ?? 0;
  });
  setTimeout(() => {
    if (lb.exitCode !== null) return;
    process.stdout.write(
      `\nSwitchyard is balancing 127.0.0.1:${port} over three demo servers (weights 2,1,1).\n` +
      `Try:   for i in 1 2 3 4 5 6 7 8; do curl -s http://127.0.0.1:${port}/; done\n` +
      `Ask the runtime API:   echo "show info" | nc -U /tmp/switchyard-quickstart.sock\n` +
      `Stop with Ctrl-C.\n\n`,
    );
  }, 500);
}

main().catch((e: Error) => {
  process.stderr.write(`quickstart: ${e.message}\n`);
  process.exit(1);
});
