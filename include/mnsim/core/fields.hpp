#pragma once
#include <array>
#include <cstddef>
#include <vector>

#include "mnsim/core/grid.hpp"
#include "mnsim/core/memory.hpp"

namespace mnsim {

// The 13 state fields of MODEL.md section 2, in a fixed order.
enum Field : int { O = 0, B, L, T, N, P, F, C3, C1, Cm, E, En, A, kNumFields };

struct FieldInfo {
  const char* symbol;
  const char* name;  // output name (INTERFACE.md; stable)
  const char* units;
  const char* description;
};
const FieldInfo& field_info(int f);

// Structure of arrays: one contiguous array per field.
struct State {
  Grid grid;
  std::array<GridVector, kNumFields> f;

  State() = default;
  explicit State(const Grid& g);
  double* operator[](int field) { return f[field].data(); }
  const double* operator[](int field) const { return f[field].data(); }
};

}  // namespace mnsim
