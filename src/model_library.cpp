#include "gpusize/model_library.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "yaml_reader.hpp"

namespace gpusize {

namespace embedded {
extern const std::string_view models_yaml;
}

std::string_view to_string(ModelSource s) {
    switch (s) {
        case ModelSource::preset: return "preset";
        case ModelSource::hf_config: return "hf_config";
        case ModelSource::explicit_fields: return "explicit";
        case ModelSource::derived: return "derived";
    }
    return "?";
}

const Preset* ModelLibrary::find(std::string_view id) const {
    for (const auto& p : presets)
        if (p.id == id) return &p;
    return nullptr;
}

std::vector<std::string> ModelLibrary::ids() const {
    std::vector<std::string> out = unparsed_ids;
    for (const auto& p : presets) out.push_back(p.id);
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::string> ModelLibrary::suggest(std::string_view name) const {
    std::string key(name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1));
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (bool stripped = true; stripped;) {
        if (find(key)) return key;
        stripped = false;
        for (std::string_view suffix : {"-instruct", "-chat", "-it", "-hf"}) {
            if (!stripped && key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
                key.resize(key.size() - suffix.size());
                stripped = true;
            }
        }
    }
    if (auto m = closest_match(key, ids())) return m;
    return closest_match(name, ids());
}


namespace {

/// A hybrid model's layer pattern against the rest of the architecture: it must cover the layers
/// evenly, each kind it names needs its configuration, and a configuration no layer uses is an
/// error rather than a silently ignored key.
template <class Fail>
void check_layer_types(const ModelArchitecture& m, Fail& fail) {
    auto uses = [&](AttentionKind k) {
        return std::any_of(m.layer_types.begin(), m.layer_types.end(), [k](const LayerPlan& p) { return p.attention == k; });
    };
    if (m.layer_types.empty()) {
        if (m.linear_attention) fail("linear_attention", "'linear_attention' needs 'layer_types' naming the linear layers");
        if (m.mamba) fail("mamba", "'mamba' needs 'layer_types' naming the mamba layers");
        return;
    }
    const auto n = static_cast<std::int64_t>(m.layer_types.size());
    if (m.layers % n != 0)
        fail("layer_types", fmt::format("'layer_types' has {} entries, which do not divide {} layers: give one per layer or a "
                                        "pattern that repeats evenly",
                                        n, m.layers));
    const std::pair<AttentionKind, const char*> needs[] = {{AttentionKind::linear, "linear_attention"},
                                                          {AttentionKind::mamba, "mamba"},
                                                          {AttentionKind::latent, "mla"},
                                                          {AttentionKind::sliding_window, "sliding_window"},
                                                          {AttentionKind::chunked, "attention_chunk_size"}};
    const bool given[] = {m.linear_attention.has_value(), m.mamba.has_value(), m.mla.has_value(), m.sliding_window.has_value(),
                          m.attention_chunk_size.has_value()};
    for (std::size_t i = 0; i < std::size(needs); ++i) {
        const auto [kind, key] = needs[i];
        if (uses(kind) && !given[i])
            fail("layer_types", fmt::format("'layer_types' has {} layers but no 'model.{}' describes them", to_string(kind), key));
        else if (!uses(kind) && given[i])
            fail(key, fmt::format("'{}' is given but no entry of 'layer_types' is {}", key, to_string(kind)));
    }
    if (m.global_attention_every)
        fail("global_attention_every", "'global_attention_every' does not apply with 'layer_types': the pattern says which layers are global");
    const bool moe_named = std::any_of(m.layer_types.begin(), m.layer_types.end(),
                                       [](const LayerPlan& p) { return p.feed_forward == FeedForwardKind::moe; });
    if (moe_named && !m.moe) fail("layer_types", "'layer_types' has '+moe' layers but the model has no 'experts'");
}

}  // namespace

ModelArchitecture complete_architecture(const ModelArchitecture& base, const ModelPatch& patch, bool from_scratch,
                                        const std::map<std::string, SourceLocation>& locations, const SourceLocation& where,
                                        DiagnosticSink& sink) {
    auto at = [&](const char* key) {
        auto it = locations.find(key);
        return it != locations.end() ? it->second : where;
    };
    auto fail = [&](const char* key, std::string message) { sink.error(at(key), std::move(message)); };
    ModelArchitecture m = base;
    if (from_scratch) {
        for (auto [key, field] : {std::pair{"layers", &patch.layers}, std::pair{"hidden_size", &patch.hidden_size},
                                  std::pair{"attention_heads", &patch.attention_heads},
                                  std::pair{"intermediate_size", &patch.intermediate_size},
                                  std::pair{"vocab_size", &patch.vocab_size}})
            if (!*field)
                fail(key, fmt::format("missing 'model.{}': an explicit architecture needs layers, hidden_size, attention_heads, "
                                      "intermediate_size and vocab_size",
                                      key));
        if (!sink.empty()) return m;
    }
    auto set = [](auto& field, const auto& value) {
        if (value) field = *value;
    };
    set(m.layers, patch.layers);
    set(m.hidden_size, patch.hidden_size);
    set(m.attention_heads, patch.attention_heads);
    set(m.intermediate_size, patch.intermediate_size);
    set(m.vocab_size, patch.vocab_size);
    set(m.tied_embeddings, patch.tied_embeddings);
    set(m.mlp, patch.mlp);
    set(m.norm, patch.norm);
    set(m.norms_per_layer, patch.norms_per_layer);
    set(m.qk_norm, patch.qk_norm);
    set(m.attention_bias, patch.attention_bias);
    set(m.attention_output_bias, patch.attention_output_bias);
    set(m.mlp_bias, patch.mlp_bias);
    set(m.learned_positions, patch.learned_positions);
    set(m.parallel_attention, patch.parallel_attention);
    if (patch.mla) m.mla = patch.mla;
    if (patch.sliding_window) m.sliding_window = patch.sliding_window;
    if (patch.global_attention_every) m.global_attention_every = patch.global_attention_every;
    if (patch.attention_chunk_size) m.attention_chunk_size = patch.attention_chunk_size;
    set(m.attention_output_gate, patch.attention_output_gate);
    if (patch.linear_attention) m.linear_attention = patch.linear_attention;
    if (patch.mamba) m.mamba = patch.mamba;
    if (patch.layer_types) m.layer_types = *patch.layer_types;
    set(m.encoder_parameters, patch.encoder_parameters);
    set(m.mtp_layers, patch.mtp_layers);
    set(m.unquantised, patch.unquantised);
    // Heads: new head counts or widths re-derive what depends on them unless given.
    if (patch.kv_heads) m.kv_heads = *patch.kv_heads;
    else if (from_scratch || patch.attention_heads) m.kv_heads = from_scratch ? m.attention_heads : std::min(m.kv_heads, m.attention_heads);
    if (patch.head_dim) {
        m.head_dim = *patch.head_dim;
    } else if (from_scratch || patch.hidden_size || patch.attention_heads) {
        if (m.hidden_size % m.attention_heads != 0) {
            fail("attention_heads", fmt::format("{} attention heads do not divide hidden_size {}: give 'head_dim'",
                                                m.attention_heads, m.hidden_size));
        }
        m.head_dim = m.hidden_size / m.attention_heads;
    }
    if (m.attention_heads % m.kv_heads != 0)
        fail(patch.kv_heads ? "kv_heads" : "attention_heads",
             fmt::format("kv_heads {} must divide attention_heads {}", m.kv_heads, m.attention_heads));
    if (patch.experts || patch.active_experts || patch.expert_intermediate_size || patch.shared_experts ||
        patch.shared_expert_intermediate_size || patch.dense_layers) {
        MoeConfig e = m.moe.value_or(MoeConfig{});
        set(e.experts, patch.experts);
        set(e.active_experts, patch.active_experts);
        set(e.expert_intermediate_size, patch.expert_intermediate_size);
        set(e.shared_experts, patch.shared_experts);
        set(e.shared_expert_intermediate_size, patch.shared_expert_intermediate_size);
        set(e.dense_layers, patch.dense_layers);
        if (e.experts == 0) fail("active_experts", "a mixture of experts needs 'experts'");
        else if (e.active_experts == 0) fail("experts", "a mixture of experts needs 'active_experts' (the top-k routed per token)");
        else if (e.active_experts > e.experts)
            fail("active_experts", fmt::format("active_experts {} exceeds experts {}", e.active_experts, e.experts));
        if (e.expert_intermediate_size == 0) e.expert_intermediate_size = m.intermediate_size;
        if (e.shared_expert_intermediate_size == 0) e.shared_expert_intermediate_size = e.expert_intermediate_size;
        if (e.dense_layers >= m.layers)
            fail("dense_layers", fmt::format("dense_layers {} leaves no MoE layer among {} layers", e.dense_layers, m.layers));
        m.moe = e;
    }
    check_layer_types(m, fail);
    if (m.global_attention_every && !m.sliding_window && !m.attention_chunk_size)
        fail("global_attention_every", "'global_attention_every' needs 'sliding_window' or 'attention_chunk_size'");
    if (m.attention_chunk_size && m.sliding_window)
        fail("attention_chunk_size", "'attention_chunk_size' and 'sliding_window' exclude each other: a layer attends within a chunk or a window");
    return m;
}

namespace {

class LibraryParser {
public:
    LibraryParser(std::string_view text, std::string_view origin) : r_(text, origin) {}

