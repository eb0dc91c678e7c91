#include "json_writer.hpp"

#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace gpusize::detail {

void JsonWriter::newline() {
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
}

void JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    first_.push_back(true);
}

void JsonWriter::end_object() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += '}';
}

void JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    first_.push_back(true);
}

void JsonWriter::end_array() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += ']';
}

JsonWriter& JsonWriter::key(std::string_view k) {
    before_value();
    write_string(k);
    out_ += ": ";
    after_key_ = true;
    return *this;
}

void JsonWriter::value(std::string_view s) {
    before_value();
    write_string(s);
}

void JsonWriter::write_string(std::string_view text) {
    out_ += '"';
    // Most strings (every key) are printable ASCII with nothing to escape: one append.
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; })) {
        out_.append(text);
        out_ += '"';
        return;
    }
    // Text that is not UTF-8 (a --catalog path, say) would make the whole document invalid JSON:
    // each byte that starts no character becomes U+FFFD.
    while (!text.empty()) {
        const std::size_t bad = invalid_utf8(text);
        write_escaped(text.substr(0, bad));
        if (bad == std::string_view::npos) break;
        out_ += "\xEF\xBF\xBD";
        text.remove_prefix(bad + 1);
    }
    out_ += '"';
}

void JsonWriter::write_escaped(std::string_view s) {
    // Runs of characters that need no escape are appended whole: most strings are one such run.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
        out_.append(s.substr(run, i - run));
        run = i + 1;
        switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default: fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(c));
        }
    }
    out_.append(s.substr(run));
}

void JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
}

void JsonWriter::value(std::int64_t n) {
    before_value();
    char buffer[24];
    out_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, n).ptr);
}

void JsonWriter::value(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ += "null";
        return;
    }
    // printf's %.6g; std::to_chars is several times faster than fmt 9 here, whose precision
    // formatting falls back to big-integer arithmetic for many values. -0 is written as 0.
    char buffer[32];
    out_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, d == 0 ? 0.0 : d, std::chars_format::general, 6).ptr);
}

void JsonWriter::whole(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ += "null";
        return;
    }
    // Rounded in double and printed without a conversion to int64_t, which would wrap above 2^63
    // (a 1e20-byte KV cache is a correct, if absurd, answer).
    char buffer[320];  // the largest double has 309 digits
    out_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, std::round(std::max(0.0, d)), std::chars_format::fixed, 0).ptr);
}

void JsonWriter::null() {
    before_value();
    out_ += "null";
}

void JsonWriter::strings(const std::vector<std::string>& list) {
    begin_array();
    for (const auto& s : list) value(std::string_view(s));
    end_array();
}

std::string JsonWriter::take() {
    out_ += '\n';
    return std::move(out_);
}

}  // namespace gpusize::detail
