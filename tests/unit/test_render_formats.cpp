// The output formats of render_formats.cpp: YAML re-emits a JSON document with the same keys,
// order and number text; CSV flattens with dots under a header that is the union of the rows'
// fields; markdown tables escape pipes.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/render.hpp"
#include "json_writer.hpp"

using namespace gpusize;

TEST_CASE("render_yaml keeps keys, order and number text") {
    const char* json = R"({
  "schema_version": "1.0",
  "big": 1e+06,
  "x": 0.648,
  "ok": true,
  "none": null,
  "name": "h100-sxm-80gb",
  "tricky": "a: b",
  "word": "yes",
  "empty": {},
  "list": [],
  "gpus": [
    {"id": "a", "aliases": ["A", "B"], "link": {"kind": "nvlink"}},
    {"id": "b", "aliases": [], "link": null}
  ]
}
)";
    CHECK(render_yaml(json) ==
          "schema_version: \"1.0\"\n"
          "big: 1.0e+06\n"
          "x: 0.648\n"
          "ok: true\n"
          "none: null\n"
          "name: h100-sxm-80gb\n"
          "tricky: \"a: b\"\n"
          "word: \"yes\"\n"
          "empty: {}\n"
          "list: []\n"
          "gpus:\n"
          "  - id: a\n"
          "    aliases:\n"
          "      - A\n"
          "      - B\n"
          "    link:\n"
          "      kind: nvlink\n"
          "  - id: b\n"
          "    aliases: []\n"
          "    link: null\n");
}

TEST_CASE("csv_table takes the union of columns, keeping related ones together, and quotes") {
    using Row = std::vector<std::pair<std::string, std::string>>;
    const std::vector<Row> rows{{{"id", "a"}, {"flops.bf16", "1"}, {"notes", "x, y"}},
                                {{"id", "b"}, {"flops.bf16", "2"}, {"flops.fp8", "4"}, {"notes", "say \"hi\""}}};
    CHECK(detail::csv_table(rows) ==
          "id,flops.bf16,flops.fp8,notes\n"
          "a,1,,\"x, y\"\n"
          "b,2,4,\"say \"\"hi\"\"\"\n");
}

TEST_CASE("markdown_table aligns columns and escapes pipes") {
    CHECK(detail::markdown_table({"name", "value"}, {{"a|b", "1"}}, "lr") ==
          "| name | value |\n"
          "| --- | ---: |\n"
          "| a\\|b | 1 |\n");
}

TEST_CASE("render_yaml escapes the line breaks YAML 1.1 readers would fold") {
    // NEL (U+0085), LS (U+2028) and PS (U+2029) are valid raw in JSON strings and keys.
    const std::string json = "{\"name\": \"a\xC2\x85" "b\xE2\x80\xA8" "c\xE2\x80\xA9" "d\x7F" "e\", \"k\xE2\x80\xA8\": 1}";
    CHECK(gpusize::render_yaml(json) == "name: \"a\\Nb\\Lc\\Pd\\x7Fe\"\n\"k\\L\": 1\n");
    // Other text keeps its characters and the JSON escapes, which YAML reads the same way.
    CHECK(gpusize::render_yaml("{\"x\": \"\xC3\xA9t\xC3\xA9 \\\"q\\\" \\n\"}") == "x: \"\xC3\xA9t\xC3\xA9 \\\"q\\\" \\n\"\n");
}

TEST_CASE("JSON writes negative zero as 0") {
    gpusize::detail::JsonWriter w;
    w.begin_array();
    w.value(-0.0);
    w.value(-1e-7);
    w.whole(-0.0);
    w.end_array();
    const std::string text = w.take();
    CHECK(text.find("-0,") == std::string::npos);
    CHECK(text.find("-0\n") == std::string::npos);
    CHECK(text.find("-1e-07") != std::string::npos);  // a small negative number keeps its sign
}

TEST_CASE("JSON numbers: the %.6g shortcut writes what std::to_chars writes") {
    // to_chars_g6 rounds a scaled double where std::to_chars works from the exact binary value:
    // the two must agree on every input, ties and digit-count boundaries included.
    std::vector<double> values{1, 0.0001, 0.00001, 123456.5, 1234565, 999999.5, 9999995, 0.5, 1e-5, 9.999995e-5, 1e21, 1e22,
                               5e-324, 1.7976931348623157e308, 1e-16, 1e26, 9.99999e25, 0.288964, 1253.49, 206, 2.44822};
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> exponent(-30, 30);
    for (int i = 0; i < 100000; ++i) values.push_back(std::pow(10.0, exponent(rng)));
    for (std::int64_t m = 999990; m <= 1000010; ++m)
        for (int e = -20; e <= 25; e += 5) values.push_back(static_cast<double>(m) * std::pow(10.0, e));
    for (std::int64_t m = 1; m < 20000; m += 7) values.push_back(static_cast<double>(m * 100 + 50) / 1000);  // x.y5: near ties
    std::size_t differ = 0;
    for (const double base : values)
        for (const double v : {base, -base, std::nextafter(base, 0.0), std::nextafter(base, 1e308)}) {
            char fast[64], exact[64];
            const std::string_view a(fast, static_cast<std::size_t>(gpusize::detail::to_chars_g6(fast, v) - fast));
            const std::string_view b(exact, static_cast<std::size_t>(std::to_chars(exact, exact + 64, v, std::chars_format::general, 6).ptr - exact));
            if (a != b && ++differ <= 5) FAIL_CHECK(fmt::format("{:.17g}: {} but std::to_chars writes {}", v, a, b));
        }
    CHECK(differ == 0);
}

TEST_CASE("JSON writes whole numbers exactly, past the 64-bit range too") {
    gpusize::detail::JsonWriter w;
    w.begin_array();
    w.whole(70553706496.4);
    w.whole(2.5);
    w.whole(-3);
    w.whole(8999999999999998976.0);  // the integer path's last doubles
    w.whole(9e18);
    w.whole(1e20);
    w.end_array();
    CHECK(w.take() == "[\n  70553706496,\n  3,\n  0,\n  8999999999999998976,\n  9000000000000000000,\n  100000000000000000000\n]\n");
}

TEST_CASE("JSON strings: a character to escape is found wherever it sits") {
    // Strings are scanned eight bytes at a time; each special character at each offset of the
    // first chunks, and in the tail, must still be escaped (or replaced, for a stray UTF-8 byte).
    for (const std::string special : {"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9", "\xe9"}) {
        for (std::size_t at = 0; at <= 20; ++at) {
            std::string s(20, 'a');
            s.insert(at, special);
            gpusize::detail::JsonWriter w;
            w.begin_object();
            w.key(s).value(s);
            w.end_object();
            const auto j = nlohmann::json::parse(w.take());
            const std::string expected = special == "\xe9" ? std::string(s).replace(at, 1, "\xEF\xBF\xBD") : s;
            CHECK(j.begin().key() == expected);
            CHECK(j.begin().value() == expected);
        }
    }
}
