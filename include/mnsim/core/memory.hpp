#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace mnsim {

// Allocator for whole-grid arrays: blocks of 2 MiB and more are aligned to 2 MiB and marked for
// transparent huge pages before they are first touched. The z sweeps and the chemotaxis read
// rows a plane apart, each on its own 4 KiB page: with 2 MiB pages a whole field needs a few
// dozen TLB entries instead of thousands. The mark is advice: where the kernel gives no huge
// pages (THP off) the memory is ordinary, and where THP is "always" it changes nothing.
template <class T>
struct LargePageAllocator {
  using value_type = T;
  static constexpr std::size_t kPage = std::size_t(2) << 20;

  LargePageAllocator() = default;
  template <class U>
  LargePageAllocator(const LargePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kPage) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + kPage - 1) / kPage * kPage;
    void* p = std::aligned_alloc(kPage, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kPage)
      ::operator delete(p);
    else
      std::free(p);
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

}  // namespace mnsim
