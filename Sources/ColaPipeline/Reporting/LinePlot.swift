import Foundation

/// A line chart written as a self-contained SVG file: axes with ticks and grid, one polyline per
/// series (with optional vertical error bars), optional dashed horizontal reference lines, and a
/// legend on the right.
///
/// The x axis is linear or logarithmic; on a logarithmic axis equal ratios are equal distances
/// (32 → 64 spans as much as 512 → 1024). No dependencies: the SVG text is composed here.
public struct LinePlot: Sendable {
    /// How values map to positions along the x axis.
    public enum Scale: Sendable {
        case linear
        /// Positions proportional to log(x); ticks at powers of two (or ten over wide ranges).
        case logarithmic
    }

    /// One line of the chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Any SVG colour, e.g. `#1f77b4`.
        public var color: String
        public var strokeWidth: Double
        /// Dash pattern (`stroke-dasharray`), `nil` for a solid line.
        public var dash: String?
        /// Draws a dot at each point, so a one-point series is still visible.
        public var showsMarkers: Bool
        /// Vertical bars from `low` to `high` at `x` (e.g. mean ± one standard deviation), with caps.
        public var errorBars: [(x: Double, low: Double, high: Double)]

        public init(name: String, points: [(x: Double, y: Double)], color: String, strokeWidth: Double = 1.5,
                    dash: String? = nil, showsMarkers: Bool = false, errorBars: [(x: Double, low: Double, high: Double)] = []) {
            self.name = name
            self.points = points
            self.color = color
            self.strokeWidth = strokeWidth
            self.dash = dash
            self.showsMarkers = showsMarkers
            self.errorBars = errorBars
        }
    }

    /// A dashed horizontal line across the plot, e.g. a baseline's score.
    public struct ReferenceLine: Sendable {
        public var name: String
        public var y: Double
        public var color: String

        public init(name: String, y: Double, color: String = "#7f7f7f") {
            self.name = name
            self.y = y
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale
    public var series: [Series]
    public var referenceLines: [ReferenceLine] = []
    /// Tick values for the x axis; automatic when `nil`.
    public var xTicks: [Double]?
    public var width = 760.0
    public var height = 460.0

    public init(title: String, xLabel: String, yLabel: String, xScale: Scale, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.series = series
    }

    /// Distinct, widely separated colours (Tableau 10), in legend order.
    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
    ]

    /// The plot area inside the margins, in SVG user units.
    public struct Frame: Equatable, Sendable {
        public var left: Double
        public var top: Double
        public var width: Double
        public var height: Double
    }

    private static let legendRowHeight = 18.0
    private static let gridColor = "#e6e6e6"
    private static let mutedColor = "#7f7f7f"

    /// The plot area for this chart's size and legend.
    public var frame: Frame {
        let totalHeight = max(height, 60 + Double(legendCount) * Self.legendRowHeight + 40)
        return Frame(left: 72, top: 44, width: width - 72 - 220, height: totalHeight - 44 - 58)
    }

    private var legendCount: Int { series.count + referenceLines.count }

    private var plottedSeries: [Series] {
        series.map { s in
            var s = s
            s.points = s.points.filter { $0.x.isFinite && $0.y.isFinite && (xScale == .linear || $0.x > 0) }
                .sorted { $0.x < $1.x }
            s.errorBars = s.errorBars.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite && (xScale == .linear || $0.x > 0) }
            return s
        }
    }

    /// The x range shown: the data's, widened by 4% of the span on each side (in log space on a
    /// logarithmic axis) so end points do not sit on the frame.
    public var xDomain: ClosedRange<Double> {
        let xs = plottedSeries.flatMap { $0.points.map(\.x) } + (xTicks ?? [])
        guard var low = xs.min(), var high = xs.max() else { return xScale == .linear ? 0...1 : 1...2 }
        switch xScale {
        case .linear:
            if low == high { low -= 1; high += 1 }
            let pad = (high - low) * 0.04
            return (low - pad)...(high + pad)
        case .logarithmic:
            if low == high { low /= 2; high *= 2 }
            let pad = (log(high) - log(low)) * 0.04
            return exp(log(low) - pad)...exp(log(high) + pad)
        }
    }

    /// The y range shown: the data, error bars and reference lines, rounded out to whole tick steps.
    public var yDomain: ClosedRange<Double> {
        let ys = plottedSeries.flatMap { $0.points.map(\.y) + $0.errorBars.flatMap { [$0.low, $0.high] } }
            + referenceLines.map(\.y).filter(\.isFinite)
        guard var low = ys.min(), var high = ys.max() else { return 0...1 }
        if low == high { low -= 1; high += 1 }
        let step = Self.niceStep(span: high - low)
        return (floor(low / step) * step)...(ceil(high / step) * step)
    }

    /// Horizontal SVG coordinate of data value `x`.
    public func position(x: Double) -> Double {
        let domain = xDomain
        let fraction: Double
        switch xScale {
        case .linear: fraction = (x - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        case .logarithmic: fraction = (log(x) - log(domain.lowerBound)) / (log(domain.upperBound) - log(domain.lowerBound))
        }
        return frame.left + fraction * frame.width
    }

    /// Vertical SVG coordinate of data value `y` (SVG's y grows downwards).
    public func position(y: Double) -> Double {
        let domain = yDomain
        return frame.top + frame.height * (1 - (y - domain.lowerBound) / (domain.upperBound - domain.lowerBound))
    }

    /// Tick values along x.
    public var xTickValues: [Double] {
        let domain = xDomain
        if let xTicks { return xTicks.filter { domain.contains($0) }.sorted() }
        switch xScale {
        case .linear:
            return Self.linearTicks(domain)
        case .logarithmic:
            let base = log(domain.upperBound / domain.lowerBound) / log(2) > 12 ? 10.0 : 2.0
            let first = Int(ceil(log(domain.lowerBound) / log(base) - 1e-9))
            let last = Int(floor(log(domain.upperBound) / log(base) + 1e-9))
            return first <= last ? (first...last).map { pow(base, Double($0)) } : []
        }
    }

    /// Tick values along y.
    public var yTickValues: [Double] { Self.linearTicks(yDomain) }

    /// The chart as an SVG document.
    public var svg: String {
        let frame = self.frame
        let totalHeight = frame.top + frame.height + 58
        var out: [String] = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(totalHeight))" viewBox="0 0 \#(n(width)) \#(n(totalHeight))" font-family="Helvetica, Arial, sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(n(frame.left + frame.width / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\#(escaped(title))</text>"#,
        ]
        let bottom = frame.top + frame.height
        for tick in xTickValues {
            let x = position(x: tick)
            out.append(#"<line class="grid" x1="\#(n(x))" y1="\#(n(frame.top))" x2="\#(n(x))" y2="\#(n(bottom))" stroke="\#(Self.gridColor)"/>"#)
            out.append(#"<line class="tick" x1="\#(n(x))" y1="\#(n(bottom))" x2="\#(n(x))" y2="\#(n(bottom + 5))" stroke="black"/>"#)
            out.append(#"<text class="x-tick" x="\#(n(x))" y="\#(n(bottom + 19))" text-anchor="middle">\#(Self.label(tick))</text>"#)
        }
        for tick in yTickValues {
            let y = position(y: tick)
            out.append(#"<line class="grid" x1="\#(n(frame.left))" y1="\#(n(y))" x2="\#(n(frame.left + frame.width))" y2="\#(n(y))" stroke="\#(Self.gridColor)"/>"#)
            out.append(#"<line class="tick" x1="\#(n(frame.left - 5))" y1="\#(n(y))" x2="\#(n(frame.left))" y2="\#(n(y))" stroke="black"/>"#)
            out.append(#"<text class="y-tick" x="\#(n(frame.left - 8))" y="\#(n(y + 4))" text-anchor="end">\#(Self.label(tick))</text>"#)
        }
        out.append(#"<rect x="\#(n(frame.left))" y="\#(n(frame.top))" width="\#(n(frame.width))" height="\#(n(frame.height))" fill="none" stroke="black"/>"#)
        out.append(#"<text x="\#(n(frame.left + frame.width / 2))" y="\#(n(bottom + 42))" text-anchor="middle">\#(escaped(xLabel))</text>"#)
        out.append(#"<text transform="translate(18 \#(n(frame.top + frame.height / 2))) rotate(-90)" text-anchor="middle">\#(escaped(yLabel))</text>"#)
        for line in referenceLines where line.y.isFinite {
            let y = position(y: line.y)
            out.append(#"<line class="reference" x1="\#(n(frame.left))" y1="\#(n(y))" x2="\#(n(frame.left + frame.width))" y2="\#(n(y))" stroke="\#(line.color)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
        }
        for s in plottedSeries {
            let points = s.points.map { "\(n(position(x: $0.x))),\(n(position(y: $0.y)))" }.joined(separator: " ")
            let dash = s.dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
            out.append(#"<polyline class="series" data-name="\#(escaped(s.name))" fill="none" stroke="\#(s.color)" stroke-width="\#(n(s.strokeWidth))"\#(dash) stroke-linejoin="round" points="\#(points)"/>"#)
            if s.showsMarkers {
                for p in s.points {
                    out.append(#"<circle cx="\#(n(position(x: p.x)))" cy="\#(n(position(y: p.y)))" r="\#(n(s.strokeWidth + 1.5))" fill="\#(s.color)"/>"#)
                }
            }
            for bar in s.errorBars {
                let x = position(x: bar.x), low = position(y: bar.low), high = position(y: bar.high)
                let cap = 3 + s.strokeWidth
                let width = n(max(1, s.strokeWidth * 0.75))
                out.append(#"<path class="error-bar" data-name="\#(escaped(s.name))" fill="none" stroke="\#(s.color)" stroke-width="\#(width)" d="M\#(n(x)) \#(n(low)) V\#(n(high)) M\#(n(x - cap)) \#(n(low)) H\#(n(x + cap)) M\#(n(x - cap)) \#(n(high)) H\#(n(x + cap))"/>"#)
            }
        }
        if plottedSeries.allSatisfy({ $0.points.isEmpty }) {
            out.append(#"<text x="\#(n(frame.left + frame.width / 2))" y="\#(n(frame.top + frame.height / 2))" text-anchor="middle" fill="\#(Self.mutedColor)">no data yet</text>"#)
        }
        out.append(contentsOf: legend(frame: frame))
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private func legend(frame: Frame) -> [String] {
        let left = frame.left + frame.width + 16
        var out: [String] = []
        var y = frame.top + 6
        for s in series {
            let dash = s.dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
            out.append(#"<line class="legend" x1="\#(n(left))" y1="\#(n(y))" x2="\#(n(left + 24))" y2="\#(n(y))" stroke="\#(s.color)" stroke-width="\#(n(s.strokeWidth))"\#(dash)/>"#)
            out.append(#"<text x="\#(n(left + 30))" y="\#(n(y + 4))">\#(escaped(s.name))</text>"#)
            y += Self.legendRowHeight
        }
        for line in referenceLines {
            out.append(#"<line class="legend" x1="\#(n(left))" y1="\#(n(y))" x2="\#(n(left + 24))" y2="\#(n(y))" stroke="\#(line.color)" stroke-width="1.5" stroke-dasharray="6 4"/>"#)
            out.append(#"<text x="\#(n(left + 30))" y="\#(n(y + 4))">\#(escaped(line.name))</text>"#)
            y += Self.legendRowHeight
        }
        return out
    }

    /// 1, 2 or 5 times a power of ten, giving five to twelve steps over `span`.
    static func niceStep(span: Double) -> Double {
        let raw = span / 6
        let magnitude = pow(10, floor(log10(raw)))
        let multiple = [1.0, 2, 5, 10].first { $0 * magnitude >= raw } ?? 10
        return multiple * magnitude
    }

    private static func linearTicks(_ domain: ClosedRange<Double>) -> [Double] {
        let step = niceStep(span: domain.upperBound - domain.lowerBound)
        let first = Int(ceil(domain.lowerBound / step - 1e-9))
        let last = Int(floor(domain.upperBound / step + 1e-9))
        return first <= last ? (first...last).map { Double($0) * step } : []
    }

    /// A tick label: whole numbers without decimals (thousands as `k` from 10,000), else up to
    /// three significant decimals.
    static func label(_ value: Double) -> String {
        if value == value.rounded() {
            let whole = Int(value)
            if abs(whole) >= 10_000, whole % 1000 == 0 { return "\(whole / 1000)k" }
            return String(whole)
        }
        for decimals in 1...4 where abs(value - (value * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))) < 1e-9 {
            return fixedText(value, decimals: decimals)
        }
        return fixedText(value, decimals: 4)
    }

    private func n(_ value: Double) -> String { fixedText(value, decimals: 1) }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
