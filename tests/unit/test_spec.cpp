// The workload spec parser (spec.hpp): both forms land in the Spec struct as expected, and every
// broken fixture under tests/data/specs/ gives its full diagnostic, location, source line, caret
// and hint included. Model-consistency errors come from make_problem and GPU names from
// resolve_gpu_names, so those fixtures are tested through the function that raises them.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/spec.hpp"

using namespace gpusize;

namespace {

std::string fixture_path(const std::string& name) { return "tests/data/specs/" + name; }

Spec parse_fixture(const std::string& name) { return parse_spec(test::read_source(fixture_path(name)), fixture_path(name)); }

/// The formatted SpecError that parse_spec raises for a fixture; fails the test when none is.
std::string parse_error(const std::string& name) {
    try {
        parse_fixture(name);
    } catch (const SpecError& e) {
        return e.what();
    }
    FAIL("parse_spec accepted " << name);
    return {};
}

/// The SpecError that make_problem raises for a fixture that parses.
std::string problem_error(const std::string& name) {
    Spec spec = parse_fixture(name);
    try {
        make_problem(std::move(spec), bundled_models(), std::nullopt);
    } catch (const SpecError& e) {
        return e.what();
    }
    FAIL("make_problem accepted " << name);
    return {};
}

const Catalog& catalog() { return test::bundled_catalog(); }

/// The SpecError that resolve_gpu_names raises for a fixture whose model resolves.
std::string gpu_names_error(const std::string& name) {
    Problem p = make_problem(parse_fixture(name), bundled_models(), std::nullopt);
    try {
        resolve_gpu_names(p, catalog());
    } catch (const SpecError& e) {
        return e.what();
    }
    FAIL("resolve_gpu_names accepted " << name);
    return {};
}

std::string inline_error(std::string_view text) {
    try {
        parse_spec(text, "spec.yaml");
    } catch (const SpecError& e) {
        return e.what();
    }
    FAIL("parse_spec accepted: " << text);
    return {};
}

}  // namespace

TEST_CASE("the short form fills the explicit fields") {
    const Spec s = parse_fixture("short-form.yaml");
    CHECK(s.origin == "tests/data/specs/short-form.yaml");
    CHECK(s.model.parameters == Approx(7e9));
    CHECK_FALSE(s.model.preset);
    CHECK_FALSE(s.model.patch.any());
    CHECK(s.workload == Workload::inference);
    CHECK(s.precision.weights == DType::bf16);
    CHECK(s.precision.activations == DType::bf16);
    CHECK(s.precision.kv_cache == DType::bf16);
    // context 4096 without an output length: a quarter of it is generated.
    CHECK(s.inference.input_tokens == 3072);
    CHECK(s.inference.output_tokens == 1024);
    CHECK(s.inference.concurrency == 8);
    CHECK(s.headroom == 0);
    CHECK(s.deployment.gpus.empty());
}

TEST_CASE("the short form for training sets sequence length and micro batch") {
    const Spec s = parse_spec("model: {parameters: 1.5B}\nworkload: training\ncontext: 2048\nbatch: 4\n", "t.yaml");
    CHECK(s.workload == Workload::training);
    CHECK(s.model.parameters == Approx(1.5e9));
    CHECK(s.training.sequence_length == 2048);
    CHECK(s.training.micro_batch == 4);
    CHECK(s.inference.input_tokens == 0);
}

TEST_CASE("a single dtype sets weights, activations and kv cache") {
    const Spec fp8 = parse_spec("model: {preset: llama-3.1-8b}\nprecision: fp8\ncontext: 100\n", "p.yaml");
    CHECK(fp8.precision.weights == DType::fp8);
    CHECK(fp8.precision.activations == DType::fp8);
    CHECK(fp8.precision.kv_cache == DType::fp8);
    // Weight-only formats compute in bf16.
    const Spec int4 = parse_spec("model: {preset: llama-3.1-8b}\nprecision: int4\ncontext: 100\n", "p.yaml");
    CHECK(int4.precision.weights == DType::int4);
    CHECK(int4.precision.activations == DType::bf16);
    CHECK(int4.precision.kv_cache == DType::bf16);
}

TEST_CASE("the explicit form with every v1 key lands in the Spec") {
    const Spec s = parse_fixture("explicit-form.yaml");
    CHECK(s.name == "llama-3.1-70b chat");
    const auto& m = s.model.patch;
    CHECK(s.model.parameters == Approx(70.6e9));
    CHECK(m.layers == 80);
    CHECK(m.hidden_size == 8192);
    CHECK(m.attention_heads == 64);
    CHECK(m.kv_heads == 8);
    CHECK(m.head_dim == 128);
    CHECK(m.intermediate_size == 28672);
    CHECK(m.vocab_size == 128256);
    CHECK(m.tied_embeddings == false);
    CHECK(m.mlp == MlpKind::gated);
    CHECK(m.experts == 8);
    CHECK(m.active_experts == 2);
    // Locations of the keys, for later consistency errors (1-based).
    CHECK(s.model.locations.at("kv_heads").line == 7);
    CHECK(s.model.locations.at("kv_heads").column == 13);
    CHECK(s.workload == Workload::inference);
    CHECK(s.precision.weights == DType::bf16);
    CHECK(s.precision.activations == DType::bf16);
    CHECK(s.precision.kv_cache == DType::fp8);
    const auto& i = s.inference;
    CHECK(i.input_tokens == 2048);
    CHECK(i.output_tokens == 512);
    CHECK(i.concurrency == 32);
    CHECK(i.engine == Engine::vllm);
    REQUIRE(i.targets.ttft);
    CHECK(i.targets.ttft->value() == Approx(0.5));
    REQUIRE(i.targets.tpot);
    CHECK(i.targets.tpot->value() == Approx(0.05));
    CHECK(i.targets.output_tokens_per_s == Approx(5000));
    const auto& t = s.training;
    CHECK(t.method == TrainingMethod::full);
    CHECK(t.sequence_length == 4096);
    CHECK(t.micro_batch == 2);
    CHECK(t.global_batch == 1024);
    CHECK(t.tokens == Approx(1e12));
    CHECK(t.optimizer == Optimizer::adamw);
    CHECK(t.sharding == Sharding::zero3);
    CHECK(t.activation_checkpointing == Recompute::selective);
    const auto& d = s.deployment;
    CHECK(d.gpus == std::vector<std::string>{"h100-sxm-80gb", "a100-sxm-80gb"});
    REQUIRE(d.gpu_locations.size() == 2);
    CHECK(d.gpu_locations[1].line == 36);
    CHECK(d.gpu_locations[1].column == 25);
    CHECK(d.gpu_count == 8);
    CHECK(d.tensor_parallel == 8);
    CHECK(d.pipeline_parallel == 1);
    CHECK(d.data_parallel == 1);
    CHECK(d.expert_parallel == 1);
    CHECK(d.context_parallel == 1);
    CHECK(d.gpus_per_node == 8);
    const auto& p = s.pricing;
    REQUIRE(p.usd_per_gpu_hour.count("h100-sxm-80gb") == 1);
    CHECK(p.usd_per_gpu_hour.at("h100-sxm-80gb").value() == Approx(2.10));
    CHECK(p.mode == PricingMode::cloud);
    CHECK(p.electricity_usd_per_kwh == Approx(0.12));
    CHECK(p.pue == Approx(1.3));
    CHECK(p.amortization_years == Approx(4));
    CHECK(s.headroom == Approx(0.10));
}

