// The HTML report: one self-contained page (inline CSS and SVG, no scripts, no network) with the
// ranked table and three charts: memory per GPU against capacity for the best candidates, cost
// against throughput with the Pareto frontier, and where each phase sits on its GPU's roofline.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "gpusize/number_text.hpp"
#include "gpusize/render.hpp"

namespace gpusize {
namespace {

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string label(const Evaluation& e) {
    return deployment_label(deployment_id(e));
}

struct Part {
    const char* name;
    const char* colour;
    Bytes MemoryBreakdown::*field;
};
constexpr Part parts[] = {{"weights", "#4e79a7", &MemoryBreakdown::weights},         {"kv cache", "#f28e2b", &MemoryBreakdown::kv_cache},
                          {"activations", "#59a14f", &MemoryBreakdown::activations}, {"gradients", "#e15759", &MemoryBreakdown::gradients},
                          {"optimizer", "#b07aa1", &MemoryBreakdown::optimizer},     {"overhead", "#9c755f", &MemoryBreakdown::overhead}};

/// Stacked bars of memory per GPU, one per deployment, with each GPU's capacity marked.
std::string memory_chart(const std::vector<const Evaluation*>& es) {
    const double width = 760, left = 250, row = 26, top = 30;
    double scale = 0;
    for (const auto* e : es) scale = std::max({scale, to_gib(e->memory.total()), to_gib(e->memory.capacity)});
    if (scale <= 0) scale = 1;
    const double plot = width - left - 20, height = top + row * static_cast<double>(es.size()) + 40;
    std::string svg = format_text(R"(<svg id="memory-chart" class="chart" width="{}" height="{}" viewBox="0 0 {} {}">)", width, height,
                                  width, height);
    svg += format_text(R"(<text x="{}" y="18" class="title">Memory per GPU (GiB) against capacity</text>)", left);
    for (std::size_t i = 0; i < es.size(); ++i) {
        const Evaluation& e = *es[i];
        const double y = top + row * static_cast<double>(i);
        svg += format_text(R"(<text x="{}" y="{}" class="label" text-anchor="end">{}</text>)", left - 6, y + 15, escape(label(e)));
        double x = left;
        for (const auto& p : parts) {
            const double w = to_gib(e.memory.*p.field) / scale * plot;
            if (w <= 0) continue;
            svg += format_text(R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="18" fill="{}"><title>{}: {:.2f} GiB</title></rect>)", x,
                               y + 2, w, p.colour, p.name, to_gib(e.memory.*p.field));
            x += w;
        }
        const double cap = left + to_gib(e.memory.capacity) / scale * plot;
        svg += format_text(R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" class="capacity"/>)", cap, y, cap, y + 22);
    }
    double x = 20;  // the legend spans the chart's whole width
    const double ly = height - 16;
    for (const auto& p : parts) {
        svg += format_text(R"(<rect x="{:.0f}" y="{}" width="10" height="10" fill="{}"/><text x="{:.0f}" y="{}" class="label">{}</text>)", x,
                           ly - 9, p.colour, x + 14, ly, p.name);
        x += 100;
    }
    svg += format_text(R"(<line x1="{:.0f}" y1="{}" x2="{:.0f}" y2="{}" class="capacity"/><text x="{:.0f}" y="{}" class="label">capacity</text>)",
                       x, ly - 10, x, ly + 2, x + 6, ly);
    return svg + "</svg>\n";
}

/// Cost per hour against throughput for every candidate; the frontier joins those no other
/// candidate beats on both.
std::string pareto_chart(const std::vector<Evaluation>& cs) {
    std::vector<const Evaluation*> pts;
    for (const auto& e : cs)
        // Log scales: a free deployment (price 0) has no place on them.
        if (e.cost.per_hour && e.cost.per_hour->value() > 0 && e.throughput > 0 && std::isfinite(e.throughput)) pts.push_back(&e);
    const double w = 760, h = 420, l = 70, b = 50, t = 30, r = 20;
    std::string svg = format_text(R"(<svg id="pareto-chart" class="chart" width="{}" height="{}" viewBox="0 0 {} {}">)", w, h, w, h);
    svg += format_text(R"(<text x="{}" y="18" class="title">Cost against throughput (log scales); Pareto frontier in red</text>)", l);
    if (pts.empty()) return svg + R"(<text x="100" y="100" class="label">no candidate with a price above zero</text></svg>)" "\n";
    double x0 = INFINITY, x1 = 0, y0 = INFINITY, y1 = 0;
    for (const auto* e : pts) {
        x0 = std::min(x0, e->throughput), x1 = std::max(x1, e->throughput);
        y0 = std::min(y0, e->cost.per_hour->value()), y1 = std::max(y1, e->cost.per_hour->value());
    }
    const double lx0 = std::log10(x0) - 0.1, lx1 = std::log10(x1) + 0.1, ly0 = std::log10(y0) - 0.1, ly1 = std::log10(y1) + 0.1;
    auto px = [&](double v) { return l + (std::log10(v) - lx0) / (lx1 - lx0) * (w - l - r); };
    auto py = [&](double v) { return h - b - (std::log10(v) - ly0) / (ly1 - ly0) * (h - b - t); };
    svg += format_text(R"(<rect x="{}" y="{}" width="{}" height="{}" class="frame"/>)", l, t, w - l - r, h - b - t);
    for (int k = static_cast<int>(std::ceil(lx0)); k <= static_cast<int>(std::floor(lx1)); ++k)
        svg += format_text(R"(<text x="{:.0f}" y="{}" class="label" text-anchor="middle">{:g}</text>)", px(std::pow(10.0, k)), h - b + 16,
                           std::pow(10.0, k));
    for (int k = static_cast<int>(std::ceil(ly0)); k <= static_cast<int>(std::floor(ly1)); ++k)
        svg += format_text(R"(<text x="{}" y="{:.0f}" class="label" text-anchor="end">{:g}</text>)", l - 6, py(std::pow(10.0, k)) + 4,
                           std::pow(10.0, k));
    svg += format_text(R"(<text x="{}" y="{}" class="label" text-anchor="middle">tokens/s</text>)", (l + w - r) / 2, h - 12);
    svg += format_text(R"svg(<text x="16" y="{}" class="label" transform="rotate(-90 16 {})" text-anchor="middle">USD per hour</text>)svg",
                       (t + h - b) / 2, (t + h - b) / 2);
    // Frontier: by rising cost, keep each point that beats every cheaper one on throughput.
    std::vector<const Evaluation*> sorted = pts;
    std::sort(sorted.begin(), sorted.end(), [](const Evaluation* a, const Evaluation* c) {
        return a->cost.per_hour->value() != c->cost.per_hour->value() ? a->cost.per_hour->value() < c->cost.per_hour->value()
                                                                      : a->throughput > c->throughput;
    });
    std::string frontier;
    double best = 0;
    for (const auto* e : sorted)
        if (e->throughput > best) {
            best = e->throughput;
            frontier += format_text("{:.1f},{:.1f} ", px(e->throughput), py(e->cost.per_hour->value()));
        }
    for (const auto* e : pts)
        svg += format_text(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" class="point"><title>{}: {:.0f} tokens/s, {:.2f} USD/h</title></circle>)",
                           px(e->throughput), py(e->cost.per_hour->value()), escape(label(*e)), e->throughput, e->cost.per_hour->value());
    svg += format_text(R"(<polyline points="{}" class="frontier"/>)", frontier);
    return svg + "</svg>\n";
}

/// Each phase of the best candidate as a point (arithmetic intensity, achieved FLOP/s per GPU)
/// under its GPU's roofline min(peak, bandwidth x intensity).
std::string roofline_chart(const Report& r, const Evaluation& e) {
    struct Point {
        std::string name;
        double intensity, achieved;
    };
    std::vector<Point> pts;
    auto phase = [&](const char* name, const PhaseTime& t) {
        if (t.bytes.value() > 0 && t.total.value() > 0)
            pts.push_back({name, t.flops.value() / t.bytes.value(), t.flops.value() / t.total.value()});
    };
    if (e.inference) {
        phase("prefill", e.inference->performance.prefill);
        phase("decode", e.inference->performance.decode);
    }
    const auto peak = e.device.peak(r.problem.spec.precision.activations);
    const double w = 760, h = 380, l = 80, b = 50, t = 30, rr = 20;
    std::string svg = format_text(R"(<svg id="roofline-chart" class="chart" width="{}" height="{}" viewBox="0 0 {} {}">)", w, h, w, h);
    svg += format_text(R"(<text x="{}" y="18" class="title">Roofline of {} (per GPU, log scales)</text>)", l, escape(e.device.id()));
    if (!peak || pts.empty())
        return svg + R"(<text x="100" y="100" class="label">no roofline: training steps are priced as a whole</text></svg>)" "\n";
    const double bw = e.device.memory_bandwidth().value(), ridge = peak->value() / bw;
    double lo = ridge, hi = ridge;
    for (const auto& p : pts) lo = std::min(lo, p.intensity), hi = std::max(hi, p.intensity);
    const double lx0 = std::log10(lo) - 1, lx1 = std::log10(hi) + 1;
    const double ly1 = std::log10(peak->value()) + 0.3, ly0 = ly1 - 4;
    auto px = [&](double v) { return l + (std::log10(v) - lx0) / (lx1 - lx0) * (w - l - rr); };
    auto py = [&](double v) { return h - b - (std::clamp(std::log10(v), ly0, ly1) - ly0) / (ly1 - ly0) * (h - b - t); };
    svg += format_text(R"(<rect x="{}" y="{}" width="{}" height="{}" class="frame"/>)", l, t, w - l - rr, h - b - t);
    const double a0 = std::pow(10.0, lx0), a1 = std::pow(10.0, lx1);
    svg += format_text(R"(<polyline points="{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}" class="roof"/>)", px(a0), py(bw * a0), px(ridge),
                       py(peak->value()), px(a1), py(peak->value()));
    svg += format_text(R"(<text x="{}" y="{}" class="label" text-anchor="middle">FLOPs per byte</text>)", (l + w - rr) / 2, h - 12);
    svg += format_text(R"(<text x="{}" y="{:.0f}" class="label">peak {:.0f} TFLOP/s</text>)", px(ridge) + 6, py(peak->value()) - 6,
                       to_tflops(*peak));
    for (const auto& p : pts)
        svg += format_text(R"(<circle cx="{:.1f}" cy="{:.1f}" r="6" class="phase"><title>{}: {:.1f} FLOPs/byte, {:.1f} TFLOP/s</title></circle>)"
                           R"(<text x="{:.1f}" y="{:.1f}" class="label">{}</text>)",
                           px(p.intensity), py(p.achieved), p.name, p.intensity, p.achieved / 1e12, px(p.intensity) + 9, py(p.achieved) + 4,
                           p.name);
    return svg + "</svg>\n";
}

}  // namespace

