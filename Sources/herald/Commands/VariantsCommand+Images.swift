import ArgumentParser
import Channels
import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore
import Storage

extension VariantsCommand {
    /// `herald variants describe-image VARIANT [--image N]`: alt text and caption ideas from a vision model, stored for review.
    struct DescribeImage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "describe-image",
            abstract: "Ask the configured vision model for alt text and 3 caption ideas from a variant's image; stored as suggestions for review.",
            discussion: """
                Needs HERALD_LLM_URL and HERALD_LLM_MODEL, and HERALD_LLM_VISION=1 to say the model accepts images (the \
                image is sent as a data URL in an image_url content part). Nothing is applied: list the suggestions with \
                `herald variants suggestions VARIANT`, then accept or reject each.
                """
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The variant's id.") var variant: String
        @Option(help: "Which of its images (1 for the first).") var image: Int = 1
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let variantID = VariantID(variant) else {
                throw HeraldCore.ValidationError(field: "VARIANT", reason: "\"\(variant)\" is not a variant id")
            }
            guard image >= 1 else { throw HeraldCore.ValidationError(field: "--image", reason: "is \(image); images are numbered from 1") }
            guard let llm = try options.configuration().llm.get() else {
                throw CommandFailure(
                    message:
                        "no vision model is configured: set HERALD_LLM_URL, HERALD_LLM_MODEL and HERALD_LLM_VISION=1 (for a model that accepts images)"
                )
            }
            let describer: ImageDescriber
            do {
                describer = try ImageDescriber(configuration: llm, transport: HTTPChatTransport())
            } catch {
                throw CommandFailure(message: "no vision model is configured: \(error.reason)")
            }
            let position = image - 1
            let suggestions = try await options.session().run { database, workspace in
                let store = MediaSuggestionStore(database, workspace: workspace)
                let found = try await store.image(of: variantID, position: position)
                let description: ImageDescription
                do {
                    description = try await describer.describe(image: found.data, mimeType: found.mimeType, context: found.text)
                } catch {
                    throw CommandFailure(message: "\(error)")
                }
                return try await store.add(
                    variant: variantID,
                    media: found.media,
                    position: position,
                    altText: description.altText,
                    captions: description.captions,
                    model: llm.model,
                    prompt: ImageDescriber.prompt
                )
            }
            print(json ? try Terminal.json(suggestions) : Suggestions.describe(suggestions))
        }
    }

    /// `herald variants suggestions VARIANT [--json]`: the suggestions made from a variant's images.
    struct Suggestions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the alt text and caption suggestions made from a variant's images.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The variant's id.") var variant: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let variantID = VariantID(variant) else {
                throw HeraldCore.ValidationError(field: "VARIANT", reason: "\"\(variant)\" is not a variant id")
            }
            let suggestions = try await options.session().run { database, workspace in
                try await MediaSuggestionStore(database, workspace: workspace).list(variant: variantID)
            }
            if json {
                print(try Terminal.json(suggestions))
                return
            }
            print(suggestions.isEmpty ? "No suggestions: ask for some with `herald variants describe-image \(variant)`." : Self.describe(suggestions))
        }

        /// One line per suggestion: id, state, kind, image number, model, text.
        static func describe(_ suggestions: [MediaSuggestion]) -> String {
            suggestions.map { suggestion in
                let kind = suggestion.kind == .altText ? "alt text" : "caption "
                return
                    "\(suggestion.id.uuidString.lowercased())  \(suggestion.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(kind)  image \(suggestion.position + 1)  \(suggestion.model): \(suggestion.text)"
            }.joined(separator: "\n")
        }
    }

    /// `herald variants accept-suggestion ID`: applies one suggestion (alt text) or makes a variant of it (caption).
    struct AcceptSuggestion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accept-suggestion",
            abstract: "Accept a suggestion: alt text replaces the image's; a caption idea becomes a new variant with the same image and channels."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "The suggestion's id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let suggestionID = UUID(uuidString: id) else {
                throw HeraldCore.ValidationError(field: "ID", reason: "\"\(id)\" is not a suggestion id")
            }
            let linkLength = CampaignChannelCheck.linkLength(publicURL: options.configuration().publicURL)
            let accepted = try await options.session().run { database, workspace in
                try await MediaSuggestionStore(database, workspace: workspace).accept(suggestionID, trackingLinkLength: linkLength)
            }
            if json {
                print(try Terminal.json(accepted))
            } else if let created = accepted.createdVariant {
                print("accepted: new variant \(created) (from \(accepted.variant), generator vision:\(accepted.model))")
            } else {
                print("accepted: the alt text of image \(accepted.position + 1) of \(accepted.variant) is now the suggested one")
            }
        }
    }

    /// `herald variants reject-suggestion ID`.
    struct RejectSuggestion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reject-suggestion", abstract: "Reject a suggestion; nothing changes.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The suggestion's id.") var id: String

        func run() async throws {
            guard let suggestionID = UUID(uuidString: id) else {
                throw HeraldCore.ValidationError(field: "ID", reason: "\"\(id)\" is not a suggestion id")
            }
            _ = try await options.session().run { database, workspace in
                try await MediaSuggestionStore(database, workspace: workspace).reject(suggestionID)
            }
            print("rejected")
        }
    }
}
