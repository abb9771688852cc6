//! Inline SVG charts: a line chart over days, a horizontal bar chart over groups and an x-y chart
//! of an outcome against a parameter (means with interval bars, or scattered runs).
//!
//! Charts are plain strings of SVG with fixed-size view boxes, no scripts and no external
//! references, so a report opens anywhere without a network. Every chart carries an `id`, every
//! line a `data-series` attribute, so tests (and readers of the HTML) can find them.
//! Values that are not finite (NaN, infinities) are never drawn: a line breaks around them and a
//! bar is left out and marked "n/a".

use std::fmt::Write;

/// Colours from the Okabe-Ito palette (readable by people with colour-vision deficiencies).
const PALETTE: [&str; 7] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/// The colour of palette entry `i` (wrapping around).
pub(crate) fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Legend text.
    pub label: String,
    /// One value per x position.
    pub values: Vec<f64>,
    /// Palette index.
    pub color: usize,
    /// Drawn dashed (the counterfactual of a comparison).
    pub dashed: bool,
}

/// A line chart: several lines over a common x axis.
#[derive(Debug, Clone)]
pub(crate) struct LineChart {
    /// Element id of the `<svg>`.
    pub id: String,
    /// Title, drawn inside the chart (and as its accessible name).
    pub title: String,
    /// Text of the y axis (the unit).
    pub y_label: String,
    /// The x positions (days), shared by every line.
    pub x: Vec<f64>,
    /// The lines.
    pub lines: Vec<Line>,
    /// The horizon: the x axis ends here (not at the next round number) when given.
    pub x_end: Option<f64>,
    /// Day 0 as days since 1970-01-01, when the scenario has a start date: the x axis is then
    /// labelled with dates.
    pub start: Option<i64>,
    /// A small multiple: a shorter plot.
    pub small: bool,
}

/// One series of bars (one bar per category).
#[derive(Debug, Clone)]
pub(crate) struct Bars {
    /// Legend text.
    pub label: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Palette index.
    pub color: usize,
}

/// A horizontal bar chart: categories down the side, one bar per series in each category.
#[derive(Debug, Clone)]
pub(crate) struct BarChart {
    /// Element id of the `<svg>`.
    pub id: String,
    /// Title, drawn inside the chart (and as its accessible name).
    pub title: String,
    /// Text of the value axis (the unit).
    pub value_label: String,
    /// Category names.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Bars>,
}

/// How an x-y series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XyStyle {
    /// Means joined by a line, each with its interval as a vertical bar.
    Means,
    /// Separate dots (one per run).
    Scatter,
    /// A dashed line without markers (a binned mean).
    Trend,
}

/// One series of an x-y chart.
#[derive(Debug, Clone)]
pub(crate) struct XySeries {
    /// Legend text.
    pub label: String,
    /// Palette index.
    pub color: usize,
    pub style: XyStyle,
    /// (x, y) pairs, in the order they are joined.
    pub points: Vec<(f64, f64)>,
    /// For [`XyStyle::Means`]: the (low, high) interval of each point; empty for none.
    pub intervals: Vec<(f64, f64)>,
}

/// An x-y chart: series over a numeric x axis of their own.
#[derive(Debug, Clone)]
pub(crate) struct XyChart {
    /// Element id of the `<svg>`.
    pub id: String,
    /// Title, drawn inside the chart (and as its accessible name).
    pub title: String,
    /// Text of the x axis.
    pub x_label: String,
    /// Text of the y axis.
    pub y_label: String,
    /// The series.
    pub series: Vec<XySeries>,
}

const WIDTH: f64 = 760.0;
const LINE_PLOT_HEIGHT: f64 = 240.0;
const MARGIN_LEFT: f64 = 64.0;
const MARGIN_RIGHT: f64 = 16.0;
const TITLE_HEIGHT: f64 = 28.0;
const AXIS_HEIGHT: f64 = 36.0;
const LEGEND_ROW: f64 = 18.0;
const LEGEND_COLUMNS: usize = 3;
/// Width of a character of legend text (11px sans-serif, generously).
const CHAR_WIDTH: f64 = 6.6;
/// Room for a legend's swatch and the gap after its text.
const LEGEND_SWATCH: f64 = 28.0 + 16.0;

/// How many legend entries fit side by side without their texts overlapping: at most
/// [`LEGEND_COLUMNS`], fewer for long labels.
pub(crate) fn legend_columns<'a>(labels: impl Iterator<Item = &'a str>, width: f64) -> usize {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let entry = longest * CHAR_WIDTH + LEGEND_SWATCH;
    ((width / entry).floor() as usize).clamp(1, LEGEND_COLUMNS)
}

