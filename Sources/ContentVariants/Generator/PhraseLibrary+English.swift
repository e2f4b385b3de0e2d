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
                Phrase("Is {{offer}} enough to make you switch?", tones: [.playful, .urgent]),
                Phrase("{Ready|Want} to see what {{product}} can do?"),
            ],
            // Every number comes from the brief: a number hook is only used when the offer or proof has one.
            .number: [
                Phrase("{{proof | capitalize}} chose {{product}}."),
                Phrase("{{product}}: {{offer}}.", tones: [.professional, .urgent]),
                Phrase("By the numbers: {{offer}} on {{product}}.", tones: [.professional]),
                Phrase("{{offer | capitalize}} on {{product}}."),
            ],
            // Scarcity and time pressure only with the brief's deadline; without one, only an invitation.
            .urgency: [
                Phrase("Only until {{deadline}}: {{offer}}."),
                Phrase("{{offer | capitalize}}, until {{deadline}}."),
                Phrase("The clock is ticking: {{offer}} until {{deadline}}.", tones: [.playful, .urgent, .friendly]),
                Phrase("{{product}}: {{offer}} until {{deadline}}."),
                Phrase("Don't miss {{product}}[: {{offer}}]."),
            ],
            // Social proof only from the brief's proof.
            .socialProof: [
                Phrase("Chosen by {{proof}}: {{product}}."),
                Phrase("{{product}}, chosen by {{proof}}."),
                Phrase("Join {{proof}} and {try|meet} {{product}}."),
            ],
            .benefit: [
                Phrase("{{product}}: {{benefit}}."),
                Phrase("Meet {{product}}, {{benefit}}[ for {{audience}}]."),
                Phrase("{{benefit | capitalize}}, {finally|at last}.", tones: [.playful, .friendly, .urgent]),
                Phrase("{{product}}, made for {{audience}}."),
                Phrase("Say hello to {{product}}.", tones: [.playful, .friendly]),
                Phrase("Meet {{product}}.", tones: [.professional, .urgent]),
            ],
            .curiosity: [
                Phrase("{Plot twist|Turns out}: {{benefit}}.", tones: [.playful, .friendly]),
                Phrase("What's behind {{product}}? {{benefit | capitalize}}."),
                Phrase("A closer look at {{product}}…"),
            ],
        ],
        offers: [
            .playful: [
                Phrase("Treat yourself: {{offer}}!"),
                Phrase("Psst: {{offer}}!"),
                Phrase("Good news: {{offer}}!"),
            ],
            .professional: [
                Phrase("Offer: {{offer}}[, until {{deadline}}]."),
                Phrase("Until {{deadline}}: {{offer}}."),
                Phrase("Current offer: {{offer}}."),
            ],
            .urgent: [
                Phrase("{{offer | capitalize}}[ until {{deadline}}], don't wait!"),
                Phrase("Hurry: {{offer}} until {{deadline}}!"),
                Phrase("Don't wait: {{offer}}[ until {{deadline}}]!"),
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
                Phrase("{{product}} for {{audience}}? Yes, please."),
                Phrase("Made for {{audience}}, with {{benefit}}."),
            ],
            .professional: [
                Phrase("{Designed|Built} for {{audience}}[, with {{benefit}}]."),
                Phrase("{{benefit | capitalize}}, from {{product}}."),
                Phrase("{{product}}: {{benefit}}, for {{audience}}."),
            ],
            .urgent: [
                Phrase("{{benefit | capitalize}}: don't wait."),
                Phrase("Made for {{audience}}: don't wait."),
            ],
            .friendly: [
                Phrase("We made {{product}} for {{audience}} like you."),
                Phrase("{{benefit | capitalize}}, made with you in mind."),
                Phrase("For {{audience}}: {{benefit}}."),
            ],
        ],
        proofs: [
            Phrase("Chosen by {{proof}}."),
            Phrase("Join {{proof}}."),
        ],
        ctas: [
            (.shop, "Shop now"), (.shop, "Grab yours"), (.claim, "Claim the offer"), (.learn, "Learn more"),
            (.learn, "Take a look"), (.shop, "Get yours today"), (.learn, "See for yourself"),
        ],
        subjects: [
            .question: [
                Phrase("{Ready for|Have you tried} {{product}}?"),
                Phrase("Looking for {{benefit}}?"),
                Phrase("{{audience | capitalize}}, ready for {{product}}?"),
            ],
            .number: [
                Phrase("{{offer | capitalize}}: {{product}}"),
                Phrase("{{product}}: {{offer}}"),
                Phrase("{{proof | capitalize}} chose {{product}}"),
            ],
            .urgency: [
                Phrase("Until {{deadline}}: {{offer}}"),
                Phrase("{{offer | capitalize}} until {{deadline}}"),
                Phrase("Don't miss {{product}}"),
            ],
            .socialProof: [
                Phrase("Chosen by {{proof}}: {{product}}"),
                Phrase("{{product}}, chosen by {{proof}}"),
            ],
            .benefit: [
                Phrase("{{benefit | capitalize}}"),
                Phrase("Meet {{product}}"),
                Phrase("{{product}}, made for {{audience}}"),
            ],
            .curiosity: [
                Phrase("A closer look at {{product}}"),
                Phrase("What's behind {{product}}?"),
            ],
        ],
        preheaders: [
            Phrase("{{offer | capitalize}}[ until {{deadline}}]."),
            Phrase("{{benefit | capitalize}}[, for {{audience}}]."),
            Phrase("Made for {{audience}}."),
            Phrase("Chosen by {{proof}}."),
            Phrase("All about {{product}}."),
        ],
        emoji: [
            .playful: ["🎉", "👉", "🙌", "🔥", "✨"],
            .professional: ["✅", "➡️", "📈"],
            .urgent: ["⏰", "👉", "🚨", "⚡"],
            .friendly: ["😊", "👉", "💛", "👋"],
        ]
    )
}
