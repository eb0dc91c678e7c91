#include "json_writer.hpp"

#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace gpusize::detail {

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

/// Whether a byte of `x` is zero (exact as a yes or no; the flagged byte may be off).
constexpr std::uint64_t has_zero_byte(std::uint64_t x) { return (x - ones) & ~x & highs; }

/// Whether all eight bytes of `x` are printable ASCII other than '"' and '\\'.
constexpr bool plain8(std::uint64_t x) {
    const std::uint64_t control = (x - 0x20 * ones) & ~x & highs;  // a byte below 0x20
    const std::uint64_t high = x & highs;                          // 0x80 and above
    return (control | high | has_zero_byte(x ^ (0x7f * ones)) | has_zero_byte(x ^ ('"' * ones)) |
            has_zero_byte(x ^ ('\\' * ones))) == 0;
}

/// Keys and most values: printable ASCII with nothing to escape, copied as they are. Eight bytes
/// at a time: the test runs over every key of a report of megabytes.
bool plain(std::string_view s) {
    if (s.size() < 8) {
        for (const char c : s)
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
        return true;
    }
    std::uint64_t x;
    for (std::size_t i = 0; i + 8 < s.size(); i += 8) {
        std::memcpy(&x, s.data() + i, 8);
        if (!plain8(x)) return false;
    }
    std::memcpy(&x, s.data() + s.size() - 8, 8);  // the last eight, overlapping the chunk before
    return plain8(x);
}

/// Indentation is copied from here: a fixed-size copy is a few stores, not a call.
constexpr char spaces[17] = "                ";

/// Writes `n` spaces at `p` (which has room for at least 16) and returns the end.
char* indent(char* p, std::size_t n) {
    if (n <= 16) std::memcpy(p, spaces, 16);
    else std::memset(p, ' ', n);
    return p + n;
}

/// Powers of ten a double holds exactly.
constexpr double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace

char* to_chars_g6(char* first, double v) {
    // The six significant digits as an integer n in [100000, 999999] and the decimal exponent x
    // of the rounded value (v ~ n * 10^(x - 5)), from one multiplication or division by an exact
    // power of ten: s = |v| * 10^(5 - x) then carries at most half an ulp (< 1e-10 below 1e6) of
    // error, so rounding s gives the digits printf gives unless s is that close to a tie, where
    // std::to_chars decides from the exact binary value.
    const double a = std::fabs(v);
    if (!(a >= 1e-16 && a < 1e26)) return std::to_chars(first, first + 32, v, std::chars_format::general, 6).ptr;
    // log10(a) from the binary exponent (1233 / 4096 ~ log10 2), off by at most one: the loop
    // below corrects it. Cheaper than std::log10 and std::floor, which are calls on x86-64.
    std::uint64_t bits;
    std::memcpy(&bits, &a, sizeof bits);
    const int binary_exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    int x = binary_exponent >= 0 ? (binary_exponent * 1233) >> 12 : -((-binary_exponent * 1233 + 4095) >> 12);
    std::int64_t n = 0;
    for (int tries = 0;; ++tries) {
        const int k = 5 - x;
        if (tries == 3 || k > 22 || k < -22) return std::to_chars(first, first + 32, v, std::chars_format::general, 6).ptr;
        const double s = k >= 0 ? a * exact_powers_of_ten[k] : a / exact_powers_of_ten[-k];
        // Near a tie (99999.5 and 999999.5 among them) the exact value decides, also how many
        // digits there are.
        const auto whole = static_cast<std::int64_t>(s);  // s > 0: truncation is floor
        const double fraction = s - static_cast<double>(whole);
        if (std::fabs(fraction - 0.5) < 1e-7) return std::to_chars(first, first + 32, v, std::chars_format::general, 6).ptr;
        if (s >= 999999.5) ++x;        // seven digits, or six that round up to 1000000
        else if (s < 99999.5) --x;     // five digits
        else {
            n = fraction > 0.5 ? whole + 1 : whole;
            break;
        }
    }
    char digits[6];
    auto rest = static_cast<std::uint32_t>(n);
    for (int i = 5; i >= 0; --i, rest /= 10) digits[i] = static_cast<char>('0' + rest % 10);
    int kept = 6;  // significant digits left once trailing zeros go
    while (kept > 1 && digits[kept - 1] == '0') --kept;
    char* p = first;
    if (v < 0) *p++ = '-';
    if (x < -4 || x >= 6) {
        *p++ = digits[0];
        if (kept > 1) {
            *p++ = '.';
            std::memcpy(p, digits + 1, static_cast<std::size_t>(kept - 1));
            p += kept - 1;
        }
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        const int e = std::abs(x);
        if (e >= 100) *p++ = static_cast<char>('0' + e / 100);
        *p++ = static_cast<char>('0' + e / 10 % 10);
        *p++ = static_cast<char>('0' + e % 10);
    } else if (x >= 0) {
        std::memcpy(p, digits, static_cast<std::size_t>(x + 1));
        p += x + 1;
        if (kept > x + 1) {
            *p++ = '.';
            std::memcpy(p, digits + x + 1, static_cast<std::size_t>(kept - x - 1));
            p += kept - x - 1;
        }
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > x; --i) *p++ = '0';
        std::memcpy(p, digits, static_cast<std::size_t>(kept));
        p += kept;
    }
    return p;
}

