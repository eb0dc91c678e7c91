// Hugging Face config.json import: reads the architecture a model's config.json declares into the
// same patch a spec's `model:` section gives, plus the declared weights precision (torch_dtype or
// the quantization_config) and notes on what the counting rules leave out. Each supported
// model_type is mapped field by field as its transformers configuration class and modeling code
// read it; where the file omits a field, only the default that transformers itself applies for
// that model_type is used (cited next to it), and fields whose transformers default is merely the
// size of some reference model are required instead. All problems in a file are collected and
// thrown together as a SpecError, located by JSON pointer.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>

#include "gpusize/model_library.hpp"
#include "json_index.hpp"
#include "json_limits.hpp"

namespace gpusize {
namespace {

using nlohmann::json;

const std::vector<std::string> supported_model_types{
    "deepseek_v2", "deepseek_v3", "falcon", "gemma2", "gemma3", "gemma3_text", "glm4_moe", "gpt_neox", "gpt_oss",
    "kimi_k2", "kimi_k25", "llama", "llama4", "llama4_text", "mimo", "minimax_m2", "mistral", "mistral3", "mixtral",
    "nemotron_h", "olmo2", "olmo3", "phi3", "qwen2", "qwen2_moe", "qwen3", "qwen3_5", "qwen3_5_moe",
    "qwen3_5_moe_text", "qwen3_5_text", "qwen3_moe", "qwen3_next", "qwen3_vl", "qwen3_vl_moe", "qwen3_vl_moe_text",
    "qwen3_vl_text"};

/// Multimodal wrappers: the language model is their `text_config`, of this model_type unless the
/// text_config names its own (Mistral3Config's default text_config is a MistralConfig; Kimi K2.5's
/// is DeepseekV3Config; the others' are the families' *TextConfig classes).
const std::vector<std::pair<std::string_view, std::string_view>> wrapper_text_types{
    {"gemma3", "gemma3_text"},     {"kimi_k25", "deepseek_v3"},        {"llama4", "llama4_text"},
    {"mistral3", "mistral"},       {"qwen3_vl", "qwen3_vl_text"},      {"qwen3_vl_moe", "qwen3_vl_moe_text"},
    {"qwen3_5", "qwen3_5_text"},   {"qwen3_5_moe", "qwen3_5_moe_text"}};

/// Types transformers (or the model's remote code) reads, refused here with what the architecture
/// cannot express, rather than sized wrongly.
const std::vector<std::pair<std::string_view, std::string_view>> refused_model_types{
    {"gemma3n", "its layers differ in MLP width and share KV caches across layers, and it carries per-layer input "
                "embeddings and audio/vision towers"},
    {"gemma3n_text", "its layers differ in MLP width and share KV caches across layers"},
    {"gemma4", "its global layers have other head dimensions and KV heads than its sliding ones (global_head_dim, "
               "num_global_key_value_heads, attention_k_eq_v)"},
    {"gemma4_text", "its global layers have other head dimensions and KV heads than its sliding ones (global_head_dim, "
                    "num_global_key_value_heads, attention_k_eq_v)"},
    {"mimo_v2_flash", "its sliding-window layers have other head counts and widths than its full ones (swa_num_attention_heads, "
                      "swa_num_key_value_heads, v_head_dim)"},
    {"nemotron-nas", "each layer has its own block config (block_configs: attention replaced or removed, per-layer MLP "
                     "widths)"},
    {"step3p7", "its full-attention layers come first in each group of four (layer_types), which the 'every N-th layer "
                "global' pattern cannot place, and its MoE and shared-expert fields (share_expert_dim, moe_router_scaling_factor) "
                "follow remote code not read here"}};

/// The family whose reading rules a model_type follows: the same transformers modeling code under
/// another name (KimiK2 is DeepseekV3ForCausalLM; Qwen3-VL's text models are Qwen3/Qwen3-MoE with
/// interleaved M-RoPE; MiMo is Qwen2 with MTP layers; OLMo 3 is OLMo 2 with sliding windows).
std::string family_of(std::string_view type) {
    if (type == "kimi_k2") return "deepseek_v3";
    if (type == "qwen3_vl_text") return "qwen3";
    if (type == "qwen3_vl_moe_text") return "qwen3_moe";
    if (type == "mimo") return "qwen2";
    return std::string(type);
}

std::string describe(const json& v) {
    if (v.is_null()) return "null";
    if (v.is_number_float() && !std::isfinite(v.get<double>()))  // as Python's json wrote it
        return std::isnan(v.get<double>()) ? "NaN" : v.get<double>() > 0 ? "Infinity" : "-Infinity";
    if (v.is_string()) return fmt::format("'{}'", v.get<std::string>());
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    return v.dump();
}

/// The fields of one JSON object (the file's root, or Gemma 3's `text_config`). Accessors record
/// a diagnostic for a value of the wrong type and return nothing, so one pass checks everything.
/// A JSON null reads as absent: config.json writes null for "not used" (`sliding_window: null`).
class Fields {
public:
    Fields(const json& object, std::string prefix, std::string origin, std::string model_type, DiagnosticSink& sink)
        : o_(object), prefix_(std::move(prefix)), origin_(std::move(origin)), type_(std::move(model_type)), sink_(sink) {}

    const std::string& model_type() const { return type_; }
    std::string pointer(std::string_view key) const { return fmt::format("{}/{}", prefix_, key); }

    void error(std::string_view key, std::string message, std::string hint = {}) {
        sink_.error(SourceLocation{origin_, 0, 0, pointer(key)}, std::move(message), std::move(hint));
    }

    bool contains(std::string_view key) const { return o_.contains(key); }
    bool has(std::string_view key) const {
        auto it = o_.find(key);
        return it != o_.end() && !it->is_null();
    }
    const json& at(std::string_view key) const { return *o_.find(key); }

    /// A whole number >= `min` (config.json writes some as 4096.0), and no larger than a spec's
    /// `model:` section accepts for the same quantity (upper_bound).
    std::optional<std::int64_t> count(std::string_view key, std::int64_t min = 1) {
        if (!has(key)) return std::nullopt;
        const json& v = at(key);
        const bool whole = v.is_number_integer() ||
                           (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()));
        if (!whole || v.get<double>() < static_cast<double>(min)) {
            error(key, fmt::format("expected a whole number of at least {}, got {}", min, describe(v)));
            return std::nullopt;
        }
        const std::int64_t max = upper_bound(key);
        if (v.get<double>() > static_cast<double>(max)) {
            error(key, fmt::format("expected a whole number from {} to {}, got {}", min, max, describe(v)));
            return std::nullopt;
        }
        return v.is_number_integer() ? v.get<std::int64_t>() : static_cast<std::int64_t>(v.get<double>());
    }

    /// The bounds src/spec.cpp puts on the same architecture fields: beyond them products overflow
    /// and per-layer loops never end, so a config.json is held to what a spec may write.
    static std::int64_t upper_bound(std::string_view key) {
        for (std::string_view k : {"num_hidden_layers", "n_layer", "first_k_dense_replace", "max_window_layers",
                                   "sliding_window_pattern", "decoder_sparse_step", "moe_layer_freq", "num_nextn_predict_layers",
                                   "full_attention_interval", "mtp_num_hidden_layers"})
            if (key == k) return 10'000;
        for (std::string_view k : {"intermediate_size", "ffn_hidden_size", "moe_intermediate_size", "shared_expert_intermediate_size",
                                   "moe_shared_expert_intermediate_size", "vocab_size"})
            if (key == k) return 10'000'000;
        for (std::string_view k : {"num_local_experts", "num_experts", "n_routed_experts", "num_experts_per_tok"})
            if (key == k) return 100'000;
        if (key == "n_shared_experts") return 1'000;
        if (key == "sliding_window") return 100'000'000;
        if (key == "num_ln_in_parallel_attn") return 16;
        if (key == "group_size") return 1 << 20;
        return 1'000'000;  // hidden sizes, heads, head dimensions, ranks, bits
    }

    /// The first of `keys` the file gives (aliases such as Falcon's `n_layer`), required.
    std::optional<std::int64_t> required_count(std::initializer_list<std::string_view> keys, std::int64_t min = 1) {
        for (auto key : keys) {
            if (o_.contains(key)) {
                if (at(key).is_null()) {
                    error(key, fmt::format("expected a whole number of at least {}, got null", min));
                    return std::nullopt;
                }
                return count(key, min);
            }
        }
        missing(*keys.begin());
        return std::nullopt;
    }

    void missing(std::string_view key) {
        error(key, fmt::format("missing required field '{}' for model_type '{}'", key, type_));
    }

    std::optional<bool> flag(std::string_view key) {
        if (!has(key)) return std::nullopt;
        if (!at(key).is_boolean()) {
            error(key, fmt::format("expected true or false, got {}", describe(at(key))));
            return std::nullopt;
        }
        return at(key).get<bool>();
    }