    ModelLibrary parse() {
        YAML::Node root = r_.load();
        ModelLibrary lib;
        if (r_.sink().empty()) {
            r_.walk(root, "the model library",
                    {{"schema_version", [&](const YAML::Node& n) {
                          auto v = r_.string(n, "schema_version");
                          if (v && v->rfind("1.", 0) != 0) r_.error(n, fmt::format("unsupported preset schema version '{}'", *v));
                      }},
                     {"models", [&](const YAML::Node& n) {
                          if (!n.IsSequence()) {
                              r_.error(n, "expected 'models' to be a list");
                              return;
                          }
                          for (const auto& item : n) preset(item, lib);
                      }}});
        }
        r_.sink().throw_if_any<SpecError>();
        std::sort(lib.presets.begin(), lib.presets.end(), [](const Preset& a, const Preset& b) { return a.id < b.id; });
        return lib;
    }

private:
    detail::YamlReader r_;

    void preset(const YAML::Node& n, ModelLibrary& lib) {
        Preset p;
        ModelPatch patch;
        std::map<std::string, SourceLocation> locations;
        bool have_architecture = false;
        r_.walk(n, "a preset",
                {{"id", [&](const YAML::Node& v) { p.id = r_.string(v, "id").value_or(""); }},
                 {"name", [&](const YAML::Node& v) { p.name = r_.string(v, "name").value_or(""); }},
                 {"source", [&](const YAML::Node& v) { p.source = r_.string(v, "source").value_or(""); }},
                 {"published_source", [&](const YAML::Node& v) { p.published_source = r_.string(v, "published_source").value_or(""); }},
                 {"published_parameters", [&](const YAML::Node& v) {
                      p.published_parameters_text = v.IsScalar() ? v.Scalar() : "";
                      p.published_parameters = r_.count(v, "published_parameters", 1e6, 1e15).value_or(0);
                  }},
                 {"published_active_parameters", [&](const YAML::Node& v) {
                      p.published_active_parameters_text = v.IsScalar() ? v.Scalar() : "";
                      p.published_active_parameters = r_.count(v, "published_active_parameters", 1e6, 1e15);
                  }},
                 {"published_active_excludes_embedding", [&](const YAML::Node& v) {
                      p.published_active_excludes_embedding = r_.boolean(v, "published_active_excludes_embedding").value_or(false);
                  }},
                 {"architecture", [&](const YAML::Node& v) {
                      have_architecture = true;
                      r_.walk(v, "architecture", detail::model_patch_handlers(r_, patch, &locations));
                  }}});
        if (!n.IsMap()) return;
        for (auto [key, ok] : {std::pair{"id", !p.id.empty()}, std::pair{"name", !p.name.empty()},
                               std::pair{"source", !p.source.empty()}, std::pair{"published_parameters", p.published_parameters > 0},
                               std::pair{"architecture", have_architecture}})
            if (!ok) r_.error(n, fmt::format("preset '{}' is missing '{}'", p.id, key));
        if (lib.find(p.id)) r_.error(n, fmt::format("duplicate preset id '{}'", p.id));
        if (!r_.sink().empty()) return;
        p.architecture = complete_architecture(ModelArchitecture{}, patch, true, locations, r_.where(n), r_.sink());
        lib.presets.push_back(std::move(p));
    }
};

}  // namespace

ModelLibrary parse_model_library(std::string_view yaml_text, std::string_view origin) {
    return LibraryParser(yaml_text, origin).parse();
}

const ModelLibrary& bundled_models() {
    static const ModelLibrary lib = parse_model_library(embedded::models_yaml, "data/models.yaml");
    return lib;
}

ModelLibrary bundled_presets(const std::vector<std::string>& wanted) {
    // Each preset is the block from a line "  - id: ID" to the next such line: the layout of
    // data/models.yaml, which test_model_library checks preset by preset against a whole parse.
    constexpr std::string_view marker = "\n  - id: ";
    const std::string_view text = embedded::models_yaml;
    ModelLibrary lib;
    for (std::size_t at = text.find(marker); at != std::string_view::npos;) {
        const std::size_t start = at + 1;
        const std::size_t id_start = at + marker.size();
        std::string id(text.substr(id_start, text.find('\n', id_start) - id_start));
        at = text.find(marker, start);
        if (std::find(wanted.begin(), wanted.end(), id) == wanted.end()) {
            lib.unparsed_ids.push_back(std::move(id));
            continue;
        }
        // Blank lines in place of the file's header keep the block's line numbers in diagnostics.
        const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(start), '\n');
        std::string block = "models:\n" + std::string(static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, line - 1)), '\n');
        block += text.substr(start, at == std::string_view::npos ? std::string_view::npos : at + 1 - start);
        for (auto& p : parse_model_library(block, "data/models.yaml").presets) lib.presets.push_back(std::move(p));
    }
    std::sort(lib.presets.begin(), lib.presets.end(), [](const Preset& a, const Preset& b) { return a.id < b.id; });
    return lib;
}

