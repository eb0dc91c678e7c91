#include "gpusize/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog_snapshot.hpp"
#include "gpusize/diagnostics.hpp"
#include "json_index.hpp"
#include "json_limits.hpp"

namespace gpusize {

namespace embedded {
extern const std::string_view gpus_json;
/// data/gpus.json as CBOR, and the Catalog parse_catalogs makes of it alone (src/catalog_snapshot.hpp),
/// both made at build time by cmake/embed_catalog.cpp; empty when the text failed the reader's checks.
extern const std::string_view gpus_cbor;
extern const std::string_view gpus_snapshot;
}

using json = nlohmann::json;
using detail::line_column;
using detail::locate_json;
using detail::report_duplicate_keys;

std::string_view to_string(DType t) {
    switch (t) {
        case DType::fp64: return "fp64";
        case DType::fp32: return "fp32";
        case DType::tf32: return "tf32";
        case DType::bf16: return "bf16";
        case DType::fp16: return "fp16";
        case DType::fp8: return "fp8";
        case DType::int8: return "int8";
        case DType::int4: return "int4";
        case DType::nf4: return "nf4";
        case DType::fp4: return "fp4";
        case DType::nvfp4: return "nvfp4";
    }
    return "?";
}

std::optional<DType> parse_dtype(std::string_view s) {
    for (auto t : {DType::fp64, DType::fp32, DType::tf32, DType::bf16, DType::fp16, DType::fp8, DType::int8, DType::int4,
                   DType::nf4, DType::fp4, DType::nvfp4})
        if (to_string(t) == s) return t;
    return std::nullopt;
}

std::optional<FlopsPerSecond> Gpu::peak(DType t) const {
    // Weight-only formats compute in 16-bit after de-quantisation.
    if (t == DType::nf4) t = DType::bf16;
    if (t == DType::nvfp4) t = DType::fp4;  // the same FP4 tensor-core rate
    auto it = dense_flops.find(t);
    if (it == dense_flops.end()) return std::nullopt;
    return it->second;
}

BytesPerSecond Gpu::pcie_bandwidth() const {
    // PCIe 3.0 runs 8 GT/s per lane and each generation doubles it; 128b/130b encoding.
    const double gts = 8.0 * std::pow(2.0, std::max(0, pcie_generation - 3));
    return bytes_per_s(gts * 1e9 * 128.0 / 130.0 / 8.0 * pcie_lanes);
}

std::string_view to_string(Commitment c) {
    return commitment_names()[static_cast<std::size_t>(c)];
}

const std::vector<std::string>& commitment_names() {
    static const std::vector<std::string> names{"on_demand", "spot", "reserved_1y", "reserved_3y"};
    return names;
}

const std::vector<std::string>& offer_kind_names() {
    static const std::vector<std::string> names{"cloud", "marketplace"};
    return names;
}

std::string_view to_string(OfferKind k) {
    return offer_kind_names()[static_cast<std::size_t>(k)];
}

std::optional<Commitment> parse_commitment(std::string_view s) {
    const auto& n = commitment_names();
    for (std::size_t i = 0; i < n.size(); ++i)
        if (n[i] == s) return static_cast<Commitment>(i);
    return std::nullopt;
}

std::optional<Price> Gpu::cheapest_price(Commitment commitment) const {
    std::optional<Price> best;
    for (const auto& p : prices)
        if (p.commitment != commitment) continue;
        else if (!best || p.per_gpu_hour < best->per_gpu_hour ||
            (p.per_gpu_hour == best->per_gpu_hour && p.provider < best->provider))
            best = p;
    return best;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

const std::vector<std::string> entry_keys{
    "id", "name", "vendor", "architecture", "form_factor", "launch_year", "aliases", "memory_bytes", "usable_memory_bytes",
    "memory_type", "memory_bandwidth_bytes_per_s", "dense_flops_per_s", "sparse_flops_per_s", "scale_up", "pcie", "scale_out",
    "efficiency", "tdp_watts", "prices", "purchase", "partitions", "unified_memory", "counted_as", "chips_per_unit",
    "cores_per_unit", "basis", "sources", "notes"};
const std::vector<std::string> required_keys{
    "id", "name", "vendor", "architecture", "form_factor", "launch_year", "memory_bytes", "usable_memory_bytes",
    "memory_type", "memory_bandwidth_bytes_per_s", "dense_flops_per_s", "pcie", "tdp_watts", "sources"};
const std::vector<std::string> efficiency_keys{"memory_bandwidth", "matmul", "allreduce_intra_node", "allreduce_inter_node",
                                               "source", "measured"};
const std::vector<std::string> required_sources{"memory", "memory_bandwidth", "dense_flops", "tdp"};

const std::vector<std::string> scale_up_kinds{"nvlink", "infinity_fabric", "ici", "neuronlink", "ualink", "xe_link",
                                              "rdma_ethernet", "tt_ethernet"};
const std::vector<std::string> counted_as_values{"gpu", "chip", "card", "package", "system"};
const std::vector<std::string> basis_values{"estimate", "preliminary"};
const std::vector<std::string> basis_groups{"memory", "usable_memory", "memory_bandwidth", "dense_flops", "sparse_flops",
                                            "tdp", "links", "prices", "partitions", "unified_memory"};
const std::vector<std::string> partition_kinds{"mig", "sr-iov", "compute_partition"};
const std::vector<std::string> instance_keys{"gpus", "scale_up", "scale_up_gpus", "interconnect", "interconnect_gbps", "partition"};
const std::vector<std::string> interconnect_kinds{"none", "ethernet", "roce", "infiniband", "efa", "ici", "dcn"};
const std::vector<std::string> unified_memory_kinds{"shared", "coherent_host"};

/// The catalog schema this build writes and reads; any 1.x is accepted (1.1 added alias_defaults;
/// 1.2 added unified_memory, counted_as, chips_per_unit, cores_per_unit, basis, partition kinds;
/// 1.3 added a price row's `instance` shape and `kind`).
constexpr const char* current_schema_version = "1.3";

/// Plausible values, generous on both sides: beyond them a number is a typo or a unit slip, and
/// 1e-300 or 1e308 would print absurd times or overflow the integer conversions downstream.
struct Range {
    double lo;
    double hi;
    bool lo_open;      ///< (lo, hi] rather than [lo, hi]
    const char* text;  ///< as the message says it
};
constexpr Range memory_range{1073741824.0, 1e14, false, "from 1 GiB to 100 TB (1073741824 to 1e14 bytes)"};
constexpr Range bandwidth_range{1e9, 1e15, false, "from 1 GB/s to 1 PB/s (1e9 to 1e15 bytes/s)"};
constexpr Range flops_range{1e11, 1e18, false, "from 0.1 to 1000000 TFLOP/s (1e11 to 1e18 per second)"};
constexpr Range tdp_range{1, 1e5, false, "from 1 to 100000 watts"};
constexpr Range fraction_range{0.01, 1, false, "a fraction from 0.01 to 1"};
constexpr Range interconnect_range{1, 1e6, false, "from 1 to 1000000 Gb/s"};
constexpr Range hourly_price_range{0, 1000, true, "a price in (0, 1000] USD per GPU-hour"};
constexpr Range purchase_range{0, 1e7, true, "a price in (0, 10000000] USD"};

/// Fills in where a diagnostic is: its file, its pointer in that file and its position there.
/// `at_key`: point at an object member's key (unknown keys) rather than at its value.
using Locator = std::function<void(Diagnostic&, bool at_key)>;

/// Validates one JSON value at a pointer; every accessor records a diagnostic and returns a
/// fallback, so the whole file is checked in one pass.
class Checker {
public:
    Checker(DiagnosticSink& sink, Locator locate) : sink_(sink), locate_(std::move(locate)) {}

    void error(const std::string& pointer, std::string message, std::string hint = {}, bool at_key = false) {
        Diagnostic d{SourceLocation{{}, 0, 0, pointer}, std::move(message), std::move(hint), {}};
        locate_(d, at_key);
        sink_.diagnostics().push_back(std::move(d));
    }

    static std::string got(const json& v) {
        if (v.is_null()) return "null";
        if (v.is_string()) return fmt::format("'{}'", v.get<std::string>());
        if (v.is_object()) return "an object";
        if (v.is_array()) return "an array";
        return v.dump();
    }

    std::optional<double> positive(const json& o, const std::string& ptr, const char* key, bool strictly = true) {
        if (!o.contains(key)) return std::nullopt;
        const auto& v = o[key];
        const std::string p = ptr + "/" + key;
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 || (strictly && v.get<double>() == 0)) {
            error(p, fmt::format("expected a {} number, got {}", strictly ? "positive" : "non-negative", got(v)));
            return std::nullopt;
        }
        return v.get<double>();
    }

    /// A positive number within `r`.
    std::optional<double> bounded(const json& o, const std::string& ptr, const char* key, const Range& r) {
        auto v = positive(o, ptr, key);
        if (v && (*v < r.lo || *v > r.hi || (r.lo_open && *v <= r.lo))) {
            error(ptr + "/" + key, fmt::format("expected {}, got {}", r.text, o[key].dump()));
            return std::nullopt;
        }
        return v;
    }

    std::optional<double> fraction(const json& o, const std::string& ptr, const char* key) {
        return bounded(o, ptr, key, fraction_range);
    }

    std::optional<std::string> string(const json& o, const std::string& ptr, const char* key) {
        if (!o.contains(key)) return std::nullopt;
        const auto& v = o[key];
        if (!v.is_string() || v.get<std::string>().empty()) {
            error(ptr + "/" + key, fmt::format("expected a non-empty string, got {}", got(v)));
            return std::nullopt;
        }
        return v.get<std::string>();
    }

    std::optional<std::int64_t> integer(const json& o, const std::string& ptr, const char* key, std::int64_t lo, std::int64_t hi) {
        if (!o.contains(key)) return std::nullopt;
        const auto& v = o[key];
        if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
            error(ptr + "/" + key, fmt::format("expected a whole number from {} to {}, got {}", lo, hi, got(v)));
            return std::nullopt;
        }
        return v.get<std::int64_t>();
    }

