// The GPU catalog (catalog.hpp): invariants over the whole bundled catalog, one test per alias
// rule, overlays that override or add entries, the full message of each broken overlay under
// tests/data/catalogs/, a base parsed once giving what parse_catalogs gives, and independence from
// the order of entries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <variant>

#include "catalog_snapshot.hpp"
#include "fixtures.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"

using namespace gpusize;

namespace {

const Catalog& bundled() { return test::bundled_catalog(); }

/// The bundled catalog with overlay files from tests/data/catalogs/ on top.
Catalog with_overlays(const std::vector<std::string>& names) {
    static std::map<std::string, std::string> texts;  // kept alive: CatalogSource holds a view
    std::vector<CatalogSource> sources{{bundled_catalog_text(), "data/gpus.json"}};
    for (const auto& n : names) {
        const std::string path = "tests/data/catalogs/" + n;
        if (!texts.count(path)) texts[path] = test::read_source(path);
        sources.push_back({texts[path], path});
    }
    return parse_catalogs(sources);
}

/// The formatted CatalogError of an overlay; fails when it is accepted.
std::string overlay_error(const std::string& name) {
    try {
        with_overlays({name});
    } catch (const CatalogError& e) {
        return e.what();
    }
    FAIL("accepted " << name);
    return {};
}

std::string usage_message(const Catalog& c, std::string_view name) {
    try {
        c.resolve(name);
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("resolved " << name);
    return {};
}

bool is_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

}  // namespace

// ---- invariants over the bundled catalog ----------------------------------------------------

TEST_CASE("the bundled catalog parses, sorted by id, with unique ids") {
    const auto& c = bundled();
    CHECK(c.schema_version.rfind("1.", 0) == 0);
    CHECK(c.origins == std::vector<std::string>{"data/gpus.json"});
    REQUIRE(c.gpus.size() >= 40);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < c.gpus.size(); ++i) {
        CHECK(ids.insert(c.gpus[i].id).second);
        if (i > 0) CHECK(c.gpus[i - 1].id < c.gpus[i].id);
    }
}

TEST_CASE("every id the catalog promises is present") {
    for (const char* id :
         {"t4", "v100-sxm2-16gb", "v100-sxm2-32gb", "a10", "a10g", "a30", "l4", "l40", "l40s", "a40", "a100-pcie-40gb",
          "a100-sxm-40gb", "a100-pcie-80gb", "a100-sxm-80gb", "h100-pcie-80gb", "h100-sxm-80gb", "h100-nvl-94gb",
          "h800-sxm-80gb", "h200-sxm-141gb", "h200-nvl-141gb", "gh200-96gb", "b200", "b300", "gb200", "rtx-3090", "rtx-4090",
          "rtx-5090", "rtx-a6000", "rtx-6000-ada", "rtx-pro-6000-blackwell", "mi210", "mi250x", "mi300x", "mi325x", "mi355x",
          "gaudi2", "gaudi3", "tpu-v5e", "tpu-v5p", "tpu-v6e"}) {
        INFO(id);
        CHECK(bundled().find_id(id) != nullptr);
    }
}

TEST_CASE("corrected datasheet figures: A10G, RTX PRO 6000 editions, B300, TPU v6e") {
    const auto& c = bundled();
    // A10G: NVIDIA's A10G sheet gives 70 dense / 140 sparse BF16, not the A10's 125 / 250.
    const Gpu& a10g = c.resolve("a10g");
    CHECK(a10g.dense_flops.at(DType::bf16).value() == Approx(70e12));
    CHECK(a10g.sparse_flops.at(DType::bf16).value() == Approx(140e12));
    CHECK(a10g.dense_flops.count(DType::int8) == 0);  // not published: refused, not guessed
    // RTX PRO 6000 Blackwell: three editions; the Server Edition has 1597 GB/s and a 2430 MHz boost.
    const Gpu& ws = c.resolve("rtx-pro-6000-blackwell");
    const Gpu& se = c.resolve("rtx-pro-6000-server");
    const Gpu& maxq = c.resolve("rtx-pro-6000-max-q");
    CHECK(se.id == "rtx-pro-6000-blackwell-server");
    CHECK(maxq.id == "rtx-pro-6000-blackwell-max-q");
    CHECK(ws.memory_bandwidth.value() == Approx(1792e9));
    CHECK(se.memory_bandwidth.value() == Approx(1597e9));
    CHECK(maxq.memory_bandwidth.value() == Approx(1792e9));
    CHECK(ws.dense_flops.at(DType::bf16).value() == Approx(503.8e12));
    CHECK(se.dense_flops.at(DType::bf16).value() == Approx(467.8e12));   // 188 SMs x 1024 x 2.43 GHz
    CHECK(se.dense_flops.at(DType::tf32).value() == Approx(234e12).epsilon(0.001));  // NVIDIA's dense TF32
    CHECK(maxq.sparse_flops.at(DType::fp4).value() == Approx(3511e12));
    CHECK(maxq.tdp_watts == 300);
    // B300: NVIDIA's B300 reference gives 7.7 TB/s (8 TB/s is GB300's); sparse FP4 is not 2x dense.
    const Gpu& b300 = c.resolve("b300");
    CHECK(b300.memory_bandwidth.value() == Approx(7.7e12));
    CHECK(b300.dense_flops.at(DType::fp4).value() == Approx(13.5e15));
    CHECK(b300.sparse_flops.at(DType::fp4).value() == Approx(18e15));
    // TPU v6e: FP8 runs at the bf16 rate.
    const Gpu& v6e = c.resolve("tpu-v6e");
    REQUIRE(v6e.dense_flops.count(DType::fp8) == 1);
    CHECK(v6e.dense_flops.at(DType::fp8).value() == Approx(918e12));
}

TEST_CASE("the catalog covers at least 55 accelerators from at least 8 vendors") {
    std::set<std::string> vendors;
    for (const auto& g : bundled().gpus) vendors.insert(g.vendor);
    CHECK(bundled().gpus.size() >= 55);
    CHECK(vendors.size() >= 8);
    for (const char* id : {"gb300", "h20", "l20", "mi350x", "tpu7x", "trn2", "trn3", "inf2", "rngd", "rebel-quad", "arc-pro-b60",
                           "tt-wormhole-n300", "tt-blackhole-p150a", "dgx-spark", "jetson-agx-thor",
                           "rtx-pro-6000-blackwell-server", "rtx-pro-6000-blackwell-max-q"}) {
        INFO(id);
        CHECK(bundled().find_id(id) != nullptr);
    }
}

TEST_CASE("no dense figure equals the sparse one published for the same part and precision") {
    // A dense rate equal to the 'with sparsity' figure is the classic copy error (the A10G's 125
    // was the A10's dense figure; the RTX PRO 6000's '1 PF FP16' is sparse).
    for (const auto& g : bundled().gpus)
        for (const auto& [t, sparse] : g.sparse_flops) {
            INFO(g.id << " " << to_string(t));
            if (g.dense_flops.count(t)) CHECK(g.dense_flops.at(t) != sparse);
        }
}

