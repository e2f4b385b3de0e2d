import Connectors
import Foundation
import Logging
import PlatformStandIns
import Testing

/// The Twilio connector against the Twilio stand-in over loopback HTTP.
@Suite struct TwilioSMSConnectorTests {
    static let logger = Logger(label: "herald.test.twilio")

    static func connector(_ base: String, standIn: TwilioStandIn, token: String? = nil) -> TwilioSMSConnector {
        TwilioSMSConnector(
            http: PlatformHTTP(timeout: .seconds(5)),
            baseURL: base,
            accountSID: standIn.configuration.accountSID,
            authToken: token ?? standIn.configuration.authToken,
            logger: logger
        )
    }

    @Test func sendsAndTheStandInStoresTheMessage() async throws {
        let standIn = TwilioStandIn()
        try await StandInServer.run(standIn.router()) { base in
            let connector = Self.connector(base, standIn: standIn)
            let long = String(repeating: "Trail season is here. ", count: 10)
            let receipt = try await connector.send(SMSMessage(to: "+15558675310", from: "+15017122661", body: long))
            #expect(receipt.id.hasPrefix("SM") && receipt.id.count == 34)
            #expect(receipt.status == "queued")
            #expect(receipt.segments == 2)
            let emoji = try await connector.send(SMSMessage(to: "+447700900123", from: "+15017122661", body: "Soldes d'été ☀️"))
            #expect(emoji.segments == 1)
            #expect(standIn.messages.map(\.to) == ["+15558675310", "+447700900123"])
            #expect(standIn.messages.map(\.body) == [long, "Soldes d'été ☀️"])
        }
    }

    @Test func anInvalidNumberIsRejectedContentWithTwiliosCode() async throws {
        let standIn = TwilioStandIn()
        try await StandInServer.run(standIn.router()) { base in
            await #expect(
                throws: ConnectorError(.rejectedContent, "Twilio error 21211: The 'To' number 5558675310 is not a valid phone number.", status: 400)
            ) {
                _ = try await Self.connector(base, standIn: standIn).send(SMSMessage(to: "5558675310", from: "+15017122661", body: "Hi"))
            }
            #expect(standIn.messages.isEmpty)
        }
    }

    @Test func aWrongTokenIsAnAuthFailure() async throws {
        let standIn = TwilioStandIn()
        try await StandInServer.run(standIn.router()) { base in
            await #expect(throws: ConnectorError(.auth, "Twilio error 20003: Authenticate", status: 401)) {
                _ = try await Self.connector(base, standIn: standIn, token: "wrong").send(
                    SMSMessage(to: "+15558675310", from: "+15017122661", body: "Hi")
                )
            }
        }
    }

    @Test func tooManyRequestsIsRateLimitedAndAServerErrorTransient() async throws {
        let standIn = TwilioStandIn()
        standIn.faults.inject(TwilioStandIn.tooManyRequests, .answer(status: 503, body: "Service Unavailable"), into: "messages")
        try await StandInServer.run(standIn.router()) { base in
            let connector = Self.connector(base, standIn: standIn)
            let message = SMSMessage(to: "+15558675310", from: "+15017122661", body: "Hi")
            await #expect(throws: ConnectorError(.rateLimited, "Twilio error 20429: Too Many Requests", status: 429)) {
                _ = try await connector.send(message)
            }
            do {
                _ = try await connector.send(message)
                Issue.record("a 503 was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .transient && error.status == 503)
            }
            _ = try await connector.send(message)
            #expect(standIn.messages.count == 1)
        }
    }

    @Test func anUnsubscribedRecipientAndAnOverlongBodyAreRejected() async throws {
        let standIn = TwilioStandIn(TwilioStandIn.Configuration(unsubscribed: ["+15558675310"]))
        try await StandInServer.run(standIn.router()) { base in
            let connector = Self.connector(base, standIn: standIn)
            await #expect(throws: ConnectorError(.rejectedContent, "Twilio error 21610: Attempt to send to unsubscribed recipient", status: 400)) {
                _ = try await connector.send(SMSMessage(to: "+15558675310", from: "+15017122661", body: "Hi"))
            }
            do {
                _ = try await connector.send(SMSMessage(to: "+15558675311", from: "+15017122661", body: String(repeating: "a", count: 1_601)))
                Issue.record("an overlong body was sent")
            } catch let error as ConnectorError {
                #expect(error.kind == .rejectedContent)
            }
            #expect(standIn.messages.isEmpty)
        }
    }

    @Test func noAnswerAfterSendingIsAnUnknownOutcome() async throws {
        let standIn = TwilioStandIn()
        standIn.faults.inject(.storeThenStall(seconds: 10), into: "messages")
        try await StandInServer.run(standIn.router()) { base in
            let connector = TwilioSMSConnector(
                http: PlatformHTTP(timeout: .seconds(1)),
                baseURL: base,
                accountSID: standIn.configuration.accountSID,
                authToken: standIn.configuration.authToken,
                logger: Self.logger
            )
            do {
                _ = try await connector.send(SMSMessage(to: "+15558675310", from: "+15017122661", body: "Hi"))
                Issue.record("a stalled answer was taken as accepted")
            } catch let error as ConnectorError {
                #expect(error.kind == .unknownOutcome)
            }
            // Twilio stored it: sending again would text the person twice, hence at most once.
            #expect(standIn.messages.count == 1)
        }
    }

    @Test func theRequestIsTheDocumentedForm() {
        let request = TwilioMessages.request(
            SMSMessage(to: "+15558675310", from: "+15017122661", body: "Hi & bye"),
            baseURL: "https://api.twilio.com/",
            accountSID: "AC123",
            authToken: "tok"
        )
        #expect(request.url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json")
        #expect(request.method == "POST" && !request.idempotent)
        #expect(request.body == Data("To=%2B15558675310&From=%2B15017122661&Body=Hi%20%26%20bye".utf8))
        #expect(request.headers.contains { $0 == ("Authorization", "Basic " + Data("AC123:tok".utf8).base64EncodedString()) })
    }
}
