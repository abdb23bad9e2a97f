// The firmware's runtime. Every allocation entry point is a compile-time ERROR, so any
// allocation reachable from an export (new, string concatenation, array literals in
// functions, toString, Map/Set, ...) fails the build instead of growing memory at run time.
// The GC hooks are no-ops: nothing is ever allocated, so there is nothing to trace.

// @ts-ignore: decorator
@global @unsafe
function __alloc(size: usize): usize {
  ERROR("mqtt-mote firmware must not allocate: __alloc is reachable");
  return 0;
}

// @ts-ignore: decorator
@global @unsafe
function __realloc(ptr: usize, size: usize): usize {
  ERROR("mqtt-mote firmware must not allocate: __realloc is reachable");
  return 0;
}

// @ts-ignore: decorator
@global @unsafe
function __free(ptr: usize): void {
  ERROR("mqtt-mote firmware must not allocate: __free is reachable");
}

// @ts-ignore: decorator
@global @unsafe
function __reset(): void {
  ERROR("mqtt-mote firmware must not allocate: __reset is reachable");
}

// @ts-ignore: decorator
@global @unsafe
function __new(size: usize, id: u32): usize {
  ERROR("mqtt-mote firmware must not allocate: __new is reachable (new, string concatenation, array literal, toString, ...)");
  return 0;
}

// @ts-ignore: decorator
@global @unsafe
function __renew(oldPtr: usize, size: usize): usize {
  ERROR("mqtt-mote firmware must not allocate: __renew is reachable");
  return 0;
}

// @ts-ignore: decorator
@global @unsafe
function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
function __pin(ptr: usize): usize { return ptr; }

// @ts-ignore: decorator
@global @unsafe
function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
function __collect(): void {}
