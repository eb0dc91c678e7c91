#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpusize/advice.hpp"
#include "gpusize/baseline.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"
#include "gpusize/report.hpp"
#include "gpusize/requirements.hpp"
#include "gpusize/spec.hpp"
#include "gpusize/vocabulary.hpp"

namespace gpusize::cli {
namespace {

/// A file that could not be read: exit 66.
struct InputError {
    std::string message;
};

/// Output could not be written: exit 74.
struct OutputError {
    std::string message;
};

std::optional<double> parse_memory(std::string s) {
    double scale = 1e9;  // a bare number is GB, as datasheets count
    for (auto [suffix, k] : {std::pair{"GiB", 1073741824.0}, std::pair{"GB", 1e9}, std::pair{"MiB", 1048576.0},
                             std::pair{"MB", 1e6}, std::pair{"TB", 1e12}}) {
        const std::string suf(suffix);
        if (s.size() > suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0) {
            scale = k;
            s.resize(s.size() - suf.size());
            break;
        }
    }
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !(v >= 0)) return std::nullopt;
    return v * scale;
}

/// The most any input file may hold: the spec, catalog and config.json parsers refuse more, so a
/// larger file (or an endless stream such as /dev/zero) is refused before it is read into memory.
constexpr std::uintmax_t max_input_bytes = limits::max_input_bytes;

/// What an input is, for the error when it holds more than max_input_bytes: it was read, and is
/// then an invalid spec or config.json (65) or catalog overlay (78); a larger baseline is refused
/// as unreadable (66).
enum class InputKind { spec, catalog, other };

/// Refuses an input over the limit; `size` is unknown for a stream, which is read no further.
[[noreturn]] void refuse_size(const std::string& path, InputKind kind, std::optional<std::uintmax_t> size) {
    const std::string message = size ? fmt::format("file is {} bytes, more than the {} bytes accepted", *size, max_input_bytes)
                                     : fmt::format("input holds more than the {} bytes accepted", max_input_bytes);
    std::vector<Diagnostic> ds{Diagnostic{{path, 0, 0, {}}, message, {}, {}}};
    if (kind == InputKind::spec) throw SpecError(std::move(ds));
    if (kind == InputKind::catalog) throw CatalogError(std::move(ds));
    throw InputError{size ? fmt::format("cannot read '{}': it is {} bytes, more than the {} bytes accepted", path, *size, max_input_bytes)
                          : fmt::format("cannot read '{}': it holds more than the {} bytes accepted", path, max_input_bytes)};
}

/// Reads at most max_input_bytes from `in`; more is refused as refuse_size says.
std::string read_bounded(std::istream& in, const std::string& path, InputKind kind) {
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_input_bytes) refuse_size(path, kind, std::nullopt);
    }
    return text;
}

/// Standard input, once: a closed descriptor or a directory is unreadable input (66), not an
/// empty spec.
std::string read_stdin(std::istream& in, InputKind kind) {
    if (&in == &std::cin) {
        struct stat st {};
        if (fstat(STDIN_FILENO, &st) != 0) throw InputError{"cannot read standard input: it is closed"};
        if (S_ISDIR(st.st_mode)) throw InputError{"cannot read standard input: it is a directory"};
    }
    std::string text = read_bounded(in, "-", kind);
    if (in.bad() || (&in == &std::cin && std::ferror(stdin))) throw InputError{"cannot read standard input: read error"};
    return text;
}

std::string read_file(const std::string& path, std::istream& in, InputKind kind) {
    if (path == "-") return read_stdin(in, kind);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError{fmt::format("cannot read '{}': it is a directory", path)};
    if (std::filesystem::is_regular_file(path, ec)) {
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec && size > max_input_bytes) refuse_size(path, kind, size);
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::string why = std::strerror(errno);
        if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        throw InputError{fmt::format("cannot read '{}': {}", path, why)};
    }
    std::string text = read_bounded(f, path, kind);
    if (f.bad()) throw InputError{fmt::format("cannot read '{}': read error", path)};
    return text;
}

Catalog load_catalog(const Options& o, std::istream& in) {
    std::vector<std::string> texts;
    texts.reserve(o.catalogs.size());
    for (const auto& path : o.catalogs) texts.push_back(read_file(path, in, InputKind::catalog));
    std::vector<CatalogSource> sources{{bundled_catalog_text(), "data/gpus.json"}};
    for (std::size_t i = 0; i < texts.size(); ++i) sources.push_back({texts[i], o.catalogs[i]});
    return parse_catalogs(sources);
}

