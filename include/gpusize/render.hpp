// Renderers: a Report (or catalog / model listing) to text. JSON is the contract: fixed key order,
// fixed number formatting (integers for bytes and counts, 6 significant digits otherwise), no
// timestamps, documented in the README. Tables are for people.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "gpusize/catalog.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/report.hpp"

namespace gpusize {

struct RenderOptions {
    std::optional<std::size_t> top;  ///< candidates shown; table default 10, JSON default all
    bool verbose = false;            ///< table: list every rejected option and every assumption
};

std::string render_report_json(const Report& r, const RenderOptions& o = {});
std::string render_report_table(const Report& r, const RenderOptions& o = {});

/// `gpus -o json`: {"schema_version", "catalogs", "gpus": [...]}.
std::string render_gpus_json(const Catalog& c, const std::vector<const Gpu*>& gpus);
std::string render_gpus_table(const std::vector<const Gpu*>& gpus);
/// `gpus ID`: every field with its source.
std::string render_gpu_detail(const Gpu& g);

/// `models -o json`: {"schema_version", "models": [...]}.
std::string render_models_json(const std::vector<const Preset*>& presets);
std::string render_models_table(const std::vector<const Preset*>& presets);
std::string render_model_detail(const Preset& p);

}  // namespace gpusize
