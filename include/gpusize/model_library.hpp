// The model library: bundled presets (data/models.yaml, embedded at build time) and the
// resolution of a spec's `model:` section into an exact architecture, from a preset, a Hugging
// Face config.json, explicit fields, or a bare parameter count (derived, and said so). Spec
// fields override what the preset or file says. Inconsistent architectures are SpecErrors that
// point at the offending key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/problem.hpp"

namespace gpusize {

struct Preset {
    std::string id;
    std::string name;
    std::string source;
    std::string published_source;
    std::string published_parameters_text;  ///< as written, e.g. "70.6B": its digits tell its rounding
    double published_parameters = 0;
    std::optional<std::string> published_active_parameters_text;
    std::optional<double> published_active_parameters;
    /// The published active count leaves out the input embedding (gpt-oss's model card does).
    bool published_active_excludes_embedding = false;
    ModelArchitecture architecture;
};

struct ModelLibrary {
    std::vector<Preset> presets;  ///< sorted by id
    /// Ids of presets the library knows but did not parse (see bundled_presets): offered by ids()
    /// for "did you mean", never returned by find().
    std::vector<std::string> unparsed_ids;
    const Preset* find(std::string_view id) const;
    /// Every id, parsed or not, sorted.
    std::vector<std::string> ids() const;
    /// The preset a name that is not an id most likely means, for "did you mean": compared in any
    /// case, without an organisation prefix (`meta-llama/`) and without the fine-tune suffixes
    /// -Instruct, -Chat, -it and -hf that name a checkpoint of the same architecture
    /// (`Llama-3.1-8B-Instruct` -> `llama-3.1-8b`), else the closest id by edit distance.
    std::optional<std::string> suggest(std::string_view name) const;
};

/// Parses a preset file. Problems are reported as SpecErrors located in `origin`.
ModelLibrary parse_model_library(std::string_view yaml_text, std::string_view origin);

/// The bundled presets (parsed once).
const ModelLibrary& bundled_models();

/// The bundled presets named in `wanted`, each parsed from its own block of data/models.yaml (the
/// lines from its `  - id:` to the next), and every other bundled id in `unparsed_ids`: what a
/// spec naming one preset needs. yaml-cpp takes about a third of a whole `plan` to read all of
/// data/models.yaml; one block takes a fiftieth of that. Ids that are not bundled are left out.
ModelLibrary bundled_presets(const std::vector<std::string>& wanted);

/// Applies the fields a patch sets over an architecture, then fills defaults (kv_heads =
/// attention_heads, head_dim = hidden / heads, expert sizes = intermediate size) and checks
/// consistency. Problems go to `sink`, located with `locations` (key -> where it was written),
/// falling back to `where`.
ModelArchitecture complete_architecture(const ModelArchitecture& base, const ModelPatch& patch, bool from_scratch,
                                        const std::map<std::string, SourceLocation>& locations,
                                        const SourceLocation& where, DiagnosticSink& sink);

/// What a Hugging Face config.json says, as a patch plus the declared weights precision.
struct HfModel {
    ModelPatch patch;
    std::string model_type;
    std::optional<DType> weights;     ///< torch_dtype, or the quantization_config's format
    std::optional<int> group_size;    ///< GPTQ/AWQ group size
    std::vector<std::string> notes;
};

/// Reads a config.json. Throws SpecError naming `origin` and the JSON field for an unknown
/// model_type or a missing field.
HfModel parse_hf_config(std::string_view json_text, std::string_view origin);

/// Reads the hf_quant_config.json NVIDIA ModelOpt writes beside config.json (`producer`,
/// `quantization`: quant_algo, group_size, exclude_modules) into `model`: its weights format
/// and unquantised modules win over config.json's. Throws SpecError naming `origin`.
void apply_hf_quant_config(std::string_view json_text, std::string_view origin, HfModel& model);

/// Resolves the spec's model. `hf_config_text` is the file the spec's `hf_config` names (read by
/// the caller; the core does no I/O). Throws SpecError.
/// `hf_quant_config_text` is the hf_quant_config.json beside it, when the caller found one.
ResolvedModel resolve_model(const Spec& spec, const ModelLibrary& library, std::optional<std::string_view> hf_config_text,
                            std::optional<std::string_view> hf_quant_config_text = std::nullopt);

/// The spec resolved into a problem: model, calibration overrides, precision from the model file.
Problem make_problem(Spec spec, const ModelLibrary& library, std::optional<std::string_view> hf_config_text,
                     std::optional<std::string_view> hf_quant_config_text = std::nullopt);

}  // namespace gpusize
