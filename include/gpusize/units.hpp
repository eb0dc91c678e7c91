// Strong unit types over double for the quantities gpusize estimates: bytes, FLOPs, seconds, rates
// and money. Only physically meaningful cross-type operations exist (bytes / bandwidth = seconds),
// so a formula that mixes units wrongly does not compile. Raw numbers leave through accessors whose
// names carry the unit; units appear in names only at serialisation boundaries.
#pragma once

#include <compare>

namespace gpusize {

/// A double tagged with its unit. Same-unit arithmetic and scaling by plain numbers only.
template <class Tag>
class Quantity {
public:
    constexpr Quantity() = default;
    constexpr explicit Quantity(double value) : value_(value) {}

    /// The raw value in the base unit (bytes, FLOPs, seconds, bytes/s, FLOP/s, USD/h, USD).
    [[nodiscard]] constexpr double value() const { return value_; }

    constexpr Quantity& operator+=(Quantity other) { value_ += other.value_; return *this; }
    constexpr Quantity& operator-=(Quantity other) { value_ -= other.value_; return *this; }
    friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity(a.value_ + b.value_); }
    friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity(a.value_ - b.value_); }
    friend constexpr Quantity operator*(Quantity a, double k) { return Quantity(a.value_ * k); }
    friend constexpr Quantity operator*(double k, Quantity a) { return Quantity(a.value_ * k); }
    friend constexpr Quantity operator/(Quantity a, double k) { return Quantity(a.value_ / k); }
    /// The dimensionless ratio of two quantities of one unit.
    friend constexpr double operator/(Quantity a, Quantity b) { return a.value_ / b.value_; }
    friend constexpr auto operator<=>(Quantity a, Quantity b) = default;

private:
    double value_ = 0.0;
};

using Bytes = Quantity<struct BytesTag>;
using Flops = Quantity<struct FlopsTag>;
using Seconds = Quantity<struct SecondsTag>;
using BytesPerSecond = Quantity<struct BytesPerSecondTag>;
using FlopsPerSecond = Quantity<struct FlopsPerSecondTag>;
using UsdPerHour = Quantity<struct UsdPerHourTag>;
using Usd = Quantity<struct UsdTag>;

constexpr Seconds operator/(Bytes b, BytesPerSecond r) { return Seconds(b.value() / r.value()); }
constexpr Seconds operator/(Flops f, FlopsPerSecond r) { return Seconds(f.value() / r.value()); }
constexpr Usd operator*(UsdPerHour p, Seconds t) { return Usd(p.value() * t.value() / 3600.0); }
constexpr BytesPerSecond operator/(Bytes b, Seconds t) { return BytesPerSecond(b.value() / t.value()); }
constexpr FlopsPerSecond operator/(Flops f, Seconds t) { return FlopsPerSecond(f.value() / t.value()); }

// Named factories. Decimal prefixes (GB, TB/s, TFLOP/s) as datasheets use them; binary for GiB/MiB.
constexpr Bytes bytes(double n) { return Bytes(n); }
constexpr Bytes kib(double n) { return Bytes(n * 1024.0); }
constexpr Bytes mib(double n) { return Bytes(n * 1024.0 * 1024.0); }
constexpr Bytes gib(double n) { return Bytes(n * 1024.0 * 1024.0 * 1024.0); }
constexpr Bytes gb(double n) { return Bytes(n * 1e9); }
constexpr Flops flops(double n) { return Flops(n); }
constexpr Seconds seconds(double n) { return Seconds(n); }
constexpr Seconds milliseconds(double n) { return Seconds(n / 1e3); }
constexpr Seconds microseconds(double n) { return Seconds(n / 1e6); }
constexpr Seconds hours(double n) { return Seconds(n * 3600.0); }
constexpr BytesPerSecond bytes_per_s(double n) { return BytesPerSecond(n); }
constexpr BytesPerSecond gb_per_s(double n) { return BytesPerSecond(n * 1e9); }
constexpr BytesPerSecond tb_per_s(double n) { return BytesPerSecond(n * 1e12); }
constexpr FlopsPerSecond flops_per_s(double n) { return FlopsPerSecond(n); }
constexpr FlopsPerSecond tflops_per_s(double n) { return FlopsPerSecond(n * 1e12); }
constexpr UsdPerHour usd_per_hour(double n) { return UsdPerHour(n); }
constexpr Usd usd(double n) { return Usd(n); }

// Unit-named accessors for output.
constexpr double to_gib(Bytes b) { return b.value() / (1024.0 * 1024.0 * 1024.0); }
constexpr double to_gb(Bytes b) { return b.value() / 1e9; }
constexpr double to_ms(Seconds s) { return s.value() * 1e3; }
constexpr double to_hours(Seconds s) { return s.value() / 3600.0; }
constexpr double to_tflops(FlopsPerSecond f) { return f.value() / 1e12; }
constexpr double to_gb_per_s(BytesPerSecond b) { return b.value() / 1e9; }

template <class Tag>
constexpr Quantity<Tag> max(Quantity<Tag> a, Quantity<Tag> b) { return a < b ? b : a; }
template <class Tag>
constexpr Quantity<Tag> min(Quantity<Tag> a, Quantity<Tag> b) { return b < a ? b : a; }

}  // namespace gpusize
