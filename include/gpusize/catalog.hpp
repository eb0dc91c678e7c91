// The accelerator catalog: parsed from JSON text (the bundled data/gpus.json, embedded at build
// time, plus user overlays), validated with JSON-pointer diagnostics, and looked up by id or
// alias. Missing hardware facts are errors, never guessed. Schema: data/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/units.hpp"

namespace gpusize {

/// Numeric precisions a tensor can be stored or computed in, spelled as in YAML and JSON.
/// fp4 is MXFP4 (OCP microscaling: 32-element blocks, E8M0 scales); nvfp4 is NVIDIA's NVFP4
/// (16-element blocks, E4M3 scales, and one fp32 scale per tensor).
enum class DType { fp32, tf32, bf16, fp16, fp8, int8, int4, nf4, fp4, fp64, nvfp4 };

std::string_view to_string(DType t);
std::optional<DType> parse_dtype(std::string_view s);

/// How a price is paid: on demand, on the spot market (interruptible), or reserved for one or
/// three years. Spelled as in JSON and YAML.
enum class Commitment { on_demand, spot, reserved_1y, reserved_3y };

std::string_view to_string(Commitment c);
std::optional<Commitment> parse_commitment(std::string_view s);
/// The spellings, in enum order, for parsers and did-you-mean hints.
const std::vector<std::string>& commitment_names();

/// What one price row buys (catalog schema 1.3, data/README.md): the instance whose per-GPU share
/// the row quotes. A deployment is priced only from rows whose shape provides its layout
/// (docs/estimation.md §8.1).
struct InstanceShape {
    int gpus = 1;  ///< accelerators per instance (slices, for a row that sells a partition)
    /// The fabric the instance's GPUs share: a catalog scale-up kind (`nvlink`, `ici`, ...) or
    /// `none` (they meet only over PCIe, or there is one GPU).
    std::string scale_up = "none";
    /// GPUs one scale-up domain spans when it reaches beyond the instance (a 4-GPU slice of a
    /// GB200 NVL72 rack: 72; a TPU slice); nullopt: the instance's own GPUs.
    std::optional<int> scale_up_gpus = std::nullopt;
    /// The network between instances: `none`, `ethernet`, `roce`, `infiniband`, `efa`, `ici`, `dcn`.
    std::string interconnect = "none";
    std::optional<double> interconnect_gbps = std::nullopt;  ///< per instance, where the provider says
    std::string partition{};  ///< a row that sells a slice: its profile ("1g.10gb"); empty for whole GPUs
    friend bool operator==(const InstanceShape&, const InstanceShape&) = default;
};

/// Who stands behind a price row: a provider's own data centres (`cloud`), or third-party hosts
/// listed on a marketplace or community cloud (`marketplace`), which promise no network between
/// hosts and so never price a deployment whose instances must talk to each other.
enum class OfferKind { cloud, marketplace };

std::string_view to_string(OfferKind k);
const std::vector<std::string>& offer_kind_names();

struct Price {
    std::string provider;
    UsdPerHour per_gpu_hour;
    std::string date;
    std::string source;
    std::string region{};                          ///< e.g. "us-east-1"; empty where the source does not say
    Commitment commitment = Commitment::on_demand;
    /// The instance the row applies to; nullopt for a row that does not say (priced per GPU for
    /// any layout, as before schema 1.3, and marked so in the cost basis).
    std::optional<InstanceShape> instance = std::nullopt;
    OfferKind kind = OfferKind::cloud;
    friend bool operator==(const Price&, const Price&) = default;
};

struct PurchasePrice {
    Usd price;
    std::string date;
    std::string source;
    friend bool operator==(const PurchasePrice&, const PurchasePrice&) = default;
};

struct Link {
    std::string kind;          ///< nvlink, infinity_fabric, ici, infiniband, roce, pcie ...
    std::string generation;
    BytesPerSecond bandwidth;  ///< scale-up: total bidirectional per GPU; scale-out: per direction
    int domain_size = 1;       ///< GPUs in one scale-up domain
    friend bool operator==(const Link&, const Link&) = default;
};

struct Efficiency {
    double memory_bandwidth = 0;      ///< achieved fraction of peak memory bandwidth
    double matmul = 0;                ///< achieved fraction of dense peak in large GEMMs
    double allreduce_intra_node = 0;  ///< all-reduce bus bandwidth / one direction of the scale-up link
    double allreduce_inter_node = 0;  ///< all-reduce bus bandwidth / scale-out bandwidth
    std::string source;
    bool measured = false;
    friend bool operator==(const Efficiency&, const Efficiency&) = default;
};

struct Partition {
    std::string profile;  ///< e.g. "1g.10gb"
    Bytes memory;
    double compute_fraction = 1;
    double bandwidth_fraction = 1;
    std::optional<int> max_instances = std::nullopt;  ///< how many such slices one device holds, where the vendor says
    std::string kind = "mig";          ///< mig (NVIDIA Multi-Instance GPU), sr-iov (FuriosaAI RNGD), compute_partition (AMD CPX ...)
    friend bool operator==(const Partition&, const Partition&) = default;
};

/// Memory the accelerator shares with, or reaches coherently from, its host CPU.
struct UnifiedMemory {
    /// `shared`: memory_bytes is one pool that the host OS and CPU also use (DGX Spark, Jetson);
    /// `coherent_host`: besides its own memory the GPU reaches host memory coherently over a
    /// chip-to-chip link (GH200, GB200, GB300 over NVLink-C2C). Informational: memory estimates
    /// use `usable_memory` only.
    std::string kind;
    std::optional<Bytes> host_memory;              ///< coherent host memory per accelerator
    std::optional<BytesPerSecond> link_bandwidth;  ///< the CPU-accelerator link, total bidirectional
    friend bool operator==(const UnifiedMemory&, const UnifiedMemory&) = default;
};

struct Gpu {
    std::string id;
    std::string name;
    std::string vendor;
    std::string architecture;
    std::string form_factor;
    int launch_year = 0;
    std::vector<std::string> aliases;
    Bytes memory;
    Bytes usable_memory;
    std::string memory_type;
    BytesPerSecond memory_bandwidth;
    std::map<DType, FlopsPerSecond> dense_flops;
    std::map<DType, FlopsPerSecond> sparse_flops;
    std::optional<Link> scale_up;
    int pcie_generation = 0;
    int pcie_lanes = 0;
    std::optional<Link> scale_out;
    Efficiency efficiency;  ///< resolved: the entry's own values over its architecture's defaults
    double tdp_watts = 0;
    std::vector<Price> prices;
    std::optional<PurchasePrice> purchase;
    std::vector<Partition> partitions;
    std::optional<UnifiedMemory> unified_memory;
    /// What one entry counts: `gpu` (the default), `chip` (a TPU or Trainium chip), `card` (a
    /// board that may carry several chips), `package` (several chiplets sold as one device) or
    /// `system` (a desk-side or embedded computer). Every per-unit figure is per this unit.
    std::string counted_as = "gpu";
    int chips_per_unit = 1;              ///< chips (dies with their own memory) in one unit
    std::optional<int> cores_per_unit;   ///< the vendor's cores (TensorCores, NeuronCores, Tensix), where it counts them
    /// Field group (as in `sources`) -> `estimate` (derived or from a secondary source) or
    /// `preliminary` (announced, not yet in a datasheet). Absent groups are datasheet figures.
    std::map<std::string, std::string> basis;
    std::map<std::string, std::string> sources;
    std::string notes;
    std::string origin;  ///< the catalog file the entry (or its last override) came from

