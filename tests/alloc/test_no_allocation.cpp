// Hot loops do not allocate. This executable replaces the global operator new to count every heap
// allocation the C++ code makes (std::vector, std::function, strings); OpenMP's own bookkeeping
// uses malloc and is not counted. It has an executable of its own so that the counting touches no
// other test.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>

#include "mnsim/model/tissue.hpp"
#include "mnsim/numerics/stepper.hpp"
#include "support/tissue.hpp"

namespace {
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace mnsim;

TEST_CASE("Model steps allocate no memory once the first steps have set up the operators", "[unit]") {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(2);  // per-thread scratch is what could allocate, so use more than one thread
  test::BaselineTissue t(test::make_grid(32, 24, 60, 0.03));
  // A treated block: TGF-beta gradients that make the chemotaxis take several substeps at the
  // longer steps, so both of its ways of counting substeps run.
  t.treat_block(10, 14, 8, 12, 30, 0.5);
  State& s = t.s;
  SplitStepper stepper(t.model, t.g);
  LevelTotals totals;
  const double steps[] = {1e-3, 1e-2, 0.1, 1.0, 5.0, 1e-3, 2e-3};
  auto run = [&] {
    int most = 0;
    for (double dt : steps) {
      most = std::max(most, stepper.step(s, dt, &totals));
      most = std::max(most, stepper.step(s, dt, nullptr));
    }
    return most;
  };
  run();  // the first steps size the operators' scratch
  const long before = allocations.load();
  const int most = run();
  const long made = allocations.load() - before;
  omp_set_num_threads(threads);
  CHECK(made == 0);
  CHECK(most > 1);  // steps of several chemotaxis substeps were among those counted
  CHECK(totals.valid);
}
