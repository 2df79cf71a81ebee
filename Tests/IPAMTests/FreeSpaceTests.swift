import NetworkAddresses
import PropertyBased
import Testing

@testable import IPAM

@Suite("Free space")
struct FreeSpaceTests {
    /// 198.51.100.240 - 198.51.102.20: crosses two /24 boundaries, so .255/.0 pairs lie inside.
    static let low = UInt128(0xC633_64F0)
    static let high = UInt128(0xC633_6614)

    private func allocatable(_ values: ClosedRange<UInt128>) -> [UInt128] {
        values.filter { !Allocatability.isSkipped($0, .ipv4) }
    }

    private func expanded(_ space: FreeSpace) -> [UInt128] {
        space.intervals.flatMap { allocatable($0) }
    }

    @Test func randomTakesAndReturnsMatchTheSetOfFreeAddresses() async {
        await propertyCheck(count: 80, input: Gen.uint16(in: 0...999).array(of: 0...400)) { operations in
            var space = FreeSpace(family: .ipv4, members: [Self.low...Self.high], minus: [])
            var free = Set(allocatable(Self.low...Self.high))
            let all = allocatable(Self.low...Self.high)
            for operation in operations {
                let value = all[Int(operation) % all.count]
                if operation >= 500 {
                    #expect(space.remove(value) == free.contains(value))
                    free.remove(value)
                } else if !free.contains(value) {
                    space.insert(value)
                    free.insert(value)
                }
            }
            #expect(expanded(space) == free.sorted())
            #expect(space.lowest == free.min())
            #expect(space.highest == free.max())
            // Canonical form: no two intervals separated only by skipped addresses.
            let intervals = space.intervals
            for (a, b) in zip(intervals, intervals.dropFirst()) {
                #expect(Allocatability.next(atOrAbove: a.upperBound + 1, .ipv4) < b.lowerBound)
            }
        }
    }

    @Test func takingEveryAddressOfASlash16InOrderKeepsOneInterval() {
        let base = UInt128(0x0A00_0000)
        var space = FreeSpace(family: .ipv4, members: [base...(base + 0xFFFF)], minus: [])
        for _ in 0..<10_000 {
            guard let lowest = space.lowest else { break }
            space.remove(lowest)
            #expect(space.intervalCount == 1)
        }
        #expect(space.lowest == base + 10_000 / 254 * 256 + 10_000 % 254 + 1)
    }

    @Test func buildingAroundTakenAddressesEqualsTakingThemOneByOne() {
        let members: [ClosedRange<UInt128>] = [Self.low...Self.high]
        let taken: [UInt128] = [Self.low, Self.low + 15, Self.low + 16, 0xC633_6501, 0xC633_65FE, Self.high]
        var stepwise = FreeSpace(family: .ipv4, members: members, minus: [])
        for value in taken { stepwise.remove(value) }
        let built = FreeSpace(family: .ipv4, members: members, minus: taken)
        #expect(built.intervals == stepwise.intervals)
    }

    @Test func ipv6SpaceUpToTheLastAddressWorks() {
        let top = UInt128.max
        var space = FreeSpace(family: .ipv6, members: [(top - 3)...top], minus: [top])
        #expect(space.highest == top - 1)
        space.insert(top)
        #expect(space.intervals == [(top - 3)...top])
    }
}
