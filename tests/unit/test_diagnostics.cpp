// Diagnostics (diagnostics.hpp): the three forms of a formatted message (file:line:col, JSON
// pointer, bare origin), the caret under the offending column, the hint line, "did you mean" by
// edit distance, and line extraction.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

#include "gpusize/diagnostics.hpp"

using namespace gpusize;

namespace {

/// The whole optimal-string-alignment table, case-insensitive: what closest_match must agree with.
std::size_t full_distance(const std::string& a, const std::string& b) {
    auto same = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

/// The nearest candidate within max(1, len/3) edits, the first by name among equals.
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t dist = full_distance(word, c);
        if (dist < best_distance || (dist == best_distance && best && c < *best)) best_distance = dist, best = c;
    }
    return best;
}

}  // namespace

TEST_CASE("a located diagnostic shows the line and a caret under the column") {
    const Diagnostic d{{"spec.yaml", 3, 5, {}}, "unknown key 'layres' in 'model'", "did you mean 'layers'?", "  layres: 32"};
    CHECK(format_diagnostic(d) ==
          "spec.yaml:3:5: error: unknown key 'layres' in 'model'\n"
          "    layres: 32\n"
          "      ^\n"
          "hint: did you mean 'layers'?\n");
}

TEST_CASE("column 1 puts the caret at the start of the line") {
    const Diagnostic d{{"s.yaml", 1, 1, {}}, "m", {}, "model: x"};
    CHECK(format_diagnostic(d) == "s.yaml:1:1: error: m\n  model: x\n  ^\n");
}

TEST_CASE("tabs in the line are kept in the caret line so the caret lines up") {
    const Diagnostic d{{"s.yaml", 2, 4, {}}, "m", {}, "\t\tx: 1"};
    CHECK(format_diagnostic(d) == "s.yaml:2:4: error: m\n  \t\tx: 1\n  \t\t ^\n");
}

TEST_CASE("a caret past the end of the line marks the end") {
    const Diagnostic d{{"s.yaml", 1, 6, {}}, "m", {}, "ab"};
    CHECK(format_diagnostic(d) == "s.yaml:1:6: error: m\n  ab\n       ^\n");
}

TEST_CASE("no source line: no caret; no hint: no hint line") {
    const Diagnostic d{{"s.yaml", 4, 2, {}}, "kv_heads 5 must divide attention_heads 32", {}, {}};
    CHECK(format_diagnostic(d) == "s.yaml:4:2: error: kv_heads 5 must divide attention_heads 32\n");
}

TEST_CASE("a JSON pointer diagnostic is an error naming the file, the position when known, and the pointer") {
    const Diagnostic d{{"my-gpus.json", 0, 0, "/gpus/2/memory_bytes"}, "expected a positive number, got -1", {}, {}};
    CHECK(format_diagnostic(d) == "my-gpus.json: error: /gpus/2/memory_bytes: expected a positive number, got -1\n");
    const Diagnostic h{{"g.json", 0, 0, "/gpus/0/tdp"}, "unknown key 'tdp'", "did you mean 'tdp_watts'?", {}};
    CHECK(format_diagnostic(h) == "g.json: error: /gpus/0/tdp: unknown key 'tdp'\nhint: did you mean 'tdp_watts'?\n");
    const Diagnostic l{{"g.json", 4, 23, "/gpus/0/memory_bytes"}, "expected a positive number, got -1", {}, R"(      "memory_bytes": -1,)"};
    CHECK(format_diagnostic(l) == "g.json:4:23: error: /gpus/0/memory_bytes: expected a positive number, got -1\n"
                                  "        \"memory_bytes\": -1,\n"
                                  "                        ^\n");
}

TEST_CASE("a diagnostic without a line names only its origin") {
    const Diagnostic d{{"gpusize", 0, 0, {}}, "unknown GPU 'h100x'", "did you mean 'h100'?", {}};
    CHECK(format_diagnostic(d) == "gpusize: error: unknown GPU 'h100x'\nhint: did you mean 'h100'?\n");
}

TEST_CASE("a batch is formatted in order, and is the error's what()") {
    std::vector<Diagnostic> ds{{{"a", 1, 1, {}}, "first", {}, {}}, {{"a", 2, 1, {}}, "second", {}, {}}};
    CHECK(format_diagnostics(ds) == "a:1:1: error: first\na:2:1: error: second\n");
    const SpecError e(ds);
    CHECK(std::string(e.what()) == format_diagnostics(ds));
    CHECK(e.diagnostics().size() == 2);
}

