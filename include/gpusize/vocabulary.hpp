// The words gpusize understands, each in one table: the spec keys (dotted path, kind of value,
// range, one doc line), the enum spellings they accept, the dtype aliases, the output formats, the
// `--require` fields, the `--solve` variables and the input limits. The spec parser takes its
// spellings and limits from here and the CLI its format, requirement and solve lists; the help
// text, completions, man page, README, JSON Schema and fuzz dictionaries are checked against these
// tables by tests/unit/test_vocabulary.cpp, which fails when one of them disagrees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gpusize {

/// Input limits: beyond them an input is refused (they keep every product finite, every file
/// small enough to read at once and every diagnostic list short).
namespace limits {
inline constexpr std::int64_t max_layers = 10'000;
inline constexpr std::int64_t max_width = 1'000'000;  ///< hidden size, heads, head dim, ranks
inline constexpr std::int64_t max_tokens = 100'000'000;
inline constexpr std::int64_t max_sequences = 10'000'000;
inline constexpr std::int64_t max_gpu_count = 1'000'000;
inline constexpr double max_parameters = 1e15;
/// Encoder tower parameters a model may declare (model.encoder_parameters): 10^13.
inline constexpr std::int64_t max_encoder_parameters = 10'000'000'000'000;
/// GPU names a spec may list (deployment.gpus, pricing.usd_per_gpu_hour): more than a catalog
/// holds, and few enough that looking each up (with a suggestion when unknown) stays instant.
inline constexpr std::size_t max_gpu_names = 256;
/// Bytes an input file (spec, model config, catalog overlay, baseline) may hold: 4 MiB.
inline constexpr std::size_t max_input_bytes = std::size_t{4} << 20;
/// Levels YAML and JSON collections may nest.
inline constexpr int max_nesting = 64;
}  // namespace limits

/// What a spec key holds, as the parser reads it.
enum class KeyKind {
    section,           ///< a mapping of the keys below it
    string,            ///< any text
    integer,           ///< a whole number in [min, max]
    integer_or_auto,   ///< a whole number in [min, max], or `auto`
    tokens,            ///< a whole number of tokens in [min, max], or one with a K or M suffix (8k)
    count,             ///< a number in [min, max], with a K/M/B/T suffix (70.6B)
    number,            ///< a finite number in [min, max]
    fraction,          ///< 10% or 0.1: from 0 to below 1
    share,             ///< 100% or 1: above 0 and up to 1
    boolean,           ///< true or false
    choice,            ///< one of `spellings`
    dtype,             ///< one of `spellings`, or a dtype alias of one (dtype_aliases)
    dtype_or_section,  ///< `precision`: one dtype for all, or a section
    choice_list,       ///< a list of items among `spellings`
    layer_list,        ///< a list of items among `spellings`, each alone or with +dense, +moe or +none
    name_list,         ///< a catalog id or a list of them
    price_map,         ///< GPU id -> number in [min, max]
};

struct SpecKey {
    std::string path;  ///< dotted, as `--set` takes it
    KeyKind kind;
    double min = 0;
    double max = 0;
    std::vector<std::string_view> spellings;  ///< choice, dtype, choice_list: in the order messages list them
    std::string_view doc;
};

/// Every spec key, sections before the keys inside them, `calibration.<constant>` last (one per
/// constant of calibration.hpp's table, in its order).
const std::vector<SpecKey>& spec_keys();
/// The key at `path`, or nullptr.
const SpecKey* find_spec_key(std::string_view path);
/// The spellings of a choice, dtype or choice_list key, as the parser's lists (empty for another
/// key or an unknown path).
std::vector<std::string> spellings(std::string_view path);

struct DTypeAlias {
    std::string_view alias;  ///< PyTorch's or Hugging Face's name
    std::string_view name;   ///< the dtype it stands for
};
/// Other spellings of dtypes, accepted wherever the dtype they stand for is.
const std::vector<DTypeAlias>& dtype_aliases();

struct OutputFormat {
    std::string_view name;  ///< as `-o` takes it
    bool reports_only;      ///< plan and check only
    std::string_view doc;
};
/// The `-o` formats, the default first.
const std::vector<OutputFormat>& output_formats();
/// "table, json, yaml, markdown, csv (html for plan and check)": the `-o` help line's list.
std::string output_formats_text();

enum class FieldScope { any, inference, training };

struct RequirementField {
    std::string_view name;
    FieldScope scope;
    bool fraction;                     ///< compared as a fraction: `headroom>=15%`
    std::string_view unknown_because;  ///< why the value can be missing
    std::string_view doc;
};
/// The `check --require` fields.
const std::vector<RequirementField>& requirement_field_table();
/// Other names of requirement fields: {"headroom", "memory_headroom"}.
const std::vector<std::pair<std::string_view, std::string_view>>& requirement_aliases();

/// The `check --solve` variables.
const std::vector<std::string_view>& solve_variables();

}  // namespace gpusize