TEST_CASE("schema 1.2: unified memory, counting units, partitions beyond MIG, non-NVLink scale-up, basis") {
    const auto& c = bundled();
    const Gpu& spark = c.resolve("dgx-spark");
    REQUIRE(spark.unified_memory);
    CHECK(spark.unified_memory->kind == "shared");
    CHECK(spark.counted_as == "system");
    const Gpu& gh200 = c.resolve("gh200-96gb");
    REQUIRE(gh200.unified_memory);
    CHECK(gh200.unified_memory->kind == "coherent_host");
    CHECK(gh200.unified_memory->host_memory->value() == Approx(480e9));
    const Gpu& trn2 = c.resolve("trn2");
    CHECK(trn2.counted_as == "chip");
    CHECK(trn2.cores_per_unit == 8);
    REQUIRE(trn2.scale_up);
    CHECK(trn2.scale_up->kind == "neuronlink");
    CHECK(trn2.scale_up->domain_size == 64);
    CHECK(c.resolve("tpu7x").scale_up->kind == "ici");
    CHECK(c.resolve("tpu7x").scale_up->domain_size == 9216);
    const Gpu& n300 = c.resolve("tt-wormhole-n300");
    CHECK(n300.counted_as == "card");
    CHECK(n300.chips_per_unit == 2);
    const Gpu& rngd = c.resolve("rngd");
    REQUIRE(rngd.partitions.size() == 3);
    CHECK(rngd.partitions[2].kind == "sr-iov");
    CHECK(rngd.partitions[2].max_instances == 8);
    CHECK(rngd.partitions[2].compute_fraction == Approx(0.125));
    CHECK(c.resolve("h100-sxm-80gb").partitions.front().kind == "mig");  // the default
    CHECK(c.resolve("rebel-quad").basis.at("dense_flops") == "preliminary");
    CHECK(c.resolve("h20").basis.at("dense_flops") == "estimate");
    CHECK(c.resolve("h100-sxm-80gb").basis.empty());
    CHECK(c.resolve("h100-sxm-80gb").counted_as == "gpu");
    // every basis names a field group the entry cites
    for (const auto& g : c.gpus)
        for (const auto& [k, v] : g.basis) {
            INFO(g.id << " " << k);
            CHECK((k == "usable_memory" || k == "links" || k == "partitions" || g.sources.count(k) == 1));
        }
}

TEST_CASE("broken overlay: a basis that is neither estimate nor preliminary") {
    CHECK(overlay_error("bad-basis.json") ==
          "tests/data/catalogs/bad-basis.json:4:54: error: /gpus/0/basis/dense_flops: unknown basis 'estimated': "
          "expected one of estimate, preliminary\n"
          "      {\"id\": \"h100-sxm-80gb\", \"basis\": {\"dense_flops\": \"estimated\"}}\n"
          "                                                       ^\n"
          "hint: did you mean 'estimate'?\n");
}

TEST_CASE("broken overlay: an unknown scale-up kind") {
    CHECK(overlay_error("unknown-scale-up-kind.json") ==
          "tests/data/catalogs/unknown-scale-up-kind.json:4:41: error: /gpus/0/scale_up/kind: unknown scale-up kind 'neuron_link': "
          "expected one of nvlink, infinity_fabric, ici, neuronlink, ualink, xe_link, rdma_ethernet, tt_ethernet\n"
          "      {\"id\": \"trn2\", \"scale_up\": {\"kind\": \"neuron_link\", \"bandwidth_bytes_per_s\": 1.28e12, \"domain_size\": 64}}\n"
          "                                          ^\n"
          "hint: did you mean 'neuronlink'?\n");
}

TEST_CASE("every entry has its required fields and their sources") {
    for (const auto& g : bundled().gpus) {
        INFO(g.id);
        CHECK_FALSE(g.name.empty());
        CHECK_FALSE(g.vendor.empty());
        CHECK_FALSE(g.architecture.empty());
        CHECK_FALSE(g.form_factor.empty());
        CHECK_FALSE(g.memory_type.empty());
        CHECK(g.launch_year >= 2010);
        CHECK(g.memory.value() > 0);
        CHECK(g.usable_memory.value() > 0);
        CHECK(g.memory_bandwidth.value() > 0);
        CHECK_FALSE(g.dense_flops.empty());
        CHECK(g.tdp_watts > 0);
        CHECK(g.pcie_generation >= 3);
        CHECK(g.pcie_lanes > 0);
        for (const char* k : {"memory", "memory_bandwidth", "dense_flops", "tdp"}) {
            INFO(k);
            REQUIRE(g.sources.count(k) == 1);
            CHECK_FALSE(g.sources.at(k).empty());
        }
        CHECK(g.efficiency.memory_bandwidth > 0);
        CHECK(g.efficiency.memory_bandwidth <= 1);
        CHECK(g.efficiency.matmul > 0);
        CHECK(g.efficiency.matmul <= 1);
        if (g.scale_up) CHECK(g.scale_up->domain_size >= 1);
    }
}

TEST_CASE("usable memory never exceeds nominal memory") {
    for (const auto& g : bundled().gpus) {
        INFO(g.id);
        CHECK(g.usable_memory <= g.memory);
        // and is most of it: more than 80% (a driver reserve, ECC), never a typo in units
        CHECK(g.usable_memory.value() > 0.8 * g.memory.value());
    }
}

TEST_CASE("fp8 is at least bf16, and 16-bit at least fp32, where both exist") {
    for (const auto& g : bundled().gpus) {
        INFO(g.id);
        const auto& f = g.dense_flops;
        if (f.count(DType::fp8) && f.count(DType::bf16)) CHECK(f.at(DType::fp8) >= f.at(DType::bf16));
        if (f.count(DType::bf16) && f.count(DType::fp32)) CHECK(f.at(DType::bf16) >= f.at(DType::fp32));
    }
}

TEST_CASE("dense rates never exceed sparse ones") {
    for (const auto& g : bundled().gpus)
        for (const auto& [t, sparse] : g.sparse_flops) {
            INFO(g.id << " " << to_string(t));
            if (g.dense_flops.count(t)) CHECK(g.dense_flops.at(t) <= sparse);
        }
}

TEST_CASE("every price names its provider, a YYYY-MM-DD date and a source") {
    for (const auto& g : bundled().gpus) {
        for (const auto& p : g.prices) {
            INFO(g.id << " " << p.provider);
            CHECK_FALSE(p.provider.empty());
            CHECK(p.per_gpu_hour.value() > 0);
            CHECK(is_date(p.date));
            CHECK_FALSE(p.source.empty());
        }
        if (g.purchase) {
            INFO(g.id << " purchase");
            CHECK(g.purchase->price.value() > 0);
            CHECK(is_date(g.purchase->date));
            CHECK_FALSE(g.purchase->source.empty());
        }
    }
}