    /// A string that must be one of `allowed`.
    std::optional<std::string> one_of(const json& o, const std::string& ptr, const char* key, const std::vector<std::string>& allowed,
                                      const char* what = nullptr) {
        auto s = string(o, ptr, key);
        if (!s) return std::nullopt;
        if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            error(ptr + "/" + key, fmt::format("unknown {} '{}': expected one of {}", what ? what : key, *s, list),
                  did_you_mean(*s, allowed));
            return std::nullopt;
        }
        return s;
    }

    bool object(const json& v, const std::string& ptr) {
        if (v.is_object()) return true;
        error(ptr, fmt::format("expected an object, got {}", got(v)));
        return false;
    }

    void known_keys(const json& o, const std::string& ptr, const std::vector<std::string>& keys) {
        for (const auto& [k, v] : o.items())
            if (std::find(keys.begin(), keys.end(), k) == keys.end())
                error(ptr + "/" + k, fmt::format("unknown key '{}'", k), did_you_mean(k, keys), true);
    }

    std::optional<Link> link(const json& o, const std::string& ptr, const char* key, bool scale_up) {
        if (!o.contains(key)) return std::nullopt;
        const std::string p = ptr + "/" + key;
        if (!object(o[key], p)) return std::nullopt;
        const auto& v = o[key];
        known_keys(v, p, {"kind", "generation", "bandwidth_bytes_per_s", "domain_size", "notes"});
        Link l;
        l.kind = (scale_up ? one_of(v, p, "kind", scale_up_kinds, "scale-up kind") : string(v, p, "kind")).value_or("");
        if (v.contains("generation")) l.generation = v["generation"].is_string() ? v["generation"].get<std::string>() : v["generation"].dump();
        auto bw = bounded(v, p, "bandwidth_bytes_per_s", bandwidth_range);
        if (!v.contains("bandwidth_bytes_per_s")) error(p + "/bandwidth_bytes_per_s", "missing: the link's bandwidth is required");
        l.bandwidth = bytes_per_s(bw.value_or(0));
        l.domain_size = static_cast<int>(integer(v, p, "domain_size", 1, 1'000'000).value_or(1));
        if (scale_up && !v.contains("domain_size")) error(p + "/domain_size", "missing: the scale-up domain size is required");
        return l;
    }

    std::map<DType, FlopsPerSecond> flops(const json& o, const std::string& ptr, const char* key) {
        std::map<DType, FlopsPerSecond> out;
        if (!o.contains(key)) return out;
        const std::string p = ptr + "/" + key;
        if (!object(o[key], p)) return out;
        for (const auto& [k, v] : o[key].items()) {
            auto t = parse_dtype(k);
            if (!t || t == DType::nf4) {
                error(p + "/" + k, fmt::format("unknown precision '{}'", k),
                      did_you_mean(k, {"fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4", "int4"}));
                continue;
            }
            if (auto x = bounded(o[key], p, k.c_str(), flops_range)) out[*t] = flops_per_s(*x);
        }
        return out;
    }

    DiagnosticSink& sink_;
    Locator locate_;
};

