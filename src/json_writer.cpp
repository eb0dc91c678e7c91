#include "json_writer.hpp"

#include "yaml_reader.hpp"

#include <fmt/format.h>

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
    for (char c : s) {
        switch (c) {
            case '"': out_ += "\\\""; break;
            case '\\': out_ += "\\\\"; break;
            case '\n': out_ += "\\n"; break;
            case '\r': out_ += "\\r"; break;
            case '\t': out_ += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(c));
                else out_ += c;
        }
    }
}

void JsonWriter::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
}

void JsonWriter::value(std::int64_t n) {
    before_value();
    fmt::format_to(std::back_inserter(out_), "{}", n);
}

void JsonWriter::value(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ += "null";
        return;
    }
    fmt::format_to(std::back_inserter(out_), "{:.6g}", d == 0 ? 0.0 : d);  // -0 as 0
}

void JsonWriter::whole(double d) {
    before_value();
    if (!std::isfinite(d)) {
        out_ += "null";
        return;
    }
    // Rounded in double and printed without a conversion to int64_t, which would wrap above 2^63
    // (a 1e20-byte KV cache is a correct, if absurd, answer).
    fmt::format_to(std::back_inserter(out_), "{:.0f}", std::round(std::max(0.0, d)));
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
