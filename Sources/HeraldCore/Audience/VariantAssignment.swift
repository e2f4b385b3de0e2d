import Crypto
import Foundation

/// Which variant a contact receives, and whether they are in a campaign's test share: both decided from the campaign's
/// id and the contact's id alone, so a retry, a rescued job or a second run assigns the same, and the split's
/// sample-ratio check is meaningful.
///
/// The draws are SHA-256 of the campaign's 16 bytes followed by the contact's 16 bytes: the digest's first 8 bytes
/// (big-endian, top 53 bits) are the variant draw, its next 8 bytes the test-share draw, each uniform in [0, 1) and
/// independent of the other. The variant draw picks by cumulative weight in the variants' order.
///
/// ```swift
/// let shares = CampaignSplit.shares(of: campaign.variants(for: .email))
/// let variant = VariantAssignment.variant(campaign: campaign.id, contact: contact, among: variants.map { ($0.id, shares[$0.id] ?? 0) })
/// ```
///
/// - Complexity: O(v) for v variants, one SHA-256 of 32 bytes.
public enum VariantAssignment {
    /// The two draws of a contact in a campaign, each in [0, 1): which variant, and whether in the test share.
    public static func draws(campaign: CampaignID, contact: UUID) -> (variant: Double, test: Double) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        withUnsafeBytes(of: campaign.uuid.uuid) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: contact.uuid) { bytes.append(contentsOf: $0) }
        let digest = Array(SHA256.hash(data: bytes))
        return (unit(digest[0..<8]), unit(digest[8..<16]))
    }

    /// The variant a contact receives among `variants` (in order, each with its weight; weights need not sum to 1),
    /// nil when no variant has a positive weight.
    public static func variant(campaign: CampaignID, contact: UUID, among variants: [(id: VariantID, weight: Double)]) -> VariantID? {
        pick(draws(campaign: campaign, contact: contact).variant, among: variants)
    }

    /// The variant a draw in [0, 1) picks by cumulative weight; nil when no weight is positive.
    public static func pick(_ draw: Double, among variants: [(id: VariantID, weight: Double)]) -> VariantID? {
        let usable = variants.filter { $0.weight.isFinite && $0.weight > 0 }
        let total = usable.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        var cumulative = 0.0
        for candidate in usable {
            cumulative += candidate.weight / total
            if draw < cumulative { return candidate.id }
        }
        return usable.last?.id  // rounding left the draw just above the last boundary
    }

    /// Whether a contact is in the test share (a fraction in [0, 1]) of a campaign.
    public static func isInTestShare(campaign: CampaignID, contact: UUID, share: Double) -> Bool {
        draws(campaign: campaign, contact: contact).test < share
    }

    /// Eight bytes, big-endian, as a uniform number in [0, 1) from their top 53 bits.
    static func unit(_ bytes: ArraySlice<UInt8>) -> Double {
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value >> 11) * 0x1p-53
    }
}
