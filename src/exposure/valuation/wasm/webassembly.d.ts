// The part of the WebAssembly JavaScript API that the pool kernels use (wasm/poolKernels.ts): Node has it, but the
// project compiles against lib ES2023 and @types/node, neither of which declares it (TypeScript's lib.dom does).
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    /** Adds `pages` pages of 64 KiB; returns the previous size in pages (detaches the old buffer of unshared memory). */
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
