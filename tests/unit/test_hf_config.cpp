// Hugging Face config.json import (model_library.hpp: parse_hf_config): every real config under
// tests/data/hf/ reproduces its bundled preset's parameter count exactly (or the published total
// where there is no preset), KV-cache bytes per token are checked against hand arithmetic, the
// declared weights precision is read, and each broken fixture under tests/data/hf/broken/ gives
// its full error text. The spec path (`model: {hf_config: ...}` plus overrides) is checked too.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "fixtures.hpp"
#include "gpusize/model.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/spec.hpp"

using namespace gpusize;

namespace {

struct Imported {
    HfModel hf;
    ModelArchitecture architecture;
};

/// Imports a fixture and completes it as resolve_model does for a spec's hf_config.
Imported import_fixture(const std::string& name) {
    const std::string path = "tests/data/hf/" + name + ".json";
    Imported r{parse_hf_config(test::read_source(path), path), {}};
    DiagnosticSink sink;
    r.architecture = complete_architecture(ModelArchitecture{}, r.hf.patch, true, {}, SourceLocation{path, 0, 0, {}}, sink);
    REQUIRE(sink.empty());
    return r;
}

const ModelArchitecture& preset(const std::string& id) {
    const Preset* p = bundled_models().find(id);
    REQUIRE(p != nullptr);
    return p->architecture;
}

/// KV-cache bytes of one token at bf16 (2 bytes per element).
double kv_bytes_per_token(const ModelArchitecture& m) { return kv_cache_bytes(m, 1, 2).value(); }

/// The full error text parse_hf_config gives for a broken fixture.
std::string import_error(const std::string& name) {
    const std::string path = "tests/data/hf/broken/" + name + ".json";
    try {
        parse_hf_config(test::read_source(path), path);
    } catch (const SpecError& e) {
        return e.what();
    }
    FAIL("no SpecError for " << path);
    return {};
}

}  // namespace

