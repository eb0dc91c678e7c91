// `--set` overrides (overrides.hpp): parsing `key=value`, applying values to the spec document
// before it is checked, and locating every problem at `--set:N:COL` with the override as the
// source line. Each case asserts the full diagnostic text.
#include <catch2/catch.hpp>

#include "gpusize/overrides.hpp"
#include "gpusize/spec.hpp"

using namespace gpusize;

namespace {

const char* spec_text =
    "name: toy\n"
    "model: {preset: llama-3.1-8b}\n"
    "precision: bf16\n"
    "batch: 8\n"
    "inference:\n"
    "  input_tokens: 1024\n"
    "  output_tokens: 256\n";

Spec parse_with(const std::vector<std::string>& sets, std::string_view text = spec_text) {
    return parse_spec(text, "spec.yaml", parse_overrides(sets));
}

std::string spec_error(const std::vector<std::string>& sets, std::string_view text = spec_text) {
    try {
        parse_with(sets, text);
    } catch (const SpecError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("parse_overrides splits dotted keys and values, with columns") {
    const auto os = parse_overrides({"inference.concurrency=64", "deployment.gpus=[a, b]"});
    REQUIRE(os.size() == 2);
    CHECK(os[0].path == std::vector<std::string>{"inference", "concurrency"});
    CHECK(os[0].path_columns == std::vector<int>{1, 11});
    CHECK(os[0].value == "64");
    CHECK(os[0].value_column == 23);
    CHECK(os[1].value == "[a, b]");
}

TEST_CASE("parse_overrides refuses a missing '=', an empty key and an empty value") {
    try {
        parse_overrides({"inference.concurrency", "a..b=1", "x="});
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        const std::string hint = "hint: write --set KEY=VALUE with a dotted spec key, such as --set inference.concurrency=64\n";
        CHECK(std::string(e.what()) ==
              "--set:1:1: error: expected KEY=VALUE, got 'inference.concurrency'\n  inference.concurrency\n  ^\n" + hint +
                  "--set:2:3: error: expected a key name at column 3 of 'a..b=1'\n  a..b=1\n    ^\n" + hint +
                  "--set:3:3: error: expected a value after '=' in 'x='\n  x=\n    ^\n" + hint);
    }
}

TEST_CASE("an override replaces or adds a spec value") {
    const Spec s = parse_with({"inference.input_tokens=2048", "precision=fp8", "deployment.gpus=[h100-sxm-80gb, l40s]",
                               "inference.targets.ttft_ms=500", "calibration.decode_step_overhead_ms=2", "headroom=15%"});
    CHECK(s.inference.input_tokens == 2048);
    CHECK(s.inference.output_tokens == 256);
    CHECK(s.precision.weights == DType::fp8);
    CHECK(s.deployment.gpus == std::vector<std::string>{"h100-sxm-80gb", "l40s"});
    REQUIRE(s.inference.targets.ttft);
    CHECK(to_ms(*s.inference.targets.ttft) == Approx(500));
    CHECK(s.calibration.at("decode_step_overhead_ms") == 2);
    CHECK(s.headroom == Approx(0.15));
    CHECK(s.inference.concurrency == 8);  // from `batch`, untouched
}

TEST_CASE("an override of a short-form twin replaces it instead of conflicting") {
    CHECK(parse_with({"inference.concurrency=64"}).inference.concurrency == 64);
    const char* explicit_form =
        "model: {preset: llama-3.1-8b}\ninference: {input_tokens: 100, output_tokens: 10, concurrency: 4}\n";
    CHECK(parse_with({"batch=32"}, explicit_form).inference.concurrency == 32);
}

TEST_CASE("later overrides win, and the spec can come entirely from overrides") {
    CHECK(parse_with({"inference.concurrency=2", "inference.concurrency=3"}).inference.concurrency == 3);
    const Spec s = parse_with({"model.parameters=7B", "context=4096"}, "");
    CHECK(s.model.parameters == Approx(7e9));
    CHECK(s.inference.input_tokens == 3072);
}

TEST_CASE("override problems are located at --set:N:COL, after the spec's own") {
    CHECK(spec_error({"inferenc.concurrency=64", "model.kv_heads=abc", "precision.kv_cache=fp8", "name=["}) ==
          "--set:1:1: error: unknown key 'inferenc' in the spec\n"
          "  inferenc.concurrency=64\n"
          "  ^\n"
          "hint: did you mean 'inference'?\n"
          "--set:2:16: error: expected 'kv_heads' to be a whole number, got 'abc'\n"
          "  model.kv_heads=abc\n"
          "                 ^\n"
          "--set:3:11: error: cannot set 'precision.kv_cache': 'precision' is 'bf16' in the spec, not a mapping\n"
          "  precision.kv_cache=fp8\n"
          "            ^\n"
          "hint: set 'precision' as a whole, such as --set 'precision={...}'\n"
          "--set:4:6: error: invalid YAML in the value: end of sequence flow not found\n"
          "  name=[\n"
          "       ^\n");
    CHECK(spec_error({"calibration.decode_step_overhed_ms=1"}) ==
          "--set:1:13: error: unknown key 'decode_step_overhed_ms' in 'calibration'\n"
          "  calibration.decode_step_overhed_ms=1\n"
          "              ^\n"
          "hint: did you mean 'decode_step_overhead_ms'?\n");
}

TEST_CASE("the sections an override creates are located at their key segment") {
    CHECK(spec_error({"name=a", "deployment.gpus.100000000=x"}) ==
          "--set:2:12: error: expected 'gpus' to be a list of catalog ids, got a mapping\n"
          "  deployment.gpus.100000000=x\n"
          "             ^\n");
    CHECK(spec_error({"model.mla.kv_lora_rank=512"}) ==
          "--set:1:7: error: 'mla' needs kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim and v_head_dim\n"
          "  model.mla.kv_lora_rank=512\n"
          "        ^\n");
}

TEST_CASE("spec file errors keep their place when overrides are given") {
    CHECK(spec_error({"inference.concurrency=x"}, "model: {preset: llama-3.1-8b}\nmodle: 1\ninference: {input_tokens: 1, output_tokens: 1}\n") ==
          "spec.yaml:2:1: error: unknown key 'modle' in the spec\n"
          "  modle: 1\n"
          "  ^\n"
          "hint: did you mean 'model'?\n"
          "--set:1:23: error: expected 'concurrency' to be a whole number or 'auto', got 'x'\n"
          "  inference.concurrency=x\n"
          "                        ^\n");
}

TEST_CASE("relocate_override_diagnostics moves later errors located in an override") {
    const auto os = parse_overrides({"name=a", "deployment.gpus=[h100-sxm-8gb]"});
    Spec s = parse_spec(spec_text, "spec.yaml", os);
    REQUIRE(s.deployment.gpu_locations.size() == 1);
    std::vector<Diagnostic> ds{{s.deployment.gpu_locations[0], "unknown GPU 'h100-sxm-8gb'", "", ""}};
    relocate_override_diagnostics(ds, spec_text, "spec.yaml", os);
    CHECK(format_diagnostics(ds) == "--set:2:18: error: unknown GPU 'h100-sxm-8gb'\n  deployment.gpus=[h100-sxm-8gb]\n                   ^\n");
}