    std::optional<std::string> text(std::string_view key) {
        if (!has(key)) return std::nullopt;
        if (!at(key).is_string()) {
            error(key, fmt::format("expected a string, got {}", describe(at(key))));
            return std::nullopt;
        }
        return at(key).get<std::string>();
    }

    /// An array of whole numbers (`mlp_only_layers`).
    std::optional<std::vector<std::int64_t>> counts(std::string_view key) {
        if (!has(key)) return std::nullopt;
        const json& v = at(key);
        std::vector<std::int64_t> out;
        if (v.is_array())
            for (const auto& x : v)
                if (x.is_number_integer() && x.get<std::int64_t>() >= 0) out.push_back(x.get<std::int64_t>());
        if (!v.is_array() || out.size() != v.size()) {
            error(key, fmt::format("expected an array of layer indices, got {}", v.is_array() ? v.dump() : describe(v)));
            return std::nullopt;
        }
        return out;
    }

    /// An array of strings (`layer_types`).
    std::optional<std::vector<std::string>> strings(std::string_view key) {
        if (!has(key)) return std::nullopt;
        const json& v = at(key);
        std::vector<std::string> out;
        if (v.is_array())
            for (const auto& x : v)
                if (x.is_string()) out.push_back(x.get<std::string>());
        if (!v.is_array() || out.size() != v.size()) {
            error(key, fmt::format("expected an array of strings, got {}", describe(v)));
            return std::nullopt;
        }
        return out;
    }

    /// The object at `key` read as its own fields (`text_config`, `quantization_config`); absent
    /// or not an object (recorded) gives nothing.
    std::optional<Fields> object(std::string_view key) {
        if (!has(key)) return std::nullopt;
        if (!at(key).is_object()) {
            error(key, fmt::format("expected an object, got {}", describe(at(key))));
            return std::nullopt;
        }
        return Fields(at(key), pointer(key), origin_, type_, sink_);
    }

private:
    const json& o_;
    std::string prefix_;
    std::string origin_;
    std::string type_;
    DiagnosticSink& sink_;
};

bool is_one_of(std::string_view type, std::initializer_list<std::string_view> types) {
    return std::find(types.begin(), types.end(), type) != types.end();
}

/// Which layers attend globally, as `sliding_window` + `global_attention_every` can say it.
struct AttentionPattern {
    bool any_sliding = false;
    std::optional<std::int64_t> global_every;  ///< absent: every layer uses the window
};

/// Reads transformers' `layer_types` list. Only patterns the architecture can express are
/// accepted: all global, all windowed, or every N-th layer global (layer i global iff
/// (i + 1) % N == 0, the convention of Gemma 2/3 and gpt-oss).
std::optional<AttentionPattern> read_layer_types(Fields& f, std::optional<std::int64_t> layers) {
    auto types = f.strings("layer_types");
    if (!types) return std::nullopt;
    std::vector<bool> global;
    for (std::size_t i = 0; i < types->size(); ++i) {
        const auto& t = (*types)[i];
        if (t != "full_attention" && t != "sliding_attention") {
            f.error("layer_types", fmt::format("layer {} has attention type '{}': expected 'full_attention' or 'sliding_attention'", i, t));
            return std::nullopt;
        }
        global.push_back(t == "full_attention");
    }
    if (layers && static_cast<std::int64_t>(global.size()) != *layers) {
        f.error("layer_types", fmt::format("expected one entry per layer ({}), got {}", *layers, global.size()));
        return std::nullopt;
    }
    AttentionPattern p;
    const auto first_global = std::find(global.begin(), global.end(), true);
    p.any_sliding = std::find(global.begin(), global.end(), false) != global.end();
    if (!p.any_sliding || first_global == global.end()) return p;
    const auto every = static_cast<std::size_t>(first_global - global.begin()) + 1;
    for (std::size_t i = 0; i < global.size(); ++i) {
        if (global[i] != ((i + 1) % every == 0)) {
            f.error("layer_types",
                    fmt::format("irregular attention pattern: layer {} is '{}', but the layers before it make every {} layer "
                                "global; only a regular 'every N-th layer global' pattern can be represented",
                                i, (*types)[i], fmt::format("{}{}", every, every == 2 ? "nd" : every == 3 ? "rd" : "th")));
            return std::nullopt;
        }
    }
    p.global_every = static_cast<std::int64_t>(every);
    return p;
}

/// The number of layers whose MLP is dense in Qwen2-MoE / Qwen3-MoE: layer i is sparse iff it is
/// not in `mlp_only_layers` and (i + 1) % decoder_sparse_step == 0 (Qwen2MoeDecoderLayer).
std::int64_t count_qwen_dense_layers(std::int64_t layers, std::int64_t sparse_step, const std::vector<std::int64_t>& mlp_only) {
    const std::set<std::int64_t> listed(mlp_only.begin(), mlp_only.end());
    std::int64_t dense = 0;
    for (std::int64_t i = 0; i < layers; ++i)
        if (listed.count(i) || (i + 1) % sparse_step != 0) ++dense;
    return dense;
}

bool is_leading_range(std::int64_t layers, std::int64_t sparse_step, const std::vector<std::int64_t>& mlp_only) {
    if (sparse_step != 1) return false;
    const std::set<std::int64_t> listed(mlp_only.begin(), mlp_only.end());
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(mlp_only.size()); ++i)
        if (!listed.count(i) || i >= layers) return false;
    return true;
}

/// What one entry of a quantisation exclusion list (`exclude_modules`, `ignore`,
/// `modules_to_not_convert`) names, by the module names transformers and vLLM give: the output
/// head, attention, dense MLPs, shared experts, the router, encoder towers or projectors (all
/// kept 16-bit already), or nothing known (nullopt).
enum class ExcludedPart { head, attention, dense_mlp, shared_experts, router, tower };
std::optional<ExcludedPart> excluded_part(std::string_view name) {
    auto has = [&](std::string_view s) { return name.find(s) != std::string_view::npos; };
    if (has("lm_head") || has("embed_tokens")) return ExcludedPart::head;
    if (has("vision") || has("visual") || has("mm_projector") || has("multi_modal_projector") || has("audio") ||
        has("patch_merger"))
        return ExcludedPart::tower;
    if (has("shared_expert")) return ExcludedPart::shared_experts;
    if (has("self_attn") || has(".attn") || has("attention")) return ExcludedPart::attention;
    if (has("e_score_correction_bias") || has("router") || has("block_sparse_moe.gate") || name == "gate" ||
        (name.size() >= 8 && name.substr(name.size() - 8) == "mlp.gate") || has("mlp.gate*") || has("mlp.gate$"))
        return ExcludedPart::router;
    if ((has("mlp.") || has("mlp\\.")) && !has("experts") &&
        (has("gate_proj") || has("up_proj") || has("down_proj") || has("gate|up") || has("gate_up")))
        return ExcludedPart::dense_mlp;
    return std::nullopt;
}

/// Reads an exclusion list into the patch's unquantised modules; an entry not understood is an
/// error that names it (it changes the weight bytes).
void read_exclusions(Fields& q, std::string_view key, HfModel& out) {
    auto names = q.strings(key);
    if (!names) return;
    UnquantisedModules u = out.patch.unquantised.value_or(UnquantisedModules{});
    for (const auto& n : *names) {
        const auto part = excluded_part(n);
        if (!part) {
            q.error(key, fmt::format("module '{}' is left unquantised, but what it is is not known here: expected the output "
                                     "head, attention (self_attn), a dense MLP (mlp.*_proj), shared experts, the router "
                                     "(mlp.gate) or an encoder tower",
                                     n));
            return;
        }
        if (*part == ExcludedPart::attention) u.attention = true;
        else if (*part == ExcludedPart::dense_mlp) u.dense_mlp = true;
        else if (*part == ExcludedPart::shared_experts) u.shared_experts = true;
        else if (*part == ExcludedPart::router) u.router = true;
    }
    if (u.any()) {
        std::vector<std::string> parts;
        if (u.attention) parts.emplace_back("attention");
        if (u.dense_mlp) parts.emplace_back("dense MLPs");
        if (u.shared_experts) parts.emplace_back("shared experts");
        if (u.router) parts.emplace_back("the router");
        out.notes.push_back(fmt::format("the checkpoint leaves {} unquantised ({}): sized at 16 bits", fmt::join(parts, ", "), key));
    }
    out.patch.unquantised = u;
}

