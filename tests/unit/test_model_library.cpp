// The bundled presets (model_library.hpp): every architecture reproduces its published parameter
// count, the required models are present, and resolution reports unknown presets with a hint.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include "gpusize/model_library.hpp"
#include "gpusize/render.hpp"

using namespace gpusize;

namespace {

/// Relative unit of the last digit a published figure is given to ("3.3B": 0.1 B, 3 %), so a count
/// published as "37B" is checked to the precision it was given with; model cards both round and
/// truncate (Qwen3-30B-A3B's 3.35 B active is published as "3.3B").
double rounding_of(const std::string& text, double value) {
    const auto dot = text.find('.');
    std::size_t decimals = 0;
    if (dot != std::string::npos)
        while (dot + 1 + decimals < text.size() && std::isdigit(static_cast<unsigned char>(text[dot + 1 + decimals]))) ++decimals;
    const double scale = !text.empty() && text.back() == 'T' ? 1e12 : 1e9;  // figures are in B, or T (Kimi K2's "1T")
    const double unit = scale * std::pow(10.0, -static_cast<double>(decimals));
    return unit / value;
}

}  // namespace

TEST_CASE("every preset reproduces its published parameter count") {
    const auto& lib = bundled_models();
    REQUIRE(lib.presets.size() >= 60);
    for (const auto& p : lib.presets) {
        INFO(p.id);
        const auto c = count_parameters(p.architecture);
        const double tolerance = std::max(0.005, rounding_of(p.published_parameters_text, p.published_parameters));
        // Publishers quote totals without the MTP modules (model.hpp ParameterCount::mtp).
        CHECK(std::abs((c.total - c.mtp) / p.published_parameters - 1) <= tolerance);
        if (p.published_active_parameters) {
            const double active = c.active - (p.published_active_excludes_embedding ? c.embedding : 0.0);
            const double t = std::max(0.005, rounding_of(*p.published_active_parameters_text, *p.published_active_parameters));
            CHECK(std::abs(active / *p.published_active_parameters - 1) <= t);
        } else {
            CHECK(c.active == c.total - c.encoder - c.mtp);
        }
    }
}

TEST_CASE("the required presets are there, with official kebab-case ids and sources") {
    const auto& lib = bundled_models();
    for (const char* id : {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
                           "llama-3.2-1b", "llama-3.2-3b", "llama-3.3-70b", "mistral-7b", "mixtral-8x7b", "mixtral-8x22b",
                           "qwen2.5-7b", "qwen2.5-14b", "qwen2.5-32b", "qwen2.5-72b", "qwen3-8b", "qwen3-32b", "qwen3-30b-a3b",
                           "qwen3-235b-a22b", "deepseek-v3", "deepseek-r1", "deepseek-r1-distill-llama-8b",
                           "deepseek-r1-distill-qwen-32b", "gemma-2-9b", "gemma-2-27b", "gemma-3-27b", "phi-3-mini", "phi-4",
                           "gpt-oss-20b", "gpt-oss-120b", "gpt-neox-20b", "bloom-176b", "falcon-40b", "mpt-7b", "mpt-70b",
                           "llama-4-scout", "llama-4-maverick", "kimi-k2", "minimax-m2", "qwen3-vl-8b", "qwen3-vl-30b-a3b",
                           "qwen3-vl-235b-a22b", "olmo-2-7b", "qwen3-next-80b-a3b", "qwen3.5-397b-a17b", "qwen3.5-35b-a3b",
                           "nemotron-3-nano-30b-a3b", "phi-4-mini"}) {
        INFO(id);
        CHECK(lib.find(id) != nullptr);
    }
    const std::regex kebab("[a-z0-9]+([.-][a-z0-9]+)*");
    for (const auto& p : lib.presets) {
        INFO(p.id);
        CHECK(std::regex_match(p.id, kebab));
        CHECK_FALSE(p.source.empty());
        CHECK_FALSE(p.published_source.empty());
    }
}