std::optional<InstanceShape> read_instance(Checker& c, const json& v, const std::string& ptr) {
    if (!c.object(v, ptr)) return std::nullopt;
    c.known_keys(v, ptr, instance_keys);
    InstanceShape s;
    if (!v.contains("gpus")) c.error(ptr + "/gpus", "missing required field 'gpus'");
    s.gpus = static_cast<int>(c.integer(v, ptr, "gpus", 1, 100000).value_or(1));
    std::vector<std::string> fabrics{"none"};
    fabrics.insert(fabrics.end(), scale_up_kinds.begin(), scale_up_kinds.end());
    s.scale_up = c.one_of(v, ptr, "scale_up", fabrics, "scale-up kind").value_or("none");
    if (auto d = c.integer(v, ptr, "scale_up_gpus", 1, 100000)) {
        if (s.scale_up == "none")
            c.error(ptr + "/scale_up_gpus", "a scale-up domain needs a scale-up fabric: set 'scale_up' to its kind");
        else if (*d < s.gpus)
            c.error(ptr + "/scale_up_gpus", fmt::format("expected at least the instance's {} GPUs, got {}", s.gpus, *d));
        s.scale_up_gpus = static_cast<int>(*d);
    }
    s.interconnect = c.one_of(v, ptr, "interconnect", interconnect_kinds, "interconnect").value_or("none");
    s.interconnect_gbps = c.bounded(v, ptr, "interconnect_gbps", interconnect_range);
    if (s.interconnect_gbps && s.interconnect == "none")
        c.error(ptr + "/interconnect_gbps", "a bandwidth between instances needs an interconnect: set 'interconnect' to its kind");
    s.partition = c.string(v, ptr, "partition").value_or("");
    return s;
}

Efficiency read_efficiency(Checker& c, const json& v, const std::string& ptr, Efficiency base) {
    if (!c.object(v, ptr)) return base;
    c.known_keys(v, ptr, efficiency_keys);
    if (auto x = c.fraction(v, ptr, "memory_bandwidth")) base.memory_bandwidth = *x;
    if (auto x = c.fraction(v, ptr, "matmul")) base.matmul = *x;
    if (auto x = c.fraction(v, ptr, "allreduce_intra_node")) base.allreduce_intra_node = *x;
    if (auto x = c.fraction(v, ptr, "allreduce_inter_node")) base.allreduce_inter_node = *x;
    if (auto s = c.string(v, ptr, "source")) base.source = *s;
    if (v.contains("measured")) {
        if (v["measured"].is_boolean()) base.measured = v["measured"].get<bool>();
        else c.error(ptr + "/measured", fmt::format("expected true or false, got {}", Checker::got(v["measured"])));
    }
    return base;
}

