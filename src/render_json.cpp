#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "gpusize/memory.hpp"
#include "gpusize/render.hpp"

namespace gpusize {

using ojson = nlohmann::ordered_json;

namespace {

/// Doubles at 6 significant digits, so output is stable across compilers and libm versions.
ojson num(double v) {
    if (!std::isfinite(v)) return nullptr;
    return std::stod(fmt::format("{:.6g}", v));
}
ojson num(const std::optional<double>& v) { return v ? num(*v) : ojson(nullptr); }
ojson whole(double v) {
    if (!std::isfinite(v)) return nullptr;
    return static_cast<std::int64_t>(std::llround(v));
}
ojson bytes_field(Bytes b) { return whole(std::max(0.0, b.value())); }

ojson architecture_json(const ModelArchitecture& a) {
    ojson j;
    j["layers"] = a.layers;
    j["hidden_size"] = a.hidden_size;
    j["attention_heads"] = a.attention_heads;
    j["kv_heads"] = a.kv_heads;
    j["head_dim"] = a.head_dim;
    j["intermediate_size"] = a.intermediate_size;
    j["vocab_size"] = a.vocab_size;
    j["tied_embeddings"] = a.tied_embeddings;
    j["mlp"] = to_string(a.mlp);
    j["norm"] = to_string(a.norm);
    j["attention"] = a.mla ? "mla" : a.kv_heads == a.attention_heads ? "mha" : a.kv_heads == 1 ? "mqa" : "gqa";
    if (a.moe) {
        j["experts"] = a.moe->experts;
        j["active_experts"] = a.moe->active_experts;
        j["expert_intermediate_size"] = a.moe->expert_intermediate_size;
        j["shared_experts"] = a.moe->shared_experts;
        j["dense_layers"] = a.moe->dense_layers;
    }
    if (a.mla) {
        j["mla"] = {{"q_lora_rank", a.mla->q_lora_rank ? ojson(*a.mla->q_lora_rank) : ojson(nullptr)},
                    {"kv_lora_rank", a.mla->kv_lora_rank},
                    {"qk_nope_head_dim", a.mla->qk_nope_head_dim},
                    {"qk_rope_head_dim", a.mla->qk_rope_head_dim},
                    {"v_head_dim", a.mla->v_head_dim}};
    }
    if (a.sliding_window) {
        j["sliding_window"] = *a.sliding_window;
        j["sliding_layers"] = sliding_layers(a);
    }
    return j;
}

ojson evaluation_json(const Evaluation& e, const Report& r) {
    ojson j;
    if (e.rank > 0) j["rank"] = e.rank;
    j["gpu"] = {{"id", e.device.gpu->id}, {"name", e.device.gpu->name},
                {"partition", e.device.partition ? ojson(e.device.partition->profile) : ojson(nullptr)}};
    j["gpu_count"] = e.gpu_count;
    j["parallelism"] = {{"tensor", e.layout.tensor}, {"pipeline", e.layout.pipeline}, {"data", e.layout.data},
                        {"expert", e.layout.expert}, {"context", e.layout.context}};
    j["fits"] = e.fits;
    j["meets_targets"] = e.meets_targets;
    j["reasons"] = e.reasons;
    const auto& m = e.memory;
    j["memory_per_gpu"] = {{"weights_bytes", bytes_field(m.weights)},
                           {"kv_cache_bytes", bytes_field(m.kv_cache)},
                           {"activations_bytes", bytes_field(m.activations)},
                           {"gradients_bytes", bytes_field(m.gradients)},
                           {"optimizer_bytes", bytes_field(m.optimizer)},
                           {"overhead_bytes", bytes_field(m.overhead)},
                           {"total_bytes", bytes_field(m.total())},
                           {"capacity_bytes", bytes_field(m.capacity)}};
    if (r.problem.spec.workload == Workload::inference) {
        if (e.inference) {
            const auto& i = *e.inference;
            const auto& p = i.performance;
            j["inference"] = {{"ttft_s", num(p.ttft.value())},
                              {"tpot_s", num(p.tpot.value())},
                              {"output_tokens_per_s", num(p.output_tokens_per_s)},
                              {"requests_per_s", num(p.requests_per_s)},
                              {"concurrency", p.concurrency},
                              {"max_concurrency", i.max_concurrency},
                              {"kv_cache_capacity_tokens", whole(i.kv_capacity_tokens)},
                              {"kv_cache_pool_bytes", bytes_field(i.kv_pool)},
                              {"memory_budget_bytes", bytes_field(i.budget)},
                              {"prefill_bound", to_string(p.prefill.bound)},
                              {"decode_bound", to_string(p.decode.bound)},
                              {"binding_target", i.binding_target.empty() ? ojson(nullptr) : ojson(i.binding_target)}};
        } else {
            j["inference"] = nullptr;
        }
    } else {
        if (e.training) {
            const auto& p = e.training->performance;
            j["training"] = {{"step_time_s", num(p.step_time.value())},
                             {"tokens_per_s", num(p.tokens_per_s)},
                             {"tokens_per_s_per_gpu", num(p.tokens_per_s_per_gpu)},
                             {"mfu", num(p.mfu)},
                             {"hfu", num(p.hfu)},
                             {"time_to_train_s", p.time_to_train ? num(p.time_to_train->value()) : ojson(nullptr)},
                             {"gradient_accumulation", p.gradient_accumulation},
                             {"micro_batches_in_flight", e.training->micro_batches_in_flight},
                             {"compute_s", num(p.compute.value())},
                             {"communication_s", num(p.communication.value())},
                             {"bubble_s", num(p.bubble.value())},
                             {"bound", to_string(p.bound)}};
        } else {
            j["training"] = nullptr;
        }
    }
    const auto& c = e.cost;
    j["cost"] = {{"usd_per_hour", c.per_hour ? num(c.per_hour->value()) : ojson(nullptr)},
                 {"price_basis", c.basis.empty() ? ojson(nullptr) : ojson(c.basis)},
                 {"usd_per_million_output_tokens", num(c.usd_per_million_output_tokens)},
                 {"usd_per_million_input_tokens", num(c.usd_per_million_input_tokens)},
                 {"usd_per_million_training_tokens", num(c.usd_per_million_training_tokens)},
                 {"usd_total", c.total ? num(c.total->value()) : ojson(nullptr)}};
    return j;
}

ojson workload_json(const Spec& s) {
    ojson j;
    j["kind"] = to_string(s.workload);
    j["name"] = s.name.empty() ? ojson(nullptr) : ojson(s.name);
    j["precision"] = {{"weights", to_string(s.precision.weights)},
                      {"activations", to_string(s.precision.activations)},
                      {"kv_cache", to_string(s.precision.kv_cache)}};
    if (s.workload == Workload::inference) {
        const auto& i = s.inference;
        ojson t = ojson::object();
        if (i.targets.ttft) t["ttft_ms"] = num(to_ms(*i.targets.ttft));
        if (i.targets.tpot) t["tpot_ms"] = num(to_ms(*i.targets.tpot));
        if (i.targets.output_tokens_per_s) t["output_tokens_per_s"] = num(*i.targets.output_tokens_per_s);
        if (i.targets.requests_per_s) t["requests_per_s"] = num(*i.targets.requests_per_s);
        if (i.targets.growth) t["growth"] = num(*i.targets.growth);
        j["inference"] = {{"input_tokens", i.input_tokens}, {"output_tokens", i.output_tokens},
                          {"concurrency", i.concurrency ? ojson(*i.concurrency) : ojson("auto")},
                          {"engine", to_string(i.engine)}, {"targets", t}};
    } else {
        const auto& t = s.training;
        j["training"] = {{"method", to_string(t.method)},
                         {"sequence_length", t.sequence_length},
                         {"micro_batch", t.micro_batch},
                         {"global_batch", t.global_batch ? ojson(*t.global_batch) : ojson(nullptr)},
                         {"tokens", t.tokens ? num(*t.tokens) : ojson(nullptr)},
                         {"optimizer", to_string(t.optimizer)},
                         {"sharding", to_string(t.sharding)},
                         {"activation_checkpointing", to_string(t.activation_checkpointing)}};
        if (t.method != TrainingMethod::full) j["training"]["lora"] = {{"rank", t.lora.rank}, {"targets", t.lora.targets}};
    }
    j["headroom"] = num(s.headroom);
    return j;
}

}  // namespace

std::string render_report_json(const Report& r, const RenderOptions& o) {
    ojson j;
    j["schema_version"] = report_schema_version;
    j["command"] = r.command;
    j["catalogs"] = r.catalogs;
    j["workload"] = workload_json(r.problem.spec);
    const auto& m = r.problem.model;
    j["model"] = {{"id", m.id},
                  {"name", m.name},
                  {"source_kind", to_string(m.source_kind)},
                  {"source", m.source},
                  {"parameters_total", whole(m.parameters.total)},
                  {"parameters_active", whole(m.parameters.active)},
                  {"kv_cache_bytes_per_token",
                   num(kv_cache_bytes(m.architecture, 1, bytes_per_element(r.problem.spec.precision.kv_cache)).value())},
                  {"architecture", architecture_json(m.architecture)}};
    if (r.command == "plan") {
        ojson cands = ojson::array();
        const std::size_t n = std::min(r.candidates.size(), o.top.value_or(r.candidates.size()));
        for (std::size_t i = 0; i < n; ++i) cands.push_back(evaluation_json(r.candidates[i], r));
        j["candidates"] = cands;
        ojson rej = ojson::array();
        for (const auto& e : r.rejected) rej.push_back(evaluation_json(e, r));
        j["rejected"] = rej;
        j["evaluated"] = r.evaluated;
    } else if (r.evaluation) {
        j["evaluation"] = evaluation_json(*r.evaluation, r);
    }
    ojson as = ojson::array();
    for (const auto& a : r.assumptions) as.push_back({{"name", a.name}, {"value", a.value}, {"source", a.source}});
    j["assumptions"] = as;
    j["unmodelled"] = r.unmodelled;
    return j.dump(2) + "\n";
}

std::string render_gpus_json(const Catalog& c, const std::vector<const Gpu*>& gpus) {
    ojson j;
    j["schema_version"] = "1.0";
    j["catalog_schema_version"] = c.schema_version;
    j["catalogs"] = c.origins;
    ojson list = ojson::array();
    for (const Gpu* g : gpus) {
        ojson e;
        e["id"] = g->id;
        e["name"] = g->name;
        e["vendor"] = g->vendor;
        e["architecture"] = g->architecture;
        e["form_factor"] = g->form_factor;
        e["launch_year"] = g->launch_year;
        e["aliases"] = g->aliases;
        e["memory_bytes"] = whole(g->memory.value());
        e["usable_memory_bytes"] = whole(g->usable_memory.value());
        e["memory_type"] = g->memory_type;
        e["memory_bandwidth_bytes_per_s"] = num(g->memory_bandwidth.value());
        ojson f = ojson::object();
        for (const auto& [t, v] : g->dense_flops) f[std::string(to_string(t))] = num(v.value());
        e["dense_flops_per_s"] = f;
        auto link = [](const std::optional<Link>& l) -> ojson {
            if (!l) return nullptr;
            return {{"kind", l->kind}, {"generation", l->generation}, {"bandwidth_bytes_per_s", num(l->bandwidth.value())},
                    {"domain_size", l->domain_size}};
        };
        e["scale_up"] = link(g->scale_up);
        e["pcie"] = {{"generation", g->pcie_generation}, {"lanes", g->pcie_lanes}};
        e["scale_out"] = link(g->scale_out);
        const auto& ef = g->efficiency;
        e["efficiency"] = {{"memory_bandwidth", num(ef.memory_bandwidth)}, {"matmul", num(ef.matmul)},
                           {"allreduce_intra_node", num(ef.allreduce_intra_node)},
                           {"allreduce_inter_node", num(ef.allreduce_inter_node)}, {"source", ef.source}, {"measured", ef.measured}};
        e["tdp_watts"] = num(g->tdp_watts);
        ojson prices = ojson::array();
        for (const auto& p : g->prices)
            prices.push_back({{"provider", p.provider}, {"usd_per_gpu_hour", num(p.per_gpu_hour.value())}, {"date", p.date},
                              {"source", p.source}});
        e["prices"] = prices;
        e["purchase"] = g->purchase ? ojson{{"usd", num(g->purchase->price.value())}, {"date", g->purchase->date},
                                            {"source", g->purchase->source}}
                                    : ojson(nullptr);
        ojson parts = ojson::array();
        for (const auto& p : g->partitions)
            parts.push_back({{"profile", p.profile}, {"memory_bytes", whole(p.memory.value())},
                             {"compute_fraction", num(p.compute_fraction)}, {"bandwidth_fraction", num(p.bandwidth_fraction)}});
        e["partitions"] = parts;
        ojson sources = ojson::object();
        for (const auto& [k, v] : g->sources) sources[k] = v;
        e["sources"] = sources;
        e["notes"] = g->notes;
        e["origin"] = g->origin;
        list.push_back(e);
    }
    j["gpus"] = list;
    return j.dump(2) + "\n";
}

std::string render_models_json(const std::vector<const Preset*>& presets) {
    ojson j;
    j["schema_version"] = "1.0";
    ojson list = ojson::array();
    for (const Preset* p : presets) {
        const auto count = count_parameters(p->architecture);
        list.push_back({{"id", p->id},
                        {"name", p->name},
                        {"parameters_total", whole(count.total)},
                        {"parameters_active", whole(count.active)},
                        {"published_parameters", num(p->published_parameters)},
                        {"layers", p->architecture.layers},
                        {"kv_cache_bytes_per_token_bf16", num(kv_cache_bytes(p->architecture, 1, 2).value())},
                        {"architecture", architecture_json(p->architecture)},
                        {"source", p->source},
                        {"published_source", p->published_source}});
    }
    j["models"] = list;
    return j.dump(2) + "\n";
}

}  // namespace gpusize
