import "server-only";
import { createHash } from "node:crypto";

/**
 * The Redis online store's row encoding (docs/adr/0024-online-value-encoding.md): one string
 * value per (project, view, entity key):
 *
 *   byte 0        FORMAT (1)
 *   bytes 1-8     event time, milliseconds since the epoch, float64 little-endian (the write
 *                 script compares it; every later format keeps it there)
 *   bytes 9-14    the feature list's fingerprint: 48 bits of sha256 over its names (JSON), LE
 *   bytes 15-     one tagged value per feature, in the list's order
 *
 * The names of a fingerprint are stored once, in `<prefix>qf:<fp hex>` (featureListKey), so a row
 * written under an older feature list still decodes by name. Values are typed so they round-trip
 * exactly as JSON would carry them (numbers, strings, booleans, null, lists; anything else as JSON
 * text), with `undefined` kept as "absent" (the feature reads as not found, as in Postgres).
 */
export const FORMAT = 1;
export const HEADER_BYTES = 15;
const TS_OFFSET = 1;
const FP_OFFSET = 9;

const T_ABSENT = 0x00;
const T_NULL = 0x01;
const T_FALSE = 0x02;
const T_TRUE = 0x03;
const T_F64 = 0x04;
const T_F32 = 0x05;
const T_I8 = 0x06;
const T_I16 = 0x07;
const T_I32 = 0x08;
const T_STR = 0x09; // u32 byte length, then UTF-8
const T_LIST8 = 0x0a; // u8 count, then the elements
const T_LIST = 0x0b; // u32 count, then the elements
const T_JSON = 0x0c; // u32 byte length, then JSON text (objects, anything not above)
const T_SMALL_INT = 0x40; // 0x40 | n for an integer 0..63
const T_SHORT_STR = 0x80; // 0x80 | n for a string of n <= 63 UTF-8 bytes

/** What decode gives for a feature the row holds as absent; never a stored value. */
export const ABSENT: unique symbol = Symbol("absent");

/** A feature list: its names in row order, and the fingerprint rows carry instead of the names. */
export interface FeatureList {
  readonly names: readonly string[];
  /** JSON of names: what featureListKey stores. */
  readonly json: string;
  /** 48-bit fingerprint, as a number (exact: below 2^53). */
  readonly fp: number;
}

const listsByJson = new Map<string, FeatureList>();

/** The feature list of these names (in this order), cached by content. */
export function featureList(names: readonly string[]): FeatureList {
  const json = JSON.stringify(names);
  let list = listsByJson.get(json);
  if (!list) {
    const digest = createHash("sha256").update(json).digest();
    list = { names: [...names], json, fp: digest.readUIntLE(0, 6) };
    if (listsByJson.size > 10_000) listsByJson.clear();
    listsByJson.set(json, list);
  }
  return list;
}

/** The fingerprint as it appears in key names. */
export function fpHex(fp: number): string {
  return fp.toString(16).padStart(12, "0");
}

/**
 * Appends encoded rows to one growing buffer; each row comes back as a view of it. A new writer
 * per batch: the views stay valid while the batch is sent.
 */
export class RowWriter {
  private buf: Buffer;
  private off = 0;
  /** Where the row being written starts. */
  private start = 0;