bool is_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// `last_layer` is the entry as the last file that names this id wrote it (for an override, only
/// the fields it changes); it decides which of two contradicting fields a message points at.
Gpu read_gpu(Checker& c, const json& e, const std::string& ptr, const std::map<std::string, Efficiency>& defaults,
             const json* last_layer) {
    Gpu g;
    c.known_keys(e, ptr, entry_keys);
    std::vector<std::string> missing;
    for (const auto& k : required_keys)
        if (!e.contains(k)) missing.push_back(k);
    if (missing.size() == 1) {
        c.error(ptr + "/" + missing.front(), fmt::format("missing required field '{}'", missing.front()));
    } else if (!missing.empty()) {
        std::string list;
        for (const auto& k : missing) list += (list.empty() ? "'" : ", '") + k + "'";
        c.error(ptr, fmt::format("missing required fields {}: a new GPU needs every one of them", list));
    }
    g.id = c.string(e, ptr, "id").value_or("");
    g.name = c.string(e, ptr, "name").value_or("");
    g.vendor = c.string(e, ptr, "vendor").value_or("");
    g.architecture = c.string(e, ptr, "architecture").value_or("");
    g.form_factor = c.string(e, ptr, "form_factor").value_or("");
    g.memory_type = c.string(e, ptr, "memory_type").value_or("");
    g.notes = c.string(e, ptr, "notes").value_or("");
    g.launch_year = static_cast<int>(c.integer(e, ptr, "launch_year", 1990, 2100).value_or(0));
    g.memory = Bytes(c.bounded(e, ptr, "memory_bytes", memory_range).value_or(0));
    g.usable_memory = Bytes(c.bounded(e, ptr, "usable_memory_bytes", memory_range).value_or(0));
    if (g.usable_memory > g.memory && g.memory.value() > 0)
        c.error(ptr + "/usable_memory_bytes", fmt::format("usable memory {:.0f} exceeds nominal memory {:.0f}",
                                                          g.usable_memory.value(), g.memory.value()));
    g.memory_bandwidth = bytes_per_s(c.bounded(e, ptr, "memory_bandwidth_bytes_per_s", bandwidth_range).value_or(0));
    g.tdp_watts = c.bounded(e, ptr, "tdp_watts", tdp_range).value_or(0);
    g.dense_flops = c.flops(e, ptr, "dense_flops_per_s");
    g.sparse_flops = c.flops(e, ptr, "sparse_flops_per_s");
    if (e.contains("dense_flops_per_s") && g.dense_flops.empty() && e["dense_flops_per_s"].is_object())
        c.error(ptr + "/dense_flops_per_s", "expected at least one precision's dense rate");
    for (const auto& [t, sparse] : g.sparse_flops) {
        auto it = g.dense_flops.find(t);
        if (it != g.dense_flops.end() && it->second > sparse) {
            // Blame the figure this layer wrote when it wrote only one of the two.
            const std::string name(to_string(t));
            const bool sparse_given = last_layer && last_layer->contains("sparse_flops_per_s") &&
                                      (*last_layer)["sparse_flops_per_s"].is_object() &&
                                      (*last_layer)["sparse_flops_per_s"].contains(name);
            const bool dense_given = last_layer && last_layer->contains("dense_flops_per_s") &&
                                     (*last_layer)["dense_flops_per_s"].is_object() &&
                                     (*last_layer)["dense_flops_per_s"].contains(name);
            c.error(ptr + (sparse_given && !dense_given ? "/sparse_flops_per_s/" : "/dense_flops_per_s/") + name,
                    fmt::format("dense {} rate {:g} TFLOP/s exceeds its sparse rate {:g} TFLOP/s: a dense rate is at most "
                                "the sparse one (store the dense figure, often half the datasheet's 'with sparsity' one)",
                                name, to_tflops(it->second), to_tflops(sparse)));
        }
    }
    if (e.contains("aliases")) {
        const auto& a = e["aliases"];
        if (!a.is_array()) c.error(ptr + "/aliases", fmt::format("expected an array of strings, got {}", Checker::got(a)));
        else
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (a[i].is_string() && !a[i].get<std::string>().empty()) g.aliases.push_back(a[i].get<std::string>());
                else c.error(fmt::format("{}/aliases/{}", ptr, i), fmt::format("expected a non-empty string, got {}", Checker::got(a[i])));
            }
    }
    g.scale_up = c.link(e, ptr, "scale_up", true);
    g.scale_out = c.link(e, ptr, "scale_out", false);
    if (e.contains("pcie") && c.object(e["pcie"], ptr + "/pcie")) {
        c.known_keys(e["pcie"], ptr + "/pcie", {"generation", "lanes"});
        g.pcie_generation = static_cast<int>(c.integer(e["pcie"], ptr + "/pcie", "generation", 1, 8).value_or(4));
        g.pcie_lanes = static_cast<int>(c.integer(e["pcie"], ptr + "/pcie", "lanes", 1, 32).value_or(16));
        for (const char* k : {"generation", "lanes"})
            if (!e["pcie"].contains(k)) c.error(ptr + "/pcie/" + k, fmt::format("missing required field '{}'", k));
    }
    auto arch = defaults.find(g.architecture);
    Efficiency eff = arch != defaults.end() ? arch->second : Efficiency{};
    if (e.contains("efficiency")) eff = read_efficiency(c, e["efficiency"], ptr + "/efficiency", eff);
    if (!g.architecture.empty() && (eff.memory_bandwidth == 0 || eff.matmul == 0 || eff.allreduce_intra_node == 0 ||
                                    eff.allreduce_inter_node == 0))
        c.error(ptr + "/efficiency", fmt::format("no efficiency for architecture '{}': add it to architecture_defaults or "
                                                 "give all four fractions", g.architecture));
    g.efficiency = eff;
    if (e.contains("prices")) {
        const auto& ps = e["prices"];
        if (!ps.is_array()) c.error(ptr + "/prices", fmt::format("expected an array, got {}", Checker::got(ps)));
        else
            for (std::size_t i = 0; i < ps.size(); ++i) {
                const std::string p = fmt::format("{}/prices/{}", ptr, i);
                if (!c.object(ps[i], p)) continue;
                c.known_keys(ps[i], p, {"provider", "usd_per_gpu_hour", "date", "source", "region", "commitment", "instance", "kind", "notes"});
                Price pr;
                for (const char* k : {"provider", "usd_per_gpu_hour", "date", "source"})
                    if (!ps[i].contains(k)) c.error(p + "/" + k, fmt::format("missing required field '{}'", k));
                pr.provider = c.string(ps[i], p, "provider").value_or("");
                pr.per_gpu_hour = usd_per_hour(c.bounded(ps[i], p, "usd_per_gpu_hour", hourly_price_range).value_or(0));
                pr.date = c.string(ps[i], p, "date").value_or("");
                if (!pr.date.empty() && !is_date(pr.date))
                    c.error(p + "/date", fmt::format("expected a date as YYYY-MM-DD, got '{}'", pr.date));
                pr.source = c.string(ps[i], p, "source").value_or("");
                pr.region = c.string(ps[i], p, "region").value_or("");
                if (auto s = c.one_of(ps[i], p, "commitment", commitment_names())) pr.commitment = *parse_commitment(*s);
                if (auto s = c.one_of(ps[i], p, "kind", offer_kind_names(), "offer kind"))
                    pr.kind = *s == "marketplace" ? OfferKind::marketplace : OfferKind::cloud;
                if (ps[i].contains("instance")) pr.instance = read_instance(c, ps[i]["instance"], p + "/instance");
                g.prices.push_back(pr);
            }
    }
    if (e.contains("purchase") && c.object(e["purchase"], ptr + "/purchase")) {
        const auto& pu = e["purchase"];
        c.known_keys(pu, ptr + "/purchase", {"usd", "date", "source", "notes"});
        g.purchase = PurchasePrice{usd(c.bounded(pu, ptr + "/purchase", "usd", purchase_range).value_or(0)),
                                   c.string(pu, ptr + "/purchase", "date").value_or(""),
                                   c.string(pu, ptr + "/purchase", "source").value_or("")};
        if (!g.purchase->date.empty() && !is_date(g.purchase->date))
            c.error(ptr + "/purchase/date", fmt::format("expected a date as YYYY-MM-DD, got '{}'", g.purchase->date));
    }
    if (e.contains("partitions")) {
        const auto& ps = e["partitions"];
        if (!ps.is_array()) c.error(ptr + "/partitions", fmt::format("expected an array, got {}", Checker::got(ps)));
        else
            for (std::size_t i = 0; i < ps.size(); ++i) {
                const std::string p = fmt::format("{}/partitions/{}", ptr, i);
                if (!c.object(ps[i], p)) continue;
                c.known_keys(ps[i], p, {"kind", "profile", "memory_bytes", "compute_fraction", "bandwidth_fraction", "max_instances", "notes"});
                Partition part;
                if (ps[i].contains("kind")) part.kind = c.one_of(ps[i], p, "kind", partition_kinds, "partition kind").value_or(part.kind);
                part.profile = c.string(ps[i], p, "profile").value_or("");
                if (auto n = c.integer(ps[i], p, "max_instances", 1, 1024)) part.max_instances = static_cast<int>(*n);
                part.memory = Bytes(c.bounded(ps[i], p, "memory_bytes", memory_range).value_or(0));
                part.compute_fraction = c.fraction(ps[i], p, "compute_fraction").value_or(1);
                part.bandwidth_fraction = c.fraction(ps[i], p, "bandwidth_fraction").value_or(1);
                if (part.memory > g.memory && g.memory.value() > 0)
                    c.error(p + "/memory_bytes", "a partition cannot have more memory than the GPU");
                g.partitions.push_back(part);
            }
    }
    for (std::size_t i = 0; i < g.prices.size(); ++i) {
        const auto& shape = g.prices[i].instance;
        if (!shape || shape->partition.empty()) continue;
        std::vector<std::string> profiles;
        for (const auto& part : g.partitions) profiles.push_back(part.profile);
        if (std::find(profiles.begin(), profiles.end(), shape->partition) == profiles.end())
            c.error(fmt::format("{}/prices/{}/instance/partition", ptr, i),
                    profiles.empty() ? fmt::format("'{}' lists no partitions, so no row can sell '{}'", g.id, shape->partition)
                                     : fmt::format("unknown partition '{}': the entry's partitions are {}", shape->partition,
                                                   fmt::join(profiles, ", ")),
                    did_you_mean(shape->partition, profiles));
    }
    if (e.contains("unified_memory") && c.object(e["unified_memory"], ptr + "/unified_memory")) {
        const auto& u = e["unified_memory"];
        const std::string p = ptr + "/unified_memory";
        c.known_keys(u, p, {"kind", "host_memory_bytes", "link_bandwidth_bytes_per_s", "notes"});
        UnifiedMemory um;
        if (!u.contains("kind")) c.error(p + "/kind", "missing required field 'kind'");
        um.kind = c.one_of(u, p, "kind", unified_memory_kinds, "unified memory kind").value_or("");
        if (auto b = c.bounded(u, p, "host_memory_bytes", memory_range)) um.host_memory = Bytes(*b);
        if (auto b = c.bounded(u, p, "link_bandwidth_bytes_per_s", bandwidth_range)) um.link_bandwidth = bytes_per_s(*b);
        g.unified_memory = um;
    }
    if (e.contains("counted_as")) g.counted_as = c.one_of(e, ptr, "counted_as", counted_as_values).value_or(g.counted_as);
    g.chips_per_unit = static_cast<int>(c.integer(e, ptr, "chips_per_unit", 1, 1024).value_or(1));
    if (auto n = c.integer(e, ptr, "cores_per_unit", 1, 1'000'000)) g.cores_per_unit = static_cast<int>(*n);
    if (e.contains("basis") && c.object(e["basis"], ptr + "/basis")) {
        const std::string p = ptr + "/basis";
        c.known_keys(e["basis"], p, basis_groups);
        for (const auto& [k, v] : e["basis"].items())
            if (std::find(basis_groups.begin(), basis_groups.end(), k) != basis_groups.end())
                if (auto b = c.one_of(e["basis"], p, k.c_str(), basis_values, "basis")) g.basis[k] = *b;
    }
    if (e.contains("sources") && c.object(e["sources"], ptr + "/sources")) {
        for (const auto& [k, v] : e["sources"].items()) {
            if (v.is_string() && !v.get<std::string>().empty()) g.sources[k] = v.get<std::string>();
            else c.error(ptr + "/sources/" + k, fmt::format("expected a non-empty string, got {}", Checker::got(v)));
        }
        for (const auto& k : required_sources)
            if (!g.sources.count(k)) c.error(ptr + "/sources/" + k, fmt::format("missing the source of '{}'", k));
    }
    return g;
}

}  // namespace

