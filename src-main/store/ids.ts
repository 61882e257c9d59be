import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;
// Random bytes are drawn in bulk: one system call per 256 ids.
let pool = Buffer.alloc(0);
let offset = 0;

function random16(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  return bytes;
}

/**
 * A UUID version 7: time-ordered, so new rows land at the end of their primary-key index instead
 * of on a random page (far fewer pages written per commit than random UUIDs).
 */
export function newId(now = Date.now()): string {
  // A 12-bit counter keeps ids ordered within one millisecond.
  if (now <= lastMs) sequence = (sequence + 1) & 0xfff;
  else sequence = 0;
  lastMs = Math.max(now, lastMs);
  const bytes = random16();
  const ms = lastMs;
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | (sequence >>> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