  constructor(bytesHint = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, bytesHint));
  }

  /** One row: event time in ms, its feature list, values by name (every name of the list is read). */
  row(eventMs: number, list: FeatureList, values: Record<string, unknown>): Buffer {
    this.start = this.off;
    this.ensure(HEADER_BYTES);
    const b = this.buf;
    const o = this.off;
    b[o] = FORMAT;
    b.writeDoubleLE(eventMs, o + TS_OFFSET);
    b.writeUIntLE(list.fp, o + FP_OFFSET, 6);
    this.off = o + HEADER_BYTES;
    const names = list.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const v = values[name];
      if (v === undefined) {
        this.ensure(1);
        this.buf[this.off++] = T_ABSENT;
      } else this.value(v, name);
    }
    return this.buf.subarray(this.start, this.off);
  }

  /**
   * Room for n more bytes. A full buffer is replaced by a larger one holding only the row being
   * written: rows handed out earlier keep viewing the old one.
   */
  private ensure(n: number) {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off - this.start + n + 1024));
    this.buf.copy(next, 0, this.start, this.off);
    this.off -= this.start;
    this.start = 0;
    this.buf = next;
  }

  private value(v: unknown, name: string): void {
    if (typeof v === "number") this.number(v);
    else if (typeof v === "string") this.string(v);
    else if (typeof v === "boolean") {
      this.ensure(1);
      this.buf[this.off++] = v ? T_TRUE : T_FALSE;
    } else if (v === null) {
      this.ensure(1);
      this.buf[this.off++] = T_NULL;
    } else if (Array.isArray(v)) this.list(v, name);
    else this.json(v, name);
  }

  private number(v: number): void {
    this.ensure(9);
    const b = this.buf;
    let o = this.off;
    if (!Number.isFinite(v)) {
      // as JSON carries it (and the Postgres store keeps it): null
      b[o++] = T_NULL;
    } else if (Number.isInteger(v) && !Object.is(v, -0) && v >= -2147483648 && v <= 2147483647) {
      if (v >= 0 && v < 64) b[o++] = T_SMALL_INT | v;
      else if (v >= -128 && v < 128) {
        b[o++] = T_I8;
        b.writeInt8(v, o);
        o += 1;
      } else if (v >= -32768 && v < 32768) {
        b[o++] = T_I16;
        b.writeInt16LE(v, o);
        o += 2;
      } else {
        b[o++] = T_I32;
        b.writeInt32LE(v, o);
        o += 4;
      }
    } else if (Math.fround(v) === v) {
      b[o++] = T_F32;
      b.writeFloatLE(v, o);
      o += 4;
    } else {
      b[o++] = T_F64;
      b.writeDoubleLE(v, o);
      o += 8;
    }
    this.off = o;
  }

  private string(s: string): void {
    // at most 3 bytes per UTF-16 unit; a short string's length goes in its tag
    const max = s.length * 3;
    this.ensure(5 + max);
    const b = this.buf;
    const o = this.off;
    if (max <= 63) {
      const n = b.write(s, o + 1, "utf8");
      b[o] = T_SHORT_STR | n;
      this.off = o + 1 + n;
      return;
    }
    const n = b.write(s, o + 5, "utf8");
    if (n <= 63) {
      b.copy(b, o + 1, o + 5, o + 5 + n);
      b[o] = T_SHORT_STR | n;
      this.off = o + 1 + n;
      return;
    }
    b[o] = T_STR;
    b.writeUInt32LE(n, o + 1);
    this.off = o + 5 + n;
  }

  private list(items: unknown[], name: string): void {
    this.ensure(5);
    if (items.length < 256) {
      this.buf[this.off++] = T_LIST8;
      this.buf[this.off++] = items.length;
    } else {
      this.buf[this.off] = T_LIST;
      this.buf.writeUInt32LE(items.length, this.off + 1);
      this.off += 5;
    }
    for (const item of items) {
      // inside a list, as in JSON, undefined is null
      if (item === undefined) {
        this.ensure(1);
        this.buf[this.off++] = T_NULL;
      } else this.value(item, name);
    }
  }

  private json(v: unknown, name: string): void {
    const text = JSON.stringify(v);
    if (text === undefined) throw new Error(`feature "${name}" holds a value JSON cannot carry`);
    const max = text.length * 3;
    this.ensure(5 + max);
    const n = this.buf.write(text, this.off + 5, "utf8");
    this.buf[this.off] = T_JSON;
    this.buf.writeUInt32LE(n, this.off + 1);
    this.off += 5 + n;
  }
}

/** The event time (ms) of an encoded row. */
export function rowEventMs(buf: Buffer): number {
  return buf.readDoubleLE(TS_OFFSET);
}

/** The fingerprint of an encoded row's feature list. */
export function rowFingerprint(buf: Buffer): number {
  return buf.readUIntLE(FP_OFFSET, 6);
}

/** True when the buffer is a row this code can decode. */
export function isRow(buf: Buffer): boolean {
  return buf.length >= HEADER_BYTES && buf[0] === FORMAT;
}

/**
 * How to pick requested features out of rows of one feature list: for each position in the row,
 * the index in the request (or -1 to skip), and how far into the row decoding has to go.
 */
export interface Plan {
  readonly target: Int32Array;
  readonly last: number;
}

