#include "gpusize/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "gpusize/calibration.hpp"
#include "gpusize/vocabulary.hpp"
#include "yaml_reader.hpp"

namespace gpusize {

using detail::KeyHandlers;
using detail::YamlReader;

namespace {

using limits::max_gpu_count;
using limits::max_gpu_names;
using limits::max_layers;
using limits::max_parameters;
using limits::max_sequences;
using limits::max_tokens;
using limits::max_width;

const std::vector<std::string> dtype_names = spellings("precision.weights");
const std::vector<DType> dtype_values{DType::fp32, DType::bf16, DType::fp16, DType::fp8, DType::int8, DType::int4, DType::nf4, DType::fp4, DType::nvfp4};

/// Money the spec may state, per unit: below a cent per GPU-hour or above 1000 USD is a typo (the
/// dearest catalog GPU rents for about 15 USD per hour); denormal prices would make every cost 0.
constexpr double min_usd_per_gpu_hour = 0.01;
constexpr double max_usd_per_gpu_hour = 1000;
constexpr double max_usd_per_kwh = 10;

}  // namespace

std::string_view to_string(Workload v) { return v == Workload::inference ? "inference" : "training"; }
std::string_view to_string(Engine v) {
    switch (v) {
        case Engine::vllm: return "vllm";
        case Engine::trtllm: return "trtllm";
        case Engine::sglang: return "sglang";
        case Engine::generic: return "generic";
    }
    return "?";
}
std::string_view to_string(TrainingMethod v) {
    return v == TrainingMethod::full ? "full" : v == TrainingMethod::lora ? "lora" : "qlora";
}
std::string_view to_string(Optimizer v) {
    return v == Optimizer::adamw ? "adamw" : v == Optimizer::adamw_8bit ? "adamw_8bit" : "sgd";
}
std::string_view to_string(Sharding v) {
    switch (v) {
        case Sharding::none: return "none";
        case Sharding::zero1: return "zero1";
        case Sharding::zero2: return "zero2";
        case Sharding::zero3: return "zero3";
        case Sharding::distributed_optimizer: return "distributed_optimizer";
    }
    return "?";
}
std::string_view to_string(Recompute v) {
    return v == Recompute::none ? "none" : v == Recompute::selective ? "selective" : v == Recompute::op ? "op" : "full";
}
std::string_view to_string(AttentionKernel v) {
    return v == AttentionKernel::flash2 ? "flash2" : v == AttentionKernel::flash3 ? "flash3" : v == AttentionKernel::cudnn ? "cudnn" : "sdpa";
}
std::string_view to_string(PricingMode v) { return v == PricingMode::cloud ? "cloud" : "onprem"; }
std::string_view to_string(MlpKind v) { return v == MlpKind::gated ? "gated" : "standard"; }
std::string_view to_string(NormKind v) { return v == NormKind::rmsnorm ? "rmsnorm" : "layernorm"; }

std::string TrainingSpec::micro_batch_text() const { return micro_batch_auto ? "auto" : std::to_string(micro_batch); }

std::vector<std::string> Offload::names() const {
    std::vector<std::string> out;
    if (optimizer) out.emplace_back("optimizer");
    if (parameters) out.emplace_back("parameters");
    if (activations) out.emplace_back("activations");
    return out;
}

bool ModelPatch::any() const {
    return layers || hidden_size || attention_heads || kv_heads || head_dim || intermediate_size || vocab_size ||
           norms_per_layer || learned_positions || experts || active_experts || expert_intermediate_size ||
           shared_experts || shared_expert_intermediate_size || dense_layers || sliding_window ||
           global_attention_every || attention_chunk_size || encoder_parameters || mtp_layers || tied_embeddings || qk_norm ||
           attention_bias || attention_output_bias || mlp_bias || parallel_attention || attention_output_gate || mlp || norm || mla ||
           linear_attention || mamba || layer_types;
}

std::optional<double> parse_count(std::string_view s) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    double scale = 1;
    switch (s.back()) {
        case 'K': case 'k': scale = 1e3; break;
        case 'M': case 'm': scale = 1e6; break;
        case 'B': case 'b': case 'G': case 'g': scale = 1e9; break;
        case 'T': case 't': scale = 1e12; break;
        default: break;
    }
    if (scale != 1) s.remove_suffix(1);
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v * scale;
}

