/** The text of -v and -vv. First line keeps HAProxy's shape so scripts that parse it work. */
import { VERSION, RELEASE_DATE, COMPAT_VERSION, FEATURES } from '../shared/version.ts';

export function versionText(verbose: boolean): string {
  const lines = [
    `Switchyard version ${VERSION} ${RELEASE_DATE} - https://github.com/switchyard-lb/switchyard`,
    `HA-Proxy version ${COMPAT_VERSION}-switchyard-${VERSION} (configuration language compatibility level)`,
  ];
  if (verbose) {
    lines.push(
      '',
      `Running on: Node.js ${process.version} ${process.platform} ${process.arch}`,
      `Feature list : ${[...FEATURES].map((f) => `+${f}`).join(' ')}`,
      'Available polling systems :',
      '      epoll : pref=300,  test result OK (libuv)',
      'Available multiplexer protocols :',
      '              none : mode=TCP       side=FE|BE',
      '',
      'Available services : prometheus-exporter',
    );
  }
  return lines.join('\n') + '\n';
}