ResolvedModel resolve_model(const Spec& spec, const ModelLibrary& library, std::optional<std::string_view> hf_config_text,
                            std::optional<std::string_view> hf_quant_config_text) {
    const auto& ms = spec.model;
    DiagnosticSink sink;
    ResolvedModel r;
    r.name = spec.name;
    auto at = [&](const char* key) {
        auto it = ms.locations.find(key);
        return it != ms.locations.end() ? it->second : ms.where;
    };
    if (ms.preset) {
        const Preset* p = library.find(*ms.preset);
        if (!p) {
            const auto like = library.suggest(*ms.preset);
            sink.error(at("preset"), fmt::format("unknown model preset '{}'", *ms.preset),
                       like ? fmt::format("did you mean '{}'?", *like) : std::string{});
            sink.throw_if_any<SpecError>();
        }
        r.id = p->id;
        if (r.name.empty()) r.name = p->name;
        r.source_kind = ModelSource::preset;
        r.source = p->source;
        r.architecture = complete_architecture(p->architecture, ms.patch, false, ms.locations, ms.where, sink);
    } else if (ms.hf_config) {
        if (!hf_config_text) {
            sink.error(at("hf_config"), fmt::format("'hf_config' file '{}' was not read", *ms.hf_config));
            sink.throw_if_any<SpecError>();
        }
        HfModel hf = parse_hf_config(*hf_config_text, *ms.hf_config);
        if (hf_quant_config_text) {
            // Named as the file beside config.json that the caller read.
            const auto slash = ms.hf_config->find_last_of('/');
            const std::string quant_origin =
                (slash == std::string::npos ? std::string() : ms.hf_config->substr(0, slash + 1)) + "hf_quant_config.json";
            apply_hf_quant_config(*hf_quant_config_text, quant_origin, hf);
        }
        r.id = *ms.hf_config;
        if (r.name.empty()) r.name = fmt::format("{} ({})", *ms.hf_config, hf.model_type);
        r.source_kind = ModelSource::hf_config;
        r.source = *ms.hf_config;
        r.declared_weights = hf.weights;
        r.declared_group_size = hf.group_size;
        r.notes = hf.notes;
        const ModelArchitecture base = complete_architecture(ModelArchitecture{}, hf.patch, true, {}, at("hf_config"), sink);
        sink.throw_if_any<SpecError>();
        r.architecture = complete_architecture(base, ms.patch, false, ms.locations, ms.where, sink);
    } else if (ms.patch.layers || ms.patch.hidden_size || ms.patch.attention_heads || ms.patch.intermediate_size ||
               ms.patch.vocab_size) {
        r.source_kind = ModelSource::explicit_fields;
        r.source = spec.origin;
        r.architecture = complete_architecture(ModelArchitecture{}, ms.patch, true, ms.locations, ms.where, sink);
    } else if (ms.parameters) {
        r.source_kind = ModelSource::derived;
        r.source = fmt::format("derived from {:g} B parameters", *ms.parameters / 1e9);
        r.architecture = complete_architecture(derive_architecture(*ms.parameters), ms.patch, false, ms.locations, ms.where, sink);
        const auto& a = r.architecture;
        r.notes.push_back(fmt::format(
            "architecture derived from {:g} B parameters (Llama-style: {} layers, hidden {}, {} heads, {} KV heads, "
            "gated MLP {}, vocabulary {}): give the model's fields or a preset for exact KV cache and activations",
            *ms.parameters / 1e9, a.layers, a.hidden_size, a.attention_heads, a.kv_heads, a.intermediate_size, a.vocab_size));
    } else {
        sink.error(ms.where, "'model' needs one of 'preset', 'hf_config', 'parameters' or an architecture");
    }
    sink.throw_if_any<SpecError>();
    if (r.id.empty()) r.id = spec.name.empty() ? "custom" : spec.name;
    if (r.name.empty()) r.name = r.id;
    describe(r);
    if (spec.workload == Workload::inference && r.stack.mtp_parameters > 0) {
        // vLLM and SGLang load a checkpoint's multi-token-prediction modules only when they serve
        // with MTP speculative decoding, which the estimate does not model yet: the serving weights
        // leave them out; the parameter count keeps them.
        r.notes.push_back(fmt::format("the {:.2f} B parameters of the multi-token-prediction module(s) are counted but not loaded: "
                                      "serving engines load them only for MTP speculative decoding",
                                      r.stack.mtp_parameters / 1e9));
        r.stack.mtp_parameters = 0;
        r.stack.mtp_routed_parameters = 0;
    }
    if (ms.parameters && r.source_kind != ModelSource::derived) {
        const double off = std::abs(r.parameters.total / *ms.parameters - 1.0);
        if (off > 0.05)
            r.notes.push_back(fmt::format("the spec says {:g} B parameters, the architecture counts {:.2f} B: the architecture is used",
                                          *ms.parameters / 1e9, r.parameters.total / 1e9));
    }
    return r;
}