namespace detail {

KeyHandlers model_patch_handlers(YamlReader& r, ModelPatch& m, std::map<std::string, SourceLocation>* locations) {
    auto track = [&r, locations](const char* key, auto fn) {
        return std::pair<std::string, std::function<void(const YAML::Node&)>>(key, [&r, locations, key, fn](const YAML::Node& n) {
            if (locations) (*locations)[key] = r.where(n);
            fn(n);
        });
    };
    auto int_key = [&](const char* key, std::optional<std::int64_t>& field, std::int64_t lo, std::int64_t hi) {
        return track(key, [&r, &field, key, lo, hi](const YAML::Node& n) { field = r.integer(n, key, lo, hi); });
    };
    auto bool_key = [&](const char* key, std::optional<bool>& field) {
        return track(key, [&r, &field, key](const YAML::Node& n) { field = r.boolean(n, key); });
    };
    return {
        int_key("layers", m.layers, 1, max_layers),
        int_key("hidden_size", m.hidden_size, 1, max_width),
        int_key("attention_heads", m.attention_heads, 1, max_width),
        int_key("kv_heads", m.kv_heads, 1, max_width),
        int_key("head_dim", m.head_dim, 1, max_width),
        int_key("intermediate_size", m.intermediate_size, 1, 10 * max_width),
        int_key("vocab_size", m.vocab_size, 1, 10 * max_width),
        int_key("norms_per_layer", m.norms_per_layer, 0, 16),
        int_key("learned_positions", m.learned_positions, 0, max_tokens),
        int_key("experts", m.experts, 1, 100'000),
        int_key("active_experts", m.active_experts, 1, 100'000),
        int_key("expert_intermediate_size", m.expert_intermediate_size, 1, 10 * max_width),
        int_key("shared_experts", m.shared_experts, 0, 1'000),
        int_key("shared_expert_intermediate_size", m.shared_expert_intermediate_size, 1, 10 * max_width),
        int_key("dense_layers", m.dense_layers, 0, max_layers),
        int_key("sliding_window", m.sliding_window, 1, max_tokens),
        int_key("global_attention_every", m.global_attention_every, 1, max_layers),
        int_key("attention_chunk_size", m.attention_chunk_size, 1, max_tokens),
        int_key("encoder_parameters", m.encoder_parameters, 0, limits::max_encoder_parameters),
        int_key("mtp_layers", m.mtp_layers, 0, max_layers),
        bool_key("tied_embeddings", m.tied_embeddings),
        bool_key("qk_norm", m.qk_norm),
        bool_key("attention_bias", m.attention_bias),
        bool_key("attention_output_bias", m.attention_output_bias),
        bool_key("mlp_bias", m.mlp_bias),
        bool_key("parallel_attention", m.parallel_attention),
        bool_key("attention_output_gate", m.attention_output_gate),
        track("mlp", [&r, &m](const YAML::Node& n) {
            m.mlp = r.enumeration<MlpKind>(n, "mlp", spellings("model.mlp"), {MlpKind::gated, MlpKind::standard});
        }),
        track("norm", [&r, &m](const YAML::Node& n) {
            m.norm = r.enumeration<NormKind>(n, "norm", spellings("model.norm"), {NormKind::rmsnorm, NormKind::layernorm});
        }),
        track("mla", [&r, &m](const YAML::Node& n) {
            MlaConfig x;
            std::optional<std::int64_t> kv, nope, rope, v;
            r.walk(n, "model.mla",
                   {{"q_lora_rank", [&](const YAML::Node& c) { x.q_lora_rank = r.integer(c, "q_lora_rank", 1, max_width); }},
                    {"kv_lora_rank", [&](const YAML::Node& c) { kv = r.integer(c, "kv_lora_rank", 1, max_width); }},
                    {"qk_nope_head_dim", [&](const YAML::Node& c) { nope = r.integer(c, "qk_nope_head_dim", 0, max_width); }},
                    {"qk_rope_head_dim", [&](const YAML::Node& c) { rope = r.integer(c, "qk_rope_head_dim", 0, max_width); }},
                    {"v_head_dim", [&](const YAML::Node& c) { v = r.integer(c, "v_head_dim", 1, max_width); }}});
            if (!n.IsMap()) return;
            if (!kv || !nope || !rope || !v) {
                r.error(n, "'mla' needs kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim and v_head_dim");
                return;
            }
            x.kv_lora_rank = *kv;
            x.qk_nope_head_dim = *nope;
            x.qk_rope_head_dim = *rope;
            x.v_head_dim = *v;
            m.mla = x;
        }),
        track("linear_attention", [&r, &m](const YAML::Node& n) {
            LinearAttentionConfig x;
            std::optional<std::int64_t> kh, vh, kd, vd;
            r.walk(n, "model.linear_attention",
                   {{"key_heads", [&](const YAML::Node& c) { kh = r.integer(c, "key_heads", 1, max_width); }},
                    {"value_heads", [&](const YAML::Node& c) { vh = r.integer(c, "value_heads", 1, max_width); }},
                    {"key_head_dim", [&](const YAML::Node& c) { kd = r.integer(c, "key_head_dim", 1, max_width); }},
                    {"value_head_dim", [&](const YAML::Node& c) { vd = r.integer(c, "value_head_dim", 1, max_width); }},
                    {"conv_kernel", [&](const YAML::Node& c) { x.conv_kernel = r.integer(c, "conv_kernel", 1, 64).value_or(x.conv_kernel); }},
                    {"state_fp32", [&](const YAML::Node& c) { x.state_fp32 = r.boolean(c, "state_fp32").value_or(false); }}});
            if (!n.IsMap()) return;
            if (!kh || !vh || !kd || !vd) {
                r.error(n, "'linear_attention' needs key_heads, value_heads, key_head_dim and value_head_dim");
                return;
            }
            x.key_heads = *kh;
            x.value_heads = *vh;
            x.key_head_dim = *kd;
            x.value_head_dim = *vd;
            m.linear_attention = x;
        }),
        track("mamba", [&r, &m](const YAML::Node& n) {
            MambaConfig x;
            std::optional<std::int64_t> heads, head_dim, state;
            r.walk(n, "model.mamba",
                   {{"heads", [&](const YAML::Node& c) { heads = r.integer(c, "heads", 1, max_width); }},
                    {"head_dim", [&](const YAML::Node& c) { head_dim = r.integer(c, "head_dim", 1, max_width); }},
                    {"state_size", [&](const YAML::Node& c) { state = r.integer(c, "state_size", 1, max_width); }},
                    {"groups", [&](const YAML::Node& c) { x.groups = r.integer(c, "groups", 1, max_width).value_or(x.groups); }},
                    {"conv_kernel", [&](const YAML::Node& c) { x.conv_kernel = r.integer(c, "conv_kernel", 1, 64).value_or(x.conv_kernel); }},
                    {"conv_bias", [&](const YAML::Node& c) { x.conv_bias = r.boolean(c, "conv_bias").value_or(x.conv_bias); }},
                    {"projection_bias", [&](const YAML::Node& c) { x.projection_bias = r.boolean(c, "projection_bias").value_or(false); }},
                    {"state_fp32", [&](const YAML::Node& c) { x.state_fp32 = r.boolean(c, "state_fp32").value_or(false); }}});
            if (!n.IsMap()) return;
            if (!heads || !head_dim || !state) {
                r.error(n, "'mamba' needs heads, head_dim and state_size");
                return;
            }
            x.heads = *heads;
            x.head_dim = *head_dim;
            x.state_size = *state;
            m.mamba = x;
        }),
        track("layer_types", [&r, &m](const YAML::Node& n) {
            if (!n.IsSequence() || n.size() == 0) {
                r.error(n, fmt::format("expected 'layer_types' to be a list of layer kinds such as [linear, linear, linear, full], got {}",
                                       describe(n)));
                return;
            }
            const std::vector<std::string> names = spellings("model.layer_types");
            std::vector<LayerPlan> plans;
            for (const auto& item : n) {
                // "linear" or "linear+moe": the attention kind, then the feed-forward part if given.
                const std::string text = item.IsScalar() ? item.Scalar() : std::string{};
                const auto plus = text.find('+');
                const std::string kind = text.substr(0, plus);
                const auto attention = parse_attention_kind(kind);
                const auto ff = plus == std::string::npos ? std::nullopt : parse_feed_forward_kind(text.substr(plus + 1));
                if (!item.IsScalar() || !attention || (plus != std::string::npos && !ff)) {
                    r.error(item,
                            fmt::format("expected each of 'layer_types' to be one of {}, optionally followed by +dense, +moe or +none, got {}",
                                        fmt::join(names, " | "), item.IsScalar() ? fmt::format("'{}'", text) : describe(item)),
                            attention || !item.IsScalar() ? std::string{} : did_you_mean(kind, names));
                    continue;
                }
                plans.push_back({*attention, ff});
            }
            if (plans.size() == n.size()) m.layer_types = std::move(plans);
        }),
    };
}

}  // namespace detail

namespace {

class SpecParser {
public:
    SpecParser(std::string_view text, std::string_view origin, const std::vector<Override>* overrides = nullptr)
        : r_(text, origin), text_(text), overrides_(overrides) { spec_.origin = std::string(origin); }

    Spec parse() {
        YAML::Node root = r_.load();
        if (overrides_ && r_.sink().empty()) override_problems_ = detail::apply_overrides(root, *overrides_, text_);
        if (r_.sink().empty()) {
            if (!root.IsDefined() || root.IsNull()) r_.error_at({spec_.origin, 1, 1, {}}, "the spec is empty: expected a mapping with at least 'model'");
            else top(root);
        }
        if (overrides_) relocate_override_diagnostics(r_.sink().diagnostics(), text_, spec_.origin, *overrides_, override_problems_);
        r_.sink().throw_if_any<SpecError>();
        return std::move(spec_);
    }

private:
    YamlReader r_;
    std::string_view text_;
    const std::vector<Override>* overrides_ = nullptr;
    std::vector<Diagnostic> override_problems_;
    Spec spec_;
    bool have_model_ = false, have_inference_ = false, have_training_ = false, have_workload_ = false;
    std::optional<YAML::Node> context_, batch_, global_batch_, arrival_;
    std::optional<std::pair<YAML::Node, std::string>> percentile_target_;  ///< the first ttft_p90_ms-like target
    YAML::Node root_;
    std::map<std::string, YAML::Node> calibration_keys_;                        ///< constant -> its key
    std::map<std::string, std::pair<YAML::Node, std::string>> constant_keys_;  ///< constant -> spec key, path

    void top(const YAML::Node& root) {
        root_ = root;
        r_.walk(root, "the spec",
                {{"name", [&](const YAML::Node& n) { spec_.name = r_.string(n, "name").value_or(""); }},
                 {"model", [&](const YAML::Node& n) { model(n); }},
                 {"workload", [&](const YAML::Node& n) {
                      have_workload_ = true;
                      spec_.workload = r_.enumeration<Workload>(n, "workload", spellings("workload"),
                                                                {Workload::inference, Workload::training})
                                           .value_or(Workload::inference);
                  }},
                 {"precision", [&](const YAML::Node& n) { precision(n); }},
                 {"context", [&](const YAML::Node& n) { context_ = n; }},
                 {"batch", [&](const YAML::Node& n) { batch_ = n; }},
                 {"inference", [&](const YAML::Node& n) { inference(n); }},
                 {"training", [&](const YAML::Node& n) { training(n); }},
                 {"deployment", [&](const YAML::Node& n) { deployment(n); }},
                 {"pricing", [&](const YAML::Node& n) { pricing(n); }},
                 {"headroom", [&](const YAML::Node& n) { spec_.headroom = r_.fraction(n, "headroom").value_or(0); }},
                 {"calibration", [&](const YAML::Node& n) { calibration(n); }}});
        if (!root.IsMap()) return;
        if (!have_model_) r_.error(root, "missing section 'model': give a preset, an hf_config, parameters or an architecture");
        if (!have_workload_) {
            if (have_training_ && !have_inference_) spec_.workload = Workload::training;
        }
        short_form();
        constant_conflicts();
        completeness();
    }

    void model(const YAML::Node& n) {
        have_model_ = true;
        auto& m = spec_.model;
        m.where = r_.where(n);
        if (n.IsScalar()) {
            // `model: llama-3.1-8b`: the name alone, where a mapping says what it names.
            const std::string& s = n.Scalar();
            const bool json = s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0;
            const auto count = parse_count(s);
            const char* key = count && *count >= 1e6                                   ? "parameters"
                              : json                                                   ? "hf_config"
                              : !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) ? "preset"
                                                                                       : nullptr;
            r_.error(n, fmt::format("expected 'model' to be a mapping, got {}", detail::describe(n)),
                     key ? fmt::format("write 'model: {{{}: {}}}'", key, s) : std::string{});
            return;
        }
        auto handlers = detail::model_patch_handlers(r_, m.patch, &m.locations);
        handlers.emplace_back("preset", [&](const YAML::Node& v) {
            m.locations["preset"] = r_.where(v);
            m.preset = r_.string(v, "preset");
        });
        handlers.emplace_back("hf_config", [&](const YAML::Node& v) {
            m.locations["hf_config"] = r_.where(v);
            m.hf_config = r_.string(v, "hf_config");
        });
        handlers.emplace_back("parameters", [&](const YAML::Node& v) {
            m.locations["parameters"] = r_.where(v);
            m.parameters = r_.count(v, "parameters", 1e6, max_parameters);
        });
        r_.walk(n, "model", handlers);
        if (!n.IsMap()) return;
        if (m.preset && m.hf_config) r_.error(n, "give either 'preset' or 'hf_config' in 'model', not both");
        // A key that was given but invalid has its own error already.
        if (m.locations.empty())
            r_.error(n, "'model' needs one of 'preset', 'hf_config', 'parameters' or an architecture");
    }

    void precision(const YAML::Node& n) {
        auto& p = spec_.precision;
        if (n.IsScalar()) {
            if (auto t = dtype(n, "precision", dtype_names)) {
                p.weights = *t;
                p.weights_explicit = true;
                p.activations = *t == DType::int4 || *t == DType::nf4 || *t == DType::fp4 || *t == DType::nvfp4 || *t == DType::int8 ? DType::bf16 : *t;
                p.kv_cache = *t == DType::int8 ? DType::int8 : p.activations;
            }
            return;
        }
        r_.walk(n, "precision",
                {{"weights", [&](const YAML::Node& v) {
                      p.weights = dtype(v, "weights", dtype_names).value_or(p.weights);
                      p.weights_explicit = true;
                  }},
                 {"activations", [&](const YAML::Node& v) {
                      p.activations = dtype(v, "activations", spellings("precision.activations")).value_or(p.activations);
                  }},
                 {"kv_cache", [&](const YAML::Node& v) {
                      p.kv_cache = dtype(v, "kv_cache", spellings("precision.kv_cache")).value_or(p.kv_cache);
                  }},
                 {"group_size", [&](const YAML::Node& v) {
                      const auto x = r_.integer(v, "group_size", 1, 1 << 20);
                      constant_key(v, "precision.group_size", "int4_group_size", x ? std::optional<double>(*x) : std::nullopt);
                  }}});
    }

    void targets(const YAML::Node& n) {
        auto& t = spec_.inference.targets;
        auto ms = [&](const char* key, std::optional<Seconds>& field) {
            return std::pair<std::string, std::function<void(const YAML::Node&)>>(key, [&, key](const YAML::Node& v) {
                if (auto x = r_.number(v, key, 1e-3, 1e9)) field = milliseconds(*x);
            });
        };
        auto percentile = [&](const char* key, std::optional<Seconds>& field) {
            return std::pair<std::string, std::function<void(const YAML::Node&)>>(key, [&, key](const YAML::Node& v) {
                if (!percentile_target_) percentile_target_ = std::pair<YAML::Node, std::string>(v, key);
                if (auto x = r_.number(v, key, 1e-3, 1e9)) field = milliseconds(*x);
            });
        };
        r_.walk(n, "inference.targets",
                {ms("ttft_ms", t.ttft), ms("tpot_ms", t.tpot), percentile("ttft_p90_ms", t.ttft_p90),
                 percentile("ttft_p99_ms", t.ttft_p99), percentile("tpot_p90_ms", t.tpot_p90), percentile("tpot_p99_ms", t.tpot_p99),
                 {"output_tokens_per_s", [&](const YAML::Node& v) { t.output_tokens_per_s = r_.number(v, "output_tokens_per_s", 1e-6, 1e12); }},
                 {"requests_per_s", [&](const YAML::Node& v) { t.requests_per_s = r_.number(v, "requests_per_s", 1e-9, 1e9); }},
                 {"growth", [&](const YAML::Node& v) { t.growth = r_.number(v, "growth", 1, 1000); }}});
    }

    void inference(const YAML::Node& n) {
        have_inference_ = true;
        auto& i = spec_.inference;
        r_.walk(n, "inference",
                {{"input_tokens", [&](const YAML::Node& v) { i.input_tokens = r_.tokens(v, "input_tokens", 1, max_tokens).value_or(0); }},
                 {"output_tokens", [&](const YAML::Node& v) { i.output_tokens = r_.tokens(v, "output_tokens", 1, max_tokens).value_or(0); }},
                 {"concurrency", [&](const YAML::Node& v) {
                      if (v.IsScalar() && v.Scalar() == "auto") i.concurrency.reset();
                      else if (v.IsScalar() && !v.Scalar().empty() && std::isdigit(static_cast<unsigned char>(v.Scalar()[0])))
                          i.concurrency = r_.integer(v, "concurrency", 1, max_sequences);
                      else r_.error(v, fmt::format("expected 'concurrency' to be a whole number or 'auto', got {}", detail::describe(v)));
                  }},
                 {"engine", [&](const YAML::Node& v) {
                      i.engine = r_.enumeration<Engine>(v, "engine", spellings("inference.engine"),
                                                        {Engine::vllm, Engine::trtllm, Engine::sglang, Engine::generic})
                                     .value_or(Engine::vllm);
                  }},
                 {"gpu_memory_utilization", [&](const YAML::Node& v) { i.gpu_memory_utilization = r_.number(v, "gpu_memory_utilization", 0.05, 1.0); }},
                 {"arrival", [&](const YAML::Node& v) { arrival(v); }},
                 {"targets", [&](const YAML::Node& v) { targets(v); }}});
    }

    void arrival(const YAML::Node& n) {
        arrival_ = n;
        Arrival a;
        std::optional<YAML::Node> burstiness;
        r_.walk(n, "inference.arrival",
                {{"requests_per_s", [&](const YAML::Node& v) { a.requests_per_s = r_.number(v, "requests_per_s", 1e-9, 1e9); }},
                 {"burstiness", [&](const YAML::Node& v) {
                      burstiness = v;
                      a.burstiness = r_.number(v, "burstiness", 0, 100).value_or(1);
                  }},
                 {"users", [&](const YAML::Node& v) {
                      if (auto u = r_.integer(v, "users", 1, max_sequences)) a.users = static_cast<double>(*u);
                  }}});
        if (!n.IsMap()) return;
        const bool rate = n["requests_per_s"].IsDefined(), users = n["users"].IsDefined();
        if (rate && users)
            r_.error(n, "give either 'requests_per_s' (an open loop) or 'users' (a closed loop) in 'inference.arrival', not both");
        else if (!rate && !users && n.size() == (n["burstiness"].IsDefined() ? 1u : 0u))  // an unknown key has its own error
            r_.error(n, "'inference.arrival' needs 'requests_per_s' (an open loop) or 'users' (a closed loop)");
        else if (users && burstiness)
            r_.error(*burstiness, "'burstiness' describes arrivals at 'requests_per_s'; a closed loop of 'users' has none");
        spec_.inference.arrival = a;
    }

    void training(const YAML::Node& n) {
        have_training_ = true;
        auto& t = spec_.training;
        r_.walk(n, "training",
                {{"method", [&](const YAML::Node& v) {
                      t.method = r_.enumeration<TrainingMethod>(v, "method", spellings("training.method"),
                                                                {TrainingMethod::full, TrainingMethod::lora, TrainingMethod::qlora})
                                     .value_or(t.method);
                  }},
                 {"lora", [&](const YAML::Node& v) { lora(v); }},
                 {"sequence_length", [&](const YAML::Node& v) { t.sequence_length = r_.tokens(v, "sequence_length", 1, max_tokens).value_or(0); }},
                 {"micro_batch", [&](const YAML::Node& v) {
                      t.micro_batch_auto = v.IsScalar() && v.Scalar() == "auto";
                      if (t.micro_batch_auto) return;
                      if (v.IsScalar() && !v.Scalar().empty() && std::isdigit(static_cast<unsigned char>(v.Scalar()[0])))
                          t.micro_batch = r_.integer(v, "micro_batch", 1, max_sequences).value_or(1);
                      else r_.error(v, fmt::format("expected 'micro_batch' to be a whole number or 'auto', got {}", detail::describe(v)));
                  }},
                 {"global_batch", [&](const YAML::Node& v) {
                      global_batch_ = v;
                      t.global_batch = r_.integer(v, "global_batch", 1, max_sequences);
                  }},
                 {"tokens", [&](const YAML::Node& v) { t.tokens = r_.count(v, "tokens", 1, 1e18); }},
                 {"optimizer", [&](const YAML::Node& v) {
                      t.optimizer = r_.enumeration<Optimizer>(v, "optimizer", spellings("training.optimizer"),
                                                              {Optimizer::adamw, Optimizer::adamw_8bit, Optimizer::sgd})
                                        .value_or(t.optimizer);
                  }},
                 {"sharding", [&](const YAML::Node& v) {
                      t.sharding = r_.enumeration<Sharding>(v, "sharding", spellings("training.sharding"),
                                                            {Sharding::none, Sharding::zero1, Sharding::zero2, Sharding::zero3, Sharding::zero3,
                                                             Sharding::distributed_optimizer})
                                       .value_or(t.sharding);
                  }},
                 {"activation_checkpointing", [&](const YAML::Node& v) {
                      t.activation_checkpointing =
                          r_.enumeration<Recompute>(v, "activation_checkpointing", spellings("training.activation_checkpointing"),
                                                    {Recompute::none, Recompute::selective, Recompute::op, Recompute::full})
                              .value_or(t.activation_checkpointing);
                  }},
                 {"master_weights", [&](const YAML::Node& v) { t.master_weights = r_.boolean(v, "master_weights").value_or(true); }},
                 {"gradient_precision", [&](const YAML::Node& v) {
                      t.gradient_precision = dtype(v, "gradient_precision", spellings("training.gradient_precision"));
                  }},
                 {"pipeline_interleave", [&](const YAML::Node& v) {
                      t.pipeline_interleave = r_.integer(v, "pipeline_interleave", 1, 64).value_or(1);
                  }},
                 {"optimizer_in_backward", [&](const YAML::Node& v) {
                      t.optimizer_in_backward = r_.boolean(v, "optimizer_in_backward").value_or(false);
                  }},
                 {"offload", [&](const YAML::Node& v) { offload(v); }},
                 {"fused_kernels", [&](const YAML::Node& v) { t.fused_kernels = r_.boolean(v, "fused_kernels").value_or(true); }},
                 {"attention_kernel", [&](const YAML::Node& v) {
                      // The vocabulary's order: auto, then the kernels in enum order.
                      const auto i = r_.choice(v, "attention_kernel", spellings("training.attention_kernel"));
                      if (i && *i > 0) t.attention_kernel = static_cast<AttentionKernel>(*i - 1);
                  }},
                 {"loss_chunks", [&](const YAML::Node& v) { t.loss_chunks = r_.integer(v, "loss_chunks", 1, 1024).value_or(1); }},
                 {"checkpoint", [&](const YAML::Node& v) {
                      r_.walk(v, "training.checkpoint",
                              {{"write_gb_per_s", [&](const YAML::Node& x) {
                                    constant_key(x, "training.checkpoint.write_gb_per_s", "checkpoint_write_gb_per_s",
                                                 r_.number(x, "write_gb_per_s", 0.001, 1e6));
                                }},
                               {"restart_minutes", [&](const YAML::Node& x) {
                                    constant_key(x, "training.checkpoint.restart_minutes", "restart_minutes",
                                                 r_.number(x, "restart_minutes", 0, 1e5));
                                }}});
                  }}});
    }

    void offload(const YAML::Node& n) {
        auto& o = spec_.training.offload;
        const std::vector<std::string> names = spellings("training.offload");
        if (!n.IsSequence()) {
            r_.error(n, fmt::format("expected 'offload' to be a list of optimizer, parameters, activations, got {}", detail::describe(n)));
            return;
        }
        for (const auto& item : n) {
            const auto i = r_.choice(item, "offload", names);
            if (!i) continue;
            (*i == 0 ? o.optimizer : *i == 1 ? o.parameters : o.activations) = true;
        }
    }

    void lora(const YAML::Node& n) {
        auto& l = spec_.training.lora;
        const std::vector<std::string> names = spellings("training.lora.targets");
        r_.walk(n, "training.lora",
                {{"rank", [&](const YAML::Node& v) { l.rank = r_.integer(v, "rank", 1, 65536).value_or(l.rank); }},
                 {"targets", [&](const YAML::Node& v) {
                      if (!v.IsSequence() || v.size() == 0) {
                          r_.error(v, fmt::format("expected 'targets' to be a list of q, k, v, o, gate, up, down, got {}", detail::describe(v)));
                          return;
                      }
                      l.targets.clear();
                      for (const auto& item : v)
                          if (auto i = r_.choice(item, "targets", names)) l.targets.push_back(names[*i]);
                  }}});
    }

    void deployment(const YAML::Node& n) {
        auto& d = spec_.deployment;
        auto degree = [&](const char* key, std::optional<std::int64_t>& field) {
            return std::pair<std::string, std::function<void(const YAML::Node&)>>(
                key, [&, key](const YAML::Node& v) { field = r_.integer(v, key, 1, max_gpu_count); });
        };
        r_.walk(n, "deployment",
                {{"gpus", [&](const YAML::Node& v) {
                      if (v.IsScalar()) {
                          d.gpus.push_back(v.Scalar());
                          d.gpu_locations.push_back(r_.where(v));
                          return;
                      }
                      if (!v.IsSequence() || v.size() == 0) {
                          r_.error(v, fmt::format("expected 'gpus' to be a list of catalog ids, got {}", detail::describe(v)));
                          return;
                      }
                      if (v.size() > max_gpu_names) {
                          r_.error(v, fmt::format("expected at most {} GPU names in 'gpus', got {}", max_gpu_names, v.size()));
                          return;
                      }
                      for (const auto& item : v) {
                          if (auto s = r_.string(item, "gpus")) {
                              d.gpus.push_back(*s);
                              d.gpu_locations.push_back(r_.where(item));
                          }
                      }
                  }},
                 degree("gpu_count", d.gpu_count), degree("max_gpus", d.max_gpus), degree("tensor_parallel", d.tensor_parallel),
                 degree("pipeline_parallel", d.pipeline_parallel), degree("data_parallel", d.data_parallel),
                 degree("expert_parallel", d.expert_parallel), degree("context_parallel", d.context_parallel),
                 degree("gpus_per_node", d.gpus_per_node)});
        // Each degree is bounded, and so must their product be, or GPU counts overflow 64 bits.
        double gpus = 1;
        for (const auto* pinned : {&d.tensor_parallel, &d.pipeline_parallel, &d.data_parallel, &d.context_parallel})
            gpus *= static_cast<double>(pinned->value_or(1));
        if (gpus > static_cast<double>(max_gpu_count))
            r_.error(n, fmt::format("tensor_parallel x pipeline_parallel x data_parallel x context_parallel is {:g} GPUs, more "
                                    "than the {} accepted", gpus, max_gpu_count));
        if (d.gpu_count && d.max_gpus && *d.gpu_count > *d.max_gpus)
            r_.error(n, fmt::format("'gpu_count' {} exceeds 'max_gpus' {}", *d.gpu_count, *d.max_gpus));
    }

    void pricing(const YAML::Node& n) {
        auto& p = spec_.pricing;
        r_.walk(n, "pricing",
                {{"usd_per_gpu_hour", [&](const YAML::Node& v) {
                      if (!r_.expect_map(v, "'usd_per_gpu_hour'")) return;
                      if (v.size() > max_gpu_names) {
                          r_.error(v, fmt::format("expected at most {} GPU prices in 'usd_per_gpu_hour', got {}", max_gpu_names, v.size()));
                          return;
                      }
                      for (const auto& kv : v) {
                          if (!kv.first.IsScalar() || kv.first.Scalar().empty()) {
                              r_.error(kv.first, fmt::format("expected a GPU id as a key of 'usd_per_gpu_hour', got {}",
                                                             detail::describe(kv.first)));
                              continue;
                          }
                          const std::string id = kv.first.Scalar();
                          if (p.price_locations.count(id)) {
                              r_.error(kv.first, fmt::format("duplicate key '{}' in 'usd_per_gpu_hour'", id));
                              continue;
                          }
                          if (auto x = r_.number(kv.second, fmt::format("usd_per_gpu_hour.{}", id), min_usd_per_gpu_hour,
                                                 max_usd_per_gpu_hour, "USD per GPU-hour")) {
                              p.usd_per_gpu_hour[id] = usd_per_hour(*x);
                              p.price_locations[id] = r_.where(kv.first);
                          }
                      }
                  }},
                 {"mode", [&](const YAML::Node& v) {
                      p.mode = r_.enumeration<PricingMode>(v, "mode", {"cloud", "onprem"}, {PricingMode::cloud, PricingMode::onprem})
                                   .value_or(p.mode);
                  }},
                 {"commitment", [&](const YAML::Node& v) {
                      p.commitment = r_.enumeration<Commitment>(v, "commitment", commitment_names(),
                                                                {Commitment::on_demand, Commitment::spot, Commitment::reserved_1y,
                                                                 Commitment::reserved_3y})
                                         .value_or(p.commitment);
                  }},
                 {"electricity_usd_per_kwh", [&](const YAML::Node& v) { p.electricity_usd_per_kwh = r_.number(v, "electricity_usd_per_kwh", 0, max_usd_per_kwh, "USD per kWh"); }},
                 {"pue", [&](const YAML::Node& v) { p.pue = r_.number(v, "pue", 1, 10); }},
                 {"amortization_years", [&](const YAML::Node& v) { p.amortization_years = r_.number(v, "amortization_years", 0.1, 50); }},
                 {"utilization", [&](const YAML::Node& v) { p.utilization = r_.share(v, "utilization"); }}});
    }

    void calibration(const YAML::Node& n) {
        if (!r_.expect_map(n, "'calibration'")) return;
        const auto names = Calibration::names();
        std::set<std::string> seen;
        for (const auto& kv : n) {
            if (!kv.first.IsScalar()) {
                r_.error(kv.first, fmt::format("expected a key name in 'calibration', got {}", detail::describe(kv.first)));
                continue;
            }
            const std::string key = kv.first.Scalar();
            if (!seen.insert(key).second) {
                r_.error(kv.first, fmt::format("duplicate key '{}' in 'calibration'", key));
                continue;
            }
            if (std::find(names.begin(), names.end(), key) == names.end()) {
                // Past the diagnostics shown, the suggestion is not worth its edit distances.
                r_.error(kv.first, fmt::format("unknown key '{}' in 'calibration'", key),
                         r_.sink().wants_more() ? did_you_mean(key, names) : std::string{});
                continue;
            }
            const auto x = r_.number(kv.second, key, std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max());
            if (!x) continue;
            if (auto problem = Calibration::range_problem(key, *x)) r_.error(kv.second, std::move(*problem));
            else spec_.calibration[key] = *x;
            calibration_keys_.emplace(key, kv.first);
        }
    }

    /// A spec key that names a calibration constant (`precision.group_size` is `int4_group_size`):
    /// its value is kept once, as that constant, which the estimators read and the assumptions
    /// print; giving both is a contradiction, reported by `constant_conflicts`.
    void constant_key(const YAML::Node& n, const char* path, const char* constant, std::optional<double> value) {
        constant_keys_.emplace(constant, std::pair{n, std::string(path)});
        if (value) spec_.calibration[constant] = *value;
    }

    void constant_conflicts() {
        for (const auto& [constant, given] : constant_keys_)
            if (const auto it = calibration_keys_.find(constant); it != calibration_keys_.end())
                r_.error(it->second, fmt::format("'calibration.{}' and '{}' are one setting, given twice", constant, given.second),
                         "keep one of them");
    }

    /// A dtype among `names` (a subset of dtype_names), or an alias of one.
    std::optional<DType> dtype(const YAML::Node& n, std::string_view key, const std::vector<std::string>& names) {
        if (n.IsScalar()) {
            std::string word = n.Scalar();
            for (const auto& [alias, name] : dtype_aliases())
                if (word == alias) word = name;
            for (const auto& name : names)
                if (word == name)
                    return dtype_values[static_cast<std::size_t>(std::find(dtype_names.begin(), dtype_names.end(), name) - dtype_names.begin())];
        }
        // Refused with the key's own list; the suggestion may be an alias ('bfloat' -> 'bfloat16').
        std::vector<std::string> words = names;
        for (const auto& [alias, name] : dtype_aliases())
            if (std::find(names.begin(), names.end(), name) != names.end()) words.push_back(std::string(alias));
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "" : " | ") + name;
        r_.error(n, fmt::format("expected '{}' to be one of {}, got {}", key, list, detail::describe(n)),
                 n.IsScalar() ? did_you_mean(n.Scalar(), words) : std::string{});
        return std::nullopt;
    }

    /// The product card's short form: `context` and `batch` stand for the explicit keys.
    void short_form() {
        auto& i = spec_.inference;
        auto& t = spec_.training;
        if (context_) {
            const auto c = r_.tokens(*context_, "context", 2, max_tokens);
            if (spec_.workload == Workload::training) {
                if (t.sequence_length) r_.error(*context_, "give either 'context' or 'training.sequence_length', not both");
                else if (c) t.sequence_length = *c;
            } else if (i.input_tokens) {
                r_.error(*context_, "give either 'context' or 'inference.input_tokens', not both");
            } else if (c) {
                // A context of c tokens: the prompt and the generation share it; without an
                // explicit output length a quarter of it is generated.
                if (!i.output_tokens) i.output_tokens = std::max<std::int64_t>(1, *c / 4);
                i.input_tokens = std::max<std::int64_t>(1, *c - i.output_tokens);
            }
        }
        if (batch_) {
            const auto b = r_.integer(*batch_, "batch", 1, max_sequences);
            if (spec_.workload == Workload::training) {
                if (b) {
                    t.micro_batch = *b;
                    t.micro_batch_auto = false;
                }
            } else if (i.concurrency) {
                r_.error(*batch_, "give either 'batch' or 'inference.concurrency', not both");
            } else if (b) {
                i.concurrency = *b;
            }
        }
    }

    /// The key node of a top-level section, to locate what is missing inside it; the root otherwise.
    YAML::Node section_key(const char* name) const {
        for (const auto& kv : root_)
            if (kv.first.IsScalar() && kv.first.Scalar() == name) return kv.first;
        return root_;
    }

    /// A global batch every layout refuses is the spec's own contradiction, not "nothing fits": each
    /// step is micro_batch x data_parallel sequences, accumulated a whole number of times.
    void batch_consistency() {
        const auto& t = spec_.training;
        if (!t.global_batch || !global_batch_) return;
        const std::int64_t global = *t.global_batch;
        const auto dp = spec_.deployment.data_parallel;
        std::string step, remedy;
        std::int64_t k = 0;
        if (dp && !t.micro_batch_auto) {
            k = t.micro_batch * *dp;
            step = fmt::format("micro_batch {} x data_parallel {} = {}", t.micro_batch, *dp, k);
            remedy = "micro_batch or data_parallel";
        } else if (dp) {
            k = *dp;
            step = fmt::format("data_parallel {}", k);
            remedy = "data_parallel";
        } else if (!t.micro_batch_auto) {
            // Data parallelism is searched, but no degree makes a multiple of micro_batch work.
            k = t.micro_batch;
            step = fmt::format("micro_batch {}", k);
            remedy = "micro_batch";
        }
        if (k == 0 || global % k == 0) return;
        if (global < k)
            r_.error(*global_batch_, fmt::format("global_batch {} is smaller than {}", global, step),
                     fmt::format("make it a multiple of {}, or lower {}", k, remedy));
        else
            r_.error(*global_batch_, fmt::format("global_batch {} is not a multiple of {}", global, step),
                     fmt::format("make it a multiple of {} ({} or {}), or change {}", k, global / k * k, (global / k + 1) * k, remedy));
    }

    void completeness() {
        if (!r_.sink().empty()) return;
        if (spec_.workload == Workload::inference) {
            if (!spec_.inference.input_tokens)
                r_.error(section_key("inference"),
                         "missing 'inference.input_tokens' (or the short form 'context'): how long are the prompts?");
            if (spec_.inference.input_tokens && !spec_.inference.output_tokens)
                r_.error(section_key("inference"), "missing 'inference.output_tokens': how many tokens does each request generate?");
            if (percentile_target_ && !arrival_)
                r_.error(percentile_target_->first,
                         fmt::format("'{}' is a percentile under load: it needs 'inference.arrival'", percentile_target_->second),
                         "add 'arrival: {requests_per_s: R}' or 'arrival: {users: N}' to 'inference'");
        } else if (!spec_.training.sequence_length) {
            r_.error(section_key("training"), "missing 'training.sequence_length' (or the short form 'context')");
        }
        if (spec_.workload == Workload::training) batch_consistency();
        if (spec_.workload == Workload::training && spec_.training.method == TrainingMethod::qlora &&
            spec_.precision.weights != DType::nf4 && spec_.precision.weights != DType::bf16)
            r_.error(root_, "training.method 'qlora' keeps the base in nf4: set precision.weights to nf4 or bf16");
    }
};

}  // namespace

Spec parse_spec(std::string_view yaml_text, std::string_view origin) { return SpecParser(yaml_text, origin).parse(); }
Spec parse_spec(std::string_view yaml_text, std::string_view origin, const std::vector<Override>& overrides) {
    return SpecParser(yaml_text, origin, &overrides).parse();
}

}  // namespace gpusize