TEST_CASE("fsdp is a synonym of zero3, and concurrency auto leaves it open") {
    const Spec s = parse_spec(
        "model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, sharding: fsdp}\n"
        "inference: {input_tokens: 1, output_tokens: 1, concurrency: auto}\n",
        "f.yaml");
    CHECK(s.training.sharding == Sharding::zero3);
    CHECK_FALSE(s.inference.concurrency);
}

TEST_CASE("fine-tuning memory savers: optimizer in backward, offload, chunked loss, eager kernels") {
    const Spec s = parse_spec(
        "model: {preset: llama-3.1-8b}\nworkload: training\ntraining:\n  sequence_length: 2048\n"
        "  optimizer_in_backward: true\n  offload: [optimizer, activations]\n  loss_chunks: 8\n  fused_kernels: false\n"
        "  gradient_precision: fp32\n",
        "t.yaml");
    const auto& t = s.training;
    CHECK(t.optimizer_in_backward);
    CHECK(t.offload.optimizer);
    CHECK_FALSE(t.offload.parameters);
    CHECK(t.offload.activations);
    CHECK(t.loss_chunks == 8);
    CHECK_FALSE(t.fused_kernels);
    CHECK(t.gradient_precision == DType::fp32);
    const Spec d = parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ncontext: 2048\n", "d.yaml");
    CHECK_FALSE(d.training.optimizer_in_backward);
    CHECK_FALSE(d.training.offload.any());
    CHECK(d.training.loss_chunks == 1);
    CHECK(d.training.fused_kernels);
    CHECK_FALSE(d.training.gradient_precision);
    CHECK_FALSE(d.training.micro_batch_auto);
    const Spec a = parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, micro_batch: auto}\n",
                              "a.yaml");
    CHECK(a.training.micro_batch_auto);
    CHECK(a.training.micro_batch_text() == "auto");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, micro_batch: many}\n") ==
          "spec.yaml:3:45: error: expected 'micro_batch' to be a whole number or 'auto', got 'many'\n"
          "  training: {sequence_length: 8, micro_batch: many}\n"
          "                                              ^\n");
}

TEST_CASE("an unknown offload target gets a did-you-mean, and offload must be a list") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, offload: [optimiser]}\n") ==
          "spec.yaml:3:42: error: expected 'offload' to be one of optimizer | parameters | activations, got 'optimiser'\n"
          "  training: {sequence_length: 8, offload: [optimiser]}\n"
          "                                           ^\n"
          "hint: did you mean 'optimizer'?\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, offload: optimizer}\n") ==
          "spec.yaml:3:41: error: expected 'offload' to be a list of optimizer, parameters, activations, got 'optimizer'\n"
          "  training: {sequence_length: 8, offload: optimizer}\n"
          "                                          ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, loss_chunks: 0}\n") ==
          "spec.yaml:3:45: error: 'loss_chunks' must be between 1 and 1024, got 0\n"
          "  training: {sequence_length: 8, loss_chunks: 0}\n"
          "                                              ^\n");
}

TEST_CASE("parse_count reads suffixed counts") {
    CHECK(parse_count("70.6B") == Approx(70.6e9));
    CHECK(parse_count("1T") == Approx(1e12));
    CHECK(parse_count("500M") == Approx(5e8));
    CHECK(parse_count("7e9") == Approx(7e9));
    CHECK(parse_count("12") == Approx(12));
    CHECK_FALSE(parse_count(""));
    CHECK_FALSE(parse_count("B"));
    CHECK_FALSE(parse_count("lots"));
    CHECK_FALSE(parse_count("7BB"));
    CHECK_FALSE(parse_count("inf"));
    CHECK_FALSE(parse_count("nan"));
}

// ---- broken fixtures, one per error class ---------------------------------------------------

TEST_CASE("malformed YAML is located at the end of the text") {
    CHECK(parse_error("malformed-yaml.yaml") ==
          "tests/data/specs/malformed-yaml.yaml:3:51: error: invalid YAML: end of map flow not found\n"
          "  inference: {input_tokens: 2048, output_tokens: 512\n"
          "                                                    ^\n");
}

TEST_CASE("a tab in the indentation gets a hint") {
    CHECK(inline_error("model:\n\tpreset: x\n") ==
          "spec.yaml:2:8: error: invalid YAML: illegal map value\n"
          "  \tpreset: x\n"
          "  \t      ^\n"
          "hint: indent with spaces: YAML does not allow tabs for indentation\n");
}

TEST_CASE("a value of the wrong type") {
    CHECK(parse_error("wrong-type.yaml") ==
          "tests/data/specs/wrong-type.yaml:4:17: error: expected 'input_tokens' to be a whole number of tokens such as 4096, 8k "
          "or 1.5M, got 'lots'\n"
          "    input_tokens: lots\n"
          "                  ^\n");
}

TEST_CASE("a negative number") {
    CHECK(parse_error("negative-number.yaml") ==
          "tests/data/specs/negative-number.yaml:5:18: error: 'output_tokens' must be between 1 and 100000000, got -5\n"
          "    output_tokens: -5\n"
          "                   ^\n");
}

TEST_CASE("an absurd context of 1e9 tokens") {
    CHECK(parse_error("absurd-context.yaml") ==
          "tests/data/specs/absurd-context.yaml:3:10: error: 'context' must be between 2 and 100000000, got 1000000000\n"
          "  context: 1000000000\n"
          "           ^\n");
}

TEST_CASE("a number too large for 64 bits is out of range, not 'not a number'") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ninference: {input_tokens: 99999999999999999999, output_tokens: 5}\n") ==
          "spec.yaml:2:27: error: 'input_tokens' must be between 1 and 100000000, got 99999999999999999999\n"
          "  inference: {input_tokens: 99999999999999999999, output_tokens: 5}\n"
          "                            ^\n");
}