TEST_CASE("the sink collects and throws the chosen error type only when it has something") {
    DiagnosticSink sink;
    CHECK(sink.empty());
    CHECK_NOTHROW(sink.throw_if_any<CatalogError>());
    sink.error({"c.json", 0, 0, "/x"}, "bad");
    sink.error({"c.json", 0, 0, "/y"}, "worse");
    CHECK_FALSE(sink.empty());
    try {
        sink.throw_if_any<CatalogError>();
        FAIL("did not throw");
    } catch (const CatalogError& e) {
        CHECK(e.diagnostics().size() == 2);
        CHECK(std::string(e.what()) == "c.json: error: /x: bad\nc.json: error: /y: worse\n");
    }
}

TEST_CASE("closest_match finds one typo and ignores case") {
    const std::vector<std::string> keys{"layers", "hidden_size", "attention_heads", "kv_heads"};
    CHECK(closest_match("layres", keys) == "layers");       // a transposition costs 1
    CHECK(closest_match("hiden_size", keys) == "hidden_size");
    CHECK(closest_match("LAYERS", keys) == "layers");
    CHECK(closest_match("kv_head", keys) == "kv_heads");
}

TEST_CASE("closest_match refuses candidates too far to be a typo") {
    const std::vector<std::string> keys{"layers", "hidden_size"};
    CHECK_FALSE(closest_match("hardware", keys));
    // Short words allow one edit: "ab" -> "abc" yes, "ab" -> "xyz" no.
    CHECK(closest_match("ab", {"abc"}) == "abc");
    CHECK_FALSE(closest_match("ab", {"xyz"}));
    // The limit is max(1, len/3): 9 letters allow 3 edits, not 4.
    CHECK(closest_match("abcdefghi", {"abcdefxyz"}) == "abcdefxyz");
    CHECK_FALSE(closest_match("abcdefghi", {"abcdewxyz"}));
}

TEST_CASE("closest_match agrees with the whole distance table on words near and far from the keys") {
    const std::vector<std::string> keys{"prefill_compute_efficiency", "decode_memory_efficiency", "matmul_fraction",
                                        "comm_overlap", "int4_group_size", "ttft_ms", "tpot_ms", "tp", "pp", "bf16", "bf61x",
                                        "kv_cache", "kv_cache_bytes", "layers", "lAyers"};
    std::mt19937 random(12);
    const std::string letters = "abcdefghijklmnopqrstuvwxyz_AB0";
    for (int n = 0; n < 3000; ++n) {
        // A key with up to 12 random edits: within the limit, at it, and past it.
        std::string word = keys[random() % keys.size()];
        const int edits = static_cast<int>(random() % 13);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = word.empty() ? 0 : random() % (word.size() + 1);
            const char letter = letters[random() % letters.size()];
            switch (random() % 4) {
                case 0: word.insert(at, 1, letter); break;
                case 1: if (at < word.size()) word.erase(at, 1); break;
                case 2: if (at < word.size()) word[at] = letter; break;
                default: if (at + 1 < word.size()) std::swap(word[at], word[at + 1]);
            }
        }
        if (word.empty()) continue;
        INFO(word);
        CHECK(closest_match(word, keys) == nearest(word, keys));
    }
}

TEST_CASE("a key of a megabyte finds no match at once, not after a billion table entries") {
    // Every candidate is more than a third of the word's length away: nothing to compute.
    std::vector<std::string> keys;
    for (int i = 0; i < 40; ++i) keys.push_back("calibration_constant_" + std::to_string(i));
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(closest_match(std::string(1 << 20, 'x'), keys));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
}

TEST_CASE("closest_match edge cases") {
    CHECK_FALSE(closest_match("x", {}));
    CHECK_FALSE(closest_match("", {"a"}));  // nothing written, nothing to correct
    CHECK(closest_match("bf61", {"fp32", "bf16", "fp16"}) == "bf16");
    // Ties go to the alphabetically first candidate, whatever the order given.
    CHECK(closest_match("ab", {"b", "a"}) == "a");
    CHECK(closest_match("ab", {"a", "b"}) == "a");
    // An exact match (in another case) is its own suggestion.
    CHECK(closest_match("vllm", {"vllm", "vlm"}) == "vllm");
}

TEST_CASE("did_you_mean wraps the match or gives nothing") {
    CHECK(did_you_mean("vlm", {"vllm", "trtllm", "sglang", "generic"}) == "did you mean 'vllm'?");
    CHECK(did_you_mean("zzzzzz", {"vllm"}).empty());
}

