import ArgumentParser
import HeraldCore
import Scheduling
import Storage

// Herald's enumerations that commands take as options, by their raw values.
extension ReportFormat: ExpressibleByArgument {}
extension MissedFirePolicy: ExpressibleByArgument {}
extension JobState: ExpressibleByArgument {}
