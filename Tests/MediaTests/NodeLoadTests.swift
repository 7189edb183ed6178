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

    /// A clock that moves only when told.
    final class Clock: Sendable {
        let nanos = Mutex<UInt64>(1)
        func read() -> UInt64 { nanos.withLock { $0 } }
        func advance(seconds: Double) { nanos.withLock { $0 += UInt64(seconds * 1e9) } }
    }

    @Test func sparePassesSpendOnlyTheIdleBeyondTheHeadroomAndCountAsIdleForOtherWork() {
        // One CPU: a sample a second of 1000 units, 1000 units a second of one thread.
        let cpu = Counters(), clock = Clock()
        let load = NodeLoad(hold: 3600, headroomIdle: 0.25, spareIdle: 0.25, sampleEvery: 1, ticksPerSecond: 1000, clock: clock.read, readCPU: cpu.read)
        #expect(!load.maySpare)  // one sample: nothing budgeted
        clock.advance(seconds: 1)
        // Half idle: half the idle beyond a quarter, 0.125 s, until the next sample.
        #expect(load.maySpare)
        load.spentSpare(seconds: 0.1)
        #expect(load.maySpare)
        load.spentSpare(seconds: 0.05)
        #expect(!load.maySpare)
        // The machine 20 % idle while spare passes took 15 %: other optional work still has its
        // quarter (spare passes give way), and the spare budget shrinks to 0.125 s.
        cpu.set(idleShare: 0.2)
        clock.advance(seconds: 1)
        #expect(load.hasHeadroom && abs((load.idleShare() ?? 0) - 0.2) < 1e-9)
        load.spentSpare(seconds: 0.12)
        #expect(load.maySpare)
        load.spentSpare(seconds: 0.01)
        #expect(!load.maySpare)
        // A skipped pass: none at all.
        clock.advance(seconds: 1)
        load.reportShort()
        #expect(!load.maySpare && !load.hasHeadroom)
    }

    @Test func sparePassesBringTheMachineToTheIdleTheyLeaveWithoutSwinging() {
        // A machine 60 % idle without spare passes, which take all they are allowed each second.
        let cpu = Counters(), clock = Clock()
        let load = NodeLoad(hold: 3600, headroomIdle: 0.25, spareIdle: 0.25, sampleEvery: 1, ticksPerSecond: 1000, clock: clock.read, readCPU: cpu.read)
        cpu.set(idleShare: 0.6)
        _ = load.maySpare
        var idle: [Double] = []
        for _ in 0..<12 {
            var spent = 0.0
            while load.maySpare, spent < 1 { load.spentSpare(seconds: 0.005); spent += 0.005 }
            cpu.set(idleShare: 0.6 - spent)
            clock.advance(seconds: 1)
            idle.append(load.idleShare() ?? 1)
        }
        // Half the way each second: 0.6, 0.43, 0.34, … never below the quarter, and there at the end.
        #expect(idle.allSatisfy { $0 >= 0.25 - 0.01 }, "\(idle)")
        #expect(abs(idle.last! - 0.25) < 0.01, "\(idle)")
        #expect(zip(idle, idle.dropFirst()).allSatisfy { $1 <= $0 + 0.006 }, "\(idle)")
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
