// The command line (cli/app.hpp) in-process: option parsing into the Options struct, and the exit
// code and streams of whole invocations. The golden cases under tests/golden/ pin the full output.
#include <catch2/catch.hpp>

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
