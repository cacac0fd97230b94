/**
 * Phase 2 of reading a topology: raw objects → a checked `Topology`, or every problem at
 * once with file:line:col. Pure: no system call happens here or before it succeeds (the
 * one exception is a balancer's `config_file`, which is read, never executed).
 *
 * What is checked: field names and types (unknown ones listed with what is allowed),
 * lab/node/lan/interface names (charset, the kernel's 15-character limit), IPv4/IPv6
 * addresses with prefix, gateways, MACs, duplicates (names, interfaces used twice,
 * addresses, MACs), node/link/lan kinds against their registries, link endpoints that
 * point at existing nodes or lans, impairment values and units (and whether the link kind
 * can apply them), declared interfaces that nothing connects, `depends_on` references and
 * cycles. Defaults are filled in: node kind `host`, link kind `veth`, lan kind `bridge`.
 */
import { dirname } from 'node:path';
import { DEFAULT_LAN_KIND, DEFAULT_LINK_KIND, lanKind, lanKinds, linkKind, linkKinds } from '../links/registry.ts';
import { DEFAULT_NODE_KIND, nodeKind, nodeKinds } from '../nodes/registry.ts';
import { IFNAME_RE, LAB_NAME_RE, LAN_NAME_RE, NODE_NAME_RE, fabricNetns, nodeNetns, portName } from '../sys/names.ts';
import { canonicalIp, checkMac, ipFamily, parseCidr, parseDestination } from './addr.ts';
import type { Path, RawTopology } from './load.ts';
import { Reporter } from './report.ts';
import type { Diagnostic, Iface, Impairment, ImpairmentKey, LinkEnd, LinkImpairment, ResolvedLan, ResolvedLink, ResolvedNode, Route, Topology } from './types.ts';
import { parsePercent, parseRate, parseSize, parseTime, type Parsed } from './units.ts';