const Gpu* Catalog::find_id(std::string_view id) const {
    auto it = std::lower_bound(gpus.begin(), gpus.end(), id, [](const Gpu& g, std::string_view v) { return g.id < v; });
    return it != gpus.end() && it->id == id ? &*it : nullptr;
}

std::vector<std::string> Catalog::names() const {
    std::vector<std::string> out;
    for (const auto& g : gpus) {
        out.push_back(g.id);
        for (const auto& a : g.aliases) out.push_back(a);
    }
    return out;
}

namespace {

/// The entries whose id (first) or else aliases match `name`, case-insensitively.
std::vector<const Gpu*> matching(const std::vector<Gpu>& gpus, std::string_view name) {
    const std::string key = lower(name);
    for (const auto& g : gpus)
        if (lower(g.id) == key) return {&g};
    std::vector<const Gpu*> matches;
    for (const auto& g : gpus)
        if (std::any_of(g.aliases.begin(), g.aliases.end(), [&](const std::string& a) { return lower(a) == key; }))
            matches.push_back(&g);
    return matches;
}

}  // namespace

const Gpu& Catalog::resolve(std::string_view name) const {
    const auto matches = matching(gpus, name);
    if (matches.size() == 1) return *matches.front();
    if (matches.empty())
        throw usage_error(fmt::format("unknown GPU '{}'", name), did_you_mean(name, names()));
    if (auto d = alias_defaults.find(lower(name)); d != alias_defaults.end())
        for (const auto* g : matches)
            if (g->id == d->second) return *g;
    std::string ids;
    for (const auto* g : matches) ids += (ids.empty() ? "" : ", ") + g->id;
    throw usage_error(fmt::format("GPU name '{}' is ambiguous: it matches {}", name, ids), "use one of the ids");
}

