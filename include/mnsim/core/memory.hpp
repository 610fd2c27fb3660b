#pragma once
#include <omp.h>
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace mnsim {

// Allocator for whole-grid arrays: blocks of 2 MiB and more come from memory aligned to 2 MiB and
// marked for transparent huge pages before it is first touched. The z sweeps and the chemotaxis read
// rows a plane apart, each on its own 4 KiB page: with 2 MiB pages a whole field needs a few
// dozen TLB entries instead of thousands. The mark is advice: where the kernel gives no huge
// pages (THP off) the memory is ordinary, and where THP is "always" it changes nothing.
//
// Each such block starts a different number of cache lines (0, 5, 10, ... 75) past its page.
// Otherwise cell i of every field would sit at the same offset from a 2 MiB boundary, in the same
// set of every cache: the reaction's twelve fields would contend for the twelve ways of an L1
// set and miss where they could hit (fused diffusion and reaction pass, 256^3, 2 threads:
// 56-58 -> 54-55 ms at in-place 67 GB/s, 50-52 -> 48 ms at 115 GB/s). Rows stay on cache lines.
template <class T>
struct LargePageAllocator {
  using value_type = T;
  static constexpr std::size_t kPage = std::size_t(2) << 20;
  static constexpr std::size_t kStagger = 5 * 64, kStaggers = 16;
  static_assert(kStagger * kStaggers < kPage, "deallocate finds the block's start from the offset within its page");

  LargePageAllocator() = default;
  template <class U>
  LargePageAllocator(const LargePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kPage) return static_cast<T*>(::operator new(bytes));
    static std::atomic<unsigned> blocks{0};
    const std::size_t offset = blocks.fetch_add(1, std::memory_order_relaxed) % kStaggers * kStagger;
    const std::size_t rounded = (bytes + offset + kPage - 1) / kPage * kPage;
    char* p = static_cast<char*>(std::aligned_alloc(kPage, rounded));
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return reinterpret_cast<T*>(p + offset);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kPage)
      ::operator delete(p);
    else  // the block's page is the one the offset lies in
      std::free(reinterpret_cast<char*>(p) - reinterpret_cast<std::uintptr_t>(p) % kPage);
  }
};

template <class T, class U>
bool operator==(const LargePageAllocator<T>&, const LargePageAllocator<U>&) {
  return true;
}
template <class T, class U>
bool operator!=(const LargePageAllocator<T>&, const LargePageAllocator<U>&) {
  return false;
}

// The values of one field over the whole grid.
using GridVector = std::vector<double, LargePageAllocator<double>>;

// Scratch whose rows start on cache lines: a kernel's loads and stores of eight doubles then never
// straddle two lines (a std::vector's storage is only 16-byte aligned; the x sweep of a 256^2
// plane with its block 16 or 32 bytes off a line took 28.5 instead of 27 us). rewind(), then
// cut() the rows in the same order each time.
class AlignedRows {
 public:
  // Values to reserve for a row of n values that is cut with `lead` (row + lead on a line).
  static constexpr std::size_t room(std::size_t n, std::size_t lead = 0) { return (pad(lead) + n + kLine - 1) / kLine * kLine; }
  // Room for rows taking `values` in all (a sum of room()); allocates only when it grows.
  void reserve(std::size_t values) {
    if (store_.size() < values + kLine) store_.resize(values + kLine);
  }
  // Starts handing out rows from the beginning of the storage.
  void rewind() {
    next_ = reinterpret_cast<double*>((reinterpret_cast<std::uintptr_t>(store_.data()) + 63) & ~std::uintptr_t(63));
  }
  // The next row of n values, placed so that row + lead starts a cache line.
  double* cut(std::size_t n, std::size_t lead = 0) {
    double* row = next_ + pad(lead);
    next_ += room(n, lead);
    return row;
  }

 private:
  static constexpr std::size_t kLine = 8;  // doubles per 64-byte line
  static constexpr std::size_t pad(std::size_t lead) { return (kLine - lead % kLine) % kLine; }
  std::vector<double> store_;
  double* next_ = nullptr;
};

// An operator's scratch rows, one AlignedRows per OpenMP thread, kept across calls so that its
// steps allocate nothing. Each thread sizes its own, from its own heap: rows that one thread
// had allocated for all made the diffusion 20 % slower when the memory was fast (x sweeps of
// four fields on a 256^3 grid).
class ThreadRows {
 public:
  // Before a parallel region: a place for each of `threads` threads.
  void size_for(int threads) {
    if (rows_.size() < std::size_t(threads)) rows_.resize(threads);
  }
  // Inside it: the calling thread's rows with room for `values` (AlignedRows::room), rewound.
  AlignedRows& mine(std::size_t values) {
    AlignedRows& r = rows_[omp_get_thread_num()];
    r.reserve(values);
    r.rewind();
    return r;
  }

 private:
  std::vector<AlignedRows> rows_;
};

}  // namespace mnsim
