import Hummingbird

/// A list of schedules.
struct SchedulesResponse: ResponseEncodable {
    var schedules: [ScheduleResponse]
}