/// Errors found after parsing (model consistency, GPU names) carry a location but not the line
/// itself: add it, so that every spec error shows the line and a caret.
SpecError with_source_lines(const SpecError& e, const std::string& text, const std::string& origin,
                            const std::vector<Override>& overrides) {
    std::vector<Diagnostic> ds = e.diagnostics();
    relocate_override_diagnostics(ds, text, origin, overrides);
    const LineIndex lines(text);
    for (auto& d : ds)
        if (d.source_line.empty() && d.where.origin == origin && d.where.line > 0 && d.where.pointer.empty())
            d.source_line = lines.line(text, d.where.line);
    return SpecError(std::move(ds), e.more());
}

Problem load_problem(const Options& o, std::istream& in, const Catalog& catalog) {
    const std::vector<Override> overrides = parse_overrides(o.sets);
    const std::string text = read_file(o.spec, in, InputKind::spec);
    Spec spec = parse_spec(text, o.spec, overrides);
    std::optional<std::string> hf_text, hf_quant_text;
    if (spec.model.hf_config) {
        // Relative to the spec's directory (the working directory for stdin).
        std::filesystem::path p(*spec.model.hf_config);
        if (p.is_relative() && o.spec != "-") p = std::filesystem::path(o.spec).parent_path() / p;
        if (p == "-") p = "./-";  // a file named '-': standard input is the spec's or nobody's
        try {
            hf_text = read_file(p.string(), in, InputKind::spec);
        } catch (const InputError& e) {
            throw InputError{fmt::format("{} (the 'model.hf_config' of '{}')", e.message, o.spec)};
        }
        // NVIDIA ModelOpt checkpoints declare their quantisation in hf_quant_config.json beside it.
        const auto quant = p.parent_path() / "hf_quant_config.json";
        std::error_code ec;
        if (std::filesystem::is_regular_file(quant, ec)) hf_quant_text = read_file(quant.string(), in, InputKind::spec);
    }
    try {
        const ModelLibrary presets = bundled_presets(spec.model.preset ? std::vector{*spec.model.preset} : std::vector<std::string>{});
        Problem problem = make_problem(std::move(spec), presets, hf_text, hf_quant_text);
        resolve_gpu_names(problem, catalog);
        return problem;
    } catch (const SpecError& e) {
        throw with_source_lines(e, text, o.spec, overrides);
    }
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void write(std::ostream& out, const std::string& text) {
    out << text;
    out.flush();
    if (!out) throw OutputError{"cannot write the result to standard output"};
}

/// "1 GPU", "8 GPUs".
/// --count, --tp, --pp and --dp over the spec's deployment.
void apply_layout_flags(const Options& o, DeploymentSpec& dep) {
    if (o.count) dep.gpu_count = o.count;
    if (o.tp) dep.tensor_parallel = o.tp;
    if (o.pp) dep.pipeline_parallel = o.pp;
    if (o.dp) dep.data_parallel = o.dp;
}

/// `check`: exactly one deployment, from flags over the spec's `deployment`. A layout left open is
/// the best the planner finds for that GPU and count.
Evaluation check_one(const Options& o, Problem& p, const Catalog& catalog) {
    auto& dep = p.spec.deployment;
    std::optional<Partition> partition;
    if (o.gpu) {
        std::string name = *o.gpu;
        std::string profile;
        const bool colon_given = name.find(':') != std::string::npos;
        if (auto colon = name.find(':'); colon != std::string::npos) {
            profile = name.substr(colon + 1);
            name.resize(colon);
        }
        const Gpu& g = [&]() -> const Gpu& {
            try {
                return catalog.resolve(name);
            } catch (const UsageError& e) {
                auto ds = e.diagnostics();
                for (auto& d : ds) d.message = "--gpu: " + d.message;
                throw UsageError(std::move(ds));
            }
        }();
        if (colon_given && profile.empty()) {
            std::vector<std::string> names;
            for (const auto& part : g.partitions) names.push_back(part.profile);
            throw usage_error(fmt::format("--gpu: '{}' names no partition after ':'", *o.gpu),
                              names.empty() ? fmt::format("'{}' has no partitions: give --gpu {}", g.id, g.id)
                                            : fmt::format("give --gpu {}:PROFILE, one of {}", g.id, fmt::join(names, ", ")));
        }
        if (!profile.empty()) {
            for (const auto& part : g.partitions)
                if (part.profile == profile) partition = part;
            if (!partition) {
                std::vector<std::string> names;
                for (const auto& part : g.partitions) names.push_back(part.profile);
                throw usage_error(fmt::format("'{}' has no partition '{}'", g.id, profile), did_you_mean(profile, names));
            }
        }
        dep.gpus = {g.id};
        // A slice runs alone: a count or a parallel degree would be silently ignored.
        if (partition) {
            std::vector<std::string> given;
            for (const auto& [flag, value] : {std::pair{"--count", o.count}, std::pair{"--tp", o.tp}, std::pair{"--pp", o.pp},
                                              std::pair{"--dp", o.dp}})
                if (value) given.push_back(fmt::format("{} {}", flag, *value));
            if (!given.empty())
                throw usage_error(fmt::format("--gpu {}: a '{}' slice runs on its own, so {} cannot apply", *o.gpu, profile,
                                              fmt::join(given, ", ")),
                                  fmt::format("drop {}, or give --gpu {} for whole GPUs", given.size() == 1 ? "it" : "them", g.id));
        }
    }
    if (dep.gpus.size() != 1)
        throw usage_error("check evaluates one GPU type: give --gpu ID or a single id in the spec's deployment.gpus");
    apply_layout_flags(o, dep);
    return check_deployment(p, catalog, partition);
}

/// `explain`: each `--gpu` evaluated as `check` would; without one, `check`'s choice when the spec
/// names one GPU type, else the best candidate of `plan` (or the option closest to passing).
std::vector<Evaluation> explain_deployments(const Options& o, const Problem& problem, const Catalog& catalog) {
    std::vector<Evaluation> out;
    for (const auto& id : o.explain_gpus) {
        Options one = o;
        one.gpu = id;
        Problem p = problem;
        out.push_back(check_one(one, p, catalog));
    }
    if (!out.empty()) return out;
    Problem p = problem;
    if (p.spec.deployment.gpus.size() == 1) {
        out.push_back(check_one(o, p, catalog));
        return out;
    }
    apply_layout_flags(o, p.spec.deployment);
    out.push_back(best_or_closest(p, catalog));
    return out;
}

/// `check --solve`: the free variable with the GPU fixed, read from the evaluation's serving limits
/// (inference) or from the plan restricted to this GPU (training: only the GPU count is free).
struct Solved {
    std::string variable;  ///< context | concurrency | gpus | rate
    std::optional<std::int64_t> value;
    std::optional<double> rate;  ///< `rate`: requests/s
    std::string line;      ///< the table's closing line
};

Solved solve_variable(const std::string& variable, const Problem& p, const Catalog& catalog, const Evaluation& e) {
    Solved s{.variable = variable, .value = std::nullopt, .rate = std::nullopt, .line = {}};
    const std::string on = fmt::format("{} x {}", e.gpu_count, e.device.id());
    if (p.spec.workload == Workload::training) {
        if (variable != "gpus")
            throw usage_error(fmt::format("--solve: '{}' applies to inference specs; a training spec solves only 'gpus'", variable));
        s.value = fewest_training_gpus(p, catalog, e);
    } else if (variable == "rate") {
        s.rate = solve_max_rate(p, e);
    } else if (e.inference && e.inference->limits) {
        const ServingLimits& l = *e.inference->limits;
        s.value = variable == "context" ? l.max_input_tokens : variable == "concurrency" ? l.max_concurrency : l.min_gpus;
    }
    const auto& inf = p.spec.inference;
    if (variable == "context")
        s.line = s.value ? fmt::format("solved: largest context {} input tokens (output {}) on {}", *s.value, inf.output_tokens, on)
                         : fmt::format("solved: no context fits on {}: even 1 input token (output {}) misses memory or the latency targets",
                                       on, inf.output_tokens);
    else if (variable == "concurrency")
        s.line = s.value ? fmt::format("solved: largest concurrency {} sequences ({} input + {} output tokens) on {}", *s.value,
                                       inf.input_tokens, inf.output_tokens, on)
                         : fmt::format("solved: no concurrency fits on {}: even 1 sequence ({} input + {} output tokens) misses "
                                       "memory or the latency targets",
                                       on, inf.input_tokens, inf.output_tokens);
    else if (variable == "rate") {
        const double cv = inf.arrival ? inf.arrival->burstiness : 1.0;
        const std::string arrivals = cv == 1 ? "Poisson arrivals" : fmt::format("arrivals of burstiness {:g}", cv);
        s.line = s.rate ? fmt::format("solved: largest arrival rate {} requests/s ({}) on {} ({})", *s.rate, arrivals, on,
                                      layout_label(e.layout))
                        : fmt::format("solved: no arrival rate meets the targets on {} ({}): it misses memory or a target at any load",
                                      on, layout_label(e.layout));
    } else
        s.line = s.value ? fmt::format("solved: fewest GPUs {} x {}", *s.value, e.device.id())
                         : fmt::format("solved: no number of {} GPUs fits and meets the targets", e.device.id());
    return s;
}

/// Appends `"solve": {"variable", "value"}` as the JSON document's last top-level key (additive to
/// schema 1.x), in the renderer's layout: two-space indent, one key per line.
std::string with_solve_json(std::string json, const Solved& s) {
    const auto close = json.rfind('}');
    if (close == std::string::npos || close == 0) return json;
    std::size_t end = close;
    while (end > 0 && std::isspace(static_cast<unsigned char>(json[end - 1]))) --end;
    const std::string value = s.value ? std::to_string(*s.value) : s.rate ? fmt::format("{}", *s.rate) : "null";
    return json.substr(0, end) +
           fmt::format(",\n  \"solve\": {{\n    \"variable\": \"{}\",\n    \"value\": {}\n  }}\n", s.variable, value) +
           json.substr(close);
}

/// One renderer per format; YAML is the JSON document re-emitted.
template <class Json, class Table, class Markdown, class Csv>
std::string render_as(Format f, Json json, Table table, Markdown markdown, Csv csv) {
    switch (f) {
        case Format::json: return json();
        case Format::yaml: return render_yaml(json());
        case Format::markdown: return markdown();
        case Format::csv: return csv();
        case Format::table:
        case Format::html: break;  // html is refused before rendering anything but plan and check
    }
    return table();
}

/// Tables follow the terminal: colour only on a terminal without NO_COLOR (https://no-color.org),
/// prose wrapped to COLUMNS or the terminal's width.
RenderOptions render_options(const Options& o, const std::ostream& out) {
    RenderOptions ro;
    ro.top = o.top;
    ro.verbose = o.verbose;
    const bool terminal = &out == &std::cout && isatty(STDOUT_FILENO) == 1;
    const char* no_color = std::getenv("NO_COLOR");
    ro.color = terminal && (no_color == nullptr || *no_color == '\0');
    if (const char* columns = std::getenv("COLUMNS")) {
        std::size_t n = 0;
        const std::string_view s(columns);
        if (std::from_chars(s.data(), s.data() + s.size(), n).ec == std::errc{} && n >= 40) ro.width = n;
    } else if (winsize ws{}; terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) {
        ro.width = ws.ws_col;
    }
    return ro;
}

/// A progress line on stderr, shown only once a search has run for a second.
PlanOptions with_progress(std::ostream& err, bool& shown) {
    PlanOptions po;
    const auto start = std::chrono::steady_clock::now();
    po.progress = [&err, &shown, start](std::size_t evaluated) {
        if (evaluated % 64 != 0 || std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) return;
        err << "\rsearching: " << evaluated << " layouts evaluated" << std::flush;
        shown = true;
    };
    return po;
}

/// Today's date in UTC as YYYY-MM-DD.
std::string utc_today() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

/// `gpus --stale DAYS`: the price rows of `list` dated more than `days` days before `today`.
std::string render_stale_prices(const Catalog& catalog, const std::vector<const Gpu*>& list, std::int64_t days,
                                       const std::string& today, Format format) {
    std::vector<StalePrice> rows;
    std::size_t total = 0;
    for (const auto& r : stale_prices(catalog, today, days))
        if (std::find(list.begin(), list.end(), r.gpu) != list.end()) rows.push_back(r);
    for (const Gpu* g : list) total += g->prices.size();
    if (format == Format::json) {
        nlohmann::ordered_json j;
        j["schema_version"] = "1.0";
        j["today"] = today;
        j["days"] = days;
        j["price_rows"] = total;
        j["stale"] = nlohmann::ordered_json::array();
        for (const auto& r : rows)
            j["stale"].push_back({{"id", r.gpu->id}, {"provider", r.price->provider}, {"region", r.price->region},
                                  {"commitment", std::string(to_string(r.price->commitment))}, {"date", r.price->date},
                                  {"age_days", r.age_days}, {"usd_per_gpu_hour", r.price->per_gpu_hour.value()},
                                  {"source", r.price->source}});
        return j.dump(2) + "\n";
    }
    std::size_t id_w = 2, prov_w = 8;
    for (const auto& r : rows) {
        id_w = std::max(id_w, r.gpu->id.size());
        prov_w = std::max(prov_w, r.price->provider.size());
    }
    std::string s = fmt::format("{:<{}} {:<{}} {:<11} {:<10} {:>8} {:>9}\n", "id", id_w, "provider", prov_w, "commitment", "date",
                                "age days", "USD/GPU-h");
    for (const auto& r : rows)
        s += fmt::format("{:<{}} {:<{}} {:<11} {:<10} {:>8} {:>9.3f}\n", r.gpu->id, id_w, r.price->provider, prov_w,
                         to_string(r.price->commitment), r.price->date, r.age_days, r.price->per_gpu_hour.value());
    s += fmt::format("{} of {} price rows are dated more than {} days before {}\n", rows.size(), total, days, today);
    return s;
}

int run_command(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
    // Standard input can be read once: two readers would leave the second an empty file.
    std::vector<std::string> readers;
    if (o.spec == "-") readers.emplace_back("the spec");
    for (const auto& c : o.catalogs)
        if (c == "-") readers.emplace_back("--catalog");
    if (o.baseline == "-") readers.emplace_back("--baseline");
    if (readers.size() > 1)
        throw usage_error(fmt::format("standard input can be read once, but {} {} name '-'", fmt::join(readers, " and "),
                                      readers.size() == 2 ? "both" : "all"),
                          "save all but one of them to a file");
    const Catalog catalog = load_catalog(o, in);
    const RenderOptions ro = render_options(o, out);
    if (o.command == "gpus") {
        if (o.item) {
            const Gpu& g = catalog.resolve(*o.item);
            if (auto note = catalog.alias_note(*o.item)) err << "gpusize: note: " << *note << "\n";
            write(out, render_as(
                           o.format, [&] { return render_gpus_json(catalog, {&g}); }, [&] { return render_gpu_detail(g); },
                           [&] { return render_gpus_markdown({&g}); }, [&] { return render_gpus_csv(catalog, {&g}); }));
            return exit_code::ok;
        }
        if (o.vendor) {
            std::vector<std::string> vendors;
            for (const auto& g : catalog.gpus)
                if (std::find(vendors.begin(), vendors.end(), g.vendor) == vendors.end()) vendors.push_back(g.vendor);
            std::sort(vendors.begin(), vendors.end());
            if (std::none_of(vendors.begin(), vendors.end(), [&](const std::string& v) { return lower(v) == lower(*o.vendor); })) {
                std::string hint = did_you_mean(*o.vendor, vendors);
                if (hint.empty())
                    for (const auto& v : vendors) hint += (hint.empty() ? "the catalog's vendors are " : ", ") + v;
                throw usage_error(fmt::format("--vendor: no GPU in the catalog is made by '{}'", *o.vendor), hint);
            }
        }
        std::vector<const Gpu*> list;
        for (const auto& g : catalog.gpus) {
            if (o.vendor && lower(g.vendor) != lower(*o.vendor)) continue;
            if (o.min_memory_bytes && g.memory.value() < *o.min_memory_bytes) continue;
            list.push_back(&g);
        }
        if (o.stale_days) {
            write(out, render_stale_prices(catalog, list, *o.stale_days, o.today ? *o.today : utc_today(), o.format));
            return exit_code::ok;
        }
        write(out, render_as(
                       o.format, [&] { return render_gpus_json(catalog, list); }, [&] { return render_gpus_table(list); },
                       [&] { return render_gpus_markdown(list); }, [&] { return render_gpus_csv(catalog, list); }));
        return exit_code::ok;
    }
    if (o.command == "models") {
        const auto& lib = bundled_models();
        if (o.item) {
            const Preset* p = lib.find(*o.item);
            if (!p) throw usage_error(fmt::format("unknown model preset '{}'", *o.item), did_you_mean(*o.item, lib.ids()));
            write(out, render_as(
                           o.format, [&] { return render_models_json({p}); }, [&] { return render_model_detail(*p); },
                           [&] { return render_models_markdown({p}); }, [&] { return render_models_csv({p}); }));
            return exit_code::ok;
        }
        std::vector<const Preset*> list;
        for (const auto& p : lib.presets) list.push_back(&p);
        write(out, render_as(
                       o.format, [&] { return render_models_json(list); }, [&] { return render_models_table(list); },
                       [&] { return render_models_markdown(list); }, [&] { return render_models_csv(list); }));
        return exit_code::ok;
    }
    // Malformed conditions are usage errors, reported together before any work is done.
    std::vector<Requirement> requirements;
    std::vector<Diagnostic> requirement_errors;
    for (std::size_t i = 0; i < o.requirements.size(); ++i) {
        try {
            requirements.push_back(parse_requirement(o.requirements[i], static_cast<int>(i + 1)));
        } catch (const UsageError& e) {
            requirement_errors.insert(requirement_errors.end(), e.diagnostics().begin(), e.diagnostics().end());
        }
    }
    if (!requirement_errors.empty()) throw UsageError(std::move(requirement_errors));
    Problem problem = load_problem(o, in, catalog);
    // The GPU flags' names, as resolve_gpu_names notes the spec's.
    std::vector<std::string> flag_gpus = o.explain_gpus;
    if (o.gpu) flag_gpus.push_back(*o.gpu);
    for (const auto& name : flag_gpus) note_gpu_name(problem, catalog, name.substr(0, name.find(':')));
    check_requirements_apply(requirements, problem.spec.workload);
    Report report;
    if (o.command == "explain") {
        std::vector<Evaluation> evaluations = explain_deployments(o, problem, catalog);
        Plan explained;
        explained.candidates = evaluations;
        report = make_plan_report(problem, catalog, std::move(explained));
        report.command = "explain";
        write(out, render_as(
                       o.format, [&] { return render_explain_json(report); }, [&] { return render_explain_table(report); },
                       [&] { return render_explain_markdown(report); }, [&] { return render_explain_csv(report); }));
        int status = exit_code::ok;
        for (const auto& e : evaluations) {
            const int one = !e.fits ? exit_code::does_not_fit : !e.meets_targets ? exit_code::misses_target : exit_code::ok;
            if (one == exit_code::does_not_fit || (one == exit_code::misses_target && status == exit_code::ok)) status = one;
        }
        return status;
    }
    if (o.command == "plan") {
        bool shown = false;
        Plan plan = plan_deployments(problem, catalog, with_progress(err, shown));
        if (shown) err << "\n";
        report = make_plan_report(problem, catalog, std::move(plan));
    } else {
        Evaluation e = check_one(o, problem, catalog);
        report = make_check_report(problem, catalog, std::move(e));
        // A condition that does not hold is a missed target: a reason, and exit 2 if it fits.
        for (auto& reason : unmet_requirements(requirements, *report.evaluation)) {
            report.evaluation->meets_targets = false;
            report.evaluation->reasons.push_back(std::move(reason));
        }
    }
    if (o.baseline)
        report.baseline = diff_against_baseline(report, read_file(*o.baseline, in, InputKind::other), *o.baseline, o.top.value_or(10));
    std::optional<Solved> solved;
    if (o.solve) solved = solve_variable(*o.solve, problem, catalog, *report.evaluation);
    auto json = [&] {
        std::string text = render_report_json(report, ro);
        // Not `solved ? ... : text`, which copies the whole document.
        if (solved) return with_solve_json(std::move(text), *solved);
        return text;
    };
    if (o.format == Format::html) {
        write(out, render_report_html(report, ro));
        return report_status(report);
    }
    write(out, render_as(
                   o.format, json,
                   [&] { return render_report_table(report, ro) + (solved ? "\n" + solved->line + "\n" : ""); },
                   [&] { return render_report_markdown(report, ro) + (solved ? "\n" + solved->line + "\n" : ""); },
                   [&] { return render_report_csv(report, ro); }));
    if (solved) {
        if (!solved->value && !solved->rate) return exit_code::does_not_fit;
        return unmet_requirements(requirements, *report.evaluation).empty() ? exit_code::ok : exit_code::misses_target;
    }
    return report_status(report);
}

/// CLI11's own range and membership checks word their complaints in capitals and without quotes;
/// these say what was expected and what was got, in the house style.
CLI::Validator whole_number(std::int64_t lo, std::int64_t hi) {
    return CLI::Validator(
        [lo, hi](std::string& s) -> std::string {
            std::int64_t v = 0;
            const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
            if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || v < lo || v > hi)
                return fmt::format("expected a whole number from {} to {}, got '{}'", lo, hi, s);
            return {};
        },
        fmt::format("in [{} - {}]", lo, hi));
}