std::optional<std::string> Catalog::alias_note(std::string_view name) const {
    const auto matches = matching(gpus, name);
    if (matches.size() < 2) return std::nullopt;
    const Gpu& chosen = resolve(name);
    std::string others;
    for (const auto* g : matches)
        if (g != &chosen) others += (others.empty() ? "" : ", ") + g->id;
    return fmt::format("'{}' is taken as {} ({}), the catalog's default for that name; also called '{}': {}", name, chosen.id,
                       chosen.name, name, others);
}

namespace detail {

/// A catalog file that parsed: what its diagnostics need after its text is gone.
struct CatalogFile {
    /// `text` is copied, unless it is the bundled catalog's, which lives as long as the program.
    CatalogFile(std::string origin_, std::string_view text_)
        : origin(std::move(origin_)),
          copy(text_.data() == embedded::gpus_json.data() ? std::string() : std::string(text_)),
          text(text_.data() == embedded::gpus_json.data() ? text_ : std::string_view(copy)),
          index(text) {}
    CatalogFile(const CatalogFile&) = delete;  // `text` and `index` view `copy`
    CatalogFile& operator=(const CatalogFile&) = delete;
    std::string origin;
    std::string copy;
    std::string_view text;
    detail::LazyJsonIndex index;  ///< over `text`, built for the first diagnostic that needs a position
};

/// What one file wrote for one GPU id.
struct EntryLayer {
    std::shared_ptr<const CatalogFile> file;
    std::string pointer;  ///< of the entry in that file (`/gpus/3`)
    json value;           ///< the entry as that file wrote it
};

/// One GPU entry merged over the files read so far, and the result of checking it.
struct MergedEntry {
    /// The entry as the files read so far make it, once a second file names it; while one file
    /// does, that layer's value is the entry (not copied: the bundled catalog alone has hundreds).
    json merged;
    const json& value() const { return layers.size() == 1 ? layers.front().value : merged; }
    std::vector<EntryLayer> layers;  ///< every file that names the id, in order
    Gpu gpu;
    std::vector<Diagnostic> diagnostics;  ///< of checking value()
};

/// An `alias_defaults` member: which entry a shared alias means.
struct AliasDefault {
    std::string alias;
    std::string id;
    std::shared_ptr<const CatalogFile> file;
    std::string pointer;
};

}  // namespace detail

using detail::AliasDefault;
using detail::CatalogFile;
using detail::EntryLayer;
using detail::MergedEntry;

struct CatalogBase::State {
    std::vector<Diagnostic> diagnostics;  ///< of reading the files, in order
    std::string schema_version;
    std::vector<std::string> origins;
    std::map<std::string, Efficiency> defaults;
    std::map<std::string, AliasDefault> alias_defaults;  ///< by lower-case alias
    std::map<std::string, MergedEntry> entries;
};

namespace {

using State = CatalogBase::State;

/// Locates pointers of one file.
Locator file_locator(std::shared_ptr<const CatalogFile> f) {
    return [f = std::move(f)](Diagnostic& d, bool at_key) {
        d.where.origin = f->origin;
        if (d.where.pointer.empty()) d.where.pointer.push_back('/');  // the root
        locate_json(d, f->text, f->index.get(), at_key);
    };
}

/// The value at `rel` (a pointer relative to `v`), or nullptr.
const json* find_relative(const json& v, std::string_view rel, std::size_t& depth) {
    const json* at = &v;
    depth = 0;
    while (!rel.empty()) {
        rel.remove_prefix(1);
        const std::size_t slash = rel.find('/');
        const std::string part(rel.substr(0, slash));
        rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash);
        if (at->is_object() && at->contains(part)) {
            at = &(*at)[part];
        } else if (at->is_array() && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
                   part.size() < 10 && std::stoul(part) < at->size()) {
            at = &(*at)[std::stoul(part)];
        } else {
            return nullptr;
        }
        ++depth;
    }
    return at;
}

/// Locates pointers relative to a merged entry in the file that gave the value there: the last
/// file that wrote it, else (a missing field) the last file that wrote the nearest enclosing
/// value, and for a field missing from the entry itself the file that introduced the entry.
Locator entry_locator(const MergedEntry& m) {
    return [&m](Diagnostic& d, bool at_key) {
        const std::string rel = d.where.pointer;
        const EntryLayer* best = &m.layers.front();
        std::size_t best_depth = 0;
        for (const auto& layer : m.layers) {
            std::size_t depth = 0;
            const bool whole = find_relative(layer.value, rel, depth) != nullptr;
            if (!whole) {
                // The deepest prefix this layer has.
                std::string p = rel;
                for (;;) {
                    const auto slash = p.rfind('/');
                    if (slash == std::string::npos) break;
                    p.resize(slash);
                    if (find_relative(layer.value, p, depth)) break;
                }
            }
            if (whole) depth = static_cast<std::size_t>(-1);
            if (depth > best_depth || (depth == best_depth && depth > 0)) {
                best = &layer;
                best_depth = depth;
            }
        }
        d.where.origin = best->file->origin;
        d.where.pointer = best->pointer + rel;
        locate_json(d, best->file->text, best->file->index.get(), at_key);
    };
}