static std::string render_report_html_text(const Report& r, const RenderOptions& o) {
    const auto& s = r.problem.spec;
    const auto& m = r.problem.model;
    std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gpusize report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:nth-child(2), td:nth-child(2) { text-align: left; }
.chart .title { font-weight: 600; font-size: 13px; } .chart .label { font-size: 11px; fill: #333; }
.chart .frame { fill: none; stroke: #bbb; } .chart .capacity { stroke: #000; stroke-width: 2; }
.chart .point { fill: #4e79a7; opacity: 0.7; } .chart .frontier { fill: none; stroke: #e15759; stroke-width: 2; }
.chart .roof { fill: none; stroke: #333; stroke-width: 2; } .chart .phase { fill: #f28e2b; }
.note { color: #666; }
</style></head><body>
)";
    html += format_text("<h1>gpusize {}: {}</h1>\n", r.command, escape(s.name.empty() ? m.name : s.name));
    html += format_text("<p>{} ({:.2f} B parameters, {:.2f} B active; {}); {} in {}</p>\n", escape(m.id), m.parameters.total / 1e9,
                        m.parameters.active / 1e9, to_string(m.source_kind), to_string(s.workload), to_string(s.precision.weights));
    std::vector<const Evaluation*> shown;
    if (r.evaluation) shown.push_back(&*r.evaluation);
    for (std::size_t i = 0; i < std::min(r.candidates.size(), o.top.value_or(10)); ++i) shown.push_back(&r.candidates[i]);
    if (shown.empty()) {
        html += "<p><strong>Nothing fits.</strong></p>\n";
        for (const auto& sug : r.suggestions) html += format_text("<p class=\"note\">{}</p>\n", escape(sug));
        return html + "</body></html>\n";
    }
    const bool inference = s.workload == Workload::inference;
    html += "<h2>Deployments</h2>\n<table><tr><th>rank</th><th>deployment</th><th>GiB/GPU</th>";
    html += inference ? "<th>TTFT ms</th><th>TPOT ms</th><th>tokens/s</th><th>USD/h</th><th>USD/1M out</th></tr>\n"
                      : "<th>step s</th><th>tokens/s/GPU</th><th>MFU</th><th>USD/h</th><th>USD total</th></tr>\n";
    for (const auto* e : shown) {
        html += format_text("<tr><td>{}</td><td>{}</td><td>{:.1f} / {:.1f}</td>", e->rank > 0 ? std::to_string(e->rank) : "-",
                            escape(label(*e)), to_gib(e->memory.total()), to_gib(e->memory.capacity));
        const std::string hour = e->cost.per_hour ? format_text("{:.2f}", e->cost.per_hour->value()) : "-";
        if (e->inference) {
            const auto& p = e->inference->performance;
            html += format_text("<td>{:.1f}</td><td>{:.1f}</td><td>{:.0f}</td><td>{}</td><td>{}</td></tr>\n", to_ms(p.ttft), to_ms(p.tpot),
                                p.output_tokens_per_s, hour,
                                e->cost.usd_per_million_output_tokens ? format_text("{:.3f}", *e->cost.usd_per_million_output_tokens) : "-");
        } else if (e->training) {
            const auto& p = e->training->performance;
            html += format_text("<td>{:.2f}</td><td>{:.0f}</td><td>{:.0f}%</td><td>{}</td><td>{}</td></tr>\n", p.step_time.value(),
                                p.tokens_per_s_per_gpu, p.mfu * 100, hour,
                                e->cost.total ? format_text("{:.0f}", e->cost.total->value()) : "-");
        } else {
            html += "<td colspan=\"5\">-</td></tr>\n";
        }
    }
    html += "</table>\n<h2>Memory</h2>\n" + memory_chart(shown);
    html += "<h2>Cost and throughput</h2>\n" + pareto_chart(r.evaluation ? std::vector<Evaluation>{*r.evaluation} : r.candidates);
    html += "<h2>Roofline</h2>\n" + roofline_chart(r, *shown.front());
    html += "<h2>Assumptions</h2>\n<ul>\n";
    for (const auto& a : r.assumptions)
        html += format_text("<li><code>{}</code>: {} <span class=\"note\">({})</span></li>\n", escape(a.name), escape(a.value), escape(a.source));
    html += "</ul>\n";
    if (!r.unmodelled.empty()) {
        html += "<h2>Not modelled</h2>\n<ul>\n";
        for (const auto& u : r.unmodelled) html += format_text("<li>{}</li>\n", escape(u));
        html += "</ul>\n";
    }
    return html + "</body></html>\n";
}

// Numbers that round to zero print unsigned (format_text, number_text.hpp).
std::string render_report_html(const Report& r, const RenderOptions& o) { return render_report_html_text(r, o); }

}  // namespace gpusize
