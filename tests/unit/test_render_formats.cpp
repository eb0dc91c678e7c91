// The output formats of render_formats.cpp: YAML re-emits a JSON document with the same keys,
// order and number text; CSV flattens with dots under a header that is the union of the rows'
// fields; markdown tables escape pipes.
#include <catch2/catch.hpp>

#include "gpusize/render.hpp"

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