/// Reads `sources` into `s`, merging entries over those of `s` or, for ids `s` lacks, over a copy
/// of `base`'s. Records the architectures whose defaults a source sets in `archs`.
void read_sources(State& s, const std::vector<CatalogSource>& sources, const State* base, std::set<std::string>& archs) {
    DiagnosticSink sink;
    sink.diagnostics() = std::move(s.diagnostics);
    for (const auto& src : sources) {
        s.origins.push_back(src.origin);
        json doc;
        // The bundled catalog is read from the CBOR made of it at build time, which passed every
        // check below: the same tree, without parsing 200 kB of text on every run.
        const bool bundled = src.text.data() == embedded::gpus_json.data() && src.text.size() == embedded::gpus_json.size() &&
                             !embedded::gpus_cbor.empty();
        if (bundled) {
            doc = json::from_cbor(embedded::gpus_cbor);
        } else {
            if (!detail::check_json_limits(src.text, src.origin, sink)) continue;
            try {
                doc = json::parse(src.text);
            } catch (const json::out_of_range& e) {
                // A number too large for a double (1e400): nlohmann reports no position for it.
                std::string msg = e.what();
                if (auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
                sink.error({src.origin, 0, 0, {}}, fmt::format("invalid JSON: {}", msg));
                continue;
            } catch (const json::parse_error& e) {
                // Report the byte offset as line:column.
                std::size_t off = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, src.text.size());
                const auto [line, col] = line_column(src.text, off);
                std::string msg = e.what();
                if (auto pos = msg.find("syntax error"); pos != std::string::npos) msg = msg.substr(pos);
                sink.error({src.origin, line, col, {}}, fmt::format("invalid JSON: {}", msg), {}, line_of(src.text, line));
                continue;
            }
        }
        auto file = std::make_shared<CatalogFile>(src.origin, src.text);
        if (!bundled && detail::has_duplicate_keys(src.text)) {
            // nlohmann kept the last of each pair; which one the author meant is unknown.
            report_duplicate_keys(file->index.get(), src.text, src.origin, sink);
            continue;
        }
        Checker c(sink, file_locator(file));
        if (!c.object(doc, "")) continue;
        c.known_keys(doc, "", {"schema_version", "architecture_defaults", "alias_defaults", "gpus", "notes", "$schema"});
        // An overlay without a version is read as the current schema.
        const auto version = doc.contains("schema_version") ? c.string(doc, "", "schema_version") : std::optional<std::string>(current_schema_version);
        if (version && version->rfind("1.", 0) != 0)
            c.error("/schema_version", fmt::format("unsupported catalog schema version '{}': expected 1.x", *version));
        else if (version && s.schema_version.empty()) s.schema_version = *version;
        if (doc.contains("architecture_defaults") && c.object(doc["architecture_defaults"], "/architecture_defaults"))
            for (const auto& [arch, v] : doc["architecture_defaults"].items()) {
                const std::string p = "/architecture_defaults/" + arch;
                s.defaults[arch] = read_efficiency(c, v, p, s.defaults[arch]);
                archs.insert(arch);
            }
        if (doc.contains("alias_defaults") && c.object(doc["alias_defaults"], "/alias_defaults"))
            for (const auto& [alias, v] : doc["alias_defaults"].items()) {
                const std::string p = "/alias_defaults/" + alias;
                if (alias.empty()) c.error(p, "expected a non-empty alias", {}, true);
                else if (auto id = c.string(doc["alias_defaults"], "/alias_defaults", alias.c_str()))
                    s.alias_defaults[lower(alias)] = AliasDefault{alias, *id, file, p};
            }
        if (!doc.contains("gpus")) continue;
        if (!doc["gpus"].is_array()) {
            c.error("/gpus", fmt::format("expected an array, got {}", Checker::got(doc["gpus"])));
            continue;
        }
        std::set<std::string> in_file;
        for (std::size_t i = 0; i < doc["gpus"].size(); ++i) {
            auto& e = doc["gpus"][i];  // moved into the entry's layer below: `doc` is not read again
            const std::string ptr = fmt::format("/gpus/{}", i);
            if (!c.object(e, ptr)) continue;
            if (!e.contains("id") || !e["id"].is_string() || e["id"].get<std::string>().empty()) {
                c.error(ptr + "/id", fmt::format("missing required field 'id'"));
                continue;
            }
            const std::string id = e["id"].get<std::string>();
            if (!in_file.insert(id).second) {
                c.error(ptr + "/id", fmt::format("duplicate id '{}'", id));
                continue;
            }
            auto it = s.entries.find(id);
            if (it == s.entries.end() && base)
                if (auto b = base->entries.find(id); b != base->entries.end()) it = s.entries.emplace(id, b->second).first;
            if (it == s.entries.end()) {
                it = s.entries.emplace(id, MergedEntry{}).first;
            } else {
                MergedEntry& m = it->second;
                if (m.layers.size() == 1) m.merged = m.layers.front().value;
                m.merged.merge_patch(e);
            }
            it->second.layers.push_back(EntryLayer{file, ptr, std::move(e)});
        }
    }
    s.diagnostics = std::move(sink.diagnostics());
}

/// Checks a merged entry against the architecture defaults, keeping the result and its problems.
void check_entry(const MergedEntry& m, const std::map<std::string, Efficiency>& defaults, Gpu& gpu,
                 std::vector<Diagnostic>& diagnostics) {
    DiagnosticSink sink;
    Checker c(sink, entry_locator(m));
    gpu = read_gpu(c, m.value(), "", defaults, &m.layers.back().value);
    gpu.origin = m.layers.back().file->origin;
    diagnostics = std::move(sink.diagnostics());
}

}  // namespace

CatalogBase::CatalogBase() : state_(std::make_shared<const State>()) {}

