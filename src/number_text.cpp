#include "gpusize/number_text.hpp"

#include <algorithm>
#include <cctype>

namespace gpusize {

namespace detail {

void drop_negative_zero(fmt::memory_buffer& text) {
    const auto begin = text.begin(), end = text.end();
    const auto sign = std::find(begin, end, '-');
    if (sign == end) return;
    // Zero when every digit before an exponent is 0: "-0", "-0.00", "-0e+00", "-0%" (nan and inf
    // have no digits and keep their text).
    bool digit = false;
    for (auto it = sign + 1; it != end && *it != 'e' && *it != 'E'; ++it) {
        if (!std::isdigit(static_cast<unsigned char>(*it))) continue;
        if (*it != '0') return;
        digit = true;
    }
    if (!digit) return;
    if (sign != begin && *(sign - 1) == ' ') {
        *sign = ' ';  // right-aligned: the padding grows by one
        return;
    }
    const bool padded_right = end - sign > 1 && *(end - 1) == ' ';
    std::copy(sign + 1, end, sign);
    if (padded_right) *(end - 1) = ' ';  // left-aligned: the padding grows by one
    else text.resize(text.size() - 1);
}

}  // namespace detail

std::string format_number(double v, std::string_view spec) {
    return fmt::format(fmt::runtime(fmt::format("{{:{}}}", spec)), Number{v});
}

std::string plural(std::int64_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

}  // namespace gpusize
