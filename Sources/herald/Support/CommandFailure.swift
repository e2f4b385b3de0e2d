/// A command's own failure: the message is already written for the user.
struct CommandFailure: Error {
    var message: String
    var status: Int32 = 1
}
