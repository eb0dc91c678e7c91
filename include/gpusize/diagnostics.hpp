// Diagnostics shared by every parser: a located message, formatting as `origin:line:col: error:`
// with the source line and a caret, "did you mean" suggestions by edit distance, and the error
// types that carry a batch of diagnostics out of the core. The CLI maps each error type to an exit
// code; the core never prints.
#pragma once

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

/// `origin:line:col: error: message`, then the source line and a caret, then `hint: ...`. With a
/// JSON pointer: `origin:line:col: error: /pointer: message`, or `origin: error: /pointer: message`
/// when the position is unknown.
std::string format_diagnostic(const Diagnostic& d);
std::string format_diagnostics(const std::vector<Diagnostic>& ds);

/// The candidate closest to `word` by case-insensitive edit distance, if it is close enough to be
/// a plausible typo (distance <= max(1, len/3)).
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean 'x'?" or empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Line `line` (1-based) of `text`, without its newline; empty if out of range.
std::string line_of(std::string_view text, int line);

/// Base of the errors that carry diagnostics; `what()` is the formatted batch.
class DiagnosticError : public std::runtime_error {
public:
    explicit DiagnosticError(std::vector<Diagnostic> ds);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
    std::vector<Diagnostic> diagnostics_;
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

/// Collects diagnostics while a parser walks its input, so all problems are reported together.
class DiagnosticSink {
public:
    void error(SourceLocation where, std::string message, std::string hint = {}, std::string source_line = {});
    bool empty() const { return diagnostics_.empty(); }
    std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
    /// Throws E with everything collected, if anything was.
    template <class E>
    void throw_if_any() {
        if (!diagnostics_.empty()) throw E(std::move(diagnostics_));
    }

private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace gpusize