export type ResolveResult = { ok: true; topology: Topology } | { ok: false; diagnostics: Diagnostic[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`);

const TOP_KEYS = ['name', 'nodes', 'links', 'lans'];
const NODE_KEYS = ['kind', 'interfaces', 'routes', 'sysctls', 'env', 'exec', 'depends_on'];
const IFACE_KEYS = ['ipv4', 'ipv6', 'mac', 'mtu'];
const LINK_KEYS = ['endpoints', 'kind', 'impairment'];
const LAN_KEYS = ['kind', 'members'];
const IMPAIRMENT_PARSERS: Record<ImpairmentKey, (v: unknown) => Parsed> = {
  delay: parseTime, jitter: parseTime, loss: parsePercent, duplicate: parsePercent, corrupt: parsePercent, rate: parseRate, queue: parseSize,
};
const IMPAIRMENT_KEYS = Object.keys(IMPAIRMENT_PARSERS) as ImpairmentKey[];

export function resolve(raw: RawTopology): ResolveResult {
  const r = new Reporter(raw);
  r.diagnostics.push(...raw.diagnostics);
  if (r.failed) return { ok: false, diagnostics: r.diagnostics };
  const t = new Resolver(raw, r).run();
  return t && !r.failed ? { ok: true, topology: t } : { ok: false, diagnostics: r.diagnostics };
}

/** An endpoint as written: `node:ifname` or a bare lan name. */
type Endpoint = { text: string; node: string; ifname: string } | { text: string; lan: string };

class Resolver {
  private readonly raw: RawTopology;
  private readonly r: Reporter;
  private lab = '';
  private readonly nodes = new Map<string, ResolvedNode>();
  private readonly lans = new Map<string, ResolvedLan>();
  /** node:if → where it was first connected (to report interfaces used twice). */
  private readonly used = new Map<string, Path>();
  private port = 0;

  constructor(raw: RawTopology, r: Reporter) {
    this.raw = raw;
    this.r = r;
  }

  run(): Topology | null {
    const d = this.raw.data;
    if (!isObj(d)) {
      this.r.error('SY_ERR_LAB_FIELD', [], `a topology is a mapping with ${TOP_KEYS.join(', ')} (got ${typeName(d)})`);
      return null;
    }
    this.keys(d, [], TOP_KEYS, 'the topology');
    if (typeof d.name !== 'string') this.r.error('SY_ERR_LAB_FIELD', d.name === undefined ? [] : ['name'], `the topology needs 'name' (a string)`);
    else if (!LAB_NAME_RE.test(d.name)) this.r.error('SY_ERR_LAB_NAME', ['name'], `lab name '${d.name}' is invalid (allowed: letters, digits, '_' and '-', 1 to 32 characters, starting with a letter or digit)`);
    else this.lab = d.name;
    const lab = this.lab || 'x';

    if (!isObj(d.nodes) || Object.keys(d.nodes).length === 0) {
      this.r.error('SY_ERR_LAB_FIELD', d.nodes === undefined ? [] : ['nodes'], `the topology needs 'nodes': a mapping of node name to node (got ${typeName(d.nodes)})`);
      return null;
    }
    for (const [name, v] of Object.entries(d.nodes)) this.node(lab, name, v);
    if (d.lans !== undefined) {
      if (!isObj(d.lans)) this.r.error('SY_ERR_LAB_FIELD', ['lans'], `'lans' must be a mapping of lan name to { kind, members } (got ${typeName(d.lans)})`);
      else for (const [name, v] of Object.entries(d.lans)) this.lan(name, v);
    }
    const links: ResolvedLink[] = [];
    const fabric = this.lans.size > 0 ? fabricNetns(lab) : null;
    // lan members first (in lan order), then explicit links
    if (isObj(d.lans)) {
      for (const [name, v] of Object.entries(d.lans)) {
        if (!this.lans.has(name) || !isObj(v)) continue;
        const members = v.members;
        if (members === undefined) continue;
        if (!Array.isArray(members)) {
          this.r.error('SY_ERR_LAB_FIELD', ['lans', name, 'members'], `'members' of lan ${name} must be a list of "node:interface" (got ${typeName(members)})`);
          continue;
        }
        members.forEach((m, i) => {
          const path = ['lans', name, 'members', i];
          const ep = this.endpoint(m, path);
          if (!ep) return;
          if (!('node' in ep)) {
            this.r.error('SY_ERR_LAB_REFERENCE', path, `lan members are node interfaces ("node:interface"); to join lan ${ep.lan} to lan ${name} write a link with endpoints ["${name}", "${ep.lan}"]`);
            return;
          }
          const memberKind = lanKind(this.lans.get(name)?.kind ?? '')?.memberLinkKind ?? DEFAULT_LINK_KIND;
          const link = this.makeLink(fabric, ep, { text: name, lan: name }, memberKind, { ab: {}, ba: {} }, {}, path);
          if (link) links.push(link);
        });
      }
    }
    if (d.links !== undefined) {
      if (!Array.isArray(d.links)) this.r.error('SY_ERR_LAB_FIELD', ['links'], `'links' must be a list of { endpoints: ["a:eth1", "b:eth1"], kind, impairment } (got ${typeName(d.links)})`);
      else d.links.forEach((l, i) => { const link = this.link(fabric, l, ['links', i]); if (link) links.push(link); });
    }
    this.unconnected();
    this.duplicates();
    const startOrder = this.startOrder();
    if (this.r.failed || !startOrder) return null;
    return {
      name: this.lab,
      file: this.raw.file,
      fabric,
      nodes: [...this.nodes.values()],
      lans: [...this.lans.values()],
      links,
      startOrder,
    };
  }

  private keys(o: Obj, path: Path, allowed: readonly string[], what: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.r.error('SY_ERR_LAB_FIELD', [...path, k], `unknown field '${k}' in ${what} (allowed: ${allowed.join(', ')})`, 'key');
    }
  }

  private node(lab: string, name: string, v: unknown): void {
    const path = ['nodes', name];
    if (!NODE_NAME_RE.test(name)) {
      this.r.error('SY_ERR_LAB_NAME', path, `node name '${name}' is invalid (allowed: letters, digits, '_' and '-', 1 to 32 characters, starting with a letter or digit)`, 'key');
      return;
    }
    const o: Obj = v === null ? {} : isObj(v) ? v : {};
    if (v !== null && !isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `node ${name} must be a mapping (got ${typeName(v)})`);
      return;
    }
    const kindName = o.kind === undefined ? DEFAULT_NODE_KIND : o.kind;
    const kind = typeof kindName === 'string' ? nodeKind(kindName) : undefined;
    if (!kind) {
      this.r.error('SY_ERR_LAB_UNKNOWN_KIND', [...path, 'kind'], `unknown node kind ${JSON.stringify(kindName)} for node ${name} (known: ${nodeKinds().map((k) => k.name).join(', ')})`);
    }
    this.keys(o, path, [...NODE_KEYS, ...(kind?.optionKeys ?? [])], `node ${name}${kind ? ` (kind ${kind.name})` : ''}`);
    const interfaces = this.interfaces(name, o.interfaces, [...path, 'interfaces']);
    const node: ResolvedNode = {
      name,
      kind: kind?.name ?? String(kindName),
      netns: nodeNetns(lab, name),
      interfaces,
      routes: [],
      sysctls: this.sysctls(name, o.sysctls, [...path, 'sysctls']),
      env: this.env(name, o.env, [...path, 'env']),
      exec: this.strings(o.exec, [...path, 'exec'], `'exec' of node ${name}`),
      dependsOn: this.strings(o.depends_on, [...path, 'depends_on'], `'depends_on' of node ${name}`),
      options: {},
      pos: this.raw.at(path, 'key'),
    };
    if (kind) {
      const kindRaw: Obj = {};
      for (const k of kind.optionKeys) if (k in o) kindRaw[k] = o[k];
      node.options = kind.resolveOptions(kindRaw, {
        nodeName: name,
        baseDir: dirname(this.raw.file),
        error: (code, rel, message, part) => this.r.error(code, [...path, ...rel], message, part),
      });
    }
    this.nodes.set(name, node);
    node.routes = this.routes(node, o.routes, [...path, 'routes']);
  }

  private interfaces(node: string, v: unknown, path: Path): Iface[] {
    if (v === undefined || v === null) return [];
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `'interfaces' of node ${node} must be a mapping of interface name to { ipv4, ipv6, mac, mtu } (got ${typeName(v)})`);
      return [];
    }
    const out: Iface[] = [];
    for (const [ifname, iv] of Object.entries(v)) {
      const ip = [...path, ifname];
      if (!IFNAME_RE.test(ifname) || ifname === 'lo') {
        this.r.error('SY_ERR_LAB_NAME', ip, `interface name '${ifname}' of node ${node} is invalid (allowed: 1 to 15 letters, digits, '_', '.', '-', starting with a letter or digit; not 'lo')`, 'key');
        continue;
      }
      const iface: Iface = { name: ifname, addresses: [] };
      if (iv !== null && iv !== undefined) {
        if (!isObj(iv)) {
          this.r.error('SY_ERR_LAB_FIELD', ip, `interface ${node}:${ifname} must be a mapping { ipv4, ipv6, mac, mtu } (got ${typeName(iv)})`);
          continue;
        }
        this.keys(iv, ip, IFACE_KEYS, `interface ${node}:${ifname}`);
        for (const fam of [4, 6] as const) {
          const key = `ipv${fam}`;
          const val = iv[key];
          if (val === undefined) continue;
          const list = Array.isArray(val) ? val : [val];
          list.forEach((a, i) => {
            const ap = Array.isArray(val) ? [...ip, key, i] : [...ip, key];
            if (typeof a !== 'string') {
              this.r.error('SY_ERR_LAB_ADDRESS', ap, `${key} of ${node}:${ifname} must be an address with prefix such as ${fam === 4 ? '10.0.0.1/24' : 'fd00::1/64'} (got ${typeName(a)})`);
              return;
            }
            const c = parseCidr(a);
            if (typeof c === 'string') this.r.error('SY_ERR_LAB_ADDRESS', ap, `${key} of ${node}:${ifname}: ${c}`);
            else if (c.family !== fam) this.r.error('SY_ERR_LAB_ADDRESS', ap, `${key} of ${node}:${ifname}: '${a}' is an IPv${c.family} address (write it under ipv${c.family})`);
            else iface.addresses.push(`${c.ip}/${c.prefix}`);
          });
        }
        if (iv.mac !== undefined) {
          const err = typeof iv.mac === 'string' ? checkMac(iv.mac) : `mac must be a string such as "02:00:00:00:00:01" (quote it in YAML)`;
          if (err) this.r.error('SY_ERR_LAB_ADDRESS', [...ip, 'mac'], `mac of ${node}:${ifname}: ${err}`);
          else iface.mac = (iv.mac as string).toLowerCase();
        }
        if (iv.mtu !== undefined) {
          if (typeof iv.mtu !== 'number' || !Number.isInteger(iv.mtu) || iv.mtu < 68 || iv.mtu > 65535) {
            this.r.error('SY_ERR_LAB_FIELD', [...ip, 'mtu'], `mtu of ${node}:${ifname} must be an integer within 68 and 65535 (got ${typeName(iv.mtu)})`);
          } else iface.mtu = iv.mtu;
        }
      }
      out.push(iface);
    }
    return out;
  }

  private routes(node: ResolvedNode, v: unknown, path: Path): Route[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `'routes' of node ${node.name} must be a list of { to, via, dev } (got ${typeName(v)})`);
      return [];
    }
    const out: Route[] = [];
    v.forEach((rv, i) => {
      const rp = [...path, i];
      if (!isObj(rv)) {
        this.r.error('SY_ERR_LAB_FIELD', rp, `a route of node ${node.name} must be a mapping { to, via, dev } (got ${typeName(rv)})`);
        return;
      }
      this.keys(rv, rp, ['to', 'via', 'dev'], `a route of node ${node.name}`);
      if (typeof rv.to !== 'string') {
        this.r.error('SY_ERR_LAB_FIELD', rp, `a route of node ${node.name} needs 'to': 'default' or a network such as 10.1.0.0/16`);
        return;
      }
      const dest = parseDestination(rv.to);
      if (typeof dest === 'string' && dest !== 'default') {
        this.r.error('SY_ERR_LAB_ADDRESS', [...rp, 'to'], `route 'to' of node ${node.name}: ${dest}`);
        return;
      }
      const route: Route = { to: dest === 'default' ? 'default' : `${dest.ip}/${dest.prefix}` };
      if (rv.via !== undefined) {
        const fam = typeof rv.via === 'string' ? ipFamily(rv.via) : 0;
        const want = dest === 'default' ? 0 : dest.family;
        if (fam === 0) this.r.error('SY_ERR_LAB_ADDRESS', [...rp, 'via'], `route 'via' of node ${node.name} must be an IPv4 or IPv6 address (got ${typeName(rv.via)})`);
        else if (want !== 0 && fam !== want) this.r.error('SY_ERR_LAB_ADDRESS', [...rp, 'via'], `route of node ${node.name}: gateway ${String(rv.via)} is IPv${fam} but destination ${rv.to} is IPv${want}`);
        else route.via = canonicalIp(rv.via as string);
      }
      if (rv.dev !== undefined) {
        if (typeof rv.dev !== 'string' || !node.interfaces.some((f) => f.name === rv.dev)) {
          this.r.error('SY_ERR_LAB_REFERENCE', [...rp, 'dev'], `route 'dev' of node ${node.name}: no interface ${JSON.stringify(rv.dev)} declared (declared: ${node.interfaces.map((f) => f.name).join(', ') || 'none'})`);
        } else route.dev = rv.dev;
      }
      if (rv.via === undefined && rv.dev === undefined) this.r.error('SY_ERR_LAB_FIELD', rp, `a route of node ${node.name} needs 'via' (a gateway) or 'dev' (an interface)`);
      out.push(route);
    });
    return out;
  }

  private sysctls(node: string, v: unknown, path: Path): Record<string, string> {
    const out: Record<string, string> = {};
    if (v === undefined || v === null) return out;
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `'sysctls' of node ${node} must be a mapping such as { net.ipv4.ip_forward: 1 } (got ${typeName(v)})`);
      return out;
    }
    for (const [k, val] of Object.entries(v)) {
      if (!/^net\.[A-Za-z0-9_.\-/]+$/.test(k)) {
        this.r.error('SY_ERR_LAB_FIELD', [...path, k], `sysctl '${k}' of node ${node} is not allowed (only net.* sysctls belong to a network namespace; others would change the host)`, 'key');
      } else if (!['string', 'number', 'boolean'].includes(typeof val)) {
        this.r.error('SY_ERR_LAB_FIELD', [...path, k], `sysctl ${k} of node ${node} must be a number or string (got ${typeName(val)})`);
      } else out[k] = typeof val === 'boolean' ? (val ? '1' : '0') : String(val);
    }
    return out;
  }

  private env(node: string, v: unknown, path: Path): Record<string, string> {
    const out: Record<string, string> = {};
    if (v === undefined || v === null) return out;
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `'env' of node ${node} must be a mapping of variable name to value (got ${typeName(v)})`);
      return out;
    }
    for (const [k, val] of Object.entries(v)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) this.r.error('SY_ERR_LAB_NAME', [...path, k], `environment variable name '${k}' of node ${node} is invalid (allowed: letters, digits, '_', not starting with a digit)`, 'key');
      else if (!['string', 'number', 'boolean'].includes(typeof val)) this.r.error('SY_ERR_LAB_FIELD', [...path, k], `env ${k} of node ${node} must be a string or number (got ${typeName(val)})`);
      else out[k] = String(val);
    }
    return out;
  }

  private strings(v: unknown, path: Path, what: string): string[] {
    if (v === undefined || v === null) return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
      this.r.error('SY_ERR_LAB_FIELD', path, `${what} must be a string or a list of strings (got ${typeName(v)})`);
      return [];
    }
    return list as string[];
  }

  private lan(name: string, v: unknown): void {
    const path = ['lans', name];
    if (!LAN_NAME_RE.test(name)) {
      this.r.error('SY_ERR_LAB_NAME', path, `lan name '${name}' is invalid (it names a bridge: 1 to 15 letters, digits, '_' and '-', starting with a letter or digit)`, 'key');
      return;
    }
    if (this.nodes.has(name)) {
      this.r.error('SY_ERR_LAB_DUPLICATE', path, `lan ${name} has the name of a node (link endpoints name nodes and lans alike, so they must differ)`, 'key');
      return;
    }
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `lan ${name} must be a mapping { kind, members } (got ${typeName(v)})`);
      return;
    }
    this.keys(v, path, LAN_KEYS, `lan ${name}`);
    const kindName = v.kind === undefined ? DEFAULT_LAN_KIND : v.kind;
    const kind = typeof kindName === 'string' ? lanKind(kindName) : undefined;
    if (!kind) this.r.error('SY_ERR_LAB_UNKNOWN_KIND', [...path, 'kind'], `unknown lan kind ${JSON.stringify(kindName)} for lan ${name} (known: ${lanKinds().map((k) => k.name).join(', ')})`);
    this.lans.set(name, { name, kind: kind?.name ?? String(kindName), bridge: name, pos: this.raw.at(path, 'key') });
  }

  private endpoint(v: unknown, path: Path): Endpoint | null {
    if (typeof v !== 'string') {
      this.r.error('SY_ERR_LAB_FIELD', path, `an endpoint is a string "node:interface" or a lan name (got ${typeName(v)})`);
      return null;
    }
    const colon = v.indexOf(':');
    if (colon < 0) {
      if (this.lans.has(v)) return { text: v, lan: v };
      const hint = this.nodes.has(v) ? ` — ${v} is a node: name its interface, e.g. "${v}:eth1"` : '';
      this.r.error('SY_ERR_LAB_REFERENCE', path, `endpoint '${v}' is not a lan${hint} (lans: ${[...this.lans.keys()].join(', ') || 'none'}; node endpoints are written "node:interface")`);
      return null;
    }
    const node = v.slice(0, colon);
    const ifname = v.slice(colon + 1);
    if (!this.nodes.has(node)) {
      this.r.error('SY_ERR_LAB_REFERENCE', path, `endpoint '${v}': no node named '${node}' (nodes: ${[...this.nodes.keys()].join(', ')})`);
      return null;
    }
    if (!IFNAME_RE.test(ifname) || ifname === 'lo') {
      this.r.error('SY_ERR_LAB_NAME', path, `endpoint '${v}': interface name '${ifname}' is invalid (allowed: 1 to 15 letters, digits, '_', '.', '-'; not 'lo')`);
      return null;
    }
    return { text: v, node, ifname };
  }

  private link(fabric: string | null, v: unknown, path: Path): ResolvedLink | null {
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_FIELD', path, `a link must be a mapping { endpoints: ["a:eth1", "b:eth1"], kind, impairment } (got ${typeName(v)})`);
      return null;
    }
    const kindName = v.kind === undefined ? DEFAULT_LINK_KIND : v.kind;
    const kind = typeof kindName === 'string' ? linkKind(kindName) : undefined;
    if (!kind) this.r.error('SY_ERR_LAB_UNKNOWN_KIND', [...path, 'kind'], `unknown link kind ${JSON.stringify(kindName)} (known: ${linkKinds().filter((k) => !k.memberOnly).map((k) => k.name).join(', ')})`);
    else if (kind.memberOnly) {
      this.r.error('SY_ERR_LAB_UNKNOWN_KIND', [...path, 'kind'], `link kind ${kind.name} is made by the lab for lan members; write the interface under the lan's 'members' (link kinds: ${linkKinds().filter((k) => !k.memberOnly).map((k) => k.name).join(', ')})`);
      return null;
    }
    this.keys(v, path, [...LINK_KEYS, ...(kind?.optionKeys ?? [])], `a link${kind ? ` (kind ${kind.name})` : ''}`);
    const eps = v.endpoints;
    if (!Array.isArray(eps) || eps.length !== 2) {
      this.r.error('SY_ERR_LAB_FIELD', eps === undefined ? path : [...path, 'endpoints'], `a link needs 'endpoints': exactly two of "node:interface" or a lan name (got ${typeName(eps)})`);
      return null;
    }
    const a = this.endpoint(eps[0], [...path, 'endpoints', 0]);
    const b = this.endpoint(eps[1], [...path, 'endpoints', 1]);
    const impairment = this.impairment(v.impairment, [...path, 'impairment'], kind?.name ?? null, kind?.impairments ?? IMPAIRMENT_KEYS);
    if (!a || !b) {
      // still note the valid end as used, so an interface connected twice is reported
      for (const e of [a, b]) if (e && 'node' in e) this.place(fabric, e, path);
      return null;
    }
    for (const [i, e] of [a, b].entries()) {
      const lan = 'lan' in e ? this.lans.get(e.lan) : undefined;
      if (lan && lanKind(lan.kind)?.memberLinkKind) {
        this.r.error('SY_ERR_LAB_REFERENCE', [...path, 'endpoints', i], `lan ${lan.name} (kind ${lan.kind}) takes members only: list the node interface under its 'members' (links join kernel lans only)`);
        return null;
      }
    }
    if (a.text === b.text) {
      this.r.error('SY_ERR_LAB_DUPLICATE', [...path, 'endpoints', 1], `a link joins '${a.text}' to itself`);
      return null;
    }
    let options: Obj = {};
    if (kind?.resolveOptions) {
      const kindRaw: Obj = {};
      for (const k of kind.optionKeys) if (k in v) kindRaw[k] = v[k];
      options = kind.resolveOptions(kindRaw, { linkId: `${a.text}~${b.text}`, error: (code, rel, message, part) => this.r.error(code, [...path, ...rel], message, part) });
    }
    return this.makeLink(fabric, a, b, kind?.name ?? String(kindName), impairment, options, path);
  }

  private makeLink(fabric: string | null, a: Endpoint, b: Endpoint, kind: string, impairment: LinkImpairment, options: Obj, path: Path): ResolvedLink | null {
    const ea = this.place(fabric, a, path);
    const eb = this.place(fabric, b, path);
    if (!ea || !eb) return null;
    if (ea.lan) ea.mtu ??= eb.mtu;
    if (eb.lan) eb.mtu ??= ea.mtu;
    return { id: `${a.text}~${b.text}`, kind, a: ea, b: eb, impairment, options, pos: this.raw.at(path) };
  }

  /** Where an endpoint's interface lives; node interfaces may be used once only. */
  private place(fabric: string | null, e: Endpoint, path: Path): LinkEnd | null {
    if ('lan' in e) {
      const lan = this.lans.get(e.lan);
      if (!lan || !fabric) return null;
      // a switch outside the kernel has no port interface: ifname only names the port
      const kernel = !lanKind(lan.kind)?.memberLinkKind;
      return { node: null, lan: e.lan, netns: fabric, ifname: portName(this.port++), master: kernel ? lan.bridge : null };
    }
    const node = this.nodes.get(e.node);
    if (!node) return null;
    const key = `${e.node}:${e.ifname}`;
    const first = this.used.get(key);
    if (first) {
      const p = this.raw.at(first);
      this.r.error('SY_ERR_LAB_DUPLICATE', path, `interface ${key} is already connected at line ${p.line} (an interface joins one link or lan)`);
      return null;
    }
    this.used.set(key, path);
    let iface = node.interfaces.find((f) => f.name === e.ifname);
    if (!iface) {
      iface = { name: e.ifname, addresses: [] };
      node.interfaces.push(iface);
    }
    const end: LinkEnd = { node: node.name, lan: null, netns: node.netns, ifname: e.ifname, master: null };
    if (iface.mac) end.mac = iface.mac;
    if (iface.mtu) end.mtu = iface.mtu;
    return end;
  }

  private impairment(v: unknown, path: Path, kind: string | null, supported: readonly ImpairmentKey[]): LinkImpairment {
    const out: LinkImpairment = { ab: {}, ba: {} };
    if (v === undefined || v === null) return out;
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_IMPAIRMENT', path, `'impairment' must be a mapping such as { delay: 20ms, loss: 1%, rate: 100mbit }, or { ab: {…}, ba: {…} } per direction (got ${typeName(v)})`);
      return out;
    }
    const perDir = 'ab' in v || 'ba' in v;
    if (perDir) {
      this.keys(v, path, ['ab', 'ba'], 'a per-direction impairment');
      out.ab = this.impairmentDir(v.ab, [...path, 'ab'], kind, supported);
      out.ba = this.impairmentDir(v.ba, [...path, 'ba'], kind, supported);
    } else {
      out.ab = this.impairmentDir(v, path, kind, supported);
      out.ba = { ...out.ab };
    }
    return out;
  }

  private impairmentDir(v: unknown, path: Path, kind: string | null, supported: readonly ImpairmentKey[]): Impairment {
    const out: Impairment = {};
    if (v === undefined || v === null) return out;
    if (!isObj(v)) {
      this.r.error('SY_ERR_LAB_IMPAIRMENT', path, `an impairment direction must be a mapping such as { delay: 20ms } (got ${typeName(v)})`);
      return out;
    }
    for (const [k, val] of Object.entries(v)) {
      if (!(IMPAIRMENT_KEYS as string[]).includes(k)) {
        this.r.error('SY_ERR_LAB_IMPAIRMENT', [...path, k], `unknown impairment '${k}' (allowed: ${IMPAIRMENT_KEYS.join(', ')})`, 'key');
        continue;
      }
      const key = k as ImpairmentKey;
      const p = IMPAIRMENT_PARSERS[key](val);
      if (!p.ok) {
        this.r.error('SY_ERR_LAB_IMPAIRMENT', [...path, k], `impairment ${k}: ${p.error}`);
        continue;
      }
      if (!supported.includes(key)) {
        const can = linkKinds().filter((lk) => lk.impairments.includes(key)).map((lk) => lk.name);
        this.r.error('SY_ERR_LAB_IMPAIRMENT', [...path, k], `link kind ${kind ?? '?'} cannot apply '${k}' (it supports: ${supported.join(', ') || 'none'}${can.length ? `; kinds that can: ${can.join(', ')}` : '; no registered link kind can'})`, 'key');
        continue;
      }
      out[key] = p.value;
    }
    if (out.jitter !== undefined && out.delay === undefined) this.r.error('SY_ERR_LAB_IMPAIRMENT', [...path, 'jitter'], `impairment jitter needs a delay`, 'key');
    if (out.queue !== undefined && out.rate === undefined) this.r.error('SY_ERR_LAB_IMPAIRMENT', [...path, 'queue'], `impairment queue needs a rate`, 'key');
    return out;
  }

  private unconnected(): void {
    for (const n of this.nodes.values()) {
      for (const f of n.interfaces) {
        if (!this.used.has(`${n.name}:${f.name}`)) {
          this.r.error('SY_ERR_LAB_REFERENCE', ['nodes', n.name, 'interfaces', f.name], `interface ${n.name}:${f.name} is declared but no link or lan connects it`, 'key');
        }
      }
    }
  }

  private duplicates(): void {
    const ips = new Map<string, string>();
    const macs = new Map<string, string>();
    for (const n of this.nodes.values()) {
      for (const f of n.interfaces) {
        const path = ['nodes', n.name, 'interfaces', f.name];
        for (const a of f.addresses) {
          const ip = a.slice(0, a.indexOf('/'));
          const prev = ips.get(ip);
          if (prev) this.r.error('SY_ERR_LAB_DUPLICATE', path, `address ${ip} of ${n.name}:${f.name} is already used by ${prev}`);
          else ips.set(ip, `${n.name}:${f.name}`);
        }
        if (f.mac) {
          const prev = macs.get(f.mac);
          if (prev) this.r.error('SY_ERR_LAB_DUPLICATE', [...path, 'mac'], `MAC ${f.mac} of ${n.name}:${f.name} is already used by ${prev}`);
          else macs.set(f.mac, `${n.name}:${f.name}`);
        }
      }
    }
  }

  /** Kahn's algorithm in levels; a cycle is reported with its path. */
  private startOrder(): string[][] | null {
    let ok = true;
    for (const n of this.nodes.values()) {
      n.dependsOn.forEach((dep, i) => {
        if (dep === n.name) { ok = false; this.r.error('SY_ERR_LAB_CYCLE', ['nodes', n.name, 'depends_on', i], `node ${n.name} depends on itself`); }
        else if (!this.nodes.has(dep)) { ok = false; this.r.error('SY_ERR_LAB_REFERENCE', ['nodes', n.name, 'depends_on', i], `node ${n.name} depends on '${dep}', which is not a node (nodes: ${[...this.nodes.keys()].join(', ')})`); }
      });
    }
    if (!ok) return null;
    const pending = new Map([...this.nodes.values()].map((n) => [n.name, new Set(n.dependsOn)]));
    const levels: string[][] = [];
    while (pending.size) {
      const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([n]) => n);
      if (ready.length === 0) {
        const cycle = this.findCycle([...pending.keys()]);
        const first = cycle[0] as string;
        const idx = this.nodes.get(first)?.dependsOn.indexOf(cycle[1] as string) ?? 0;
        this.r.error('SY_ERR_LAB_CYCLE', ['nodes', first, 'depends_on', idx], `startup dependencies form a cycle: ${cycle.join(' → ')}`);
        return null;
      }
      levels.push(ready);
      for (const n of ready) pending.delete(n);
      for (const deps of pending.values()) for (const n of ready) deps.delete(n);
    }
    return levels;
  }

  private findCycle(candidates: string[]): string[] {
    const set = new Set(candidates);
    const start = candidates[0] as string;
    const seen = new Map<string, number>();
    const path: string[] = [];
    let cur = start;
    while (!seen.has(cur)) {
      seen.set(cur, path.length);
      path.push(cur);
      cur = this.nodes.get(cur)?.dependsOn.find((d) => set.has(d)) ?? start;
    }
    return [...path.slice(seen.get(cur)), cur];
  }
}
