// Renderers: a Report (or catalog / model listing) to text. JSON is the contract: fixed key order,
// fixed number formatting (integers for bytes and counts, 6 significant digits otherwise), no
// timestamps, documented in the README. Tables are for people.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpusize/catalog.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/report.hpp"

namespace gpusize {

struct RenderOptions {
    std::optional<std::size_t> top = std::nullopt;  ///< candidates shown; table default 10, JSON default all
    bool verbose = false;            ///< table: list every rejected option and every assumption
    bool color = false;              ///< table: ANSI colour for verdicts and headings (the CLI decides: a terminal, no NO_COLOR)
    std::optional<std::size_t> width = std::nullopt;  ///< table: wrap prose (reasons, assumptions) to this many columns
};

std::string render_report_json(const Report& r, const RenderOptions& o = {});
std::string render_report_table(const Report& r, const RenderOptions& o = {});
/// A self-contained HTML page (no scripts, no network) with the table and SVG charts: memory per
/// GPU against capacity, cost against throughput with the Pareto frontier, the roofline.
std::string render_report_html(const Report& r, const RenderOptions& o = {});

/// `gpus -o json`: {"schema_version", "catalogs", "gpus": [...]}.
std::string render_gpus_json(const Catalog& c, const std::vector<const Gpu*>& gpus);
std::string render_gpus_table(const std::vector<const Gpu*>& gpus);
/// `gpus ID`: every field with its source.
std::string render_gpu_detail(const Gpu& g);

/// `models -o json`: {"schema_version", "models": [...]}.
std::string render_models_json(const std::vector<const Preset*>& presets);
std::string render_models_table(const std::vector<const Preset*>& presets);
std::string render_model_detail(const Preset& p);

// ---- further output formats (render_formats.cpp) ----

/// `-o yaml` of any command: the command's JSON document as block YAML, with the same keys in the
/// same order and the same number text (an exponent gets a fraction, `1.0e+06`, so YAML 1.1 readers
/// see a number). Strings are plain where that is unambiguous, else double-quoted as in the JSON.
std::string render_yaml(std::string_view json);

/// `plan -o csv` / `check -o csv`: a header row, then one row per evaluation (`plan`: the
/// candidates kept by `--top`, then the rejected; `check`: the one evaluation). The first column
/// `status` is candidate, rejected or evaluation; the others are the JSON evaluation's fields
/// flattened with dots (`gpu.id`, `parallelism.tensor`, `memory_per_gpu.total_bytes`,
/// `inference.ttft_s`, `cost.usd_per_hour`), lists of strings joined with "; ", null as empty.
std::string render_report_csv(const Report& r, const RenderOptions& o = {});
/// `gpus -o csv`: one row per GPU, the JSON fields flattened with dots (list items by index,
/// `prices.0.usd_per_gpu_hour`); columns are the union over the GPUs listed.
std::string render_gpus_csv(const Catalog& c, const std::vector<const Gpu*>& gpus);
/// `models -o csv`: one row per preset, the JSON fields flattened with dots.
std::string render_models_csv(const std::vector<const Preset*>& presets);

/// `-o markdown`: the table output as GitHub markdown (headings, bullet lists and pipe tables),
/// for pull-request comments and wikis.
std::string render_report_markdown(const Report& r, const RenderOptions& o = {});
std::string render_gpus_markdown(const std::vector<const Gpu*>& gpus);
std::string render_models_markdown(const std::vector<const Preset*>& presets);

/// `plan` with no valid layout at all: "no valid layout: " and the distinct reasons layouts were
/// skipped (or that the search had none to try), for every text format.
std::string no_valid_layout_text(const Report& r);

namespace detail {
/// A GitHub pipe table; `align` has one letter per column, 'r' right-aligned, else left.
std::string markdown_table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                           const std::string& align);
/// CSV of (column, cell) rows: the header is the union of the columns, RFC 4180 quoting.
std::string csv_table(const std::vector<std::vector<std::pair<std::string, std::string>>>& rows);
}  // namespace detail

// ---- explain (render_explain.cpp) ----

/// `explain`: for each deployment in `r.candidates` (each evaluated as `check` would), every
/// term of the estimate with its formula, inputs, value and source; then every assumption of
/// `r.assumptions` with how to override it. JSON: {"schema_version", "command": "explain",
/// "model", "deployments": [{"gpu", "gpu_count", "parallelism", "fits", "meets_targets",
/// "reasons", "terms": [{"name", "formula", "inputs", "value", "unit", "source"}]}],
/// "assumptions": [{"name", "value", "source", "override"}], "unmodelled"}.
std::string render_explain_json(const Report& r);
std::string render_explain_table(const Report& r);
/// One row per term of each deployment.
std::string render_explain_csv(const Report& r);
std::string render_explain_markdown(const Report& r);

}  // namespace gpusize