std::vector<std::string> format_names() {
    std::vector<std::string> out;
    for (const auto& f : output_formats()) out.emplace_back(f.name);
    return out;
}

CLI::Validator one_of(std::vector<std::string> names) {
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return CLI::Validator(
        [names, list](std::string& s) -> std::string {
            if (std::find(names.begin(), names.end(), s) != names.end()) return {};
            return fmt::format("expected {}, got '{}'", list, s);
        },
        list);
}

}  // namespace

std::optional<Options> parse_options(int argc, const char* const* argv, std::ostream& out) {
    Options o;
    CLI::App app{"gpusize: does this workload fit, on which GPUs, how fast, and at what cost?", "gpusize"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("gpusize 0.1.0"));
    app.footer(
        "Examples:\n"
        "  gpusize plan examples/chat-llama-3.1-70b.yaml\n"
        "  gpusize check spec.yaml --gpu h100-sxm-80gb --count 2 -o json\n"
        "  gpusize gpus --vendor nvidia --min-memory 80GB\n"
        "  gpusize models llama-3.1-8b\n"
        "Exit codes: 0 ok, 1 does not fit, 2 misses a target, 64 usage, 65 invalid spec,\n"
        "66 input missing, 70 internal error, 74 output failed, 78 invalid catalog.");
    std::string format = "table", min_memory;
    auto add_common = [&](CLI::App* sub) {
        sub->add_option("-o,--output", format, "output format: " + output_formats_text())->check(one_of(format_names()));
        sub->add_option("--catalog", o.catalogs, "overlay a GPU catalog file (repeatable)");
    };
    auto add_set = [&](CLI::App* sub) {
        sub->add_option("--set", o.sets, "set a spec key, KEY=VALUE with a dotted key and a YAML value (repeatable)")
            ->allow_extra_args(false);
    };
    auto* plan = app.add_subcommand("plan", "rank the GPU deployments that fit a workload spec");
    plan->add_option("spec", o.spec, "workload spec (YAML), or - for standard input")->required();
    add_common(plan);
    add_set(plan);
    plan->add_option("--top", o.top, "show the best N candidates")->check(whole_number(1, 1000000));
    plan->add_option("--baseline", o.baseline, "compare with an earlier 'plan -o json' (rank, memory, cost)");
    plan->add_flag("--verbose", o.verbose, "list every rejected option and assumption");
    plan->footer("Examples:\n"
                 "  gpusize plan examples/chat-llama-3.1-70b.yaml --top 5\n"
                 "  gpusize plan spec.yaml --set inference.concurrency=64 --set precision=fp8 -o markdown");
    auto* check = app.add_subcommand("check", "evaluate one deployment; the exit code says whether it fits");
    check->add_option("spec", o.spec, "workload spec (YAML), or - for standard input")->required();
    add_common(check);
    add_set(check);
    check->add_option("--gpu", o.gpu, "catalog id or alias (ID:PROFILE for a MIG slice)");
    check->add_option("--baseline", o.baseline, "compare with an earlier 'check -o json' (memory, cost, verdict)");
    check->add_option("--count", o.count, "number of GPUs")->check(whole_number(1, limits::max_gpu_count));
    check->add_option("--tp", o.tp, "tensor parallel degree")->check(whole_number(1, limits::max_gpu_count));
    check->add_option("--pp", o.pp, "pipeline parallel degree")->check(whole_number(1, limits::max_gpu_count));
    check->add_option("--dp", o.dp, "data parallel degree (replicas)")->check(whole_number(1, limits::max_gpu_count));
    check->add_flag("--verbose", o.verbose, "list every assumption");
    check->add_option("--solve", o.solve,
                      "with the GPU fixed, solve for the largest context, the largest concurrency, the fewest GPUs or "
                      "the largest arrival rate that fit and meet the targets; exit 0 when a value exists, 1 when none does")
        ->check(one_of({solve_variables().begin(), solve_variables().end()}));
    check->add_option("--require", o.requirements,
                      "a condition FIELD OP VALUE that must hold, such as 'usd_per_million_output_tokens<0.5' or "
                      "'headroom>=15%' (repeatable); one that does not exits 2")
        ->allow_extra_args(false);
    check->footer("Examples:\n"
                  "  gpusize check spec.yaml --gpu h100-sxm-80gb --count 8 --tp 8\n"
                  "  gpusize check spec.yaml --gpu h100 --set model.kv_heads=4 -o csv\n"
                  "  gpusize check spec.yaml --gpu h200 --solve context\n"
                  "  gpusize check spec.yaml --require 'usd_per_million_output_tokens<0.5' --require 'headroom>=15%'");
    auto* explain = app.add_subcommand("explain", "show every term of the estimate with its formula, inputs and source");
    explain->add_option("spec", o.spec, "workload spec (YAML), or - for standard input")->required();
    add_common(explain);
    add_set(explain);
    explain->add_option("--gpu", o.explain_gpus, "explain this GPU (repeatable; ID:PROFILE for a MIG slice)")
        ->allow_extra_args(false);
    explain->add_option("--count", o.count, "number of GPUs")->check(whole_number(1, limits::max_gpu_count));
    explain->add_option("--tp", o.tp, "tensor parallel degree")->check(whole_number(1, limits::max_gpu_count));
    explain->add_option("--pp", o.pp, "pipeline parallel degree")->check(whole_number(1, limits::max_gpu_count));
    explain->add_option("--dp", o.dp, "data parallel degree (replicas)")->check(whole_number(1, limits::max_gpu_count));
    explain->footer("Examples:\n"
                    "  gpusize explain examples/chat-llama-3.1-70b.yaml --gpu h100-sxm-80gb --count 4\n"
                    "  gpusize explain spec.yaml --gpu h100 --gpu mi300x --set calibration.decode_step_overhead_ms=2 -o json");
    auto* gpus = app.add_subcommand("gpus", "list the GPU catalog, or show one entry with its sources");
    gpus->add_option("id", o.item, "show one GPU with every field and its source");
    add_common(gpus);
    gpus->add_option("--vendor", o.vendor, "only this vendor (nvidia, amd, intel, google, aws, furiosa, rebellions, tenstorrent)");
    gpus->add_option("--min-memory", min_memory, "only GPUs with at least this memory (80GB, 141GiB)");
    gpus->add_option("--stale", o.stale_days, "list the price rows dated more than DAYS days ago (-o table or json)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000}));
    gpus->add_option("--today", o.today, "the date --stale counts from, YYYY-MM-DD (default: today, UTC; for reproducible runs)");
    gpus->footer("Examples:\n"
                 "  gpusize gpus --min-memory 80GB -o json\n"
                 "  gpusize gpus --stale 90\n"
                 "  gpusize gpus h100-sxm-80gb -o yaml");
    auto* models = app.add_subcommand("models", "list the bundled model presets, or show one");
    models->add_option("id", o.item, "show one preset");
    add_common(models);
    models->footer("Examples:\n"
                   "  gpusize models deepseek-v3\n"
                   "  gpusize models -o csv");
    // CLI11 ends a help text with its footer and no newline.
    auto print = [&out](std::string text) {
        if (!text.empty() && text.back() != '\n') text += '\n';
        out << text;
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        print(app.help());
        return std::nullopt;
    } catch (const CLI::CallForAllHelp&) {
        print(app.help("", CLI::AppFormatMode::All));
        return std::nullopt;
    } catch (const CLI::CallForVersion&) {
        out << "gpusize 0.1.0\n";
        return std::nullopt;
    } catch (const CLI::ParseError& e) {
        // Help for a subcommand arrives as CallForHelp from the subcommand.
        if (e.get_exit_code() == 0) {
            for (auto* sub : app.get_subcommands()) print(sub->help());
            if (app.get_subcommands().empty()) print(app.help());
            return std::nullopt;
        }
        std::string msg = e.what();
        if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
        while (!msg.empty() && (msg.back() == '.' || msg.back() == '\n')) msg.pop_back();
        if (msg == "a subcommand is required") msg = "expected a command: plan, check, explain, gpus or models";
        // CLI11: "--gpu: At Most 1 required but received 2" for a single-valued option given twice.
        const std::string at_most = ": At Most 1 required but received ";
        if (const auto k = msg.find(at_most); k != std::string::npos)
            msg = fmt::format("{} was given {} times: it takes one value", msg.substr(0, k), msg.substr(k + at_most.size()));
        if (msg == "spec is required") msg = "missing the workload spec: give a YAML file, or - for standard input";
        throw usage_error(msg, "run 'gpusize --help' for usage");
    }
    for (auto* sub : {plan, check, explain, gpus, models})
        if (sub->parsed()) o.command = sub->get_name();
    for (const auto& f : output_formats()) {
        if (f.name != format || !f.reports_only || o.command == "plan" || o.command == "check") continue;
        std::vector<std::string_view> others;
        for (const auto& g : output_formats())
            if (!g.reports_only) others.push_back(g.name);
        const std::string last(others.back());
        others.pop_back();
        throw usage_error(fmt::format("-o {} is for plan and check, not {}", format, o.command),
                          fmt::format("use -o {} or {}", fmt::join(others, ", "), last));
    }
    o.format = format == "html" ? Format::html
               : format == "json" ? Format::json
               : format == "yaml" ? Format::yaml
               : format == "markdown" ? Format::markdown
               : format == "csv" ? Format::csv
                                 : Format::table;
    if (o.today && !o.stale_days) throw usage_error("--today is the date --stale counts from: give --stale DAYS too");
    if (o.stale_days && o.item) throw usage_error("--stale lists the price rows of the whole catalog: leave out the id", "filter with --vendor or --min-memory");
    if (o.stale_days && o.format != Format::table && o.format != Format::json)
        throw usage_error(fmt::format("--stale prints a table or JSON, not {}", format), "use -o table or -o json");
    if (!min_memory.empty()) {
        o.min_memory_bytes = parse_memory(min_memory);
        if (!o.min_memory_bytes) throw usage_error(fmt::format("--min-memory: expected a size such as 80GB or 141GiB, got '{}'", min_memory));
    }
    return o;
}

int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err) {
    try {
        const auto options = parse_options(argc, argv, out);
        if (!options) {
            // Help and the version are results too: a full or closed standard output fails them.
            write(out, "");
            return exit_code::ok;
        }
        return run_command(*options, in, out, err);
    } catch (const UsageError& e) {
        err << e.what();
        return exit_code::usage;
    } catch (const SpecError& e) {
        err << e.what();
        return exit_code::invalid_spec;
    } catch (const CatalogError& e) {
        err << e.what();
        return exit_code::invalid_catalog;
    } catch (const InputError& e) {
        err << "gpusize: error: " << e.message << "\n";
        return exit_code::input_missing;
    } catch (const OutputError& e) {
        err << "gpusize: error: " << e.message << "\n";
        return exit_code::output_failed;
    } catch (const std::exception& e) {
        err << "gpusize: internal error: " << e.what() << "\n";
        return exit_code::internal;
    }
}

}  // namespace gpusize::cli
