#pragma once
#include <string>

namespace mnsim::units {

// A unit expression reduced to a scale in mnsim's internal units (mm, day, ng) and the
// exponents of those three base dimensions. Counting words (cells, punctures) are dimensionless.
struct Unit {
  double scale = 1.0;
  int length = 0, time = 0, mass = 0;
  bool same_dimension(const Unit& o) const { return length == o.length && time == o.time && mass == o.mass; }
};

// Parses "mm^2/day", "cells/mm^3", "ng/mL", "mm^2*mL/(day*ng)", "%", "1". Throws
// std::invalid_argument naming the part it could not read.
Unit parse_unit(const std::string& text);

// Parses "4 week" or "1500 um" or a bare "28" and returns the value expressed in `canonical`
// (a bare number is already in the canonical unit). Throws std::invalid_argument with a
// message that names the expected unit when the number or unit is wrong.
double parse_quantity(const std::string& text, const std::string& canonical);

}  // namespace mnsim::units