TEST_CASE("source notes say what the source is, not how the catalog was gathered") {
    // A note such as "list price not re-read in this session" tells a user nothing about the figure.
    const nlohmann::json doc = nlohmann::json::parse(bundled_catalog_text());
    std::vector<std::string> texts;
    auto collect = [&](const nlohmann::json& v, auto&& self) -> void {
        if (v.is_string()) texts.push_back(v.get<std::string>());
        else if (v.is_structured())
            for (const auto& x : v) self(x, self);
    };
    collect(doc, collect);
    for (const auto& t : texts) {
        INFO(t);
        for (const char* phrase : {"this session", "re-read", "search index", "exact-string search", "not verified", "re-verified"})
            CHECK(t.find(phrase) == std::string::npos);
    }
}

TEST_CASE("partitions fit inside their GPU") {
    for (const auto& g : bundled().gpus)
        for (const auto& p : g.partitions) {
            INFO(g.id << " " << p.profile);
            CHECK(p.memory <= g.memory);
            CHECK(p.compute_fraction > 0);
            CHECK(p.compute_fraction <= 1);
            CHECK(p.bandwidth_fraction > 0);
            CHECK(p.bandwidth_fraction <= 1);
        }
}

TEST_CASE("no alias is another entry's id") {
    const auto& c = bundled();
    for (const auto& g : c.gpus)
        for (const auto& a : g.aliases) {
            INFO(g.id << " alias " << a);
            const Gpu* other = c.find_id(a);
            CHECK((other == nullptr || other == &g));
        }
}

// ---- alias rules, one test each -------------------------------------------------------------

TEST_CASE("alias rule: an id matches case-insensitively") {
    CHECK(bundled().resolve("h100-sxm-80gb").id == "h100-sxm-80gb");
    CHECK(bundled().resolve("H100-SXM-80GB").id == "h100-sxm-80gb");
    CHECK(bundled().resolve("MI300X").id == "mi300x");
}

TEST_CASE("alias rule: an alias held by one entry resolves to it, in any case") {
    CHECK(bundled().resolve("h100").id == "h100-sxm-80gb");
    CHECK(bundled().resolve("H100").id == "h100-sxm-80gb");
    CHECK(bundled().resolve("h100-sxm").id == "h100-sxm-80gb");
}

TEST_CASE("alias rule: an alias shared by several entries is ambiguous and lists them") {
    CHECK(usage_message(bundled(), "v100") ==
          "gpusize: error: GPU name 'v100' is ambiguous: it matches v100-sxm2-16gb, v100-sxm2-32gb\n"
          "hint: use one of the ids\n");
    CHECK_FALSE(bundled().alias_note("v100-16gb"));
}

TEST_CASE("alias rule: a shared alias with a catalog default means that entry, and the note names the others") {
    // The names people type first resolve to the flagship (SXM) form.
    CHECK(bundled().resolve("h200").id == "h200-sxm-141gb");
    CHECK(bundled().resolve("H100").id == "h100-sxm-80gb");
    CHECK(bundled().resolve("a100").id == "a100-sxm-80gb");
    CHECK(bundled().alias_note("h200") ==
          "'h200' is taken as h200-sxm-141gb (NVIDIA H200 SXM 141GB), the catalog's default for that name; also called "
          "'h200': h200-nvl-141gb");
    CHECK(bundled().alias_note("a100") ==
          "'a100' is taken as a100-sxm-80gb (NVIDIA A100 SXM4 80GB), the catalog's default for that name; also called "
          "'a100': a100-pcie-40gb, a100-pcie-80gb, a100-sxm-40gb");
    // An id or an alias of one entry needs no note.
    CHECK_FALSE(bundled().alias_note("h200-nvl-141gb"));
    CHECK_FALSE(bundled().alias_note("h200-sxm"));
    // An overlay can change the default, or name an entry that lacks the alias (refused).
    const std::string nvl = R"({"alias_defaults": {"H200": "h200-nvl-141gb"}})";
    CHECK(parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {nvl, "nvl.json"}}).resolve("h200").id == "h200-nvl-141gb");
    const std::string bad = "{\"alias_defaults\": {\n  \"h200\": \"h100-sxm-80gb\",\n  \"a100\": \"a100-sxm\"\n}}";
    try {
        parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {bad, "bad.json"}});
        FAIL("accepted");
    } catch (const CatalogError& e) {
        CHECK(std::string(e.what()) ==
              "bad.json:3:11: error: /alias_defaults/a100: unknown GPU id 'a100-sxm'\n"
              "    \"a100\": \"a100-sxm\"\n"
              "            ^\n"
              "bad.json:2:11: error: /alias_defaults/h200: 'h100-sxm-80gb' has no alias 'h200': add it to the entry's aliases\n"
              "    \"h200\": \"h100-sxm-80gb\",\n"
              "            ^\n");
    }
}

TEST_CASE("alias rule: an unknown name gets a did-you-mean") {
    CHECK(usage_message(bundled(), "h100-sxm-80g") ==
          "gpusize: error: unknown GPU 'h100-sxm-80g'\n"
          "hint: did you mean 'h100-sxm-80gb'?\n");
    CHECK(usage_message(bundled(), "quantum-9000") == "gpusize: error: unknown GPU 'quantum-9000'\n");
}

TEST_CASE("alias rule: an id wins over an alias of the same spelling") {
    // An overlay cannot give an entry an alias that is another entry's id.
    const std::string text = R"({"schema_version": "1.0", "gpus": [{"id": "l4", "aliases": ["t4"]}]})";
    try {
        parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "alias.json"}});
        FAIL("accepted");
    } catch (const CatalogError& e) {
        CHECK(std::string(e.what()) == "alias.json:1:60: error: /gpus/0/aliases: alias 't4' is the id of another entry\n"
                                       "  " + text + "\n" + std::string(61, ' ') + "^\n");
    }
}

// ---- overlays -------------------------------------------------------------------------------

TEST_CASE("an overlay overrides the price of an existing id and keeps the rest") {
    const Catalog c = with_overlays({"price-override.json"});
    CHECK(c.origins == std::vector<std::string>{"data/gpus.json", "tests/data/catalogs/price-override.json"});
    CHECK(c.gpus.size() == bundled().gpus.size());
    const Gpu* g = c.find_id("h100-sxm-80gb");
    REQUIRE(g);
    REQUIRE(g->prices.size() == 1);
    CHECK(g->prices[0].provider == "negotiated");
    CHECK(g->prices[0].per_gpu_hour.value() == Approx(1.5));
    CHECK(g->prices[0].date == "2025-06-01");
    CHECK(g->origin == "tests/data/catalogs/price-override.json");
    const Gpu* before = bundled().find_id("h100-sxm-80gb");
    CHECK(g->memory == before->memory);
    CHECK(g->dense_flops == before->dense_flops);
    CHECK(g->aliases == before->aliases);
    // Others are untouched.
    CHECK(c.find_id("a100-sxm-80gb")->origin == "data/gpus.json");
}

