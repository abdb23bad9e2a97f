// Bounded reads over wire input. Every read checks the end first; a short or invalid read
// sets rdFail (the packet is malformed) instead of reading past the packet, so decoding
// never traps and never looks outside the bytes it was given.
import { utf8Valid } from "./utf8";
import { varintRead } from "./varint";
import { varintLen } from "./varint";

export let rdPos: usize = 0;
export let rdEnd: usize = 0;
export let rdFail: bool = false;
/** Length of the last string or binary field read. */
export let rdLen: i32 = 0;

export function rdBegin(ptr: usize, end: usize): void {
  rdPos = ptr;
  rdEnd = end;
  rdFail = false;
}

export function rdLeft(): i32 {
  return <i32>(rdEnd - rdPos);
}

function short(n: i32): bool {
  if (rdPos + <usize>n > rdEnd) {
    rdFail = true;
    rdPos = rdEnd;
    return true;
  }
  return false;
}

export function rdU8(): u32 {
  if (short(1)) return 0;
  return load<u8>(rdPos++);
}

export function rdU16(): u32 {
  if (short(2)) return 0;
  let v = (<u32>load<u8>(rdPos) << 8) | <u32>load<u8>(rdPos + 1);
  rdPos += 2;
  return v;
}

export function rdU32(): u32 {
  if (short(4)) return 0;
  let v = bswap<u32>(load<u32>(rdPos));
  rdPos += 4;
  return v;
}

export function rdVarint(): u32 {
  let v = varintRead(rdPos, rdEnd);
  if (v < 0) {
    rdFail = true;
    rdPos = rdEnd;
    return 0;
  }
  rdPos += <usize>varintLen;
  return <u32>v;
}

/** Two-byte length then bytes; returns the address of the bytes, length in rdLen. */
export function rdBinary(): usize {
  let n = <i32>rdU16();
  rdLen = 0;
  if (rdFail || short(n)) return 0;
  let p = rdPos;
  rdPos += <usize>n;
  rdLen = n;
  return p;
}

/** A UTF-8 Encoded String (spec 1.5.4): binary whose bytes must be strict UTF-8. */
export function rdString(): usize {
  let p = rdBinary();
  if (!rdFail && !utf8Valid(p, rdLen)) rdFail = true;
  return p;
}
