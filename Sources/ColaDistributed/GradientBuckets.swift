import Foundation

/// The flat gradient buffer cut into ~N MB slices in reverse layer order, each allreduced with a
/// nonblocking collective as soon as every gradient in it is final (as PyTorch DDP's reducer).
///
/// Backward produces the last layer's gradients first, so bucket 0 holds the last parameters.
/// The model reports finished gradient ranges with ``markReady(_:)`` while it runs backward; a
/// bucket whose elements have all been reported starts its allreduce. Buckets always start in
/// index order, so every rank issues the same sequence of collectives whatever order its
/// callbacks arrive in. ``progress()`` between layers lets MPI move data during compute;
/// ``finish(scale:)`` starts what is left, waits for everything and scales the sums.
public final class GradientBuckets {
    /// One contiguous slice of the gradient buffer.
    public struct Bucket: Equatable, Sendable {
        /// Elements of the flat buffer in this bucket.
        public let range: Range<Int>
        /// Indices (forward order) of the parameters it covers, last parameter first.
        public let parameters: [Int]
    }

    /// The buckets, bucket 0 covering the end of the buffer.
    public let buckets: [Bucket]
    /// Total elements covered (the gradient buffer's length).
    public let elementCount: Int

    private let communicator: Communicator
    private var gradients: UnsafeMutableBufferPointer<Float>?
    private var outstanding: [Int] = []
    private var pending: [PendingCollective?] = []
    private var nextToStart = 0
    /// Seconds spent inside communication calls during the current step.
    public private(set) var communicationSeconds: Double = 0
    /// Seconds ``finish(scale:)`` blocked waiting: the communication backward did not hide.
    public private(set) var exposedSeconds: Double = 0

    /// Cuts parameters into buckets of at least `bucketElements` elements (a parameter larger
    /// than that gets a bucket of its own; MPI splits huge messages).
    ///
    /// - Parameter parameterRanges: Each parameter's elements in the flat buffer, in forward
    ///   (registration) order, together covering `0..<total` without gaps or overlaps.
    public init(parameterRanges: [Range<Int>], bucketElements: Int, communicator: Communicator) {
        precondition(bucketElements >= 1, "bucket size must be positive")
        var expected = 0
        for range in parameterRanges {
            precondition(range.lowerBound == expected, "parameter ranges must be contiguous in order")
            expected = range.upperBound
        }
        elementCount = expected
        self.communicator = communicator
        var buckets: [Bucket] = []
        var members: [Int] = []
        var upper = expected
        var lower = expected
        for index in parameterRanges.indices.reversed() {
            members.append(index)
            lower = parameterRanges[index].lowerBound
            if upper - lower >= bucketElements {
                buckets.append(Bucket(range: lower..<upper, parameters: members))
                members = []
                upper = lower
            }
        }
        if !members.isEmpty { buckets.append(Bucket(range: lower..<upper, parameters: members)) }
        self.buckets = buckets
    }

    /// Convenience: buckets of `megabytes` MiB of Float gradients.
    public convenience init(parameterRanges: [Range<Int>], megabytes: Double, communicator: Communicator) {
        self.init(parameterRanges: parameterRanges,
                  bucketElements: max(1, Int(megabytes * 1_048_576 / 4)), communicator: communicator)
    }

    /// The bucket holding element `index`.
    public func bucketIndex(containing index: Int) -> Int {
        // Buckets are sorted by descending range: binary search.
        var low = 0
        var high = buckets.count - 1
        while low < high {
            let mid = (low + high) / 2
            if buckets[mid].range.lowerBound > index { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Prepares a step: nothing is ready, nothing in flight. `gradients` must stay valid until
    /// ``finish(scale:)`` returns.
    public func begin(gradients: UnsafeMutableBufferPointer<Float>) {
        precondition(gradients.count == elementCount, "gradient buffer has \(gradients.count) elements, buckets cover \(elementCount)")
        precondition(pending.allSatisfy { $0 == nil }, "previous step not finished")
        self.gradients = gradients
        outstanding = buckets.map(\.range.count)
        pending = Array(repeating: nil, count: buckets.count)
        nextToStart = 0
        communicationSeconds = 0
        exposedSeconds = 0
    }

    /// Reports that the gradients of `range` are final; starts every bucket that becomes complete.
    public func markReady(_ range: Range<Int>) throws {
        precondition(gradients != nil, "begin(gradients:) first")
        var rest = range
        while !rest.isEmpty {
            let index = bucketIndex(containing: rest.lowerBound)
            let piece = rest.clamped(to: buckets[index].range)
            outstanding[index] -= piece.count
            precondition(outstanding[index] >= 0, "gradient range \(range) reported twice")
            rest = piece.upperBound..<rest.upperBound
        }
        try startReadyBuckets()
    }

    /// Lets in-flight allreduces progress (MPI_Test); call between layers.
    public func progress() throws {
        let start = DispatchTime.now()
        for index in 0..<nextToStart {
            if let collective = pending[index], try collective.test() { pending[index] = nil }
        }
        communicationSeconds += Self.seconds(since: start)
    }

    /// Starts buckets not yet started, waits for all and multiplies the reduced sums by `scale`
    /// (`1 / size` averages).
    public func finish(scale: Float) throws {
        guard let gradients else { preconditionFailure("begin(gradients:) first") }
        let began = DispatchTime.now()
        while nextToStart < buckets.count { try start(bucket: nextToStart) }
        let waiting = DispatchTime.now()
        for index in pending.indices {
            try pending[index]?.wait()
            pending[index] = nil
        }
        communicationSeconds += Self.seconds(since: waiting)
        exposedSeconds += Self.seconds(since: began)
        if scale != 1 {
            for i in gradients.indices { gradients[i] *= scale }
        }
        self.gradients = nil
    }

    private func startReadyBuckets() throws {
        while nextToStart < buckets.count, outstanding[nextToStart] == 0 {
            try start(bucket: nextToStart)
        }
    }

    private func start(bucket index: Int) throws {
        let began = DispatchTime.now()
        let slice = UnsafeMutableBufferPointer(rebasing: gradients![buckets[index].range])
        pending[index] = try communicator.startAllreduce(slice, operator: .sum)
        nextToStart = index + 1
        communicationSeconds += Self.seconds(since: began)
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