TEST_CASE("NaN written in YAML") {
    CHECK(parse_error("nan-value.yaml") ==
          "tests/data/specs/nan-value.yaml:5:22: error: expected 'ttft_ms' to be a finite number, got '.nan'\n"
          "    targets: {ttft_ms: .nan}\n"
          "                       ^\n");
}

TEST_CASE("infinite and absurd parameter counts") {
    CHECK(inline_error("model: {parameters: .inf}\ncontext: 100\n") ==
          "spec.yaml:1:21: error: expected 'parameters' to be a count such as 7B, 70.6B, 500M or 1T, got '.inf'\n"
          "  model: {parameters: .inf}\n"
          "                      ^\n");
    CHECK(inline_error("model: {parameters: 1e30}\ncontext: 100\n") ==
          "spec.yaml:1:21: error: 'parameters' must be between 1e+06 and 1e+15, got 1e+30\n"
          "  model: {parameters: 1e30}\n"
          "                      ^\n");
}

TEST_CASE("an unknown key gets a did-you-mean") {
    CHECK(parse_error("unknown-key.yaml") ==
          "tests/data/specs/unknown-key.yaml:3:3: error: unknown key 'layres' in 'model'\n"
          "    layres: 32\n"
          "    ^\n"
          "hint: did you mean 'layers'?\n");
}

TEST_CASE("an unknown section lists the known ones") {
    CHECK(parse_error("unknown-section.yaml") ==
          "tests/data/specs/unknown-section.yaml:3:1: error: unknown key 'hardware' in the spec\n"
          "  hardware:\n"
          "  ^\n"
          "hint: expected one of name, model, workload, precision, context, batch, inference, training, deployment, "
          "pricing, headroom, calibration\n");
}

TEST_CASE("a duplicate key") {
    CHECK(parse_error("duplicate-key.yaml") ==
          "tests/data/specs/duplicate-key.yaml:5:3: error: duplicate key 'input_tokens' in 'inference'\n"
          "    input_tokens: 4096\n"
          "    ^\n");
}

TEST_CASE("pricing.commitment chooses the catalog prices; a misspelling gets a did-you-mean") {
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\n", "spec.yaml").pricing.commitment == Commitment::on_demand);
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\npricing: {commitment: reserved_3y}\n", "spec.yaml")
              .pricing.commitment == Commitment::reserved_3y);
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\npricing: {commitment: reserved-1y}\n") ==
          "spec.yaml:3:23: error: expected 'commitment' to be one of on_demand | spot | reserved_1y | reserved_3y, got "
          "'reserved-1y'\n"
          "  pricing: {commitment: reserved-1y}\n"
          "                        ^\n"
          "hint: did you mean 'reserved_1y'?\n");
}

TEST_CASE("duplicate keys in the maps keyed by name") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\n"
                       "pricing: {usd_per_gpu_hour: {h100: 2, h100: 3}}\n") ==
          "spec.yaml:3:39: error: duplicate key 'h100' in 'usd_per_gpu_hour'\n"
          "  pricing: {usd_per_gpu_hour: {h100: 2, h100: 3}}\n"
          "                                        ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\n"
                       "calibration: {decode_step_overhead_ms: 2, decode_step_overhead_ms: 3}\n") ==
          "spec.yaml:3:43: error: duplicate key 'decode_step_overhead_ms' in 'calibration'\n"
          "  calibration: {decode_step_overhead_ms: 2, decode_step_overhead_ms: 3}\n"
          "                                            ^\n");
}

TEST_CASE("a missing model section") {
    CHECK(parse_error("missing-model.yaml") ==
          "tests/data/specs/missing-model.yaml:1:1: error: missing section 'model': give a preset, an hf_config, "
          "parameters or an architecture\n"
          "  workload: inference\n"
          "  ^\n");
}

TEST_CASE("missing input tokens point at the inference section") {
    CHECK(parse_error("missing-input-tokens.yaml") ==
          "tests/data/specs/missing-input-tokens.yaml:2:1: error: missing 'inference.input_tokens' (or the short form "
          "'context'): how long are the prompts?\n"
          "  inference:\n"
          "  ^\n");
}

TEST_CASE("an unknown enumeration value gets a did-you-mean") {
    CHECK(parse_error("unknown-enum-value.yaml") ==
          "tests/data/specs/unknown-enum-value.yaml:5:11: error: expected 'engine' to be one of vllm | trtllm | sglang | "
          "generic, got 'vlm'\n"
          "    engine: vlm\n"
          "            ^\n"
          "hint: did you mean 'vllm'?\n");
}

TEST_CASE("both context and input_tokens") {
    CHECK(parse_error("both-context-and-input.yaml") ==
          "tests/data/specs/both-context-and-input.yaml:2:10: error: give either 'context' or 'inference.input_tokens', "
          "not both\n"
          "  context: 4096\n"
          "           ^\n");
}

TEST_CASE("an empty spec") {
    CHECK(parse_error("empty.yaml") ==
          "tests/data/specs/empty.yaml:1:1: error: the spec is empty: expected a mapping with at least 'model'\n");
}

TEST_CASE("a spec that is not a mapping") {
    CHECK(parse_error("not-a-mapping.yaml") ==
          "tests/data/specs/not-a-mapping.yaml:1:1: error: expected the spec to be a mapping, got a list\n"
          "  - model\n"
          "  ^\n");
}

TEST_CASE("a section of the wrong type names the section") {
    CHECK(inline_error("model: 5\ncontext: 100\n") ==
          "spec.yaml:1:8: error: expected 'model' to be a mapping, got '5'\n"
          "  model: 5\n"
          "         ^\n");
}

TEST_CASE("an empty GPU list says it is empty") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ndeployment: {gpus: []}\n") ==
          "spec.yaml:3:20: error: expected 'gpus' to be a list of catalog ids, got an empty list\n"
          "  deployment: {gpus: []}\n"
          "                     ^\n");
}

TEST_CASE("a bare number above 1 for a percentage suggests the percent sign") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\nheadroom: 10\n") ==
          "spec.yaml:3:11: error: 'headroom' must be a fraction below 1 or a percentage below 100%, got 10\n"
          "  headroom: 10\n"
          "            ^\n"
          "hint: did you mean '10%'?\n");
}

