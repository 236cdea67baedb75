/// A GitHub-flavoured Markdown table.
public struct MarkdownTable: Equatable, Sendable {
    /// Column alignment.
    public enum Alignment: Sendable {
        case left, right
    }

    public var header: [String]
    public var alignments: [Alignment]
    public var rows: [[String]]

    /// A table whose first column is left-aligned and the others right-aligned (numbers).
    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.alignments = header.indices.map { $0 == 0 ? .left : .right }
        self.rows = rows
    }

    /// The table as Markdown lines ending in a newline; short rows are padded with empty cells.
    public var markdown: String {
        func line(_ cells: [String]) -> String {
            let padded = cells + Array(repeating: "", count: max(0, header.count - cells.count))
            return "| " + padded.map { $0.replacingPipes() }.joined(separator: " | ") + " |"
        }
        let rule = "|" + alignments.map { $0 == .left ? "---|" : "---:|" }.joined()
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}

/// Formats a fraction in [0, 1] as a percentage with one decimal, `–` when absent.
public func percentText(_ fraction: Double?) -> String {
    guard let fraction, fraction.isFinite else { return "–" }
    return fixedText(fraction * 100, decimals: 1)
}

/// Formats a number with a fixed number of decimals, `–` when absent.
public func fixedText(_ value: Double?, decimals: Int) -> String {
    guard let value, value.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (abs(value) * scale).rounded() / scale
    let sign = value < 0 && rounded != 0 ? "-" : ""
    let whole = Int(rounded)
    guard decimals > 0 else { return sign + String(whole) }
    let fraction = Int(((rounded - Double(whole)) * scale).rounded())
    let digits = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
}
