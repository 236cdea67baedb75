import Foundation

/// Wall-clock timing and machine load, shared by the benchmarks.
public enum BenchmarkClock {
    /// Runs `body` and returns the seconds it took with its value.
    public static func timed<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        let start = DispatchTime.now()
        let value = try body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9, value)
    }

    /// The 1-, 5- and 15-minute load averages from `/proc/loadavg`, e.g. `1.51 1.20 0.98`
    /// (`unknown` where the file cannot be read): other work on the machine skews every figure.
    public static var loadAverages: String {
        guard let line = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return line.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
