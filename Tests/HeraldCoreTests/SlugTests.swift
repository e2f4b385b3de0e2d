import HeraldCore
import PropertyBased
import Testing

struct SlugTests {
    @Test func derivesReadableSlugs() {
        #expect(Slug.derive(from: "Trailblazer Spring Sale!") == "trailblazer-spring-sale")
        #expect(Slug.derive(from: "  --Crème brûlée-- ") == "creme-brulee")
        #expect(Slug.derive(from: "🔥🔥") == nil)
    }

    @Test func derivedSlugsAreAlwaysValid() async {
        let alphabet = Array("aZ9 -_!é🔥.Ω")
        let characters = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }
        await propertyCheck(input: characters.string(of: 0...80)) { name in
            if let slug = Slug.derive(from: name) {
                #expect(Slug.isValid(slug), "\(name) gave \(slug)")
                #expect(!slug.hasSuffix("-") && !slug.contains("--"))
            }
        }
    }
}