TEST_CASE("an overlay adds a new complete GPU, with its architecture's efficiency") {
    const Catalog c = with_overlays({"new-gpu.json"});
    CHECK(c.gpus.size() == bundled().gpus.size() + 1);
    const Gpu* g = c.find_id("acme-x1");
    REQUIRE(g);
    CHECK(g->name == "Acme X1 96GB");
    CHECK(g->memory.value() == 103079215104.0);
    CHECK(g->dense_flops.at(DType::bf16).value() == 8e14);
    CHECK(g->pcie_generation == 5);
    CHECK(g->efficiency.matmul > 0);
    CHECK(c.resolve("X1").id == "acme-x1");
    CHECK(std::is_sorted(c.gpus.begin(), c.gpus.end(), [](const Gpu& a, const Gpu& b) { return a.id < b.id; }));
}

TEST_CASE("a new GPU missing fields gets one error listing them") {
    CHECK(overlay_error("incomplete-gpu.json") ==
          "tests/data/catalogs/incomplete-gpu.json:4:5: error: /gpus/0: missing required fields 'architecture', 'form_factor', "
          "'launch_year', 'usable_memory_bytes', 'memory_type', 'memory_bandwidth_bytes_per_s', 'dense_flops_per_s', "
          "'pcie', 'tdp_watts', 'sources': a new GPU needs every one of them\n"
          "      {\n"
          "      ^\n");
}

TEST_CASE("broken overlay: negative memory") {
    CHECK(overlay_error("negative-memory.json") ==
          "tests/data/catalogs/negative-memory.json:4:45: error: /gpus/0/memory_bytes: expected a positive number, got -1\n"
          "      {\"id\": \"h100-sxm-80gb\", \"memory_bytes\": -1}\n"
          "                                              ^\n");
}

TEST_CASE("broken overlay: unknown key with did-you-mean") {
    CHECK(overlay_error("unknown-key.json") ==
          "tests/data/catalogs/unknown-key.json:4:29: error: /gpus/0/memory_bandwith_bytes_per_s: unknown key "
          "'memory_bandwith_bytes_per_s'\n"
          "      {\"id\": \"h100-sxm-80gb\", \"memory_bandwith_bytes_per_s\": 3350000000000}\n"
          "                              ^\n"
          "hint: did you mean 'memory_bandwidth_bytes_per_s'?\n");
}

TEST_CASE("broken overlay: duplicate id in one file") {
    CHECK(overlay_error("duplicate-id.json") ==
          "tests/data/catalogs/duplicate-id.json:5:12: error: /gpus/1/id: duplicate id 'h100-sxm-80gb'\n"
          "      {\"id\": \"h100-sxm-80gb\", \"tdp_watts\": 500}\n"
          "             ^\n");
}

TEST_CASE("broken overlay: a dense rate above the sparse one") {
    CHECK(overlay_error("dense-exceeds-sparse.json") ==
          "tests/data/catalogs/dense-exceeds-sparse.json:4:60: error: /gpus/0/sparse_flops_per_s/bf16: dense bf16 rate "
          "989.4 TFLOP/s exceeds its sparse rate 500 TFLOP/s: a dense rate is at most the sparse one (store the dense "
          "figure, often half the datasheet's 'with sparsity' one)\n"
          "      {\"id\": \"h100-sxm-80gb\", \"sparse_flops_per_s\": {\"bf16\": 500000000000000}}\n"
          "                                                             ^\n");
}

TEST_CASE("broken overlay: unsupported schema version") {
    CHECK(overlay_error("bad-schema-version.json") ==
          "tests/data/catalogs/bad-schema-version.json:2:21: error: /schema_version: unsupported catalog schema version "
          "'2.0': expected 1.x\n"
          "    \"schema_version\": \"2.0\",\n"
          "                      ^\n");
}

TEST_CASE("broken overlay: invalid JSON with line and column") {
    CHECK(overlay_error("invalid-json.json") ==
          "tests/data/catalogs/invalid-json.json:4:46: error: invalid JSON: syntax error while parsing object key - "
          "unexpected '}'; expected string literal\n"
          "      {\"id\": \"h100-sxm-80gb\", \"tdp_watts\": 600,}\n"
          "                                               ^\n");
}

TEST_CASE("broken overlay: a price date that is not YYYY-MM-DD") {
    const std::string text =
        R"({"schema_version": "1.0", "gpus": [{"id": "l4", "prices": [{"provider": "x", "usd_per_gpu_hour": 1,
        "date": "June 2025", "source": "y"}]}]})";
    try {
        parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "dates.json"}});
        FAIL("accepted");
    } catch (const CatalogError& e) {
        CHECK(std::string(e.what()) == "dates.json:2:17: error: /gpus/0/prices/0/date: expected a date as YYYY-MM-DD, got 'June 2025'\n"
                                       "          \"date\": \"June 2025\", \"source\": \"y\"}]}]}\n"
                                       "                  ^\n");
    }
}

TEST_CASE("every problem of an overlay is reported at once") {
    const std::string text =
        "{\"schema_version\": \"1.0\", \"gpus\": [\n{\"id\": \"l4\", \"tdp_watts\": 0, \"memory_bytes\": \"big\"},\n{\"id\": \"t4\", \"pcie\": 4}]}";
    try {
        parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "many.json"}});
        FAIL("accepted");
    } catch (const CatalogError& e) {
        CHECK(std::string(e.what()) ==
              "many.json:2:46: error: /gpus/0/memory_bytes: expected a positive number, got 'big'\n"
              "  {\"id\": \"l4\", \"tdp_watts\": 0, \"memory_bytes\": \"big\"},\n"
              "                                               ^\n"
              "many.json:2:27: error: /gpus/0/tdp_watts: expected a positive number, got 0\n"
              "  {\"id\": \"l4\", \"tdp_watts\": 0, \"memory_bytes\": \"big\"},\n"
              "                            ^\n"
              "many.json:3:22: error: /gpus/1/pcie: expected an object, got 4\n"
              "  {\"id\": \"t4\", \"pcie\": 4}]}\n"
              "                       ^\n");
    }
}