TEST_CASE("several YAML documents in one file are refused") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\n---\nmodel: {preset: llama-3.1-70b}\n") ==
          "spec.yaml:4:1: error: expected one YAML document, got 2\n"
          "  model: {preset: llama-3.1-70b}\n"
          "  ^\n"
          "hint: remove the '---' separators or split the file\n");
}

TEST_CASE("every problem in a file is reported at once") {
    CHECK(parse_error("several-errors.yaml") ==
          "tests/data/specs/several-errors.yaml:3:3: error: unknown key 'hiden_size' in 'model'\n"
          "    hiden_size: 4096\n"
          "    ^\n"
          "hint: did you mean 'hidden_size'?\n"
          "tests/data/specs/several-errors.yaml:4:11: error: expected 'workload' to be one of inference | training, got "
          "'inferance'\n"
          "  workload: inferance\n"
          "            ^\n"
          "hint: did you mean 'inference'?\n"
          "tests/data/specs/several-errors.yaml:5:12: error: expected 'precision' to be one of fp32 | bf16 | fp16 | fp8 | "
          "int8 | int4 | nf4 | fp4 | nvfp4, got 'bf61'\n"
          "  precision: bf61\n"
          "             ^\n"
          "hint: did you mean 'bf16'?\n"
          "tests/data/specs/several-errors.yaml:7:17: error: 'input_tokens' must be between 1 and 100000000, got -1\n"
          "    input_tokens: -1\n"
          "                  ^\n"
          "tests/data/specs/several-errors.yaml:9:16: error: expected 'concurrency' to be a whole number or 'auto', got "
          "'many'\n"
          "    concurrency: many\n"
          "                 ^\n"
          "tests/data/specs/several-errors.yaml:10:11: error: 'headroom' must be at least 0% and below 100%, got 150%\n"
          "  headroom: 150%\n"
          "            ^\n");
}

TEST_CASE("SpecError keeps the diagnostics as values") {
    try {
        parse_fixture("several-errors.yaml");
        FAIL("accepted");
    } catch (const SpecError& e) {
        REQUIRE(e.diagnostics().size() == 6);
        CHECK(e.diagnostics()[0].where.line == 3);
        CHECK(e.diagnostics()[0].where.column == 3);
        CHECK(e.diagnostics()[0].hint == "did you mean 'hidden_size'?");
    }
}

// ---- model consistency: raised by make_problem ----------------------------------------------

TEST_CASE("kv heads that do not divide the attention heads") {
    CHECK(problem_error("kv-heads-not-dividing.yaml") ==
          "tests/data/specs/kv-heads-not-dividing.yaml:5:13: error: kv_heads 5 must divide attention_heads 32\n");
}

TEST_CASE("heads that do not divide the hidden size need head_dim") {
    CHECK(problem_error("head-dim-needed.yaml") ==
          "tests/data/specs/head-dim-needed.yaml:4:20: error: 48 attention heads do not divide hidden_size 4000: give "
          "'head_dim'\n");
}

TEST_CASE("more active experts than experts") {
    CHECK(problem_error("active-experts-exceed.yaml") ==
          "tests/data/specs/active-experts-exceed.yaml:3:19: error: active_experts 9 exceeds experts 8\n");
}

TEST_CASE("an unknown preset gets a did-you-mean") {
    CHECK(problem_error("unknown-preset.yaml") ==
          "tests/data/specs/unknown-preset.yaml:2:11: error: unknown model preset 'llama-3.1-8'\n"
          "hint: did you mean 'llama-3.1-8b'?\n");
}

// ---- GPU names: raised by resolve_gpu_names -------------------------------------------------

TEST_CASE("an unknown GPU in deployment.gpus gets a did-you-mean") {
    CHECK(gpu_names_error("unknown-gpu.yaml") ==
          "tests/data/specs/unknown-gpu.yaml:4:25: error: unknown GPU 'h100-sxm-80g'\n"
          "hint: did you mean 'h100-sxm-80gb'?\n");
}

TEST_CASE("an ambiguous GPU alias in deployment.gpus lists the matches") {
    CHECK(gpu_names_error("ambiguous-gpu.yaml") ==
          "tests/data/specs/ambiguous-gpu.yaml:4:10: error: GPU name 'v100' is ambiguous: it matches v100-sxm2-16gb, "
          "v100-sxm2-32gb\n"
          "hint: use one of the ids\n");
}

TEST_CASE("GPU names and price keys resolve to catalog ids") {
    Problem p = make_problem(
        parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\ndeployment: {gpus: [H100]}\n"
                   "pricing: {usd_per_gpu_hour: {h100-sxm: 1.5}}\n",
                   "r.yaml"),
        bundled_models(), std::nullopt);
    resolve_gpu_names(p, catalog());
    CHECK(p.spec.deployment.gpus == std::vector<std::string>{"h100-sxm-80gb"});
    REQUIRE(p.spec.pricing.usd_per_gpu_hour.count("h100-sxm-80gb") == 1);
    CHECK(p.spec.pricing.usd_per_gpu_hour.at("h100-sxm-80gb").value() == Approx(1.5));
}

TEST_CASE("hostile input never crashes the parser") {
    // Each must either parse or raise SpecError; nothing else.
    const char* inputs[] = {
        "", "~", "[]", "{}", "- - - -", "model: [1, 2]", "model: {preset: [x]}", "? [a, b]\n: c\n",
        "model: &a {preset: llama-3.1-8b}\ninference: *a\n", "model: {preset: llama-3.1-8b}\n<<: {context: 100}\n",
        "model: {parameters: 7B}\ncontext: 0x1000\n", "model: {parameters: 7B}\ncontext: 4096\nbatch: 1e400\n",
        "model: {parameters: 7B}\ncontext: 4096\nheadroom: -5%\n", "model: {parameters: 7B}\ncontext: 4096\nheadroom: nan%\n",
        "model: {parameters: 7B}\ncontext: 4096\npricing: {usd_per_gpu_hour: {[a]: 2}}\n",
        "model: {parameters: 7B}\ncontext: 4096\ncalibration: {[a]: 2}\n", "\xff\xfe\x00garbage",
    };
    for (const char* text : inputs) {
        INFO(text);
        try {
            parse_spec(text, "h.yaml");
        } catch (const SpecError& e) {
            CHECK(std::string(e.what()).rfind("h.yaml:", 0) == 0);
        }
    }
    // Deep nesting is refused before it reaches the recursive parser.
    const std::string deep = "model: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
    CHECK_THROWS_AS(parse_spec(deep, "h.yaml"), SpecError);
}

// ---- Hurried spellings --------------------------------------------------------------------------