/// Renders a line chart.
pub(crate) fn line_chart(chart: &LineChart) -> String {
    let columns = legend_columns(chart.lines.iter().map(|l| l.label.as_str()), WIDTH - MARGIN_LEFT);
    let legend_rows = chart.lines.len().div_ceil(columns);
    let plot_top = TITLE_HEIGHT;
    let plot_height = if chart.small { LINE_PLOT_HEIGHT / 2.0 } else { LINE_PLOT_HEIGHT };
    let plot_bottom = plot_top + plot_height;
    let height = plot_bottom + AXIS_HEIGHT + legend_rows as f64 * LEGEND_ROW + 6.0;
    let mut svg = open_svg(&chart.id, &chart.title, WIDTH, height);

    let x_extent = extent(chart.x.iter().copied());
    let y_extent = extent(chart.lines.iter().flat_map(|l| l.values.iter().copied()));
    let (Some((x0, x1)), Some((y0, y1))) = (x_extent, y_extent) else {
        no_data(&mut svg, plot_top, plot_bottom);
        svg.push_str("</svg>");
        return svg;
    };
    let x_ticks = match chart.x_end {
        Some(end) if end > x0 => Ticks::ending_at(x0, end.max(x1), 8, chart.start),
        _ => Ticks::new(x0, x1, 8),
    };
    let y_ticks = Ticks::new(y0, y1, if chart.small { 3 } else { 5 });
    let sx = Scale::new(x_ticks.min, x_ticks.max, MARGIN_LEFT, WIDTH - MARGIN_RIGHT);
    let sy = Scale::new(y_ticks.min, y_ticks.max, plot_bottom, plot_top);

    grid_and_axes(&mut svg, &x_ticks, &sx, &y_ticks, &sy, plot_top, plot_bottom);
    let x_label = if chart.start.is_some() { "date" } else { "day of the run" };
    axis_labels(&mut svg, x_label, &chart.y_label, plot_top, plot_bottom);

    for line in &chart.lines {
        let dash = if line.dashed { r#" stroke-dasharray="6 4""# } else { "" };
        for segment in segments(&chart.x, &line.values) {
            if let [(x, y)] = segment[..] {
                let _ = write!(
                    svg,
                    r#"<circle data-series="{}" cx="{:.1}" cy="{:.1}" r="2" fill="{}"/>"#,
                    escape(&line.label),
                    sx.map(x),
                    sy.map(y),
                    color(line.color)
                );
                continue;
            }
            let _ = write!(
                svg,
                r#"<polyline data-series="{}" fill="none" stroke="{}" stroke-width="1.8"{dash} points=""#,
                escape(&line.label),
                color(line.color)
            );
            for (i, (x, y)) in segment.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                let _ = write!(svg, "{sep}{:.1},{:.1}", sx.map(*x), sy.map(*y));
            }
            svg.push_str(r#""/>"#);
        }
    }

    let legend_top = plot_bottom + AXIS_HEIGHT;
    for (i, line) in chart.lines.iter().enumerate() {
        let col = (i % columns) as f64;
        let row = (i / columns) as f64;
        let x = MARGIN_LEFT + col * (WIDTH - MARGIN_LEFT) / columns as f64;
        let y = legend_top + row * LEGEND_ROW + 10.0;
        let dash = if line.dashed { r#" stroke-dasharray="6 4""# } else { "" };
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="2.5"{dash}/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 22.0,
            color(line.color),
            x + 28.0,
            y + 4.0,
            escape(&line.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Renders a horizontal bar chart.
pub(crate) fn bar_chart(chart: &BarChart) -> String {
    let n_series = chart.series.len().max(1);
    let bar_height = 12.0;
    let band = bar_height * n_series as f64 + 8.0;
    let label_width =
        chart.categories.iter().map(|c| c.chars().count()).max().unwrap_or(0) as f64 * 6.6 + 12.0;
    let left = label_width.clamp(48.0, 180.0);
    let right = WIDTH - MARGIN_RIGHT - 56.0;
    let plot_top = TITLE_HEIGHT + 16.0;
    let plot_bottom = plot_top + band * chart.categories.len() as f64;
    let columns = legend_columns(chart.series.iter().map(|s| s.label.as_str()), WIDTH - left);
    let legend_rows = if chart.series.len() > 1 { chart.series.len().div_ceil(columns) } else { 0 };
    let height = plot_bottom + 24.0 + legend_rows as f64 * LEGEND_ROW + 6.0;
    let mut svg = open_svg(&chart.id, &chart.title, WIDTH, height);

    let values = chart.series.iter().flat_map(|s| s.values.iter().copied());
    let Some((v0, v1)) = extent(values.chain([0.0])).filter(|_| !chart.categories.is_empty()) else {
        no_data(&mut svg, plot_top, plot_top + 60.0);
        svg.push_str("</svg>");
        return svg;
    };
    let ticks = Ticks::new(v0, v1, 6);
    let sx = Scale::new(ticks.min, ticks.max, left, right);

    // Value axis on top, with vertical grid lines.
    for &t in &ticks.values {
        let x = sx.map(t);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x:.1}" y1="{plot_top:.1}" x2="{x:.1}" y2="{plot_bottom:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            plot_top - 4.0,
            ticks.label(t)
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        plot_bottom + 16.0,
        escape(&chart.value_label)
    );
    let zero = sx.map(0.0);
    for (c, category) in chart.categories.iter().enumerate() {
        let band_top = plot_top + c as f64 * band + 4.0;
        let _ = write!(
            svg,
            r#"<text class="category" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            band_top + band / 2.0,
            escape(category)
        );
        for (s, series) in chart.series.iter().enumerate() {
            let y = band_top + s as f64 * bar_height;
            let value = series.values.get(c).copied().unwrap_or(f64::NAN);
            if !value.is_finite() {
                let _ =
                    write!(svg, r#"<text class="value" x="{:.1}" y="{:.1}">n/a</text>"#, zero + 3.0, y + 9.5);
                continue;
            }
            let x = sx.map(value);
            let (bar_x, bar_w) = if x >= zero { (zero, x - zero) } else { (x, zero - x) };
            let _ = write!(
                svg,
                r#"<rect data-series="{}" x="{bar_x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect><text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                escape(&series.label),
                bar_height - 2.0,
                color(series.color),
                escape(category),
                format_value(value),
                bar_x + bar_w + 3.0,
                y + 9.5,
                format_value(value)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{zero:.1}" y1="{plot_top:.1}" x2="{zero:.1}" y2="{plot_bottom:.1}"/>"#
    );
    if chart.series.len() > 1 {
        let legend_top = plot_bottom + 24.0;
        for (i, series) in chart.series.iter().enumerate() {
            let x = left + (i % columns) as f64 * (WIDTH - left) / columns as f64;
            let y = legend_top + (i / columns) as f64 * LEGEND_ROW;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="14" height="10" fill="{}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
                color(series.color),
                x + 20.0,
                y + 9.0,
                escape(&series.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Renders an x-y chart. Series drawn with markers (means, dots) are shifted a few pixels apart
/// so that the markers and interval bars of several scenarios at the same x stay visible.
pub(crate) fn xy_chart(chart: &XyChart) -> String {
    let columns = legend_columns(chart.series.iter().map(|s| s.label.as_str()), WIDTH - MARGIN_LEFT);
    let legend_rows = chart.series.len().div_ceil(columns);
    let plot_top = TITLE_HEIGHT;
    let plot_bottom = plot_top + LINE_PLOT_HEIGHT;
    let height = plot_bottom + AXIS_HEIGHT + legend_rows as f64 * LEGEND_ROW + 6.0;
    let mut svg = open_svg(&chart.id, &chart.title, WIDTH, height);

    let finite = |(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let drawn = || chart.series.iter().flat_map(|s| s.points.iter().filter(|&p| finite(p)));
    let x_extent = extent(drawn().map(|p| p.0));
    let ends = chart.series.iter().flat_map(|s| s.intervals.iter().flat_map(|(lo, hi)| [*lo, *hi]));
    let y_extent = extent(drawn().map(|p| p.1).chain(ends));
    let (Some((x0, x1)), Some((y0, y1))) = (x_extent, y_extent) else {
        no_data(&mut svg, plot_top, plot_bottom);
        svg.push_str("</svg>");
        return svg;
    };
    let x_ticks = Ticks::new(x0, x1, 6);
    let y_ticks = Ticks::new(y0, y1, 5);
    // A margin inside the axes, so that markers at the ends of the design stay clear of them.
    let pad = (x_ticks.max - x_ticks.min) * 0.04;
    let sx = Scale::new(x_ticks.min - pad, x_ticks.max + pad, MARGIN_LEFT, WIDTH - MARGIN_RIGHT);
    let sy = Scale::new(y_ticks.min, y_ticks.max, plot_bottom, plot_top);
    grid_and_axes(&mut svg, &x_ticks, &sx, &y_ticks, &sy, plot_top, plot_bottom);
    axis_labels(&mut svg, &chart.x_label, &chart.y_label, plot_top, plot_bottom);

    let marked = chart.series.iter().filter(|s| s.style != XyStyle::Trend).count();
    let mut nth_marked = 0;
    for series in &chart.series {
        let shift = if series.style == XyStyle::Trend {
            0.0
        } else {
            nth_marked += 1;
            (nth_marked as f64 - (marked as f64 + 1.0) / 2.0) * 5.0
        };
        let label = escape(&series.label);
        let color = color(series.color);
        let dash = if series.style == XyStyle::Trend { r#" stroke-dasharray="6 4""# } else { "" };
        if series.style != XyStyle::Scatter {
            let xs: Vec<f64> = series.points.iter().map(|p| p.0).collect();
            let ys: Vec<f64> = series.points.iter().map(|p| p.1).collect();
            for segment in segments(&xs, &ys).iter().filter(|s| s.len() > 1) {
                let class = if series.style == XyStyle::Means { "response" } else { "trend" };
                let _ = write!(
                    svg,
                    r#"<polyline class="{class}" data-series="{label}" fill="none" stroke="{color}" stroke-width="1.8"{dash} points=""#
                );
                for (i, (x, y)) in segment.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " " };
                    let _ = write!(svg, "{sep}{:.1},{:.1}", sx.map(*x) + shift, sy.map(*y));
                }
                svg.push_str(r#""/>"#);
            }
        }
        if series.style == XyStyle::Trend {
            continue;
        }
        for (i, (x, y)) in series.points.iter().enumerate().filter(|(_, p)| finite(p)) {
            let (cx, cy) = (sx.map(*x) + shift, sy.map(*y));
            if let Some((lo, hi)) =
                series.intervals.get(i).filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
            {
                let (top, bottom) = (sy.map(*hi), sy.map(*lo));
                let _ = write!(
                    svg,
                    r#"<path class="ci" data-series="{label}" data-low="{lo}" data-high="{hi}" stroke="{color}" stroke-width="1.2" fill="none" d="M{cx:.1},{bottom:.1}V{top:.1}M{:.1},{top:.1}H{:.1}M{:.1},{bottom:.1}H{:.1}"><title>{label}: 95% interval {} to {}</title></path>"#,
                    cx - 3.0,
                    cx + 3.0,
                    cx - 3.0,
                    cx + 3.0,
                    format_value(*lo),
                    format_value(*hi)
                );
            }
            let (class, r, opacity) =
                if series.style == XyStyle::Means { ("mean", 3.0, "1") } else { ("run", 2.5, "0.55") };
            // The values themselves, unrounded, for readers of the HTML (and tests).
            let _ = write!(
                svg,
                r#"<circle class="{class}" data-series="{label}" data-x="{x}" data-y="{y}" cx="{cx:.1}" cy="{cy:.1}" r="{r}" fill="{color}" fill-opacity="{opacity}"><title>{label}: {} at {}</title></circle>"#,
                format_value(*y),
                format_value(*x)
            );
        }
    }

    let legend_top = plot_bottom + AXIS_HEIGHT;
    for (i, series) in chart.series.iter().enumerate() {
        let x = MARGIN_LEFT + (i % columns) as f64 * (WIDTH - MARGIN_LEFT) / columns as f64;
        let y = legend_top + (i / columns) as f64 * LEGEND_ROW + 10.0;
        let color = color(series.color);
        match series.style {
            XyStyle::Scatter => {
                let _ = write!(svg, r#"<circle cx="{:.1}" cy="{y:.1}" r="3" fill="{color}"/>"#, x + 11.0);
            }
            style => {
                let dash = if style == XyStyle::Trend { r#" stroke-dasharray="6 4""# } else { "" };
                let _ = write!(
                    svg,
                    r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{color}" stroke-width="2.5"{dash}/>"#,
                    x + 22.0
                );
            }
        }
        let _ = write!(
            svg,
            r#"<text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 28.0,
            y + 4.0,
            escape(&series.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The x axis label under the plot and the y axis label turned along its left side.
fn axis_labels(svg: &mut String, x_label: &str, y_label: &str, plot_top: f64, plot_bottom: f64) {
    let _ = write!(
        svg,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (MARGIN_LEFT + WIDTH - MARGIN_RIGHT) / 2.0,
        plot_bottom + 30.0,
        escape(x_label)
    );
    let middle = (plot_top + plot_bottom) / 2.0;
    let _ = write!(
        svg,
        r#"<text class="axis-label" x="12" y="{middle:.1}" text-anchor="middle" transform="rotate(-90 12 {middle:.1})">{}</text>"#,
        escape(y_label)
    );
}

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number for a label or a tooltip, as [`crate::format::number`] writes it: separators, no
/// exponent, no SI suffixes.
pub(crate) fn format_value(x: f64) -> String {
    crate::format::number(x)
}

/// The font size of a chart's title: 14px, smaller for a long title so that it fits the width.
fn title_size(title: &str, width: f64) -> f64 {
    // A bold 14px sans-serif character is about 8px wide on average.
    let needed = title.chars().count() as f64 * 8.0;
    let room = width - MARGIN_LEFT - 8.0;
    if needed <= room { 14.0 } else { (14.0 * room / needed).max(9.0).floor() }
}

fn open_svg(id: &str, title: &str, width: f64, height: f64) -> String {
    let size = title_size(title, width);
    let style = if size < 14.0 { format!(r#" style="font-size:{size}px""#) } else { String::new() };
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{}" class="chart" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img"><title>{}</title><text class="title" x="{MARGIN_LEFT:.0}" y="18"{style}>{}</text>"#,
        escape(id),
        escape(title),
        escape(title)
    )
}

fn no_data(svg: &mut String, top: f64, bottom: f64) {
    let _ = write!(
        svg,
        r#"<text class="no-data" x="{:.1}" y="{:.1}" text-anchor="middle">no data to plot</text>"#,
        WIDTH / 2.0,
        (top + bottom) / 2.0
    );
}

fn grid_and_axes(svg: &mut String, xt: &Ticks, sx: &Scale, yt: &Ticks, sy: &Scale, top: f64, bottom: f64) {
    let (left, right) = (sx.r0, sx.r1);
    for &t in &yt.values {
        let y = sy.map(t);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 4.0,
            y + 4.0,
            yt.label(t)
        );
    }
    for &t in &xt.values {
        let x = sx.map(t);
        let _ = write!(
            svg,
            r#"<line class="axis" x1="{x:.1}" y1="{bottom:.1}" x2="{x:.1}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            bottom + 4.0,
            bottom + 16.0,
            xt.label(t)
        );
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left:.1}" y1="{bottom:.1}" x2="{right:.1}" y2="{bottom:.1}"/><line class="axis" x1="{left:.1}" y1="{top:.1}" x2="{left:.1}" y2="{bottom:.1}"/>"#
    );
}

/// The runs of consecutive finite (x, y) points of a line.
fn segments(xs: &[f64], ys: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (&x, &y) in xs.iter().zip(ys) {
        if x.is_finite() && y.is_finite() {
            current.push((x, y));
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Smallest and largest finite value, or `None` if there is none.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A linear map from a domain onto a pixel range.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// A scale; an empty domain (d0 == d1) maps everything to the middle of the range.
    fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        Scale { d0, d1, r0, r1 }
    }

    fn map(&self, x: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (x - self.d0) / span * (self.r1 - self.r0)
    }
}

/// Round tick values covering a domain, and the domain widened to the outer ticks.
#[derive(Debug, Clone)]
struct Ticks {
    min: f64,
    max: f64,
    step: f64,
    values: Vec<f64>,
    /// Day 0 as days since 1970-01-01: the ticks are days, labelled as dates.
    start: Option<i64>,
}

impl Ticks {
    /// About `target` ticks at 1, 2 or 5 times a power of ten. A constant domain is widened
    /// around its value (to [0, 1] for zero) so that a flat line sits inside the plot.
    fn new(lo: f64, hi: f64, target: usize) -> Ticks {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else if lo == 0.0 {
            (0.0, 1.0)
        } else {
            let pad = lo.abs() * 0.1;
            (lo - pad, lo + pad)
        };
        let raw = (hi - lo) / target.max(1) as f64;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
        let min = (lo / step).floor() * step;
        let max = (hi / step).ceil() * step;
        let n = ((max - min) / step).round() as usize;
        let values = (0..=n).map(|i| min + i as f64 * step).collect();
        Ticks { min, max, step, values, start: None }
    }

    /// Ticks over days from `lo` to the horizon `end` exactly (the axis does not run past it):
    /// round days, or with a start date the first day of every month or few months.
    fn ending_at(lo: f64, end: f64, target: usize, start: Option<i64>) -> Ticks {
        let Some(day0) = start else {
            let mut t = Ticks::new(lo, end, target);
            t.values.retain(|v| *v >= lo - 1e-9 && *v <= end + 1e-9);
            t.min = lo;
            t.max = end;
            return t;
        };
        let span_months = (end - lo) / 30.44;
        let every = [1u32, 2, 3, 6, 12, 24, 60]
            .into_iter()
            .find(|m| span_months / *m as f64 <= target as f64)
            .unwrap_or(120);
        let (mut y, mut m, _) = crate::outcomes::civil_from_days(day0 + lo.ceil() as i64);
        let mut values = Vec::new();
        loop {
            let d = (crate::outcomes::days_from_civil((y, m, 1)) - day0) as f64;
            if d > end {
                break;
            }
            if d >= lo && (m - 1) % every == 0 {
                values.push(d);
            }
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
        Ticks { min: lo, max: end, step: every as f64 * 30.44, values, start }
    }

    /// A tick label with as many decimals as the step needs: thousands separated, millions
    /// and billions as "M" and "B"; a date ("Mar 2020") for days with a start date.
    fn label(&self, x: f64) -> String {
        if let Some(day0) = self.start {
            let (y, m, _) = crate::outcomes::civil_from_days(day0 + x.round() as i64);
            return format!("{} {y}", crate::outcomes::MONTHS[(m - 1) as usize]);
        }
        if x.abs() < self.step * 1e-9 {
            return "0".into();
        }
        let (scaled, step, suffix) = if self.max.abs().max(self.min.abs()) >= 1e9 {
            (x / 1e9, self.step / 1e9, " B")
        } else if self.max.abs().max(self.min.abs()) >= 1e6 {
            (x / 1e6, self.step / 1e6, " M")
        } else {
            (x, self.step, "")
        };
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        let text = format!("{:.decimals$}", scaled.abs());
        let (whole, fraction) = text.split_once('.').map_or((text.as_str(), ""), |(w, f)| (w, f));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if scaled < 0.0 { "\u{2212}" } else { "" };
        let dot = if fraction.is_empty() { "" } else { "." };
        format!("{sign}{grouped}{dot}{fraction}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polylines(svg: &str) -> Vec<usize> {
        svg.split("<polyline")
            .skip(1)
            .map(|p| p.split("points=\"").nth(1).unwrap().split('"').next().unwrap())
            .map(|pts| pts.split(' ').count())
            .collect()
    }

    fn chart(x: Vec<f64>, lines: Vec<Vec<f64>>) -> LineChart {
        LineChart {
            id: "c".into(),
            title: "T <&>".into(),
            y_label: "share".into(),
            x,
            lines: lines
                .into_iter()
                .enumerate()
                .map(|(i, values)| Line { label: format!("l{i}"), values, color: i, dashed: i > 0 })
                .collect(),
            x_end: None,
            start: None,
            small: false,
        }
    }

    #[test]
    fn scale_maps_domain_ends_onto_range_ends() {
        let s = Scale::new(10.0, 20.0, 100.0, 0.0);
        assert_eq!(s.map(10.0), 100.0);
        assert_eq!(s.map(20.0), 0.0);
        assert_eq!(s.map(15.0), 50.0);
        assert_eq!(Scale::new(3.0, 3.0, 0.0, 10.0).map(3.0), 5.0);
    }

    #[test]
    fn ticks_are_round_and_cover_the_domain() {
        let t = Ticks::new(0.13, 0.87, 5);
        assert_eq!(t.step, 0.2);
        assert!(t.min <= 0.13 && t.max >= 0.87);
        assert_eq!(t.values.len(), 6);
        assert_eq!(t.label(0.4), "0.4");
        let t = Ticks::new(0.0, 59.0, 8);
        assert_eq!((t.min, t.max, t.step), (0.0, 60.0, 10.0));
        assert_eq!(Ticks::new(0.0, 2.5e6, 5).label(1e6), "1.0 M");
        assert_eq!(Ticks::new(0.0, 5e6, 5).label(1e6), "1 M");
        assert_eq!(Ticks::new(0.0, 25_000.0, 5).label(5000.0), "5,000");
        assert_eq!(Ticks::new(0.0, 3e12, 5).label(2e12), "2,000 B");
        assert_eq!(Ticks::new(-25_000.0, 0.0, 5).label(-15_000.0), "\u{2212}15,000");
        assert_eq!(Ticks::new(-1.0e-9, 1.0, 5).label(1e-17), "0");
    }

    #[test]
    fn constant_and_zero_domains_are_widened() {
        let t = Ticks::new(5.0, 5.0, 5);
        assert!(t.min < 5.0 && t.max > 5.0);
        let t = Ticks::new(0.0, 0.0, 5);
        assert_eq!((t.min, t.max), (0.0, 1.0));
        let t = Ticks::new(-2.0, -2.0, 5);
        assert!(t.min < -2.0 && t.max > -2.0);
    }

    #[test]
    fn a_line_has_one_point_per_day() {
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        let svg = line_chart(&chart(x.clone(), vec![x.iter().map(|d| d * d).collect(), vec![1.0; 30]]));
        assert_eq!(polylines(&svg), [30, 30]);
        assert!(svg.contains(r#"id="c""#));
        assert!(svg.contains("T &lt;&amp;&gt;"));
        assert!(svg.contains("stroke-dasharray"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn nan_breaks_a_line_and_is_never_drawn() {
        let x: Vec<f64> = (0..6).map(f64::from).collect();
        let svg = line_chart(&chart(x, vec![vec![1.0, 2.0, f64::NAN, 3.0, f64::INFINITY, 4.0]]));
        assert_eq!(polylines(&svg), [2]);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn empty_and_all_nan_charts_say_no_data() {
        let svg = line_chart(&chart(vec![], vec![]));
        assert!(svg.contains("no data to plot") && svg.ends_with("</svg>"));
        let svg = line_chart(&chart(vec![0.0, 1.0], vec![vec![f64::NAN, f64::NAN]]));
        assert!(svg.contains("no data to plot"));
        let bars = BarChart {
            id: "b".into(),
            title: "t".into(),
            value_label: "v".into(),
            categories: vec![],
            series: vec![],
        };
        assert!(bar_chart(&bars).contains("no data to plot"));
    }

    #[test]
    fn a_constant_line_sits_inside_the_plot() {
        let svg = line_chart(&chart(vec![0.0, 1.0, 2.0], vec![vec![7.0; 3]]));
        assert_eq!(polylines(&svg), [3]);
        let y = LINE_PLOT_HEIGHT / 2.0 + TITLE_HEIGHT;
        assert!(svg.contains(&format!("64.0,{y:.1}")), "{svg}");
    }

    #[test]
    fn bars_grow_from_zero_and_mark_missing_values() {
        let bars = BarChart {
            id: "b".into(),
            title: "t".into(),
            value_label: "v".into(),
            categories: vec!["q1".into(), "q2".into(), "q3".into()],
            series: vec![
                Bars { label: "a".into(), values: vec![1.0, -2.0, f64::NAN], color: 0 },
                Bars { label: "b".into(), values: vec![0.5, 0.0, 3.0], color: 1 },
            ],
        };
        let svg = bar_chart(&bars);
        assert_eq!(svg.matches("<rect data-series").count(), 5);
        assert_eq!(svg.matches(">n/a<").count(), 1);
        assert!(!svg.contains("width=\"-"));
        assert!(!svg.contains("NaN"));
    }

    fn xy(style: XyStyle, points: Vec<(f64, f64)>, intervals: Vec<(f64, f64)>) -> XySeries {
        XySeries { label: format!("{style:?}"), color: 0, style, points, intervals }
    }

    fn xy_chart_of(series: Vec<XySeries>) -> String {
        xy_chart(&XyChart {
            id: "r".into(),
            title: "t".into(),
            x_label: "behaviour.fear_perception".into(),
            y_label: "compliance_rate".into(),
            series,
        })
    }

    #[test]
    fn means_get_a_line_markers_and_interval_bars() {
        let means = xy(
            XyStyle::Means,
            vec![(0.0, 1.0), (0.5, 2.0), (1.0, f64::NAN)],
            vec![(0.5, 1.5), (f64::NAN, 3.0), (0.0, 1.0)],
        );
        let svg = xy_chart_of(vec![means]);
        assert_eq!(polylines(&svg), [2]);
        assert_eq!(svg.matches(r#"<circle class="mean""#).count(), 2);
        // Only the first point has a finite interval (the third has no mean).
        assert_eq!(svg.matches(r#"<path class="ci""#).count(), 1);
        assert!(svg.contains(">behaviour.fear_perception<") && svg.contains(">compliance_rate<"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn scatter_and_trend_series_are_dots_and_a_dashed_line() {
        let runs = xy(XyStyle::Scatter, vec![(0.1, 1.0), (0.4, 2.0), (0.9, 4.0)], vec![]);
        let trend = xy(XyStyle::Trend, vec![(0.25, 1.5), (0.75, 4.0)], vec![]);
        let svg = xy_chart_of(vec![runs, trend]);
        assert_eq!(svg.matches(r#"<circle class="run""#).count(), 3);
        assert_eq!(polylines(&svg), [2]);
        assert!(svg.contains(r#"class="trend""#) && svg.contains("stroke-dasharray"));
        assert!(xy_chart_of(vec![]).contains("no data to plot"));
    }

    #[test]
    fn interval_ends_widen_the_y_axis() {
        let svg = xy_chart_of(vec![xy(XyStyle::Means, vec![(0.0, 1.0)], vec![(-10.0, 12.0)])]);
        let ticks: Vec<&str> =
            svg.split(r#"text-anchor="end">"#).skip(1).map(|t| t.split('<').next().unwrap()).collect();
        assert_eq!(ticks.first(), Some(&"\u{2212}10"), "{ticks:?}");
        assert!(ticks.iter().any(|t| t.parse::<f64>().is_ok_and(|t| t >= 12.0)), "{ticks:?}");
    }

    #[test]
    fn values_are_formatted_for_readers() {
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(0.12345), "0.123");
        assert_eq!(format_value(12.345), "12.3");
        assert_eq!(format_value(79.0), "79");
        assert_eq!(format_value(12_345.0), "12,345");
        assert_eq!(format_value(2.3767e12), "2,376,700,000,000");
        assert_eq!(format_value(f64::NAN), "n/a");
    }

    #[test]
    fn an_axis_ends_at_the_horizon() {
        let t = Ticks::ending_at(0.0, 365.0, 8, None);
        assert_eq!((t.min, t.max), (0.0, 365.0));
        assert!(t.values.iter().all(|v| *v <= 365.0), "{:?}", t.values);
        let x: Vec<f64> = (0..365).map(f64::from).collect();
        let mut c = chart(x.clone(), vec![vec![1.0; 365]]);
        let before = line_chart(&c);
        assert!(before.contains(">400<"), "without a horizon the axis runs to the next round day");
        c.x_end = Some(364.0);
        let svg = line_chart(&c);
        assert!(!svg.contains(">400<"), "the axis runs past the horizon");
        assert!(svg.contains(">350<"));
    }

    #[test]
    fn days_are_labelled_as_dates_with_a_start_date() {
        let day0 = crate::outcomes::days_from_civil((2020, 1, 1));
        let t = Ticks::ending_at(0.0, 365.0, 8, Some(day0));
        assert_eq!(t.label(t.values[0]), "Jan 2020");
        assert!(t.values.len() >= 4 && t.values.len() <= 9, "{:?}", t.values);
        assert_eq!(t.label(60.0), "Mar 2020");
        let mut c = chart(vec![0.0, 100.0], vec![vec![1.0, 2.0]]);
        c.x_end = Some(120.0);
        c.start = Some(day0);
        let svg = line_chart(&c);
        assert!(svg.contains(">Feb 2020<") && svg.contains(">date<"), "{svg}");
    }

    #[test]
    fn long_titles_get_a_smaller_font_to_fit() {
        assert_eq!(title_size("Compliance", WIDTH), 14.0);
        let long = "Chilling effect: criticism wanted but left unsaid: difference from none, by detection of criticism";
        let size = title_size(long, WIDTH);
        assert!(size < 14.0 && long.chars().count() as f64 * 8.0 * size / 14.0 <= WIDTH - MARGIN_LEFT - 8.0);
        assert!(open_svg("x", long, WIDTH, 100.0).contains(&format!("style=\"font-size:{size}px\"")));
    }

    #[test]
    fn long_legend_labels_take_fewer_columns() {
        assert_eq!(legend_columns(["a", "b"].into_iter(), 700.0), 3);
        let long = "blacklisted (any list): china-2020 against its counterfactual";
        assert_eq!(legend_columns([long, "x"].into_iter(), 700.0), 1);
        let medium = "blacklisted (any list): china-2020";
        let n = legend_columns([medium].into_iter(), 700.0);
        assert!(n as f64 * (medium.len() as f64 * CHAR_WIDTH + LEGEND_SWATCH) <= 700.0);
    }
}