TEST_CASE("hostile catalogs never crash the parser") {
    const char* inputs[] = {"", "null", "[]", R"({"schema_version": 1})", R"({"schema_version": "1.0", "gpus": {}})",
                            R"({"schema_version": "1.0", "gpus": [1, null, []]})",
                            R"({"schema_version": "1.0", "gpus": [{"id": 5}]})",
                            R"({"schema_version": "1.0", "gpus": [{"id": "l4", "launch_year": 18446744073709551615}]})",
                            R"({"schema_version": "1.0", "architecture_defaults": {"x": 3}})",
                            R"({"alias_defaults": 5})", R"({"alias_defaults": {"": "h200-sxm-141gb"}})",
                            R"({"alias_defaults": {"h200": 5}})", R"({"alias_defaults": {"h200": ""}})",
                            R"({"gpus": [{"id": "l4", "efficiency": {"matmul": 1e-300}}]})", R"({"a": 1, "a": {"b": [1, {"c": 2, "c": 3}]}})"};
    for (const char* text : inputs) {
        INFO(text);
        CHECK_THROWS_AS(parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "h.json"}}), CatalogError);
    }
}

TEST_CASE("a number too large for a double is an invalid catalog, not a crash") {
    const std::string text = R"({"schema_version": "1.0", "gpus": [{"id": "l4", "memory_bytes": 1e400}]})";
    try {
        parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "huge.json"}});
        FAIL("accepted");
    } catch (const CatalogError& e) {
        CHECK(std::string(e.what()) == "huge.json: error: invalid JSON: number overflow parsing '1e400'\n");
    }
}

namespace {

/// The formatted CatalogError of the bundled catalog under `overlays` (text, name); fails when accepted.
std::string error_of(const std::vector<std::pair<std::string, std::string>>& overlays) {
    std::vector<CatalogSource> sources{{bundled_catalog_text(), "data/gpus.json"}};
    for (const auto& [text, name] : overlays) sources.push_back({text, name});
    try {
        parse_catalogs(sources);
    } catch (const CatalogError& e) {
        return e.what();
    }
    FAIL("accepted");
    return {};
}

}  // namespace

TEST_CASE("an overlay without schema_version is read as the current schema") {
    const std::string text = R"({"gpus": [{"id": "l4", "tdp_watts": 75}]})";
    const Catalog c = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, "plain.json"}});
    CHECK(c.find_id("l4")->tdp_watts == 75);
    CHECK(c.schema_version == "1.3");
    CHECK(parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {"{}", "empty.json"}}).gpus == bundled().gpus);
}

TEST_CASE("a duplicate key in an overlay is refused where it stands, not silently last-wins") {
    const std::string text = "{\"gpus\": [\n  {\"id\": \"l4\", \"tdp_watts\": 75,\n   \"tdp_watts\": 7500}\n]}";
    CHECK(error_of({{text, "dup.json"}}) ==
          "dup.json:3:4: error: duplicate key 'tdp_watts' in '/gpus/0' (first given on line 2)\n"
          "     \"tdp_watts\": 7500}\n"
          "     ^\n");
    const std::string top = "{\"schema_version\": \"1.0\",\n\"schema_version\": \"1.0\"}";
    CHECK(error_of({{top, "top.json"}}) ==
          "top.json:2:1: error: duplicate key 'schema_version' in the top-level object (first given on line 1)\n"
          "  \"schema_version\": \"1.0\"}\n"
          "  ^\n");
    // Keys compare as decoded: "tdp\u005fwatts" is "tdp_watts".
    const std::string escaped = R"({"gpus": [{"id": "l4", "tdp_watts": 75, "tdp\u005fwatts": 70}]})";
    CHECK(error_of({{escaped, "esc.json"}}).find("esc.json:1:41: error: duplicate key 'tdp_watts' in '/gpus/0'") == 0);
}

TEST_CASE("with several overlays on one GPU, each error names the file and line that gave the bad value") {
    const std::string a = "{\"gpus\": [\n  {\"id\": \"h100-sxm-80gb\", \"memory_bytes\": -5}\n]}";
    const std::string b = "{\"gpus\": [\n  {\"id\": \"l4\", \"tdp_watts\": 70},\n  {\"id\": \"h100-sxm-80gb\", \"tdp_watts\": 650}\n]}";
    CHECK(error_of({{a, "a.json"}, {b, "b.json"}}) ==
          "a.json:2:43: error: /gpus/0/memory_bytes: expected a positive number, got -5\n"
          "    {\"id\": \"h100-sxm-80gb\", \"memory_bytes\": -5}\n"
          "                                            ^\n");
    // The memory a.json gives is fine; b.json's usable memory exceeds it: b.json is named.
    const std::string small = R"({"gpus": [{"id": "l4", "memory_bytes": 2147483648}]})";
    const std::string usable = "{\"gpus\": [\n{\"id\": \"l4\", \"usable_memory_bytes\": 4294967296}]}";
    CHECK(error_of({{small, "small.json"}, {usable, "usable.json"}}) ==
          "usable.json:2:37: error: /gpus/0/usable_memory_bytes: usable memory 4294967296 exceeds nominal memory 2147483648\n"
          "  {\"id\": \"l4\", \"usable_memory_bytes\": 4294967296}]}\n"
          "                                      ^\n");
    // A field a new entry lacks points at the file that introduced the entry, not at a later patch.
    const std::string partial = R"({"gpus": [{"id": "acme-z", "name": "Z", "vendor": "acme", "architecture": "hopper",
  "form_factor": "sxm", "launch_year": 2025, "memory_bytes": 2147483648, "usable_memory_bytes": 2147483648,
  "memory_type": "hbm3", "memory_bandwidth_bytes_per_s": 1e12, "dense_flops_per_s": {"bf16": 1e14},
  "tdp_watts": 100, "sources": {"memory": "a", "memory_bandwidth": "b", "dense_flops": "c", "tdp": "d"}}]})";
    const std::string patch = R"({"gpus": [{"id": "acme-z", "tdp_watts": 120}]})";
    CHECK(error_of({{partial, "new.json"}, {patch, "patch.json"}}) ==
          "new.json:1:11: error: /gpus/0/pcie: missing required field 'pcie'\n"
          "  {\"gpus\": [{\"id\": \"acme-z\", \"name\": \"Z\", \"vendor\": \"acme\", \"architecture\": \"hopper\",\n"
          "            ^\n");
}

