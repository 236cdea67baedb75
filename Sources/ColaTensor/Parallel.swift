import Dispatch

/// Splits a loop over `count` items into one contiguous range per thread (oneDNN's thread count),
/// for the memory-bound passes Cola writes itself; small loops run inline.
public enum Parallel {
    /// Runs `body` over ranges covering `0..<count`; `cost` is the work per item in elements,
    /// used to keep tiny loops on the calling thread.
    public static func forEachRange(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(OneDNN.threadCount, count)
        guard threads > 1, count * cost >= 1 << 15 else {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Each thread writes a disjoint range; the pointers the body captures outlive the call.
            let task = UncheckedBody(run: body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                task.run((count * t / threads)..<(count * (t + 1) / threads))
            }
        }
    }
}

private struct UncheckedBody: @unchecked Sendable {
    let run: (Range<Int>) -> Void
}
