import Foundation
import HeraldCore
import Testing

@Suite struct CampaignSplitTests {
    static func variants(_ weights: [Double?]) -> [Campaign.Variant] {
        weights.enumerated().map { index, weight in
            Campaign.Variant(id: VariantID(UUID()), key: CampaignSpec.defaultKey(at: index), text: "t", channels: [.x], weight: weight)
        }
    }

    /// Runs `fires` one-post fires and answers the keys in order.
    static func rotation(_ variants: [Campaign.Variant], fires: Int) -> [String] {
        var counts: [VariantID: Int] = [:]
        var keys: [String] = []
        for _ in 0..<fires {
            guard let next = CampaignSplit.next(among: variants, published: counts) else { break }
            counts[next.id, default: 0] += 1
            keys.append(next.key)
        }
        return keys
    }

    @Test func equalSharesAlternate() {
        #expect(Self.rotation(Self.variants([nil, nil]), fires: 6) == ["A", "B", "A", "B", "A", "B"])
        #expect(Self.rotation(Self.variants([nil, nil, nil]), fires: 6) == ["A", "B", "C", "A", "B", "C"])
    }

    @Test func weightsAreFollowedExactlyOverEveryRunOfFires() {
        let keys = Self.rotation(Self.variants([0.75, 0.25]), fires: 8)
        #expect(keys.filter { $0 == "A" }.count == 6)
        #expect(Array(keys.prefix(4)).filter { $0 == "B" }.count == 1)
        #expect(!Self.rotation(Self.variants([1, 0]), fires: 5).contains("B"), "a share of 0 never goes")
    }

    @Test func sharesAreNormalisedAndDefaultToEqual() {
        let variants = Self.variants([2, 6])
        let shares = CampaignSplit.shares(of: variants)
        #expect(shares[variants[0].id] == 0.25 && shares[variants[1].id] == 0.75)
        let equal = Self.variants([nil, 0.5, nil])
        #expect(CampaignSplit.shares(of: equal).values.allSatisfy { abs($0 - 1.0 / 3) < 1e-12 })
        // A variant added after a split was set weighs the mean of the set weights; a stopped one stays stopped.
        let added = Self.variants([1, 0, nil])
        let shares2 = CampaignSplit.shares(of: added)
        #expect(abs(shares2[added[0].id]! - 2.0 / 3) < 1e-12 && shares2[added[1].id] == 0 && abs(shares2[added[2].id]! - 1.0 / 3) < 1e-12)
    }

    /// Property: over any number of fires, each variant's count stays within one post of its share.
    @Test func everyPrefixStaysWithinOnePostOfTheShares() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let count = Int(random.next() % 4) + 2
            let variants = Self.variants((0..<count).map { _ in Double(random.next() % 100 + 1) })
            let shares = CampaignSplit.shares(of: variants)
            var counts: [VariantID: Int] = [:]
            for fire in 1...60 {
                let next = CampaignSplit.next(among: variants, published: counts)!
                counts[next.id, default: 0] += 1
                for variant in variants {
                    #expect(abs(Double(counts[variant.id] ?? 0) - shares[variant.id]! * Double(fire)) < 1 + 1e-9)
                }
            }
        }
    }
}

@Suite struct CampaignStatusTests {
    @Test func transitionsFollowTheTable() {
        #expect(CampaignAction.pause.allowedFrom == [.scheduled, .running])
        #expect(CampaignAction.resume.target(from: .paused, hasPublished: true) == .running)
        #expect(CampaignAction.resume.target(from: .paused, hasPublished: false) == .scheduled)
        #expect(CampaignAction.pause.refusal(from: .ended) == "cannot pause a campaign that is ended; it can only archive")
        #expect(CampaignAction.start.refusal(from: .archived) == "cannot start a campaign that is archived; nothing can change it")
        // Every action leads to a state its origin may move to.
        for action in CampaignAction.allCases {
            for status in action.allowedFrom {
                for published in [false, true] {
                    let target = action.target(from: status, hasPublished: published)
                    #expect(status.canMove(to: target), "\(action) from \(status) to \(target)")
                }
            }
        }
        #expect(CampaignStatus.allCases.filter(\.publishes) == [.scheduled, .running])
    }
}