TEST_CASE("implausible catalog values are refused with the range they miss") {
    auto one = [](const std::string& field) {
        return error_of({{R"({"gpus": [{"id": "l4", )" + field + "}]}", "x.json"}});
    };
    auto message = [](const std::string& s) { return s.substr(0, s.find('\n')); };
    CHECK(message(one(R"("efficiency": {"matmul": 1e-300})")) ==
          "x.json:1:49: error: /gpus/0/efficiency/matmul: expected a fraction from 0.01 to 1, got 1e-300");
    CHECK(message(one(R"("memory_bytes": 1e308)")) ==
          "x.json:1:40: error: /gpus/0/memory_bytes: expected from 1 GiB to 100 TB (1073741824 to 1e14 bytes), got 1e+308");
    CHECK(message(one(R"("memory_bytes": 1000)")) ==
          "x.json:1:40: error: /gpus/0/memory_bytes: expected from 1 GiB to 100 TB (1073741824 to 1e14 bytes), got 1000");
    CHECK(message(one(R"("memory_bandwidth_bytes_per_s": 1e16)")) ==
          "x.json:1:56: error: /gpus/0/memory_bandwidth_bytes_per_s: expected from 1 GB/s to 1 PB/s (1e9 to 1e15 bytes/s), "
          "got 1e+16");
    CHECK(message(one(R"("dense_flops_per_s": {"bf16": 1e300})")) ==
          "x.json:1:54: error: /gpus/0/dense_flops_per_s/bf16: expected from 0.1 to 1000000 TFLOP/s (1e11 to 1e18 per second), "
          "got 1e+300");
    CHECK(message(one(R"("tdp_watts": 1e6)")) == "x.json:1:37: error: /gpus/0/tdp_watts: expected from 1 to 100000 watts, got 1000000.0");
    CHECK(message(one(R"("scale_out": {"kind": "roce", "bandwidth_bytes_per_s": 5e5})")) ==
          "x.json:1:79: error: /gpus/0/scale_out/bandwidth_bytes_per_s: expected from 1 GB/s to 1 PB/s (1e9 to 1e15 bytes/s), "
          "got 500000.0");
    CHECK(message(one(R"("prices": [{"provider": "p", "usd_per_gpu_hour": 5000, "date": "2025-01-01", "source": "s"}])")) ==
          "x.json:1:73: error: /gpus/0/prices/0/usd_per_gpu_hour: expected a price in (0, 1000] USD per GPU-hour, got 5000");
    CHECK(message(one(R"("purchase": {"usd": 2e7, "date": "2025-01-01", "source": "s"})")) ==
          "x.json:1:44: error: /gpus/0/purchase/usd: expected a price in (0, 10000000] USD, got 20000000.0");
    // The bounds hold every bundled entry (bundled() parsed), and the limits themselves are accepted.
    CHECK_NOTHROW(parse_catalogs({{bundled_catalog_text(), "data/gpus.json"},
                                  {R"({"gpus": [{"id": "l4", "efficiency": {"matmul": 0.01}, "tdp_watts": 100000,
                                      "prices": [{"provider": "p", "usd_per_gpu_hour": 1000, "date": "2025-01-01", "source": "s"}]}]})",
                                   "edge.json"}}));
}

// ---- a base parsed once -------------------------------------------------------------------------

namespace {

/// The Catalog, or the CatalogError's text, of one way of parsing.
template <class F>
std::variant<Catalog, std::string> outcome(F parse) {
    try {
        return parse();
    } catch (const CatalogError& e) {
        return std::string(e.what());
    }
}

}  // namespace

TEST_CASE("a base parsed once, then an overlay, gives what parse_catalogs gives") {
    const CatalogBase base = parse_catalog_base({{bundled_catalog_text(), "data/gpus.json"}});
    // Every overlay fixture, valid or broken, and overlays that change an architecture's defaults
    // (every entry of that architecture is checked again) or break them.
    std::vector<std::pair<std::string, std::string>> overlays;
    for (const char* name : {"new-gpu.json", "price-override.json", "negative-memory.json", "unknown-key.json", "duplicate-id.json",
                             "dense-exceeds-sparse.json", "bad-schema-version.json", "invalid-json.json", "incomplete-gpu.json"})
        overlays.emplace_back(test::read_source(std::string("tests/data/catalogs/") + name), name);
    overlays.emplace_back(R"({"schema_version": "1.0", "architecture_defaults": {"hopper": {"matmul": 0.5}}})", "hopper.json");
    overlays.emplace_back(R"({"schema_version": "1.0", "architecture_defaults": {"hopper": {"matmul": 2}}})", "bad-hopper.json");
    for (const auto& overlay : overlays) {
        // Named copies: lambdas capture variables, not structured bindings (C++20 allows it, clang 14 does not).
        const std::string& text = overlay.first;
        const std::string& name = overlay.second;
        INFO(name);
        const auto once = outcome([&] { return parse_catalogs(base, {{text, name}}); });
        const auto all = outcome([&] { return parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {text, name}}); });
        CHECK(once == all);
        if (const auto* e = std::get_if<std::string>(&all)) CHECK_FALSE(e->empty());
    }
    // The defaults overlay changed the Hopper entries, and only them.
    const std::string& hopper_text = overlays[overlays.size() - 2].first;
    const std::string& bad_hopper_text = overlays.back().first;
    const Catalog hopper = parse_catalogs(base, {{hopper_text, "hopper.json"}});
    CHECK(hopper.find_id("h200-sxm-141gb")->efficiency.matmul == 0.5);
    CHECK(hopper.find_id("h100-sxm-80gb")->efficiency == bundled().find_id("h100-sxm-80gb")->efficiency);  // its own
    CHECK(hopper.find_id("l4")->efficiency == bundled().find_id("l4")->efficiency);
    // Two overlays at once; a base of two files with a problem of its own, reported before the
    // overlay's as parse_catalogs reports them.
    const std::string new_gpu = test::read_source("tests/data/catalogs/new-gpu.json");
    const std::string negative = test::read_source("tests/data/catalogs/negative-memory.json");
    CHECK(outcome([&] { return parse_catalogs(base, {{new_gpu, "a.json"}, {hopper_text, "b.json"}}); }) ==
          outcome([&] { return parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {new_gpu, "a.json"}, {hopper_text, "b.json"}}); }));
    const CatalogBase broken = parse_catalog_base({{bundled_catalog_text(), "data/gpus.json"}, {bad_hopper_text, "bad-hopper.json"}});
    const auto both = outcome([&] { return parse_catalogs(broken, {{negative, "negative.json"}}); });
    CHECK(both == outcome([&] {
              return parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {bad_hopper_text, "bad-hopper.json"}, {negative, "negative.json"}});
          }));
    CHECK(both == std::variant<Catalog, std::string>(
                      "bad-hopper.json:1:74: error: /architecture_defaults/hopper/matmul: expected a fraction from 0.01 to 1, got 2\n"
                      "  " + bad_hopper_text + "\n" + std::string(75, ' ') + "^\n"
                      "negative.json:4:45: error: /gpus/0/memory_bytes: expected a positive number, got -1\n"
                      "      {\"id\": \"h100-sxm-80gb\", \"memory_bytes\": -1}\n"
                      "                                              ^\n"));
    // No overlay at all: the base itself.
    CHECK(parse_catalogs(base, {}) == bundled());
}

// ---- determinism ----------------------------------------------------------------------------

