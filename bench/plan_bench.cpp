// gpusize-bench-plan: how long one `gpusize plan` takes. For each representative spec (every
// examples/*.yaml, read once from the working directory, plus two built-in specs so that the
// training search and a small-model search are timed too) it runs the whole-catalog layout search
// with the bundled catalog and models, repeatedly, and prints the median and p90 wall time of
// (a) parse + plan + render JSON, the work a `gpusize plan -o json` call does after reading files,
// and (b) plan_deployments alone, as a markdown table. The target is 20 ms or less per plan on a
// 2-core machine; this program reports and never fails on it.
//
// `gpusize-bench-plan --process BIN [N]` times the whole process as a user runs it instead:
// `BIN plan EXAMPLE -o json` and `BIN plan EXAMPLE` (the table), stdout to /dev/null, N runs of
// each example (start-up, embedded catalog and model parse, plan, rendering, writing).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "gpusize/catalog.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"
#include "gpusize/report.hpp"
#include "gpusize/spec.hpp"

namespace {

using gpusize::Catalog;

struct NamedSpec {
    std::string name;
    std::string text;
};

// Built-in specs cover what the examples may not: a training search (data parallel up to 1024
// GPUs, the largest search space) and a small model that fits everywhere (every slice evaluated).
const char* const training_spec = R"(name: llama-3.1-8b pre-training (built-in bench spec)
model:
  preset: llama-3.1-8b
workload: training
precision: bf16
training:
  sequence_length: 8192
  micro_batch: 1
  global_batch: 512
  sharding: zero3
  activation_checkpointing: full
)";

const char* const small_inference_spec = R"(name: qwen2.5-7b chat (built-in bench spec)
model:
  preset: qwen2.5-7b
workload: inference
precision: bf16
inference:
  input_tokens: 1024
  output_tokens: 256
  concurrency: auto
  engine: vllm
)";

