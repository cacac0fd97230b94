/**
 * `switchyard lab <verb>` — the lab's command line (commander). Every verb is a thin
 * wrapper over ops/*; user mistakes are SyErrors, printed as `switchyard lab: CODE:
 * message` with exit status 1 (topology errors: one `file:line:col: CODE: …` line each).
 */
import { Command, CommanderError, Option } from 'commander';
import { SyError } from '../../shared/errors.ts';
import { pickLab, requireTopology } from '../ops/context.ts';
import { labClean, labDown } from '../ops/down.ts';
import { execInNode, findNode, shellInNode } from '../ops/exec.ts';
import { graph, type GraphFormat } from '../ops/graph.ts';
import { cutLink, endText, findLink, kindOf, linkStats, restoreLink } from '../ops/links.ts';
import { allReports, formatReport, labReport } from '../ops/status.ts';
import { labUp } from '../ops/up.ts';
import { labApply } from '../ops/apply.ts';
import { labCapture } from '../ops/capture.ts';
import { linkCtx } from '../ops/context.ts';
import { readTopology } from '../topo/index.ts';
import { parseRate, parsePercent, parseTime } from '../topo/units.ts';
import type { Impairment } from '../topo/types.ts';

const out = (s: string): void => { process.stdout.write(s.endsWith('\n') ? s : s + '\n'); };

