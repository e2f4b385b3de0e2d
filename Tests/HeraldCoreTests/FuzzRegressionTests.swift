import Foundation
import Testing

@testable import HeraldCore

/// Inputs the libFuzzer targets in `fuzz/` found crashing a parser, each kept as a test once fixed (the input as
/// found, then a minimal one).
struct FuzzRegressionTests {
    /// `fuzz/run campaign`: a mapping key that is a list made Yams's loader stop the process (a force unwrap in
    /// `Dictionary.private_construct_mapping`), so `herald campaigns create` crashed on such a file.
    @Test(arguments: [
        "LS0tICEhYl9hbnJ5Cj8gW2FdClN1YnsibmFtZSKCgoJ8fcXf3bWssE4gY2FtYXJ5X21ldHJpYyI6INjY2NjY2A==",
        Data("? [a]\n: b\n".utf8).base64EncodedString(),
        Data("{[a]: b}".utf8).base64EncodedString(),
        Data("name: x\nvariants:\n  - {text: hi, {k: v}: 1}\n".utf8).base64EncodedString(),
    ])
    func campaignFileWithANonScalarKeyIsAnError(base64: String) throws {
        let text = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
        #expect {
            try CampaignSpec(parsing: text, source: "campaign.yaml")
        } throws: { error in
            guard let error = error as? ValidationError else { return false }
            return error.location == "campaign.yaml" && error.reason.hasPrefix("not valid JSON or YAML")
        }
    }
}
