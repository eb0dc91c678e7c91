// A sizing problem ready to estimate: the parsed spec, the model resolved to an exact architecture
// (from a preset, a Hugging Face config, explicit fields, or derived from a parameter count), and
// the calibration constants in force.
#pragma once

#include <string>
#include <vector>

#include "gpusize/calibration.hpp"
#include "gpusize/model.hpp"
#include "gpusize/spec.hpp"

namespace gpusize {

enum class ModelSource { preset, hf_config, explicit_fields, derived };
std::string_view to_string(ModelSource s);

struct ResolvedModel {
    std::string id;    ///< preset id, config file name, or the spec's name
    std::string name;
    ModelSource source_kind = ModelSource::explicit_fields;
    std::string source;  ///< URL or path the architecture came from
    ModelArchitecture architecture;  ///< as configured (spec keys, preset, config.json)
    LayerStack stack;                ///< the layers it describes: what estimators price
    ParameterCount parameters;
    /// Weights precision the model file declares (torch_dtype / quantization_config), if any.
    std::optional<DType> declared_weights;
    std::optional<int> declared_group_size;  ///< GPTQ/AWQ group size the file declares
    std::vector<std::string> notes;  ///< what was derived or assumed
};

/// Sets `stack` and `parameters` from `architecture`; call it after changing the architecture.
inline void describe(ResolvedModel& m) {
    m.stack = layer_stack(m.architecture);
    m.parameters = count_parameters(m.stack);
}

struct Problem {
    Spec spec;
    ResolvedModel model;
    Calibration calibration;
    /// For each GPU name settled by the catalog's alias_defaults, which entry it was taken to mean
    /// (Catalog::alias_note): shown in the report's assumptions.
    std::vector<std::string> gpu_name_notes;
};

}  // namespace gpusize
