// Internal: a streaming JSON writer for the report renderers. Writes straight into a string with
// 2-space indentation and a fixed number format, so large plans (thousands of evaluations) render
// in a few milliseconds and the bytes never depend on the library that built a tree.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpusize::detail {

class JsonWriter {
public:
    /// `expected_bytes`: room to set aside at once, so that a large report is not copied as it grows.
    explicit JsonWriter(std::size_t expected_bytes = 4096);
    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    /// Starts a member of the current object; follow with a value or a begin_*.
    JsonWriter& key(std::string_view k);
    /// A key written in the source (`w.key("ttft_s")`): printable ASCII with nothing to escape,
    /// so it is copied without the check a key from data needs. A report writes tens of
    /// thousands. Only string literals are char arrays here; anything else is a string_view.
    /// Defined here, like the other short writes, so that each call compiles to a few stores.
    template <std::size_t N>
    JsonWriter& key(const char (&k)[N]) {
        char* p = before_value(N + 3);
        *p++ = '"';
        std::memcpy(p, k, N - 1);
        p += N - 1;
        std::memcpy(p, "\": ", 3);
        commit(p + 3);
        after_key_ = true;
        return *this;
    }
    void value(std::string_view s);
    void value(const char* s) { value(std::string_view(s)); }
    void value(bool b) {
        char* p = before_value(5);
        std::memcpy(p, b ? "true" : "false", 5);
        commit(p + (b ? 4 : 5));
    }
    void value(std::int64_t n) {
        char* p = before_value(24);
        commit(std::to_chars(p, p + 24, n).ptr);
    }
    void value(int n) { value(static_cast<std::int64_t>(n)); }
    void value(std::size_t n) { value(static_cast<std::int64_t>(n)); }
    /// Finite doubles at 6 significant digits; NaN and infinities as null.
    void value(double d);
    void null() {
        char* p = before_value(4);
        std::memcpy(p, "null", 4);
        commit(p + 4);
    }
    void value(const std::optional<double>& d) { d ? value(*d) : null(); }
    void strings(const std::vector<std::string>& list);
    /// Integer JSON for counts held in doubles (bytes, tokens), rounded; negative values as 0.
    void whole(double d);
    std::string take();

private:
    /// At least `n` writable bytes at the end of the text; valid until the next call that writes.
    char* room(std::size_t n) {
        if (out_.size() - used_ < n) grow(n);
        return out_.data() + used_;
    }
    void grow(std::size_t n);
    void commit(const char* end) { used_ = static_cast<std::size_t>(end - out_.data()); }
    void append(std::string_view s);
    /// The separator and line break before a value or key, with room for `then` bytes after
    /// them: returns where to write.
    char* before_value(std::size_t then) {
        if (after_key_) {
            after_key_ = false;
            return room(then);
        }
        if (first_.empty()) return room(then);
        const std::size_t depth = 2 * first_.size();
        char* p = room(depth + 18 + then);
        if (!first_.back()) *p++ = ',';
        first_.back() = false;
        *p++ = '\n';
        if (depth <= 16) std::memcpy(p, "                ", 16);  // a fixed-size copy: a few stores
        else std::memset(p, ' ', depth);
        return p + depth;
    }
    void write_string(std::string_view text);
    void write_escaped(std::string_view s);  ///< valid UTF-8, JSON escapes only
    std::string out_;          ///< the text in [0, used_); the rest is room to write into
    std::size_t used_ = 0;
    std::vector<char> first_;  ///< per open container: no member written yet
    bool after_key_ = false;
};

/// `v` (finite) as printf's `%.6g` and std::to_chars(..., general, 6) write it, into `first`
/// (at least 32 bytes); returns the end. Most values take an exact shortcut rather than
/// std::to_chars's general path, which costs several hundred instructions a number.
char* to_chars_g6(char* first, double v);

}  // namespace gpusize::detail

namespace gpusize {
struct Evaluation;
namespace detail {
/// The members naming a deployment (gpu, gpu_count, parallelism, fits, meets_targets), shared by
/// the report and explain renderers so both describe a deployment the same way.
void write_deployment(JsonWriter& w, const Evaluation& e);
}  // namespace detail
}  // namespace gpusize
