/**
 * TAP devices through /dev/net/tun. The relay process creates each TAP in its own (root)
 * network namespace, non-persistent: the device lives exactly as long as our fd, so a
 * `kill -9` of the relay removes every TAP it made, wherever they were moved to. The fd
 * stays valid after `ip link set … netns …` moves the device.
 *
 * Offloads: with IFF_VNET_HDR every frame read/written is prefixed by a 10-byte
 * virtio_net_hdr, and TUNSETOFFLOAD lets the kernel hand us (and accept from us) 64 KiB
 * TSO/GSO super-frames with checksums left to complete — the single biggest throughput
 * lever (one read per ~44 wire frames). The relay turns offloads off while a cable carries
 * a per-frame impairment, so loss/duplicate/corrupt/rate act on wire-sized frames.
 */
import { libc, O_RDWR, O_NONBLOCK, O_CLOEXEC, errnoName } from './libc.ts';
import { SyError } from '../../../shared/errors.ts';

// ioctl numbers: _IOW('T', n, int) = 0x40045400 | n
const TUNSETIFF = 0x400454ca;
const TUNSETOFFLOAD = 0x400454d0;
const TUNSETCARRIER = 0x400454e2;
const IFF_TAP = 0x0002;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;

export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
export const TUN_F_TSO_ECN = 0x08;
/** Offload set used for speed: checksum + TCP segmentation, v4 and v6. */
export const OFFLOADS_FAST = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

/** Size of struct virtio_net_hdr prefixed to every frame when vnet headers are on. */
export const VNET_HDR_LEN = 10;

export type Tap = { fd: number; name: string; vnetHdr: boolean };

/** Create a TAP named `name` (≤ 15 chars) in the caller's netns; fd is non-blocking. */
export function openTap(name: string, vnetHdr: boolean): Tap {
  if (Buffer.byteLength(name) > 15) throw new SyError('SY_ERR_SOCK_NAME', `TAP name too long (max 15): ${name}`);
  const c = libc();
  const fd = c.open('/dev/net/tun', O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw new SyError('SY_ERR_SOCK_TAP', `open /dev/net/tun: ${errnoName(c.errno())}`);
  const ifr = Buffer.alloc(40);
  ifr.write(name, 0, 'latin1');
  ifr.writeUInt16LE(IFF_TAP | IFF_NO_PI | (vnetHdr ? IFF_VNET_HDR : 0), 16);
  if (c.ioctlPtr(fd, TUNSETIFF, ifr) < 0) {
    const e = c.errno();
    c.close(fd);
    throw new SyError('SY_ERR_SOCK_TAP', `TUNSETIFF ${name}: ${errnoName(e)}`);
  }
  const real = ifr.toString('latin1', 0, 16).replace(/\0.*$/s, '');
  return { fd, name: real, vnetHdr };
}

/** Set the offload flags (TUN_F_*); 0 = the kernel segments and checksums before us. */
export function setOffload(tap: Tap, flags: number): boolean {
  if (!tap.vnetHdr) return flags === 0;
  return libc().ioctlVal(tap.fd, TUNSETOFFLOAD, flags) === 0;
}

/** Carrier up/down as the stack in the node sees it (TUNSETCARRIER, Linux ≥ 5.0). */
export function setCarrier(tap: Tap, up: boolean): boolean {
  const v = Buffer.alloc(4);
  v.writeInt32LE(up ? 1 : 0, 0);
  return libc().ioctlPtr(tap.fd, TUNSETCARRIER, v) === 0;
}

export function closeTap(tap: Tap): void {
  if (tap.fd >= 0) libc().close(tap.fd);
  tap.fd = -1;
}
