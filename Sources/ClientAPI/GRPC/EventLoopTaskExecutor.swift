import NIOCore

/// Runs tasks' jobs on a NIO event loop, so that a unary call's task starts and resumes on its
/// connection's loop: no hop through the cooperative thread pool on the way in or out of the service.
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedTaskExecutor()
        self.eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
