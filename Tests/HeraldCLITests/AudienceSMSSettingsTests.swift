import EmbeddedPostgres
import Foundation
import Testing

/// The SMS gateway settings of `herald worker` (and `serve`), next to HERALD_SMTP_URL: a wrong or incomplete one stops
/// the worker at once with a one-line error naming the variable.
struct AudienceSMSSettingsTests {
    @Test func anIncompleteOrWrongGatewayNamesTheVariable() async throws {
        let fixture = try await CLIFixture.make()
        let missing = try await fixture.run(["worker"], environment: ["HERALD_SMS_URL": "https://api.twilio.com"])
        #expect(missing.status == 1)
        #expect(isOneLine(missing.standardError), "\(missing.standardError)")
        #expect(missing.standardError.contains("HERALD_SMS_URL is set but HERALD_SMS_ACCOUNT is not"), "\(missing.standardError)")

        let wrong = try await fixture.run(
            ["worker"],
            environment: [
                "HERALD_SMS_URL": "api.twilio.com", "HERALD_SMS_ACCOUNT": "AC1", "HERALD_SMS_TOKEN": "t", "HERALD_SMS_FROM": "+15017122661",
            ]
        )
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("HERALD_SMS_URL must be the gateway's http(s) base URL"), "\(wrong.standardError)")
    }
}
