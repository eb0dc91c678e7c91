// Numbers and counts as text (number_text.hpp): negative zero dropped where a number is formatted,
// widths kept, signs of numbers that are not zero kept; plural counts.
#include <catch2/catch.hpp>

#include <limits>

#include "gpusize/number_text.hpp"

TEST_CASE("a number that shows zero is written without a sign, where it is formatted") {
    using gpusize::format_number;
    using gpusize::format_text;
    CHECK(format_number(-0.0) == "0");
    CHECK(format_number(-0.001, ".2f") == "0.00");
    CHECK(format_number(-0.001, ">7.2f") == "   0.00");   // right-aligned: the width is kept
    CHECK(format_number(-0.001, "<7.2f") == "0.00   ");   // left-aligned likewise
    CHECK(format_number(-0.0, "g") == "0");
    CHECK(format_number(-0.0, "e") == "0.000000e+00");
    // Numbers that do not round to zero keep their sign, as do NaN and infinities.
    CHECK(format_number(-0.005, ".3f") == "-0.005");
    CHECK(format_number(-1e-7, "g") == "-1e-07");
    CHECK(format_number(-2.0, ".1f") == "-2.0");
    CHECK(format_number(-std::numeric_limits<double>::infinity()) == "-inf");
    // format_text applies it to every float and double argument, and to nothing else.
    CHECK(format_text("cost {:.2f} $/h, {:.0f}%, {} GPUs, {}", -0.001, -0.4f, -1, "-0") == "cost 0.00 $/h, 0%, -1 GPUs, -0");
    CHECK(format_text("|{:>6.1f}|{:{}.{}f}|", -0.01, -0.0, 5, 1) == "|   0.0|  0.0|");
}

TEST_CASE("plural counts say GPU for one and GPUs for the rest") {
    using gpusize::plural;
    CHECK(plural(1, "GPU") == "1 GPU");
    CHECK(plural(8, "GPU") == "8 GPUs");
    CHECK(plural(0, "replica") == "0 replicas");
}
