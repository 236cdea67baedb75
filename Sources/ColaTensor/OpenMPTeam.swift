import COpenMP

/// Splits a loop over `count` items into one contiguous range per thread of OpenMP's team, the
/// threads oneDNN runs on: how every kernel Cola writes itself runs in parallel.
///
/// With libgomp's default active wait, the team's threads spin for a while after every oneDNN
/// call; a thread of another pool (Cola's kernels used Dispatch before) started in that window
/// shares a core with a spinning thread. Running on the team itself avoids that: EfficientNet-B0's batch norm + swish passes
/// (batch 64) took 115 ms forward + 170 ms backward per step on Dispatch threads and 79–98 + 110 ms
/// on the team (same kernels, same minute, loaded machine).
public enum OpenMPTeam {
    /// Runs `body` over ranges covering `0..<count`, one per team thread; `cost` is the work per
    /// item in elements, used to keep tiny loops on the calling thread.
    public static func forEachRange(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        forEachRange(count, cost: cost) { range, _ in body(range) }
    }

    /// Threads ``forEachRange(_:cost:_:)`` uses at most for `count` items: what per-thread scratch needs.
    public static func threadLimit(_ count: Int) -> Int { max(1, min(OneDNN.threadCount, count)) }

    /// As ``forEachRange(_:cost:_:)``, also passing the thread's index (below ``threadLimit(_:)``),
    /// for kernels that keep scratch per thread.
    public static func forEachRange(_ count: Int, cost: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        let threads = threadLimit(count)
        guard threads > 1, count * cost >= 1 << 15 else {
            body(0..<count, 0)
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = TeamJob(count: count, body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                GOMP_parallel({ raw in
                    let job = raw!.assumingMemoryBound(to: TeamJob.self).pointee
                    let t = Int(omp_get_thread_num()), n = Int(omp_get_num_threads())
                    job.body((job.count * t / n)..<(job.count * (t + 1) / n), t)
                }, pointer, UInt32(threads), 0)
            }
        }
    }
}

/// What each team thread reads: the item count and the loop body (valid for the call).
private struct TeamJob {
    let count: Int
    let body: (Range<Int>, Int) -> Void
}
