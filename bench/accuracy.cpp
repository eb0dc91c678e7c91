// gpusize-bench-accuracy INPUT.jsonl... OUTPUT.md: runs every published measurement of the shared
// validation set and of the repository's own validation/*.jsonl (one JSON object per line, see
// ../shared/validation/README.md and validation/README.md) through the core
// estimators and writes a markdown report: per category a table of case, metric, measured,
// estimated and error; per category and metric the median and worst absolute percentage error;
// and the cases off by more than 2x with the ambiguities their source left open. The summary
// table also goes to stdout. Each case is built as a Problem in code (a Spec filled field by field,
// then make_problem), with the model from the bundled preset when the case names one and from the
// case's own architecture fields otherwise. The mapping from a case to a spec is written out in
// the report next to the numbers, because a benchmark that quietly picks the favourable reading of
// an ambiguous row is worse than none. It never fails on accuracy: it is a report, not a test.
#include <algorithm>
#include <functional>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gpusize/calibration.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/device.hpp"
#include "gpusize/memory.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/performance.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/problem.hpp"
#include "gpusize/spec.hpp"

namespace {

using nlohmann::json;
using namespace gpusize;

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool has(const std::string& haystack, std::string_view needle) { return lower(haystack).find(needle) != std::string::npos; }

std::string text(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
    return j[key].get<std::string>();
}

std::optional<std::int64_t> integer(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
    return j[key].get<std::int64_t>();
}

double d(std::int64_t v) { return static_cast<double>(v); }

/// Numbers as a reader wants them: integers for large counts, 3-4 significant digits otherwise.
std::string num(double v) {
    if (!std::isfinite(v)) return "n/a";
    if (std::abs(v) >= 1000) return fmt::format("{:.0f}", v);
    if (std::abs(v) >= 100) return fmt::format("{:.1f}", v);
    if (std::abs(v) >= 10) return fmt::format("{:.2f}", v);
    return fmt::format("{:.3f}", v);
}

/// Markdown table cells must not contain a bare `|`.
std::string cell(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// What one case produced

struct Metric {
    std::string name;
    std::string unit;
    double measured = 0;
    double estimated = 0;
    double error_pct() const { return (estimated - measured) / measured * 100.0; }
    /// estimated / measured, the factor a "2x off" test looks at.
    double ratio() const { return estimated / measured; }
};

struct CaseResult {
    std::string id;
    std::string category;
    std::string framework;  ///< the training framework the row ran (row's framework_key, else from its source)
    std::string reliability;
    std::vector<Metric> metrics;
    std::vector<std::string> mapping;  ///< how the case became a spec: every choice the bench made
    std::vector<std::string> ambiguities;
    std::string skipped;  ///< why no estimate was made (empty when there is one)
};

// ---------------------------------------------------------------------------------------------
// Case -> spec mapping

struct Hardware {
    const Gpu* gpu = nullptr;
    std::optional<Partition> partition;
    Device device() const { return Device{.gpu = gpu, .partition = partition}; }
};

/// The catalog GPU a case ran on. Unstated form factors take the SXM part (the sources' own
/// reading); a power-limited part is the catalog part at full power, said in the mapping.
Hardware map_gpu(const json& gpu, const Catalog& catalog, std::vector<std::string>& notes) {
    const std::string key = lower(text(gpu, "key"));
    const std::string model = lower(text(gpu, "model"));
    std::string id;
    if (has(key, "mi250x")) {
        // One GCD of an MI250X is half the module: the catalog lists the module (2 GCDs), so the bench
        // runs the case on a half slice of it (memory, bandwidth and compute halved, AMD's own split).
        const Gpu& g = catalog.resolve("mi250x");
        notes.push_back("gpu: one MI250X GCD modelled as a half slice of catalog 'mi250x' (memory, bandwidth, FLOP/s x 0.5)");
        return Hardware{.gpu = &g,
                        .partition = Partition{.profile = "1-gcd", .memory = g.usable_memory * 0.5, .compute_fraction = 0.5,
                                               .bandwidth_fraction = 0.5}};
    }
    if (has(key, "h200")) id = "h200-sxm-141gb";
    else if (has(key, "h100")) id = has(key, "pcie") ? "h100-pcie-80gb" : "h100-sxm-80gb";
    else if (has(key, "a100")) {
        const bool pcie = has(key, "pcie");
        const bool small = has(key, "40gb") || has(model, "40gb");
        id = pcie ? (small ? "a100-pcie-40gb" : "a100-pcie-80gb") : (small ? "a100-sxm-40gb" : "a100-sxm-80gb");
    } else if (has(key, "l40s")) id = "l40s";
    else if (has(key, "4090")) id = "rtx-4090";
    else if (has(key, "a6000")) id = "rtx-a6000";
    else throw std::runtime_error(fmt::format("no catalog mapping for gpu '{}'", text(gpu, "key")));
    if (has(key, "unspecified") || (has(key, "a100") && !has(key, "sxm") && !has(key, "pcie")))
        notes.push_back(fmt::format("gpu: '{}' form factor unstated, '{}' assumed", text(gpu, "key"), id));
    if (has(key, "330w"))
        notes.push_back("gpu: power limit 330 W not modelled (catalog a100-sxm-80gb at 400 W)");
    return Hardware{.gpu = &catalog.resolve(id), .partition = std::nullopt};
}

/// The row's own architecture fields as a spec patch.
ModelPatch patch_from_row(const json& m, std::vector<std::string>& notes) {
    ModelPatch p;
    p.layers = integer(m, "layers");
    p.hidden_size = integer(m, "hidden");
    p.attention_heads = integer(m, "heads");
    p.kv_heads = integer(m, "kv_heads");
    p.intermediate_size = integer(m, "ffn_hidden");
    p.vocab_size = integer(m, "vocab");
    if (auto e = integer(m, "num_experts")) {
        p.experts = e;
        p.active_experts = integer(m, "experts_per_token");
        p.expert_intermediate_size = p.intermediate_size;
        if (has(text(m, "arch"), "shared expert")) {
            // The row's arch text names one shared expert but gives no size: the routed size is used.
            p.shared_experts = 1;
            p.shared_expert_intermediate_size = p.intermediate_size;
            notes.push_back("model: one shared expert of the routed size (row text says 'shared expert', size unstated)");
        }
    }
    return p;
}

/// Case model keys are spelled `llama3.1-8b`; presets `llama-3.1-8b`.
std::string preset_id(const json& m) {
    std::string key = lower(text(m, "key"));
    if (key.rfind("llama", 0) == 0 && key.size() > 5 && std::isdigit(static_cast<unsigned char>(key[5]))) key.insert(5, "-");
    return key;
}

void map_model(Spec& spec, const json& m, std::vector<std::string>& notes) {
    const std::string id = preset_id(m);
    if (const Preset* preset = bundled_models().find(id)) {
        spec.model.preset = id;
        notes.push_back(fmt::format("model: preset '{}'", id));
        // Say where the preset and the row disagree rather than silently trusting either.
        const auto& a = preset->architecture;
        std::vector<std::string> diff;
        auto check = [&](const char* field, std::optional<std::int64_t> row, std::int64_t ours) {
            if (row && *row != ours) diff.push_back(fmt::format("{} row {} preset {}", field, *row, ours));
        };
        check("layers", integer(m, "layers"), a.layers);
        check("hidden", integer(m, "hidden"), a.hidden_size);
        check("heads", integer(m, "heads"), a.attention_heads);
        check("kv_heads", integer(m, "kv_heads"), a.kv_heads);
        check("vocab", integer(m, "vocab"), a.vocab_size);
        if (!a.moe) check("ffn_hidden", integer(m, "ffn_hidden"), a.intermediate_size);
        if (!diff.empty()) notes.push_back(fmt::format("model: preset differs from the row ({})", fmt::join(diff, ", ")));
    } else {
        spec.model.patch = patch_from_row(m, notes);
        notes.push_back(fmt::format("model: no preset for '{}', explicit architecture from the row's fields", text(m, "key")));
    }
}

/// A precision as the case writes it ("bfloat16", "FP8 dynamic", "INT4 weight-only GPTQ").
std::optional<DType> dtype_from_text(const std::string& s) {
    const std::string t = lower(s);
    if (t.empty()) return std::nullopt;
    if (t.find("mxfp4") != std::string::npos) return DType::fp4;
    if (t.find("nf4") != std::string::npos) return DType::nf4;
    if (t.find("int4") != std::string::npos || t.find("gptq") != std::string::npos || t.find("awq") != std::string::npos)
        return DType::int4;
    if (t.find("int8") != std::string::npos) return DType::int8;
    if (t.find("fp8") != std::string::npos) return DType::fp8;
    if (t.find("float32") != std::string::npos || t.find("fp32") != std::string::npos) return DType::fp32;
    if (t.find("bfloat16") != std::string::npos || t.find("bf16") != std::string::npos) return DType::bf16;
    if (t.find("float16") != std::string::npos || t.find("fp16") != std::string::npos) return DType::fp16;
    return std::nullopt;
}

DType dtype_or(const std::string& s, DType fallback) { return dtype_from_text(s).value_or(fallback); }

std::vector<std::string> strings(const json& j) {
    std::vector<std::string> out;
    if (j.is_array())
        for (const auto& v : j)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

/// The measured metric named `key`, if the case has it.
std::optional<std::pair<double, std::string>> measured(const json& c, const char* key) {
    const auto& m = c["measured"];
    if (!m.contains(key)) return std::nullopt;
    return std::pair{m[key]["value"].get<double>(), m[key].value("unit", "")};
}

Problem problem_from(Spec spec) { return make_problem(std::move(spec), bundled_models(), std::nullopt); }

void throw_on_layout(const Problem& p, const Device& dev, const Layout& l) {
    const auto problems = layout_problems(p, dev, l);
    if (!problems.empty()) throw std::runtime_error(fmt::format("invalid layout: {}", fmt::join(problems, "; ")));
}

// ---------------------------------------------------------------------------------------------
// One estimator run per category

/// vLLM 0.19 start-up accounting: weights, profiling-run activation peak, KV pool and capacity.
void run_inference_memory(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "public_cases.jsonl";
    map_model(spec, c["model"], r.mapping);
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const auto& prec = c["precision"];
    spec.precision.weights = dtype_or(text(prec, "weights"), DType::bf16);
    spec.precision.activations = dtype_or(text(prec, "compute"), DType::bf16);
    spec.precision.kv_cache = dtype_or(text(prec, "kv_cache"), spec.precision.activations);
    if (has(text(prec, "weights"), "mxfp4"))
        r.mapping.push_back("precision: MXFP4 experts with bf16 attention mapped to fp4 for all quantisable weights "
                            "(gpusize has one weights precision; embeddings and head stay 16-bit)");
    const std::int64_t seq = integer(c["sequence"], "seq_len").value_or(0);
    spec.workload = Workload::inference;
    spec.inference.engine = Engine::vllm;
    spec.inference.input_tokens = seq - 1;  // KV per sequence of max_model_len tokens
    spec.inference.output_tokens = 1;
    spec.inference.concurrency = 1;
    std::smatch match;
    const std::string fw = text(c, "framework");
    static const std::regex util_re(R"(gpu_memory_utilization=([0-9.]+))");
    if (std::regex_search(fw, match, util_re)) spec.inference.gpu_memory_utilization = std::stod(match[1].str());
    r.mapping.push_back(fmt::format("engine: vllm, gpu_memory_utilization {}, max_model_len {} (input {} + output 1), "
                                    "weights {}, activations {}, kv {}",
                                    spec.inference.gpu_memory_utilization ? num(*spec.inference.gpu_memory_utilization) : "default",
                                    seq, seq - 1, to_string(spec.precision.weights), to_string(spec.precision.activations),
                                    to_string(spec.precision.kv_cache)));
    const auto& par = c["parallelism"];
    const Layout l{.tensor = integer(par, "tp").value_or(1), .pipeline = integer(par, "pp").value_or(1)};
    r.mapping.push_back(fmt::format("layout: tp {} pp {}", l.tensor, l.pipeline));
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const InferenceMemory mem = estimate_inference_memory(p, dev, l, 1);
    auto add = [&](const char* key, double estimate) {
        if (auto m = measured(c, key)) r.metrics.push_back({key, m->second, m->first, estimate});
    };
    add("weights_per_gpu", to_gib(mem.breakdown.weights));
    add("activation_peak_per_gpu", to_gib(mem.breakdown.activations));
    add("kv_cache_pool_per_gpu", to_gib(mem.kv_pool));
    add("kv_cache_capacity_tokens", mem.kv_capacity_tokens);
    // vLLM prints capacity tokens / max_model_len, a fraction; compare that, not the integer count.
    add("max_concurrency_at_max_len", mem.kv_capacity_tokens / d(seq));
}

/// TensorRT-LLM offline max-throughput: output tokens/s at the largest batch the KV cache holds.
void run_trtllm_throughput(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "public_cases.jsonl";
    map_model(spec, c["model"], r.mapping);
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const auto& prec = c["precision"];
    spec.precision.weights = dtype_or(text(prec, "weights"), DType::fp16);
    spec.precision.activations = dtype_or(text(prec, "compute"), DType::fp16);
    spec.precision.kv_cache = dtype_or(text(prec, "kv_cache"), spec.precision.activations);
    spec.workload = Workload::inference;
    spec.inference.engine = Engine::trtllm;
    spec.inference.input_tokens = integer(c["sequence"], "isl").value_or(0);
    spec.inference.output_tokens = integer(c["sequence"], "osl").value_or(0);
    spec.inference.concurrency = std::nullopt;  // auto: the most sequences the KV cache holds
    const auto& par = c["parallelism"];
    const Layout l{.tensor = integer(par, "tp").value_or(1), .pipeline = integer(par, "pp").value_or(1)};
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const Evaluation e = evaluate(p, dev, l);
    if (!e.inference) throw std::runtime_error(fmt::format("no estimate: {}", fmt::join(e.reasons, "; ")));
    const auto& perf = e.inference->performance;
    r.mapping.push_back(fmt::format("engine: trtllm, isl {} osl {}, weights/activations/kv {}/{}/{}, tp {}; "
                                    "concurrency auto chose {} (KV holds {}){}",
                                    p.spec.inference.input_tokens, p.spec.inference.output_tokens,
                                    to_string(p.spec.precision.weights), to_string(p.spec.precision.activations),
                                    to_string(p.spec.precision.kv_cache), l.tensor, perf.concurrency,
                                    e.inference->memory.max_concurrency, e.fits ? "" : "; does not fit"));
    if (auto m = measured(c, "output_tokens_per_s")) {
        // The row's unit says whether it is per GPU or the whole TP group; gpusize's is the group.
        const bool per_gpu = has(m->second, "per gpu");
        r.metrics.push_back({"output_tokens_per_s", m->second, m->first,
                             per_gpu ? perf.output_tokens_per_s / d(l.gpus()) : perf.output_tokens_per_s});
    }
}

/// gpt-fast batch-1 decode: tokens/s = 1 / TPOT.
void run_gptfast_latency(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "public_cases.jsonl";
    map_model(spec, c["model"], r.mapping);
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const auto& prec = c["precision"];
    const std::string wtext = text(prec, "weights");
    spec.precision.weights = dtype_or(wtext, DType::bf16);
    spec.precision.activations = dtype_or(text(prec, "compute"), DType::bf16);
    spec.precision.kv_cache = dtype_or(text(prec, "kv_cache"), DType::bf16);
    static const std::regex group_re(R"(\bg(\d+)\b)");
    std::smatch match;
    if (spec.precision.weights == DType::int4 && std::regex_search(wtext, match, group_re))
        spec.calibration["int4_group_size"] = std::stoi(match[1].str());
    const double group_size = spec.calibration.count("int4_group_size") ? spec.calibration.at("int4_group_size")
                                                                         : Calibration()[Constant::int4_group_size];
    spec.workload = Workload::inference;
    spec.inference.engine = Engine::generic;
    spec.inference.input_tokens = integer(c["sequence"], "isl").value_or(5);
    // generate.py's default; the README does not state the benchmark's generation length.
    spec.inference.output_tokens = 100;
    spec.inference.concurrency = 1;
    const auto& par = c["parallelism"];
    const Layout l{.tensor = integer(par, "tp").value_or(1), .pipeline = integer(par, "pp").value_or(1)};
    r.mapping.push_back(fmt::format("engine: generic, batch 1, input {} output 100 (generate.py default), weights {}{}, tp {}",
                                    spec.inference.input_tokens, to_string(spec.precision.weights),
                                    spec.precision.weights == DType::int4 ? fmt::format(" g{:g}", group_size) : "",
                                    l.tensor));
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const auto perf = estimate_inference_performance(p, dev, l, 1);
    if (!perf) throw std::runtime_error("no estimate: device lacks a rate or a link");
    if (auto m = measured(c, "decode_tokens_per_s"))
        r.metrics.push_back({"decode_tokens_per_s", m->second, m->first, 1.0 / perf->tpot.value()});
}

/// llm-foundry pre-training: tokens/s/GPU and MFU under FSDP full shard.
void run_foundry_training(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "public_cases.jsonl";
    map_model(spec, c["model"], r.mapping);
    const std::int64_t seq = integer(c["sequence"], "seq_len").value_or(2048);
    if (spec.model.preset && spec.model.preset->rfind("mpt-", 0) == 0) {
        // llm-foundry's learned position table is sized to max_seq_len; the presets are at 2048.
        spec.model.patch.learned_positions = seq;
    }
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const auto& prec = c["precision"];
    const bool fp8 = has(text(prec, "compute"), "fp8") || has(r.id, "amp_fp8");
    spec.precision.weights = DType::bf16;
    spec.precision.activations = fp8 ? DType::fp8 : DType::bf16;
    spec.workload = Workload::training;
    auto& tr = spec.training;
    tr.method = TrainingMethod::full;
    tr.sequence_length = seq;
    const auto& b = c["batch"];
    tr.micro_batch = integer(b, "micro_batch_size").value_or(1);
    tr.global_batch = integer(b, "global_batch_size");
    tr.optimizer = Optimizer::adamw;
    const auto& par = c["parallelism"];
    const std::int64_t gpus = integer(par, "num_gpus").value_or(1);
    tr.sharding = integer(par, "zero_stage").value_or(0) == 3 || has(text(par, "fsdp"), "full") ? Sharding::zero3 : Sharding::none;
    tr.activation_checkpointing = has(text(c, "activation_checkpointing"), "full") ? Recompute::full : Recompute::none;
    const Layout l{.tensor = integer(par, "tp").value_or(1), .pipeline = integer(par, "pp").value_or(1),
                   .data = integer(par, "dp").value_or(gpus)};
    r.mapping.push_back(fmt::format("training: full, AdamW, {}, seq {}, micro {} global {}, checkpointing {}, compute {}, dp {}",
                                    to_string(tr.sharding), seq, tr.micro_batch, tr.global_batch ? *tr.global_batch : 0,
                                    to_string(tr.activation_checkpointing), to_string(spec.precision.activations), l.data));
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const Evaluation e = evaluate(p, dev, l);
    if (!e.training) throw std::runtime_error(fmt::format("no estimate: {}", fmt::join(e.reasons, "; ")));
    if (!e.fits)
        r.mapping.push_back(fmt::format("memory: gpusize says it does not fit ({:.1f} GiB per GPU); throughput still compared",
                                        to_gib(e.memory.total())));
    const auto& perf = e.training->performance;
    if (auto m = measured(c, "throughput_tokens_per_s_per_gpu"))
        r.metrics.push_back({"tokens_per_s_per_gpu", m->second, m->first, perf.tokens_per_s_per_gpu});
    if (auto m = measured(c, "mfu_pct")) r.metrics.push_back({"mfu_pct", m->second, m->first, perf.mfu * 100.0});
}

/// torchtune fine-tuning peak memory per GPU (full, LoRA, QLoRA).
void run_torchtune_memory(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "public_cases.jsonl";
    map_model(spec, c["model"], r.mapping);
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const std::string workload = text(c, "workload");
    const std::string opt = text(c["precision"], "optimizer_states");
    spec.workload = Workload::training;
    spec.precision.weights = DType::bf16;
    spec.precision.activations = DType::bf16;
    auto& tr = spec.training;
    tr.method = has(workload, "qlora") ? TrainingMethod::qlora : has(workload, "lora") ? TrainingMethod::lora : TrainingMethod::full;
    if (tr.method != TrainingMethod::full) {
        static const std::regex rank_re(R"(rank (\d+))");
        std::smatch match;
        tr.lora.rank = std::regex_search(opt, match, rank_re) ? std::stoll(match[1].str()) : 8;
        if (has(opt, "mlp")) tr.lora.targets = {"q", "k", "v", "o", "gate", "up", "down"};
        else if (has(opt, "q/k/v/o")) tr.lora.targets = {"q", "k", "v", "o"};
        else if (has(opt, "q/k/v")) tr.lora.targets = {"q", "k", "v"};
        else tr.lora.targets = {"q", "v"};  // torchtune's LoRA recipe default (q_proj, v_proj)
    }
    tr.optimizer = has(opt, "8bit") || has(opt, "8-bit") ? Optimizer::adamw_8bit : Optimizer::adamw;
    // torchtune's full fine-tuning recipes run in pure bf16 (dtype: bf16): no fp32 master copy.
    // Its LoRA recipes keep fp32 optimizer state on the adapters, as the rows say.
    tr.master_weights = tr.method != TrainingMethod::full;
    tr.sequence_length = integer(c["sequence"], "seq_len").value_or(2048);
    const auto& b = c["batch"];
    tr.micro_batch = integer(b, "micro_batch_size").value_or(1);
    tr.global_batch = integer(b, "global_batch_size");
    const auto& par = c["parallelism"];
    const std::int64_t gpus = integer(par, "num_gpus").value_or(1);
    tr.sharding = gpus > 1 ? Sharding::zero3 : Sharding::none;
    const std::string ac = lower(text(c, "activation_checkpointing"));
    tr.activation_checkpointing = ac.find("enabled") != std::string::npos || ac.find("full") != std::string::npos
                                      ? Recompute::full
                                      : Recompute::none;
    const Layout l{.data = gpus};
    r.mapping.push_back(fmt::format("training: {}{}, {}, {}, seq {}, micro {}, checkpointing {}, dp {}",
                                    to_string(tr.method),
                                    tr.method == TrainingMethod::full
                                        ? std::string()
                                        : fmt::format(" rank {} on {}", tr.lora.rank, fmt::join(tr.lora.targets, ",")),
                                    to_string(tr.optimizer), to_string(tr.sharding), tr.sequence_length, tr.micro_batch,
                                    to_string(tr.activation_checkpointing), l.data));
    // The flags each row ran with, from its own text: the recipe configs of the 2024-09 table
    // (optimizer_in_bwd, PagedAdamW8bit, fsdp_cpu_offload) and the ablation table's cumulative rows.
    const std::string notes = lower(text(c["sequence"], "notes"));
    const bool cumulative = has(notes, "all above") || has(notes, "cumulative");
    tr.optimizer_in_backward = has(opt, "optimizer_in_bwd") || has(opt, "fused into backward") || has(notes, "fused optimizer");
    if (tr.optimizer_in_backward) r.mapping.push_back("training.optimizer_in_backward: true (the recipe's optimizer_in_bwd)");
    if (has(opt, "paged")) {
        tr.offload.optimizer = true;
        r.mapping.push_back("training.offload: [optimizer]: PagedAdamW8bit keeps its states in CUDA unified memory, which "
                            "torch's peak counters do not count and the driver pages to the host under pressure");
    }
    if (has(opt, "cpu") || has(text(c["precision"], "weights"), "offload")) {
        tr.offload.parameters = true;
        r.mapping.push_back("training.offload: [parameters] (FSDP CPU offload: weights, gradients and optimizer states on the host)");
    }
    if (has(notes, "activation offload") || (cumulative && tr.method != TrainingMethod::full)) {
        tr.offload.activations = true;
        r.mapping.push_back("training.offload: [activations] (the ablation's activation offloading)");
    }
    // Chunked cross-entropy (torchtune PR #1390, 2024-08: CEWithChunkedOutputLoss, 8 chunks) is the
    // default of the recipe configs the 2024-09 table ran; the ablation adds it in its fourth row.
    const bool ablation = has(text(c["source"], "section"), "optimization flags");
    if (!ablation || has(notes, "chunked") || cumulative) {
        tr.loss_chunks = 8;
        r.mapping.push_back("training.loss_chunks: 8 (torchtune's CEWithChunkedOutputLoss)");
    }
    if (has(notes, "unpacked")) {
        // alpaca-cleaned samples run a few hundred tokens; padded per batch of two, under about
        // 600 tokens the gradients (not the activations) set the peak, so the length barely matters.
        tr.sequence_length = 512;
        r.mapping.push_back("training.sequence_length: 512 (unpacked alpaca samples padded per batch; the row gives only "
                            "the 4096 cap)");
    }
    if (has(notes, "no compile") || (ablation && !has(notes, "compile") && !cumulative)) {
        tr.fused_kernels = false;
        r.mapping.push_back("training.fused_kernels: false (the ablation's rows before 'compile' run eager PyTorch)");
    }
    if (!tr.master_weights) r.mapping.push_back("training.master_weights: false (torchtune trains full fine-tunes in pure bf16)");
    r.mapping.push_back("compared: what torch's counters see (weights, gradients, optimizer, activations at the peak), "
                        "without the CUDA context, NCCL buffers and allocator fragmentation");
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const TrainingMemory mem = estimate_training_memory(p, dev, l);
    for (const char* key : {"peak_memory_per_gpu", "peak_memory_active"}) {
        if (auto m = measured(c, key)) {
            const bool decimal = m->second == "GB";
            const Bytes allocated = mem.breakdown.total() - mem.breakdown.overhead;
            const double est = decimal ? to_gb(allocated) : to_gib(allocated);
            r.metrics.push_back({key, m->second, m->first, est});
        }
    }
    // Throughput of the whole run. The 8-GPU rows' figure cannot be per GPU: 1,568 tokens/s per
    // A100 for a 70B full fine-tune would be 6 x 70.6e9 x 1568 = 664 TFLOP/s, twice the 312 peak.
    auto m = measured(c, "throughput_tokens_per_s");
    if (m && has(notes, "unpacked")) {
        r.mapping.push_back("throughput: not compared (unpacked samples: the tokens per step are not stated)");
    } else if (m) {
        const Evaluation e = evaluate(p, dev, l);
        if (!e.training) throw std::runtime_error(fmt::format("no estimate: {}", fmt::join(e.reasons, "; ")));
        if (l.data > 1) r.mapping.push_back("throughput: tokens/s of the whole run (per GPU would exceed the GPUs' peak FLOP/s)");
        r.metrics.push_back({"tokens_per_s", "tokens/s (run)", m->first, e.training->performance.tokens_per_s});
    }
}

/// Published framework benchmarks (validation/training_frameworks.jsonl): torchtitan, NeMo,
/// DeepSpeed (xtuner). Each row states its framework, recipe and parallelism; the bench maps the
/// recipe onto today's training keys and compares tokens/s/GPU and, where published, the
/// allocator's peak (torchtitan logs torch's max reserved memory).
void run_framework_training(const json& c, const Catalog& catalog, CaseResult& r) {
    Spec spec;
    spec.name = r.id;
    spec.origin = "training_frameworks.jsonl";
    const json& m = c["model"];
    map_model(spec, m, r.mapping);
    if (!spec.model.preset) {
        const std::string key = preset_id(m);
        // Llama 3 8B/70B share the Llama 3.1 architecture (the row's fields say so); the preset is used.
        if (key == "llama-3-8b" || key == "llama-3-70b") {
            spec.model.patch = ModelPatch{};
            spec.model.preset = key == "llama-3-8b" ? "llama-3.1-8b" : "llama-3.1-70b";
            r.mapping.push_back(fmt::format("model: preset '{}' (same architecture as the row's)", *spec.model.preset));
        } else {
            if (text(m, "mlp") == "standard") spec.model.patch.mlp = MlpKind::standard;
            if (text(m, "norm") == "layernorm") spec.model.patch.norm = NormKind::layernorm;
            r.mapping.push_back(fmt::format("model: mlp {}, norm {}", text(m, "mlp").empty() ? "gated" : text(m, "mlp"),
                                            text(m, "norm").empty() ? "rmsnorm" : text(m, "norm")));
        }
    }
    const Hardware hw = map_gpu(c["gpu"], catalog, r.mapping);
    const std::string fw = text(c, "framework_key");
    const auto& prec = c["precision"];
    const bool fp8 = has(text(prec, "compute"), "fp8") || has(text(prec, "compute"), "float8");
    spec.precision.weights = DType::bf16;
    spec.precision.activations = fp8 ? DType::fp8 : DType::bf16;
    spec.workload = Workload::training;
    auto& tr = spec.training;
    tr.method = text(c, "method") == "lora" ? TrainingMethod::lora : TrainingMethod::full;
    if (tr.method == TrainingMethod::lora) {
        tr.lora.rank = 32;
        tr.lora.targets = {"q", "k", "v"};
    }
    tr.sequence_length = integer(c["sequence"], "seq_len").value_or(2048);
    const auto& b = c["batch"];
    tr.micro_batch = integer(b, "micro_batch_size").value_or(1);
    tr.global_batch = integer(b, "global_batch_size");
    tr.optimizer = Optimizer::adamw;
    const auto& par = c["parallelism"];
    const std::int64_t gpus = integer(par, "num_gpus").value_or(1);
    const Layout l{.tensor = integer(par, "tp").value_or(1), .pipeline = integer(par, "pp").value_or(1),
                   .data = integer(par, "dp").value_or(gpus), .context = integer(par, "cp").value_or(1)};
    if (l.gpus() != gpus) throw std::runtime_error(fmt::format("layout has {} GPUs, the row {}", l.gpus(), gpus));
    if (fw == "nemo") tr.sharding = Sharding::distributed_optimizer;
    else if (fw == "torchtitan" || integer(par, "zero_stage").value_or(0) == 3) tr.sharding = Sharding::zero3;
    if (auto v = integer(par, "vp")) tr.pipeline_interleave = *v;
    if (text(par, "pp_schedule") == "interleaved-1f1b") {
        tr.pipeline_interleave = 2;
        r.mapping.push_back("pipeline_interleave: 2 (the row's interleaved 1F1B, virtual stages unstated)");
    }
    const std::string ac = lower(text(c, "activation_checkpointing"));
    tr.activation_checkpointing = has(ac, "full")        ? Recompute::full
                                  : has(ac, "op-level") ? Recompute::op
                                  : has(ac, "selective") ? Recompute::selective
                                                         : Recompute::none;
    const auto& k = c["kernels"];
    const std::string kernel = lower(text(k, "attention"));
    tr.attention_kernel = has(kernel, "cudnn") ? AttentionKernel::cudnn : has(kernel, "sdpa") ? AttentionKernel::sdpa : AttentionKernel::flash2;
    r.mapping.push_back(fmt::format("training.attention_kernel: {} (the row's '{}')", to_string(*tr.attention_kernel), text(k, "attention")));
    tr.fused_kernels = (k.contains("compile") && k["compile"].is_boolean() && k["compile"].get<bool>()) || !text(k, "fused").empty();
    r.mapping.push_back(fmt::format("training ({}): {}, {}, seq {}, micro {} global {}, checkpointing {}, compute {}, fused_kernels {}, "
                                    "tp {} pp {} (interleave {}) cp {} dp {}",
                                    fw, to_string(tr.method), to_string(tr.sharding), tr.sequence_length, tr.micro_batch,
                                    tr.global_batch ? *tr.global_batch : 0, to_string(tr.activation_checkpointing),
                                    to_string(spec.precision.activations), tr.fused_kernels, l.tensor, l.pipeline,
                                    tr.pipeline_interleave, l.context, l.data));
    const Problem p = problem_from(std::move(spec));
    const Device dev = hw.device();
    throw_on_layout(p, dev, l);
    const Evaluation e = evaluate(p, dev, l);
    if (!e.training) throw std::runtime_error(fmt::format("no estimate: {}", fmt::join(e.reasons, "; ")));
    if (auto mt = measured(c, "throughput_tokens_per_s_per_gpu"))
        r.metrics.push_back({"tokens_per_s_per_gpu", mt->second, mt->first, e.training->performance.tokens_per_s_per_gpu});
    if (auto mt = measured(c, "peak_memory_reserved_per_gpu")) {
        const TrainingMemory mem = estimate_training_memory(p, dev, l);
        r.mapping.push_back("memory compared: gpusize's memory_per_gpu.allocator_bytes (what torch's caching allocator reserves) "
                            "against torch's max reserved");
        r.metrics.push_back({"peak_memory_per_gpu", mt->second, mt->first, to_gib(mem.breakdown.allocator())});
    }
}

CaseResult run_case(const json& c, const Catalog& catalog) {
    CaseResult r;
    r.id = text(c, "id");
    r.category = text(c, "primary_category");
    r.reliability = text(c, "reliability");
    r.ambiguities = strings(c["ambiguities"]);
    r.framework = text(c, "framework_key");
    if (r.framework.empty() && r.category == "training_throughput") r.framework = "llm-foundry";
    if (r.framework.empty() && r.category == "finetune_memory") r.framework = "torchtune";
    try {
        const std::string repo = text(c["source"], "repo");
        if (r.category == "inference_memory") run_inference_memory(c, catalog, r);
        else if (r.category == "inference_throughput") run_trtllm_throughput(c, catalog, r);
        else if (r.category == "inference_latency") run_gptfast_latency(c, catalog, r);
        else if (r.category == "training_throughput") run_foundry_training(c, catalog, r);
        else if (r.category == "finetune_memory") run_torchtune_memory(c, catalog, r);
        else if (r.category == "training_framework") run_framework_training(c, catalog, r);
        else r.skipped = fmt::format("unknown category '{}'", r.category);
        if (r.skipped.empty() && r.metrics.empty()) r.skipped = "none of the compared metrics is measured in this row";
    } catch (const std::exception& e) {
        r.skipped = e.what();
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Report

const std::vector<std::pair<std::string, std::string>> categories = {
    {"inference_memory", "Inference memory (vLLM 0.19 start-up logs, H100 80GB)"},
    {"inference_throughput", "Inference throughput (TensorRT-LLM 0.14 max-load output tokens/s)"},
    {"inference_latency", "Inference latency (gpt-fast batch-1 decode tokens/s)"},
    {"training_throughput", "Training throughput (llm-foundry, FSDP)"},
    {"finetune_memory", "Fine-tuning (torchtune peak memory and tokens/s per GPU)"},
    {"training_framework", "Training by framework (torchtitan, NeMo, DeepSpeed: tokens/s/GPU and peak memory)"},
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    if (n == 0) return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

struct SummaryRow {
    std::string category, metric;
    std::size_t n = 0;
    double median_abs = 0, median_signed = 0, p90_abs = 0, worst_abs = 0;
    std::string worst_case;
};

/// The 90th percentile by nearest rank.
double p90(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(rank, 1) - 1];
}

SummaryRow summary_row(const std::vector<CaseResult>& results, const std::string& category, const std::string& label,
                       const std::function<bool(const std::string&)>& metric,
                       const std::function<bool(const CaseResult&)>& in_row = nullptr) {
    SummaryRow s;
    s.category = category;
    s.metric = label;
    std::vector<double> abs_err, signed_err;
    for (const auto& r : results) {
        if (in_row ? !in_row(r) : r.category != category) continue;
        for (const auto& m : r.metrics) {
            if (!metric(m.name)) continue;
            const double e = m.error_pct();
            abs_err.push_back(std::abs(e));
            signed_err.push_back(e);
            if (std::abs(e) >= s.worst_abs) {
                s.worst_abs = std::abs(e);
                s.worst_case = r.id;
            }
        }
    }
    s.n = abs_err.size();
    s.median_abs = median(abs_err);
    s.median_signed = median(signed_err);
    s.p90_abs = p90(abs_err);
    return s;
}

/// Per category and metric; where a category measures peak memory under two names (torchtune's
/// tables say "peak memory per GPU" and "peak memory active"), also both together.
std::vector<SummaryRow> summarise(const std::vector<CaseResult>& results) {
    std::vector<SummaryRow> out;
    for (const auto& [cat, title] : categories) {
        std::vector<std::string> metrics;  // in first-seen order
        for (const auto& r : results)
            if (r.category == cat)
                for (const auto& m : r.metrics)
                    if (std::find(metrics.begin(), metrics.end(), m.name) == metrics.end()) metrics.push_back(m.name);
        for (const auto& name : metrics)
            out.push_back(summary_row(results, cat, name, [&](const std::string& n) { return n == name; }));
        const auto peak = [](const std::string& n) { return n.starts_with("peak_memory"); };
        if (std::count_if(metrics.begin(), metrics.end(), peak) > 1)
            out.push_back(summary_row(results, cat, "peak_memory (both)", peak));
    }
    // Training by framework, whichever file and category its rows came from: throughput and peak memory.
    std::vector<std::string> frameworks;
    for (const auto& r : results)
        if (!r.framework.empty() && std::find(frameworks.begin(), frameworks.end(), r.framework) == frameworks.end())
            frameworks.push_back(r.framework);
    std::sort(frameworks.begin(), frameworks.end());
    const auto throughput = [](const std::string& n) { return n == "tokens_per_s_per_gpu" || n == "tokens_per_s"; };
    const auto peak = [](const std::string& n) { return n.starts_with("peak_memory"); };
    for (const auto& fw : frameworks) {
        const auto of = [&](const CaseResult& r) { return r.framework == fw; };
        for (const auto& [label, metric] : {std::pair{std::string("tokens/s"), std::function<bool(const std::string&)>(throughput)},
                                            std::pair{std::string("peak memory"), std::function<bool(const std::string&)>(peak)}}) {
            SummaryRow row = summary_row(results, "framework: " + fw, label, metric, of);
            if (row.n > 0) out.push_back(row);
        }
    }
    return out;
}

std::string summary_table(const std::vector<SummaryRow>& rows) {
    std::string out = "| category | metric | cases | median abs error % | median signed error % | p90 abs error % | worst abs error % | worst case |\n"
                      "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n";
    for (const auto& s : rows)
        out += fmt::format("| {} | {} | {} | {:.1f} | {:+.1f} | {:.1f} | {:.1f} | {} |\n", s.category, s.metric, s.n, s.median_abs,
                           s.median_signed, s.p90_abs, s.worst_abs, s.worst_case);
    return out;
}

std::string render(const std::vector<CaseResult>& results, const std::string& input, const std::string& output,
                   const Catalog& catalog) {
    std::string out;
    std::size_t evaluated = 0, compared = 0;
    for (const auto& r : results) {
        if (r.skipped.empty()) ++evaluated;
        compared += r.metrics.size();
    }
    out += "# gpusize accuracy report\n\n";
    out += fmt::format(
        "Generated by `gpusize-bench-accuracy {} {}` from {} published measurements ({} evaluated, {} metric "
        "comparisons) with the bundled catalog ({} GPUs, schema {}) and model presets. Error % is "
        "`(estimated - measured) / measured x 100`: positive means gpusize over-estimates. Each case's mapping to a spec "
        "(preset, GPU, precision, layout, engine) is listed at the end; read a row's ambiguities before trusting it.\n\n",
        input, output, results.size(), evaluated, compared, catalog.gpus.size(), catalog.schema_version);
    out += "## Summary\n\n" + summary_table(summarise(results)) + "\n";

    for (const auto& [cat, title] : categories) {
        out += fmt::format("## {}\n\n", title);
        out += "| case | metric | unit | measured | estimated | error % |\n| --- | --- | --- | ---: | ---: | ---: |\n";
        for (const auto& r : results) {
            if (r.category != cat) continue;
            if (!r.skipped.empty()) {
                out += fmt::format("| {} | - | - | - | - | not evaluated: {} |\n", r.id, cell(r.skipped));
                continue;
            }
            for (const auto& m : r.metrics)
                out += fmt::format("| {} | {} | {} | {} | {} | {:+.1f} |\n", r.id, m.name, cell(m.unit), num(m.measured),
                                   num(m.estimated), m.error_pct());
        }
        out += "\n";
    }

    out += "## Off by more than 2x\n\n";
    out += "Estimates above twice or below half the measurement, with what the source left unstated.\n\n";
    out += "| case | metric | measured | estimated | estimated / measured | ambiguities |\n| --- | --- | ---: | ---: | ---: | --- |\n";
    std::size_t off = 0;
    for (const auto& r : results) {
        for (const auto& m : r.metrics) {
            if (m.ratio() <= 2.0 && m.ratio() >= 0.5) continue;
            ++off;
            out += fmt::format("| {} | {} | {} | {} | {:.2f} | {} |\n", r.id, m.name, num(m.measured), num(m.estimated), m.ratio(),
                               cell(fmt::format("{}", fmt::join(r.ambiguities, "; "))));
        }
    }
    if (off == 0) out += "| (none) | | | | | |\n";
    out += "\n";

    out += "## Case mapping\n\n";
    out += "How each case became a spec; every choice the benchmark made that the row did not dictate is here.\n\n";
    for (const auto& r : results) {
        out += fmt::format("- `{}` ({} reliability): {}", r.id, r.reliability.empty() ? "unstated" : r.reliability,
                           fmt::join(r.mapping, "; "));
        if (!r.skipped.empty()) out += fmt::format("; NOT EVALUATED: {}", r.skipped);
        out += "\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: gpusize-bench-accuracy INPUT.jsonl... OUTPUT.md\n";
        return 64;
    }
    const std::vector<std::string> inputs(argv + 1, argv + argc - 1);
    const std::string output = argv[argc - 1];
    try {
        const Catalog catalog = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
        std::vector<CaseResult> results;
        for (const auto& input : inputs) {
            std::ifstream in(input);
            if (!in) {
                std::cerr << "gpusize-bench-accuracy: error: cannot read '" << input << "'\n";
                return 66;
            }
            std::string line;
            int line_no = 0;
            while (std::getline(in, line)) {
                ++line_no;
                if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
                json c;
                try {
                    c = json::parse(line);
                } catch (const json::parse_error& e) {
                    std::cerr << fmt::format("{}:{}: error: invalid JSON: {}\n", input, line_no, e.what());
                    return 65;
                }
                results.push_back(run_case(c, catalog));
            }
        }
        std::string input = inputs.front();
        for (std::size_t i = 1; i < inputs.size(); ++i) input += " " + inputs[i];
        const std::string report = render(results, input, output, catalog);
        std::ofstream out(output);
        if (!(out << report)) {
            std::cerr << "gpusize-bench-accuracy: error: cannot write '" << output << "'\n";
            return 73;
        }
        std::cout << summary_table(summarise(results));
        std::size_t skipped = 0;
        for (const auto& r : results)
            if (!r.skipped.empty()) ++skipped;
        std::cout << fmt::format("\n{} cases, {} not evaluated; full report in {}\n", results.size(), skipped, output);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "gpusize-bench-accuracy: error: " << e.what() << "\n";
        return 70;
    }
}
