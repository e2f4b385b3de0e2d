import ContentVariants

/// Briefs shared by the tests.
enum Fixtures {
    static let briefYAML = """
        product: Trailblazer 2 trail shoes
        offer: 20% off this weekend
        audience: trail runners
        link: https://example.com/shoes
        cta: Shop the sale
        hashtags: [trailrunning, ultrarunning, runhappy]
        benefit: grip that holds on wet rock
        proof: 12,000 runners
        deadline: Sunday
        brand: Trailblazer
        """

    static var brief: Brief {
        // The fixture is known to parse; a failure here fails the calling test.
        (try? Brief(parsing: briefYAML, source: "brief.yaml")) ?? Brief(product: "fixture did not parse")
    }

    /// A brief with only a product.
    static let minimal = Brief(product: "Acme Notes")
}
