// PNGs with node:zlib only. Reads them as Chromium writes its screenshots (8-bit RGB or RGBA, not
// interlaced; indexed too, as encodeIndexedPng writes them): the signature, the header, and the
// pixels after undoing each row's filter, so a test can tell a rendered page from a blank one.
import { crc32, deflateSync, inflateSync } from "node:zlib";

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Png {
  width: number;
  height: number;
  /** Bytes per pixel: 3 (RGB, indexed images expanded to it) or 4 (RGBA). */
  channels: number;
  /** Rows top to bottom, `width * channels` bytes each, filters undone. */
  pixels: Buffer;
}

/** Bytes per pixel in the file, by colour type: indexed, RGB, RGBA. */
const CHANNELS: Record<number, number> = { 3: 1, 2: 3, 6: 4 };

/** Paeth's predictor (PNG spec 9.4): whichever of left, up, up-left is closest to left + up - up-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(file: Buffer): Png {
  if (!file.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw new Error("not a PNG: wrong signature");
  let at = PNG_SIGNATURE.length;
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  let palette = Buffer.alloc(0);
  while (at < file.length) {
    const length = file.readUInt32BE(at);
    const type = file.toString("latin1", at + 4, at + 8);
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], colour: body[9], interlace: body[12] };
    if (type === "IDAT") data.push(body);
    if (type === "PLTE") palette = Buffer.from(body);
    if (type === "IEND") break;
    at += 12 + length; // length, type, body, CRC
  }
  if (!header) throw new Error("not a PNG: no IHDR");
  const channels = CHANNELS[header.colour];
  if (header.depth !== 8 || channels === undefined || header.interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${header.depth}, colour type ${header.colour}, interlace ${header.interlace}`);
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  const pixels = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels] : 0;
      const b = y > 0 ? pixels[out - stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`bad PNG filter ${filter} in row ${y}`);
      pixels[out + x] = (line[x] + predictor) & 0xff;
    }
  }
  if (channels > 1) return { width: header.width, height: header.height, channels, pixels };
  const rgb = Buffer.alloc(pixels.length * 3);
  pixels.forEach((p, i) => palette.copy(rgb, i * 3, p * 3, p * 3 + 3));
  return { width: header.width, height: header.height, channels: 3, pixels: rgb };
}

/** How many distinct colours (alpha ignored) the image has, counting up to `limit`. */
export function distinctColours(png: Png, limit: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < png.pixels.length && seen.size < limit; i += png.channels) {
    seen.add((png.pixels[i] << 16) | (png.pixels[i + 1] << 8) | png.pixels[i + 2]);
  }
  return seen.size;
}

/** An indexed PNG holds at most this many colours. */
const PALETTE_SIZE = 256;
const COLOUR_TYPE_INDEXED = 3;
const BIT_DEPTH = 8;

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * The image with its PALETTE_SIZE most frequent colours, every other colour drawn as the nearest of
 * them: a page is mostly a few flat colours and the grey steps of its text's edges, so a screenshot
 * keeps its look at about half the bytes of Chromium's RGB file.
 */
export function encodeIndexedPng(png: Png): Buffer {
  const colourAt = (i: number) => (png.pixels[i] << 16) | (png.pixels[i + 1] << 8) | png.pixels[i + 2];
  const counts = new Map<number, number>();
  for (let i = 0; i < png.pixels.length; i += png.channels) counts.set(colourAt(i), (counts.get(colourAt(i)) ?? 0) + 1);
  const palette = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, PALETTE_SIZE).map(([c]) => c);
  const channel = (c: number, k: number) => (c >> (16 - 8 * k)) & 0xff;
  const index = new Map<number, number>(palette.map((c, i) => [c, i]));
  const nearest = (c: number) => {
    let best = 0;
    let bestDistance = Infinity;
    palette.forEach((p, i) => {
      const d = [0, 1, 2].reduce((sum, k) => sum + (channel(c, k) - channel(p, k)) ** 2, 0);
      if (d < bestDistance) (best = i), (bestDistance = d);
    });
    index.set(c, best);
    return best;
  };
  const raw = Buffer.alloc((png.width + 1) * png.height); // filter byte 0 (none) before each row
  for (let y = 0, i = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++, i += png.channels) raw[y * (png.width + 1) + 1 + x] = index.get(colourAt(i)) ?? nearest(colourAt(i));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(png.width, 0);
  header.writeUInt32BE(png.height, 4);
  header[8] = BIT_DEPTH;
  header[9] = COLOUR_TYPE_INDEXED;
  const plte = Buffer.from(palette.flatMap((c) => [channel(c, 0), channel(c, 1), channel(c, 2)]));
  return Buffer.concat([PNG_SIGNATURE, chunk("IHDR", header), chunk("PLTE", plte), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}
