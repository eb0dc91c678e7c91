// `--require` conditions (requirements.hpp): parsing `FIELD OP VALUE` with the full diagnostic of
// each malformed form, the kind check, and the reasons given for conditions that do not hold, on
// hand-built evaluations with round numbers.
#include <catch2/catch.hpp>

#include <cctype>

#include "gpusize/requirements.hpp"

#include "fixtures.hpp"

using namespace gpusize;

namespace {

std::string parse_error(std::string_view text, int index = 1) {
    try {
        parse_requirement(text, index);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "no error";
}

/// A serving evaluation: 2 GPUs, 60 of 80 GiB used (headroom 25 %), 4 USD/h, 0.5 USD per million
/// output tokens, TTFT 120 ms, TPOT 20 ms, 2000 output tokens/s, 5 requests/s.
Evaluation serving() {
    Evaluation e;
    e.gpu_count = 2;
    e.fits = true;
    e.memory.weights = gib(40);
    e.memory.kv_cache = gib(20);
    e.memory.capacity = gib(80);
    InferenceResult r;
    r.performance.ttft = milliseconds(120);
    r.performance.tpot = milliseconds(20);
    r.performance.output_tokens_per_s = 2000;
    r.performance.requests_per_s = 5;
    e.inference = r;
    e.cost.per_hour = usd_per_hour(4);
    e.cost.usd_per_million_output_tokens = 0.5;
    return e;
}

std::vector<Requirement> parse_all(const std::vector<std::string>& texts) {
    std::vector<Requirement> out;
    for (std::size_t i = 0; i < texts.size(); ++i) out.push_back(parse_requirement(texts[i], static_cast<int>(i + 1)));
    return out;
}

}  // namespace

TEST_CASE("parse_requirement reads field, operator and value, with spaces and percentages") {
    const Requirement r = parse_requirement("usd_per_million_output_tokens<0.5", 1);
    CHECK(r.text == "usd_per_million_output_tokens<0.5");
    CHECK(r.field == "usd_per_million_output_tokens");
    CHECK(r.comparison == Comparison::less);
    CHECK(r.value == 0.5);
    CHECK(r.column == 1);

    // `headroom` is the name for memory_headroom; 15% is the fraction 0.15.
    const Requirement h = parse_requirement("  headroom >= 15% ", 2);
    CHECK(h.text == "headroom >= 15%");
    CHECK(h.field == "memory_headroom");
    CHECK(h.comparison == Comparison::greater_equal);
    CHECK(h.value == Approx(0.15).epsilon(1e-12));
    CHECK(h.index == 2);
    CHECK(h.column == 3);

    CHECK(parse_requirement("gpu_count==8", 1).comparison == Comparison::equal);
    CHECK(parse_requirement("ttft_ms<=500", 1).comparison == Comparison::less_equal);
    CHECK(parse_requirement("mfu>0.4", 1).comparison == Comparison::greater);
    CHECK(parse_requirement("time_to_train_days < 1e2", 1).value == 100);
}

TEST_CASE("parse_requirement names each malformed part in full") {
    CHECK(parse_error("") ==
          "--require:1:1: error: expected a condition FIELD OP VALUE such as 'ttft_ms<500', got ''\n");
    CHECK(parse_error("<0.5", 3) ==
          "--require:3:1: error: expected a condition FIELD OP VALUE such as 'ttft_ms<500', got '<0.5'\n"
          "  <0.5\n"
          "  ^\n");
    CHECK(parse_error("headrom>=15%") ==
          "--require:1:1: error: unknown field 'headrom' in a requirement\n"
          "  headrom>=15%\n"
          "  ^\n"
          "hint: did you mean 'headroom'?\n");
    CHECK(parse_error("usd_per_million_output_token<0.5") ==
          "--require:1:1: error: unknown field 'usd_per_million_output_token' in a requirement\n"
          "  usd_per_million_output_token<0.5\n"
          "  ^\n"
          "hint: did you mean 'usd_per_million_output_tokens'?\n");
    CHECK(parse_error("latency<3") ==
          "--require:1:1: error: unknown field 'latency' in a requirement\n"
          "  latency<3\n"
          "  ^\n"
          "hint: fields are usd_per_hour, gpu_count, memory_headroom, usd_per_million_output_tokens, "
          "usd_per_million_input_tokens, ttft_ms, tpot_ms, output_tokens_per_s, requests_per_s, "
          "usd_per_million_training_tokens, usd_total, tokens_per_s, mfu, time_to_train_days\n");
    CHECK(parse_error("ttft_ms=500") ==
          "--require:1:8: error: expected an operator (<, <=, >, >=, ==) after 'ttft_ms', got '=500'\n"
          "  ttft_ms=500\n"
          "         ^\n"
          "hint: did you mean '=='?\n");
    CHECK(parse_error("ttft_ms") ==
          "--require:1:8: error: expected an operator (<, <=, >, >=, ==) after 'ttft_ms', got nothing\n"
          "  ttft_ms\n"
          "         ^\n");
    CHECK(parse_error("ttft_ms < fast") ==
          "--require:1:11: error: expected a number after '<', got 'fast'\n"
          "  ttft_ms < fast\n"
          "            ^\n");
    CHECK(parse_error("tpot_ms<") ==
          "--require:1:9: error: expected a number after '<', got nothing\n"
          "  tpot_ms<\n"
          "          ^\n");
    CHECK(parse_error("tpot_ms<inf") ==
          "--require:1:9: error: expected a number after '<', got 'inf'\n"
          "  tpot_ms<inf\n"
          "          ^\n");
    CHECK(parse_error("usd_per_hour<5%") ==
          "--require:1:15: error: '%' applies to fractions (memory_headroom, mfu), not to 'usd_per_hour'\n"
          "  usd_per_hour<5%\n"
          "                ^\n");
    CHECK(parse_error("ttft_ms<500ms") ==
          "--require:1:12: error: unexpected 'ms' after the value\n"
          "  ttft_ms<500ms\n"
          "             ^\n");
}

TEST_CASE("check_requirements_apply refuses fields of the other workload kind, all together") {
    CHECK_NOTHROW(check_requirements_apply(parse_all({"ttft_ms<500", "headroom>=10%", "usd_per_hour<9"}), Workload::inference));
    try {
        check_requirements_apply(parse_all({"ttft_ms<500", " mfu>=40%", "usd_per_hour<9", "tokens_per_s>1"}), Workload::inference);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) ==
              "--require:2:2: error: 'mfu' applies to training specs, and this spec is inference\n"
              "   mfu>=40%\n"
              "   ^\n"
              "--require:4:1: error: 'tokens_per_s' applies to training specs, and this spec is inference\n"
              "  tokens_per_s>1\n"
              "  ^\n");
    }
    try {
        check_requirements_apply(parse_all({"ttft_ms<500"}), Workload::training);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) ==
              "--require:1:1: error: 'ttft_ms' applies to inference specs, and this spec is training\n"
              "  ttft_ms<500\n"
              "  ^\n");
    }
}

