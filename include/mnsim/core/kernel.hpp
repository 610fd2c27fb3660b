#pragma once

// Hot loops are compiled for several instruction sets and the best one the CPU has is picked
// when the program starts (GCC function multi-versioning), so a portable build still runs its
// kernels with AVX-512 or AVX2 where they exist. Floating-point contraction is off for the
// whole library (CMakeLists.txt), so every version computes bitwise the same results: the
// operations are the same IEEE operations, only more of them run side by side.
//
// A kernel must not contain an OpenMP parallel region (the outlined region would not be
// versioned); it is called from inside one, on a row, a plane or a block.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(MNSIM_NO_MULTIVERSION)
#define MNSIM_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define MNSIM_MULTIVERSIONED 1
#else
#define MNSIM_KERNEL
#endif
// For helpers of kernels: a helper left out of line would run with the baseline instruction set.
#define MNSIM_INLINE inline __attribute__((always_inline))

// Eight doubles as one value (GCC/Clang generic vectors): element-wise arithmetic and shuffles
// that each kernel version lowers to its own instructions, with the same results.
typedef double V8 __attribute__((vector_size(64)));
typedef long long M8 __attribute__((vector_size(64)));
typedef double V4 __attribute__((vector_size(32)));
typedef long long M4 __attribute__((vector_size(32)));

// Whether the kernel versions that run have AVX2 (x86-64-v3) or also AVX-512 (x86-64-v4): those
// versions exist and the CPU picks them, or the whole build targets such a CPU.
enum class KernelIsa { avx2, avx512 };
inline bool kernels_have([[maybe_unused]] KernelIsa isa) {
#if defined(MNSIM_MULTIVERSIONED)
  return isa == KernelIsa::avx512 ? __builtin_cpu_supports("x86-64-v4") : __builtin_cpu_supports("x86-64-v3");
#elif defined(__AVX512F__)
  return true;
#elif defined(__AVX2__)
  return isa == KernelIsa::avx2;
#else
  return false;
#endif
}

// Whether the kernels that run will have 32 registers of eight doubles (AVX-512). Kernels written
// in eight-wide values (V8) are fast only then: with narrower registers each value takes two or
// four, and they spill.
inline bool wide_registers() { return kernels_have(KernelIsa::avx512); }
// Whether they will have AVX2's sixteen registers of four doubles, where four-wide values (V4)
// are fast.
inline bool avx2_registers() { return kernels_have(KernelIsa::avx2); }