TEST_CASE("architectures that calculators get wrong: MoE, MLA, sliding windows") {
    const auto& lib = bundled_models();
    const auto mixtral = count_parameters(lib.find("mixtral-8x7b")->architecture);
    CHECK(mixtral.total / 1e9 == Approx(46.70).epsilon(0.005));
    CHECK(mixtral.active / 1e9 == Approx(12.88).epsilon(0.005));
    const auto& v3 = lib.find("deepseek-v3")->architecture;
    REQUIRE(v3.mla);
    // MLA caches kv_lora_rank + rope dim = 512 + 64 per layer: 61 * 576 * 2 bytes
    CHECK(kv_cache_bytes(v3, 1, 2).value() == 61 * 576 * 2);
    const auto& gemma = lib.find("gemma-2-9b")->architecture;
    // 42 layers alternate 4096-token windows and global attention: at 8192 tokens the 21 windowed
    // layers hold 4096, the 21 global ones 8192; 8 KV heads of 256, K and V, bf16
    CHECK(kv_cache_bytes(gemma, 8192, 2).value() == (21.0 * 8192 + 21.0 * 4096) * 2 * 8 * 256 * 2);
}

TEST_CASE("an unknown preset is a spec error at its place, with a suggestion") {
    Spec s;
    s.origin = "spec.yaml";
    s.model.preset = "lama-3.1-8b";
    s.model.locations["preset"] = SourceLocation{"spec.yaml", 2, 11, {}};
    try {
        resolve_model(s, bundled_models(), std::nullopt);
        FAIL("expected a SpecError");
    } catch (const SpecError& e) {
        CHECK(std::string(e.what()) == "spec.yaml:2:11: error: unknown model preset 'lama-3.1-8b'\nhint: did you mean 'llama-3.1-8b'?\n");
    }
}

TEST_CASE("spec fields override a preset") {
    Spec s;
    s.model.preset = "llama-3.1-8b";
    s.model.patch.kv_heads = 4;
    const auto r = resolve_model(s, bundled_models(), std::nullopt);
    CHECK(r.source_kind == ModelSource::preset);
    CHECK(kv_cache_bytes(r.architecture, 1, 2).value() == 64 * 1024);  // half of Llama 3.1 8B's 128 KiB
}

TEST_CASE("a bare parameter count derives an architecture and says so") {
    Spec s;
    s.model.parameters = 7e9;
    const auto r = resolve_model(s, bundled_models(), std::nullopt);
    CHECK(r.source_kind == ModelSource::derived);
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].rfind("architecture derived from 7 B parameters (Llama-style:", 0) == 0);
}

TEST_CASE("a preset parsed from its own block equals the same preset in a whole parse") {
    // bundled_presets cuts data/models.yaml at each "  - id:" line: every block must hold exactly
    // its preset, with nothing of the next one and nothing lost.
    const auto& whole = bundled_models();
    for (const auto& p : whole.presets) {
        INFO(p.id);
        const ModelLibrary one = bundled_presets({p.id});
        REQUIRE(one.presets.size() == 1);
        CHECK(render_models_json({&one.presets.front()}) == render_models_json({&p}));
        CHECK(one.find(p.id) == &one.presets.front());
        CHECK(one.ids() == whole.ids());
        CHECK(one.unparsed_ids.size() == whole.presets.size() - 1);
    }
    const ModelLibrary none = bundled_presets({"no-such-model"});
    CHECK(none.presets.empty());
    CHECK(none.ids() == whole.ids());
    CHECK(none.find("llama-3.1-8b") == nullptr);
}