TEST_CASE("token counts take K and M suffixes, as tokens and parameters do") {
    // 8k = 8000: a quarter generated (2000), the rest prompt (6000).
    const Spec short_form = parse_spec("model: {preset: llama-3.1-8b}\ncontext: 8k\n", "s.yaml");
    CHECK(short_form.inference.input_tokens == 6000);
    CHECK(short_form.inference.output_tokens == 2000);
    const Spec explicit_form =
        parse_spec("model: {preset: llama-3.1-8b}\ninference: {input_tokens: 1.5M, output_tokens: 2K}\n", "s.yaml");
    CHECK(explicit_form.inference.input_tokens == 1'500'000);
    CHECK(explicit_form.inference.output_tokens == 2000);
    const Spec training = parse_spec("model: {preset: llama-3.1-8b}\ntraining: {sequence_length: 4k}\n", "s.yaml");
    CHECK(training.training.sequence_length == 4000);
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ncontext: 32k\n", "s.yaml").training.sequence_length == 32000);
}

TEST_CASE("a token count that is not whole, or too large with its suffix, is refused") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 8.0001k\n") ==
          "spec.yaml:2:10: error: expected 'context' to be a whole number of tokens such as 4096, 8k or 1.5M, got '8.0001k'\n"
          "  context: 8.0001k\n"
          "           ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ninference: {input_tokens: 200M, output_tokens: 1}\n") ==
          "spec.yaml:2:27: error: 'input_tokens' must be between 1 and 100000000, got 200M (200000000)\n"
          "  inference: {input_tokens: 200M, output_tokens: 1}\n"
          "                            ^\n");
    // Other suffixes are not token counts.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 1B\n") ==
          "spec.yaml:2:10: error: expected 'context' to be a whole number of tokens such as 4096, 8k or 1.5M, got '1B'\n"
          "  context: 1B\n"
          "           ^\n");
}

TEST_CASE("PyTorch's dtype names are aliases of the short ones") {
    const Spec one = parse_spec("model: {preset: llama-3.1-8b}\nprecision: bfloat16\ncontext: 100\n", "p.yaml");
    CHECK(one.precision.weights == DType::bf16);
    CHECK(one.precision.activations == DType::bf16);
    CHECK(one.precision.kv_cache == DType::bf16);
    const Spec each = parse_spec(
        "model: {preset: llama-3.1-8b}\nprecision: {weights: float32, activations: half, kv_cache: float16}\ncontext: 100\n", "p.yaml");
    CHECK(each.precision.weights == DType::fp32);
    CHECK(each.precision.activations == DType::fp16);
    CHECK(each.precision.kv_cache == DType::fp16);
    const Spec training =
        parse_spec("model: {preset: llama-3.1-8b}\ntraining: {sequence_length: 100, gradient_precision: bfloat16}\n", "p.yaml");
    CHECK(training.training.gradient_precision == DType::bf16);
    // A typo of an alias is suggested the alias.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nprecision: bfloat\ncontext: 100\n") ==
          "spec.yaml:2:12: error: expected 'precision' to be one of fp32 | bf16 | fp16 | fp8 | int8 | int4 | nf4 | fp4 | nvfp4, got 'bfloat'\n"
          "  precision: bfloat\n"
          "             ^\n"
          "hint: did you mean 'bfloat16'?\n");
    // A dtype the key does not take is still refused, with the key's own list.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nprecision: {activations: int8}\ncontext: 100\n") ==
          "spec.yaml:2:26: error: expected 'activations' to be one of fp32 | bf16 | fp16 | fp8, got 'int8'\n"
          "  precision: {activations: int8}\n"
          "                           ^\n");
}

TEST_CASE("a model given as a bare name says how to write it") {
    CHECK(inline_error("model: llama-3.1-8b\ncontext: 100\n") ==
          "spec.yaml:1:8: error: expected 'model' to be a mapping, got 'llama-3.1-8b'\n"
          "  model: llama-3.1-8b\n"
          "         ^\n"
          "hint: write 'model: {preset: llama-3.1-8b}'\n");
    CHECK(inline_error("model: 7B\ncontext: 100\n") ==
          "spec.yaml:1:8: error: expected 'model' to be a mapping, got '7B'\n"
          "  model: 7B\n"
          "         ^\n"
          "hint: write 'model: {parameters: 7B}'\n");
    CHECK(inline_error("model: ./config.json\ncontext: 100\n") ==
          "spec.yaml:1:8: error: expected 'model' to be a mapping, got './config.json'\n"
          "  model: ./config.json\n"
          "         ^\n"
          "hint: write 'model: {hf_config: ./config.json}'\n");
}

TEST_CASE("a Hugging Face checkpoint name suggests the preset of its architecture") {
    auto hint_for = [](const std::string& preset) {
        Spec spec = parse_spec("model: {preset: " + preset + "}\ncontext: 100\n", "s.yaml");
        try {
            make_problem(std::move(spec), bundled_models(), std::nullopt);
        } catch (const SpecError& e) {
            return e.diagnostics().at(0).hint;
        }
        FAIL("accepted preset " << preset);
        return std::string{};
    };
    CHECK(hint_for("Llama-3.1-8B-Instruct") == "did you mean 'llama-3.1-8b'?");
    CHECK(hint_for("meta-llama/Llama-3.1-70B-Instruct") == "did you mean 'llama-3.1-70b'?");
    CHECK(hint_for("Llama-2-7b-chat-hf") == "did you mean 'llama-2-7b'?");
    CHECK(hint_for("google/gemma-2-9b-it") == "did you mean 'gemma-2-9b'?");
    CHECK(hint_for("Qwen2.5-72B") == "did you mean 'qwen2.5-72b'?");
    CHECK(hint_for("llama-3.1-8") == "did you mean 'llama-3.1-8b'?");
    CHECK(hint_for("totally-unknown-model").empty());
}

// ---- Ranges -------------------------------------------------------------------------------------

