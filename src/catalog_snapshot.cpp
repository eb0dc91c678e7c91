#include "catalog_snapshot.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace gpusize::detail {
namespace {

/// Written first: a snapshot from a build whose types differ in size is not read.
constexpr std::string_view magic = "gpusize catalog snapshot 1\n";

std::uint64_t layout_tag() {
    std::uint64_t tag = 0;
    for (const std::size_t size : {sizeof(Catalog), sizeof(Gpu), sizeof(Price), sizeof(PurchasePrice), sizeof(Link),
                                   sizeof(Efficiency), sizeof(Partition), sizeof(UnifiedMemory), sizeof(InstanceShape)})
        tag = tag * 1009 + size;
    return tag;
}

class Writer {
public:
    void u64(std::uint64_t v) { raw(&v, sizeof v); }
    void i64(std::int64_t v) { raw(&v, sizeof v); }
    void f64(double v) { raw(&v, sizeof v); }
    void flag(bool b) { out.push_back(b ? '\1' : '\0'); }
    void text(std::string_view s) {
        u64(s.size());
        out.append(s);
    }
    void texts(const std::vector<std::string>& v) {
        u64(v.size());
        for (const auto& s : v) text(s);
    }
    void texts(const std::map<std::string, std::string>& m) {
        u64(m.size());
        for (const auto& [k, v] : m) {
            text(k);
            text(v);
        }
    }
    void rates(const std::map<DType, FlopsPerSecond>& m) {
        u64(m.size());
        for (const auto& [t, v] : m) {
            u64(static_cast<std::uint64_t>(t));
            f64(v.value());
        }
    }
    void optional_int(const std::optional<int>& v) {
        flag(v.has_value());
        if (v) i64(*v);
    }
    void link(const std::optional<Link>& l) {
        flag(l.has_value());
        if (!l) return;
        text(l->kind);
        text(l->generation);
        f64(l->bandwidth.value());
        i64(l->domain_size);
    }
    void gpu(const Gpu& g) {
        for (const std::string* s : {&g.id, &g.name, &g.vendor, &g.architecture, &g.form_factor, &g.memory_type,
                                     &g.counted_as, &g.notes, &g.origin})
            text(*s);
        for (const int n : {g.launch_year, g.pcie_generation, g.pcie_lanes, g.chips_per_unit}) i64(n);
        optional_int(g.cores_per_unit);
        texts(g.aliases);
        f64(g.memory.value());
        f64(g.usable_memory.value());
        f64(g.memory_bandwidth.value());
        rates(g.dense_flops);
        rates(g.sparse_flops);
        link(g.scale_up);
        link(g.scale_out);
        const auto& e = g.efficiency;
        for (const double x : {e.memory_bandwidth, e.matmul, e.allreduce_intra_node, e.allreduce_inter_node}) f64(x);
        text(e.source);
        flag(e.measured);
        f64(g.tdp_watts);
        u64(g.prices.size());
        for (const auto& p : g.prices) {
            text(p.provider);
            f64(p.per_gpu_hour.value());
            text(p.date);
            text(p.source);
            text(p.region);
            u64(static_cast<std::uint64_t>(p.commitment));
            flag(p.instance.has_value());
            if (p.instance) {
                const auto& i = *p.instance;
                i64(i.gpus);
                text(i.scale_up);
                optional_int(i.scale_up_gpus);
                text(i.interconnect);
                flag(i.interconnect_gbps.has_value());
                if (i.interconnect_gbps) f64(*i.interconnect_gbps);
                text(i.partition);
            }
            u64(static_cast<std::uint64_t>(p.kind));
        }
        flag(g.purchase.has_value());
        if (g.purchase) {
            f64(g.purchase->price.value());
            text(g.purchase->date);
            text(g.purchase->source);
        }
        u64(g.partitions.size());
        for (const auto& p : g.partitions) {
            text(p.profile);
            f64(p.memory.value());
            f64(p.compute_fraction);
            f64(p.bandwidth_fraction);
            optional_int(p.max_instances);
            text(p.kind);
        }
        flag(g.unified_memory.has_value());
        if (g.unified_memory) {
            const auto& u = *g.unified_memory;
            text(u.kind);
            flag(u.host_memory.has_value());
            if (u.host_memory) f64(u.host_memory->value());
            flag(u.link_bandwidth.has_value());
            if (u.link_bandwidth) f64(u.link_bandwidth->value());
        }
        texts(g.basis);
        texts(g.sources);
    }

