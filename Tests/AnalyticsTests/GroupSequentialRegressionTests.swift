import Testing

@testable import Analytics

/// Boundaries and p-values recorded from the implementation before the fast recursion (a fresh grid per look, the
/// whole kernel, 80 bisection steps per boundary; a bisection on α for p-values): the fast one must agree to 1e-6 on
/// boundaries and to the p-value's tolerance (0.1% relative). The recorded boundaries were themselves within 6e-7 of
/// the converged values (that implementation on a grid 8 times finer), the fast ones are within 5e-8.
struct GroupSequentialRegressionTests {
    struct Recorded {
        var fractions: [Double]
        var spending: GroupSequentialDesign.Spending
        var boundaries: [Double]
        /// (z, repeated p-value, stage-wise p-value)
        var pValues: [(Double, Double, Double)] = []
    }

    static let recorded: [Recorded] = [
        Recorded(
            fractions: [0.25, 0.5, 0.75, 1],
            spending: .power(2),
            boundaries: [2.955166847498, 2.559350731300, 2.300855867641, 2.091966937726],
            pValues: [
                (0.0, 1, 0.9999995812), (1.0, 0.3663049382, 0.3189760486), (2.0, 0.06150924973, 0.05746329813), (2.5, 0.0182178888, 0.03286011678),
                (3.0, 0.004275446195, 0.02852580535), (4.0, 0.0001140267736, 0.02812526891), (6.5, 1.722201584e-10, 0.028125),
            ]
        ),
        Recorded(
            fractions: (1...30).map { Double($0) / 30 },
            spending: .power(2),
            boundaries: [
                4.030934372846, 3.752472700578, 3.590456187363, 3.466786484403, 3.364338119137, 3.275854385355, 3.197412980584, 3.126603601620,
                3.061820807354, 3.001933656291, 2.946111644529, 2.893724842200, 2.844282956199, 2.797396130166, 2.752748796904, 2.710081581586,
                2.669178506702, 2.629857630441, 2.591964151223, 2.555365156295, 2.519945609159, 2.485605225779, 2.452256008512, 2.419820279424,
                2.388229101020, 2.357420970299, 2.327340776126, 2.297938928331, 2.269170610576, 2.240995187169,
            ],
            pValues: [
                (0.0, 1, 0.9999999349), (1.0, 0.431043881, 0.3197992171), (2.0, 0.08403079582, 0.06217897176), (2.5, 0.02700962501, 0.04694479138),
                (3.0, 0.006896409586, 0.04672223835), (4.0, 0.0002175326318, 0.04672222222), (6.5, 4.789584631e-10, 0.04672222222),
            ]
        ),
        Recorded(
            fractions: (1...10).map { Double($0) / 30 },
            spending: .power(2),
            boundaries: [
                4.030934372846, 3.752472700578, 3.590456187363, 3.466786484403, 3.364338119137, 3.275854385355, 3.197412980584, 3.126603601620,
                3.061820807354, 3.001933656291,
            ],
            pValues: [
                (0.0, 1, 0.9999999426), (1.0, 1, 0.3174186299), (2.0, 0.65875752, 0.04617625245), (2.5, 0.2043736046, 0.01389304025),
                (3.0, 0.05032481958, 0.005566691448), (4.0, 0.001472620427, 0.004500162731), (6.5, 2.716188843e-09, 0.0045),
            ]
        ),
        Recorded(
            fractions: [0.2, 0.4, 0.6, 0.8, 1],
            spending: .obrienFleming,
            boundaries: [4.876884948776, 3.357011847964, 2.680280150493, 2.289817046988, 2.031032419454],
            pValues: []
        ),
        Recorded(
            fractions: [0.1, 0.15, 0.3, 0.55, 0.7, 0.9, 1],
            spending: .pocock,
            boundaries: [2.655110047968, 2.756674919917, 2.522873283722, 2.386838587037, 2.436848315297, 2.396892345329, 2.445799789557],
            pValues: []
        ),
        Recorded(
            fractions: [0.05, 0.3, 0.31, 0.8],
            spending: .power(3),
            boundaries: [4.517750726942, 3.206359533571, 3.297672046373, 2.245055897610],
            pValues: []
        ),
        Recorded(
            fractions: (1...100).map { Double($0) / 100 },
            spending: .power(2),
            boundaries: [
                4.564787730280, 4.321924949910, 4.186693812517, 4.085075410113, 4.001692968373, 3.930216522099, 3.867273215791, 3.810805776263,
                3.759449529496, 3.712245531107, 3.668490664580, 3.627652192035, 3.589315796799, 3.553152242007, 3.518895169027, 3.486325776261,
                3.455261954927, 3.425550376582, 3.397060637407, 3.369680852528, 3.343314239721, 3.317876480819, 3.293293639462, 3.269500498791,
                3.246439222209, 3.224058268225, 3.202311483818, 3.181157378417, 3.160558509522, 3.140480952980, 3.120893882209, 3.101769185798,
                3.083081163681, 3.064806248128, 3.046922771444, 3.029410762433, 3.012251779942, 2.995428750751, 2.978925836027, 2.962728314792,
                2.946822479559, 2.931195543984, 2.915835560927, 2.900731349494, 2.885872429927, 2.871248965311, 2.856851709274, 2.842671958943,
                2.828701512534, 2.814932631026, 2.801358003472, 2.787970715518, 2.774764222965, 2.761732319269, 2.748869117254, 2.736169027383,
                2.723626738568, 2.711237193960, 2.698995579315, 2.686897309672, 2.674938008115, 2.663113497553, 2.651419790716, 2.639853072236,
                2.628409694755, 2.617086164193, 2.605879134066, 2.594785399281, 2.583801882128, 2.572925631101, 2.562153809515, 2.551483693886,
                2.540912663549, 2.530438199715, 2.520057875957, 2.509769357810, 2.499570394011, 2.489458816542, 2.479432534120, 2.469489526489,
                2.459627846522, 2.449845611819, 2.440141005612, 2.430512271480, 2.420957708654, 2.411475674754, 2.402064579981, 2.392722882879,
                2.383449093349, 2.374241767344, 2.365099502999, 2.356020943854, 2.347004773956, 2.338049714310, 2.329154526237, 2.320318006838,
                2.311538987073, 2.302816330005, 2.294148933319, 2.285535725171,
            ],
            pValues: []
        ),
    ]

    @Test func boundariesAreUnchanged() {
        for recorded in Self.recorded {
            let design = GroupSequentialDesign(fractions: recorded.fractions, alpha: 0.05, spending: recorded.spending)
            #expect(design.boundaries.count == recorded.boundaries.count)
            for (look, (mine, before)) in zip(design.boundaries, recorded.boundaries).enumerated() {
                #expect(abs(mine - before) < 1e-6, "\(recorded.spending), \(recorded.fractions.count) looks, look \(look + 1)")
            }
        }
    }

    @Test func pValuesAreUnchangedToTheirTolerance() {
        for recorded in Self.recorded {
            let design = GroupSequentialDesign(fractions: recorded.fractions, alpha: 0.05, spending: recorded.spending)
            for (z, repeated, stagewise) in recorded.pValues {
                // Each search stops within 0.1% above the answer, so two of them differ by at most that.
                #expect(abs(design.pValue(z: z) - repeated) <= 1.001e-3 * repeated, "z = \(z)")
                // The recorded stage-wise values carry the previous quadrature's own error (at z = 0 it lost 4e-7 of
                // the probability, which must add up to 1): they agree to 1e-6.
                #expect(abs(design.stagewisePValue(z: z) - stagewise) <= 1e-6, "z = \(z)")
            }
        }
    }
}