TEST_CASE("requirement_value reads each field in the unit its name says") {
    const Evaluation e = serving();
    CHECK(*requirement_value("memory_headroom", e) == Approx(0.25));  // 1 - 60/80
    CHECK(*requirement_value("ttft_ms", e) == Approx(120));
    CHECK(*requirement_value("tpot_ms", e) == Approx(20));
    CHECK(*requirement_value("usd_per_hour", e) == 4);
    CHECK(*requirement_value("gpu_count", e) == 2);
    CHECK(*requirement_value("output_tokens_per_s", e) == 2000);
    CHECK(*requirement_value("requests_per_s", e) == 5);
    CHECK(!requirement_value("usd_per_million_input_tokens", e));
    CHECK(!requirement_value("mfu", e));

    Evaluation t;
    TrainingResult r;
    r.performance.mfu = 0.4;
    r.performance.tokens_per_s = 1e6;
    r.performance.time_to_train = seconds(86400 * 3);  // 3 days
    t.training = r;
    t.cost.total = usd(123456);
    CHECK(*requirement_value("mfu", t) == 0.4);
    CHECK(*requirement_value("time_to_train_days", t) == Approx(3));
    CHECK(*requirement_value("usd_total", t) == 123456);
    CHECK(*requirement_value("tokens_per_s", t) == 1e6);
}

TEST_CASE("unmet_requirements gives one reason per condition that does not hold") {
    const Evaluation e = serving();
    CHECK(unmet_requirements(parse_all({"usd_per_million_output_tokens<=0.5", "headroom>=25%", "gpu_count==2", "ttft_ms<500"}), e)
              .empty());
    CHECK(unmet_requirements(parse_all({"usd_per_million_output_tokens<0.5", "headroom>=30%", "output_tokens_per_s>2500",
                                        "usd_per_million_input_tokens<1", "tpot_ms<12.5"}),
                             e) ==
          std::vector<std::string>{
              "requirement 'usd_per_million_output_tokens<0.5' not met: usd_per_million_output_tokens is 0.5",
              "requirement 'headroom>=30%' not met: memory_headroom is 25.0%",
              "requirement 'output_tokens_per_s>2500' not met: output_tokens_per_s is 2000",
              "requirement 'usd_per_million_input_tokens<1' not met: usd_per_million_input_tokens is unknown (no price or no "
              "throughput)",
              "requirement 'tpot_ms<12.5' not met: tpot_ms is 20",
          });
}

TEST_CASE("every requirement field is offered by the completions and documented") {
    // The field table is the vocabulary: the shells complete it, the README and man page list it.
    const std::string bash = test::read_source("completions/gpusize.bash");
    const std::string zsh = test::read_source("completions/_gpusize");
    const std::string fish = test::read_source("completions/gpusize.fish");
    const std::string readme = test::read_source("README.md");
    const std::string man = test::read_source("man/gpusize.1");
    auto has_word = [](const std::string& text, const std::string& word) {
        for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
            const auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
            const bool starts = at == 0 || !is_word(text[at - 1]);
            const bool ends = at + word.size() == text.size() || !is_word(text[at + word.size()]);
            if (starts && ends) return true;
        }
        return false;
    };
    for (const auto& field : requirement_fields()) {
        INFO(field);
        CHECK(has_word(bash, field));
        CHECK(has_word(zsh, field));
        CHECK(has_word(fish, field));
        CHECK(has_word(readme, "`" + field + "`"));
        CHECK(has_word(man, field));
    }
}

TEST_CASE("an unmet requirement shows enough digits to differ from the condition's value") {
    Evaluation e = serving();
    e.cost.usd_per_million_output_tokens = 0.50001;  // 4 significant digits would read "0.5"
    e.memory.kv_cache = Bytes(gib(20).value() + 1000);  // headroom just under 25%
    CHECK(unmet_requirements(parse_all({"usd_per_million_output_tokens<0.5", "headroom>=25%", "gpu_count>2"}), e) ==
          std::vector<std::string>{
              "requirement 'usd_per_million_output_tokens<0.5' not met: usd_per_million_output_tokens is 0.50001",
              "requirement 'headroom>=25%' not met: memory_headroom is 24.999999%",
              "requirement 'gpu_count>2' not met: gpu_count is 2",
          });
}