    std::string out;

private:
    void raw(const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }
};

/// Reads what Writer wrote; throws std::out_of_range past the end.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    std::uint64_t u64() { return raw<std::uint64_t>(); }
    std::int64_t i64() { return raw<std::int64_t>(); }
    int i32() { return static_cast<int>(raw<std::int64_t>()); }
    double f64() { return raw<double>(); }
    bool flag() { return take(1)[0] != '\0'; }
    std::string text() {
        const auto n = u64();
        return std::string(take(n));
    }
    std::vector<std::string> texts() {
        std::vector<std::string> v(count());
        for (auto& s : v) s = text();
        return v;
    }
    std::map<std::string, std::string> text_map() {
        std::map<std::string, std::string> m;
        for (auto n = count(); n > 0; --n) {
            std::string k = text();
            m.emplace_hint(m.end(), std::move(k), text());
        }
        return m;
    }
    std::map<DType, FlopsPerSecond> rates() {
        std::map<DType, FlopsPerSecond> m;
        for (auto n = count(); n > 0; --n) {
            const auto t = static_cast<DType>(u64());
            m.emplace_hint(m.end(), t, flops_per_s(f64()));
        }
        return m;
    }
    std::optional<int> optional_int() {
        if (!flag()) return std::nullopt;
        return i32();
    }
    std::optional<Link> link() {
        if (!flag()) return std::nullopt;
        Link l;
        l.kind = text();
        l.generation = text();
        l.bandwidth = bytes_per_s(f64());
        l.domain_size = i32();
        return l;
    }
    Gpu gpu() {
        Gpu g;
        for (std::string* s : {&g.id, &g.name, &g.vendor, &g.architecture, &g.form_factor, &g.memory_type, &g.counted_as,
                               &g.notes, &g.origin})
            *s = text();
        for (int* n : {&g.launch_year, &g.pcie_generation, &g.pcie_lanes, &g.chips_per_unit}) *n = i32();
        g.cores_per_unit = optional_int();
        g.aliases = texts();
        g.memory = Bytes(f64());
        g.usable_memory = Bytes(f64());
        g.memory_bandwidth = bytes_per_s(f64());
        g.dense_flops = rates();
        g.sparse_flops = rates();
        g.scale_up = link();
        g.scale_out = link();
        auto& e = g.efficiency;
        for (double* x : {&e.memory_bandwidth, &e.matmul, &e.allreduce_intra_node, &e.allreduce_inter_node}) *x = f64();
        e.source = text();
        e.measured = flag();
        g.tdp_watts = f64();
        g.prices.resize(count());
        for (auto& p : g.prices) {
            p.provider = text();
            p.per_gpu_hour = usd_per_hour(f64());
            p.date = text();
            p.source = text();
            p.region = text();
            p.commitment = static_cast<Commitment>(u64());
            if (flag()) {
                InstanceShape i;
                i.gpus = i32();
                i.scale_up = text();
                i.scale_up_gpus = optional_int();
                i.interconnect = text();
                if (flag()) i.interconnect_gbps = f64();
                i.partition = text();
                p.instance = std::move(i);
            }
            p.kind = static_cast<OfferKind>(u64());
        }
        if (flag()) {
            PurchasePrice p;
            p.price = usd(f64());
            p.date = text();
            p.source = text();
            g.purchase = std::move(p);
        }
        g.partitions.resize(count());
        for (auto& p : g.partitions) {
            p.profile = text();
            p.memory = Bytes(f64());
            p.compute_fraction = f64();
            p.bandwidth_fraction = f64();
            p.max_instances = optional_int();
            p.kind = text();
        }
        if (flag()) {
            UnifiedMemory u;
            u.kind = text();
            if (flag()) u.host_memory = Bytes(f64());
            if (flag()) u.link_bandwidth = bytes_per_s(f64());
            g.unified_memory = std::move(u);
        }
        g.basis = text_map();
        g.sources = text_map();
        return g;
    }
    bool at_end() const { return in_.empty(); }

private:
    /// A count of things still to read: each takes at least a byte, so more than the bytes left
    /// is a broken snapshot, not a reason to allocate.
    std::size_t count() {
        const auto n = u64();
        if (n > in_.size()) throw std::out_of_range("snapshot count");
        return static_cast<std::size_t>(n);
    }
    std::string_view take(std::uint64_t n) {
        if (n > in_.size()) throw std::out_of_range("snapshot end");
        const auto out = in_.substr(0, static_cast<std::size_t>(n));
        in_.remove_prefix(static_cast<std::size_t>(n));
        return out;
    }
    template <class T>
    T raw() {
        T v;
        std::memcpy(&v, take(sizeof v).data(), sizeof v);
        return v;
    }
    std::string_view in_;
};

}  // namespace

std::string write_catalog_snapshot(const Catalog& c) {
    Writer w;
    w.out.append(magic);
    w.u64(layout_tag());
    w.text(c.schema_version);
    w.texts(c.origins);
    w.texts(c.alias_defaults);
    w.u64(c.gpus.size());
    for (const auto& g : c.gpus) w.gpu(g);
    return std::move(w.out);
}

std::optional<Catalog> read_catalog_snapshot(std::string_view bytes) {
    if (bytes.substr(0, magic.size()) != magic) return std::nullopt;
    bytes.remove_prefix(magic.size());
    try {
        Reader r(bytes);
        if (r.u64() != layout_tag()) return std::nullopt;
        Catalog c;
        c.schema_version = r.text();
        c.origins = r.texts();
        c.alias_defaults = r.text_map();
        const auto n = r.u64();
        if (n > bytes.size()) return std::nullopt;
        c.gpus.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n; ++i) c.gpus.push_back(r.gpu());
        if (!r.at_end()) return std::nullopt;
        return c;
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
}

}  // namespace gpusize::detail
