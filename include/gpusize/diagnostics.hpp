// Diagnostics shared by every parser: a located message, formatting as `origin:line:col: error:`
// with the source line and a caret, "did you mean" suggestions by edit distance, and the error
// types that carry a batch of diagnostics out of the core. The CLI maps each error type to an exit
// code; the core never prints.
#pragma once

#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gpusize {

/// Where something is: an origin name (a file path, `-`, `data/gpus.json`) and a 1-based
/// line and column (0 when unknown). JSON inputs (catalogs, config.json) also name a JSON pointer.
struct SourceLocation {
    std::string origin;
    int line = 0;
    int column = 0;
    std::string pointer;  ///< JSON pointer such as `/gpus/3/memory_bytes`, for JSON inputs
};

struct Diagnostic {
    SourceLocation where;
    std::string message;     ///< lower case, no final period, user text in quotes
    std::string hint;        ///< e.g. "did you mean 'layers'?"; empty when none
    std::string source_line; ///< the offending line, shown with a caret; empty when unknown
};

/// The most diagnostics one error shows; past it a batch ends with `... and N more error(s)`, so a
/// file of a million mistakes is answered at once and in a screenful.
inline constexpr std::size_t max_reported_diagnostics = 50;

/// The most bytes of a source line a diagnostic shows: a longer line is cut to this much around
/// the column, with "..." where it was cut.
inline constexpr std::size_t max_shown_line = 120;

/// `origin:line:col: error: message`, then the source line and a caret, then `hint: ...`. With a
/// JSON pointer: `origin:line:col: error: /pointer: message`, or `origin: error: /pointer: message`
/// when the position is unknown.
std::string format_diagnostic(const Diagnostic& d);
/// The first max_reported_diagnostics of `ds`, then `... and N more error(s)` when `ds` holds more
/// or `more` (problems counted but not kept) is above 0.
std::string format_diagnostics(const std::vector<Diagnostic>& ds, std::size_t more = 0);

/// The candidate closest to `word` by case-insensitive edit distance, if it is close enough to be
/// a plausible typo (distance <= max(1, len/3)).
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean 'x'?" or empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Line `line` (1-based) of `text`, without its newline; empty if out of range.
std::string line_of(std::string_view text, int line);

/// Where each line of a text starts, found once, so that locating many diagnostics in one text
/// costs each only its own line (line_of rescans the text from the start).
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    /// Line `line` (1-based) of `text`, the text this index was built from, as line_of gives it.
    std::string line(std::string_view text, int line) const;

private:
    std::vector<std::size_t> starts_;
};

/// Base of the errors that carry diagnostics; `what()` is the formatted batch.
class DiagnosticError : public std::runtime_error {
public:
    /// `more`: problems found beyond those in `ds` and not kept (DiagnosticSink's cap).
    explicit DiagnosticError(std::vector<Diagnostic> ds, std::size_t more = 0);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
    std::size_t more() const { return more_; }

private:
    std::vector<Diagnostic> diagnostics_;
    std::size_t more_ = 0;
};

/// The workload spec (or a model file it names) is invalid: exit 65.
class SpecError : public DiagnosticError {
    using DiagnosticError::DiagnosticError;
};

/// The GPU catalog or an overlay is invalid: exit 78.
class CatalogError : public DiagnosticError {
    using DiagnosticError::DiagnosticError;
};

/// Usage error from a command-line value that only the core can judge (an unknown GPU id in
/// `--gpu`, a bad `--require`): exit 64.
class UsageError : public DiagnosticError {
    using DiagnosticError::DiagnosticError;
};

/// A UsageError about the command as a whole (located at `gpusize`, no line), with an optional hint.
UsageError usage_error(std::string message, std::string hint = {});

/// Collects diagnostics while a parser walks its input, so all problems are reported together.
class DiagnosticSink {
public:
    DiagnosticSink() = default;
    /// Keeps the first `keep` diagnostics and only counts the rest: a parser of large input passes
    /// max_reported_diagnostics, as more would not be shown and a file of mistakes would otherwise
    /// be held in memory whole.
    explicit DiagnosticSink(std::size_t keep) : keep_(keep) {}
    void error(SourceLocation where, std::string message, std::string hint = {}, std::string source_line = {});
    /// False once the sink keeps no more diagnostics: a caller may skip building one.
    bool wants_more() const { return diagnostics_.size() < keep_; }
    bool empty() const { return diagnostics_.empty(); }
    std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
    /// Problems counted past the cap and not kept.
    std::size_t more() const { return more_; }
    /// Throws E with everything collected, if anything was.
    template <class E>
    void throw_if_any() {
        if (!diagnostics_.empty()) throw E(std::move(diagnostics_), more_);
    }

private:
    std::vector<Diagnostic> diagnostics_;
    std::size_t keep_ = std::numeric_limits<std::size_t>::max();
    std::size_t more_ = 0;
};

}  // namespace gpusize