    /// Dense peak for computing in `t`; nullopt when the part has no such rate.
    std::optional<FlopsPerSecond> peak(DType t) const;
    /// One direction of the PCIe link: lanes * GT/s * 128/130 / 8.
    BytesPerSecond pcie_bandwidth() const;
    /// The cheapest listed price under `commitment`, if any (ties: provider name).
    std::optional<Price> cheapest_price(Commitment commitment = Commitment::on_demand) const;
    friend bool operator==(const Gpu&, const Gpu&) = default;
};

struct Catalog {
    std::string schema_version;
    std::vector<Gpu> gpus;            ///< sorted by id: output never depends on input order
    std::vector<std::string> origins; ///< the catalog files used, bundled first
    /// Lower-case alias -> the id it means when several entries share it (the catalog's
    /// `alias_defaults`: `h200` is the SXM form, the name people type first).
    std::map<std::string, std::string> alias_defaults;

    const Gpu* find_id(std::string_view id) const;
    /// Resolves an id or alias (case-insensitive). An alias shared by several entries means the
    /// one `alias_defaults` names. Throws UsageError for an unknown name (with a "did you mean")
    /// or an ambiguous alias without a default (listing the matches).
    const Gpu& resolve(std::string_view name) const;
    /// For a name that resolve() settles by `alias_defaults`: a sentence saying which entry it
    /// was taken to mean and which others share the name, for the report's assumptions.
    std::optional<std::string> alias_note(std::string_view name) const;
    /// Every id and alias, for suggestions.
    std::vector<std::string> names() const;
    friend bool operator==(const Catalog&, const Catalog&) = default;
};

/// Days from 1970-01-01 to a `YYYY-MM-DD` date (proleptic Gregorian); nullopt when `date` is not
/// such a date.
std::optional<std::int64_t> days_since_epoch(std::string_view date);

/// A price row of one entry and its age.
struct StalePrice {
    const Gpu* gpu;
    const Price* price;
    std::int64_t age_days;
};

/// The price rows dated more than `days` days before `today` (YYYY-MM-DD), oldest first (ties:
/// id, then provider). Throws UsageError when `today` is not a date.
std::vector<StalePrice> stale_prices(const Catalog& catalog, std::string_view today, std::int64_t days);

/// One catalog file's text and the name it is reported under.
struct CatalogSource {
    std::string_view text;
    std::string origin;
};

/// Parses catalogs in order, each overlaying the ones before it: an entry whose id exists replaces
/// the fields it names (a JSON merge patch), a new id must be complete. Collects every problem and
/// throws CatalogError naming the file and the JSON pointer of each.
Catalog parse_catalogs(const std::vector<CatalogSource>& sources);

/// Catalog files read, merged and checked once, to be overlaid many times (the catalog fuzzer
/// overlays each of its inputs on the bundled catalog). Problems found in them are kept, not
/// thrown: parse_catalogs reports them with the overlays' own. Cheap to copy (shared, immutable).
class CatalogBase {
public:
    CatalogBase();
    struct State;

private:
    std::shared_ptr<const State> state_;
    friend CatalogBase parse_catalog_base(const std::vector<CatalogSource>& sources);
    friend Catalog parse_catalogs(const CatalogBase& base, const std::vector<CatalogSource>& overlays);
};

/// Reads `sources` as parse_catalogs does, without throwing. The texts need not outlive the result.
CatalogBase parse_catalog_base(const std::vector<CatalogSource>& sources);

/// The same Catalog, or the same CatalogError, as parse_catalogs over the base's sources followed
/// by `overlays`, at the cost of the overlays alone: only the entries an overlay names, or whose
/// architecture_defaults it changes, are merged and checked again.
Catalog parse_catalogs(const CatalogBase& base, const std::vector<CatalogSource>& overlays);

/// The text of the catalog embedded in the binary (data/gpus.json).
std::string_view bundled_catalog_text();

}  // namespace gpusize