TEST_CASE("the order of entries does not change the catalog") {
    nlohmann::json doc = nlohmann::json::parse(bundled_catalog_text());
    auto& gpus = doc["gpus"];
    std::reverse(gpus.begin(), gpus.end());
    const std::string reversed = doc.dump();
    // A seeded shuffle as well: a fixed permutation, not a random one.
    std::rotate(gpus.begin(), gpus.begin() + 7, gpus.end());
    const std::string rotated = doc.dump();
    const std::string overlay_a = test::read_source("tests/data/catalogs/new-gpu.json");
    const std::string overlay_b = test::read_source("tests/data/catalogs/price-override.json");
    const Catalog a = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {overlay_a, "a.json"}, {overlay_b, "b.json"}});
    for (const std::string* text : {&reversed, &rotated}) {
        const Catalog b = parse_catalogs({{*text, "data/gpus.json"}, {overlay_a, "a.json"}, {overlay_b, "b.json"}});
        REQUIRE(a.gpus.size() == b.gpus.size());
        for (std::size_t i = 0; i < a.gpus.size(); ++i) {
            INFO(a.gpus[i].id);
            CHECK(a.gpus[i].id == b.gpus[i].id);
            CHECK(a.gpus[i].memory == b.gpus[i].memory);
            CHECK(a.gpus[i].dense_flops == b.gpus[i].dense_flops);
            CHECK(a.gpus[i].aliases == b.gpus[i].aliases);
            CHECK(a.gpus[i].prices.size() == b.gpus[i].prices.size());
            CHECK(a.gpus[i].origin == b.gpus[i].origin);
        }
    }
}

TEST_CASE("overlays that touch different ids commute") {
    const Catalog ab = with_overlays({"new-gpu.json", "price-override.json"});
    const Catalog ba = with_overlays({"price-override.json", "new-gpu.json"});
    REQUIRE(ab.gpus.size() == ba.gpus.size());
    for (std::size_t i = 0; i < ab.gpus.size(); ++i) {
        CHECK(ab.gpus[i].id == ba.gpus[i].id);
        CHECK(ab.gpus[i].prices.size() == ba.gpus[i].prices.size());
    }
}

TEST_CASE("the peak of a weight-only format is its compute precision's") {
    const Gpu* g = bundled().find_id("h100-sxm-80gb");
    REQUIRE(g);
    CHECK(g->peak(DType::nf4) == g->peak(DType::bf16));
    CHECK(g->peak(DType::bf16)->value() > 0);
    // PCIe 5.0 x16: 32 GT/s * 16 lanes * 128/130 / 8 = 63.0 GB/s per direction
    CHECK(g->pcie_bandwidth().value() == Approx(32e9 * 16 * 128.0 / 130.0 / 8.0));
    REQUIRE(g->cheapest_price());
    for (const auto& p : g->prices) CHECK(g->cheapest_price()->per_gpu_hour <= p.per_gpu_hour);
}

TEST_CASE("days_since_epoch counts civil days and refuses what is not a date") {
    CHECK(days_since_epoch("1970-01-01") == 0);
    CHECK(days_since_epoch("1969-12-31") == -1);
    CHECK(days_since_epoch("2000-03-01") == 11017);  // after a leap day of a year divisible by 400
    CHECK(days_since_epoch("2026-12-03") == 20790);
    CHECK_FALSE(days_since_epoch("2026-02-29"));
    CHECK_FALSE(days_since_epoch("2026-13-01"));
    CHECK_FALSE(days_since_epoch("26-12-03"));
}

TEST_CASE("stale prices: rows older than the given days, oldest first, with their age") {
    const auto& c = bundled();
    const auto rows = stale_prices(c, "2026-12-03", 365);
    REQUIRE_FALSE(rows.empty());
    std::size_t older = 0;
    for (const auto& g : c.gpus)
        for (const auto& p : g.prices)
            if (*days_since_epoch("2026-12-03") - *days_since_epoch(p.date) > 365) ++older;
    CHECK(rows.size() == older);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        CHECK(rows[i].age_days > 365);
        if (i > 0) CHECK(rows[i - 1].age_days >= rows[i].age_days);
    }
    // The A10G's g5.xlarge row is dated 2024-08-01: 854 days before 2026-12-03.
    CHECK(rows.front().gpu->id == "a10g");
    CHECK(rows.front().age_days == 854);
    CHECK(stale_prices(c, "2026-12-03", 100000).empty());
    CHECK_THROWS_AS(stale_prices(c, "yesterday", 1), UsageError);
}

TEST_CASE("prices carry region and commitment; the cheapest is taken within one commitment") {
    const auto& c = bundled();
    const Gpu& b300 = c.resolve("b300");
    REQUIRE(b300.cheapest_price(Commitment::spot));
    CHECK(b300.cheapest_price(Commitment::spot)->per_gpu_hour.value() == Approx(4.48));
    CHECK(b300.cheapest_price()->per_gpu_hour.value() == Approx(6.94));  // on demand: the spot row does not count
    const Gpu& trn1 = c.resolve("trn1");
    CHECK(trn1.cheapest_price(Commitment::reserved_1y)->per_gpu_hour.value() == Approx(0.8268));
    CHECK(trn1.cheapest_price(Commitment::reserved_1y)->region == "us-east-1");
    CHECK_FALSE(trn1.cheapest_price(Commitment::reserved_3y));
    CHECK(parse_commitment("reserved_3y") == Commitment::reserved_3y);
    CHECK_FALSE(parse_commitment("reserved"));
}

TEST_CASE("the 25 most-priced parts each have at least two dated price rows") {
    // Issue 17: a buyer compares at least two dated offers for each of the parts people rent.
    std::vector<std::pair<std::size_t, std::string>> priced;
    for (const auto& g : bundled().gpus)
        if (!g.prices.empty()) priced.emplace_back(g.prices.size(), g.id);
    std::sort(priced.begin(), priced.end(), std::greater<>());
    REQUIRE(priced.size() >= 25);
    for (std::size_t i = 0; i < 25; ++i) {
        INFO(priced[i].second);
        CHECK(priced[i].first >= 2);
        for (const auto& p : bundled().find_id(priced[i].second)->prices) CHECK(days_since_epoch(p.date));
    }
    // The three that reached two on 2026-12-03: Lambda's 2026-09-25 rates and Google's commitments.
    CHECK(bundled().find_id("gh200-96gb")->prices.size() == 2);
    CHECK(bundled().find_id("a10")->prices.size() == 2);
    const Gpu& v6e = *bundled().find_id("tpu-v6e");
    REQUIRE(v6e.cheapest_price(Commitment::reserved_3y));
    CHECK(v6e.cheapest_price(Commitment::reserved_3y)->per_gpu_hour.value() == Approx(1.22));
    // A region where the row's source names one.
    CHECK(bundled().find_id("h100-sxm-80gb")->prices.front().region == "us-east-1");
}