std::vector<NamedSpec> load_specs() {
    std::vector<NamedSpec> out;
    std::vector<std::filesystem::path> paths;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("examples", ec))
        if (entry.path().extension() == ".yaml") paths.push_back(entry.path());
    if (ec) std::cerr << "gpusize-bench-plan: warning: cannot list examples/ (run from the repo root): " << ec.message() << "\n";
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back({path.generic_string(), ss.str()});
    }
    out.push_back({"built-in: training llama-3.1-8b", training_spec});
    out.push_back({"built-in: inference qwen2.5-7b", small_inference_spec});
    return out;
}

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    // Nearest-rank: the smallest sample with at least q of the samples at or below it.
    const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(q * static_cast<double>(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

template <class F>
double time_ms(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Runs `argv` with stdout and stderr on /dev/null and returns its exit status (-1 when it could
// not be started or did not exit normally).
int run_quietly(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

int bench_process(const std::string& binary, int repetitions) {
    std::vector<std::filesystem::path> paths;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("examples", ec))
        if (entry.path().extension() == ".yaml") paths.push_back(entry.path());
    if (ec) {
        std::cerr << "gpusize-bench-plan: error: cannot list examples/ (run from the repo root): " << ec.message() << "\n";
        return 66;
    }
    std::sort(paths.begin(), paths.end());
    fmt::print("\n# gpusize plan as a process\n\n{} runs of `{} plan SPEC [-o json]` per spec, stdout to /dev/null.\n\n",
               repetitions, binary);
    fmt::print("| spec | exit | -o json median ms | p90 ms | table median ms | p90 ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    double worst_median = 0;
    for (const auto& path : paths) {
        std::vector<double> json, table;
        int exit_code = 0;
        const std::vector<std::string> json_args{binary, "plan", path.string(), "-o", "json"};
        const std::vector<std::string> table_args{binary, "plan", path.string()};
        (void)run_quietly(json_args);  // warm the page cache
        for (int i = 0; i < repetitions; ++i) {
            json.push_back(time_ms([&] { exit_code = run_quietly(json_args); }));
            table.push_back(time_ms([&] { (void)run_quietly(table_args); }));
        }
        if (exit_code < 0) {
            std::cerr << "gpusize-bench-plan: error: cannot run " << binary << "\n";
            return 66;
        }
        worst_median = std::max(worst_median, percentile(json, 0.5));
        fmt::print("| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", path.generic_string(), exit_code, percentile(json, 0.5),
                   percentile(json, 0.9), percentile(table, 0.5), percentile(table, 0.9));
    }
    fmt::print("\nTarget: `plan -o json` at or under 20 ms median on a 2-core machine; worst median here: {:.2f} ms ({}).\n",
               worst_median, worst_median <= 20.0 ? "within target" : "over target");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int repetitions = 50;
    if (argc > 2 && std::string(argv[1]) == "--process")
        return bench_process(argv[2], argc > 3 ? std::max(1, std::atoi(argv[3])) : 30);
    if (argc > 1) repetitions = std::max(1, std::atoi(argv[1]));
    try {
        // The catalog and model library are parsed once per process by the CLI as well; their
        // parse time is reported on its own line rather than folded into every plan.
        Catalog catalog;
        const double catalog_ms =
            time_ms([&] { catalog = gpusize::parse_catalogs({{gpusize::bundled_catalog_text(), "data/gpus.json"}}); });
        const double models_ms = time_ms([] { (void)gpusize::bundled_models(); });
        const auto specs = load_specs();

        fmt::print("# gpusize plan timing\n\n");
        fmt::print("{} repetitions per spec; whole bundled catalog ({} GPUs), layout search on. "
                   "One-off start-up: catalog parse {:.2f} ms, model library parse {:.2f} ms.\n\n",
                   repetitions, catalog.gpus.size(), catalog_ms, models_ms);
        fmt::print("| spec | layouts evaluated | candidates | parse+plan+JSON median ms | p90 ms | plan only median ms | p90 ms | report+JSON only median ms | JSON bytes |\n");
        fmt::print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        double worst_p90 = 0;
        for (const auto& s : specs) {
            std::vector<double> full, plan_only;
            std::size_t evaluated = 0, candidates = 0, json_bytes = 0;
            // One untimed run warms caches and the static model library.
            {
                auto p = gpusize::make_problem(gpusize::parse_spec(s.text, s.name), gpusize::bundled_models(), std::nullopt);
                gpusize::resolve_gpu_names(p, catalog);
                (void)gpusize::plan_deployments(p, catalog);
            }
            for (int i = 0; i < repetitions; ++i) {
                full.push_back(time_ms([&] {
                    auto p = gpusize::make_problem(gpusize::parse_spec(s.text, s.name), gpusize::bundled_models(), std::nullopt);
                    gpusize::resolve_gpu_names(p, catalog);
                    auto plan = gpusize::plan_deployments(p, catalog);
                    evaluated = plan.evaluated;
                    candidates = plan.candidates.size();
                    json_bytes = gpusize::render_report_json(gpusize::make_plan_report(p, catalog, std::move(plan))).size();
                }));
            }
            auto p = gpusize::make_problem(gpusize::parse_spec(s.text, s.name), gpusize::bundled_models(), std::nullopt);
            gpusize::resolve_gpu_names(p, catalog);
            for (int i = 0; i < repetitions; ++i)
                plan_only.push_back(time_ms([&] { (void)gpusize::plan_deployments(p, catalog); }));
            // Report building and JSON rendering on their own, to show where the rest of the time goes.
            std::vector<double> render_only;
            const auto plan = gpusize::plan_deployments(p, catalog);
            for (int i = 0; i < repetitions; ++i) {
                auto copy = plan;
                render_only.push_back(time_ms([&] {
                    (void)gpusize::render_report_json(gpusize::make_plan_report(p, catalog, std::move(copy)));
                }));
            }
            const double full_p90 = percentile(full, 0.9);
            worst_p90 = std::max(worst_p90, full_p90);
            fmt::print("| {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {} |\n", s.name, evaluated, candidates,
                       percentile(full, 0.5), full_p90, percentile(plan_only, 0.5), percentile(plan_only, 0.9),
                       percentile(render_only, 0.5), json_bytes);
        }
        fmt::print("\nTarget: 20 ms or less per plan on a 2-core machine; worst parse+plan+JSON p90 here: {:.2f} ms ({}).\n",
                   worst_p90, worst_p90 <= 20.0 ? "within target" : "over target");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "gpusize-bench-plan: error: " << e.what() << "\n";
        return 70;
    }
}
