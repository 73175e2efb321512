// Hot loops of the CPU backend compiled for AVX-512 (x86-64-v4), AVX2 (x86-64-v3) and baseline
// x86-64, the clone chosen when the program loads (GCC target_clones). AAMP_CPU_FLATTEN inlines
// everything such a function calls, so that its callees are compiled for the clone's ISA too.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__)
#define AAMP_CPU_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define AAMP_CPU_FLATTEN __attribute__((flatten))
#else
#define AAMP_CPU_CLONES
#define AAMP_CPU_FLATTEN
#endif
