import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import Storage
import Testing

struct MetricsScheduleTests {
    static let publication = UUID(uuidString: "6f9619ff-8b86-d011-b42d-00c04fc964ff")!
    static let published = Date(timeIntervalSince1970: 1_767_225_600)

    @Test func decaysFromAnHourToAWeekAfterPosting() throws {
        let jobs = MetricsSchedule().jobs(for: Self.publication, publishedAt: Self.published)
        #expect(jobs.map { $0.runAt.timeIntervalSince(Self.published) / 3_600 } == [1, 6, 24, 72, 168])
        #expect(jobs.allSatisfy { $0.kind == .collectMetrics })
        #expect(
            try jobs.map { try CollectMetricsPayload(json: $0.payload) }
                == (1...5).map { CollectMetricsPayload(publication: Self.publication, round: $0) }
        )
        #expect(jobs.first?.payload == #"{"publication_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","round":1}"#)
        #expect(Set(jobs.compactMap(\.uniqueKey)).count == 5)
        #expect(jobs.first?.uniqueKey == "collect_metrics:6f9619ff-8b86-d011-b42d-00c04fc964ff:1")
        #expect(MetricsSchedule().rounds == 5)
    }

    @Test func enqueuingTheScheduleTwiceAddsNoDuplicates() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let queue = JobQueue(database)
            let jobs = MetricsSchedule().jobs(for: Self.publication, publishedAt: Self.published)
            let first = try await queue.enqueue(jobs)
            let again = try await queue.enqueue(jobs)
            let another = try await queue.enqueue(MetricsSchedule().jobs(for: UUID(), publishedAt: Self.published))
            #expect(first == 5 && again == 0 && another == 5)
        }
    }
}
