// The command line (cli/app.hpp) in-process: option parsing into the Options struct, and the exit
// code and streams of whole invocations. The golden cases under tests/golden/ pin the full output.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/app.hpp"
#include "cli_runner.hpp"

using namespace gpusize::cli;

namespace {

using gpusize::test::run_args;
using Result = gpusize::test::CliResult;

Options parse(std::vector<std::string> args) {
    args.insert(args.begin(), "gpusize");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out;
    auto o = parse_options(static_cast<int>(argv.size()), argv.data(), out);
    REQUIRE(o);
    return *o;
}

const char* small_spec = "model: {preset: llama-3.1-8b}\ninference: {input_tokens: 1024, output_tokens: 128, concurrency: 8}\n";

}  // namespace

TEST_CASE("options land in the Options struct") {
    const Options o = parse({"check", "spec.yaml", "--gpu", "h100", "--count", "2", "--tp", "2", "-o", "json",
                             "--catalog", "a.json", "--catalog", "b.json"});
    CHECK(o.command == "check");
    CHECK(o.spec == "spec.yaml");
    CHECK(o.gpu == "h100");
    CHECK(o.count == 2);
    CHECK(o.tp == 2);
    CHECK_FALSE(o.pp);
    CHECK(o.format == Format::json);
    CHECK(o.catalogs == std::vector<std::string>{"a.json", "b.json"});
    const Options g = parse({"gpus", "--vendor", "amd", "--min-memory", "80GiB"});
    CHECK(g.command == "gpus");
    CHECK(g.vendor == "amd");
    CHECK(g.min_memory_bytes == Approx(80.0 * 1024 * 1024 * 1024));
    CHECK(parse({"gpus", "--min-memory", "80"}).min_memory_bytes == Approx(80e9));
    CHECK(parse({"plan", "-", "--top", "3"}).top == 3u);
}