JsonWriter::JsonWriter(std::size_t expected_bytes) { out_.reserve(expected_bytes); }

void JsonWriter::grow(std::size_t n) {
    // The text is zero-filled a chunk at a time as it is written, not all of the reserve at once.
    const std::size_t size = std::max(used_ + n, out_.size() + 65536);
    if (size > out_.capacity()) out_.reserve(std::max(size, 2 * out_.capacity()));
    out_.resize(size);
}

void JsonWriter::append(std::string_view s) {
    char* p = room(s.size());
    std::memcpy(p, s.data(), s.size());
    used_ += s.size();
}

void JsonWriter::begin_object() {
    char* p = before_value(1);
    *p++ = '{';
    commit(p);
    first_.push_back(true);
}

void JsonWriter::end_object() {
    const bool empty = first_.back();
    first_.pop_back();
    const std::size_t depth = 2 * first_.size();
    char* p = room(depth + 18);
    if (!empty) {
        *p++ = '\n';
        p = indent(p, depth);
    }
    *p++ = '}';
    commit(p);
}

void JsonWriter::begin_array() {
    char* p = before_value(1);
    *p++ = '[';
    commit(p);
    first_.push_back(true);
}

void JsonWriter::end_array() {
    const bool empty = first_.back();
    first_.pop_back();
    const std::size_t depth = 2 * first_.size();
    char* p = room(depth + 18);
    if (!empty) {
        *p++ = '\n';
        p = indent(p, depth);
    }
    *p++ = ']';
    commit(p);
}

JsonWriter& JsonWriter::key(std::string_view k) {
    char* p = before_value(k.size() + 4);
    if (plain(k)) {
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        *p++ = ' ';
        commit(p);
    } else {
        commit(p);
        write_string(k);
        append(": ");
    }
    after_key_ = true;
    return *this;
}

void JsonWriter::value(std::string_view s) {
    commit(before_value(0));
    write_string(s);
}

void JsonWriter::write_string(std::string_view text) {
    // Most strings (every key) are printable ASCII with nothing to escape: one copy.
    if (plain(text)) {
        char* p = room(text.size() + 2);
        *p++ = '"';
        std::memcpy(p, text.data(), text.size());
        p += text.size();
        *p++ = '"';
        commit(p);
        return;
    }
    append("\"");
    // Text that is not UTF-8 (a --catalog path, say) would make the whole document invalid JSON:
    // each byte that starts no character becomes U+FFFD.
    while (!text.empty()) {
        const std::size_t bad = invalid_utf8(text);
        write_escaped(text.substr(0, bad));
        if (bad == std::string_view::npos) break;
        append("\xEF\xBF\xBD");
        text.remove_prefix(bad + 1);
    }
    append("\"");
}

void JsonWriter::write_escaped(std::string_view s) {
    // Runs of characters that need no escape are appended whole: most strings are one such run.
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
        append(s.substr(run, i - run));
        run = i + 1;
        switch (c) {
            case '"': append("\\\""); break;
            case '\\': append("\\\\"); break;
            case '\n': append("\\n"); break;
            case '\r': append("\\r"); break;
            case '\t': append("\\t"); break;
            default: append(fmt::format("\\u{:04x}", static_cast<unsigned>(c)));
        }
    }
    append(s.substr(run));
}

void JsonWriter::value(double d) {
    char* p = before_value(32);
    if (!std::isfinite(d)) {
        std::memcpy(p, "null", 4);
        commit(p + 4);
        return;
    }
    // printf's %.6g. -0 is written as 0.
    commit(to_chars_g6(p, d == 0 ? 0.0 : d));
}

void JsonWriter::whole(double d) {
    char* p = before_value(320);  // the largest double has 309 digits
    if (!std::isfinite(d)) {
        std::memcpy(p, "null", 4);
        commit(p + 4);
        return;
    }
    // Rounded in double and printed without a conversion to int64_t where it would wrap above
    // 2^63 (a 1e20-byte KV cache is a correct, if absurd, answer). Below that the integer holds
    // the rounded double exactly, and prints the same digits faster.
    const double r = std::round(std::max(0.0, d));
    if (r < 9e18) commit(std::to_chars(p, p + 320, static_cast<std::int64_t>(r)).ptr);
    else commit(std::to_chars(p, p + 320, r, std::chars_format::fixed, 0).ptr);
}

void JsonWriter::strings(const std::vector<std::string>& list) {
    begin_array();
    for (const auto& s : list) value(std::string_view(s));
    end_array();
}

std::string JsonWriter::take() {
    out_.resize(used_);
    out_ += '\n';
    used_ = 0;
    return std::move(out_);
}

}  // namespace gpusize::detail
