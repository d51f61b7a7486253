#pragma once
// GLIA_HD marks functions compiled for both the CPU and the CUDA backend, so that a
// model's equations are written once (ARCHITECTURE.md, "Backends").
#if defined(__CUDACC__)
#define GLIA_HD __host__ __device__
#else
#define GLIA_HD
#endif