TEST_CASE("a layer attends within a chunk or a window, not both") {
    ModelPatch patch;
    patch.layers = 4;
    patch.hidden_size = 64;
    patch.attention_heads = 4;
    patch.intermediate_size = 128;
    patch.vocab_size = 100;
    patch.sliding_window = 16;
    patch.attention_chunk_size = 32;
    DiagnosticSink sink;
    complete_architecture(ModelArchitecture{}, patch, true, {}, SourceLocation{"spec.yaml", 3, 1, {}}, sink);
    REQUIRE(sink.diagnostics().size() == 1);
    CHECK(sink.diagnostics().front().message ==
          "'attention_chunk_size' and 'sliding_window' exclude each other: a layer attends within a chunk or a window");
    patch.sliding_window.reset();
    patch.attention_chunk_size.reset();
    patch.global_attention_every = 2;
    DiagnosticSink again;
    complete_architecture(ModelArchitecture{}, patch, true, {}, SourceLocation{"spec.yaml", 3, 1, {}}, again);
    REQUIRE(again.diagnostics().size() == 1);
    CHECK(again.diagnostics().front().message == "'global_attention_every' needs 'sliding_window' or 'attention_chunk_size'");
}

TEST_CASE("a hybrid layer pattern covers the layers evenly and every kind it names is described") {
    ModelPatch patch;
    patch.layers = 6;
    patch.hidden_size = 64;
    patch.attention_heads = 4;
    patch.intermediate_size = 128;
    patch.vocab_size = 100;
    auto messages = [&](const ModelPatch& p) {
        DiagnosticSink sink;
        complete_architecture(ModelArchitecture{}, p, true, {}, SourceLocation{"spec.yaml", 3, 1, {}}, sink);
        std::vector<std::string> out;
        for (const auto& d : sink.diagnostics()) out.push_back(d.message);
        return out;
    };
    patch.layer_types = std::vector<LayerPlan>{{AttentionKind::linear, std::nullopt}, {AttentionKind::linear, std::nullopt},
                                               {AttentionKind::linear, std::nullopt}, {AttentionKind::full, std::nullopt}};
    CHECK(messages(patch) == std::vector<std::string>{
                                 "'layer_types' has 4 entries, which do not divide 6 layers: give one per layer or a pattern that "
                                 "repeats evenly",
                                 "'layer_types' has linear layers but no 'model.linear_attention' describes them"});
    patch.layers = 8;
    patch.linear_attention = LinearAttentionConfig{.key_heads = 2, .value_heads = 4, .key_head_dim = 16, .value_head_dim = 16};
    CHECK(messages(patch).empty());
    // A description no layer uses would be silently ignored: it is an error.
    patch.mamba = MambaConfig{.heads = 4, .head_dim = 16, .state_size = 16};
    CHECK(messages(patch) == std::vector<std::string>{"'mamba' is given but no entry of 'layer_types' is mamba"});
    patch.mamba.reset();
    patch.layer_types->push_back({AttentionKind::none, FeedForwardKind::moe});
    patch.layer_types->push_back({AttentionKind::full, FeedForwardKind::none});
    patch.layers = 6;
    CHECK(messages(patch) == std::vector<std::string>{"'layer_types' has '+moe' layers but the model has no 'experts'"});
    patch.layer_types.reset();
    CHECK(messages(patch) == std::vector<std::string>{"'linear_attention' needs 'layer_types' naming the linear layers"});
}

TEST_CASE("serving leaves the multi-token-prediction module unloaded; training holds it") {
    Spec s;
    s.model.preset = "deepseek-v3";
    const auto serving = resolve_model(s, bundled_models(), std::nullopt);
    s.workload = Workload::training;
    const auto training = resolve_model(s, bundled_models(), std::nullopt);
    REQUIRE(training.stack.mtp_parameters > 0);
    CHECK(serving.stack.mtp_parameters == 0);
    CHECK(serving.stack.mtp_routed_parameters == 0);
    // The count is the model's either way.
    CHECK(serving.parameters.total == training.parameters.total);
    CHECK(serving.parameters.mtp == training.stack.mtp_parameters);
    CHECK(serving.notes.back().find("multi-token-prediction module(s) are counted but not loaded") != std::string::npos);
}
