#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <numeric>

#include "mnsim/core/memory.hpp"

using namespace mnsim;

TEST_CASE("Grid arrays of 2 MiB and more start on a cache line just past a 2 MiB boundary, each at its own offset, and keep their values through copies", "[unit]") {
  // The alignment is what lets the kernel back the array with huge pages from its first byte; the
  // offsets (a few cache lines, different for successive arrays) keep cell i of different fields
  // out of one cache set. A smaller array comes from the ordinary heap.
  using Alloc = LargePageAllocator<double>;
  constexpr std::size_t kPage = Alloc::kPage;
  std::vector<std::size_t> offsets;
  for (std::size_t n : {kPage / sizeof(double), 3 * kPage / sizeof(double) + 5, std::size_t(10) << 20}) {
    GridVector v(n);
    std::iota(v.begin(), v.end(), 0.0);
    INFO(n << " values");
    const std::size_t offset = reinterpret_cast<std::uintptr_t>(v.data()) % kPage;
    CHECK(offset % 64 == 0);
    CHECK(offset < Alloc::kStagger * Alloc::kStaggers);
    offsets.push_back(offset);
    GridVector copy = v;
    const std::size_t copy_offset = reinterpret_cast<std::uintptr_t>(copy.data()) % kPage;
    CHECK(copy_offset % 64 == 0);
    CHECK(copy_offset != offset);
    CHECK(copy == v);
    CHECK(copy.back() == double(n - 1));
    v.resize(n + kPage);  // reallocates through the allocator, moving the values (and frees the old block)
    CHECK(std::equal(copy.begin(), copy.end(), v.begin()));
  }
  std::sort(offsets.begin(), offsets.end());
  CHECK(std::adjacent_find(offsets.begin(), offsets.end()) == offsets.end());
  GridVector small(100, 1.5);
  CHECK(std::accumulate(small.begin(), small.end(), 0.0) == 150.0);
}

TEST_CASE("Aligned rows start on cache lines (after their lead), stay inside what was reserved and do not overlap", "[unit]") {
  const std::pair<std::size_t, std::size_t> rows[] = {{259, 1}, {259, 1}, {257, 1}, {256, 0}, {50, 0}, {3, 5}, {8192, 0}};
  std::size_t room = 0;
  for (const auto& [n, lead] : rows) room += AlignedRows::room(n, lead);
  AlignedRows scratch;
  scratch.reserve(room);
  for (int pass = 0; pass < 2; ++pass) {  // the same rows again after rewind()
    scratch.rewind();
    double* end = nullptr;
    const double* first = nullptr;
    for (const auto& [n, lead] : rows) {
      double* row = scratch.cut(n, lead);
      INFO("row of " << n << " with lead " << lead);
      CHECK(reinterpret_cast<std::uintptr_t>(row + lead) % 64 == 0);
      if (end) CHECK(row >= end);
      if (!first) first = row;
      end = row + n;
      std::fill(row, end, double(n));  // writes inside the storage (checked by sanitizers and valgrind)
    }
    CHECK(end - first <= std::ptrdiff_t(room));
  }
}
