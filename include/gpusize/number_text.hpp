// Numbers and counts as text for people, in one place: `format_number` writes a number with a fmt
// spec and never shows a negative zero (a value that rounds to zero has no direction: "0.00", not
// "-0.00"); `format_text` is fmt::format with that rule for every floating-point argument, which
// the table, markdown and HTML renderers use; `plural` says "1 GPU" and "8 GPUs". (JSON writes
// numbers with json_writer's own %.6g, where only an exact zero prints as zero, written as 0.)
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace gpusize {

/// A floating-point fmt argument under format_number's rule (format_text wraps each one).
struct Number {
    double value;
};

/// `v` formatted with the fmt spec `spec` (".2f", ">8.1f", "g"; empty: fmt's shortest), without a
/// sign when the text shows zero. Where the text is padded the sign's place becomes a space, so
/// right-aligned columns stay aligned: format_number(-0.001, ">6.1f") is "   0.0".
std::string format_number(double v, std::string_view spec = {});

/// "1 GPU", "8 GPUs", "0 GPUs": the count and the noun, with an s unless the count is 1.
std::string plural(std::int64_t n, std::string_view noun);

namespace detail {
/// The text of a formatted number without the sign of a zero; other text unchanged.
void drop_negative_zero(fmt::memory_buffer& text);

template <class T>
decltype(auto) text_arg(const T& v) {
    if constexpr (std::is_floating_point_v<T>) return Number{static_cast<double>(v)};
    else return (v);
}
}  // namespace detail

/// fmt::format for text meant for people: each float or double argument is formatted as
/// format_number formats it (the spec is checked at compile time as for fmt::format).
template <class... Args>
std::string format_text(fmt::format_string<Args...> f, Args&&... args) {
    return fmt::vformat(fmt::string_view(f), fmt::make_format_args(detail::text_arg(args)...));
}

}  // namespace gpusize

template <>
struct fmt::formatter<gpusize::Number> : fmt::formatter<double> {
    auto format(gpusize::Number n, format_context& ctx) const -> decltype(ctx.out()) {
        fmt::memory_buffer text;
        format_context inner(fmt::appender(text), ctx.args(), ctx.locale());
        fmt::formatter<double>::format(n.value, inner);
        gpusize::detail::drop_negative_zero(text);
        return std::copy(text.begin(), text.end(), ctx.out());
    }
};