export function plan(list: readonly string[], requested: readonly string[]): Plan {
  const target = new Int32Array(list.length).fill(-1);
  let last = -1;
  requested.forEach((f, j) => {
    const p = list.indexOf(f);
    // a feature requested twice is decoded once; the record takes the name once anyway
    if (p >= 0 && target[p] === -1) {
      target[p] = j;
      if (p > last) last = p;
    }
  });
  return { target, last };
}

/**
 * Decodes the requested features of one row into out (indexed as the request; ABSENT for a
 * feature the row does not hold). Only the positions up to the last requested one are walked.
 */
export function decodeRow(buf: Buffer, p: Plan, out: unknown[]): void {
  out.fill(ABSENT);
  pos = HEADER_BYTES;
  const { target, last } = p;
  for (let i = 0; i <= last; i++) {
    const j = target[i] as number;
    if (j < 0) skip(buf);
    else out[j] = read(buf);
  }
}

/** Decodes every value of a row (tests, migration checks). */
export function decodeAll(buf: Buffer, count: number): unknown[] {
  pos = HEADER_BYTES;
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(read(buf));
  return out;
}

/** Where read() and skip() are in the row being decoded (decoding is synchronous: one at a time). */
let pos = 0;

function read(b: Buffer): unknown {
  const o = pos;
  const t = b[o] as number;
  if (t >= T_SHORT_STR) {
    const n = t & 0x3f;
    pos = o + 1 + n;
    return n === 0 ? "" : str(b, o + 1, n);
  }
  if (t >= T_SMALL_INT) {
    pos = o + 1;
    return t & 0x3f;
  }
  switch (t) {
    case T_F64:
      pos = o + 9;
      return b.readDoubleLE(o + 1);
    case T_F32:
      pos = o + 5;
      return b.readFloatLE(o + 1);
    case T_I8:
      pos = o + 2;
      return b.readInt8(o + 1);
    case T_I16:
      pos = o + 3;
      return b.readInt16LE(o + 1);
    case T_I32:
      pos = o + 5;
      return b.readInt32LE(o + 1);
    case T_NULL:
      pos = o + 1;
      return null;
    case T_TRUE:
      pos = o + 1;
      return true;
    case T_FALSE:
      pos = o + 1;
      return false;
    case T_ABSENT:
      pos = o + 1;
      return ABSENT;
    case T_STR: {
      const n = b.readUInt32LE(o + 1);
      pos = o + 5 + n;
      return str(b, o + 5, n);
    }
    case T_LIST8:
    case T_LIST: {
      const n = t === T_LIST8 ? (b[o + 1] as number) : b.readUInt32LE(o + 1);
      pos = o + (t === T_LIST8 ? 2 : 5);
      const items = new Array<unknown>(n);
      for (let i = 0; i < n; i++) items[i] = read(b);
      return items;
    }
    case T_JSON: {
      const n = b.readUInt32LE(o + 1);
      pos = o + 5 + n;
      return JSON.parse(b.toString("utf8", o + 5, o + 5 + n));
    }
    default:
      throw new Error(`online store row: unknown value tag ${t} at byte ${o}`);
  }
}

function skip(b: Buffer): void {
  const o = pos;
  const t = b[o] as number;
  if (t >= T_SHORT_STR) pos = o + 1 + (t & 0x3f);
  else if (t >= T_SMALL_INT) pos = o + 1;
  else
    switch (t) {
      case T_F64:
        pos = o + 9;
        break;
      case T_F32:
      case T_I32:
        pos = o + 5;
        break;
      case T_I8:
        pos = o + 2;
        break;
      case T_I16:
        pos = o + 3;
        break;
      case T_STR:
      case T_JSON:
        pos = o + 5 + b.readUInt32LE(o + 1);
        break;
      case T_LIST8:
      case T_LIST:
        read(b);
        break;
      default:
        pos = o + 1;
    }
}

/** Short ASCII strings by hand (cheaper than a UTF-8 decode call); anything else by Buffer. */
function str(b: Buffer, start: number, n: number): string {
  if (n <= 16) {
    let s = "";
    for (let i = start, end = start + n; i < end; i++) {
      const ch = b[i] as number;
      if (ch >= 0x80) return b.toString("utf8", start, start + n);
      s += String.fromCharCode(ch);
    }
    return s;
  }
  return b.toString("utf8", start, start + n);
}