/// NVIDIA ModelOpt's format (hf_quant_config.json's `quantization`, or config.json's
/// quantization_config with quant_method 'modelopt'): quant_algo and the excluded modules.
void read_modelopt(Fields& q, HfModel& out) {
    auto algo = q.text("quant_algo");
    if (!algo) {
        if (!q.has("quant_algo")) q.error("quant_algo", "missing required field 'quant_algo': the weights format is unknown");
        return;
    }
    if (*algo == "FP8" || *algo == "FP8_BLOCK" || *algo == "FP8_PB_WO") {
        out.weights = DType::fp8;
    } else if (*algo == "NVFP4") {
        // 16-element blocks with an E4M3 scale each; another block size is another format.
        if (auto g = q.count("group_size"); g && *g != 16)
            q.error("group_size", fmt::format("NVFP4 with blocks of {} is not known: expected 16", *g));
        out.weights = DType::nvfp4;
    } else if (*algo == "MXFP4") {
        out.weights = DType::fp4;
    } else if (*algo == "W4A16_AWQ" || *algo == "W4A8_AWQ" || *algo == "INT4_AWQ") {
        out.weights = DType::int4;
        if (auto g = q.count("group_size")) out.group_size = static_cast<int>(*g);
        else q.error("group_size", fmt::format("missing required field 'group_size' for quant_algo '{}'", *algo));
    } else if (*algo == "W8A8_SQ_PER_CHANNEL" || *algo == "INT8") {
        out.weights = DType::int8;
    } else {
        q.error("quant_algo", fmt::format("unsupported quant_algo '{}'", *algo),
                did_you_mean(*algo, {"FP8", "FP8_BLOCK", "NVFP4", "MXFP4", "W4A16_AWQ", "W4A8_AWQ", "INT8"}));
        return;
    }
    if (auto kv = q.text("kv_cache_quant_algo"))
        out.notes.push_back(fmt::format("the checkpoint calibrates a {} KV cache (kv_cache_quant_algo): give precision.kv_cache "
                                        "to size the cache that way",
                                        *kv));
    read_exclusions(q, q.has("exclude_modules") ? "exclude_modules" : "ignore", out);
}

/// compressed-tensors (llm-compressor): one scheme of config_groups applied to Linear layers,
/// less the `ignore` list.
void read_compressed_tensors(Fields& q, HfModel& out) {
    auto groups = q.object("config_groups");
    if (!groups) {
        if (!q.has("config_groups")) q.missing("config_groups");
        return;
    }
    const json& all = q.at("config_groups");
    if (all.size() != 1) {
        q.error("config_groups", fmt::format("{} quantisation schemes: one scheme for every Linear layer is what can be sized", all.size()));
        return;
    }
    const std::string name = all.begin().key();
    auto group = groups->object(name);
    if (!group) return;
    if (auto targets = group->strings("targets"); targets && *targets != std::vector<std::string>{"Linear"}) {
        group->error("targets", fmt::format("targets {}: only every Linear layer (['Linear']) can be sized", group->at("targets").dump()));
        return;
    }
    auto w = group->object("weights");
    if (!w) {
        if (!group->has("weights")) group->missing("weights");
        return;
    }
    auto bits = w->required_count({"num_bits"});
    auto type = w->text("type").value_or("int");  // QuantizationArgs default
    const auto strategy = w->text("strategy").value_or("tensor");
    const auto g = w->count("group_size");
    if (!bits) return;
    if (*bits == 8) {
        out.weights = type == "float" ? DType::fp8 : DType::int8;
    } else if (*bits == 4 && type == "float") {
        if (g != 16) {
            w->error("group_size", fmt::format("4-bit float weights in groups of {}: only NVFP4's groups of 16 are known",
                                               g ? std::to_string(*g) : "none"));
            return;
        }
        out.weights = DType::nvfp4;
    } else if (*bits == 4 && type == "int") {
        out.weights = DType::int4;
        if (strategy == "group" && g) {
            // A 16-bit scale per group, and a 16-bit zero point unless symmetric (the default).
            if (w->flag("symmetric").value_or(true)) {
                out.group_size = static_cast<int>(2 * *g);
                out.notes.push_back(fmt::format("symmetric int4 in groups of {} stores one 16-bit scale per group ({} bits a "
                                                "weight): sized as int4 with group_size {}, which takes the same bytes",
                                                *g, 4.0 + 16.0 / static_cast<double>(*g), 2 * *g));
            } else {
                out.group_size = static_cast<int>(*g);
            }
        } else if (strategy != "channel") {
            w->error("strategy", fmt::format("int4 strategy '{}' is not known: expected 'group' (with group_size) or 'channel'", strategy));
            return;
        }
    } else {
        w->error("num_bits", fmt::format("{}-bit {} weights are not known: expected 8-bit int or float, 4-bit int or float", *bits, type));
        return;
    }
    read_exclusions(q, "ignore", out);
}

void read_quantization(Fields& q, HfModel& out) {
    auto method = q.text("quant_method");
    if (!method && !q.has("quant_method")) {
        // ModelOpt and compressed-tensors write their formats without quant_method too.
        if (q.has("quant_algo")) return read_modelopt(q, out);
        if (q.has("config_groups")) return read_compressed_tensors(q, out);
        q.error("quant_method", "missing required field 'quant_method': the weights format is unknown");
        return;
    }
    if (!method) return;
    if (*method == "modelopt") return read_modelopt(q, out);
    if (*method == "compressed-tensors") return read_compressed_tensors(q, out);
    if (*method == "gptq" || *method == "awq") {
        auto bits = q.count("bits");
        if (!q.has("bits")) q.error("bits", fmt::format("missing required field 'bits' for quant_method '{}'", *method));
        if (!bits) return;
        if (*bits == 8) {
            out.weights = DType::int8;
        } else if (*bits == 4) {
            out.weights = DType::int4;
            // group_size -1 is GPTQ's per-channel scaling (one group per output row).
            if (q.has("group_size") && q.at("group_size").is_number_integer() && q.at("group_size").get<std::int64_t>() == -1)
                out.notes.push_back(fmt::format("{} weights use per-channel scales (group_size -1)", *method));
            else if (auto g = q.count("group_size"))
                out.group_size = static_cast<int>(*g);
            else if (!q.has("group_size"))
                q.error("group_size", fmt::format("missing required field 'group_size' for {}-bit {}", *bits, *method));
        } else {
            q.error("bits", fmt::format("unsupported {} bits {}: expected 4 or 8", *method, *bits));
        }
    } else if (*method == "fp8" || *method == "fbgemm_fp8") {
        // Block scaling (weight_block_size, 128 x 128) adds one fp32 scale per 16384 weights: nil.
        out.weights = DType::fp8;
        read_exclusions(q, "modules_to_not_convert", out);
    } else if (*method == "mxfp4") {
        // OCP microscaling FP4: 4-bit values with one shared 8-bit scale per 32 (4.25 bits each).
        out.weights = DType::fp4;
        out.notes.push_back(
            "MXFP4 weights (4.25 bits each) are applied to every matrix; the modules gpt-oss leaves unquantised "
            "(attention, router) are about 4 % of its parameters and are sized at the same precision");
    } else if (*method == "bitsandbytes") {
        if (q.flag("load_in_8bit").value_or(false)) out.weights = DType::int8;
        else if (q.flag("load_in_4bit").value_or(false))
            // BitsAndBytesConfig: bnb_4bit_quant_type defaults to "fp4".
            out.weights = q.text("bnb_4bit_quant_type").value_or("fp4") == "nf4" ? DType::nf4 : DType::fp4;
        else q.error("quant_method", "bitsandbytes without 'load_in_4bit' or 'load_in_8bit'");
    } else {
        q.error("quant_method", fmt::format("unsupported quant_method '{}'", *method),
                did_you_mean(*method, {"awq", "bitsandbytes", "compressed-tensors", "fbgemm_fp8", "fp8", "gptq", "modelopt", "mxfp4"}));
    }
}

void read_precision(Fields& root, HfModel& out) {
    // transformers >= 4.56 writes `dtype`; earlier versions `torch_dtype`.
    const char* dtype_key = root.has("torch_dtype") ? "torch_dtype" : "dtype";
    if (auto t = root.text(dtype_key)) {
        if (*t == "bfloat16") out.weights = DType::bf16;
        else if (*t == "float16") out.weights = DType::fp16;
        else if (*t == "float32") out.weights = DType::fp32;
        else root.error(dtype_key, fmt::format("unsupported {} '{}': expected 'bfloat16', 'float16' or 'float32'", dtype_key, *t));
    }
    // The quantised format, not the dtype of the unquantised parts, is what the weights take.
    if (auto q = root.object("quantization_config")) read_quantization(*q, out);
}

