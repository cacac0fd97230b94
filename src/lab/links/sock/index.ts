/**
 * # The "sock" cable — cloonix's userspace cable, in TypeScript
 *
 * A sock cable joins two network namespaces (or the root namespace) with a TAP device at
 * each end and a relay process in between that reads every frame from one TAP and writes
 * it to the other. Because the frames pass through our code, the cable can impair them —
 * which this kernel cannot do itself (no netem): per direction, changeable live,
 *   delay (ms), jitter (ms, uniform ±, order kept), loss (%), duplicate (%), corrupt (%),
 *   rate (bit/s; store-and-forward serializer with a tail-drop queue of `queue` bytes).
 * It also counts (frames, bytes, drops by cause: loss | queue | cut | error; duplicated,
 * corrupted, queued), cuts and restores the carrier (both ends see NO-CARRIER), and writes
 * pcap captures of what it delivers.
 *
 * ## API (what the lab core calls)
 * ```ts
 * import { createSockCable, attach, attachSockCable, listSockCables, cleanSockCables,
 *          parseImpairment } from './links/sock/index.ts';
 * const cable = await createSockCable({
 *   stateDir: '/run/switchyard/wan',               // the lab's state dir; ours is <stateDir>/sock/
 *   lab: 'wan', name: 'c1:eth1~lb1:eth1',          // lab [A-Za-z0-9_.-]{1,40}; cable [A-Za-z0-9_.:~@+-]{1,128}, unique
 *   a: { netns: 'sy-wan-c1', ifname: 'eth1', mac: '02:…', mtu: 1500 },   // netns omitted = root ns
 *   b: { netns: 'sy-wan-lb1', ifname: 'eth1' },
 *   impairment: parseImpairment({ delay: '25ms', loss: '1%' }),  // both ways, or { ab: {…}, ba: {…} }
 *   offload: 'auto',                                // TAP TSO/checksum offloads: auto | on | off
 * });
 * await cable.set('ab', { rate: 10e6 });            // 'ab' = frames sent by a towards b; 'ba'; 'both'
 * await cable.cut(); await cable.restore();
 * await cable.capture('/tmp/c1.pcap'); await cable.capture(null);
 * const s = await cable.stats();                    // CableStats: per direction rx/tx/drops/…
 * await cable.destroy();
 * // a later CLI invocation:
 * const same = await attachSockCable(stateDir, 'c1:eth1~lb1:eth1');   // or attach('<stateDir>/sock/relay.ctl', name)
 * await listSockCables(stateDir);                   // names carried now
 * // `lab down` / `lab clean`, also after kill -9 of everything:
 * await cleanSockCables(stateDir);
 * ```
 * Every call rejects with an SyError whose `code` is one of SY_ERR_SOCK_* (errors.ts).
 * The namespaces must exist before `createSockCable` and must not already hold `ifname`;
 * IPs and routes on the TAPs are the lab core's job (`ip -n NS addr add …` after create).
 * Destroy cables before deleting their namespaces (if a namespace goes first, its TAP
 * dies and the relay drops that cable by itself).
 *
 * ## Processes, files, cleanup
 * One detached relay process per lab (`relay-main.ts`, argv tagged `--sy-sock=<lab>`),
 * started by the first createSockCable (or switch, see below) of a state dir, exiting with
 * its last cable or switch. Its
 * main thread serves the control socket; one worker thread pumps the frames of all cables.
 * Files: `<stateDir>/sock/relay.{pid,ctl,log}` (PID, control socket, log), removed by a
 * graceful exit. TAPs are created non-persistent in the relay's namespace under a transient
 * name (`sys<pid36><seq36>a|b`, ≤ 15 chars) and moved/renamed/configured into place in one
 * `ip link set … netns … name … address … mtu … up`; they exist exactly as long as the
 * relay holds their fds, so `kill -9` of the relay removes them all, and `cleanSockCables`
 * only has to stop a live tagged relay (PID from the pidfile, checked against
 * /proc/PID/cmdline) and delete the files. The sock cable runs `ip` itself (spec.ts).
 *
 * ## Control protocol (UNIX stream socket, JSON lines, one request per connection)
 * `{"op":"hello"|"list"|"stop"}`, `{"op":"add","spec":{…}}`, `{"op":"del"|"stats"|"cut"|"restore","cable":"c1"}`,
 * `{"op":"set","cable":"c1","dir":"ab|ba|both","impairment":{…}}`, `{"op":"capture","cable":"c1","path":"/abs.pcap"|null}`
 * → `{"ok":true,…}` | `{"ok":false,"code","error"}`. Requests are served one at a time.
 *
 * ## Learning switches (`sock-switch` lans)
 * The same relay runs userspace switches (switches.ts, switch-pump.ts, switch-table.ts):
 * `relayRequest(stateDir, lab, { op: 'switch-add', switch: 'usw' }, { start: true })`,
 * then `port-add` { switch, port, end: SockEnd } per member (a TAP in the node), `port-cut`,
 * `port-restore`, `port-stats`, `switch-stats` (ports + MAC table), `switch-capture`
 * { path | null } (pcap of every frame entering), `port-del`, `switch-del`. The lab's
 * kinds: switch-kind.ts (LanKind) and port-kind.ts (member LinkKind).
 *
 * ## Speed
 * TAPs are opened with IFF_VNET_HDR and TSO/checksum offloads (TUNSETOFFLOAD), so a TCP
 * stream crosses the relay as ~64 KiB super-frames (see bench/README.md: 6–10 Gbit/s
 * here). While a direction carries a per-frame impairment (loss, duplicate, corrupt, rate)
 * its sending TAP's offloads are switched off (`offload: 'auto'`), so those act on
 * wire-sized frames (≈ 1 Gbit/s ceiling); delay and jitter alone keep them on.
 */
export { createSockCable, attach, attachSockCable, listSockCables, cleanSockCables, relayRequest } from './cable.ts';
export type { SockCable, CreateOptions } from './cable.ts';
export { normalizeImpairment } from './impair.ts';
export { parseImpairment } from './units.ts';
export { readPcap } from './pcap.ts';
export type {
  SockEnd,
  Impairment,
  Dir,
  DirSel,
  DirStats,
  CableStats,
  DropCause,
  OffloadMode,
  SockCableSpec,
  SwitchRequest,
  PortStats,
  SwitchStats,
} from './types.ts';
