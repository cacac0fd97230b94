/**
 * The sample engine's view of a live stream (src/lb/acl SampleContext): client and
 * destination addresses, proxy names, the parsed request/response heads (through the
 * engine's lazy views), variables and backend statistics. One object per stream, built
 * only when the proxy has conditions or log-format values; the HTTP views are swapped
 * per transaction.
 */
import type { BackendLookup, BackendStats, HttpRequestView, HttpResponseView, Sample, SampleContext, VarScope, VarStore } from '../acl/index.ts';

/** proc.* variables live as long as the process. */
const procVars = new Map<string, Sample>();

/**
 * Variables by scope lifetime: sess for the connection, txn/req/res for one HTTP
 * transaction (newTransaction() drops them), proc for the process.
 */
class StreamVars implements VarStore {
  private readonly sess = new Map<string, Sample>();
  private txn: Map<string, Sample> | null = null;
  private map(scope: VarScope, create: boolean): Map<string, Sample> | null {
    if (scope === 'proc') return procVars;
    if (scope === 'sess') return this.sess;
    if (this.txn === null && create) this.txn = new Map();
    return this.txn;
  }
  get(scope: VarScope, name: string): Sample | undefined { return this.map(scope, false)?.get(`${scope}.${name}`); }
  set(scope: VarScope, name: string, value: Sample): void { this.map(scope, true)!.set(`${scope}.${name}`, value); }
  unset(scope: VarScope, name: string): void { this.map(scope, false)?.delete(`${scope}.${name}`); }
  newTransaction(): void { this.txn = null; }
}
import type { Backend } from './backend.ts';
import { StreamTrackers } from '../stick/track.ts';
import { bytesWritten } from './direct-write.ts';
import type net from 'node:net';
import type { UniqueIdGen } from '../log/unique-id.ts';
import { nextStreamId } from '../log/stream-id.ts';

/** What the context needs of the client socket (net.Socket). */
type ClientSock = { remoteAddress?: string; remotePort?: number; localAddress?: string; localPort?: number; bytesRead?: number; bytesWritten?: number; once?(ev: 'close', fn: () => void): unknown };

/** BackendStats of a live backend (read when an expression asks). */
export function backendStats(be: Backend): BackendStats {
  return {
    get usableServers() { return be.activeUsableCount() > 0 ? be.activeUsableCount() : be.backupUsableCount(); },
    get currentConns() { return be.beconn; },
    get queued() { let q = be.queue.length; for (const s of be.servers) q += s.queue.length; return q; },
    get connSlots() {
      let n = 0;
      for (const s of be.servers) {
        if (!s.usable) continue;
        if (s.maxconn === 0) return -1;
        n += Math.max(0, s.slotLimit - s.served) + (s.cfg.maxqueue > 0 ? Math.max(0, s.cfg.maxqueue - s.queue.length) : 0);
      }
      return n;
    },
    get activeServers() { return be.activeUsableCount(); },
    serverUp(name: string) { const s = be.servers.find((x) => x.name === name); return s ? s.usable : undefined; },
  };
}

/** Backends by name for nbsrv(be), be_conn(be), srv_is_up(be/srv) …, one stats view each. */
export class BackendsLookup implements BackendLookup {
  private readonly cache = new Map<string, BackendStats | null>();
  private readonly backends: ReadonlyMap<string, Backend>;
  constructor(backends: ReadonlyMap<string, Backend>) { this.backends = backends; }
  backend(name: string): BackendStats | null {
    let b = this.cache.get(name);
    if (b === undefined) {
      const be = this.backends.get(name);
      b = be ? backendStats(be) : null;
      this.cache.set(name, b);
    }
    return b;
  }
}

export class StreamSampleContext implements SampleContext {
  readonly srcAddr: string | null;
  readonly srcPort: number;
  readonly dstAddr: string | null;
  readonly dstPort: number;
  readonly frontendName: string;
  backendName: string | null;
  serverName: string | null = null;
  req: HttpRequestView | null = null;
  res: HttpResponseView | null = null;
  readonly vars = new StreamVars();
  readonly backends: BackendLookup | null;
  currentBackend: BackendStats | null = null;
  /** Stick counters tracked by this connection (src/lb/stick), created by the first track-sc. */
  stick: StreamTrackers | null = null;
  /** The bytes `tcp-request content` rules inspect in mode tcp (tcp-inspect.ts); null otherwise. */
  content: import('../acl/index.ts').ContentView | null = null;
  private readonly sock: ClientSock;
  /** When the connection was accepted (%t, %Ts in unique-id-format). */
  readonly acceptDate = Date.now();
  /** `unique-id-format` of the frontend (null: none), its value for this transaction, and %rt. */
  private readonly uidGen: UniqueIdGen | null;
  private uid: string | null = null;
  private generating = false;
  private streamId = -1;

  constructor(sock: ClientSock, frontendName: string, lookup: BackendLookup | null, uidGen: UniqueIdGen | null = null) {
    this.sock = sock;
    this.uidGen = uidGen;
    this.srcAddr = sock.remoteAddress ?? null;
    this.srcPort = sock.remotePort ?? 0;
    this.dstAddr = sock.localAddress ?? null;
    this.dstPort = sock.localPort ?? 0;
    this.frontendName = frontendName;
    this.backendName = frontendName;
    this.backends = lookup;
  }

  /** A new HTTP transaction: txn/req/res variables start empty, a new unique id and %rt. */
  newTransaction(): void {
    this.vars.newTransaction();
    this.uid = null;
    this.streamId = -1;
  }

  /** %rt of the current stream (src/lb/log/stream-id.ts). */
  get rt(): number {
    if (this.streamId < 0) this.streamId = nextStreamId();
    return this.streamId;
  }

  /** The backend chosen for the current request (names and stats follow it). */
  useBackend(be: Backend | null): void {
    this.backendName = be?.name ?? this.frontendName;
    this.currentBackend = be && this.backends ? this.backends.backend(be.name) : null;
  }

  /**
   * The request's unique id, generated from `unique-id-format` the first time it is asked
   * for (fetch, header, log) and kept until the next request. A format that refers to
   * itself (%ID, %[unique-id]) sees no id while it is being made.
   */
  uniqueId(): string | null {
    if (this.uid !== null || this.uidGen === null || this.generating) return this.uid;
    this.generating = true;
    try {
      this.uid = this.uidGen(this);
    } finally {
      this.generating = false;
    }
    return this.uid;
  }

  /** The trackers, created on first use; every tracked entry is released when the socket closes. */
  trackers(): StreamTrackers {
    if (this.stick) return this.stick;
    const sock = this.sock;
    // Bytes out include what direct-write.ts sent itself (Node's bytesWritten misses them).
    const io = typeof sock.bytesRead === 'number' ? { get bytesRead(): number { return sock.bytesRead!; }, get bytesWritten(): number { return bytesWritten(sock as net.Socket); } } : null;
    const t = new StreamTrackers(io);
    this.stick = t;
    sock.once?.('close', () => t.endAll());
    return t;
  }
}