/// Llama 4's chunked attention (Llama4TextAttention): layers that use RoPE attend within chunks of
/// attention_chunk_size tokens; the NoPE layers (no_rope_layers[i] == 0; by default every
/// no_rope_layer_interval-th, 4) attend globally.
void read_chunked_attention(Fields& f, HfModel& out) {
    ModelPatch& p = out.patch;
    p.attention_chunk_size = f.count("attention_chunk_size");
    if (!f.has("attention_chunk_size")) {
        p.attention_chunk_size = 8192;  // Llama4TextConfig: attention_chunk_size=8192
        out.notes.push_back("'attention_chunk_size' not given: the Llama4TextConfig default 8192 is used");
    }
    std::int64_t every = f.count("no_rope_layer_interval").value_or(4);  // Llama4TextConfig default
    if (auto rope = f.counts("no_rope_layers"); rope && !rope->empty()) {
        const auto first_global = std::find(rope->begin(), rope->end(), 0);
        if (first_global == rope->end()) {
            p.attention_chunk_size.reset();  // every layer chunked: no global layer to say
            f.error("no_rope_layers", "every layer uses RoPE and chunked attention: no global layer, which cannot be represented");
            return;
        }
        every = static_cast<std::int64_t>(first_global - rope->begin()) + 1;
        for (std::size_t i = 0; i < rope->size(); ++i) {
            const bool global = (*rope)[i] == 0;
            if ((*rope)[i] > 1 || global != ((static_cast<std::int64_t>(i) + 1) % every == 0)) {
                f.error("no_rope_layers", fmt::format("irregular pattern at layer {}: only 'every N-th layer without RoPE, global' "
                                                      "can be represented",
                                                      i));
                return;
            }
        }
        if (p.layers && static_cast<std::int64_t>(rope->size()) != *p.layers) {
            f.error("no_rope_layers", fmt::format("expected one entry per layer ({}), got {}", *p.layers, rope->size()));
            return;
        }
    }
    p.global_attention_every = every;
}

/// The sliding window and which layers skip it. Window sizes come from `sliding_window`; the
/// layout from `layer_types` when the file has it, else from each type's own convention.
void read_attention_window(Fields& f, HfModel& out) {
    const std::string type = family_of(f.model_type());
    ModelPatch& p = out.patch;
    std::optional<AttentionPattern> pattern;
    if (f.has("layer_types")) {
        pattern = read_layer_types(f, p.layers);
        if (!pattern) return;
    } else if (type == "gemma2") {
        // Gemma2DecoderLayer: even layers (0, 2, ...) slide, odd layers attend globally.
        pattern = AttentionPattern{true, 2};
    } else if (type == "gemma3_text") {
        // Gemma3TextConfig: sliding_window_pattern defaults to 6 (5 local : 1 global).
        auto every = f.count("sliding_window_pattern");
        pattern = AttentionPattern{true, every.value_or(6)};
    } else if (type == "gpt_oss") {
        // GptOssConfig: layer_types defaults to sliding on even layers, full on odd ones.
        pattern = AttentionPattern{true, 2};
    } else if (is_one_of(type, {"qwen2", "qwen2_moe", "qwen3", "qwen3_moe"})) {
        // Qwen2Config and its kin: use_sliding_window defaults to false; with it, layers from
        // max_window_layers on use the window.
        if (f.flag("use_sliding_window").value_or(false)) {
            auto from = f.count("max_window_layers", 0);
            if (from && p.layers && *from < *p.layers) {
                if (*from == 0) pattern = AttentionPattern{true, std::nullopt};
                else f.error("max_window_layers", fmt::format("a sliding window on layers {} to {} only cannot be represented: "
                                                              "the window applies to all layers or to every N-th",
                                                              *from, *p.layers - 1));
            }
        }
    } else if (is_one_of(type, {"mistral", "mixtral", "phi3"})) {
        pattern = AttentionPattern{true, std::nullopt};
    } else if (type == "olmo3") {
        // Olmo3Config: layer_types defaults to three sliding layers, then a full one.
        pattern = AttentionPattern{true, 4};
    } else if (type == "llama4_text") {
        read_chunked_attention(f, out);
        return;
    }
    if (!pattern || !pattern->any_sliding) return;
    if (type == "mistral" && !f.contains("sliding_window")) {
        // MistralConfig: sliding_window defaults to 4096 (Mistral 7B v0.1); null turns it off.
        p.sliding_window = 4096;
        out.notes.push_back("'sliding_window' not given: MistralConfig's default 4096 is used");
    } else if (type == "gemma2" && !f.contains("sliding_window")) {
        p.sliding_window = 4096;  // Gemma2Config: sliding_window=4096
    } else if (type == "gemma3_text" && !f.contains("sliding_window")) {
        p.sliding_window = 4096;  // Gemma3TextConfig: sliding_window=4096
    } else if (type == "gpt_oss" && !f.contains("sliding_window")) {
        p.sliding_window = 128;  // GptOssConfig: sliding_window=128
    } else if (type == "olmo3" && !f.contains("sliding_window")) {
        p.sliding_window = 4096;  // Olmo3Config: sliding_window=4096
    } else {
        p.sliding_window = f.count("sliding_window");
        if (!p.sliding_window && f.has("layer_types") && !f.has("sliding_window"))
            f.error("sliding_window", "missing: 'layer_types' has 'sliding_attention' layers but no 'sliding_window' is given");
    }
    if (p.sliding_window) p.global_attention_every = pattern->global_every;
}