TEST_CASE("broken overlay: an instance shape's fabric misspelt, a slice the entry lacks") {
    CHECK(overlay_error("bad-instance.json") ==
          "tests/data/catalogs/bad-instance.json:5:77: error: /gpus/0/prices/0/instance/scale_up: unknown scale-up kind 'nvlnk': "
          "expected one of none, nvlink, infinity_fabric, ici, neuronlink, ualink, xe_link, rdma_ethernet, tt_ethernet\n"
          "                                          \"instance\": {\"gpus\": 8, \"scale_up\": \"nvlnk\", \"interconnect\": \"infiniband\"}},\n"
          "                                                                              ^\n"
          "hint: did you mean 'nvlink'?\n"
          "tests/data/catalogs/bad-instance.json:7:78: error: /gpus/0/prices/1/instance/partition: unknown partition '1g.11gb': the "
          "entry's partitions are 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb\n"
          "                                          \"instance\": {\"gpus\": 1, \"partition\": \"1g.11gb\"}}]}\n"
          "                                                                               ^\n"
          "hint: did you mean '1g.10gb'?\n");
}

TEST_CASE("a price row's instance shape and kind are read; rows without them keep their old meaning") {
    const Catalog c = with_overlays({"instance-shapes.json"});
    const auto& ps = c.find_id("h100-sxm-80gb")->prices;
    REQUIRE(ps.size() == 3);
    REQUIRE(ps[0].instance);
    CHECK(ps[0].instance->gpus == 8);
    CHECK(ps[0].instance->scale_up == "nvlink");
    CHECK_FALSE(ps[0].instance->scale_up_gpus);
    CHECK(ps[0].instance->interconnect == "infiniband");
    CHECK(ps[0].instance->interconnect_gbps == 3200);
    CHECK(ps[0].kind == OfferKind::cloud);
    REQUIRE(ps[1].instance);
    CHECK(ps[1].instance->partition == "1g.10gb");
    CHECK(ps[1].instance->scale_up == "none");
    CHECK(ps[1].instance->interconnect == "none");
    CHECK_FALSE(ps[2].instance);
    CHECK(ps[2].kind == OfferKind::marketplace);
    // The bundled catalog: AWS's p5 row states its shape, RunPod's community rows are marketplace offers.
    for (const auto& p : bundled().find_id("h100-sxm-80gb")->prices) {
        if (p.provider.starts_with("AWS p5.48xlarge")) {
            REQUIRE(p.instance);
            CHECK(p.instance->gpus == 8);
            CHECK(p.instance->interconnect == "efa");
        }
        if (p.provider.starts_with("RunPod Community")) CHECK(p.kind == OfferKind::marketplace);
    }
    CHECK(bundled().schema_version == "1.3");
    // A 1.2 overlay (before instance shapes) still loads; its rows have no shape.
    const std::string old_overlay = R"({"schema_version": "1.2", "gpus": [{"id": "l4", "prices": [
        {"provider": "x", "usd_per_gpu_hour": 1, "date": "2026-01-01", "source": "y", "region": "r"}]}]})";
    const Catalog old = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {old_overlay, "old.json"}});
    REQUIRE(old.find_id("l4")->prices.size() == 1);
    CHECK_FALSE(old.find_id("l4")->prices[0].instance);
    CHECK(old.find_id("l4")->prices[0].kind == OfferKind::cloud);
}

TEST_CASE("broken overlay: a price commitment misspelt") {
    CHECK(overlay_error("bad-commitment.json") ==
          "tests/data/catalogs/bad-commitment.json:5:44: error: /gpus/0/prices/0/commitment: unknown commitment 'on-demand': "
          "expected one of on_demand, spot, reserved_1y, reserved_3y\n"
          "                               \"commitment\": \"on-demand\"}]}\n"
          "                                             ^\n"
          "hint: did you mean 'on_demand'?\n");
}

TEST_CASE("the bundled catalog from its build-time snapshot and CBOR equals the one parsed from its text") {
    // bundled_catalog_text() alone is the Catalog the build made of it (catalog_snapshot.hpp);
    // through CatalogBase it is read from the CBOR the build made; the same bytes elsewhere in
    // memory are parsed as text, as an overlay would be.
    const std::string text(bundled_catalog_text());
    const Catalog from_text = parse_catalogs({{text, "data/gpus.json"}});
    const Catalog from_cbor = parse_catalogs(CatalogBase(), {{bundled_catalog_text(), "data/gpus.json"}});
    CHECK(from_text.gpus.size() == bundled().gpus.size());
    CHECK(from_text == bundled());
    CHECK(from_cbor == bundled());
    // Under another name it is parsed, and the entries say where they came from.
    const Catalog renamed = parse_catalogs({{bundled_catalog_text(), "gpus.json"}});
    CHECK(renamed.origins == std::vector<std::string>{"gpus.json"});
    CHECK(renamed.gpus.front().origin == "gpus.json");
    // Diagnostics located in the bundled file (an overlay's new id that is a bundled entry's
    // alias) carry the same lines and columns either way.
    const std::string overlay = R"({"gpus": [{"id": "h100"}]})";
    std::vector<std::string> errors;
    for (const std::string_view base : {bundled_catalog_text(), std::string_view(text)}) {
        try {
            parse_catalogs({{base, "data/gpus.json"}, {overlay, "o.json"}});
            FAIL("the overlay was accepted");
        } catch (const CatalogError& e) {
            errors.emplace_back(e.what());
        }
    }
    REQUIRE(errors.size() == 2);
    CHECK_THAT(errors[0], Catch::Contains("/aliases: alias 'h100' is the id of another entry"));
    CHECK(std::regex_search(errors[0], std::regex("\ndata/gpus\\.json:[0-9]+:[0-9]+: error: /gpus/[0-9]+/aliases")));
    CHECK(errors[0] == errors[1]);
}

TEST_CASE("a catalog snapshot reads back every field, and a damaged one is refused") {
    // An overlay that sets the optional fields the bundled entries may lack.
    const std::string overlay = R"({"gpus": [{"id": "h100-sxm-80gb", "purchase": {"usd": 25000, "date": "2025-01-02", "source": "s"},
        "unified_memory": {"kind": "coherent_host", "host_memory_bytes": 4.8e11, "link_bandwidth_bytes_per_s": 9e11},
        "cores_per_unit": 132, "basis": {"prices": "estimate"}}]})";
    const Catalog c = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {overlay, "o.json"}});
    const std::string bytes = detail::write_catalog_snapshot(c);
    const auto back = detail::read_catalog_snapshot(bytes);
    REQUIRE(back.has_value());
    CHECK(*back == c);
    const Gpu& h100 = *back->find_id("h100-sxm-80gb");
    CHECK(h100.purchase->price.value() == 25000);
    CHECK(h100.unified_memory->host_memory->value() == 4.8e11);
    CHECK(h100.cores_per_unit == 132);
    CHECK(h100.basis.at("prices") == "estimate");
    CHECK_FALSE(detail::read_catalog_snapshot("").has_value());
    CHECK_FALSE(detail::read_catalog_snapshot(bytes.substr(0, bytes.size() - 1)).has_value());
    CHECK_FALSE(detail::read_catalog_snapshot(bytes + "x").has_value());
    std::string other = bytes;
    other[0] = 'G';
    CHECK_FALSE(detail::read_catalog_snapshot(other).has_value());
}
