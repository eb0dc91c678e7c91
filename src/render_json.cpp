#include <fmt/format.h>

#include <cmath>

#include "gpusize/memory.hpp"
#include "gpusize/render.hpp"
#include "json_writer.hpp"

namespace gpusize {

using detail::JsonWriter;

namespace {

void write_architecture(JsonWriter& w, const ModelArchitecture& a) {
    w.begin_object();
    w.key("layers").value(a.layers);
    w.key("hidden_size").value(a.hidden_size);
    w.key("attention_heads").value(a.attention_heads);
    w.key("kv_heads").value(a.kv_heads);
    w.key("head_dim").value(a.head_dim);
    w.key("intermediate_size").value(a.intermediate_size);
    w.key("vocab_size").value(a.vocab_size);
    w.key("tied_embeddings").value(a.tied_embeddings);
    w.key("mlp").value(to_string(a.mlp));
    w.key("norm").value(to_string(a.norm));
    w.key("attention").value(attention_family(a));
    if (a.moe) {
        w.key("experts").value(a.moe->experts);
        w.key("active_experts").value(a.moe->active_experts);
        w.key("expert_intermediate_size").value(a.moe->expert_intermediate_size);
        w.key("shared_experts").value(a.moe->shared_experts);
        w.key("dense_layers").value(a.moe->dense_layers);
    }
    if (a.mla) {
        w.key("mla").begin_object();
        w.key("q_lora_rank");
        a.mla->q_lora_rank ? w.value(*a.mla->q_lora_rank) : w.null();
        w.key("kv_lora_rank").value(a.mla->kv_lora_rank);
        w.key("qk_nope_head_dim").value(a.mla->qk_nope_head_dim);
        w.key("qk_rope_head_dim").value(a.mla->qk_rope_head_dim);
        w.key("v_head_dim").value(a.mla->v_head_dim);
        w.end_object();
    }
    if (a.sliding_window) {
        w.key("sliding_window").value(*a.sliding_window);
        w.key("sliding_layers").value(sliding_layers(a));
    }
    if (a.attention_chunk_size) w.key("attention_chunk_size").value(*a.attention_chunk_size);
    if (a.attention_output_gate) w.key("attention_output_gate").value(true);
    if (a.linear_attention) {
        const auto& x = *a.linear_attention;
        w.key("linear_attention").begin_object();
        w.key("key_heads").value(x.key_heads);
        w.key("value_heads").value(x.value_heads);
        w.key("key_head_dim").value(x.key_head_dim);
        w.key("value_head_dim").value(x.value_head_dim);
        w.key("conv_kernel").value(x.conv_kernel);
        w.key("state_fp32").value(x.state_fp32);
        w.end_object();
    }
    if (a.mamba) {
        const auto& x = *a.mamba;
        w.key("mamba").begin_object();
        w.key("heads").value(x.heads);
        w.key("head_dim").value(x.head_dim);
        w.key("state_size").value(x.state_size);
        w.key("groups").value(x.groups);
        w.key("conv_kernel").value(x.conv_kernel);
        w.key("conv_bias").value(x.conv_bias);
        w.key("projection_bias").value(x.projection_bias);
        w.key("state_fp32").value(x.state_fp32);
        w.end_object();
    }
    if (!a.layer_types.empty()) {
        std::vector<std::string> names;
        for (const auto& t : a.layer_types)
            names.push_back(t.feed_forward ? fmt::format("{}+{}", to_string(t.attention), to_string(*t.feed_forward))
                                           : std::string(to_string(t.attention)));
        w.key("layer_types").strings(names);
    }
    if (a.encoder_parameters > 0) w.key("encoder_parameters").value(a.encoder_parameters);
    if (a.mtp_layers > 0) {
        w.key("mtp_layers").value(a.mtp_layers);
        w.key("mtp_parameters").whole(count_parameters(a).mtp);
    }
    // The layer stack the estimators price: each kind of layer and how many there are.
    const LayerStack stack = layer_stack(a);
    w.key("layer_kinds").begin_array();
    for (std::size_t k = 0; k < stack.kinds.size(); ++k) {
        const LayerKind& kind = stack.kinds[k];
        w.begin_object();
        w.key("layers").value(stack.count(k));
        w.key("attention").value(to_string(kind.attention.kind));
        if (kind.attention.window > 0) w.key("window").value(kind.attention.window);
        w.key("feed_forward").value(to_string(kind.feed_forward.kind));
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_optional_string(JsonWriter& w, const std::string& s) { s.empty() ? w.null() : w.value(s); }

}  // namespace

void detail::write_deployment(JsonWriter& w, const Evaluation& e) {
    w.key("gpu").begin_object();
    w.key("id").value(e.device.gpu->id);
    w.key("name").value(e.device.gpu->name);
    w.key("partition");
    e.device.partition ? w.value(e.device.partition->profile) : w.null();
    w.end_object();
    w.key("gpu_count").value(e.gpu_count);
    w.key("parallelism").begin_object();
    w.key("tensor").value(e.layout.tensor);
    w.key("pipeline").value(e.layout.pipeline);
    w.key("data").value(e.layout.data);
    w.key("expert").value(e.layout.expert);
    w.key("context").value(e.layout.context);
    w.end_object();
    w.key("fits").value(e.fits);
    w.key("meets_targets").value(e.meets_targets);
}

namespace {

void write_distribution(JsonWriter& w, const char* key, const std::optional<LatencyDistribution>& d) {
    w.key(key);
    if (!d) {
        w.null();
        return;
    }
    w.begin_object();
    w.key("mean").value(d->mean.value());
    w.key("p50").value(d->p50.value());
    w.key("p90").value(d->p90.value());
    w.key("p99").value(d->p99.value());
    w.end_object();
}

void write_loaded(JsonWriter& w, const LoadedPerformance& l) {
    w.begin_object();
    w.key("requests_per_s").value(l.requests_per_s);
    w.key("offered_requests_per_s").value(l.offered_requests_per_s);
    w.key("capacity_requests_per_s").value(l.capacity_requests_per_s);
    w.key("in_flight");
    l.in_flight ? w.value(*l.in_flight) : w.null();
    w.key("decoding").value(l.decoding);
    write_distribution(w, "ttft_s", l.ttft);
    write_distribution(w, "tpot_s", l.tpot);
    write_distribution(w, "e2e_s", l.e2e);
    w.key("queue_s");
    l.queue ? w.value(l.queue->value()) : w.null();
    w.key("utilization").value(l.utilization);
    w.key("saturated").value(l.saturated);
    w.end_object();
}

void write_evaluation(JsonWriter& w, const Evaluation& e, const Report& r) {
    w.begin_object();
    if (e.rank > 0) w.key("rank").value(e.rank);
    write_deployment(w, e);
    w.key("over_provisioned").value(e.over_provisioned);
    w.key("smaller_option");
    write_optional_string(w, e.smaller_option);
    w.key("reasons").strings(e.reasons);
    const auto& m = e.memory;
    w.key("memory_per_gpu").begin_object();
    w.key("weights_bytes").whole(m.weights.value());
    w.key("kv_cache_bytes").whole(m.kv_cache.value());
    w.key("activations_bytes").whole(m.activations.value());
    w.key("gradients_bytes").whole(m.gradients.value());
    w.key("optimizer_bytes").whole(m.optimizer.value());
    w.key("overhead_bytes").whole(m.overhead.value());
    w.key("total_bytes").whole(m.total().value());
    w.key("allocator_bytes").whole(m.allocator().value());
    w.key("capacity_bytes").whole(m.capacity.value());
    w.end_object();
    if (r.problem.spec.workload == Workload::inference) {
        w.key("inference");
        if (e.inference) {
            const auto& i = *e.inference;
            const auto& p = i.performance;
            w.begin_object();
            w.key("ttft_s").value(p.ttft.value());
            w.key("tpot_s").value(p.tpot.value());
            w.key("output_tokens_per_s").value(p.output_tokens_per_s);
            w.key("requests_per_s").value(p.requests_per_s);
            w.key("concurrency").value(p.concurrency);
            w.key("max_concurrency").value(i.memory.max_concurrency);
            w.key("kv_cache_capacity_tokens").whole(i.memory.kv_capacity_tokens);
            w.key("kv_cache_pool_bytes").whole(i.memory.kv_pool.value());
            w.key("memory_budget_bytes").whole(i.memory.budget.value());
            w.key("prefill_bound").value(to_string(p.prefill.bound));
            w.key("decode_bound").value(to_string(p.decode.bound));
            w.key("binding_target");
            write_optional_string(w, i.binding_target);
            w.key("headroom").value(i.headroom);
            w.key("growth");
            if (i.growth) {
                w.begin_object();
                w.key("factor").value(i.growth->factor);
                w.key("replicas").value(i.growth->replicas);
                w.key("gpus").value(i.growth->gpus);
                w.key("usd_per_hour");
                i.growth->usd_per_hour ? w.value(i.growth->usd_per_hour->value()) : w.null();
                w.end_object();
            } else {
                w.null();
            }
            w.key("loaded");
            if (i.loaded) write_loaded(w, *i.loaded);
            else w.null();
            w.key("limits");
            if (i.limits) {
                auto opt = [&](const char* k, const std::optional<std::int64_t>& v) {
                    w.key(k);
                    v ? w.value(*v) : w.null();
                };
                w.begin_object();
                opt("max_input_tokens", i.limits->max_input_tokens);
                opt("max_concurrency", i.limits->max_concurrency);
                opt("min_gpus", i.limits->min_gpus);
                w.end_object();
            } else {
                w.null();
            }
            w.end_object();
        } else {
            w.null();
        }
    } else {
        w.key("training");
        if (e.training) {
            const auto& p = e.training->performance;
            w.begin_object();
            w.key("step_time_s").value(p.step_time.value());
            w.key("tokens_per_s").value(p.tokens_per_s);
            w.key("tokens_per_s_per_gpu").value(p.tokens_per_s_per_gpu);
            w.key("mfu").value(p.mfu);
            w.key("hfu").value(p.hfu);
            w.key("time_to_train_s");
            p.time_to_train ? w.value(p.time_to_train->value()) : w.null();
            w.key("time_to_train_ideal_s");
            p.time_to_train_ideal ? w.value(p.time_to_train_ideal->value()) : w.null();
            w.key("micro_batch").value(e.training->micro_batch);
            w.key("gradient_accumulation").value(p.gradient_accumulation);
            w.key("micro_batches_in_flight").value(e.training->micro_batches_in_flight);
            w.key("memory_peak_at").value(to_string(e.training->memory_peak));
            w.key("host_memory_bytes").whole(e.training->host_memory.value());
            w.key("host_transfer_s").value(p.host_transfer.value());
            w.key("compute_s").value(p.compute.value());
            w.key("communication_s").value(p.communication.value());
            w.key("bubble_s").value(p.bubble.value());
            w.key("bound").value(to_string(p.bound));
            const auto& f = p.failures;
            w.key("failures").begin_object();
            w.key("interruptions_per_gpu_hour").value(f.interruptions_per_gpu_hour);
            w.key("mtbf_s").value(f.mtbf.value());
            w.key("expected_interruptions").value(f.expected_interruptions);
            w.key("checkpoint_bytes").whole(f.checkpoint.value());
            w.key("checkpoint_write_s").value(f.checkpoint_write.value());
            w.key("checkpoint_interval_s").value(f.checkpoint_interval.value());
            w.key("restart_s").value(f.restart.value());
            w.key("goodput_loss").value(f.goodput_loss);
            w.end_object();
            w.end_object();
        } else {
            w.null();
        }
    }
    const auto& c = e.cost;
    w.key("cost").begin_object();
    w.key("usd_per_hour");
    c.per_hour ? w.value(c.per_hour->value()) : w.null();
    w.key("price_basis");
    write_optional_string(w, c.basis);
    w.key("usd_per_million_output_tokens").value(c.usd_per_million_output_tokens);
    w.key("usd_per_million_input_tokens").value(c.usd_per_million_input_tokens);
    w.key("usd_per_million_training_tokens").value(c.usd_per_million_training_tokens);
    w.key("usd_total");
    c.total ? w.value(c.total->value()) : w.null();
    w.end_object();
    w.end_object();
}

void write_workload(JsonWriter& w, const Problem& p) {
    const Spec& s = p.spec;
    w.begin_object();
    w.key("kind").value(to_string(s.workload));
    w.key("name");
    write_optional_string(w, s.name);
    w.key("precision").begin_object();
    w.key("weights").value(to_string(s.precision.weights));
    w.key("activations").value(to_string(s.precision.activations));
    w.key("kv_cache").value(to_string(s.precision.kv_cache));
    w.end_object();
    if (s.workload == Workload::inference) {
        const auto& i = s.inference;
        w.key("inference").begin_object();
        w.key("input_tokens").value(i.input_tokens);
        w.key("output_tokens").value(i.output_tokens);
        w.key("concurrency");
        i.concurrency ? w.value(*i.concurrency) : w.value("auto");
        w.key("engine").value(to_string(i.engine));
        if (i.arrival) {
            w.key("arrival").begin_object();
            if (i.arrival->users) w.key("users").value(*i.arrival->users);
            else {
                w.key("requests_per_s").value(i.arrival->requests_per_s.value_or(0));
                w.key("burstiness").value(i.arrival->burstiness);
            }
            w.end_object();
        }
        w.key("targets").begin_object();
        if (i.targets.ttft) w.key("ttft_ms").value(to_ms(*i.targets.ttft));
        if (i.targets.tpot) w.key("tpot_ms").value(to_ms(*i.targets.tpot));
        if (i.targets.ttft_p90) w.key("ttft_p90_ms").value(to_ms(*i.targets.ttft_p90));
        if (i.targets.ttft_p99) w.key("ttft_p99_ms").value(to_ms(*i.targets.ttft_p99));
        if (i.targets.tpot_p90) w.key("tpot_p90_ms").value(to_ms(*i.targets.tpot_p90));
        if (i.targets.tpot_p99) w.key("tpot_p99_ms").value(to_ms(*i.targets.tpot_p99));
        if (i.targets.output_tokens_per_s) w.key("output_tokens_per_s").value(*i.targets.output_tokens_per_s);
        if (i.targets.requests_per_s) w.key("requests_per_s").value(*i.targets.requests_per_s);
        if (i.targets.growth) w.key("growth").value(*i.targets.growth);
        w.end_object();
        w.end_object();
    } else {
        const auto& t = s.training;
        w.key("training").begin_object();
        w.key("method").value(to_string(t.method));
        w.key("sequence_length").value(t.sequence_length);
        if (t.micro_batch_auto) w.key("micro_batch").value("auto");
        else w.key("micro_batch").value(t.micro_batch);
        w.key("global_batch");
        t.global_batch ? w.value(*t.global_batch) : w.null();
        w.key("tokens").value(t.tokens);
        w.key("optimizer").value(to_string(t.optimizer));
        w.key("sharding").value(to_string(t.sharding));
        w.key("activation_checkpointing").value(to_string(t.activation_checkpointing));
        w.key("gradient_precision").value(to_string(gradient_precision(p)));
        w.key("optimizer_in_backward").value(t.optimizer_in_backward);
        w.key("offload").strings(t.offload.names());
        w.key("loss_chunks").value(t.loss_chunks);
        w.key("fused_kernels").value(t.fused_kernels);
        if (t.method != TrainingMethod::full) {
            w.key("lora").begin_object();
            w.key("rank").value(t.lora.rank);
            w.key("targets").strings(t.lora.targets);
            w.end_object();
        }
        w.end_object();
    }
    w.key("headroom").value(s.headroom);
    w.end_object();
}

}  // namespace

std::string render_report_json(const Report& r, const RenderOptions& o) {
    // Room for the whole report at once (an evaluation takes about 1.7 kB, 2.3 kB for training):
    // a plan of a thousand layouts would otherwise be copied a dozen times as it grows.
    JsonWriter w(65536 + 2560 * (r.candidates.size() + r.rejected.size()) + 512 * r.assumptions.size());
    w.begin_object();
    w.key("schema_version").value(report_schema_version);
    w.key("command").value(r.command);
    w.key("catalogs").strings(r.catalogs);
    w.key("workload");
    write_workload(w, r.problem);
    const auto& m = r.problem.model;
    w.key("model").begin_object();
    w.key("id").value(m.id);
    w.key("name").value(m.name);
    w.key("source_kind").value(to_string(m.source_kind));
    w.key("source").value(m.source);
    w.key("parameters_total").whole(m.parameters.total);
    w.key("parameters_active").whole(m.parameters.active);
    w.key("kv_cache_bytes_per_token").value(kv_cache_bytes(m.architecture, 1, bytes_per_element(r.problem.spec.precision.kv_cache)).value());
    w.key("state_bytes_per_sequence").value(state_bytes(m.stack, whole_model(m.stack), 1, bytes_per_element(r.problem.spec.precision.activations)));
    w.key("architecture");
    write_architecture(w, m.architecture);
    w.key("notes").strings(m.notes);
    w.end_object();
    if (r.command == "plan") {
        w.key("candidates").begin_array();
        const std::size_t n = std::min(r.candidates.size(), o.top.value_or(r.candidates.size()));
        for (std::size_t i = 0; i < n; ++i) write_evaluation(w, r.candidates[i], r);
        w.end_array();
        w.key("rejected").begin_array();
        for (const auto& e : r.rejected) write_evaluation(w, e, r);
        w.end_array();
        w.key("evaluated").value(r.evaluated);
        w.key("invalid_layouts").value(r.invalid);
        w.key("invalid_layout_reasons").strings(r.invalid_reasons);
        w.key("suggestions").strings(r.suggestions);
    } else if (r.evaluation) {
        w.key("evaluation");
        write_evaluation(w, *r.evaluation, r);
    }
    if (r.baseline) {
        auto opt = [&](const char* k, const auto& v) {
            w.key(k);
            v ? w.value(*v) : w.null();
        };
        w.key("baseline").begin_object();
        w.key("origin").value(r.baseline->origin);
        w.key("changes").begin_array();
        for (const auto& c : r.baseline->changes) {
            w.begin_object();
            w.key("deployment").value(c.deployment);
            w.key("status").value(c.status);
            opt("rank_before", c.rank_before);
            opt("rank_after", c.rank_after);
            opt("memory_gib_per_gpu_before", c.memory_gib_before);
            opt("memory_gib_per_gpu_after", c.memory_gib_after);
            opt("usd_per_hour_before", c.usd_per_hour_before);
            opt("usd_per_hour_after", c.usd_per_hour_after);
            opt("usd_per_million_tokens_before", c.usd_per_unit_before);
            opt("usd_per_million_tokens_after", c.usd_per_unit_after);
            opt("passes_before", c.passes_before);
            opt("passes_after", c.passes_after);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.key("assumptions").begin_array();
    for (const auto& a : r.assumptions) {
        w.begin_object();
        w.key("name").value(a.name);
        w.key("value").value(a.value);
        w.key("source").value(a.source);
        w.end_object();
    }
    w.end_array();
    w.key("unmodelled").strings(r.unmodelled);
    w.end_object();
    return w.take();
}

std::string render_gpus_json(const Catalog& c, const std::vector<const Gpu*>& gpus) {
    JsonWriter w;
    w.begin_object();
    w.key("schema_version").value("1.2");
    w.key("catalog_schema_version").value(c.schema_version);
    w.key("catalogs").strings(c.origins);
    w.key("gpus").begin_array();
    auto link = [&w](const char* name, const std::optional<Link>& l) {
        w.key(name);
        if (!l) return w.null();
        w.begin_object();
        w.key("kind").value(l->kind);
        w.key("generation").value(l->generation);
        w.key("bandwidth_bytes_per_s").value(l->bandwidth.value());
        w.key("domain_size").value(l->domain_size);
        w.end_object();
    };
    for (const Gpu* g : gpus) {
        w.begin_object();
        w.key("id").value(g->id);
        w.key("name").value(g->name);
        w.key("vendor").value(g->vendor);
        w.key("architecture").value(g->architecture);
        w.key("form_factor").value(g->form_factor);
        w.key("launch_year").value(g->launch_year);
        w.key("aliases").strings(g->aliases);
        w.key("memory_bytes").whole(g->memory.value());
        w.key("usable_memory_bytes").whole(g->usable_memory.value());
        w.key("memory_type").value(g->memory_type);
        w.key("memory_bandwidth_bytes_per_s").value(g->memory_bandwidth.value());
        w.key("dense_flops_per_s").begin_object();
        for (const auto& [t, v] : g->dense_flops) w.key(to_string(t)).value(v.value());
        w.end_object();
        w.key("sparse_flops_per_s").begin_object();
        for (const auto& [t, v] : g->sparse_flops) w.key(to_string(t)).value(v.value());
        w.end_object();
        link("scale_up", g->scale_up);
        w.key("pcie").begin_object();
        w.key("generation").value(g->pcie_generation);
        w.key("lanes").value(g->pcie_lanes);
        w.end_object();
        link("scale_out", g->scale_out);
        const auto& ef = g->efficiency;
        w.key("efficiency").begin_object();
        w.key("memory_bandwidth").value(ef.memory_bandwidth);
        w.key("matmul").value(ef.matmul);
        w.key("allreduce_intra_node").value(ef.allreduce_intra_node);
        w.key("allreduce_inter_node").value(ef.allreduce_inter_node);
        w.key("source").value(ef.source);
        w.key("measured").value(ef.measured);
        w.end_object();
        w.key("tdp_watts").value(g->tdp_watts);
        w.key("prices").begin_array();
        for (const auto& p : g->prices) {
            w.begin_object();
            w.key("provider").value(p.provider);
            w.key("usd_per_gpu_hour").value(p.per_gpu_hour.value());
            w.key("date").value(p.date);
            w.key("source").value(p.source);
            w.key("region").value(p.region);
            w.key("commitment").value(to_string(p.commitment));
            w.key("kind").value(to_string(p.kind));
            w.key("instance");
            if (p.instance) {
                const auto& s = *p.instance;
                w.begin_object();
                w.key("gpus").value(static_cast<std::int64_t>(s.gpus));
                w.key("scale_up").value(s.scale_up);
                w.key("scale_up_gpus").value(static_cast<std::int64_t>(s.scale_up_gpus.value_or(s.gpus)));
                w.key("interconnect").value(s.interconnect);
                w.key("interconnect_gbps");
                s.interconnect_gbps ? w.value(*s.interconnect_gbps) : w.null();
                w.key("partition");
                write_optional_string(w, s.partition);
                w.end_object();
            } else {
                w.null();
            }
            w.end_object();
        }
        w.end_array();
        w.key("purchase");
        if (g->purchase) {
            w.begin_object();
            w.key("usd").value(g->purchase->price.value());
            w.key("date").value(g->purchase->date);
            w.key("source").value(g->purchase->source);
            w.end_object();
        } else {
            w.null();
        }
        w.key("partitions").begin_array();
        for (const auto& p : g->partitions) {
            w.begin_object();
            w.key("kind").value(p.kind);
            w.key("profile").value(p.profile);
            w.key("memory_bytes").whole(p.memory.value());
            w.key("compute_fraction").value(p.compute_fraction);
            w.key("bandwidth_fraction").value(p.bandwidth_fraction);
            w.key("max_instances");
            if (p.max_instances) w.value(*p.max_instances);
            else w.null();
            w.end_object();
        }
        w.end_array();
        w.key("unified_memory");
        if (g->unified_memory) {
            const auto& u = *g->unified_memory;
            w.begin_object();
            w.key("kind").value(u.kind);
            w.key("host_memory_bytes");
            if (u.host_memory) w.whole(u.host_memory->value());
            else w.null();
            w.key("link_bandwidth_bytes_per_s");
            if (u.link_bandwidth) w.value(u.link_bandwidth->value());
            else w.null();
            w.end_object();
        } else {
            w.null();
        }
        w.key("counted_as").value(g->counted_as);
        w.key("chips_per_unit").value(g->chips_per_unit);
        w.key("cores_per_unit");
        if (g->cores_per_unit) w.value(*g->cores_per_unit);
        else w.null();
        w.key("basis").begin_object();
        for (const auto& [k, v] : g->basis) w.key(k).value(v);
        w.end_object();
        w.key("sources").begin_object();
        for (const auto& [k, v] : g->sources) w.key(k).value(v);
        w.end_object();
        w.key("notes").value(g->notes);
        w.key("origin").value(g->origin);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.take();
}

std::string render_models_json(const std::vector<const Preset*>& presets) {
    JsonWriter w;
    w.begin_object();
    w.key("schema_version").value("1.2");
    w.key("models").begin_array();
    for (const Preset* p : presets) {
        const auto count = count_parameters(p->architecture);
        w.begin_object();
        w.key("id").value(p->id);
        w.key("name").value(p->name);
        w.key("parameters_total").whole(count.total);
        w.key("parameters_active").whole(count.active);
        w.key("published_parameters").value(p->published_parameters);
        w.key("layers").value(p->architecture.layers);
        w.key("kv_cache_bytes_per_token_bf16").whole(kv_cache_bytes(p->architecture, 1, 2).value());
        const LayerStack stack = layer_stack(p->architecture);
        w.key("state_bytes_per_sequence_bf16").whole(state_bytes(stack, whole_model(stack), 1, 2));
        w.key("architecture");
        write_architecture(w, p->architecture);
        w.key("source").value(p->source);
        w.key("published_source").value(p->published_source);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.take();
}

}  // namespace gpusize
