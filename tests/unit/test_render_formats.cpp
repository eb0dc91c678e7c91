// The output formats of render_formats.cpp: YAML re-emits a JSON document with the same keys,
// order and number text; CSV flattens with dots under a header that is the union of the rows'
// fields; markdown tables escape pipes.
#include <catch2/catch.hpp>

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