TEST_CASE("hf config: presets taken from the same config.json count the same") {
    // Each fixture is the config.json its preset cites; the import must give the same
    // architecture, hence the same count, exactly.
    struct Case {
        const char* fixture;
        const char* preset;
        double total;  // the count both give, for the record
    };
    const Case cases[] = {
        {"llama-3.1-8b", "llama-3.1-8b", 8'030'261'248},
        {"mistral-7b", "mistral-7b", 7'241'732'096},
        {"mixtral-8x7b", "mixtral-8x7b", 46'702'792'704},
        {"qwen2.5-7b", "qwen2.5-7b", 7'615'616'512},
        {"qwen3-30b-a3b", "qwen3-30b-a3b", 30'532'122'624},
        {"deepseek-v3", "deepseek-v3", 682'636'472'320},  // 671,026,404,352 + one MTP module
        {"gemma-2-9b", "gemma-2-9b", 9'241'705'984},
        {"gemma-3-27b", "gemma-3-27b", 27'432'406'640},  // language model 27,009,346,304 + SigLIP tower
        {"phi-3-mini", "phi-3-mini", 3'821'079'552},
        {"gpt-neox-20b", "gpt-neox-20b", 20'554'567'680},
        {"gpt-oss-20b", "gpt-oss-20b", 20'914'754'880},
        {"qwen3-next-80b-a3b", "qwen3-next-80b-a3b", 79'674'292'992},
        {"nemotron-3-nano-30b-a3b", "nemotron-3-nano-30b-a3b", 31'577'937'344},
        {"llama-4-scout", "llama-4-scout", 108'641'793'536},
        {"llama-4-maverick", "llama-4-maverick", 401'583'781'376},
        {"kimi-k2-instruct", "kimi-k2", 1'026'408'209'408},
        {"minimax-m2.5", "minimax-m2", 228'689'320'448},
        {"qwen3-vl-8b-instruct", "qwen3-vl-8b", 8'767'123'696},
        {"qwen3-vl-30b-a3b-instruct", "qwen3-vl-30b-a3b", 31'070'754'032},
        {"qwen3-vl-235b-a22b-instruct", "qwen3-vl-235b-a22b", 235'670'022'896},
    };
    for (const auto& c : cases) {
        INFO(c.fixture);
        auto m = import_fixture(c.fixture).architecture;
        m.unquantised = {};  // the checkpoint's quantisation exclusions (MiniMax's FP8 router) are no preset's
        CHECK(m == preset(c.preset));
        CHECK(count_parameters(m).total == count_parameters(preset(c.preset)).total);
        CHECK(count_parameters(m).total == c.total);
    }
}

TEST_CASE("hf config: falcon-40b ties its output head as FalconConfig does") {
    // FalconConfig keeps PretrainedConfig's tie_word_embeddings=True and the file does not say
    // otherwise, so the import ties the head; the preset counts the separately stored lm_head
    // (41.8B on the Hub). Everything else is the preset's architecture.
    auto m = import_fixture("falcon-40b").architecture;
    CHECK(m.tied_embeddings);
    CHECK(m.kv_heads == 8);
    CHECK(m.intermediate_size == 4 * 8192);  // ffn_hidden_size absent: 4 * hidden_size
    CHECK(m.parallel_attention);
    CHECK(m.norms_per_layer == 2);  // ln_attn + ln_mlp
    const double untied = count_parameters(preset("falcon-40b")).total;
    CHECK(count_parameters(m).total == untied - 65024.0 * 8192);  // 41,303,859,200
    m.tied_embeddings = false;
    CHECK(m == preset("falcon-40b"));
}

TEST_CASE("hf config: models without a preset match the published total") {
    // Qwen2-57B-A14B: 57.4B on the model card (Qwen/Qwen2-57B-A14B).
    const auto qwen_moe = import_fixture("qwen2-57b-a14b").architecture;
    REQUIRE(qwen_moe.moe);
    CHECK(qwen_moe.moe->experts == 64);
    CHECK(qwen_moe.moe->shared_experts == 1);
    CHECK(qwen_moe.moe->shared_expert_intermediate_size == 20480);
    CHECK(count_parameters(qwen_moe).total == 57'408'558'592);
    CHECK(std::abs(count_parameters(qwen_moe).total / 57.4e9 - 1) < 0.005);
    // The AWQ checkpoint of Qwen2.5-7B-Instruct has the base model's architecture.
    const auto awq = import_fixture("qwen2.5-7b-instruct-awq").architecture;
    CHECK(awq == preset("qwen2.5-7b"));
}

TEST_CASE("hf config: KV-cache bytes per token by hand") {
    // layers * 2 (K and V) * kv_heads * head_dim * 2 bytes (bf16)
    CHECK(kv_bytes_per_token(import_fixture("llama-3.1-8b").architecture) == 32 * 2 * 8 * 128 * 2);  // 131072
    CHECK(kv_bytes_per_token(import_fixture("mistral-7b").architecture) == 32 * 2 * 8 * 128 * 2);
    CHECK(kv_bytes_per_token(import_fixture("mixtral-8x7b").architecture) == 32 * 2 * 8 * 128 * 2);
    CHECK(kv_bytes_per_token(import_fixture("qwen2.5-7b").architecture) == 28 * 2 * 4 * 128 * 2);      // 57344
    CHECK(kv_bytes_per_token(import_fixture("qwen2-57b-a14b").architecture) == 28 * 2 * 4 * 128 * 2);
    CHECK(kv_bytes_per_token(import_fixture("qwen3-30b-a3b").architecture) == 48 * 2 * 4 * 128 * 2);   // 98304
    CHECK(kv_bytes_per_token(import_fixture("gemma-2-9b").architecture) == 42 * 2 * 8 * 256 * 2);      // 344064
    CHECK(kv_bytes_per_token(import_fixture("gemma-3-27b").architecture) == 62 * 2 * 16 * 128 * 2);    // 507904
    CHECK(kv_bytes_per_token(import_fixture("phi-3-mini").architecture) == 32 * 2 * 32 * 96 * 2);      // 393216
    CHECK(kv_bytes_per_token(import_fixture("gpt-neox-20b").architecture) == 44 * 2 * 64 * 96 * 2);    // 1081344
    CHECK(kv_bytes_per_token(import_fixture("gpt-oss-20b").architecture) == 24 * 2 * 8 * 64 * 2);      // 49152
    CHECK(kv_bytes_per_token(import_fixture("falcon-40b").architecture) == 60 * 2 * 8 * 64 * 2);       // 122880
    // MLA caches the compressed KV (kv_lora_rank 512) plus the shared rope key (64) per layer.
    CHECK(kv_bytes_per_token(import_fixture("deepseek-v3").architecture) == 61 * (512 + 64) * 2);      // 70272
}

TEST_CASE("hf config: sliding windows and their layouts") {
    const auto mistral = import_fixture("mistral-7b").architecture;
    CHECK(mistral.sliding_window == 4096);
    CHECK_FALSE(mistral.global_attention_every);
    CHECK_FALSE(import_fixture("mixtral-8x7b").architecture.sliding_window);  // "sliding_window": null
    CHECK_FALSE(import_fixture("qwen2.5-7b").architecture.sliding_window);    // use_sliding_window false
    CHECK_FALSE(import_fixture("qwen3-30b-a3b").architecture.sliding_window);
    const auto gemma2 = import_fixture("gemma-2-9b").architecture;
    CHECK(gemma2.sliding_window == 4096);
    CHECK(gemma2.global_attention_every == 2);
    const auto gemma3 = import_fixture("gemma-3-27b").architecture;
    CHECK(gemma3.sliding_window == 1024);
    CHECK(gemma3.global_attention_every == 6);  // sliding_window_pattern default
    const auto oss = import_fixture("gpt-oss-20b").architecture;
    CHECK(oss.sliding_window == 128);
    CHECK(oss.global_attention_every == 2);  // from layer_types
    // Gemma 2 9B at 8192 tokens: 21 global layers hold 8192 tokens, 21 windowed ones 4096;
    // 2 * 8 * 256 = 4096 elements per token per layer, 2 bytes each.
    CHECK(kv_cache_bytes(gemma2, 8192, 2).value() == 4096.0 * 2 * (21 * 8192 + 21 * 4096));
}

TEST_CASE("hf config: declared weights precision and notes") {
    CHECK(import_fixture("llama-3.1-8b").hf.weights == DType::bf16);
    CHECK_FALSE(import_fixture("llama-3.1-8b").hf.group_size);
    CHECK(import_fixture("gpt-neox-20b").hf.weights == DType::fp16);
    CHECK(import_fixture("gemma-2-9b").hf.weights == DType::fp32);
    CHECK(import_fixture("deepseek-v3").hf.weights == DType::fp8);  // quantization_config wins over torch_dtype
    const auto awq = import_fixture("qwen2.5-7b-instruct-awq").hf;
    CHECK(awq.model_type == "qwen2");
    CHECK(awq.weights == DType::int4);
    CHECK(awq.group_size == 128);
    const auto oss = import_fixture("gpt-oss-20b").hf;
    CHECK(oss.weights == DType::fp4);  // MXFP4
    CHECK_FALSE(oss.group_size.has_value());
    REQUIRE(oss.notes.size() == 1);
    CHECK(oss.notes[0].find("MXFP4") != std::string::npos);
    const auto deepseek = import_fixture("deepseek-v3").hf;
    CHECK(deepseek.patch.mtp_layers == 1);  // num_nextn_predict_layers
    CHECK(deepseek.notes == std::vector<std::string>{
                                "the MTP modules' own copies of the embedding and output head, which DeepSeek-V3's checkpoint "
                                "also stores, are not counted"});
    const auto gemma3 = import_fixture("gemma-3-27b").hf;
    CHECK(gemma3.model_type == "gemma3");
    CHECK(gemma3.patch.vocab_size == 262208);  // Gemma3TextConfig default
    CHECK(gemma3.patch.tied_embeddings == true);
    CHECK(import_fixture("llama-3.1-8b").hf.notes.empty());
}

TEST_CASE("hf config: broken files give located errors") {
    // A field that is there is pointed at; a missing one at the object that lacks it.
    CHECK(import_error("unknown-model-type") ==
          "tests/data/hf/broken/unknown-model-type.json:15:17: error: /model_type: unknown model_type 'lama'\n"
          "    \"model_type\": \"lama\",\n"
          "                  ^\n"
          "hint: did you mean 'llama'?\n");
    CHECK(import_error("missing-hidden-size") ==
          "tests/data/hf/broken/missing-hidden-size.json:1:1: error: /hidden_size: missing required field 'hidden_size' "
          "for model_type 'llama'\n"
          "  {\n"
          "  ^\n");
    CHECK(import_error("string-where-number") ==
          "tests/data/hf/broken/string-where-number.json:16:26: error: /num_attention_heads: expected a whole number of at "
          "least 1, got '32'\n"
          "    \"num_attention_heads\": \"32\",\n"
          "                           ^\n");
    CHECK(import_error("invalid-json") ==
          "tests/data/hf/broken/invalid-json.json:4:21: error: invalid JSON: syntax error while parsing object - "
          "unexpected string literal; expected '}'\n"
          "    \"num_hidden_layers\": 32,\n"
          "                      ^\n");
    CHECK(import_error("irregular-layer-types") ==
          "tests/data/hf/broken/irregular-layer-types.json:15:18: error: /layer_types: irregular attention pattern: layer 4 "
          "is 'full_attention', but the layers before it make every 2nd layer global; only a regular 'every N-th layer "
          "global' pattern can be represented\n"
          "    \"layer_types\": [\n"
          "                   ^\n");
    // Every problem in a file is reported, not just the first.
    CHECK(import_error("several-problems") ==
          "tests/data/hf/broken/several-problems.json:23:18: error: /torch_dtype: unsupported torch_dtype 'float8': expected "
          "'bfloat16', 'float16' or 'float32'\n"
          "    \"torch_dtype\": \"float8\",\n"
          "                   ^\n"
          "tests/data/hf/broken/several-problems.json:1:1: error: /num_hidden_layers: missing required field "
          "'num_hidden_layers' for model_type 'qwen3'\n"
          "  {\n"
          "  ^\n"
          "tests/data/hf/broken/several-problems.json:17:26: error: /num_key_value_heads: expected a whole number of at "
          "least 1, got 0\n"
          "    \"num_key_value_heads\": 0,\n"
          "                           ^\n"
          "tests/data/hf/broken/several-problems.json:1:1: error: /head_dim: missing required field 'head_dim' for "
          "model_type 'qwen3'\n"
          "  {\n"
          "  ^\n");
}

TEST_CASE("hf config: a repeated key is refused, not read last-wins") {
    // nlohmann alone would keep num_hidden_layers 4 and size a 1.27 B model.
    CHECK(import_error("duplicate-key") ==
          "tests/data/hf/broken/duplicate-key.json:18:3: error: duplicate key 'num_hidden_layers' in the top-level object "
          "(first given on line 17)\n"
          "    \"num_hidden_layers\": 4,\n"
          "    ^\n");
    const std::string nested = "{\"model_type\": \"llama\",\n \"rope_scaling\": {\"factor\": 8.0, \"factor\": 4.0}}";
    try {
        parse_hf_config(nested, "n.json");
        FAIL("accepted");
    } catch (const SpecError& e) {
        CHECK(std::string(e.what()) == "n.json:2:34: error: duplicate key 'factor' in '/rope_scaling' (first given on line 2)\n"
                                       "   \"rope_scaling\": {\"factor\": 8.0, \"factor\": 4.0}}\n"
                                       "                                   ^\n");
    }
}

TEST_CASE("hf config: a float32 checkpoint is served in 16-bit unless the spec says otherwise; training keeps fp32") {
    // gemma-2-9b.json declares torch_dtype float32 (as Google published it).
    const std::string file = test::read_source("tests/data/hf/gemma-2-9b.json");
    auto problem = [&](const std::string& extra) {
        return make_problem(parse_spec("model: {hf_config: tests/data/hf/gemma-2-9b.json}\n" + extra, "spec.yaml"), bundled_models(),
                            file);
    };
    const Problem served = problem("workload: inference\ninference: {input_tokens: 1024, output_tokens: 128}\n");
    CHECK(served.spec.precision.weights == DType::bf16);
    CHECK(served.model.declared_weights == DType::fp32);
    CHECK(served.model.notes.back() ==
          "the model file declares float32 weights; served in bf16 as engines load float32 checkpoints by default (vLLM "
          "--dtype auto; fp16 on GPUs without bf16, the same bytes): set precision to size fp32 serving");
    const Problem fp32 = problem("workload: inference\nprecision: fp32\ninference: {input_tokens: 1024, output_tokens: 128}\n");
    CHECK(fp32.spec.precision.weights == DType::fp32);
    const Problem trained = problem("workload: training\ntraining: {sequence_length: 2048, global_batch: 64}\n");
    CHECK(trained.spec.precision.weights == DType::fp32);
    CHECK(trained.model.notes.back() == "weights in fp32 as the model file declares");
}

TEST_CASE("hf config: a spec imports the file and overrides its fields") {
    const std::string spec_text =
        "model:\n"
        "  hf_config: tests/data/hf/llama-3.1-8b.json\n"
        "  kv_heads: 4\n"
        "workload: inference\n"
        "precision: bf16\n"
        "inference: {input_tokens: 1024, output_tokens: 128}\n";
    const Spec spec = parse_spec(spec_text, "spec.yaml");
    REQUIRE(spec.model.hf_config == "tests/data/hf/llama-3.1-8b.json");
    const std::string file = test::read_source(*spec.model.hf_config);
    const Problem p = make_problem(spec, bundled_models(), file);
    CHECK(p.model.source_kind == ModelSource::hf_config);
    CHECK(p.model.declared_weights == DType::bf16);
    CHECK(p.model.architecture.kv_heads == 4);
    CHECK(kv_bytes_per_token(p.model.architecture) == 32 * 2 * 4 * 128 * 2);  // half of 131072
    // k and v shrink from 8 to 4 heads of 128: 2 * 4096 * 512 fewer parameters per layer.
    CHECK(p.model.parameters.total == 8'030'261'248.0 - 32 * 2 * 4096.0 * 512);
    // Without the file the spec cannot be resolved.
    CHECK_THROWS_AS(make_problem(spec, bundled_models(), std::nullopt), SpecError);
}

TEST_CASE("hf config: older Falcon layout and MLA without a q low-rank") {
    // Falcon-7B's RefinedWeb config: multi-query (1 KV head), one LayerNorm per parallel layer,
    // tied head. Per layer: q 4544^2 + k,v 2*4544*64 + o 4544^2 = 41,877,504; MLP 2*4544*18176 =
    // 165,183,488; LayerNorm 2*4544. 32 layers + tied embedding 65024*4544 + final LayerNorm.
    const std::string falcon7b =
        R"({"model_type": "falcon", "n_layer": 32, "hidden_size": 4544, "n_head": 71, "multi_query": true,
            "parallel_attn": true, "vocab_size": 65024, "torch_dtype": "bfloat16"})";
    const auto hf = parse_hf_config(falcon7b, "falcon-7b.json");
    DiagnosticSink sink;
    const auto m = complete_architecture(ModelArchitecture{}, hf.patch, true, {}, SourceLocation{"falcon-7b.json", 0, 0, {}}, sink);
    REQUIRE(sink.empty());
    CHECK(m.kv_heads == 1);
    CHECK(m.norms_per_layer == 1);
    CHECK(count_parameters(m).total == 32 * (41'877'504.0 + 165'183'488 + 2 * 4544) + 65024.0 * 4544 + 2 * 4544);

    // DeepSeek-V2-Lite writes q_lora_rank null: q is a plain projection.
    const std::string lite =
        R"({"model_type": "deepseek_v2", "num_hidden_layers": 27, "hidden_size": 2048, "num_attention_heads": 16,
            "num_key_value_heads": 16, "intermediate_size": 10944, "vocab_size": 102400, "n_routed_experts": 64,
            "num_experts_per_tok": 6, "moe_intermediate_size": 1408, "n_shared_experts": 2, "first_k_dense_replace": 1,
            "q_lora_rank": null, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128})";
    const auto v2 = parse_hf_config(lite, "lite.json").patch;
    REQUIRE(v2.mla);
    CHECK_FALSE(v2.mla->q_lora_rank);
    CHECK(v2.dense_layers == 1);
    CHECK(v2.shared_experts == 2);
}

TEST_CASE("hf config: NaN and Infinity as Python's json writes them are read as transformers reads them") {
    // The llama-3.1-8b fixture with a field holding [NaN, Infinity, -Infinity, "NaN"] is valid
    // (it was "invalid JSON") and the model counts as its preset.
    const auto r = import_fixture("llama-3.1-8b-python-literals");
    CHECK(count_parameters(r.architecture).total == count_parameters(preset("llama-3.1-8b")).total);
    // A size field that is not a finite number is an error at its place, quoting the file.
    CHECK(import_error("nan-layers") ==
          "tests/data/hf/broken/nan-layers.json:17:24: error: /num_hidden_layers: expected a whole number of at least 1, got NaN\n"
          "    \"num_hidden_layers\": NaN,\n"
          "                         ^\n");
}

TEST_CASE("hf config: hybrid models hold per-token KV in their attention layers and a state per sequence") {
    // Qwen3-Next: 12 of 48 layers full attention (2 KV heads of 256), 36 gated DeltaNet layers each
    // holding 32 value heads x 128 x 128 of state and (2 x 16 x 128 + 32 x 128) x 3 of convolution.
    const auto next = import_fixture("qwen3-next-80b-a3b").architecture;
    CHECK(kv_bytes_per_token(next) == 12 * 2 * 2 * 256 * 2);  // 24576
    const auto next_stack = layer_stack(next);
    CHECK(state_bytes(next_stack, whole_model(next_stack), 1, 2) == 36 * (32 * 128 * 128 + 8192 * 3) * 2.0);
    // Nemotron 3 Nano: 6 attention layers (2 KV heads of 128); 23 Mamba-2 layers, each an fp32 SSM
    // state of 64 heads x 64 x 128 and a bf16 convolution state of (4096 + 2 x 8 x 128) x 3.
    const auto nano = import_fixture("nemotron-3-nano-30b-a3b").architecture;
    CHECK(kv_bytes_per_token(nano) == 6 * 2 * 2 * 128 * 2);  // 6144
    const auto nano_stack = layer_stack(nano);
    CHECK(state_bytes(nano_stack, whole_model(nano_stack), 1, 2) == 23 * (64 * 64 * 128 * 4.0 + 6144 * 3 * 2.0));
    // Tensor parallel 4 splits the 64 Mamba heads.
    CHECK(state_bytes(nano_stack, whole_model(nano_stack), 4, 2) == 23 * (64 * 64 * 128 * 4.0 + 6144 * 3 * 2.0) / 4);
    // Published: 31.6B total, 3.2B active without the embedding (3.6B with it).
    const auto c = count_parameters(nano);
    CHECK(c.total / 1e9 == Approx(31.6).epsilon(0.005));
    CHECK((c.active - c.embedding) / 1e9 == Approx(3.2).epsilon(0.02));
}

TEST_CASE("hf config: 2026 families are read and reproduce the published counts") {
    // Each fixture is the config.json as the publisher ships it (copied from
    // ai-dynamo/aiconfigurator, tests/data/hf/README.md). `total` is the exact count (the
    // encoder towers and MTP modules included), checked against the published figure to 0.5 %
    // (or the figure's own rounding where it is given to fewer digits).
    struct Case {
        const char* fixture;
        double total, encoder, mtp;
        double published;            // what the publisher calls the model: total without MTP
        double published_tolerance;  // relative
    };
    const Case cases[] = {
        // Hugging Face safetensors count 108,641,793,536 (Meta: 109B total, 17B active).
        {"llama-4-scout", 108'641'793'536, 871'932'416, 0, 108'641'793'536, 0},
        // Meta: 400B total; 24 dense layers of 16384 interleaved with 24 of 128 experts.
        {"llama-4-maverick", 401'583'781'376, 871'932'416, 0, 400e9, 0.005},
        // Hugging Face safetensors count 8,767,123,696: text 8,190,735,360 + vision 576,388,336.
        {"qwen3-vl-8b-instruct", 8'767'123'696, 576'388'336, 0, 8'767'123'696, 0},
        {"qwen3-vl-30b-a3b-instruct", 31'070'754'032, 538'631'408, 0, 31.1e9, 0.005},
        {"qwen3-vl-235b-a22b-instruct", 235'670'022'896, 576'388'336, 0, 236e9, 0.005},
        // Moonshot: 1T total, 32B activated (given to one and two digits).
        {"kimi-k2-instruct", 1'026'408'209'408, 0, 0, 1e12, 0.05},
        // 228.7B (MiniMax rounds to 230B); the three MTP modules are not in the count.
        {"minimax-m2.5", 228'689'320'448, 0, 0, 229e9, 0.005},
        // MiMo-7B: 7.6B language model plus one MTP layer (a Qwen2 decoder layer, input projection, norms).
        {"mimo-7b-base", 7'833'409'536, 0, 210'790'400, 7.6e9, 0.005},
    };
    for (const auto& c : cases) {
        INFO(c.fixture);
        const auto m = import_fixture(c.fixture).architecture;
        const auto n = count_parameters(m);
        CHECK(n.total == c.total);
        CHECK(n.encoder == c.encoder);
        CHECK(n.mtp == c.mtp);
        CHECK(std::abs((n.total - n.mtp) / c.published - 1) <= std::max(c.published_tolerance, 1e-12));
        CHECK(n.active < n.total - n.encoder - n.mtp + 1);  // towers and MTP are never active
    }
    // Llama 4 Scout by part: 48 MoE layers of 16 experts + 1 shared (intermediate_size 8192),
    // chunked attention of 8192 tokens with every 4th (NoPE) layer global, untied 202048 vocabulary.
    const auto scout = import_fixture("llama-4-scout").architecture;
    REQUIRE(scout.moe);
    CHECK(scout.moe->experts == 16);
    CHECK(scout.moe->shared_experts == 1);
    CHECK(scout.moe->expert_intermediate_size == 8192);
    CHECK(scout.intermediate_size == 16384);  // intermediate_size_mlp, of dense layers (none here)
    CHECK(scout.attention_chunk_size == 8192);
    CHECK(scout.global_attention_every == 4);
    CHECK_FALSE(scout.qk_norm);  // Llama 4's q/k L2 norm has no weights
    // Vision: 34 layers of 1408 (q/k/v/o and a 5632 MLP, biased; two LayerNorms) = 809,467,648;
    // class token, 577 positions, patch linear, pre/post LayerNorms = 1,647,360; adapter
    // 5632x4096 + 4096x4096 = 39,845,888; projector 4096x5120 = 20,971,520.
    CHECK(809'467'648.0 + 1'647'360 + 39'845'888 + 20'971'520 == count_parameters(scout).encoder);
    // Active (Meta: 17B): the text model's 48 layers with one routed and the shared expert, both
    // embeddings: 17,172,894,720.
    CHECK(count_parameters(scout).active == 17'172'894'720);
    // KV per token: 48 layers x 2 x 8 KV heads x 128 x 2 bytes; chunked layers keep one chunk.
    CHECK(kv_bytes_per_token(scout) == 48 * 2 * 8 * 128 * 2);
    CHECK(kv_cache_bytes(scout, 100'000, 2).value() == (36.0 * 8192 + 12.0 * 100'000) * 2 * 8 * 128 * 2);
    // Maverick: moe layers every 2nd (interleave_moe_layer_step 2), the other 24 dense.
    const auto maverick = import_fixture("llama-4-maverick");
    REQUIRE(maverick.architecture.moe);
    CHECK(maverick.architecture.moe->dense_layers == 24);
    CHECK(maverick.hf.notes.front().find("24 of 48 layers have a dense MLP") == 0);
    // Kimi K2 is DeepSeek-V3's architecture: MLA, 384 experts, one leading dense layer, no MTP.
    const auto kimi = import_fixture("kimi-k2-instruct").architecture;
    REQUIRE(kimi.mla);
    REQUIRE(kimi.moe);
    CHECK(kimi.moe->experts == 384);
    CHECK(kimi.moe->dense_layers == 1);
    CHECK(kimi.mtp_layers == 0);
    CHECK(kv_bytes_per_token(kimi) == 61 * (512 + 64) * 2);
    // Moonshot's 32B activated leaves the 1.17B input embedding out.
    CHECK(std::abs((count_parameters(kimi).active - count_parameters(kimi).embedding) / 32e9 - 1) < 0.02);
    // MiniMax-M2.5: q/k norms over all heads are noted with the parameters they leave out.
    const auto minimax = import_fixture("minimax-m2.5").hf;
    CHECK(minimax.notes[1] == "q/k norms span all heads (7168 weights per layer); the architecture counts one head's width "
                              "(2 x 128): 428544 parameters are left out");
    // MiMo's MTP layer is one decoder layer (attention with q/k/v biases, the 11008 MLP, two norms)
    // plus input_proj (2 x 4096 x 4096) and three norms.
    const auto mimo = import_fixture("mimo-7b-base").architecture;
    CHECK(mimo.mtp_layers == 1);
    const double layer = 4096.0 * 4096 * 2 + 2 * 4096.0 * 1024 + 4096 + 2 * 1024 + 3 * 4096.0 * 11008 + 2 * 4096;
    CHECK(count_parameters(mimo).mtp == layer + 2 * 4096.0 * 4096 + 3 * 4096);
}

TEST_CASE("hf config: families the architecture cannot express are refused with the reason") {
    auto refused = [](const std::string& name) {
        const std::string path = "tests/data/hf/refused/" + name + ".json";
        try {
            parse_hf_config(test::read_source(path), path);
        } catch (const SpecError& e) {
            return std::string(e.what());
        }
        FAIL("no SpecError for " << path);
        return std::string();
    };
    CHECK(refused("gemma-4-26b-a4b").find("error: /model_type: model_type 'gemma4' cannot be sized: its global layers have other "
                                          "head dimensions and KV heads than its sliding ones") != std::string::npos);
    CHECK(refused("mimo-v2-flash").find("model_type 'mimo_v2_flash' cannot be sized: its sliding-window layers have other head "
                                        "counts") != std::string::npos);
    CHECK(refused("llama-3.3-nemotron-super-49b").find("model_type 'nemotron-nas' cannot be sized: each layer has its own block "
                                                       "config") != std::string::npos);
    CHECK(refused("step-3.7-flash").find("model_type 'step3p7' cannot be sized") != std::string::npos);
}

TEST_CASE("hf config: an unknown wrapper is read through its text_config; unknown towers are noted") {
    const std::string text = R"({"model_type": "acme_vl", "text_config": {"model_type": "qwen3", "num_hidden_layers": 2,
        "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 128,
        "vocab_size": 1000}, "vision_config": {"model_type": "acme_vit", "hidden_size": 32}})";
    const auto hf = parse_hf_config(text, "acme.json");
    CHECK(hf.patch.layers == 2);
    CHECK(hf.patch.qk_norm == true);
    CHECK_FALSE(hf.patch.encoder_parameters);
    CHECK(hf.notes == std::vector<std::string>{"model_type 'acme_vl' is read as its text_config (model_type 'qwen3')",
                                               "the vision tower (vision_config, model_type 'acme_vit') is not counted: its "
                                               "layout is not known here"});
    try {
        parse_hf_config(R"({"model_type": "acme_vl", "text_config": {"model_type": "acme_lm"}})", "acme.json");
        FAIL("expected a SpecError");
    } catch (const SpecError& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find("error: /text_config/model_type: unknown text model_type 'acme_lm' in the "
                                         "text_config of 'acme_vl'") != std::string::npos);
    }
}

TEST_CASE("hf config: ModelOpt, compressed-tensors and FP8 checkpoints get their real weight precision") {
    // Kimi K2.5 (compressed-tensors in text_config): symmetric int4 in groups of 32, attention,
    // dense MLPs and shared experts left in bf16.
    const auto kimi = import_fixture("kimi-k2.5").hf;
    CHECK(kimi.weights == DType::int4);
    CHECK(kimi.group_size == 64);  // 4 + 16/32 bits = 4 + 32/64: the same bytes
    CHECK(kimi.patch.unquantised == UnquantisedModules{.attention = true, .dense_mlp = true, .shared_experts = true});
    // NVIDIA's NVFP4 Kimi K2.5 (modelopt quantization_config): attention left in bf16.
    const auto nvfp4 = import_fixture("kimi-k2.5-nvfp4").hf;
    CHECK(nvfp4.weights == DType::nvfp4);
    CHECK(nvfp4.patch.unquantised == UnquantisedModules{.attention = true});
    // MiniMax-M2.5: block-scaled FP8, router (gate, e_score_correction_bias) and lm_head kept.
    const auto minimax = import_fixture("minimax-m2.5").hf;
    CHECK(minimax.weights == DType::fp8);
    CHECK(minimax.patch.unquantised == UnquantisedModules{.router = true});
    // hf_quant_config.json beside config.json wins over config.json (which says bf16 here).
    const std::string dir = "tests/data/hf/qwen3-235b-a22b-nvfp4/";
    auto qwen = parse_hf_config(test::read_source(dir + "config.json"), dir + "config.json");
    CHECK(qwen.weights == DType::bf16);
    apply_hf_quant_config(test::read_source(dir + "hf_quant_config.json"), dir + "hf_quant_config.json", qwen);
    CHECK(qwen.weights == DType::nvfp4);
    CHECK(qwen.patch.unquantised == UnquantisedModules{.router = true});
    auto llama = parse_hf_config(test::read_source("tests/data/hf/llama-3.1-70b-instruct-fp8/config.json"), "config.json");
    apply_hf_quant_config(test::read_source("tests/data/hf/llama-3.1-70b-instruct-fp8/hf_quant_config.json"), "q.json", llama);
    CHECK(llama.weights == DType::fp8);
    CHECK_FALSE(llama.patch.unquantised.value_or(UnquantisedModules{}).any());  // lm_head only: 16-bit already
}

TEST_CASE("hf config: a quantisation field that changes the size and is not understood is an error naming it") {
    auto error = [](const std::string& text) {
        try {
            HfModel m;
            apply_hf_quant_config(text, "hf_quant_config.json", m);
        } catch (const SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error(R"({"quantization": {"quant_algo": "NVFP4", "exclude_modules": ["model.layers.0.conv1d"]}})") ==
          "hf_quant_config.json:1:61: error: /quantization/exclude_modules: module 'model.layers.0.conv1d' is left unquantised, "
          "but what it is is not known here: expected the output head, attention (self_attn), a dense MLP (mlp.*_proj), shared "
          "experts, the router (mlp.gate) or an encoder tower\n"
          "  {\"quantization\": {\"quant_algo\": \"NVFP4\", \"exclude_modules\": [\"model.layers.0.conv1d\"]}}\n"
          "                                                              ^\n");
    CHECK(error(R"({"quantization": {"quant_algo": "NVFP4", "group_size": 32}})").find(
              "error: /quantization/group_size: NVFP4 with blocks of 32 is not known: expected 16") != std::string::npos);
    CHECK(error(R"({"quantization": {"quant_algo": "FP6"}})").find("error: /quantization/quant_algo: unsupported quant_algo 'FP6'") !=
          std::string::npos);
    // config.json without quant_method: ModelOpt's quant_algo, compressed-tensors' config_groups.
    const auto modelopt = parse_hf_config(R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
        "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100,
        "quantization_config": {"quant_algo": "NVFP4", "group_size": 16, "ignore": ["lm_head", "model.layers.*.self_attn*"]}})",
                                          "c.json");
    CHECK(modelopt.weights == DType::nvfp4);
    CHECK(modelopt.patch.unquantised == UnquantisedModules{.attention = true});
    const auto ct = parse_hf_config(R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
        "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "quantization_config": {"config_groups":
        {"g": {"targets": ["Linear"], "weights": {"num_bits": 8, "type": "float"}}}}})",
                                    "c.json");
    CHECK(ct.weights == DType::fp8);
}

TEST_CASE("hf config: GLM-4.5, OLMo 2/3 and Mistral 3 are read as transformers reads them") {
    // GLM-4.5-Air's fields (zai-org's convert_to_hf.py CONFIG): 46 layers of 4096, 96 heads of 128
    // and 8 KV heads with q/k/v biases, one leading dense layer of 10944, 128 experts (top 8) of
    // 1408 and one shared, one MTP layer.
    const auto glm = parse_hf_config(R"({"model_type": "glm4_moe", "attention_bias": true, "head_dim": 128,
        "hidden_size": 4096, "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_attention_heads": 96,
        "n_routed_experts": 128, "n_shared_experts": 1, "num_experts_per_tok": 8, "first_k_dense_replace": 1,
        "num_hidden_layers": 46, "num_key_value_heads": 8, "num_nextn_predict_layers": 1, "tie_word_embeddings": false,
        "vocab_size": 151552, "use_qk_norm": false})",
                                     "glm.json");
    CHECK(glm.patch.experts == 128);
    CHECK(glm.patch.shared_experts == 1);
    CHECK(glm.patch.shared_expert_intermediate_size == 1408);
    CHECK(glm.patch.dense_layers == 1);
    CHECK(glm.patch.attention_bias == true);
    CHECK(glm.patch.attention_output_bias == false);  // Glm4MoeAttention: o_proj has no bias
    CHECK(glm.patch.qk_norm == false);
    CHECK(glm.patch.mtp_layers == 1);
    // OLMo 3: num_key_value_heads absent means all heads; layer_types absent: three sliding
    // layers (4096 tokens), then a full one.
    const auto olmo = parse_hf_config(R"({"model_type": "olmo3", "hidden_size": 64, "num_attention_heads": 4,
        "num_hidden_layers": 8, "intermediate_size": 128, "vocab_size": 100})",
                                      "olmo.json");
    CHECK(olmo.patch.kv_heads == 4);
    CHECK(olmo.patch.sliding_window == 4096);
    CHECK(olmo.patch.global_attention_every == 4);
    CHECK(olmo.patch.qk_norm == true);
    CHECK(olmo.patch.tied_embeddings == false);
    // Mistral 3: the text_config is a MistralConfig unless it names another type; Pixtral's tower
    // is not counted (noted).
    const auto mistral3 = parse_hf_config(R"({"model_type": "mistral3", "text_config": {"hidden_size": 64,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2, "intermediate_size": 128,
        "vocab_size": 100, "sliding_window": null}, "vision_config": {"model_type": "pixtral", "hidden_size": 32}})",
                                          "m3.json");
    CHECK(mistral3.patch.kv_heads == 2);
    CHECK_FALSE(mistral3.patch.sliding_window);
    CHECK(mistral3.notes.back() ==
          "the vision tower (vision_config, model_type 'pixtral') is not counted: its layout is not known here");
}
