#pragma once
// Training allocates and frees the same large activation buffers every step. glibc serves big blocks
// by mmap and returns them to the kernel on free, so every step pays page faults and zero-filling of
// fresh pages (measured: more than half of a step's time). Keeping freed memory in the heap for reuse
// removes that; it does not raise the peak (the largest live set is the same).
#include <malloc.h>

namespace glia::nn {

inline void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);  // blocks below 1 GiB come from the heap
  mallopt(M_TRIM_THRESHOLD, -1);       // never trim the heap top (-1: unlimited)
}

}  // namespace glia::nn
