// Shared macros so the kernel headers compile both with nvcc (device and
// host) and with a plain C or C++ compiler (host only, for tests).
#ifndef PLASMA_KERNELS_COMMON_H
#define PLASMA_KERNELS_COMMON_H

#include <stdint.h>

#ifdef __CUDACC__
#define PK_FN __host__ __device__ static __forceinline__
#define PK_UNROLL _Pragma("unroll")
#else
#ifndef __host__
#define __host__
#endif
#ifndef __device__
#define __device__
#endif
#define PK_FN static inline
#if defined(__GNUC__) && !defined(__clang__)
#define PK_UNROLL _Pragma("GCC unroll 25")
#else
#define PK_UNROLL
#endif
#endif

#endif