TEST_CASE("line_of returns one line without its newline") {
    const std::string text = "first\r\nsecond\n\nfourth";
    CHECK(line_of(text, 1) == "first");
    CHECK(line_of(text, 2) == "second");
    CHECK(line_of(text, 3).empty());
    CHECK(line_of(text, 4) == "fourth");
    CHECK(line_of(text, 5).empty());
    CHECK(line_of(text, 0).empty());
    CHECK(line_of(text, -3).empty());
    CHECK(line_of("", 1).empty());
}

TEST_CASE("LineIndex gives the lines line_of gives, for every line") {
    const std::string text = "first\r\nsecond\n\nfourth";
    const LineIndex lines(text);
    for (int i = -1; i <= 6; ++i) CHECK(lines.line(text, i) == line_of(text, i));
    CHECK(lines.line(text, 4) == "fourth");
    const std::string ends_in_newline = "a\nb\n";
    const LineIndex two(ends_in_newline);
    CHECK(two.line(ends_in_newline, 2) == "b");
    CHECK(two.line(ends_in_newline, 3).empty());
    CHECK(two.line(ends_in_newline, 4).empty());
}

TEST_CASE("a batch shows at most 50 diagnostics, then how many more there are") {
    std::vector<Diagnostic> ds;
    for (int i = 1; i <= 53; ++i) ds.push_back({{"a", i, 1, {}}, "e" + std::to_string(i), {}, {}});
    const std::string text = format_diagnostics(ds);
    CHECK(text.rfind("a:1:1: error: e1\n", 0) == 0);
    const std::string tail = "a:50:1: error: e50\n... and 3 more error(s)\n";
    REQUIRE(text.size() > tail.size());
    CHECK(text.substr(text.size() - tail.size()) == tail);
    CHECK(text.find("e51") == std::string::npos);
    // Problems counted but not kept are added to those not shown.
    CHECK(format_diagnostics({ds[0]}, 7) == "a:1:1: error: e1\n... and 7 more error(s)\n");
    CHECK(format_diagnostics({ds[0]}) == "a:1:1: error: e1\n");
}

TEST_CASE("a sink told to keep 50 diagnostics counts the rest, and the error says so") {
    DiagnosticSink sink(max_reported_diagnostics);
    for (int i = 1; i <= 10'000; ++i) sink.error({"s.yaml", i, 1, {}}, "unknown key", {}, "k: 1");
    CHECK(sink.diagnostics().size() == 50);
    CHECK(sink.more() == 9'950);
    CHECK_FALSE(sink.wants_more());
    try {
        sink.throw_if_any<SpecError>();
        FAIL("did not throw");
    } catch (const SpecError& e) {
        CHECK(e.more() == 9'950);
        const std::string what = e.what();
        CHECK(what.substr(what.size() - 27) == "... and 9950 more error(s)\n");
    }
}

TEST_CASE("a long source line is shown around the column, cut at characters") {
    // 300 'a's with a two-byte 'é' at bytes 100-101; the caret at byte 200 (column 201).
    std::string line(300, 'a');
    line.replace(100, 2, "\xc3\xa9");
    const Diagnostic d{{"s.yaml", 1, 201, {}}, "m", {}, line};
    // The window is 120 bytes from byte 140: "..." + bytes 140-259 + "..."; the caret sits 60 bytes
    // into it, after the three dots.
    CHECK(format_diagnostic(d) == "s.yaml:1:201: error: m\n  ..." + line.substr(140, 120) + "...\n  " + std::string(63, ' ') + "^\n");
    // A window that would start inside 'é' starts after it.
    const Diagnostic e{{"s.yaml", 1, 162, {}}, "m", {}, line};
    CHECK(format_diagnostic(e) == "s.yaml:1:162: error: m\n  ..." + line.substr(102, 120) + "...\n  " + std::string(62, ' ') + "^\n");
    // A line of 120 bytes is shown whole.
    const Diagnostic f{{"s.yaml", 1, 3, {}}, "m", {}, std::string(120, 'b')};
    CHECK(format_diagnostic(f) == "s.yaml:1:3: error: m\n  " + std::string(120, 'b') + "\n    ^\n");
}

TEST_CASE("a sink keeps every diagnostic by default; the error still shows 50 and counts the rest") {
    DiagnosticSink sink;
    for (int i = 1; i <= 60; ++i) sink.error({"c.json", 0, 0, "/gpus/" + std::to_string(i)}, "bad");
    CHECK(sink.diagnostics().size() == 60);
    CHECK(sink.more() == 0);
    try {
        sink.throw_if_any<CatalogError>();
        FAIL("did not throw");
    } catch (const CatalogError& e) {
        const std::string what = e.what();
        CHECK(what.find("c.json: error: /gpus/50: bad\n... and 10 more error(s)\n") != std::string::npos);
        CHECK(what.find("/gpus/51:") == std::string::npos);
    }
}
