import Foundation

extension PhraseLibrary {
    /// The English phrase library.
    public static let english = PhraseLibrary(
        language: "en",
        hooks: [
            .question: [
                Phrase("{Looking for|Need|Still searching for} {{benefit}}?"),
                Phrase("Calling all {{audience}}: {ready for|have you tried} {{product}}[ yet]?"),
                Phrase("Have you {tried|met} {{product}} yet?"),
                Phrase("What if {{benefit}} was the new normal?", tones: [.professional, .friendly]),
                Phrase("Who said {{benefit}} had to cost a fortune?", tones: [.playful, .friendly]),
                Phrase("Is {{offer}} enough to make you switch?", tones: [.playful, .urgent]),
                Phrase("{Ready|Want} to see what {{product}} can do?"),
            ],
            .number: [
                Phrase("{{proof | capitalize}} can't be wrong."),
                Phrase("3 reasons {{audience}} are switching to {{product}}."),
                Phrase("1 {reason|thing} to switch: {{benefit}}."),
                Phrase("{{product}}: {{offer}}.", tones: [.professional, .urgent]),
                Phrase("By the numbers: {{offer}} on {{product}}.", tones: [.professional]),
                Phrase("3 reasons to try {{product}}."),
            ],
            .urgency: [
                Phrase("Last chance: {{offer}}[ ends {{deadline}}]."),
                Phrase("{Hurry|Quick}, {{offer}} won't last{!|.}", tones: [.playful, .urgent, .friendly]),
                Phrase("The clock is ticking on {{offer}}."),
                Phrase("Only until {{deadline}}: {{offer}}."),
                Phrase("Don't miss {{product}}[ at {{offer}}]."),
                Phrase("{Time's running out|Final hours} for {{product}}[: {{offer}}]."),
            ],
            .socialProof: [
                Phrase("{Join|Be one of} {{proof}} who {already love|swear by} {{product}}."),
                Phrase("{{proof | capitalize}} {already |}swear by {{product}}."),
                Phrase("There's a reason {{audience}} keep choosing {{product}}."),
                Phrase("{{product}}: the one {{audience}} keep recommending."),
                Phrase("Our most-loved {launch|release} yet: {{product}}.", tones: [.friendly, .playful, .professional]),
            ],
            .benefit: [
                Phrase("{{product}}: {{benefit}}."),
                Phrase("Meet {{product}}, {{benefit}}[ for {{audience}}]."),
                Phrase("{{benefit | capitalize}}, {finally|at last}.", tones: [.playful, .friendly, .urgent]),
                Phrase("{{product}}, made for {{audience}}."),
                Phrase("Say hello to {{product}}.", tones: [.playful, .friendly]),
                Phrase("Introducing {{product}}.", tones: [.professional]),
            ],
            .curiosity: [
                Phrase("The secret {{audience}} {keep to themselves|don't talk about}…"),
                Phrase("{We didn't expect this|Plot twist|Turns out}: {{benefit}}.", tones: [.playful, .friendly]),
                Phrase("Here's why {{audience}} are talking about {{product}}."),
                Phrase("There's something different about {{product}}…"),
                Phrase("The one thing {{audience}} {wish they knew sooner|always ask about}…"),
                Phrase("What makes {{product}} different? {It's in the details.|Look closer.}", tones: [.professional, .friendly]),
            ],
        ],
        offers: [
            .playful: [
                Phrase("Treat yourself: {{offer}}!"),
                Phrase("{Psst|Oh, and}: {{offer}}!"),
                Phrase("Good news: {{offer}}!"),
            ],
            .professional: [
                Phrase("For a limited time: {{offer}}."),
                Phrase("Offer: {{offer}}[, until {{deadline}}]."),
                Phrase("Now available with {{offer}}."),
            ],
            .urgent: [
                Phrase("{{offer | capitalize}}[ until {{deadline}}], don't wait!"),
                Phrase("Hurry: {{offer}}[, ends {{deadline}}]!"),
                Phrase("{{offer | capitalize}}, {while it lasts|before it's gone}!"),
            ],
            .friendly: [
                Phrase("{And right now|Right now}, you'll get {{offer}}."),
                Phrase("We saved you something: {{offer}}."),
                Phrase("Here's a little thank-you: {{offer}}."),
            ],
        ],
        bodies: [
            .playful: [
                Phrase("{{benefit | capitalize}}? Yes, please."),
                Phrase("Your {next adventure|weekend plans} just got an upgrade."),
                Phrase("Made for {{audience}} who {want it all|never sit still}."),
            ],
            .professional: [
                Phrase("{Designed|Built} for {{audience}}[, with {{benefit}}]."),
                Phrase("{{product}} delivers {{benefit}}."),
                Phrase("Engineered for {{audience}} who expect more."),
            ],
            .urgent: [
                Phrase("{{benefit | capitalize}}, and {it's going fast|stock is limited}."),
                Phrase("{{audience | capitalize}} are snapping these up."),
            ],
            .friendly: [
                Phrase("We made {{product}} for {{audience}} like you."),
                Phrase("{{benefit | capitalize}}: we think you'll love it."),
                Phrase("You'll feel the difference from day one."),
            ],
        ],
        proofs: [
            Phrase("{Already loved|Loved} by {{proof}}."),
            Phrase("{{proof | capitalize}} can't be wrong."),
            Phrase("Trusted by {{proof}}."),
        ],
        ctas: [
            (.shop, "Shop now"), (.shop, "Grab yours"), (.claim, "Claim the deal"), (.learn, "Learn more"),
            (.learn, "See why"), (.shop, "Get yours today"), (.learn, "Take a look"),
        ],
        subjects: [
            .question: [
                Phrase("{Ready for|Have you tried} {{product}}?"),
                Phrase("Looking for {{benefit}}?"),
                Phrase("{{audience | capitalize}}, is this your next favorite?"),
            ],
            .number: [
                Phrase("{{offer | capitalize}}: {{product}}"),
                Phrase("3 reasons to try {{product}}"),
                Phrase("{{proof | capitalize}} agree"),
            ],
            .urgency: [
                Phrase("Last chance: {{offer}}"),
                Phrase("Ends {{deadline}}: {{offer}}"),
                Phrase("{Final hours|Don't miss out}: {{product}}"),
            ],
            .socialProof: [
                Phrase("Why {{proof}} love {{product}}"),
                Phrase("{{audience | capitalize}} keep choosing {{product}}"),
                Phrase("Our most-loved {launch|release}: {{product}}"),
            ],
            .benefit: [
                Phrase("{{benefit | capitalize}}"),
                Phrase("Meet {{product}}"),
                Phrase("{{product}}, made for {{audience}}"),
            ],
            .curiosity: [
                Phrase("The secret {{audience}} keep to themselves"),
                Phrase("There's something different about {{product}}"),
                Phrase("You'll want to open this"),
            ],
        ],
        emoji: [
            .playful: ["🎉", "👉", "🙌", "🔥", "✨"],
            .professional: ["✅", "➡️", "📈"],
            .urgent: ["⏰", "👉", "🚨", "⚡"],
            .friendly: ["😊", "👉", "💛", "👋"],
        ]
    )
}