TEST_CASE("each calibration constant is checked against its range, naming it") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ncalibration:\n"
                       "  dp_comm_overlap: 2\n"
                       "  workload_matmul_fraction: 0\n"
                       "  int4_group_size: 0\n"
                       "  zero3_prefetch_layers: 1.5\n"
                       "  runtime_overhead_gib: -1\n") ==
          "spec.yaml:4:20: error: 'dp_comm_overlap' must be between 0 and 1 (fraction hidden), got 2\n"
          "    dp_comm_overlap: 2\n"
          "                     ^\n"
          "spec.yaml:5:29: error: 'workload_matmul_fraction' must be above 0 and at most 1 (fraction of the catalog's "
          "best-shape matmul efficiency), got 0\n"
          "    workload_matmul_fraction: 0\n"
          "                              ^\n"
          "spec.yaml:6:20: error: 'int4_group_size' must be a whole number from 1 to 1048576 (weights per quantisation "
          "group), got 0\n"
          "    int4_group_size: 0\n"
          "                     ^\n"
          "spec.yaml:7:26: error: 'zero3_prefetch_layers' must be a whole number from 1 to 10000 (layers), got 1.5\n"
          "    zero3_prefetch_layers: 1.5\n"
          "                           ^\n"
          "spec.yaml:8:25: error: 'runtime_overhead_gib' must be between 0 and 1024 (GiB per GPU), got -1\n"
          "    runtime_overhead_gib: -1\n"
          "                          ^\n");
    // The ends of each range are accepted.
    const Spec s = parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\ncalibration: {dp_comm_overlap: 1, tp_comm_overlap: 0, "
                              "workload_matmul_fraction: 1, int4_group_size: 1, nf4_bits_per_parameter: 4}\n",
                              "s.yaml");
    CHECK(s.calibration.at("dp_comm_overlap") == 1);
    CHECK(s.calibration.at("int4_group_size") == 1);
}

TEST_CASE("a group size of 0 is refused in precision and in calibration, in the spec and by --set") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nprecision: {weights: int4, group_size: 0}\ncontext: 100\n") ==
          "spec.yaml:2:40: error: 'group_size' must be between 1 and 1048576, got 0\n"
          "  precision: {weights: int4, group_size: 0}\n"
          "                                         ^\n");
    const std::string text = "model: {preset: llama-3.1-8b}\ncontext: 100\n";
    try {
        parse_spec(text, "s.yaml", parse_overrides({"calibration.int4_group_size=0"}));
        FAIL("accepted int4_group_size 0");
    } catch (const SpecError& e) {
        CHECK(std::string(e.what()) ==
              "--set:1:29: error: 'int4_group_size' must be a whole number from 1 to 1048576 (weights per quantisation "
              "group), got 0\n"
              "  calibration.int4_group_size=0\n"
              "                              ^\n");
    }
}

TEST_CASE("prices must be between a cent and 1000 USD per GPU-hour, electricity at most 10 USD per kWh") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\n"
                       "pricing: {usd_per_gpu_hour: {h100: 1e-310, a100: 5000}, electricity_usd_per_kwh: 50}\n") ==
          "spec.yaml:3:36: error: 'usd_per_gpu_hour.h100' must be between 0.01 and 1000 USD per GPU-hour, got 1e-310\n"
          "  pricing: {usd_per_gpu_hour: {h100: 1e-310, a100: 5000}, electricity_usd_per_kwh: 50}\n"
          "                                     ^\n"
          "spec.yaml:3:50: error: 'usd_per_gpu_hour.a100' must be between 0.01 and 1000 USD per GPU-hour, got 5000\n"
          "  pricing: {usd_per_gpu_hour: {h100: 1e-310, a100: 5000}, electricity_usd_per_kwh: 50}\n"
          "                                                   ^\n"
          "spec.yaml:3:82: error: 'electricity_usd_per_kwh' must be between 0 and 10 USD per kWh, got 50\n"
          "  pricing: {usd_per_gpu_hour: {h100: 1e-310, a100: 5000}, electricity_usd_per_kwh: 50}\n"
          "                                                                                   ^\n");
    try {
        parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\n", "s.yaml", parse_overrides({"pricing.usd_per_gpu_hour.h100=0"}));
        FAIL("accepted a price of 0");
    } catch (const SpecError& e) {
        CHECK(std::string(e.what()) ==
              "--set:1:31: error: 'usd_per_gpu_hour.h100' must be between 0.01 and 1000 USD per GPU-hour, got 0\n"
              "  pricing.usd_per_gpu_hour.h100=0\n"
              "                                ^\n");
    }
}

// ---- Consistency ---------------------------------------------------------------------------------

TEST_CASE("a global batch smaller than the micro batch is an inconsistent spec, at global_batch") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining:\n  sequence_length: 4096\n"
                       "  micro_batch: 8\n  global_batch: 4\n") ==
          "spec.yaml:6:17: error: global_batch 4 is smaller than micro_batch 8\n"
          "    global_batch: 4\n"
          "                  ^\n"
          "hint: make it a multiple of 8, or lower micro_batch\n");
    // The short form's batch is the micro batch.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ncontext: 4096\nbatch: 8\ntraining: {global_batch: 12}\n") ==
          "spec.yaml:5:26: error: global_batch 12 is not a multiple of micro_batch 8\n"
          "  training: {global_batch: 12}\n"
          "                           ^\n"
          "hint: make it a multiple of 8 (8 or 16), or change micro_batch\n");
}

TEST_CASE("with data parallelism pinned, the global batch must be a multiple of micro batch x data parallel") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: 2, "
                       "global_batch: 8}\ndeployment: {data_parallel: 8}\n") ==
          "spec.yaml:3:65: error: global_batch 8 is smaller than micro_batch 2 x data_parallel 8 = 16\n"
          "  training: {sequence_length: 4096, micro_batch: 2, global_batch: 8}\n"
          "                                                                  ^\n"
          "hint: make it a multiple of 16, or lower micro_batch or data_parallel\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: 2, "
                       "global_batch: 24}\ndeployment: {data_parallel: 8}\n") ==
          "spec.yaml:3:65: error: global_batch 24 is not a multiple of micro_batch 2 x data_parallel 8 = 16\n"
          "  training: {sequence_length: 4096, micro_batch: 2, global_batch: 24}\n"
          "                                                                  ^\n"
          "hint: make it a multiple of 16 (16 or 32), or change micro_batch or data_parallel\n");
    // micro_batch auto searches the micro batch; the data-parallel share must still be whole.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: auto, "
                       "global_batch: 4}\ndeployment: {data_parallel: 8}\n") ==
          "spec.yaml:3:68: error: global_batch 4 is smaller than data_parallel 8\n"
          "  training: {sequence_length: 4096, micro_batch: auto, global_batch: 4}\n"
          "                                                                     ^\n"
          "hint: make it a multiple of 8, or lower data_parallel\n");
    // Consistent batches are read; with data parallelism searched, any multiple of micro_batch is.
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: 2, "
                     "global_batch: 32}\ndeployment: {data_parallel: 8}\n", "s.yaml").training.global_batch == 32);
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: 2, "
                     "global_batch: 6}\n", "s.yaml").training.global_batch == 6);
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 4096, micro_batch: auto, "
                     "global_batch: 3}\n", "s.yaml").training.global_batch == 3);
}

