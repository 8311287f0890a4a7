/// Packet ids waiting for their release time (nanoseconds on the monotonic clock), the earliest first: a
/// binary min-heap, since a jittered delay releases packets out of arrival order.
struct HeldPackets {
    private var heap: [(due: UInt64, id: UInt32)] = []

    var isEmpty: Bool { self.heap.isEmpty }

    /// When the earliest packet is due.
    var nextDue: UInt64? { self.heap.first?.due }

    mutating func hold(_ id: UInt32, until due: UInt64) {
        self.heap.append((due, id))
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].due < self.heap[parent].due else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the ids due at `now`.
    mutating func release(at now: UInt64) -> [UInt32] {
        var due: [UInt32] = []
        while let first = self.heap.first, first.due <= now {
            due.append(first.id)
            self.heap.swapAt(0, self.heap.count - 1)
            self.heap.removeLast()
            self.siftDown()
        }
        return due
    }

    /// Removes and returns every id, due or not.
    mutating func releaseAll() -> [UInt32] {
        defer { self.heap.removeAll() }
        return self.heap.map(\.id)
    }

    private mutating func siftDown() {
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var smallest = parent
            if left < self.heap.count, self.heap[left].due < self.heap[smallest].due { smallest = left }
            if right < self.heap.count, self.heap[right].due < self.heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            self.heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
