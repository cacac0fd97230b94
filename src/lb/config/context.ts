/**
 * State shared by the section parsers while one configuration is read: where we are,
 * the diagnostics collected so far (parsing never stops at the first error), and the
 * configuration being built. Section parsers report through alert()/warning() only.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { Config, DefaultsConfig, Diagnostic, ProxyConfig, Where } from './types.ts';

export type Section =
  | { kind: 'none' }
  | { kind: 'global' }
  | { kind: 'defaults'; defaults: DefaultsConfig }
  | { kind: 'proxy'; proxy: ProxyConfig }
  | { kind: 'http-errors'; name: string; files: Record<number, Buffer> }
  | { kind: 'userlist'; list: import('../auth/userlist.ts').Userlist | null }
  /** A section we recognise but do not implement: its lines are skipped (one error was given). */
  | { kind: 'unsupported'; name: string };

export class ParseContext {
  readonly env: NodeJS.ProcessEnv;
  readonly diagnostics: Diagnostic[] = [];
  readonly config: Config;
  readonly defaults = new Map<string, DefaultsConfig>();
  /** The most recent defaults section: what a proxy without `from` inherits. */
  lastDefaults: DefaultsConfig | undefined;
  section: Section = { kind: 'none' };
  where: Where = { file: '', line: 0 };

  constructor(config: Config, env: NodeJS.ProcessEnv) {
    this.config = config;
    this.env = env;
  }

  alert(code: ErrorCode, message: string, where: Where | null = this.where): void {
    this.diagnostics.push({ severity: 'alert', code, where: where ? { ...where } : undefined, message });
  }

  warning(message: string, where: Where | null = this.where): void {
    this.diagnostics.push({ severity: 'warning', where: where ? { ...where } : undefined, message });
  }

  notice(message: string, severity: 'notice' | 'diag' = 'notice'): void {
    this.diagnostics.push({ severity, where: { ...this.where }, message });
  }

  get hasAlerts(): boolean {
    return this.diagnostics.some((d) => d.severity === 'alert');
  }
}