Problem make_problem(Spec spec, const ModelLibrary& library, std::optional<std::string_view> hf_config_text,
                     std::optional<std::string_view> hf_quant_config_text) {
    Problem p;
    p.model = resolve_model(spec, library, hf_config_text, hf_quant_config_text);
    // What the model file declares stands unless the spec says otherwise.
    auto& prec = spec.precision;
    if (!prec.weights_explicit && p.model.declared_weights == DType::fp32 && spec.workload == Workload::inference) {
        // vLLM's --dtype auto (the default) downcasts a float32 checkpoint to the platform's first
        // 16-bit type (_resolve_auto_dtype in vllm/config: bf16 where supported, else fp16; both 2
        // bytes); SGLang and TensorRT-LLM serve 16-bit likewise.
        prec.weights = DType::bf16;
        p.model.notes.push_back("the model file declares float32 weights; served in bf16 as engines load float32 checkpoints by "
                                "default (vLLM --dtype auto; fp16 on GPUs without bf16, the same bytes): set precision "
                                "to size fp32 serving");
    } else if (!prec.weights_explicit && p.model.declared_weights) {
        prec.weights = *p.model.declared_weights;
        p.model.notes.push_back(fmt::format("weights in {} as the model file declares", to_string(prec.weights)));
    }
    // The group size the spec gives (precision.group_size or calibration.int4_group_size) wins.
    if (!spec.calibration.count("int4_group_size") && p.model.declared_group_size && prec.weights == DType::int4)
        spec.calibration["int4_group_size"] = static_cast<double>(*p.model.declared_group_size);
    for (const auto& [k, v] : spec.calibration) p.calibration.set(k, v);
    p.spec = std::move(spec);
    return p;
}

}  // namespace gpusize
