#include <catch2/catch.hpp>
#include <stdexcept>

#include "mnsim/io/units.hpp"

using mnsim::units::parse_quantity;

TEST_CASE("Quantities convert to the canonical unit", "[unit]") {
  CHECK(parse_quantity("4 week", "day") == Approx(28.0));
  CHECK(parse_quantity("1500 um", "mm") == Approx(1.5));
  CHECK(parse_quantity("6 h", "day") == Approx(0.25));
  CHECK(parse_quantity("2 month", "day") == Approx(60.0));
  CHECK(parse_quantity("28", "day") == 28.0);
  CHECK(parse_quantity("1000 pg/mL", "ng/mL") == Approx(1.0));
  CHECK(parse_quantity("0.1 mm^2/h", "mm^2/day") == Approx(2.4));
  CHECK(parse_quantity("2.5 1/mm^2", "1/cm^2") == Approx(250.0));
  CHECK(parse_quantity("4 cells/uL", "cells/mm^3") == Approx(4.0));
  CHECK(parse_quantity("2e-3 mm^2*mL/(day*ng)", "mm^2*mL/(day*ng)") == Approx(2e-3));
  CHECK(parse_quantity("15 %", "1") == Approx(0.15));
  CHECK(parse_quantity("100 1/s", "Hz") == Approx(100.0));
  CHECK(parse_quantity("1 cm/s", "mm/s") == Approx(10.0));
}

TEST_CASE("A unit of the wrong dimension or an unknown unit is rejected with a reason", "[unit]") {
  CHECK_THROWS_WITH(parse_quantity("3 mm", "day"), Catch::Contains("not a unit of day"));
  CHECK_THROWS_WITH(parse_quantity("3 parsecs", "mm"), Catch::Contains("unknown unit 'parsecs'"));
  CHECK_THROWS_WITH(parse_quantity("abc", "mm"), Catch::Contains("expected a number"));
  CHECK_THROWS_AS(parse_quantity("nan", "mm"), std::invalid_argument);
}