// ---- YAML the reader does not honour, and volume -------------------------------------------------

TEST_CASE("a YAML tag is refused where it is written") {
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: !!str 100\nname: !foo x\nprecision: !!binary R0lG\n") ==
          "spec.yaml:2:10: error: unsupported YAML tag '!!str'\n"
          "  context: !!str 100\n"
          "           ^\n"
          "hint: remove the tag: quote a value to keep it text\n"
          "spec.yaml:3:7: error: unsupported YAML tag '!foo'\n"
          "  name: !foo x\n"
          "        ^\n"
          "hint: remove the tag: gpusize reads untagged YAML values\n"
          "spec.yaml:4:12: error: unsupported YAML tag '!!binary'\n"
          "  precision: !!binary R0lG\n"
          "             ^\n"
          "hint: remove the tag: gpusize reads untagged YAML values\n");
    CHECK(inline_error("model: !!map {preset: llama-3.1-8b}\ncontext: 100\n") ==
          "spec.yaml:1:8: error: unsupported YAML tag '!!map'\n"
          "  model: !!map {preset: llama-3.1-8b}\n"
          "         ^\n"
          "hint: remove the tag: gpusize reads untagged YAML values\n");
    // Quoted values and the non-specific tag '!' (a string) are plain YAML.
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\nname: ! \"x\"\n", "s.yaml").name == "x");
    try {
        parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\n", "s.yaml", parse_overrides({"name=!!str x"}));
        FAIL("accepted a tag in --set");
    } catch (const SpecError& e) {
        CHECK(std::string(e.what()) ==
              "--set:1:6: error: unsupported YAML tag '!!str'\n"
              "  name=!!str x\n"
              "       ^\n"
              "hint: remove the tag: quote a value to keep it text\n");
    }
}

TEST_CASE("brackets in comments, quoted and plain values do not count towards the nesting limit") {
    // 70 unclosed '[' in comments, 100 in a quoted name, 100 '{' in a plain value: each was counted.
    std::string text = "model: {preset: llama-3.1-8b}\ncontext: 100\n";
    for (int i = 0; i < 70; ++i) text += "# see [" + std::to_string(i) + "\n";
    text += "name: \"" + std::string(100, '[') + "\" # {{{{\n";
    text += "inference:\n  engine: gpt {" + std::string(100, '{') + "\n  output_tokens: 10\n";
    CHECK(inline_error(text) ==
          "spec.yaml:75:11: error: expected 'engine' to be one of vllm | trtllm | sglang | generic, got 'gpt {" + std::string(100, '{') +
              "'\n    engine: gpt {" + std::string(100, '{') + "\n" + std::string(12, ' ') + "^\n");
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\nname: '[[[[x' # ]]]] [[[[\n", "s.yaml").name == "[[[[x");
    CHECK(parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\ndeployment:\n  gpus:\n    - h100 # [[[[\n", "s.yaml").deployment.gpus ==
          std::vector<std::string>{"h100"});
}

TEST_CASE("after a line of another shape every bracket counts, as an upper bound") {
    // A block scalar's text, a quote that goes on past its line, a flow collection over several
    // lines: from there on brackets are counted, whatever they are.
    for (const std::string start : {"name: |\n", "name: 'a\n", "deployment: {gpus: [h100,\n", "--- \n", "name: !!str x\n"}) {
        INFO(start);
        const std::string text = "model: {preset: llama-3.1-8b}\ncontext: 100\n" + start + "  # " + std::string(65, '[') + "\n";
        const std::string error = inline_error(text);
        CHECK(error.find("flow collections nest deeper than 64 levels") != std::string::npos);
    }
}

TEST_CASE("flow collections nesting past the limit are refused at the bracket that crosses it") {
    const std::string text = "model: {preset: llama-3.1-8b}\ncontext: 100\nname: 'a [[[['\ntags:\n  " + std::string(64, '[') +
                             "\n  " + std::string(10, '[') + "\n";
    CHECK(inline_error(text) ==
          "spec.yaml:6:3: error: flow collections nest deeper than 64 levels\n"
          "    [[[[[[[[[[\n"
          "    ^\n");
}

TEST_CASE("10,000 errors are reported as the first 50 and a count, at once") {
    // Locating each error rescanned the text for its line: 100,000 unknown keys took 31 s.
    std::string text = "model: {preset: llama-3.1-8b}\ncontext: 100\n";
    for (int i = 0; i < 10'000; ++i) text += "k" + std::to_string(i) + ": 1\n";
    try {
        parse_spec(text, "many.yaml");
        FAIL("accepted 10,000 unknown keys");
    } catch (const SpecError& e) {
        const std::string what = e.what();
        CHECK(e.diagnostics().size() == 50);
        CHECK(e.more() == 9'950);
        CHECK(what.rfind("many.yaml:3:1: error: unknown key 'k0' in the spec\n  k0: 1\n  ^\nhint: expected one of", 0) == 0);
        CHECK(what.find("many.yaml:52:1: error: unknown key 'k49' in the spec\n") != std::string::npos);
        CHECK(what.find("'k50'") == std::string::npos);
        CHECK(what.substr(what.size() - 28) == "\n... and 9950 more error(s)\n");
    }
}

TEST_CASE("hundreds of thousands of names or constants are answered at once") {
    // 300,000 unknown GPU names each looked up with a suggestion took 43 s, 330,000 unknown
    // calibration constants 21 s.
    std::string gpus = "model: {preset: llama-3.1-8b}\ncontext: 100\ndeployment:\n  gpus:\n";
    for (int i = 0; i < 257; ++i) gpus += "    - g" + std::to_string(i) + "\n";
    CHECK(inline_error(gpus) == "spec.yaml:5:5: error: expected at most 256 GPU names in 'gpus', got 257\n      - g0\n      ^\n");
    std::string prices = "model: {preset: llama-3.1-8b}\ncontext: 100\npricing:\n  usd_per_gpu_hour:\n";
    for (int i = 0; i < 257; ++i) prices += "    g" + std::to_string(i) + ": 1\n";
    CHECK(inline_error(prices) ==
          "spec.yaml:5:5: error: expected at most 256 GPU prices in 'usd_per_gpu_hour', got 257\n      g0: 1\n      ^\n");
    std::string constants = "model: {preset: llama-3.1-8b}\ncontext: 100\ncalibration:\n";
    for (int i = 0; i < 10'000; ++i) constants += "  c" + std::to_string(i) + ": 1\n";
    const std::string error = inline_error(constants);
    CHECK(error.rfind("spec.yaml:4:3: error: unknown key 'c0' in 'calibration'\n", 0) == 0);
    CHECK(error.substr(error.size() - 27) == "... and 9950 more error(s)\n");
}

// ---- One value, one key -----------------------------------------------------------------------

TEST_CASE("a spec key that names a calibration constant is kept once, as that constant") {
    const auto s = parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\nprecision: {weights: int4, group_size: 64}\n"
                              "training: {sequence_length: 512, checkpoint: {write_gb_per_s: 50, restart_minutes: 3}}\n",
                              "spec.yaml");
    CHECK(s.calibration.at("int4_group_size") == 64);
    CHECK(s.calibration.at("checkpoint_write_gb_per_s") == 50);
    CHECK(s.calibration.at("restart_minutes") == 3);
    // Both names at once is a contradiction, whichever comes first.
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncalibration: {int4_group_size: 32}\nprecision: {weights: int4, group_size: 64}\n"
                       "context: 100\n") ==
          "spec.yaml:2:15: error: 'calibration.int4_group_size' and 'precision.group_size' are one setting, given twice\n"
          "  calibration: {int4_group_size: 32}\n"
          "                ^\n"
          "hint: keep one of them\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 512, checkpoint: {restart_minutes: 3}}\n"
                       "calibration:\n  restart_minutes: 5\n") ==
          "spec.yaml:5:3: error: 'calibration.restart_minutes' and 'training.checkpoint.restart_minutes' are one setting, given twice\n"
          "    restart_minutes: 5\n"
          "    ^\n"
          "hint: keep one of them\n");
}