void read_mixture_of_experts(Fields& f, HfModel& out) {
    const std::string type = family_of(f.model_type());
    ModelPatch& p = out.patch;
    if (is_one_of(type, {"mixtral", "gpt_oss"})) {
        // Every layer is a MoE layer whose experts have the config's intermediate_size.
        p.experts = f.required_count({"num_local_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = p.intermediate_size;
        p.dense_layers = 0;
    } else if (is_one_of(type, {"qwen2_moe", "qwen3_moe"})) {
        p.experts = f.required_count({"num_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = f.required_count({"moe_intermediate_size"});
        if (type == "qwen2_moe") {
            // Qwen2MoeSparseMoeBlock: one shared expert of shared_expert_intermediate_size.
            p.shared_expert_intermediate_size = f.required_count({"shared_expert_intermediate_size"});
            p.shared_experts = 1;
        }
        // Defaults as in Qwen2MoeConfig / Qwen3MoeConfig: decoder_sparse_step 1, mlp_only_layers [].
        const auto step = f.count("decoder_sparse_step").value_or(1);
        const auto mlp_only = f.counts("mlp_only_layers").value_or(std::vector<std::int64_t>{});
        if (p.layers) {
            p.dense_layers = count_qwen_dense_layers(*p.layers, step, mlp_only);
            if (*p.dense_layers > 0 && !is_leading_range(*p.layers, step, mlp_only))
                out.notes.push_back(fmt::format(
                    "{} of {} layers have a dense MLP (decoder_sparse_step {}, mlp_only_layers {}); they are counted as "
                    "leading dense layers: totals are exact, per-stage placement under pipeline parallelism is not",
                    *p.dense_layers, *p.layers, step, f.has("mlp_only_layers") ? f.at("mlp_only_layers").dump() : "[]"));
        }
    } else if (is_one_of(type, {"deepseek_v2", "deepseek_v3", "glm4_moe"})) {
        p.experts = f.required_count({"n_routed_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = f.required_count({"moe_intermediate_size"});
        // DeepseekV3MoE: the shared experts form one MLP of moe_intermediate_size * n_shared_experts,
        // which counts the same as n_shared_experts MLPs of moe_intermediate_size.
        p.shared_experts = f.required_count({"n_shared_experts"}, 0);
        p.shared_expert_intermediate_size = p.expert_intermediate_size;
        // Layer i is MoE iff i >= first_k_dense_replace and i % moe_layer_freq == 0.
        const auto first_k = f.required_count({"first_k_dense_replace"}, 0);
        const auto freq = f.count("moe_layer_freq").value_or(1);
        if (first_k && p.layers) {
            std::int64_t dense = 0;
            for (std::int64_t i = 0; i < *p.layers; ++i)
                if (i < *first_k || i % freq != 0) ++dense;
            p.dense_layers = dense;
            if (freq != 1)
                out.notes.push_back(fmt::format("{} of {} layers have a dense MLP (first_k_dense_replace {}, moe_layer_freq {}); "
                                                "they are counted as leading dense layers",
                                                dense, *p.layers, *first_k, freq));
        }
    } else if (type == "llama4_text") {
        // Llama4TextMoe: routed experts and one shared expert, all of intermediate_size; the other
        // layers' MLPs are intermediate_size_mlp wide (read in read_architecture).
        p.experts = f.required_count({"num_local_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = f.required_count({"intermediate_size"});
        p.shared_experts = 1;
        p.shared_expert_intermediate_size = p.expert_intermediate_size;
        // Llama4TextConfig: moe_layers defaults to every interleave_moe_layer_step-th layer
        // (layer i is MoE iff (i + 1) % step == 0).
        const auto step = f.count("interleave_moe_layer_step").value_or(1);
        std::vector<std::int64_t> moe_layers;
        if (auto listed = f.counts("moe_layers")) moe_layers = *listed;
        else if (p.layers)
            for (std::int64_t i = step - 1; i < *p.layers; i += step) moe_layers.push_back(i);
        if (p.layers) {
            const std::set<std::int64_t> moe(moe_layers.begin(), moe_layers.end());
            std::int64_t dense = 0;
            bool leading = true;
            for (std::int64_t i = 0; i < *p.layers; ++i) {
                if (!moe.count(i)) ++dense;
                if (!moe.count(i) && i > 0 && moe.count(i - 1)) leading = false;
            }
            p.dense_layers = dense;
            if (dense == *p.layers) f.error("moe_layers", "no layer is a mixture-of-experts layer: expected at least one");
            if (dense > 0 && !leading)
                out.notes.push_back(fmt::format("{} of {} layers have a dense MLP (interleave_moe_layer_step {}); they are counted as "
                                                "leading dense layers: totals are exact, per-stage placement under pipeline "
                                                "parallelism is not",
                                                dense, *p.layers, step));
        }
    } else if (type == "minimax_m2") {
        // MiniMaxM2SparseMoeBlock: every layer routes to experts of intermediate_size; no shared expert.
        p.experts = f.required_count({"num_local_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = p.intermediate_size;
        p.dense_layers = 0;
        if (auto shared = f.count("shared_intermediate_size", 0); shared && *shared > 0)
            f.error("shared_intermediate_size", fmt::format("a shared expert of {} is not part of MiniMaxM2SparseMoeBlock: expected 0",
                                                            *shared));
        if (f.flag("use_mtp").value_or(false))
            out.notes.push_back(fmt::format("the multi-token-prediction modules (use_mtp, num_mtp_modules {}) are not counted: their "
                                            "layout is not in config.json and the published checkpoint count leaves them out",
                                            f.count("num_mtp_modules", 0).value_or(0)));
    }
    // MTP modules (DeepSeek-V3, GLM-4.5, MiMo): num_nextn_predict_layers decoder layers after the
    // last one, each with its projection and norms (model.hpp mtp_layers).
    if (is_one_of(type, {"deepseek_v3", "glm4_moe"}) || f.model_type() == "mimo") {
        if (auto mtp = f.count("num_nextn_predict_layers", 0)) p.mtp_layers = *mtp;
        if (type == "deepseek_v3" && p.mtp_layers.value_or(0) > 0)
            out.notes.push_back("the MTP modules' own copies of the embedding and output head, which DeepSeek-V3's checkpoint also "
                                "stores, are not counted");
    }
}

void read_multi_head_latent_attention(Fields& f, HfModel& out) {
    MlaConfig mla;
    // q_lora_rank null means q is a plain projection (DeepSeek-V2-Lite).
    if (!f.contains("q_lora_rank")) f.missing("q_lora_rank");
    else mla.q_lora_rank = f.count("q_lora_rank");
    auto kv = f.required_count({"kv_lora_rank"});
    auto nope = f.required_count({"qk_nope_head_dim"});
    auto rope = f.required_count({"qk_rope_head_dim"});
    auto v = f.required_count({"v_head_dim"});
    if (kv && nope && rope && v) {
        mla.kv_lora_rank = *kv;
        mla.qk_nope_head_dim = *nope;
        mla.qk_rope_head_dim = *rope;
        mla.v_head_dim = *v;
        out.patch.mla = mla;
    }
}

/// The shortest pattern that repeats to give `layers` (a 48-layer [linear x3, full] model keeps 4).
std::vector<LayerPlan> shortest_period(const std::vector<LayerPlan>& layers) {
    const std::size_t n = layers.size();
    for (std::size_t period = 1; period < n; ++period) {
        if (n % period != 0) continue;
        bool repeats = true;
        for (std::size_t i = period; i < n && repeats; ++i) repeats = layers[i] == layers[i - period];
        if (repeats) return {layers.begin(), layers.begin() + static_cast<std::ptrdiff_t>(period)};
    }
    return layers;
}

/// The shape fields both hybrid families require: their configuration classes default each to
/// a reference model's value, not a rule.
void read_hybrid_shape(Fields& f, ModelPatch& p) {
    p.layers = f.required_count({"num_hidden_layers"});
    p.hidden_size = f.required_count({"hidden_size"});
    p.attention_heads = f.required_count({"num_attention_heads"});
    p.kv_heads = f.required_count({"num_key_value_heads"});
    p.head_dim = f.required_count({"head_dim"});
    p.vocab_size = f.required_count({"vocab_size"});
}

/// Qwen3-Next and Qwen3.5 (Qwen3NextConfig, Qwen3_5TextConfig, Qwen3_5MoeTextConfig): gated
/// DeltaNet layers with every full_attention_interval-th layer (default 4) a gated full-attention
/// layer, as `layer_types` lists when given; MoE as in Qwen3-MoE, with one shared expert.
void read_qwen_hybrid(Fields& f, HfModel& out) {
    const std::string& type = f.model_type();
    ModelPatch& p = out.patch;
    read_hybrid_shape(f, p);
    p.intermediate_size = f.required_count({"intermediate_size"});
    p.tied_embeddings = f.flag("tie_word_embeddings").value_or(false);
    p.mlp = MlpKind::gated;
    p.norm = NormKind::rmsnorm;
    p.norms_per_layer = 2;
    p.qk_norm = true;
    p.attention_bias = f.flag("attention_bias").value_or(false);
    p.attention_output_bias = false;
    p.mlp_bias = false;
    p.learned_positions = 0;
    p.parallel_attention = false;
    // Qwen3NextAttention always gates its output; Qwen3.5 makes it attn_output_gate (default true).
    p.attention_output_gate = type == "qwen3_next" ? true : f.flag("attn_output_gate").value_or(true);
    LinearAttentionConfig lin;
    auto kh = f.required_count({"linear_num_key_heads"}), vh = f.required_count({"linear_num_value_heads"});
    auto kd = f.required_count({"linear_key_head_dim"}), vd = f.required_count({"linear_value_head_dim"});
    lin.conv_kernel = f.count("linear_conv_kernel_dim").value_or(4);
    // mamba_ssm_dtype names the dtype the recurrent state is kept in.
    if (auto dtype = f.text("mamba_ssm_dtype")) lin.state_fp32 = *dtype == "float32";
    if (kh && vh && kd && vd) {
        lin.key_heads = *kh;
        lin.value_heads = *vh;
        lin.key_head_dim = *kd;
        lin.value_head_dim = *vd;
        p.linear_attention = lin;
    }
    if (!p.layers) return;
    std::vector<LayerPlan> layers;
    if (auto types = f.strings("layer_types")) {
        for (std::size_t i = 0; i < types->size(); ++i) {
            const auto& t = (*types)[i];
            if (t != "linear_attention" && t != "full_attention") {
                f.error("layer_types", fmt::format("layer {} has type '{}': expected 'linear_attention' or 'full_attention'", i, t));
                return;
            }
            layers.push_back({t == "full_attention" ? AttentionKind::full : AttentionKind::linear, std::nullopt});
        }
        if (static_cast<std::int64_t>(layers.size()) != *p.layers) {
            f.error("layer_types", fmt::format("expected one entry per layer ({}), got {}", *p.layers, layers.size()));
            return;
        }
    } else {
        const auto every = f.count("full_attention_interval").value_or(4);
        for (std::int64_t i = 0; i < *p.layers; ++i)
            layers.push_back({(i + 1) % every == 0 ? AttentionKind::full : AttentionKind::linear, std::nullopt});
    }
    p.layer_types = shortest_period(layers);
    if (type != "qwen3_5_text") {
        p.experts = f.required_count({"num_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = f.required_count({"moe_intermediate_size"});
        p.shared_expert_intermediate_size = f.required_count({"shared_expert_intermediate_size"});
        p.shared_experts = 1;
        const auto step = f.count("decoder_sparse_step").value_or(1);
        const auto mlp_only = f.counts("mlp_only_layers").value_or(std::vector<std::int64_t>{});
        p.dense_layers = count_qwen_dense_layers(*p.layers, step, mlp_only);
        if (*p.dense_layers > 0 && !is_leading_range(*p.layers, step, mlp_only))
            out.notes.push_back(fmt::format("{} of {} layers have a dense MLP; they are counted as leading dense layers", *p.dense_layers, *p.layers));
    }
    if (auto mtp = f.count("mtp_num_hidden_layers", 0); mtp && *mtp > 0)
        out.notes.push_back(fmt::format("the {} multi-token-prediction layer(s) (mtp_num_hidden_layers) are not counted: ordinary "
                                        "decoding does not use them",
                                        *mtp));
}

/// Nemotron-H (NemotronHConfig): each block is one mixer behind one RMSNorm: Mamba-2 (M),
/// attention (*), a squared-ReLU MLP (-) or a mixture of squared-ReLU experts (E), as
/// hybrid_override_pattern (or layers_block_type) lists them.
void read_nemotron_h(Fields& f, HfModel& out) {
    ModelPatch& p = out.patch;
    read_hybrid_shape(f, p);
    p.tied_embeddings = f.flag("tie_word_embeddings").value_or(false);
    if (auto act = f.text("mlp_hidden_act"); act && *act != "relu2")
        f.error("mlp_hidden_act", fmt::format("unsupported mlp_hidden_act '{}': Nemotron-H's MLPs are 'relu2' (two matrices)", *act));
    p.mlp = MlpKind::standard;
    p.norm = NormKind::rmsnorm;
    p.norms_per_layer = 1;
    p.qk_norm = false;
    p.attention_bias = f.flag("attention_bias").value_or(false);
    p.attention_output_bias = p.attention_bias;
    p.mlp_bias = f.flag("mlp_bias").value_or(false);
    p.learned_positions = 0;
    p.parallel_attention = false;
    if (f.has("moe_latent_size"))
        f.error("moe_latent_size", "latent experts (moe_latent_size, Nemotron 3 Super) are not supported yet: the model would be "
                                   "sized wrongly");
    std::string pattern;
    if (auto blocks = f.strings("layers_block_type")) {
        for (const auto& b : *blocks) {
            const char c = b == "mamba" ? 'M' : b == "attention" ? '*' : b == "mlp" ? '-' : b == "moe" ? 'E' : '?';
            if (c == '?') {
                f.error("layers_block_type", fmt::format("unknown block type '{}': expected mamba, attention, mlp or moe", b));
                return;
            }
            pattern += c;
        }
    } else if (auto text = f.text("hybrid_override_pattern")) {
        pattern = *text;
    } else {
        f.missing("hybrid_override_pattern");
        return;
    }
    if (p.layers && static_cast<std::int64_t>(pattern.size()) != *p.layers) {
        f.error(f.has("layers_block_type") ? "layers_block_type" : "hybrid_override_pattern",
                fmt::format("expected one block per layer ({}), got {}", *p.layers, pattern.size()));
        return;
    }
    std::vector<LayerPlan> layers;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        switch (pattern[i]) {
            case 'M': layers.push_back({AttentionKind::mamba, FeedForwardKind::none}); break;
            case '*': layers.push_back({AttentionKind::full, FeedForwardKind::none}); break;
            case '-': layers.push_back({AttentionKind::none, FeedForwardKind::dense}); break;
            case 'E': layers.push_back({AttentionKind::none, FeedForwardKind::moe}); break;
            default:
                f.error("hybrid_override_pattern", fmt::format("layer {} is '{}': expected M (Mamba-2), * (attention), - (MLP) or E (MoE)",
                                                               i, pattern[i]));
                return;
        }
    }
    p.layer_types = shortest_period(layers);
    // The MLP width is needed only where a layer has a dense MLP.
    if (pattern.find('-') != std::string::npos) p.intermediate_size = f.required_count({"intermediate_size"});
    else p.intermediate_size = f.count("intermediate_size").value_or(1);
    if (pattern.find('M') != std::string::npos) {
        MambaConfig m;
        auto heads = f.required_count({"mamba_num_heads"}), head_dim = f.required_count({"mamba_head_dim"});
        auto state = f.required_count({"ssm_state_size"});
        m.groups = f.count("n_groups").value_or(1);
        m.conv_kernel = f.count("conv_kernel").value_or(4);
        m.conv_bias = f.flag("use_conv_bias").value_or(true);
        m.projection_bias = f.flag("use_bias").value_or(f.flag("mamba_proj_bias").value_or(false));
        if (auto dtype = f.text("mamba_ssm_cache_dtype")) m.state_fp32 = *dtype == "float32";
        if (heads && head_dim && state) {
            m.heads = *heads;
            m.head_dim = *head_dim;
            m.state_size = *state;
            p.mamba = m;
        }
    }
    if (pattern.find('E') != std::string::npos) {
        p.experts = f.required_count({"n_routed_experts"});
        p.active_experts = f.required_count({"num_experts_per_tok"});
        p.expert_intermediate_size = f.required_count({"moe_intermediate_size"});
        p.shared_experts = f.count("n_shared_experts", 0).value_or(1);
        p.shared_expert_intermediate_size = f.required_count({"moe_shared_expert_intermediate_size"});
        p.dense_layers = 0;
    }
    if (f.has("mtp_layers_block_type") || f.has("num_nextn_predict_layers"))
        out.notes.push_back("the multi-token-prediction layers are not counted: ordinary decoding does not use them");
}

/// Parameters of a vision tower and its projector into the language model of width `text_hidden`,
/// by the tower's model_type, as its transformers modeling code builds it; nothing (and a note)
/// for a tower whose layout is not known here.
std::optional<std::int64_t> vision_tower_parameters(Fields& v, const std::string& vtype, std::optional<std::int64_t> text_hidden,
                                                    HfModel& out) {
    if (vtype == "llama4_vision_model") {
        // Llama4VisionModel: class embedding, (patches + 1) positions, a bias-free patch linear,
        // LayerNorms before and after; each encoder layer q/k/v/o and a 2-matrix GELU MLP, all with
        // biases, and two LayerNorms; the pixel-shuffle adapter (intermediate -> projector_input ->
        // projector_output, bias-free); the projector to the text width (multi_modal_projector_bias).
        auto h = v.required_count({"hidden_size"}), i = v.required_count({"intermediate_size"});
        auto layers = v.required_count({"num_hidden_layers"}), patch = v.required_count({"patch_size"});
        auto image = v.required_count({"image_size"}), in = v.required_count({"projector_input_dim"});
        auto proj_out = v.required_count({"projector_output_dim"}), vision_out = v.required_count({"vision_output_dim"});
        const auto channels = v.count("num_channels").value_or(3);  // Llama4VisionConfig default
        const bool bias = v.flag("multi_modal_projector_bias").value_or(false);
        if (!h || !i || !layers || !patch || !image || !in || !proj_out || !vision_out || !text_hidden) return std::nullopt;
        const std::int64_t grid = *image / *patch;
        const std::int64_t per_layer = 4 * (*h * *h + *h) + (*h * *i + *i) + (*i * *h + *h) + 4 * *h;
        return *h + (grid * grid + 1) * *h + channels * *patch * *patch * *h + 4 * *h + *layers * per_layer + *i * *in +
               *in * *proj_out + *vision_out * *text_hidden + (bias ? *text_hidden : 0);
    }
    if (vtype == "siglip_vision_model") {
        // SiglipVisionModel (Gemma 3): a biased patch convolution, one position per patch, encoder
        // layers with biased q/k/v/o and a 2-matrix GELU MLP and two LayerNorms, a final LayerNorm;
        // Gemma3MultiModalProjector: an RMSNorm and a bias-free projection to the text width.
        auto h = v.required_count({"hidden_size"}), i = v.required_count({"intermediate_size"});
        auto layers = v.required_count({"num_hidden_layers"}), patch = v.required_count({"patch_size"});
        auto image = v.required_count({"image_size"});
        const auto channels = v.count("num_channels").value_or(3);  // SiglipVisionConfig default
        if (v.flag("vision_use_head").value_or(true))
            v.error("vision_use_head", "a SigLIP attention-pooling head is not counted: expected false, as Gemma 3 has it");
        if (!h || !i || !layers || !patch || !image || !text_hidden) return std::nullopt;
        const std::int64_t grid = *image / *patch;
        const std::int64_t per_layer = 4 * (*h * *h + *h) + (*h * *i + *i) + (*i * *h + *h) + 4 * *h;
        return channels * *patch * *patch * *h + *h + grid * grid * *h + *layers * per_layer + 2 * *h + *h + *h * *text_hidden;
    }
    if (vtype == "qwen3_vl" || vtype == "qwen3_vl_moe") {
        // Qwen3VLVisionModel: a biased 3-D patch convolution, learned positions, blocks of a fused
        // biased qkv, a biased output projection, a 2-matrix MLP and two LayerNorms; the patch merger
        // (LayerNorm, then spatial_merge_size^2 x h -> same -> out_hidden_size) and one merger per
        // deepstack_visual_indexes entry, whose LayerNorm is over the merged width.
        auto h = v.required_count({"hidden_size"}), i = v.required_count({"intermediate_size"});
        auto depth = v.required_count({"depth"}), patch = v.required_count({"patch_size"});
        auto positions = v.required_count({"num_position_embeddings"}), out_hidden = v.required_count({"out_hidden_size"});
        auto merge = v.required_count({"spatial_merge_size"}), temporal = v.required_count({"temporal_patch_size"});
        const auto channels = v.count("in_channels").value_or(3);  // Qwen3VLVisionConfig default
        const auto deepstack = v.counts("deepstack_visual_indexes").value_or(std::vector<std::int64_t>{});
        if (!h || !i || !depth || !patch || !positions || !out_hidden || !merge || !temporal) return std::nullopt;
        const std::int64_t merged = *h * *merge * *merge;
        const std::int64_t linears = (merged * merged + merged) + (merged * *out_hidden + *out_hidden);
        const std::int64_t block = 4 * *h + (3 * *h * *h + 3 * *h) + (*h * *h + *h) + (2 * *h * *i + *i + *h);
        return channels * *temporal * *patch * *patch * *h + *h + *positions * *h + *depth * block + (2 * *h + linears) +
               static_cast<std::int64_t>(deepstack.size()) * (2 * merged + linears);
    }
    out.notes.push_back(fmt::format("the vision tower (vision_config{}) is not counted: its layout is not known here",
                                    vtype.empty() ? "" : fmt::format(", model_type '{}'", vtype)));
    return std::nullopt;
}

/// The encoder towers of a multimodal config: vision_config counted where its layout is known,
/// audio towers noted.
void read_encoders(Fields& root, std::string_view wrapper, HfModel& out) {
    std::int64_t encoder = 0;
    if (auto v = root.object("vision_config")) {
        std::string vtype = v->text("model_type").value_or("");
        if (vtype.empty() && wrapper == "llama4") vtype = "llama4_vision_model";  // Llama4Config's vision_config class
        if (vtype.empty() && wrapper == "gemma3") vtype = "siglip_vision_model";  // Gemma3Config's
        if (auto n = vision_tower_parameters(*v, vtype, out.patch.hidden_size, out)) encoder += *n;
    }
    if (root.has("audio_config"))
        out.notes.push_back("the audio tower (audio_config) is not counted: its layout is not known here");
    if (encoder > 0) out.patch.encoder_parameters = encoder;
}

/// The architecture fields of one supported model_type, read from `f` (for Gemma 3, its
/// text_config, whose model_type is then gemma3_text).
void read_architecture(Fields& f, HfModel& out) {
    const std::string type = family_of(f.model_type());
    if (is_one_of(type, {"qwen3_next", "qwen3_5_text", "qwen3_5_moe_text"})) return read_qwen_hybrid(f, out);
    if (type == "nemotron_h") return read_nemotron_h(f, out);
    ModelPatch& p = out.patch;
    const bool falcon = type == "falcon";
    const bool neox = type == "gpt_neox";
    const bool gemma = is_one_of(type, {"gemma2", "gemma3_text"});

    // FalconConfig's attribute_map keeps the RefinedWeb names (n_layer, n_head, n_embed).
    p.layers = falcon ? f.required_count({"num_hidden_layers", "n_layer"}) : f.required_count({"num_hidden_layers"});
    p.hidden_size = falcon ? f.required_count({"hidden_size", "n_embed"}) : f.required_count({"hidden_size"});
    p.attention_heads = falcon ? f.required_count({"num_attention_heads", "n_head"}) : f.required_count({"num_attention_heads"});

    const bool new_falcon = falcon && f.flag("new_decoder_architecture").value_or(false);
    if (falcon) {
        // FalconAttention: num_kv_heads (default: num_attention_heads) applies with
        // new_decoder_architecture or without multi_query (default true); otherwise one KV head.
        const bool multi_query = f.flag("multi_query").value_or(true);
        auto kv = f.has("num_kv_heads") ? f.count("num_kv_heads") : f.count("n_head_kv");
        p.kv_heads = (new_falcon || !multi_query) ? kv.value_or(p.attention_heads.value_or(1)) : 1;
    } else if (neox) {
        p.kv_heads = p.attention_heads;  // GPT-NeoX has no grouped-query attention
    } else if (is_one_of(type, {"llama", "phi3", "olmo2", "olmo3"})) {
        // LlamaConfig / Phi3Config / Olmo2Config / Olmo3Config: num_key_value_heads None means
        // num_attention_heads.
        p.kv_heads = f.count("num_key_value_heads");
        if (!f.has("num_key_value_heads")) p.kv_heads = p.attention_heads;
    } else {
        // Elsewhere the transformers default is a reference model's count, not a rule.
        p.kv_heads = f.required_count({"num_key_value_heads"});
    }

    if (gemma) {
        // Gemma2Config / Gemma3TextConfig: head_dim defaults to 256, not hidden / heads.
        p.head_dim = f.count("head_dim");
        if (!f.has("head_dim")) {
            p.head_dim = 256;
            out.notes.push_back(fmt::format("'head_dim' not given: the {} default 256 is used", type));
        }
    } else if (is_one_of(type, {"qwen3", "qwen3_moe", "gpt_oss", "llama4_text", "glm4_moe", "minimax_m2"})) {
        p.head_dim = f.required_count({"head_dim"});  // their defaults are one model's (128), not a rule
    } else if (is_one_of(type, {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe"})) {
        p.head_dim = f.count("head_dim");  // absent: hidden_size / num_attention_heads
    }

    if (falcon) {
        // FalconConfig: ffn_hidden_size None means 4 * hidden_size.
        p.intermediate_size = f.count("ffn_hidden_size");
        if (!f.has("ffn_hidden_size") && p.hidden_size) p.intermediate_size = 4 * *p.hidden_size;
    } else if (type == "llama4_text") {
        // Llama4TextMLP of the dense layers: intermediate_size_mlp (the experts' is intermediate_size).
        p.intermediate_size = f.required_count({"intermediate_size_mlp"});
    } else {
        p.intermediate_size = f.required_count({"intermediate_size"});
    }

    if (type == "gemma3_text" && !f.has("vocab_size")) {
        p.vocab_size = 262208;  // Gemma3TextConfig: vocab_size=262_208
    } else {
        p.vocab_size = f.required_count({"vocab_size"});
    }
    // tie_word_embeddings defaults: PretrainedConfig's true is kept by Gemma2Config,
    // Gemma3TextConfig and FalconConfig; the others pass tie_word_embeddings=False.
    p.tied_embeddings = f.flag("tie_word_embeddings").value_or(gemma || falcon);

    p.mlp = (neox || falcon) ? MlpKind::standard : MlpKind::gated;
    p.norm = (neox || falcon) ? NormKind::layernorm : NormKind::rmsnorm;
    if (gemma) {
        p.norms_per_layer = 4;  // input, post-attention, pre- and post-feed-forward RMSNorms
    } else if (falcon) {
        // FalconDecoderLayer: ln_attn + ln_mlp with the new architecture (num_ln_in_parallel_attn,
        // default 2); one input_layernorm for the old parallel layout; two for the sequential one.
        const bool parallel_attn = f.flag("parallel_attn").value_or(true);
        p.norms_per_layer = new_falcon ? f.count("num_ln_in_parallel_attn").value_or(2) : (parallel_attn ? 1 : 2);
    } else {
        p.norms_per_layer = 2;
    }
    p.qk_norm = is_one_of(type, {"qwen3", "qwen3_moe", "gemma3_text"});
    if (type == "glm4_moe") p.qk_norm = f.flag("use_qk_norm").value_or(false);  // Glm4MoeAttention: per-head RMSNorm
    if (type == "llama4_text" && f.flag("use_qk_norm").value_or(false) && p.hidden_size)
        out.notes.push_back("use_qk_norm: Llama 4's q/k norm is an L2 norm without weights, so it adds no parameters");
    if (is_one_of(type, {"olmo2", "olmo3"}) || (type == "minimax_m2" && f.flag("use_qk_norm").value_or(false))) {
        // Olmo2Attention / MiniMaxM2 (qk_norm_type per_layer): one RMSNorm over all query heads
        // and one over all key heads, counted here as one per head width.
        p.qk_norm = true;
        if (p.attention_heads && p.kv_heads && p.head_dim && p.layers) {
            const auto width = (*p.attention_heads + *p.kv_heads) * *p.head_dim;
            const auto missing = (width - 2 * *p.head_dim) * *p.layers;
            out.notes.push_back(fmt::format("q/k norms span all heads ({} weights per layer); the architecture counts one head's "
                                            "width (2 x {}): {} parameters are left out",
                                            width, *p.head_dim, missing));
        }
    }

    if (is_one_of(type, {"llama", "qwen3", "qwen3_moe", "gemma2", "gemma3_text", "deepseek_v2", "deepseek_v3", "llama4_text",
                         "olmo2", "olmo3"})) {
        // attention_bias (default false) puts a bias on q, k, v and the output projection.
        const bool bias = f.flag("attention_bias").value_or(false);
        p.attention_bias = bias;
        p.attention_output_bias = bias;
        p.mlp_bias = type == "llama" ? f.flag("mlp_bias").value_or(false) : false;
    } else if (type == "glm4_moe") {
        // Glm4MoeAttention: attention_bias (default false) on q, k and v; o_proj never.
        p.attention_bias = f.flag("attention_bias").value_or(false);
        p.attention_output_bias = false;
        p.mlp_bias = false;
    } else if (is_one_of(type, {"qwen2", "qwen2_moe"})) {
        // Qwen2Attention: q/k/v always have biases, o_proj never.
        p.attention_bias = true;
        p.attention_output_bias = false;
        p.mlp_bias = false;
    } else if (is_one_of(type, {"gpt_neox", "gpt_oss"})) {
        // GPTNeoXConfig / GptOssConfig: attention_bias defaults to true; MLP and expert biases
        // are unconditional.
        const bool bias = f.flag("attention_bias").value_or(true);
        p.attention_bias = bias;
        p.attention_output_bias = bias;
        p.mlp_bias = true;
    } else if (falcon) {
        // FalconConfig: bias (default false) applies to every linear layer.
        const bool bias = f.flag("bias").value_or(false);
        p.attention_bias = bias;
        p.attention_output_bias = bias;
        p.mlp_bias = bias;
    } else {
        p.attention_bias = false;  // mistral, mixtral, phi3, minimax_m2: no linear biases
        p.attention_output_bias = false;
        p.mlp_bias = false;
    }
    p.learned_positions = 0;  // every supported type uses rotary positions (Falcon's ALiBi has no table)
    if (neox) p.parallel_attention = f.flag("use_parallel_residual").value_or(true);  // GPTNeoXConfig default
    else if (falcon) p.parallel_attention = new_falcon || f.flag("parallel_attn").value_or(true);
    else p.parallel_attention = false;

    read_mixture_of_experts(f, out);
    if (is_one_of(type, {"deepseek_v2", "deepseek_v3"})) read_multi_head_latent_attention(f, out);
    read_attention_window(f, out);
}

/// Python's json module writes float('nan') and float('inf') as the bare words NaN, Infinity and
/// -Infinity, and transformers reads them back; JSON has none of them. Outside strings each becomes
/// a string of the same length ("N", "Inf", "-Inf", padded with spaces), so every position in the
/// file stays where it was; restore_python_numbers turns those strings back into numbers (in a file
/// that has such a word, a genuine string value "N", "Inf" or "-Inf" would be read as one too).
bool python_literals_as_strings(std::string& text) {
    bool any = false, in_string = false;
    auto word_at = [&](std::size_t i, std::string_view w) {
        const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
        return text.compare(i, w.size(), w) == 0 && (i == 0 || !ident(text[i - 1])) &&
               (i + w.size() >= text.size() || !ident(text[i + w.size()]));
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        for (const auto& [word, as] : {std::pair<std::string_view, std::string_view>{"-Infinity", "\"-Inf\"   "},
                                       {"Infinity", "\"Inf\"   "}, {"NaN", "\"N\""}}) {
            if (word_at(i, word)) {
                text.replace(i, word.size(), as);
                i += word.size() - 1;
                any = true;
                break;
            }
        }
    }
    return any;
}

void restore_python_numbers(json& v) {
    if (v.is_structured()) {
        for (auto& item : v) restore_python_numbers(item);
    } else if (v.is_string()) {
        const auto& t = v.get_ref<const std::string&>();
        if (t == "N") v = std::numeric_limits<double>::quiet_NaN();
        else if (t == "Inf") v = std::numeric_limits<double>::infinity();
        else if (t == "-Inf") v = -std::numeric_limits<double>::infinity();
    }
}

/// `text` parsed; `shown` is the same file as written (equal positions), quoted in messages.
std::optional<json> parse_json(std::string_view text, std::string_view shown, const std::string& origin, DiagnosticSink& sink) {
    if (!detail::check_json_limits(text, origin, sink)) return std::nullopt;
    try {
        return json::parse(text);
    } catch (const json::out_of_range& e) {
        // A number too large for a double (1e400): nlohmann reports no position for it.
        std::string message = e.what();
        if (auto pos = message.find("] "); pos != std::string::npos) message = message.substr(pos + 2);
        sink.error(SourceLocation{origin, 0, 0, {}}, fmt::format("invalid JSON: {}", message));
        return std::nullopt;
    } catch (const json::parse_error& e) {
        // e.byte is the 1-based offset of the character that failed.
        const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
        int line = 1;
        int column = 1;
        for (std::size_t i = 0; i < end; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string message = e.what();
        if (auto pos = message.find("syntax error"); pos != std::string::npos) message = message.substr(pos);
        sink.error(SourceLocation{origin, line, column, {}}, fmt::format("invalid JSON: {}", message), {}, line_of(shown, line));
        return std::nullopt;
    }
}

}  // namespace

HfModel parse_hf_config(std::string_view json_text, std::string_view origin_view) {
    const std::string origin(origin_view);
    DiagnosticSink sink;
    HfModel out;
    // Parsed and indexed with Python's NaN/Infinity as placeholders of the same length; messages
    // quote the file as written.
    std::string parsed(json_text);
    const bool python_numbers = python_literals_as_strings(parsed);
    auto doc = parse_json(parsed, json_text, origin, sink);
    if (doc && python_numbers) restore_python_numbers(*doc);
    if (doc && !doc->is_object()) sink.error(SourceLocation{origin, 0, 0, "/"}, fmt::format("expected an object, got {}", describe(*doc)));
    sink.throw_if_any<SpecError>();
    // nlohmann keeps the last of two equal keys: a repeated num_hidden_layers would silently size
    // another model.
    const detail::LazyJsonIndex index(parsed);
    if (detail::has_duplicate_keys(parsed)) detail::report_duplicate_keys(index.get(), json_text, origin, sink);
    sink.throw_if_any<SpecError>();
    // Every diagnostic names a JSON pointer; give it the position of that value in the file.
    auto finish = [&] {
        for (auto& d : sink.diagnostics())
            if (d.where.line == 0 && !d.where.pointer.empty()) detail::locate_json(d, json_text, index.get());
        sink.throw_if_any<SpecError>();
    };

    Fields root(*doc, "", origin, "", sink);
    const auto type = root.text("model_type");
    // A model_type not known here, whose language model is a text_config of a known one.
    bool generic_wrapper = false;
    if (!type) {
        if (!root.has("model_type")) root.error("model_type", "missing required field 'model_type'");
    } else if (auto refused = std::find_if(refused_model_types.begin(), refused_model_types.end(),
                                           [&](const auto& r) { return r.first == *type; });
               refused != refused_model_types.end()) {
        root.error("model_type", fmt::format("model_type '{}' cannot be sized: {}", *type, refused->second));
    } else if (std::find(supported_model_types.begin(), supported_model_types.end(), *type) == supported_model_types.end() &&
               !(generic_wrapper = doc->contains("text_config") && doc->at("text_config").is_object())) {
        std::string hint = did_you_mean(*type, supported_model_types);
        if (hint.empty()) hint = fmt::format("supported model types: {}", fmt::join(supported_model_types, ", "));
        root.error("model_type", fmt::format("unknown model_type '{}'", *type), std::move(hint));
    }
    finish();
    out.model_type = *type;

    Fields typed(*doc, "", origin, *type, sink);
    read_precision(typed, out);
    const auto wrapper = std::find_if(wrapper_text_types.begin(), wrapper_text_types.end(),
                                      [&](const auto& w) { return w.first == *type; });
    if (wrapper != wrapper_text_types.end() || generic_wrapper) {
        // A multimodal config: the language model is its text_config, the towers are counted apart.
        if (!typed.has("text_config")) typed.missing("text_config");
        else if (!doc->at("text_config").is_object())
            typed.error("text_config", fmt::format("expected an object, got {}", describe(doc->at("text_config"))));
        else {
            const json& tc = doc->at("text_config");
            std::string text_type = wrapper != wrapper_text_types.end() ? std::string(wrapper->second) : "";
            if (tc.contains("model_type") && tc.at("model_type").is_string()) text_type = tc.at("model_type").get<std::string>();
            const bool text_ok = std::find(supported_model_types.begin(), supported_model_types.end(), text_type) != supported_model_types.end() &&
                                 std::none_of(wrapper_text_types.begin(), wrapper_text_types.end(),
                                              [&](const auto& w) { return w.first == text_type; });
            if (!text_ok) {
                sink.error(SourceLocation{origin, 0, 0, "/text_config/model_type"},
                           fmt::format("unknown text model_type '{}' in the text_config of '{}'", text_type, *type),
                           did_you_mean(text_type, supported_model_types));
            } else {
                Fields text(tc, "/text_config", origin, text_type, sink);
                // Kimi K2.5 keeps the language model's quantization_config inside text_config.
                if (!typed.has("quantization_config"))
                    if (auto q = text.object("quantization_config")) read_quantization(*q, out);
                read_architecture(text, out);
                if (generic_wrapper)
                    out.notes.push_back(fmt::format("model_type '{}' is read as its text_config (model_type '{}')", *type, text_type));
            }
        }
        finish();
        read_encoders(typed, *type, out);
    } else {
        read_architecture(typed, out);
    }
    finish();
    return out;
}

void apply_hf_quant_config(std::string_view json_text, std::string_view origin_view, HfModel& model) {
    const std::string origin(origin_view);
    DiagnosticSink sink;
    auto doc = parse_json(json_text, json_text, origin, sink);
    if (doc && !doc->is_object()) sink.error(SourceLocation{origin, 0, 0, "/"}, fmt::format("expected an object, got {}", describe(*doc)));
    sink.throw_if_any<SpecError>();
    const detail::LazyJsonIndex index(json_text);
    Fields root(*doc, "", origin, model.model_type, sink);
    if (!root.has("quantization")) root.missing("quantization");
    else if (auto q = root.object("quantization")) {
        HfModel quant;
        quant.patch.unquantised = model.patch.unquantised;
        read_modelopt(*q, quant);
        if (quant.weights) model.weights = quant.weights;
        if (quant.group_size) model.group_size = quant.group_size;
        if (quant.patch.unquantised) model.patch.unquantised = quant.patch.unquantised;
        model.notes.insert(model.notes.end(), quant.notes.begin(), quant.notes.end());
    }
    for (auto& d : sink.diagnostics())
        if (d.where.line == 0 && !d.where.pointer.empty()) detail::locate_json(d, json_text, index.get());
    sink.throw_if_any<SpecError>();
}

}  // namespace gpusize
