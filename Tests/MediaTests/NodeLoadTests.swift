import Media
import Synchronization
import Testing

/// Spare CPU for optional work: the machine idle enough between two samples, and nothing dropped lately.
@Suite struct NodeLoadTests {
    /// CPU time counters that advance by the given idle share on every read.
    final class Counters: Sendable {
        let state = Mutex<(idle: UInt64, total: UInt64, share: Double)>((0, 0, 0.5))
        func set(idleShare: Double) { state.withLock { $0.share = idleShare } }
        func read() -> (idle: UInt64, total: UInt64)? {
            state.withLock { s in
                s.idle += UInt64(s.share * 1000)
                s.total += 1000
                return (s.idle, s.total)
            }
        }
    }

    @Test func optionalWorkRunsOnlyWhileTheMachineIsIdleEnoughAndNothingWasDropped() {
        let cpu = Counters()
        let load = NodeLoad(hold: 3600, headroomIdle: 0.25, sampleEvery: 0, readCPU: cpu.read)
        // One sample is no interval: no headroom known yet.
        #expect(!load.hasHeadroom)
        #expect(load.hasHeadroom)
        #expect(abs((load.idleShare() ?? 0) - 0.5) < 1e-9)
        cpu.set(idleShare: 0.1)
        #expect(!load.hasHeadroom)
        cpu.set(idleShare: 0.9)
        #expect(load.hasHeadroom)
        load.reportShort()
        #expect(!load.hasHeadroom)
    }

    @Test func withoutTheMachinesCPUTimeThereIsNoHeadroom() {
        let load = NodeLoad(sampleEvery: 0, readCPU: { nil })
        #expect(!load.hasHeadroom && !load.hasHeadroom && load.idleShare() == nil)
    }

    @Test func samplesAreTakenAtMostEverySoOften() {
        let cpu = Counters()
        let load = NodeLoad(sampleEvery: 3600, readCPU: cpu.read)
        _ = load.idleShare()
        cpu.set(idleShare: 0.9)
        // Within the interval the last sample stands: none yet, so no share.
        #expect(load.idleShare() == nil && !load.hasHeadroom)
        #expect(cpu.state.withLock { $0.total } == 1000)
    }

    /// Every camera's analysis asks at once: a caller that read the clock before another stored a
    /// later sample must not take the difference as negative (an unsigned overflow stopped a worker
    /// at 64 cameras).
    @Test func manyCamerasAskingAtOnceAreSafe() async {
        let cpu = Counters()
        let load = NodeLoad(sampleEvery: 0, readCPU: cpu.read)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<20_000 { _ = load.hasHeadroom } }
            }
        }
        #expect(load.idleShare() != nil)
    }

    @Test func theMachinesCPUTimeIsReadFromProc() throws {
        let a = try #require(NodeLoad.procStat())
        #expect(a.total > 0 && a.idle <= a.total)
    }
}
