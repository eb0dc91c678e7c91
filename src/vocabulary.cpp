#include "gpusize/vocabulary.hpp"

#include <cmath>
#include <limits>

#include "gpusize/calibration.hpp"

namespace gpusize {
namespace {

using K = KeyKind;
using limits::max_gpu_count;
using limits::max_layers;
using limits::max_sequences;
using limits::max_tokens;
using limits::max_width;

constexpr double w = static_cast<double>(max_width);

std::vector<SpecKey> make_spec_keys() {
    std::vector<SpecKey> keys{
        {"name", K::string, 0, 0, {}, "a name for the reports"},
        {"model", K::section, 0, 0, {}, "what is run: a preset, an hf_config, a parameter count or an architecture"},
        {"model.preset", K::string, 0, 0, {}, "a bundled preset (`gpusize models` lists them)"},
        {"model.hf_config", K::string, 0, 0, {}, "a Hugging Face config.json, relative to the spec"},
        {"model.parameters", K::count, 1e6, limits::max_parameters, {}, "parameter count (70.6B); alone, the architecture is derived"},
        {"model.layers", K::integer, 1, max_layers, {}, "transformer layers"},
        {"model.hidden_size", K::integer, 1, w, {}, "model width"},
        {"model.attention_heads", K::integer, 1, w, {}, "query heads"},
        {"model.kv_heads", K::integer, 1, w, {}, "key/value heads (GQA); default attention_heads"},
        {"model.head_dim", K::integer, 1, w, {}, "per-head width; default hidden_size / attention_heads"},
        {"model.intermediate_size", K::integer, 1, 10 * w, {}, "MLP width"},
        {"model.vocab_size", K::integer, 1, 10 * w, {}, "vocabulary entries"},
        {"model.norms_per_layer", K::integer, 0, 16, {}, "norm layers per transformer layer"},
        {"model.learned_positions", K::integer, 0, static_cast<double>(max_tokens), {}, "learned position embeddings (GPT-2 style)"},
        {"model.experts", K::integer, 1, 100'000, {}, "MoE: routed experts"},
        {"model.active_experts", K::integer, 1, 100'000, {}, "MoE: experts per token (top-k)"},
        {"model.expert_intermediate_size", K::integer, 1, 10 * w, {}, "MoE: width of each expert's MLP"},
        {"model.shared_experts", K::integer, 0, 1'000, {}, "MoE: experts every token uses"},
        {"model.shared_expert_intermediate_size", K::integer, 1, 10 * w, {}, "MoE: width of each shared expert's MLP"},
        {"model.dense_layers", K::integer, 0, max_layers, {}, "MoE: leading layers with a dense MLP"},
        {"model.sliding_window", K::integer, 1, static_cast<double>(max_tokens), {}, "tokens a local-attention layer sees"},
        {"model.global_attention_every", K::integer, 1, max_layers, {}, "every N-th layer attends globally, the others locally"},
        {"model.attention_chunk_size", K::integer, 1, max_tokens, {}, "chunked local attention (Llama 4): tokens per chunk"},
        {"model.encoder_parameters", K::integer, 0, limits::max_encoder_parameters, {}, "vision/audio encoder towers and projectors: in the total, not active"},
        {"model.mtp_layers", K::integer, 0, max_layers, {}, "multi-token-prediction modules, each one decoder layer: in the total, not active"},
        {"model.tied_embeddings", K::boolean, 0, 0, {}, "the output projection shares the embedding's weights"},
        {"model.qk_norm", K::boolean, 0, 0, {}, "queries and keys are normalised"},
        {"model.attention_bias", K::boolean, 0, 0, {}, "the QKV projection has a bias"},
        {"model.attention_output_bias", K::boolean, 0, 0, {}, "the attention output projection has a bias"},
        {"model.mlp_bias", K::boolean, 0, 0, {}, "the MLP projections have biases"},
        {"model.parallel_attention", K::boolean, 0, 0, {}, "attention and MLP run side by side (GPT-J, Falcon)"},
        {"model.mlp", K::choice, 0, 0, {"gated", "standard"}, "gated (SwiGLU: 3 matrices) or standard (2)"},
        {"model.norm", K::choice, 0, 0, {"rmsnorm", "layernorm"}, "the norm kind"},
        {"model.mla", K::section, 0, 0, {}, "multi-head latent attention (DeepSeek-V2/V3)"},
        {"model.mla.q_lora_rank", K::integer, 1, w, {}, "MLA: query compression rank"},
        {"model.mla.kv_lora_rank", K::integer, 1, w, {}, "MLA: key/value compression rank (the cached latent)"},
        {"model.mla.qk_nope_head_dim", K::integer, 0, w, {}, "MLA: per-head query/key width without rotary"},
        {"model.mla.qk_rope_head_dim", K::integer, 0, w, {}, "MLA: per-head rotary width"},
        {"model.mla.v_head_dim", K::integer, 1, w, {}, "MLA: per-head value width"},
        {"model.attention_output_gate", K::boolean, 0, 0, {}, "full attention with a gated (2x wide) query projection (Qwen3-Next)"},
        {"model.linear_attention", K::section, 0, 0, {}, "gated DeltaNet linear attention (Qwen3-Next, Qwen3.5)"},
        {"model.linear_attention.key_heads", K::integer, 1, w, {}, "linear attention: query/key heads"},
        {"model.linear_attention.value_heads", K::integer, 1, w, {}, "linear attention: value heads (one state each)"},
        {"model.linear_attention.key_head_dim", K::integer, 1, w, {}, "linear attention: per-head key width"},
        {"model.linear_attention.value_head_dim", K::integer, 1, w, {}, "linear attention: per-head value width"},
        {"model.linear_attention.conv_kernel", K::integer, 1, 64, {}, "linear attention: convolution taps (default 4)"},
        {"model.linear_attention.state_fp32", K::boolean, 0, 0, {}, "linear attention: the recurrent state is fp32"},
        {"model.mamba", K::section, 0, 0, {}, "Mamba-2 state-space layers (Nemotron-H)"},
        {"model.mamba.heads", K::integer, 1, w, {}, "Mamba-2: heads"},
        {"model.mamba.head_dim", K::integer, 1, w, {}, "Mamba-2: channels per head"},
        {"model.mamba.state_size", K::integer, 1, w, {}, "Mamba-2: SSM state per channel"},
        {"model.mamba.groups", K::integer, 1, w, {}, "Mamba-2: B/C groups (default 1)"},
        {"model.mamba.conv_kernel", K::integer, 1, 64, {}, "Mamba-2: convolution taps (default 4)"},
        {"model.mamba.conv_bias", K::boolean, 0, 0, {}, "Mamba-2: the convolution has a bias (default true)"},
        {"model.mamba.projection_bias", K::boolean, 0, 0, {}, "Mamba-2: the projections have biases"},
        {"model.mamba.state_fp32", K::boolean, 0, 0, {}, "Mamba-2: the SSM state is fp32 (mamba_ssm_cache_dtype)"},
        {"model.layer_types", K::layer_list, 0, 0, {"full", "sliding_window", "chunked", "latent", "linear", "mamba", "none"},
         "each layer's attention kind, optionally +dense, +moe or +none; a shorter list repeats"},
        {"workload", K::choice, 0, 0, {"inference", "training"}, "what the GPUs do"},
        {"precision", K::dtype_or_section, 0, 0, {"fp32", "bf16", "fp16", "fp8", "int8", "int4", "nf4", "fp4", "nvfp4"},
         "one dtype for all, or weights, activations, kv_cache and group_size"},
        {"precision.weights", K::dtype, 0, 0, {"fp32", "bf16", "fp16", "fp8", "int8", "int4", "nf4", "fp4", "nvfp4"},
         "weights dtype (fp4: MXFP4, 4.25 bits; nvfp4: NVFP4, 4.5 bits)"},
        {"precision.activations", K::dtype, 0, 0, {"fp32", "bf16", "fp16", "fp8"}, "the compute precision"},
        {"precision.kv_cache", K::dtype, 0, 0, {"fp32", "bf16", "fp16", "fp8", "int8", "int4"}, "KV cache dtype"},
        {"precision.group_size", K::integer, 1, 1 << 20, {}, "int4 quantisation group (GPTQ/AWQ)"},
        {"context", K::tokens, 2, static_cast<double>(max_tokens), {}, "short form: input + output tokens (inference) or sequence length (training)"},
        {"batch", K::integer, 1, static_cast<double>(max_sequences), {}, "short form: concurrency (inference) or micro batch (training)"},
        {"inference", K::section, 0, 0, {}, "the serving workload"},
        {"inference.input_tokens", K::tokens, 1, static_cast<double>(max_tokens), {}, "prompt tokens per request"},
        {"inference.output_tokens", K::tokens, 1, static_cast<double>(max_tokens), {}, "generated tokens per request"},
        {"inference.concurrency", K::integer_or_auto, 1, static_cast<double>(max_sequences), {}, "sequences in flight per replica, or auto"},
        {"inference.engine", K::choice, 0, 0, {"vllm", "trtllm", "sglang", "generic"}, "the serving engine, for its memory rule and overheads"},
        {"inference.gpu_memory_utilization", K::number, 0.05, 1.0, {}, "the engine's memory fraction"},
        {"inference.arrival", K::section, 0, 0, {}, "the load: requests_per_s (open loop) or users (closed loop)"},
        {"inference.arrival.requests_per_s", K::number, 1e-9, 1e9, {}, "requests arriving per second, all replicas"},
        {"inference.arrival.burstiness", K::number, 0, 100, {}, "coefficient of variation of the time between arrivals; 1 = Poisson"},
        {"inference.arrival.users", K::integer, 1, static_cast<double>(max_sequences), {}, "clients that each send the next request when the last completes"},
        {"inference.targets", K::section, 0, 0, {}, "latency and throughput targets"},
        {"inference.targets.ttft_ms", K::number, 1e-3, 1e9, {}, "time to first token on an idle engine (unloaded), ms"},
        {"inference.targets.tpot_ms", K::number, 1e-3, 1e9, {}, "time per output token at the full batch (unloaded), ms"},
        {"inference.targets.ttft_p90_ms", K::number, 1e-3, 1e9, {}, "90th percentile time to first token under the arrival, ms"},
        {"inference.targets.ttft_p99_ms", K::number, 1e-3, 1e9, {}, "99th percentile time to first token under the arrival, ms"},
        {"inference.targets.tpot_p90_ms", K::number, 1e-3, 1e9, {}, "90th percentile time per output token under the arrival, ms"},
        {"inference.targets.tpot_p99_ms", K::number, 1e-3, 1e9, {}, "99th percentile time per output token under the arrival, ms"},
        {"inference.targets.output_tokens_per_s", K::number, 1e-6, 1e12, {}, "generated tokens per second, all replicas"},
        {"inference.targets.requests_per_s", K::number, 1e-9, 1e9, {}, "requests per second, all replicas"},
        {"inference.targets.growth", K::number, 1, 1000, {}, "throughput targets are multiplied by this"},
        {"training", K::section, 0, 0, {}, "the training workload"},
        {"training.method", K::choice, 0, 0, {"full", "lora", "qlora"}, "what is trained"},
        {"training.lora", K::section, 0, 0, {}, "LoRA adapters"},
        {"training.lora.rank", K::integer, 1, 65536, {}, "adapter rank"},
        {"training.lora.targets", K::choice_list, 0, 0, {"q", "k", "v", "o", "gate", "up", "down"}, "the projections adapted"},
        {"training.sequence_length", K::tokens, 1, static_cast<double>(max_tokens), {}, "tokens per sequence"},
        {"training.micro_batch", K::integer_or_auto, 1, static_cast<double>(max_sequences), {}, "sequences per GPU per micro-step, or auto"},
        {"training.global_batch", K::integer, 1, static_cast<double>(max_sequences), {}, "sequences per optimizer step"},
        {"training.tokens", K::count, 1, 1e18, {}, "the training budget in tokens"},
        {"training.optimizer", K::choice, 0, 0, {"adamw", "adamw_8bit", "sgd"}, "the optimizer"},
        {"training.sharding", K::choice, 0, 0, {"none", "zero1", "zero2", "zero3", "fsdp", "distributed_optimizer"},
         "what data parallelism shards (fsdp = zero3)"},
        {"training.activation_checkpointing", K::choice, 0, 0, {"none", "selective", "op", "full"}, "what backward recomputes"},
        {"training.master_weights", K::boolean, 0, 0, {}, "fp32 master weights and moments (false: pure 16-bit)"},
        {"training.gradient_precision", K::dtype, 0, 0, {"fp32", "bf16", "fp16"}, "gradient dtype"},
        {"training.pipeline_interleave", K::integer, 1, 64, {}, "virtual pipeline stages per GPU"},
        {"training.optimizer_in_backward", K::boolean, 0, 0, {}, "step each parameter as its gradient completes"},
        {"training.offload", K::choice_list, 0, 0, {"optimizer", "parameters", "activations"}, "kept in host memory"},
        {"training.fused_kernels", K::boolean, 0, 0, {}, "fused norm and rotary kernels (false: eager PyTorch)"},
        {"training.attention_kernel", K::choice, 0, 0, {"auto", "flash2", "flash3", "cudnn", "sdpa"},
         "fused attention kernel family (auto: sdpa)"},
        {"training.loss_chunks", K::integer, 1, 1024, {}, "cross-entropy over N chunks of the output"},
        {"training.checkpoint", K::section, 0, 0, {}, "checkpointing, for the failure model"},
        {"training.checkpoint.write_gb_per_s", K::number, 0.001, 1e6, {}, "aggregate checkpoint write bandwidth, GB/s"},
        {"training.checkpoint.restart_minutes", K::number, 0, 1e5, {}, "time a restart takes, minutes"},
        {"deployment", K::section, 0, 0, {}, "constrain or pin the search"},
        {"deployment.gpus", K::name_list, 0, 0, {}, "catalog ids or aliases"},
        {"deployment.gpu_count", K::integer, 1, static_cast<double>(max_gpu_count), {}, "exact GPU count"},
        {"deployment.max_gpus", K::integer, 1, static_cast<double>(max_gpu_count), {}, "most GPUs searched"},
        {"deployment.tensor_parallel", K::integer, 1, static_cast<double>(max_gpu_count), {}, "pinned tensor parallel degree"},
        {"deployment.pipeline_parallel", K::integer, 1, static_cast<double>(max_gpu_count), {}, "pinned pipeline parallel degree"},
        {"deployment.data_parallel", K::integer, 1, static_cast<double>(max_gpu_count), {}, "pinned data parallel degree"},
        {"deployment.expert_parallel", K::integer, 1, static_cast<double>(max_gpu_count), {}, "pinned expert parallel degree"},
        {"deployment.context_parallel", K::integer, 1, static_cast<double>(max_gpu_count), {}, "pinned context parallel degree"},
        {"deployment.gpus_per_node", K::integer, 1, static_cast<double>(max_gpu_count), {}, "GPUs per node (the NVLink domain)"},
        {"pricing", K::section, 0, 0, {}, "prices"},
        {"pricing.usd_per_gpu_hour", K::price_map, 0.01, 1000, {}, "GPU id -> USD per GPU-hour, over the catalog's"},
        {"pricing.mode", K::choice, 0, 0, {"cloud", "onprem"}, "rent, or buy and run"},
        {"pricing.commitment", K::choice, 0, 0, {"on_demand", "spot", "reserved_1y", "reserved_3y"},
         "cloud: which catalog prices to pay"},
        {"pricing.electricity_usd_per_kwh", K::number, 0, 10, {}, "onprem: energy price, USD per kWh"},
        {"pricing.pue", K::number, 1, 10, {}, "onprem: power usage effectiveness"},
        {"pricing.amortization_years", K::number, 0.1, 50, {}, "onprem: years the purchase is spread over"},
        {"pricing.utilization", K::share, 0, 1, {}, "onprem: share of the hours the purchase is spread over"},
        {"headroom", K::fraction, 0, 1, {}, "memory kept free on every GPU"},
        {"calibration", K::section, 0, 0, {}, "override any named constant"},
    };
    // The constants' own table is the one place their ranges live; these entries only name them.
    for (const auto& c : constant_table()) {
        const double lo = c.range.above_min ? std::nextafter(c.range.min, std::numeric_limits<double>::infinity()) : c.range.min;
        keys.push_back({"calibration." + std::string(c.name), c.range.whole ? K::integer : K::number, lo, c.range.max, {}, c.source});
    }
    return keys;
}

}  // namespace

const std::vector<SpecKey>& spec_keys() {
    static const std::vector<SpecKey> keys = make_spec_keys();
    return keys;
}

const SpecKey* find_spec_key(std::string_view path) {
    for (const auto& k : spec_keys())
        if (k.path == path) return &k;
    return nullptr;
}

std::vector<std::string> spellings(std::string_view path) {
    std::vector<std::string> out;
    if (const auto* k = find_spec_key(path))
        for (auto s : k->spellings) out.emplace_back(s);
    return out;
}

const std::vector<DTypeAlias>& dtype_aliases() {
    static const std::vector<DTypeAlias> aliases{{"bfloat16", "bf16"}, {"float16", "fp16"}, {"half", "fp16"}, {"float32", "fp32"}};
    return aliases;
}

const std::vector<OutputFormat>& output_formats() {
    static const std::vector<OutputFormat> formats{
        {"table", false, "for people (default)"},
        {"json", false, "the contract for tools"},
        {"yaml", false, "the JSON document as block YAML"},
        {"markdown", false, "the table as GitHub markdown"},
        {"csv", false, "a header row, then one row per evaluation, GPU, model or term"},
        {"html", true, "one self-contained page with the table and charts"},
    };
    return formats;
}

std::string output_formats_text() {
    std::string all, reports;
    for (const auto& f : output_formats()) {
        std::string& list = f.reports_only ? reports : all;
        list += (list.empty() ? "" : ", ") + std::string(f.name);
    }
    return reports.empty() ? all : all + " (" + reports + " for plan and check)";
}

const std::vector<RequirementField>& requirement_field_table() {
    static const std::vector<RequirementField> fields{
        {"usd_per_hour", FieldScope::any, false, "no price for this GPU", "the deployment's hourly cost"},
        {"gpu_count", FieldScope::any, false, "", "the deployment's GPUs"},
        {"memory_headroom", FieldScope::any, true, "no memory capacity", "fraction of memory left free on the most loaded GPU"},
        {"usd_per_million_output_tokens", FieldScope::inference, false, "no price or no throughput", "inference cost"},
        {"usd_per_million_input_tokens", FieldScope::inference, false, "no price or no throughput", "inference cost"},
        {"ttft_ms", FieldScope::inference, false, "no performance estimate", "time to first token"},
        {"tpot_ms", FieldScope::inference, false, "no performance estimate", "time per output token"},
        {"output_tokens_per_s", FieldScope::inference, false, "no performance estimate", "generated tokens per second"},
        {"requests_per_s", FieldScope::inference, false, "no performance estimate", "requests per second"},
        {"usd_per_million_training_tokens", FieldScope::training, false, "no price or no throughput", "training cost"},
        {"usd_total", FieldScope::training, false, "no price or no training.tokens budget", "cost of the training.tokens budget"},
        {"tokens_per_s", FieldScope::training, false, "no performance estimate", "training throughput"},
        {"mfu", FieldScope::training, true, "no performance estimate", "model FLOPs utilisation"},
        {"time_to_train_days", FieldScope::training, false, "no training.tokens budget", "time for the token budget"},
    };
    return fields;
}

const std::vector<std::pair<std::string_view, std::string_view>>& requirement_aliases() {
    static const std::vector<std::pair<std::string_view, std::string_view>> aliases{{"headroom", "memory_headroom"}};
    return aliases;
}

const std::vector<std::string_view>& solve_variables() {
    static const std::vector<std::string_view> variables{"context", "concurrency", "gpus", "rate"};
    return variables;
}

}  // namespace gpusize