TEST_CASE("help and version print to stdout and exit 0") {
    auto help = run_args({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("Exit codes") != std::string::npos);
    CHECK(help.err.empty());
    auto version = run_args({"--version"});
    CHECK(version.code == 0);
    CHECK(version.out == "gpusize 0.1.0\n");
    auto sub = run_args({"plan", "--help"});
    CHECK(sub.code == 0);
    CHECK(sub.out.find("--top") != std::string::npos);
}

TEST_CASE("usage errors exit 64 with CLI11's complaint reworded") {
    auto r = run_args({"plan", "x.yaml", "--frobnicate"});
    CHECK(r.code == exit_code::usage);
    CHECK(r.out.empty());
    CHECK(r.err == "gpusize: error: the following argument was not expected: --frobnicate\n"
                   "hint: run 'gpusize --help' for usage\n");
    CHECK(run_args({}).code == exit_code::usage);
    CHECK(run_args({"plan"}).code == exit_code::usage);
    CHECK(run_args({"check", "-", "--count", "0"}, small_spec).code == exit_code::usage);
    CHECK(run_args({"gpus", "--min-memory", "lots"}).code == exit_code::usage);
}

TEST_CASE("each outcome has its exit code") {
    CHECK(run_args({"check", "-", "--gpu", "h100-sxm-80gb"}, small_spec).code == exit_code::ok);
    CHECK(run_args({"check", "-", "--gpu", "t4"}, "model: {preset: llama-3.1-70b}\ncontext: 4096\n").code ==
          exit_code::does_not_fit);
    CHECK(run_args({"check", "-", "--gpu", "h100x"}, small_spec).code == exit_code::usage);
    CHECK(run_args({"plan", "-"}, "model: {preset: llama-3.1-8b}\n").code == exit_code::invalid_spec);
    CHECK(run_args({"plan", "/nonexistent/spec.yaml"}).code == exit_code::input_missing);
    CHECK(run_args({"gpus", "--catalog", "/nonexistent/gpus.json"}).code == exit_code::input_missing);
    CHECK(run_args({"gpus", "--catalog", "tests/data/catalogs/negative-memory.json"}).code == exit_code::invalid_catalog);
    CHECK(run_args({"plan", "tests/data"}).code == exit_code::input_missing);
}

TEST_CASE("a missing file names the file, lower case") {
    auto r = run_args({"plan", "/nonexistent/spec.yaml"});
    CHECK(r.err == "gpusize: error: cannot read '/nonexistent/spec.yaml': no such file or directory\n");
}

TEST_CASE("errors found after parsing still show the spec line and a caret") {
    auto r = run_args({"plan", "-"}, "model:\n  preset: llama-3.1-8\ncontext: 100\n");
    CHECK(r.code == exit_code::invalid_spec);
    CHECK(r.err == "-:2:11: error: unknown model preset 'llama-3.1-8'\n"
                   "    preset: llama-3.1-8\n"
                   "            ^\n"
                   "hint: did you mean 'llama-3.1-8b'?\n");
}

TEST_CASE("the vendor filter ignores case and refuses unknown vendors") {
    auto upper = run_args({"gpus", "--vendor", "AMD"});
    auto lower = run_args({"gpus", "--vendor", "amd"});
    CHECK(upper.code == 0);
    CHECK(upper.out == lower.out);
    CHECK(upper.out.find("mi300x") != std::string::npos);
    CHECK(upper.out.find("h100") == std::string::npos);
    auto typo = run_args({"gpus", "--vendor", "nvdia"});
    CHECK(typo.code == exit_code::usage);
    CHECK(typo.err == "gpusize: error: --vendor: no GPU in the catalog is made by 'nvdia'\nhint: did you mean 'nvidia'?\n");
}

TEST_CASE("the same invocation gives byte-identical output") {
    const auto a = run_args({"plan", "-", "-o", "json", "--top", "3"}, small_spec);
    const auto b = run_args({"plan", "-", "-o", "json", "--top", "3"}, small_spec);
    CHECK(a.code == 0);
    CHECK(a.out == b.out);
    const auto g1 = run_args({"gpus", "-o", "json"});
    const auto g2 = run_args({"gpus", "-o", "json"});
    CHECK(g1.out == g2.out);
}

namespace {

/// A stream whose every write fails, as standard output does when it is full or closed.
struct FailingBuffer : std::streambuf {
    int overflow(int) override { return traits_type::eof(); }
    std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

Result run_with(std::vector<std::string> args, std::istream& in, std::ostream& out) {
    args.insert(args.begin(), "gpusize");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream err;
    const int code = run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, {}, err.str()};
}

const char* qwen_spec = "model: {preset: qwen2.5-7b}\ninference: {input_tokens: 1024, output_tokens: 128, concurrency: 8}\n";

}  // namespace

TEST_CASE("help and the version to a standard output that cannot be written exit 74") {
    FailingBuffer buffer;
    std::istringstream in;
    for (const char* flag : {"--help", "--version"}) {
        std::ostream out(&buffer);
        const auto r = run_with({flag}, in, out);
        CHECK(r.code == exit_code::output_failed);
        CHECK(r.err == "gpusize: error: cannot write the result to standard output\n");
    }
}

TEST_CASE("standard input that cannot be read is exit 66, not an empty spec") {
    std::istringstream in(small_spec);
    in.setstate(std::ios::badbit);
    std::ostringstream out;
    const auto r = run_with({"plan", "-"}, in, out);
    CHECK(r.code == exit_code::input_missing);
    CHECK(r.err == "gpusize: error: cannot read standard input: read error\n");
}

TEST_CASE("standard input is read by one reader only") {
    const auto r = run_args({"plan", "-", "--catalog", "-"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: standard input can be read once, but the spec and --catalog both name '-'\n"
                   "hint: save all but one of them to a file\n");
    CHECK(run_args({"check", "-", "--baseline", "-", "--catalog", "-"}, small_spec).err ==
          "gpusize: error: standard input can be read once, but the spec and --catalog and --baseline all name '-'\n"
          "hint: save all but one of them to a file\n");
}

TEST_CASE("an option given twice says so in our words") {
    const auto r = run_args({"check", "-", "--gpu", "h100", "--gpu", "l40s"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: --gpu was given 2 times: it takes one value\n"
                   "hint: run 'gpusize --help' for usage\n");
}

TEST_CASE("a MIG slice with a count or a degree, or an empty profile, is a usage error") {
    auto r = run_args({"check", "-", "--gpu", "h100:1g.10gb", "--count", "2", "--tp", "2"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: --gpu h100:1g.10gb: a '1g.10gb' slice runs on its own, so --count 2, --tp 2 cannot apply\n"
                   "hint: drop them, or give --gpu h100-sxm-80gb for whole GPUs\n");
    r = run_args({"explain", "-", "--gpu", "h100:1g.10gb", "--dp", "2"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: --gpu h100:1g.10gb: a '1g.10gb' slice runs on its own, so --dp 2 cannot apply\n"
                   "hint: drop it, or give --gpu h100-sxm-80gb for whole GPUs\n");
    r = run_args({"check", "-", "--gpu", "h100:"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: --gpu: 'h100:' names no partition after ':'\n"
                   "hint: give --gpu h100-sxm-80gb:PROFILE, one of 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb\n");
    r = run_args({"check", "-", "--gpu", "l40s:"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: --gpu: 'l40s:' names no partition after ':'\nhint: 'l40s' has no partitions: give --gpu l40s\n");
}

TEST_CASE("an impossible pinned layout is a usage error with the reason") {
    // 28 heads: tensor parallel 8 does not divide them.
    auto r = run_args({"check", "-", "--gpu", "h100", "--tp", "8", "--pp", "1", "--dp", "1"}, qwen_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.out.empty());
    CHECK(r.err == "gpusize: error: impossible layout tp 8 x pp 1 x dp 1 on 'h100-sxm-80gb': tensor parallel 8 does not divide "
                   "28 attention heads\n");
    r = run_args({"check", "-", "--gpu", "h100", "--tp", "8", "--pp", "1"}, qwen_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: no layout with tp 8, pp 1 on 'h100-sxm-80gb' is possible for this model: tensor parallel 8 "
                   "does not divide 28 attention heads\n");
    r = run_args({"check", "-", "--gpu", "h100", "--tp", "4", "--pp", "1", "--count", "4", "--set", "deployment.gpus_per_node=1"},
                 qwen_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: impossible layout tp 4 x pp 1 x dp 1 on 'h100-sxm-80gb': tensor parallel 4 spans nodes of 1 "
                   "GPU: keep it inside one node\n");
    // A pinned context degree is part of the GPU count's arithmetic.
    r = run_args({"check", "-", "--gpu", "h100", "--tp", "2", "--pp", "1", "--count", "6", "--set", "deployment.context_parallel=2"},
                 small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: gpu count 6 does not equal tp 2 x pp 1 x dp 1 x cp 2 = 4\n");
    // A count that no pinned tensor x pipeline product divides.
    r = run_args({"check", "-", "--gpu", "h100", "--tp", "2", "--count", "3"}, small_spec);
    CHECK(r.code == exit_code::usage);
    CHECK(r.err == "gpusize: error: no layout with 3 GPUs, tp 2 on 'h100-sxm-80gb' is possible for this model: 3 GPUs is not a "
                   "multiple of tp 2 x pp 1 = 2\n");
}

TEST_CASE("the assumption printed for a constant is the value the estimate used") {
    auto json_of = [](std::vector<std::string> args) {
        const Result r = run_args(std::move(args));
        REQUIRE(r.code == 0);
        return nlohmann::json::parse(r.out);
    };
    auto assumption = [](const nlohmann::json& report, const std::string& name) {
        for (const auto& a : report["assumptions"])
            if (a["name"] == name) return a["value"].get<std::string>();
        return std::string("missing");
    };
    // training.checkpoint.*: the failure model writes 94,337,818,624 checkpoint bytes (7B pre-training,
    // 8 x H100) in bytes / 50 GB/s = 1.88676 s, and restarts in 3 x 60 = 180 s; the assumptions say
    // 50 and 3 (they said the defaults 20 and 10 while 50 and 3 were used).
    const auto training = json_of({"check", "examples/pretrain-llama-7b.yaml", "--gpu", "h100-sxm-80gb", "--count", "8", "-o", "json",
                                   "--set", "training.checkpoint.write_gb_per_s=50", "--set", "training.checkpoint.restart_minutes=3"});
    const auto& failures = training["evaluation"]["training"]["failures"];
    CHECK(failures["checkpoint_bytes"].get<double>() == 94337818624.0);
    CHECK(failures["checkpoint_write_s"].get<double>() == Approx(94337818624.0 / 50e9).epsilon(1e-5));
    CHECK(failures["restart_s"].get<double>() == 180);
    CHECK(assumption(training, "calibration.checkpoint_write_gb_per_s") == "50 GB/s aggregate (from spec)");
    CHECK(assumption(training, "calibration.restart_minutes") == "3 minutes per interruption (from spec)");
    // int4 group size: the AWQ config.json declares 128; calibration.int4_group_size=64 and
    // precision.group_size=64 both win over it, weigh the same ((4 + 32/64) / 8 bytes per int4
    // weight, more than (4 + 32/128) / 8) and print 64 (the calibration key was overwritten by the
    // file's 128 before).
    const std::vector<std::string> awq{"check", "tests/data/specs/awq-hf-config.yaml", "--gpu", "h100-sxm-80gb", "-o", "json"};
    auto with = [&](const std::string& set) {
        auto args = awq;
        if (!set.empty()) args.insert(args.end(), {"--set", set});
        return json_of(args);
    };
    const auto file = with(""), calibration = with("calibration.int4_group_size=64"), precision = with("precision.group_size=64");
    auto weights = [](const nlohmann::json& r) { return r["evaluation"]["memory_per_gpu"]["weights_bytes"].get<double>(); };
    CHECK(assumption(file, "calibration.int4_group_size").rfind("128 ", 0) == 0);
    CHECK(assumption(calibration, "calibration.int4_group_size").rfind("64 ", 0) == 0);
    CHECK(assumption(precision, "calibration.int4_group_size").rfind("64 ", 0) == 0);
    CHECK(weights(calibration) == weights(precision));
    CHECK(weights(calibration) > weights(file));
}
