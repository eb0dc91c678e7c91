// Calibration constants (calibration.hpp): every default lies in its own range, the range check
// names the range and the unit, and setting by name.
#include <catch2/catch.hpp>

#include "gpusize/calibration.hpp"

using namespace gpusize;

TEST_CASE("every calibration default lies in its own range") {
    for (const auto& c : constant_table()) {
        INFO(c.name);
        CHECK_FALSE(Calibration::range_problem(c.name, c.default_value));
        CHECK(c.range.min < c.range.max);
    }
}

TEST_CASE("a value outside a constant's range is named with the range and the unit") {
    // Overlaps are fractions hidden: past 1 a step time would turn negative.
    CHECK(Calibration::range_problem("dp_comm_overlap", 2) == "'dp_comm_overlap' must be between 0 and 1 (fraction hidden), got 2");
    CHECK(Calibration::range_problem("host_offload_overlap", -0.1) ==
          "'host_offload_overlap' must be between 0 and 1 (fraction hidden), got -0.1");
    CHECK_FALSE(Calibration::range_problem("tp_comm_overlap", 0));
    CHECK_FALSE(Calibration::range_problem("cp_comm_overlap", 1));
    // Efficiency factors: 0 would make times infinite.
    CHECK(Calibration::range_problem("int8_weight_stream_factor", 0) ==
          "'int8_weight_stream_factor' must be above 0 and at most 1 (fraction of the memory efficiency), got 0");
    CHECK(Calibration::range_problem("fp8_matmul_factor", 1.5) ==
          "'fp8_matmul_factor' must be above 0 and at most 1 (fraction of the bf16 matmul efficiency), got 1.5");
    CHECK_FALSE(Calibration::range_problem("fp8_matmul_factor", 1e-9));
    // Counts are whole: a group size of 0 made weights NaN.
    CHECK(Calibration::range_problem("int4_group_size", 0) ==
          "'int4_group_size' must be a whole number from 1 to 1048576 (weights per quantisation group), got 0");
    CHECK(Calibration::range_problem("prefill_chunk_tokens", 512.5) ==
          "'prefill_chunk_tokens' must be a whole number from 1 to 100000000 (tokens), got 512.5");
    CHECK_FALSE(Calibration::range_problem("sampler_sequences", 1));
    // Unknown names are not this function's to judge.
    CHECK_FALSE(Calibration::range_problem("no_such_constant", -1));
}

TEST_CASE("set changes a constant by name and marks it overridden") {
    Calibration c;
    CHECK(c[Constant::dp_comm_overlap] == Approx(0.8));
    CHECK_FALSE(c.overridden(Constant::dp_comm_overlap));
    CHECK(c.set("dp_comm_overlap", 0.5));
    CHECK(c[Constant::dp_comm_overlap] == Approx(0.5));
    CHECK(c.overridden(Constant::dp_comm_overlap));
    CHECK_FALSE(c.set("no_such_constant", 1));
}
