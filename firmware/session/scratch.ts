// Bounds of command arguments: every offset and length the host passes must lie inside SCRATCH.
import { SCRATCH_BYTES } from "../budget";

/** True when [off, off+len) lies inside SCRATCH (len -1 = absent field, allowed). */
export function inScratch(off: i32, len: i32): bool {
  if (len == -1) return true;
  return off >= 0 && len >= 0 && len <= SCRATCH_BYTES && off <= SCRATCH_BYTES - len;
}