function build(setCode: (c: number) => void): Command {
  const program = new Command('switchyard lab')
    .description('virtual network labs: namespaces joined by cables and switches, with the balancer inside')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)');

  program.command('up').description('build a lab from a topology file (all or nothing)')
    .argument('<file>', 'topology YAML')
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, o: { quiet?: boolean }) => {
      const t = await labUp(file, { progress: o.quiet ? () => {} : out });
      if (!o.quiet) out(`try: switchyard lab exec --lab ${t.name} ${t.nodes[0]?.name ?? 'NODE'} -- ip addr`);
    });

  program.command('down').description('stop a lab and remove everything it created')
    .argument('[name]', 'lab name (default: the only lab)')
    .action(async (name?: string) => {
      const r = await labDown(name, out);
      out(`lab ${r.lab} is down (${r.namespaces} namespaces, ${r.processes} processes removed)`);
    });

  program.command('clean').description('remove what is left of a lab after a crash or kill -9 (or of every lab: --all)')
    .argument('[name]', 'lab name')
    .option('--all', 'every lab with state in the state directory')
    .action(async (name: string | undefined, o: { all?: boolean }) => {
      if (!name && !o.all) throw new SyError('SY_ERR_CLI_USAGE', 'lab clean: name a lab, or give --all to clean every lab');
      const rs = await labClean(name, out);
      if (rs.length === 0) out('nothing to clean');
      for (const r of rs) out(`lab ${r.lab}: removed ${r.namespaces} namespaces, ${r.processes} processes, state files`);
    });

  program.command('status').description('labs, nodes, processes, links (with counters)')
    .argument('[name]', 'lab name (default: every lab)')
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, o: { json?: boolean }) => {
      if (name) pickLab(name);
      const rs = await allReports(name);
      if (o.json) out(JSON.stringify(rs, null, 2));
      else out(rs.length ? rs.map(formatReport).join('\n') : 'no lab is up');
    });

  program.command('inspect').description('one lab in full: topology, addresses as the kernel sees them, processes, link counters (JSON)')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .option('--text', 'human-readable instead of JSON')
    .action(async (o: { lab?: string; text?: boolean }) => {
      const state = pickLab(o.lab);
      const r = await labReport(state, true);
      if (o.text) out(formatReport(r));
      else out(JSON.stringify({ ...r, topology: requireTopology(state) }, null, 2));
    });

  program.command('exec').description('run a command inside a node: lab exec NODE -- CMD…')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .passThroughOptions()
    .argument('<node>').argument('<cmd...>')
    .action(async (node: string, cmd: string[], o: { lab?: string }) => {
      const state = pickLab(o.lab);
      // options after NODE belong to the command; a `--` before it is optional
      setCode(await execInNode(state, findNode(state, node), cmd[0] === '--' ? cmd.slice(1) : cmd));
    });

  program.command('shell').description('an interactive shell inside a node')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .argument('<node>')
    .action(async (node: string, o: { lab?: string }) => {
      const state = pickLab(o.lab);
      setCode(await shellInNode(state, findNode(state, node)));
    });

  const link = program.command('link').description('act on a cable: cut, restore, set, show');
  const linkVerb = (verb: 'cut' | 'restore'): void => {
    link.command(verb).description(`${verb === 'cut' ? 'take a cable down (both ends lose carrier)' : 'bring a cut cable back'}`)
      .argument('<a>', 'endpoint node:if (or lan)').argument('[b]', 'other endpoint')
      .option('-l, --lab <name>', 'lab name (default: the only lab)')
      .action(async (a: string, b: string | undefined, o: { lab?: string }) => {
        const state = pickLab(o.lab);
        const topo = requireTopology(state);
        const l = findLink(topo, a, b);
        if (verb === 'cut') await cutLink(state, l);
        else await restoreLink(state, topo, l);
        out(`link ${endText(l.a)} — ${endText(l.b)} ${verb === 'cut' ? 'cut' : 'restored'}`);
      });
  };
  linkVerb('cut');
  linkVerb('restore');
  link.command('set').description('change a cable\'s impairment live (what the link kind supports)')
    .argument('<a>').argument('[b]')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .option('--delay <time>').option('--jitter <time>').option('--loss <pct>').option('--duplicate <pct>').option('--corrupt <pct>').option('--rate <rate>')
    .addOption(new Option('--dir <dir>', 'direction').choices(['ab', 'ba', 'both']).default('both'))
    .action(async (a: string, b: string | undefined, o: Record<string, string | undefined>) => {
      const state = pickLab(o.lab);
      const l = findLink(requireTopology(state), a, b);
      const kind = kindOf(l);
      const imp: Impairment = {};
      const parsers = { delay: parseTime, jitter: parseTime, loss: parsePercent, duplicate: parsePercent, corrupt: parsePercent, rate: parseRate } as const;
      for (const [k, p] of Object.entries(parsers)) {
        const v = o[k];
        if (v === undefined) continue;
        const r = p(v);
        if (!r.ok) throw new SyError('SY_ERR_LAB_IMPAIRMENT', `--${k} ${v}: ${r.error}`);
        if (!(kind.impairments as string[]).includes(k)) throw new SyError('SY_ERR_LAB_IMPAIRMENT', `link kind ${kind.name} cannot apply ${k} (it supports: ${kind.impairments.join(', ')})`);
        imp[k as keyof typeof parsers] = r.value;
      }
      const dir = o.dir ?? 'both';
      const next = { ab: dir === 'ba' ? l.impairment.ab : imp, ba: dir === 'ab' ? l.impairment.ba : imp };
      await kind.set(linkCtx(state), l, next);
      out(`link ${endText(l.a)} — ${endText(l.b)}: impairment set`);
    });
  link.command('show').description('a cable\'s state and counters (JSON)')
    .argument('<a>').argument('[b]')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .action(async (a: string, b: string | undefined, o: { lab?: string }) => {
      const state = pickLab(o.lab);
      const l = findLink(requireTopology(state), a, b);
      out(JSON.stringify({ id: l.id, kind: l.kind, a: endText(l.a), b: endText(l.b), stats: await linkStats(state, l) }, null, 2));
    });

  program.command('capture').description('write a pcap of what crosses NODE:IF (sock cable: from the relay; others: a raw socket in the node)')
    .argument('<endpoint>', 'node:interface, or a sock-switch lan (its capture tap)')
    .requiredOption('-w, --write <file>', 'pcap file to write')
    .option('-c, --count <n>', 'stop after N frames')
    .option('--duration <time>', 'stop after this long (500ms, 10s, 2m; bare number = seconds)')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .option('-q, --quiet', 'no progress lines')
    .action(async (endpoint: string, o: { write: string; count?: string; duration?: string; lab?: string; quiet?: boolean }) => {
      const state = pickLab(o.lab);
      const count = o.count === undefined ? 0 : Number(o.count);
      if (!Number.isInteger(count) || count < 0) throw new SyError('SY_ERR_CLI_USAGE', `lab capture: --count must be a whole number, got '${o.count}'`);
      const durationMs = o.duration === undefined ? 0 : parseDuration(o.duration);
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const r = await labCapture(state, endpoint, {
          file: o.write,
          count,
          durationMs,
          signal: ac.signal,
          onReady: ({ via, what }) => { if (!o.quiet) out(`capturing ${endpoint} (${what}, ${via === 'relay' ? 'written by the relay' : 'raw socket'}) into ${o.write}${count ? `, ${count} frames` : ''}${durationMs ? `, ${durationMs} ms` : ''}; Ctrl-C stops`); },
        });
        out(`${r.frames} frames written to ${r.file}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program.command('apply').description('change a running lab to match a topology file: add/remove nodes, links, lans (rolled back on failure)')
    .argument('<file>', 'topology YAML (its name: is the lab)')
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, o: { quiet?: boolean }) => {
      const r = await labApply(file, { progress: o.quiet ? () => {} : out });
      out(r.changed ? `lab ${r.lab}: ${r.summary}` : `lab ${r.lab}: nothing to change`);
    });

  program.command('graph').description('draw a topology (a running lab, or a file)')
    .argument('[file]', 'topology YAML (default: the running lab)')
    .option('-l, --lab <name>', 'lab name (default: the only lab)')
    .addOption(new Option('-f, --format <format>').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .action(async (file: string | undefined, o: { lab?: string; format: GraphFormat }) => {
      const t = file ? readTopology(file) : requireTopology(pickLab(o.lab));
      out(graph(t, o.format));
    });

  return program;
}

/** A capture duration: `500ms`, `10s`, `2m`, `1h`; a bare number is seconds. */
function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new SyError('SY_ERR_CLI_USAGE', `lab capture: --duration takes a time such as 500ms, 10s or 2m, got '${v}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

export async function runLab(argv: string[]): Promise<number> {
  let code = 0;
  const program = build((c) => { code = c; });
  if (argv.length === 0) argv = ['--help'];
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof SyError) {
      process.stderr.write(`switchyard lab: ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return code;
}
