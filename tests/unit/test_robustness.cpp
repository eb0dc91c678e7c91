// Hostile and absurd input, end to end through the command line in-process: every error class of
// tests/data/robustness/ with its full message and exit code; extreme but valid values whose JSON
// must hold only finite, non-negative numbers; size and nesting limits; and byte-identical output
// whatever the order of catalog entries or overlay files. Regressions from fuzzing (fuzz/README.md)
// are marked "fuzz:".
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "cli/app.hpp"
#include "cli_runner.hpp"
#include "json_writer.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"
#include "gpusize/report.hpp"
#include "gpusize/spec.hpp"

using namespace gpusize;

namespace {

using gpusize::test::run_args;
using Result = gpusize::test::CliResult;

const std::string dir = "tests/data/robustness/";

/// Every number in the document, with its JSON pointer, that is not finite and non-negative.
/// (The parser itself refuses NaN and infinity, so the output must be valid JSON to get here.)
void bad_numbers(const nlohmann::json& j, const std::string& where, std::vector<std::string>& out) {
    if (j.is_number()) {
        const double v = j.get<double>();
        if (!std::isfinite(v) || v < 0) out.push_back(where + " = " + j.dump());
        if (j.is_number_integer() && !j.is_number_unsigned() && j.get<std::int64_t>() < 0) out.push_back(where + " = " + j.dump());
    } else if (j.is_object()) {
        for (const auto& [k, v] : j.items()) bad_numbers(v, where + "/" + k, out);
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) bad_numbers(j[i], where + "/" + std::to_string(i), out);
    }
}

std::vector<std::string> bad_numbers(const std::string& json_text) {
    std::vector<std::string> out;
    bad_numbers(nlohmann::json::parse(json_text), "", out);
    return out;
}

/// `plan specs/small.yaml` with one `--set` for each line of a fixture under set/ (fuzz_set's
/// input format).
Result plan_with_sets(const std::string& fixture, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"plan", dir + "specs/small.yaml"};
    std::istringstream lines(test::read_source(dir + "set/" + fixture));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) args.insert(args.end(), {"--set", line});
    args.insert(args.end(), more.begin(), more.end());
    return run_args(args);
}

/// The largest integer in the document (to see that a product was not wrapped).
double largest_number(const nlohmann::json& j) {
    if (j.is_number()) return j.get<double>();
    double m = 0;
    if (j.is_structured())
        for (const auto& v : j) m = std::max(m, largest_number(v));
    return m;
}

}  // namespace

