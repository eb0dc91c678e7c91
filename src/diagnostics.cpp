#include "gpusize/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace gpusize {
namespace {

bool same_letter(char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
}

/// Case-insensitive optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent letters ("bf61" -> "bf16") each cost 1. Exact up to `bound`; above
/// it, some number above `bound`. A word is compared with every key a section accepts, and a
/// hostile or fuzzed key can be thousands of characters long, so the table is not filled where
/// the answer is already known to pass the bound: a length difference is a lower bound on the
/// distance, and once two consecutive rows all pass the bound no later row can come back under it
/// (each entry is at least the least of the row above, or of the row before that plus one).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t bound) {
    if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > bound) return bound + 1;
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    std::size_t least_prev = 0;  // the least entry of `prev` (row 0: 0)
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        std::size_t least = row[0];
        for (std::size_t j = 1; j <= b.size(); ++j) {
            row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (same_letter(a[i - 1], b[j - 1]) ? 0 : 1)});
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) && same_letter(a[i - 2], b[j - 1]))
                row[j] = std::min(row[j], before[j - 2] + 1);
            least = std::min(least, row[j]);
        }
        if (least > bound && least_prev > bound) return bound + 1;
        least_prev = least;
        before.swap(prev);
        prev.swap(row);
    }
    return prev[b.size()];
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
    std::string out;
    if (!d.where.pointer.empty() && d.where.line > 0) {
        out = fmt::format("{}:{}:{}: error: {}: {}\n", d.where.origin, d.where.line, d.where.column, d.where.pointer, d.message);
    } else if (!d.where.pointer.empty()) {
        out = fmt::format("{}: error: {}: {}\n", d.where.origin, d.where.pointer, d.message);
    } else if (d.where.line > 0) {
        out = fmt::format("{}:{}:{}: error: {}\n", d.where.origin, d.where.line, d.where.column, d.message);
    } else {
        out = fmt::format("{}: error: {}\n", d.where.origin, d.message);
    }
    if (!d.source_line.empty()) {
        // A long line (a minified spec, a deep nest) is shown around the column, cut at characters.
        std::string_view line = d.source_line;
        std::size_t column = static_cast<std::size_t>(std::max(0, d.where.column - 1));
        std::string before, after;
        if (line.size() > max_shown_line) {
            auto boundary = [&](std::size_t i) {
                while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xc0) == 0x80) ++i;
                return std::min(i, line.size());
            };
            const std::size_t start = boundary(column > max_shown_line / 2 ? column - max_shown_line / 2 : 0);
            const std::size_t end = boundary(start + max_shown_line);
            if (start > 0) before = "...";
            if (end < line.size()) after = "...";
            column = column - std::min(column, start) + before.size();
            line = line.substr(start, end - start);
        }
        out += fmt::format("  {}{}{}\n", before, line, after);
        std::string caret(column, ' ');
        // Keep tabs so the caret lines up under the offending column.
        for (std::size_t i = before.size(); i < caret.size() && i - before.size() < line.size(); ++i)
            if (line[i - before.size()] == '\t') caret[i] = '\t';
        out += fmt::format("  {}^\n", caret);
    }
    if (!d.hint.empty()) out += fmt::format("hint: {}\n", d.hint);
    return out;
}

std::string format_diagnostics(const std::vector<Diagnostic>& ds, std::size_t more) {
    std::string out;
    const std::size_t shown = std::min(ds.size(), max_reported_diagnostics);
    for (std::size_t i = 0; i < shown; ++i) out += format_diagnostic(ds[i]);
    if (const std::size_t rest = ds.size() - shown + more; rest > 0) out += fmt::format("... and {} more error(s)\n", rest);
    return out;
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    if (word.empty()) return std::nullopt;
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        // Only a distance up to the best so far matters (equal ones break ties by name).
        const std::size_t dist = edit_distance(word, c, best_distance);
        if (dist < best_distance || (dist == best_distance && best && c < *best)) {
            best_distance = dist;
            best = c;
        }
    }
    return best;
}

UsageError usage_error(std::string message, std::string hint) {
    return UsageError({Diagnostic{{"gpusize", 0, 0, {}}, std::move(message), std::move(hint), {}}});
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto m = closest_match(word, candidates);
    return m ? fmt::format("did you mean '{}'?", *m) : std::string{};
}

std::string line_of(std::string_view text, int line) {
    if (line < 1) return {};
    std::size_t start = 0;
    for (int i = 1; i < line; ++i) {
        start = text.find('\n', start);
        if (start == std::string_view::npos) return {};
        ++start;
    }
    std::size_t end = text.find('\n', start);
    std::string out(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return out;
}

LineIndex::LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (std::size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1)) starts_.push_back(i + 1);
}

std::string LineIndex::line(std::string_view text, int line) const {
    if (line < 1 || static_cast<std::size_t>(line) > starts_.size()) return {};
    const std::size_t start = starts_[static_cast<std::size_t>(line) - 1];
    if (start > text.size()) return {};
    const std::size_t end = text.find('\n', start);
    std::string out(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return out;
}

DiagnosticError::DiagnosticError(std::vector<Diagnostic> ds, std::size_t more)
    : std::runtime_error(format_diagnostics(ds, more)), diagnostics_(std::move(ds)), more_(more) {}

void DiagnosticSink::error(SourceLocation where, std::string message, std::string hint, std::string source_line) {
    if (!wants_more()) {
        ++more_;
        return;
    }
    diagnostics_.push_back(Diagnostic{std::move(where), std::move(message), std::move(hint), std::move(source_line)});
}

}  // namespace gpusize