CatalogBase parse_catalog_base(const std::vector<CatalogSource>& sources) {
    auto s = std::make_shared<State>();
    std::set<std::string> archs;
    read_sources(*s, sources, nullptr, archs);
    for (auto& [id, m] : s->entries) check_entry(m, s->defaults, m.gpu, m.diagnostics);
    CatalogBase base;
    base.state_ = std::move(s);
    return base;
}

Catalog parse_catalogs(const CatalogBase& base, const std::vector<CatalogSource>& overlays) {
    const State& b = *base.state_;
    // Everything but the entries is small: copied. `s.entries` holds only what the overlays change.
    State s{b.diagnostics, b.schema_version, b.origins, b.defaults, b.alias_defaults, {}};
    std::set<std::string> archs;
    read_sources(s, overlays, &b, archs);
    for (auto& [id, m] : s.entries) check_entry(m, s.defaults, m.gpu, m.diagnostics);
    DiagnosticSink sink;
    sink.diagnostics() = std::move(s.diagnostics);
    Catalog cat;
    cat.schema_version = s.schema_version.empty() ? current_schema_version : s.schema_version;
    cat.origins = s.origins;
    std::vector<const MergedEntry*> merged;  // of each entry of cat.gpus
    auto add = [&](const MergedEntry& m, const Gpu& gpu, const std::vector<Diagnostic>& diagnostics) {
        cat.gpus.push_back(gpu);
        auto& ds = sink.diagnostics();
        ds.insert(ds.end(), diagnostics.begin(), diagnostics.end());
        merged.push_back(&m);
    };
    // Both maps are sorted by id: walk them together, the overlays' entries winning. A base entry
    // is checked again only when an overlay set its architecture's defaults.
    auto i = b.entries.begin();
    auto j = s.entries.begin();
    while (i != b.entries.end() || j != s.entries.end()) {
        if (j == s.entries.end() || (i != b.entries.end() && i->first < j->first)) {
            const MergedEntry& m = i->second;
            if (archs.count(m.gpu.architecture)) {
                Gpu gpu;
                std::vector<Diagnostic> diagnostics;
                check_entry(m, s.defaults, gpu, diagnostics);
                add(m, gpu, diagnostics);
            } else {
                add(m, m.gpu, m.diagnostics);
            }
            ++i;
        } else {
            if (i != b.entries.end() && i->first == j->first) ++i;
            add(j->second, j->second.gpu, j->second.diagnostics);
            ++j;
        }
    }
    // Aliases must not shadow another entry's id (an alias may be shared to mean "any of these").
    std::vector<std::string> lower_ids;
    std::map<std::string, std::size_t> by_lower_id;  // one lookup per alias, not a scan of the catalog
    for (std::size_t k = 0; k < cat.gpus.size(); ++k) {
        lower_ids.push_back(lower(cat.gpus[k].id));
        by_lower_id.emplace(lower_ids.back(), k);
    }
    for (std::size_t k = 0; k < cat.gpus.size(); ++k)
        for (const auto& a : cat.gpus[k].aliases) {
            auto o = by_lower_id.find(lower(a));
            if (o != by_lower_id.end() && o->second != k)
                Checker(sink, entry_locator(*merged[k])).error("/aliases", fmt::format("alias '{}' is the id of another entry", a));
        }
    // A default for a shared alias must name an entry that has that alias.
    for (const auto& [key, ad] : s.alias_defaults) {
        Checker c(sink, file_locator(ad.file));
        const Gpu* g = cat.find_id(ad.id);
        if (!g) {
            c.error(ad.pointer, fmt::format("unknown GPU id '{}'", ad.id), did_you_mean(ad.id, lower_ids));
            continue;
        }
        if (std::none_of(g->aliases.begin(), g->aliases.end(), [&wanted = key](const std::string& a) { return lower(a) == wanted; })) {
            c.error(ad.pointer, fmt::format("'{}' has no alias '{}': add it to the entry's aliases", ad.id, ad.alias));
            continue;
        }
        cat.alias_defaults[key] = ad.id;
    }
    sink.throw_if_any<CatalogError>();
    return cat;
}

Catalog parse_catalogs(const std::vector<CatalogSource>& sources) {
    // The bundled catalog alone, under the name the build read it with: the result the build
    // computed, rather than 200 kB of JSON read, merged and checked again on every run.
    if (sources.size() == 1 && sources.front().text.data() == embedded::gpus_json.data() &&
        sources.front().text.size() == embedded::gpus_json.size())
        if (auto c = detail::read_catalog_snapshot(embedded::gpus_snapshot); c && c->origins == std::vector{sources.front().origin})
            return std::move(*c);
    return parse_catalogs(CatalogBase(), sources);
}

std::optional<std::int64_t> days_since_epoch(std::string_view date) {
    if (!is_date(std::string(date))) return std::nullopt;
    auto num = [&](std::size_t at, std::size_t n) {
        std::int64_t v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (date[i] - '0');
        return v;
    };
    std::int64_t y = num(0, 4);
    const std::int64_t m = num(5, 2), d = num(8, 2);
    const std::int64_t days_in_month[] = {31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > days_in_month[m - 1]) return std::nullopt;
    // Howard Hinnant's days_from_civil.
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::vector<StalePrice> stale_prices(const Catalog& catalog, std::string_view today, std::int64_t days) {
    const auto now = days_since_epoch(today);
    if (!now)
        throw usage_error(fmt::format("expected today's date as YYYY-MM-DD, got '{}'", today));
    std::vector<StalePrice> out;
    for (const auto& g : catalog.gpus)
        for (const auto& p : g.prices)
            if (auto when = days_since_epoch(p.date); when && *now - *when > days) out.push_back({&g, &p, *now - *when});
    std::stable_sort(out.begin(), out.end(), [](const StalePrice& a, const StalePrice& b) {
        if (a.age_days != b.age_days) return a.age_days > b.age_days;
        if (a.gpu->id != b.gpu->id) return a.gpu->id < b.gpu->id;
        return a.price->provider < b.price->provider;
    });
    return out;
}

std::string_view bundled_catalog_text() { return embedded::gpus_json; }

}  // namespace gpusize
