// Draws build/icon.png (512×512), the app icon electron-builder turns into .icns/.ico, and the
// tray icon. Generated rather than downloaded: a trigger node wired to two action nodes on an
// indigo tile, drawn with signed distance functions (smooth edges without a graphics library).
// Run: node scripts/make-icon.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const root = fileURLToPath(new URL('..', import.meta.url));

/** Coverage of a pixel by a shape at signed distance d (negative inside): a one-pixel soft edge. */
const cover = (d) => Math.min(1, Math.max(0, 0.5 - d));

function roundedBox(x, y, cx, cy, half, radius) {
  const qx = Math.abs(x - cx) - half + radius;
  const qy = Math.abs(y - cy) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segment(x, y, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

/** A cubic Bézier as a polyline, fine enough that its stroke looks smooth. */
function bezier(p0, p1, p2, p3, steps = 48) {
  const points = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    points.push([
      u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
      u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1],
    ]);
  }
  return points;
}

const trigger = [150, 256];
const actions = [
  [362, 164],
  [362, 348],
];
const wires = actions.map((a) => bezier(trigger, [262, trigger[1]], [250, a[1]], a));

function polylineDistance(x, y, points) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) best = Math.min(best, segment(x, y, points[i - 1], points[i]));
  return best;
}

const mix = (a, b, t) => a + (b - a) * t;
const TOP = [99, 102, 241]; // indigo-500
const BOTTOM = [109, 40, 217]; // violet-700

const pixels = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const px = x + 0.5;
    const py = y + 0.5;
    const tile = cover(roundedBox(px, py, 256, 256, 240, 108));
    if (tile === 0) continue;
    const t = (px + py) / (2 * SIZE);
    let rgb = TOP.map((c, i) => mix(c, BOTTOM[i], t));
    // A soft highlight at the top makes the tile read as a surface rather than a flat square.
    const glow = Math.max(0, 1 - Math.hypot(px - 200, py - 40) / 420) * 0.18;
    rgb = rgb.map((c) => mix(c, 255, glow));
    const wire = cover(Math.min(...wires.map((w) => polylineDistance(px, py, w))) - 13);
    const nodes = Math.max(
      cover(Math.hypot(px - trigger[0], py - trigger[1]) - 58),
      ...actions.map(([cx, cy]) => cover(roundedBox(px, py, cx, cy, 52, 20))),
    );
    const white = Math.max(wire, nodes);
    rgb = rgb.map((c) => mix(c, 255, white));
    // The trigger's dot: where each run starts.
    const dot = cover(Math.hypot(px - trigger[0], py - trigger[1]) - 22);
    rgb = rgb.map((c, i) => mix(c, mix(TOP[i], BOTTOM[i], 0.55), dot));
    // Two "config" lines on each action card.
    for (const [cx, cy] of actions) {
      for (const [dy, len] of [
        [-12, 26],
        [12, 16],
      ]) {
        const line = cover(segment(px, py, [cx - 24, cy + dy], [cx - 24 + len * 2, cy + dy]) - 6);
        rgb = rgb.map((c, i) => mix(c, mix(TOP[i], BOTTOM[i], 0.4), line * 0.85));
      }
    }
    const o = (y * SIZE + x) * 4;
    pixels[o] = Math.round(rgb[0]);
    pixels[o + 1] = Math.round(rgb[1]);
    pixels[o + 2] = Math.round(rgb[2]);
    pixels[o + 3] = Math.round(tile * 255);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(join(root, 'build'), { recursive: true });
const file = join(root, 'build', 'icon.png');
writeFileSync(file, png(SIZE, SIZE, pixels));
console.log(`Wrote ${file}`);
