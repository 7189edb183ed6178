import Dispatch
import Testing
import Worker

@Suite struct FrameChannelTests {
    @Test func dropsTheOldestWhenFullAndCountsIt() async {
        let b = FrameChannel<Int>(capacity: 3)
        for i in 1...5 { b.push(i) }
        #expect(b.dropped == 2)
        #expect(b.waiting == 3)
        b.finish()
        var got: [Int] = []
        for await v in b.items { got.append(v) }
        #expect(got == [3, 4, 5])  // the freshest frames survive
        #expect(b.waiting == 0)
    }

    @Test func aWaitingConsumerGetsItemsAsTheyCome() async {
        let b = FrameChannel<Int>(capacity: 2)
        async let consumed: [Int] = {
            var got: [Int] = []
            for await v in b.items { got.append(v) }
            return got
        }()
        for i in 0..<100 {
            b.push(i)
            if i % 10 == 0 { try? await Task.sleep(for: .milliseconds(2)) }
        }
        b.finish()
        let got = await consumed
        #expect(got.count + b.dropped == 100)
        #expect(got == got.sorted())  // order kept
        #expect(got.last == 99)
    }

    @Test func pushAfterFinishIsRefused() {
        let b = FrameChannel<Int>(capacity: 1)
        b.finish()
        #expect(!b.push(1))
        #expect(b.accepted == 0)
    }
}

/// Camera analysis runs on its own queue, not on Swift's cooperative threads.
@Suite struct AnalysisExecutorTests {
    @Test func analysisRunsOnTheCameraQueue() async {
        let executor = AnalysisExecutor(label: "retina.analysis.test-cam")
        let label = await Task.detached(executorPreference: executor) { () async -> String in
            await Task.yield()  // also after a suspension
            return DispatchQueue.getSpecific(key: AnalysisExecutor.queueKey) ?? "cooperative pool"
        }.value
        #expect(label == "retina.analysis.test-cam")
    }
}
