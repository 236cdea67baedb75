import Foundation

/// How `cola embed` writes an embedding: `.npy` (float32, NumPy 1.0) or `.csv` (text).
public enum EmbeddingFormat: String, Sendable, CaseIterable {
    /// NumPy `.npy`, float32 little-endian (``NPYFile``).
    case npy
    /// Comma-separated text, one embedding per line.
    case csv

    /// Writes the clip embedding to `base.npy` (shape `[width]`) or `base.csv` (one line).
    func writeClip(_ values: [Float], to base: String) throws {
        switch self {
        case .npy:
            try NPYFile.write(values, shape: [values.count], to: base + ".npy")
        case .csv:
            try (values.map { "\($0)" }.joined(separator: ",") + "\n").write(toFile: base + ".csv", atomically: true, encoding: .utf8)
        }
    }

    /// Writes time-stamped window embeddings: `base.windows.npy` (`[count, width]`) and
    /// `base.times.npy` (`[count]`, centre times in seconds), or `base.windows.csv` with a header
    /// `time_s,e0,e1,…` and one line per window.
    func writeWindows(_ rows: [Float], centres: [Double], width: Int, to base: String) throws {
        switch self {
        case .npy:
            try NPYFile.write(rows, shape: [centres.count, width], to: base + ".windows.npy")
            try NPYFile.write(centres.map { Float($0) }, shape: [centres.count], to: base + ".times.npy")
        case .csv:
            var text = "time_s," + (0..<width).map { "e\($0)" }.joined(separator: ",") + "\n"
            for (index, centre) in centres.enumerated() {
                text += "\(centre)," + rows[(index * width)..<((index + 1) * width)].map { "\($0)" }.joined(separator: ",") + "\n"
            }
            try text.write(toFile: base + ".windows.csv", atomically: true, encoding: .utf8)
        }
    }
}
