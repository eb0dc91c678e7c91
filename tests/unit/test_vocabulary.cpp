// The vocabularies (vocabulary.hpp) against everything that repeats them: the spec parser (each
// key's range at both ends and each spelling, through `--set`), the CLI (formats, `--require`
// fields, `--solve` variables, flags from its own help), the completions, the man page, the
// README, the JSON Schema and the fuzz dictionaries. A word added to one and not the others fails
// here, naming the file and the word.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "gpusize/calibration.hpp"
#include "gpusize/diagnostics.hpp"
#include "gpusize/overrides.hpp"
#include "gpusize/requirements.hpp"
#include "gpusize/spec.hpp"
#include "gpusize/vocabulary.hpp"
#include "json_limits.hpp"

#include "cli_runner.hpp"
#include "fixtures.hpp"

using namespace gpusize;
using gpusize::test::read_source;
using gpusize::test::run_args;

namespace {

/// Every section present, so a key of either workload parses on its own; MLA, linear attention and
/// Mamba complete, so one of their keys can be set alone; an open-loop arrival, so percentile
/// targets and burstiness can be (the closed loop's `users` is set over a spec without one: the
/// two forms exclude each other).
std::string base_spec(const std::string& path) {
    const bool users = path == "inference.arrival.users";
    return std::string("model: {parameters: 7B, mla: {kv_lora_rank: 512, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128},\n"
                       "        linear_attention: {key_heads: 16, value_heads: 32, key_head_dim: 128, value_head_dim: 128},\n"
                       "        mamba: {heads: 64, head_dim: 64, state_size: 128}}\n") +
           (users ? "inference: {input_tokens: 1000, output_tokens: 100}\n"
                  : "inference: {input_tokens: 1000, output_tokens: 100, arrival: {requests_per_s: 1}}\n") +
           "training: {sequence_length: 4096}\n";
}

/// "" when the spec with `--set path=value` parses, else its diagnostics.
std::string set_error(const std::string& path, const std::string& value) {
    try {
        parse_spec(base_spec(path), "base.yaml", parse_overrides({path + "=" + value}));
    } catch (const SpecError& e) {
        return e.what();
    }
    return "";
}

std::string number_text(double v) { return fmt::format("{}", v); }

bool is_calibration(const SpecKey& k) { return k.path.rfind("calibration.", 0) == 0; }

std::string leaf(const std::string& path) { return path.substr(path.rfind('.') + 1); }

bool has_word(const std::string& text, std::string_view word) {
    std::size_t at = 0;
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while ((at = text.find(word, at)) != std::string::npos) {
        const bool starts = at == 0 || !is_word(text[at - 1]);
        const bool ends = at + word.size() >= text.size() || !is_word(text[at + word.size()]);
        if (starts && ends) return true;
        ++at;
    }
    return false;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

/// The flags a command's help lists (`--top`, `-o`), from the CLI itself.
std::set<std::string> help_flags(const std::string& command) {
    const auto r = run_args({command, "--help"});
    REQUIRE(r.code == 0);
    std::set<std::string> out;
    static const std::regex flag(R"((?:^|[\s,])(--?[a-z][a-z-]*))");
    for (const auto& line : lines_of(r.out)) {
        if (line.find("Examples") != std::string::npos) break;
        for (std::sregex_iterator it(line.begin(), line.end(), flag), end; it != end; ++it) out.insert((*it)[1]);
    }
    out.erase("-h");
    out.erase("--help");
    return out;
}

const std::vector<std::string> commands{"plan", "check", "explain", "gpus", "models"};

}  // namespace

TEST_CASE("every spec key accepts its range and spellings and refuses what lies outside", "[vocabulary]") {
    for (const auto& k : spec_keys()) {
        if (is_calibration(k)) continue;  // calibration.hpp's table is theirs; its own test checks the parser
        const std::string& p = k.path;
        INFO(p);
        switch (k.kind) {
            case KeyKind::section:
            case KeyKind::string: break;
            case KeyKind::integer:
            case KeyKind::integer_or_auto:
            case KeyKind::tokens: {
                const auto lo = static_cast<std::int64_t>(k.min), hi = static_cast<std::int64_t>(k.max);
                CHECK(set_error(p, std::to_string(lo)).empty());
                CHECK(set_error(p, std::to_string(hi)).empty());
                CHECK_THAT(set_error(p, std::to_string(lo - 1)), Catch::Contains(fmt::format("'{}'", leaf(p))));
                CHECK_THAT(set_error(p, std::to_string(hi + 1)), Catch::Contains(fmt::format("'{}'", leaf(p))));
                if (k.kind == KeyKind::integer_or_auto) CHECK(set_error(p, "auto").empty());
                else CHECK_FALSE(set_error(p, "auto").empty());
                break;
            }
            case KeyKind::count:
            case KeyKind::number: {
                CHECK(set_error(p, number_text(k.min)).empty());
                CHECK(set_error(p, number_text(k.max)).empty());
                CHECK_FALSE(set_error(p, number_text(k.min > 0 ? k.min / 2 : k.min - 1)).empty());
                CHECK_FALSE(set_error(p, number_text(k.max * 2)).empty());
                break;
            }
            case KeyKind::fraction:
                CHECK(set_error(p, "0").empty());
                CHECK(set_error(p, "99%").empty());
                CHECK_FALSE(set_error(p, "1").empty());
                CHECK_FALSE(set_error(p, "-0.1").empty());
                break;
            case KeyKind::share:
                CHECK(set_error(p, "100%").empty());
                CHECK(set_error(p, "0.5").empty());
                CHECK_FALSE(set_error(p, "0").empty());
                CHECK_FALSE(set_error(p, "1.5").empty());
                break;
            case KeyKind::boolean:
                CHECK(set_error(p, "true").empty());
                CHECK(set_error(p, "false").empty());
                CHECK_FALSE(set_error(p, "maybe").empty());
                break;
            case KeyKind::choice:
            case KeyKind::dtype:
            case KeyKind::dtype_or_section:
            case KeyKind::choice_list: {
                const bool list = k.kind == KeyKind::choice_list;
                auto value = [list](std::string_view s) { return list ? fmt::format("[{}]", s) : std::string(s); };
                for (auto s : k.spellings) CHECK(set_error(p, value(s)).empty());
                if (k.kind == KeyKind::dtype || k.kind == KeyKind::dtype_or_section)
                    for (const auto& a : dtype_aliases())
                        if (std::find(k.spellings.begin(), k.spellings.end(), a.name) != k.spellings.end())
                            CHECK(set_error(p, std::string(a.alias)).empty());
                // The refusal lists the spellings, in the table's order.
                CHECK_THAT(set_error(p, value("zzz")),
                           Catch::Contains(fmt::format("to be one of {}, got", fmt::join(k.spellings, " | "))));
                break;
            }
            case KeyKind::layer_list: {
                for (auto s : k.spellings)
                    for (const char* ff : {"", "+dense", "+moe", "+none"}) CHECK(set_error(p, fmt::format("[{}{}]", s, ff)).empty());
                CHECK_THAT(set_error(p, "[zzz]"), Catch::Contains(fmt::format("to be one of {}, optionally", fmt::join(k.spellings, " | "))));
                CHECK_THAT(set_error(p, "[full+zzz]"), Catch::Contains("optionally followed by +dense, +moe or +none, got 'full+zzz'"));
                break;
            }
            case KeyKind::name_list: {
                CHECK(set_error(p, "h100").empty());
                std::vector<std::string> names(limits::max_gpu_names, "h100");
                CHECK(set_error(p, fmt::format("[{}]", fmt::join(names, ", "))).empty());
                names.push_back("h100");
                CHECK_THAT(set_error(p, fmt::format("[{}]", fmt::join(names, ", "))),
                           Catch::Contains(fmt::format("expected at most {} GPU names", limits::max_gpu_names)));
                break;
            }
            case KeyKind::price_map:
                CHECK(set_error(p, fmt::format("{{h100: {}}}", number_text(k.min))).empty());
                CHECK(set_error(p, fmt::format("{{h100: {}}}", number_text(k.max))).empty());
                CHECK_FALSE(set_error(p, fmt::format("{{h100: {}}}", number_text(k.min / 2))).empty());
                CHECK_FALSE(set_error(p, fmt::format("{{h100: {}}}", number_text(k.max * 2))).empty());
                break;
        }
    }
}

TEST_CASE("each spelling reads as the value of that name", "[vocabulary]") {
    // The parser pairs the table's spellings with its enum values by position: a reordered table
    // would read one name as another.
    auto parsed = [](const std::string& path, std::string_view value) {
        return parse_spec(base_spec(path), "base.yaml", parse_overrides({fmt::format("{}={}", path, value)}));
    };
    auto same = [](std::string_view spelling, std::string_view read) {
        return read == spelling || (spelling == "fsdp" && read == "zero3");  // fsdp is zero3 by another name
    };
    for (auto s : find_spec_key("workload")->spellings) CHECK(to_string(parsed("workload", s).workload) == s);
    for (auto s : find_spec_key("model.mlp")->spellings) CHECK(to_string(*parsed("model.mlp", s).model.patch.mlp) == s);
    for (auto s : find_spec_key("model.norm")->spellings) CHECK(to_string(*parsed("model.norm", s).model.patch.norm) == s);
    for (auto s : find_spec_key("precision")->spellings) CHECK(to_string(parsed("precision", s).precision.weights) == s);
    for (auto s : find_spec_key("precision.weights")->spellings) CHECK(to_string(parsed("precision.weights", s).precision.weights) == s);
    for (auto s : find_spec_key("precision.activations")->spellings)
        CHECK(to_string(parsed("precision.activations", s).precision.activations) == s);
    for (auto s : find_spec_key("precision.kv_cache")->spellings) CHECK(to_string(parsed("precision.kv_cache", s).precision.kv_cache) == s);
    for (const auto& a : dtype_aliases()) CHECK(to_string(parsed("precision.weights", a.alias).precision.weights) == a.name);
    for (auto s : find_spec_key("inference.engine")->spellings) CHECK(to_string(parsed("inference.engine", s).inference.engine) == s);
    for (auto s : find_spec_key("training.method")->spellings) CHECK(to_string(parsed("training.method", s).training.method) == s);
    for (auto s : find_spec_key("training.optimizer")->spellings) CHECK(to_string(parsed("training.optimizer", s).training.optimizer) == s);
    for (auto s : find_spec_key("training.sharding")->spellings) CHECK(same(s, to_string(parsed("training.sharding", s).training.sharding)));
    for (auto s : find_spec_key("training.activation_checkpointing")->spellings)
        CHECK(to_string(parsed("training.activation_checkpointing", s).training.activation_checkpointing) == s);
    for (auto s : find_spec_key("training.gradient_precision")->spellings)
        CHECK(to_string(*parsed("training.gradient_precision", s).training.gradient_precision) == s);
    for (auto s : find_spec_key("training.offload")->spellings)
        CHECK(parsed("training.offload", fmt::format("[{}]", s)).training.offload.names() == std::vector<std::string>{std::string(s)});
    for (auto s : find_spec_key("training.lora.targets")->spellings)
        CHECK(parsed("training.lora.targets", fmt::format("[{}]", s)).training.lora.targets == std::vector<std::string>{std::string(s)});
    for (auto s : find_spec_key("pricing.mode")->spellings) CHECK(to_string(parsed("pricing.mode", s).pricing.mode) == s);
}

TEST_CASE("the spec key table names every calibration constant, and no key twice", "[vocabulary]") {
    std::vector<std::string> constants;
    std::set<std::string> seen;
    for (const auto& k : spec_keys()) {
        CHECK(seen.insert(k.path).second);
        CHECK_FALSE(k.doc.empty());
        if (is_calibration(k)) constants.push_back(leaf(k.path));
    }
    CHECK(constants == Calibration::names());
    // Sections come before the keys inside them.
    std::set<std::string> sections;
    for (const auto& k : spec_keys()) {
        if (k.path.find('.') != std::string::npos) CHECK(sections.count(k.path.substr(0, k.path.rfind('.'))) == 1);
        if (k.kind == KeyKind::section || k.kind == KeyKind::dtype_or_section) sections.insert(k.path);
    }
}

TEST_CASE("the input limits are the ones the readers apply", "[vocabulary]") {
    CHECK(detail::max_json_bytes == limits::max_input_bytes);
    CHECK(detail::max_json_nesting == limits::max_nesting);
    CHECK(max_reported_diagnostics == 50);
    // One layer past the limit is refused, the limit itself accepted.
    CHECK(set_error("model.layers", std::to_string(limits::max_layers)).empty());
    CHECK_THAT(set_error("model.layers", std::to_string(limits::max_layers + 1)),
               Catch::Contains(fmt::format("between 1 and {}", limits::max_layers)));
}

TEST_CASE("the CLI takes exactly the table's output formats, requirement fields and solve variables", "[vocabulary]") {
    for (const auto& f : output_formats()) {
        INFO(f.name);
        const auto r = run_args({"gpus", "-o", std::string(f.name)});
        if (f.reports_only) {
            CHECK(r.code == 64);
            CHECK_THAT(r.err, Catch::Contains(fmt::format("-o {} is for plan and check, not gpus", f.name)));
        } else {
            CHECK(r.code == 0);
        }
    }
    const auto bad = run_args({"gpus", "-o", "xml"});
    CHECK(bad.code == 64);
    CHECK_THAT(bad.err, Catch::Contains("expected table, json, yaml, markdown, csv or html, got 'xml'"));
    CHECK_THAT(run_args({"plan", "--help"}).out, Catch::Contains(output_formats_text()));
    CHECK(output_formats_text() == "table, json, yaml, markdown, csv (html for plan and check)");

    std::vector<std::string> names;
    for (const auto& f : requirement_field_table()) names.emplace_back(f.name);
    CHECK(requirement_fields() == names);
    for (const auto& f : requirement_field_table()) CHECK(parse_requirement(fmt::format("{}<1", f.name), 1).field == f.name);
    for (const auto& [alias, field] : requirement_aliases())
        CHECK(parse_requirement(fmt::format("{}<1", alias), 1).field == field);

    const auto solve = run_args({"check", "x.yaml", "--solve", "width"});
    CHECK(solve.code == 64);
    CHECK_THAT(solve.err, Catch::Contains("expected context, concurrency, gpus or rate, got 'width'"));
}

TEST_CASE("completions and the man page offer every command, flag, format, requirement field and solve variable",
          "[vocabulary]") {
    const std::string bash = read_source("completions/gpusize.bash"), zsh = read_source("completions/_gpusize"),
                      fish = read_source("completions/gpusize.fish"), man = read_source("man/gpusize.1");
    std::vector<std::string> words;
    for (const auto& f : output_formats()) words.emplace_back(f.name);
    for (const auto& f : requirement_field_table()) words.emplace_back(f.name);
    for (const auto& a : requirement_aliases()) words.emplace_back(a.first);
    for (auto v : solve_variables()) words.emplace_back(v);
    for (const auto& c : commands) words.push_back(c);
    for (const auto& w : words) {
        INFO(w);
        CHECK(has_word(bash, w));
        CHECK(has_word(zsh, w));
        CHECK(has_word(fish, w));
        // The man page's roff escapes '-' and underscores stay as written.
        CHECK(has_word(man, w));
    }
    // bash: each command's own option list; fish: `-l NAME` under a condition naming the command
    // (or every command); zsh and the man page: the flag at all.
    for (const auto& c : commands) {
        std::smatch m;
        REQUIRE(std::regex_search(bash, m, std::regex("\\n\\s*" + c + "\\) opts=\"([^\"]*)\"")));
        std::string opts = m[1];
        if (opts.find("$common") != std::string::npos) {
            std::smatch common;
            REQUIRE(std::regex_search(bash, common, std::regex("local common=\"([^\"]*)\"")));
            opts += " " + common[1].str();
        }
        for (const auto& flag : help_flags(c)) {
            INFO(c << " " << flag);
            CHECK(has_word(" " + opts + " ", flag));
            const std::string name = flag.substr(flag.find_first_not_of('-'));
            CHECK(std::regex_search(fish, std::regex("__fish_seen_subcommand_from [^\"]*(" + c + "|\\$commands|\\$spec_commands)[^\"]*\" [^\\n]*-" +
                                                     (flag.size() == 2 ? "s " : "l ") + name + "\\b")));
            CHECK((zsh.find(flag + "[") != std::string::npos || zsh.find("," + flag + "}") != std::string::npos ||
                   zsh.find("{" + flag + ",") != std::string::npos));
            std::string roff;
            for (char ch : flag) roff += ch == '-' ? std::string("\\-") : std::string(1, ch);
            CHECK(man.find(roff) != std::string::npos);
        }
    }
}

TEST_CASE("the README lists every spec key with its spellings, every format, field and limit", "[vocabulary]") {
    const std::string readme = read_source("README.md");
    const auto start = readme.find("The explicit form");
    REQUIRE(start != std::string::npos);
    const auto open = readme.find("```yaml\n", start);
    const auto close = readme.find("```\n", open + 8);
    const auto block = lines_of(readme.substr(open + 8, close - open - 8));
    // Each key under its parent: `name:` on a line, or named in the `# also:` comments.
    for (const auto& k : spec_keys()) {
        if (is_calibration(k)) continue;
        INFO(k.path);
        std::size_t line = 0;
        bool found = true;
        std::istringstream segments(k.path);
        for (std::string segment; found && std::getline(segments, segment, '.');) {
            std::size_t i = line;
            while (i < block.size() && block[i].find(segment + ":") == std::string::npos) ++i;
            if (i == block.size()) {
                i = line;
                while (i < block.size() && !has_word(block[i], segment)) ++i;
            }
            found = i < block.size();
            line = i;
        }
        REQUIRE(found);
        if (k.kind != KeyKind::dtype_or_section)
            for (auto s : k.spellings) CHECK(has_word(block[line], s));
    }
    // And no key the table lacks.
    std::set<std::string> leaves;
    for (const auto& k : spec_keys()) leaves.insert(leaf(k.path));
    static const std::regex key(R"((?:^|[\s{,])([a-z_0-9]+):)");
    for (const auto& l : block) {
        const std::string code = l.substr(0, l.find('#'));
        for (std::sregex_iterator it(code.begin(), code.end(), key), end; it != end; ++it) {
            INFO(l);
            CHECK(leaves.count((*it)[1]) == 1);
        }
    }
    // "`bfloat16` is `bf16`, `float16` and `half` are `fp16`": each alias, then its dtype within the phrase.
    for (const auto& a : dtype_aliases()) {
        INFO(a.alias);
        const auto at = readme.find(fmt::format("`{}`", a.alias));
        REQUIRE(at != std::string::npos);
        CHECK(readme.substr(at, 40).find(fmt::format(" `{}`", a.name)) != std::string::npos);
    }
    for (const auto& f : output_formats()) CHECK(readme.find(fmt::format("\n| `{}` |", f.name)) != std::string::npos);
    std::vector<std::string_view> names;
    for (const auto& f : output_formats()) names.push_back(f.name);
    CHECK(readme.find(fmt::format("[-o {}]", fmt::join(names, "\\|"))) != std::string::npos);
    const auto fields_table = readme.substr(readme.find("| field | meaning |"));
    for (const auto& f : requirement_field_table()) CHECK(fields_table.find(fmt::format("`{}`", f.name)) < fields_table.find("\n\n"));
    for (const auto& a : requirement_aliases()) CHECK(fields_table.find(fmt::format("`{}`", a.first)) < fields_table.find("\n\n"));
    CHECK(readme.find(fmt::format("larger than 4 MiB ({} bytes)", "4,194,304")) != std::string::npos);
    CHECK(limits::max_input_bytes == 4'194'304);
    CHECK(readme.find(fmt::format("may nest {} levels deep", limits::max_nesting)) != std::string::npos);
    CHECK(readme.find(fmt::format("more than {} errors shows the first {}", max_reported_diagnostics, max_reported_diagnostics)) !=
          std::string::npos);
    CHECK(readme.find(fmt::format("at most {})", limits::max_gpu_names)) != std::string::npos);
}

TEST_CASE("the JSON Schema has exactly the table's keys and spellings", "[vocabulary]") {
    const auto schema = nlohmann::json::parse(read_source("schemas/spec.schema.json"));
    std::map<std::string, nlohmann::json> found;
    std::function<void(const nlohmann::json&, const std::string&, int)> walk = [&](const nlohmann::json& node, const std::string& prefix,
                                                                                  int depth) {
        if (depth > 10 || !node.is_object()) return;
        if (node.contains("$ref")) {
            const std::string ref = node["$ref"];
            walk(schema["$defs"][ref.substr(ref.rfind('/') + 1)], prefix, depth + 1);
        }
        for (const char* combinator : {"oneOf", "anyOf", "allOf"})
            if (node.contains(combinator))
                for (const auto& sub : node[combinator]) walk(sub, prefix, depth + 1);
        if (node.contains("properties"))
            for (const auto& [key, sub] : node["properties"].items()) {
                const std::string path = prefix.empty() ? key : prefix + "." + key;
                found[path] = sub;
                walk(sub, path, depth + 1);
            }
    };
    walk(schema, "", 0);
    std::set<std::string> table, in_schema;
    for (const auto& k : spec_keys()) table.insert(k.path);
    for (const auto& [path, node] : found) in_schema.insert(path);
    CHECK(table == in_schema);
    // A choice's `enum` lists the same spellings; a dtype's lists them with the aliases that apply.
    std::function<std::set<std::string>(const nlohmann::json&)> enums = [&](const nlohmann::json& node) {
        std::set<std::string> out;
        if (!node.is_object()) return out;
        if (node.contains("$ref")) {
            const std::string ref = node["$ref"];
            out = enums(schema["$defs"][ref.substr(ref.rfind('/') + 1)]);
        }
        if (node.contains("enum"))
            for (const auto& v : node["enum"]) out.insert(v.get<std::string>());
        if (node.contains("items")) {
            auto items = enums(node["items"]);
            out.insert(items.begin(), items.end());
        }
        for (const char* combinator : {"oneOf", "anyOf"})
            if (node.contains(combinator))
                for (const auto& sub : node[combinator]) {
                    auto more = enums(sub);
                    out.insert(more.begin(), more.end());
                }
        return out;
    };
    for (const auto& k : spec_keys()) {
        if (k.spellings.empty() || !found.count(k.path)) continue;
        INFO(k.path);
        std::set<std::string> want(k.spellings.begin(), k.spellings.end());
        if (k.kind == KeyKind::dtype || k.kind == KeyKind::dtype_or_section)
            for (const auto& a : dtype_aliases())
                if (want.count(std::string(a.name))) want.insert(std::string(a.alias));
        auto got = enums(found[k.path]);
        // `precision` as a section lists its keys' spellings too; compare the scalar form's.
        if (k.kind == KeyKind::dtype_or_section) CHECK(std::includes(got.begin(), got.end(), want.begin(), want.end()));
        else CHECK(got == want);
    }
}

TEST_CASE("the fuzz dictionaries hold every key path, key and spelling", "[vocabulary]") {
    const std::string spec_dict = read_source("fuzz/spec.dict"), set_dict = read_source("fuzz/set.dict");
    auto has_entry = [](const std::string& dict, const std::string& entry) {
        return dict.find("\n\"" + entry + "\"\n") != std::string::npos;
    };
    for (const auto& k : spec_keys()) {
        INFO(k.path);
        CHECK(has_entry(set_dict, k.path));
        CHECK(has_entry(spec_dict, leaf(k.path) + ":"));
        for (auto s : k.spellings) CHECK(has_entry(spec_dict, std::string(s)));
    }
    for (const auto& a : dtype_aliases()) CHECK(has_entry(spec_dict, std::string(a.alias)));
}