TEST_CASE("a hybrid's layer_types entry names an attention kind, then optionally its feed-forward part") {
    CHECK(inline_error("model: {parameters: 7B, layer_types: [linear, fulll]}\ncontext: 100\n") ==
          "spec.yaml:1:47: error: expected each of 'layer_types' to be one of full | sliding_window | chunked | latent | linear | "
          "mamba | none, optionally followed by +dense, +moe or +none, got 'fulll'\n"
          "  model: {parameters: 7B, layer_types: [linear, fulll]}\n"
          "                                                ^\n"
          "hint: did you mean 'full'?\n");
    CHECK(inline_error("model: {parameters: 7B, layer_types: [mamba+mlp]}\ncontext: 100\n") ==
          "spec.yaml:1:39: error: expected each of 'layer_types' to be one of full | sliding_window | chunked | latent | linear | "
          "mamba | none, optionally followed by +dense, +moe or +none, got 'mamba+mlp'\n"
          "  model: {parameters: 7B, layer_types: [mamba+mlp]}\n"
          "                                        ^\n");
}

TEST_CASE("training.attention_kernel: a family, auto for the default, an unknown one refused with a hint") {
    const auto kernel = [](const std::string& v) {
        return parse_spec("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, attention_kernel: " + v +
                              "}\n",
                          "k.yaml")
            .training.attention_kernel;
    };
    CHECK(kernel("flash3") == AttentionKernel::flash3);
    CHECK(kernel("cudnn") == AttentionKernel::cudnn);
    CHECK(kernel("flash2") == AttentionKernel::flash2);
    CHECK(kernel("sdpa") == AttentionKernel::sdpa);
    CHECK_FALSE(kernel("auto"));
    CHECK(inline_error("model: {preset: llama-3.1-8b}\nworkload: training\ntraining: {sequence_length: 8, attention_kernel: flash4}\n") ==
          "spec.yaml:3:50: error: expected 'attention_kernel' to be one of auto | flash2 | flash3 | cudnn | sdpa, got 'flash4'\n"
          "  training: {sequence_length: 8, attention_kernel: flash4}\n"
          "                                                   ^\n"
          "hint: did you mean 'flash2'?\n");
}

TEST_CASE("inference.arrival: an open loop, a closed loop, and each mistake with its full message") {
    const auto open = parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {requests_per_s: 4.5, burstiness: 2}}\n",
                                 "spec.yaml");
    REQUIRE(open.inference.arrival);
    CHECK(open.inference.arrival->requests_per_s == 4.5);
    CHECK(open.inference.arrival->burstiness == 2.0);
    CHECK_FALSE(open.inference.arrival->users);
    const auto closed = parse_spec("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {users: 64}, targets: {ttft_p90_ms: 800}}\n",
                                   "spec.yaml");
    REQUIRE(closed.inference.arrival);
    CHECK(closed.inference.arrival->users == 64.0);
    CHECK(closed.inference.arrival->burstiness == 1.0);
    CHECK(closed.inference.targets.ttft_p90 == milliseconds(800));

    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {requests_per_s: 2, users: 8}}\n") ==
          "spec.yaml:3:22: error: give either 'requests_per_s' (an open loop) or 'users' (a closed loop) in 'inference.arrival', not both\n"
          "  inference: {arrival: {requests_per_s: 2, users: 8}}\n"
          "                       ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {requests_per_s: -3}}\n") ==
          "spec.yaml:3:39: error: 'requests_per_s' must be between 1e-09 and 1e+09, got -3\n"
          "  inference: {arrival: {requests_per_s: -3}}\n"
          "                                        ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {request_per_s: 3}}\n") ==
          "spec.yaml:3:23: error: unknown key 'request_per_s' in 'inference.arrival'\n"
          "  inference: {arrival: {request_per_s: 3}}\n"
          "                        ^\n"
          "hint: did you mean 'requests_per_s'?\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {burstiness: 2}}\n") ==
          "spec.yaml:3:22: error: 'inference.arrival' needs 'requests_per_s' (an open loop) or 'users' (a closed loop)\n"
          "  inference: {arrival: {burstiness: 2}}\n"
          "                       ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {arrival: {users: 8, burstiness: 2}}\n") ==
          "spec.yaml:3:45: error: 'burstiness' describes arrivals at 'requests_per_s'; a closed loop of 'users' has none\n"
          "  inference: {arrival: {users: 8, burstiness: 2}}\n"
          "                                              ^\n");
    CHECK(inline_error("model: {preset: llama-3.1-8b}\ncontext: 100\ninference: {targets: {ttft_p99_ms: 900}}\n") ==
          "spec.yaml:3:36: error: 'ttft_p99_ms' is a percentile under load: it needs 'inference.arrival'\n"
          "  inference: {targets: {ttft_p99_ms: 900}}\n"
          "                                     ^\n"
          "hint: add 'arrival: {requests_per_s: R}' or 'arrival: {users: N}' to 'inference'\n");
}