TEST_CASE("absurd counts in a spec are refused at their place") {
    auto r = run_args({"plan", dir + "specs/parameters-1e30.yaml"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "tests/data/robustness/specs/parameters-1e30.yaml:1:21: error: 'parameters' must be between 1e+06 and 1e+15, got 1e+30\n"
          "  model: {parameters: 1e30}\n"
          "                      ^\n");
    r = run_args({"plan", dir + "specs/context-zero.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "tests/data/robustness/specs/context-zero.yaml:2:10: error: 'context' must be between 2 and 100000000, got 0\n"
          "  context: 0\n"
          "           ^\n");
    r = run_args({"plan", dir + "specs/context-billion.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "tests/data/robustness/specs/context-billion.yaml:2:10: error: 'context' must be between 2 and 100000000, got 1000000000\n"
          "  context: 1000000000\n"
          "           ^\n");
}

TEST_CASE("NaN and infinity written in YAML are refused, each at its place") {
    const auto r = run_args({"plan", dir + "specs/nan-and-inf.yaml"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(r.err == test::read_source(dir + "specs/nan-and-inf.expected"));
}

TEST_CASE("a model at every upper bound gives finite, non-negative numbers, not wrapped integers") {
    for (const char* spec : {"specs/overflowing-architecture.yaml", "specs/overflowing-architecture-training.yaml"}) {
        INFO(spec);
        const auto r = run_args({"plan", dir + spec, "-o", "json"});
        CHECK(r.code == 1);  // nothing fits: a result, not an error
        CHECK(r.err.empty());
        CHECK(bad_numbers(r.out) == std::vector<std::string>{});
        const auto j = nlohmann::json::parse(r.out);
        // 10^4 layers of 12 h^2 (h = 10^6) and more: about 1.2e17 parameters, exactly as doubles.
        CHECK(j["model"]["parameters_total"].get<double>() > 1e17);
        CHECK(j["model"]["parameters_total"].get<double>() < 1e18);
        // The table shows the same plan without nan or inf.
        const auto t = run_args({"plan", dir + spec});
        CHECK(t.code == 1);
        CHECK(t.out.find("nan") == std::string::npos);
        CHECK(t.out.find("inf ") == std::string::npos);
        CHECK(t.out.find("-9223372036854775808") == std::string::npos);
    }
    // The inference KV cache of 10^7 sequences of 2 x 10^8 tokens is above 2^63 bytes: written in
    // full, not wrapped to a negative number.
    const auto r = run_args({"plan", dir + "specs/overflowing-architecture.yaml", "-o", "json"});
    CHECK(largest_number(nlohmann::json::parse(r.out)) > 9.3e18);
}

TEST_CASE("a million GPUs, in a spec or on the command line, is a finite answer") {
    const auto start = std::chrono::steady_clock::now();
    auto r = run_args({"plan", dir + "specs/million-gpus.yaml", "-o", "json"});
    CHECK(r.err.empty());
    CHECK((r.code == 0 || r.code == 1));
    CHECK(bad_numbers(r.out) == std::vector<std::string>{});
    const auto j = nlohmann::json::parse(r.out);
    for (const auto& c : j["candidates"]) CHECK(c["gpu_count"] == 1000000);
    CHECK(!j["candidates"].empty());
    r = run_args({"check", dir + "specs/small.yaml", "--gpu", "h100-sxm-80gb", "--count", "1000000", "-o", "json"});
    CHECK(r.err.empty());
    CHECK(r.code == 0);
    CHECK(bad_numbers(r.out) == std::vector<std::string>{});
    CHECK(nlohmann::json::parse(r.out)["evaluation"]["gpu_count"] == 1000000);
    // Both searches are small: a million GPUs is one count, not a million candidates.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("pinned degrees whose product overflows are refused") {
    auto r = run_args({"plan", dir + "specs/pinned-layout-overflow.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err == test::read_source(dir + "specs/pinned-layout-overflow.expected"));
    r = run_args({"check", dir + "specs/small.yaml", "--gpu", "h100-sxm-80gb", "--tp", "1000000", "--pp", "1000000", "--dp",
                  "1000000"});
    CHECK(r.code == 64);
    CHECK(r.err == "gpusize: error: tensor 1000000 x pipeline 1000000 x data 1000000 x context 1 is 1e+18 GPUs, more than the 1000000 accepted\n");
}

TEST_CASE("deep nesting is refused before yaml-cpp recurses") {
    // Located at the bracket that opens the 65th level, the long line shown around it.
    auto r = run_args({"plan", dir + "specs/deep-flow-nesting.yaml"});
    CHECK(r.code == 65);
    const std::string flow = test::read_source(dir + "specs/deep-flow-nesting.yaml");
    const std::string line = line_of(flow, 3);
    REQUIRE(line.size() > 130);
    CHECK(r.err == "tests/data/robustness/specs/deep-flow-nesting.yaml:3:71: error: flow collections nest deeper than 64 levels\n"
                   "  ..." + line.substr(10, 120) + "...\n" + std::string(65, ' ') + "^\n");
    r = run_args({"plan", dir + "specs/deep-block-sequence.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err == "tests/data/robustness/specs/deep-block-sequence.yaml:4:1: error: block collections nest deeper than 64 levels\n");
    // 2,000 block mappings, one more space of indentation each (2 MB, under the size limit): the
    // 64th line opens the 65th level.
    std::string deep = "model: {preset: llama-3.1-8b}\ncontext: 4096\n";
    for (int i = 0; i < 2000; ++i) deep += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    r = run_args({"plan", "-"}, deep);
    CHECK(r.code == 65);
    CHECK(r.err == "-:66:1: error: block collections nest deeper than 64 levels\n");
    // 10,000 nested block sequences, one per line.
    std::string seqs = "model: {preset: llama-3.1-8b}\ncontext: 4096\nname:\n";
    for (int i = 0; i < 10000; ++i) seqs += std::string(static_cast<std::size_t>(i % 300), ' ') + "-\n";
    CHECK(run_args({"plan", "-"}, seqs).code == 65);
    // A realistic spec with many levels is still read.
    CHECK(run_args({"plan", "examples/chat-llama-3.1-70b.yaml", "--top", "1"}).code == 0);
}

TEST_CASE("fuzz: a stray ',' starting a YAML document is an error, not an endless loop") {
    const auto r = run_args({"plan", dir + "specs/stray-comma.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "tests/data/robustness/specs/stray-comma.yaml:4:1: error: invalid YAML: unexpected ',' outside a flow collection\n"
          "  ,\n"
          "  ^\n");
    CHECK(run_args({"plan", "-"}, ",").err ==
          "-:1:1: error: invalid YAML: unexpected ',' outside a flow collection\n"
          "  ,\n"
          "  ^\n");
}

TEST_CASE("fuzz: a spec that is not UTF-8 is refused (its name would make the JSON output invalid)") {
    const auto r = run_args({"plan", dir + "specs/invalid-utf8.yaml"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "tests/data/robustness/specs/invalid-utf8.yaml:3:10: error: invalid UTF-8: byte 0xe9 starts no character\n"
          "hint: save the file as UTF-8\n");
    // Well-formed UTF-8 passes, and comes out as valid JSON.
    const auto ok = run_args({"plan", "-", "-o", "json", "--top", "1"},
                             "name: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\nmodel: {preset: llama-3.1-8b}\ncontext: 4096\n");
    CHECK(ok.code == 0);
    CHECK(nlohmann::json::parse(ok.out)["workload"]["name"] == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80");
    // Overlong forms, surrogates and truncated characters are not UTF-8 either.
    for (std::string bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
        const auto e = run_args({"plan", "-"}, "model: {preset: llama-3.1-8b}\ncontext: 4096\nname: " + bad + "\n");
        CHECK(e.code == 65);
        CHECK(e.err.rfind("-:3:7: error: invalid UTF-8: byte 0x", 0) == 0);
    }
}

TEST_CASE("fuzz: an override that is not UTF-8 is refused (a name would make the JSON output invalid)") {
    auto r = plan_with_sets("invalid-utf8.txt", {"-o", "json"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(r.err == "--set:1:9: error: invalid UTF-8: byte 0xe9 starts no character\nhint: write the override in UTF-8\n");
    // In the key as well; well-formed UTF-8 passes and comes out as valid JSON.
    r = run_args({"plan", dir + "specs/small.yaml", "--set", "na\xe9me=x"});
    CHECK(r.code == 65);
    CHECK(r.err == "--set:1:3: error: invalid UTF-8: byte 0xe9 starts no character\nhint: write the override in UTF-8\n");
    r = run_args({"plan", dir + "specs/small.yaml", "-o", "json", "--top", "1", "--set", "name=caf\xc3\xa9 \xe2\x82\xac"});
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(r.out)["workload"]["name"] == "caf\xc3\xa9 \xe2\x82\xac");
}

TEST_CASE("fuzz: override keys and values nest no deeper than a spec file may") {
    // 10,000 key segments built 10,000 mappings in memory, each parsed from its own padded text:
    // 15 s under the fuzzer's sanitizers.
    const std::string text = test::read_source(dir + "set/deep-key-path.txt"), line = text.substr(0, text.find('\n'));
    auto r = plan_with_sets("deep-key-path.txt");
    CHECK(r.code == 65);
    // The long line is shown around the column: from byte 68, the caret 60 bytes into it.
    CHECK(r.err == "--set:1:129: error: the key nests deeper than 64 levels\n  ..." + line.substr(68, 120) + "...\n" +
                       std::string(65, ' ') + "^\n");
    // 64 segments are read (and refused as an unknown key, as in a file).
    std::string sixty_four = "a";
    for (int i = 1; i < 64; ++i) sixty_four += ".a";
    r = run_args({"plan", dir + "specs/small.yaml", "--set", sixty_four + "=1"});
    CHECK(r.code == 65);
    CHECK(r.err.rfind("--set:1:1: error: unknown key 'a' in the spec\n", 0) == 0);
    // Block collections in a value ("- - - x") were refused by yaml-cpp at 1,000 levels as "bad file".
    const std::string block = test::read_source(dir + "set/deep-block-value.txt"), value = block.substr(0, block.find('\n'));
    r = plan_with_sets("deep-block-value.txt");
    CHECK(r.code == 65);
    CHECK(r.err == "--set:1:6: error: the value nests deeper than 64 levels\n  " + value.substr(0, 120) + "...\n       ^\n");
}

TEST_CASE("fuzz: more than 256 overrides are refused before they are applied") {
    // Each override is parsed past the blocks of those before it: 16,000 took 54 s under the
    // fuzzer's sanitizers.
    auto r = plan_with_sets("many-overrides.txt");
    CHECK(r.code == 64);
    CHECK(r.err == "--set:257:1: error: expected at most 256 overrides, got 16000\n");
    std::vector<std::string> args{"plan", dir + "specs/small.yaml", "--top", "1"};
    for (int i = 0; i < 256; ++i) args.insert(args.end(), {"--set", "inference.concurrency=" + std::to_string(i + 1)});
    r = run_args(args);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("concurrency 256") != std::string::npos);
}

TEST_CASE("fuzz: a stray ',' or a second document in an override value is invalid YAML, not a null value") {
    // yaml-cpp's Load returned null for ',' (the spec reader's LoadAll looped forever on it).
    auto r = plan_with_sets("stray-comma.txt");
    CHECK(r.code == 65);
    CHECK(r.err ==
          "--set:1:23: error: invalid YAML in the value: unexpected ',' outside a flow collection\n"
          "  inference.concurrency=,\n"
          "                        ^\n");
    r = run_args({"plan", dir + "specs/small.yaml", "--set", "name=a\n---\nb"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "--set:1:1: error: expected one YAML document in the value, got 2\n"
          "  b\n"
          "  ^\n"
          "hint: quote a value that holds '---' or '...'\n");
}

TEST_CASE("fuzz: a NUL byte or a \\N escape is refused (yaml-cpp decodes them to bytes that are not UTF-8)") {
    // yaml-cpp 0.7 reads a NUL byte in any scalar as the start of an escape: "batch\0N7" became
    // "batch", the byte 0x85, "7", and the JSON report did not parse. YAML allows no control
    // characters but tab, line feed and carriage return.
    auto r = run_args({"plan", dir + "specs/nul-byte.yaml", "-o", "json"});
    CHECK(r.code == 65);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "tests/data/robustness/specs/nul-byte.yaml:3:12: error: invalid character: control character 0x00 is not allowed in YAML\n"
          "hint: remove it, or write it as the escape \\x00 in a double-quoted string\n");
    // Its escapes \N and \_ decode to the single bytes 0x85 and 0xa0.
    r = run_args({"plan", dir + "specs/escape-nel.yaml", "-o", "json"});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "tests/data/robustness/specs/escape-nel.yaml:3:7: error: invalid UTF-8 in a string: byte 0x85 starts no character\n"
          "  name: \"batch\\N7\"\n"
          "        ^\n"
          "hint: yaml-cpp decodes the escapes \\N and \\_ to single bytes: write \\x85 and \\xa0 instead\n");
    // The escapes that yaml-cpp decodes right, and control characters written as escapes, pass.
    r = run_args({"plan", "-", "-o", "json", "--top", "1"},
                 "model: {preset: llama-3.1-8b}\ncontext: 4096\nname: \"a\\x85\\xa0\\t\\x00b\"\n");
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(r.out)["workload"]["name"] == std::string("a\xc2\x85\xc2\xa0\t\0b", 8));
    // In overrides too (a NUL cannot come from the command line, but a value is YAML all the same).
    const std::string small = test::read_source(dir + "specs/small.yaml");
    CHECK_THROWS_WITH(parse_spec(small, "small.yaml", parse_overrides({std::string("name=batch\0N7", 13)})),
                      "--set:1:11: error: invalid character: control character 0x00 is not allowed in YAML\n"
                      "hint: remove it, or write it as the escape \\x00 in a double-quoted value\n");
    r = run_args({"plan", dir + "specs/small.yaml", "--set", "name=\"batch\\_7\""});
    CHECK(r.code == 65);
    CHECK(r.err ==
          "--set:1:6: error: invalid UTF-8 in a string: byte 0xa0 starts no character\n"
          "  name=\"batch\\_7\"\n"
          "       ^\n"
          "hint: yaml-cpp decodes the escapes \\N and \\_ to single bytes: write \\x85 and \\xa0 instead\n");
}

TEST_CASE("catalogs: deep nesting and numbers beyond a double are refused") {
    auto r = run_args({"gpus", "--catalog", dir + "catalogs/deep-nesting.json"});
    CHECK(r.code == 78);
    CHECK(r.err == "tests/data/robustness/catalogs/deep-nesting.json:1:98: error: arrays and objects nest deeper than 64 levels\n");
    r = run_args({"gpus", "--catalog", dir + "catalogs/number-too-large.json"});
    CHECK(r.code == 78);
    CHECK(r.err == "tests/data/robustness/catalogs/number-too-large.json: error: invalid JSON: number overflow parsing '1e400'\n");
    // fuzz: nlohmann ends a document at a NUL byte, so what followed was silently ignored (here a
    // second "gpus"), and an invalid escape there escaped the duplicate-key scan (exit 70).
    r = run_args({"gpus", "--catalog", dir + "catalogs/nul-byte.json"});
    CHECK(r.code == 78);
    CHECK(r.out.empty());
    CHECK(r.err == "tests/data/robustness/catalogs/nul-byte.json:2:1: error: invalid JSON: control character 0x00 is not allowed\n"
                   "hint: remove it, or write it as \\u0000 inside a string\n");
}

TEST_CASE("config.json: deep nesting, numbers beyond a double and sizes beyond a spec's bounds are refused") {
    auto parse = [](const std::string& file) -> std::string {
        try {
            (void)parse_hf_config(test::read_source(dir + "hf/" + file), file);
        } catch (const SpecError& e) {
            return e.what();
        }
        return "parsed";
    };
    CHECK(parse("deep-nesting.json") == "deep-nesting.json:1:419: error: arrays and objects nest deeper than 64 levels\n");
    // fuzz: nlohmann's out_of_range escaped as an internal error (exit 70).
    CHECK(parse("number-too-large.json") == "number-too-large.json: error: invalid JSON: number overflow parsing '1e400'\n");
    // fuzz: after a NUL byte (where nlohmann ends the document) an invalid escape escaped the
    // duplicate-key scan as nlohmann's parse_error (exit 70); what follows one is refused now.
    CHECK(parse("nul-byte.json") == "nul-byte.json:4:1: error: invalid JSON: control character 0x00 is not allowed\n"
                                    "hint: remove it, or write it as \\u0000 inside a string\n");
    // 10^15 layers passed the old bound and looped over every layer.
    CHECK(parse("layers-1e15.json") ==
          "layers-1e15.json:3:24: error: /num_hidden_layers: expected a whole number from 1 to 10000, got 1000000000000000\n"
          "    \"num_hidden_layers\": 1000000000000000,\n"
          "                         ^\n");
    // Through the CLI: a spec naming the file, exit 65.
    const std::filesystem::path tmp = std::filesystem::temp_directory_path() / "gpusize-robustness-hf";
    std::filesystem::create_directories(tmp);
    std::filesystem::copy_file(std::string(GPUSIZE_SOURCE_DIR) + "/" + dir + "hf/layers-1e15.json", tmp / "config.json",
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(tmp / "spec.yaml") << "model: {hf_config: config.json}\ncontext: 4096\n";
    const auto r = run_args({"plan", (tmp / "spec.yaml").string()});
    CHECK(r.code == 65);
    CHECK(r.err == "config.json:3:24: error: /num_hidden_layers: expected a whole number from 1 to 10000, got 1000000000000000\n"
                   "    \"num_hidden_layers\": 1000000000000000,\n"
                   "                         ^\n");
    std::filesystem::remove_all(tmp);
}

TEST_CASE("huge input files are refused before they are read, as invalid input of their kind") {
    const std::filesystem::path tmp = std::filesystem::temp_directory_path() / "gpusize-robustness-huge";
    std::filesystem::create_directories(tmp);
    // Sparse files: 5 MiB just over the limit, and 10 GB that must never be read into memory.
    const auto five_mib = (tmp / "five-mib.yaml").string(), ten_gb = (tmp / "ten-gb.json").string();
    std::ofstream(five_mib).close();
    std::filesystem::resize_file(five_mib, 5u << 20);
    std::ofstream(ten_gb).close();
    std::filesystem::resize_file(ten_gb, 10'000'000'000ull);
    // Such a file was read (its size is known): it is an invalid spec (65) or catalog (78), not
    // a missing one (66).
    auto r = run_args({"plan", five_mib});
    CHECK(r.code == 65);
    CHECK(r.err == five_mib + ": error: file is 5242880 bytes, more than the 4194304 bytes accepted\n");
    r = run_args({"gpus", "--catalog", ten_gb});
    CHECK(r.code == 78);
    CHECK(r.err == ten_gb + ": error: file is 10000000000 bytes, more than the 4194304 bytes accepted\n");
    // A config.json the spec names is part of the spec.
    const auto spec = (tmp / "spec.yaml").string();
    std::ofstream(spec) << "model: {hf_config: ten-gb.json}\ncontext: 4096\n";
    r = run_args({"plan", spec});
    CHECK(r.code == 65);
    CHECK(r.err == ten_gb + ": error: file is 10000000000 bytes, more than the 4194304 bytes accepted\n");
    // A baseline is not parsed as a spec or a catalog: too large, it is unreadable input.
    r = run_args({"plan", dir + "specs/small.yaml", "--baseline", ten_gb});
    CHECK(r.code == 66);
    CHECK(r.err == "gpusize: error: cannot read '" + ten_gb + "': it is 10000000000 bytes, more than the 4194304 bytes accepted\n");
    // Standard input has no size to check: it is read up to the limit and no further.
    r = run_args({"plan", "-"}, std::string((4u << 20) + 1, ' '));
    CHECK(r.code == 65);
    CHECK(r.err == "-: error: input holds more than the 4194304 bytes accepted\n");
    std::filesystem::remove_all(tmp);
    // The core refuses the same sizes when called as a library.
    const std::string big((4u << 20) + 1, ' ');
    CHECK_THROWS_WITH(parse_spec(big, "big.yaml"), "big.yaml:1:1: error: file is 4194305 bytes, more than the 4194304 bytes accepted\n");
    CHECK_THROWS_WITH(parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}, {big, "big.json"}}),
                      "big.json: error: file is 4194305 bytes, more than the 4194304 bytes accepted\n");
    CHECK_THROWS_WITH(parse_hf_config(big, "config.json"), "config.json: error: file is 4194305 bytes, more than the 4194304 bytes accepted\n");
}

TEST_CASE("the same input gives byte-identical output across runs and catalog orders") {
    const std::vector<std::vector<std::string>> invocations{
        {"plan", "examples/chat-llama-3.1-70b.yaml", "-o", "json"},
        {"plan", "examples/pretrain-llama-3.1-70b.yaml", "-o", "json"},
        {"plan", "examples/moe-mixtral-8x7b.yaml"},
        {"check", "examples/chat-llama-3.1-8b.yaml", "--gpu", "h100", "--count", "2", "-o", "json"},
        {"gpus", "-o", "json"},
    };
    for (const auto& args : invocations) {
        const auto first = run_args(args);
        REQUIRE(first.err.empty());
        for (int i = 0; i < 3; ++i) CHECK(run_args(args).out == first.out);
    }
    // Overlays that do not conflict, in either order: the same bytes, for the catalog and a plan.
    const std::string a = dir + "catalogs/reordered-a.json", b = dir + "catalogs/reordered-b.json";
    for (std::vector<std::string> args : {std::vector<std::string>{"gpus", "-o", "json"},
                                          std::vector<std::string>{"plan", "examples/chat-llama-3.1-70b.yaml", "-o", "json"}}) {
        auto ab = args, ba = args;
        for (const auto* f : {&a, &b}) ab.insert(ab.end(), {"--catalog", *f});
        for (const auto* f : {&b, &a}) ba.insert(ba.end(), {"--catalog", *f});
        const auto x = run_args(ab), y = run_args(ba);
        REQUIRE(x.err.empty());
        CHECK(x.code == y.code);
        // The catalogs list names the files in the order given; everything else is identical.
        auto without_catalogs = [](std::string s) {
            auto j = nlohmann::json::parse(s);
            CHECK(j["catalogs"].size() == 3);
            j.erase("catalogs");
            return j.dump(1);
        };
        CHECK(without_catalogs(x.out) == without_catalogs(y.out));
        CHECK(x.out.find("negotiated") != std::string::npos);
    }
}

TEST_CASE("the catalog's entry order does not change any output") {
    // The bundled catalog with its GPU entries reversed and rotated.
    auto doc = nlohmann::json::parse(bundled_catalog_text());
    auto& gpus = doc["gpus"];
    std::vector<nlohmann::json> entries(gpus.begin(), gpus.end());
    std::reverse(entries.begin(), entries.end());
    std::rotate(entries.begin(), entries.begin() + 7, entries.end());
    gpus = entries;
    const std::string permuted = doc.dump(2);
    const Catalog original = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
    const Catalog reordered = parse_catalogs({{permuted, "data/gpus.json"}});
    auto all = [](const Catalog& c) {
        std::vector<const Gpu*> v;
        for (const auto& g : c.gpus) v.push_back(&g);
        return v;
    };
    CHECK(render_gpus_json(reordered, all(reordered)) == render_gpus_json(original, all(original)));
    CHECK(render_gpus_table(all(reordered)) == render_gpus_table(all(original)));
    for (const char* example : {"examples/chat-llama-3.1-70b.yaml", "examples/finetune-lora-llama-3.1-8b.yaml"}) {
        INFO(example);
        Problem p = make_problem(parse_spec(test::read_source(example), example), bundled_models(), std::nullopt);
        const Report x = make_plan_report(p, original, plan_deployments(p, original));
        const Report y = make_plan_report(p, reordered, plan_deployments(p, reordered));
        CHECK(render_report_json(y) == render_report_json(x));
        CHECK(render_report_table(y, {.verbose = true}) == render_report_table(x, {.verbose = true}));
    }
}

TEST_CASE("JSON output stays valid UTF-8 whatever text reaches it (a --catalog path that is not UTF-8)") {
    detail::JsonWriter w;
    w.begin_array();
    w.value(std::string_view("caf\xe9.json"));
    w.value(std::string_view("ok \xc3\xa9, cut \xe2\x82"));
    w.end_array();
    CHECK(w.take() == "[\n  \"caf\xEF\xBF\xBD.json\",\n  \"ok \xc3\xa9, cut \xEF\xBF\xBD\xEF\xBF\xBD\"\n]\n");
}

TEST_CASE("a --catalog path that is not UTF-8 leaves every JSON and YAML report valid") {
    // An overlay at a path whose name holds the Latin-1 byte 0xe9: Linux file names are bytes.
    namespace fs = std::filesystem;
    const fs::path folder = fs::temp_directory_path() / "gpusize-test-catalog-path";
    fs::create_directories(folder);
    const std::string path = (folder / "caf\xe9.json").string();
    fs::copy_file("tests/data/catalogs/price-override.json", path, fs::copy_options::overwrite_existing);
    const std::string shown = (folder / "caf\xEF\xBF\xBD.json").string();
    auto catalogs = [&](const std::string& out) {
        const auto j = nlohmann::json::parse(out);  // throws on invalid UTF-8
        return j.at("catalogs").get<std::vector<std::string>>();
    };
    const auto plan = run_args({"plan", "tests/data/specs/golden-small.yaml", "--catalog", path, "-o", "json", "--top", "1"});
    CHECK(plan.code == 0);
    CHECK(catalogs(plan.out) == std::vector<std::string>{"data/gpus.json", shown});
    const auto explain = run_args({"explain", "tests/data/specs/golden-small.yaml", "--gpu", "h100", "--catalog", path, "-o", "json"});
    CHECK(explain.code == 0);
    CHECK(catalogs(explain.out) == std::vector<std::string>{"data/gpus.json", shown});
    const auto gpus = run_args({"gpus", "--catalog", path, "-o", "json"});
    CHECK(gpus.code == 0);
    CHECK(catalogs(gpus.out) == std::vector<std::string>{"data/gpus.json", shown});
    const auto yaml = run_args({"gpus", "--catalog", path, "-o", "yaml"});
    CHECK(yaml.code == 0);
    CHECK(yaml.out.find("caf\xe9") == std::string::npos);
    CHECK(yaml.out.find(shown) != std::string::npos);
    fs::remove_all(folder);
}
