import Foundation
import XCTest
@testable import ColaAudio

final class ManifestTests: XCTestCase {
    private var folder: URL!
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    private var segmentsPath: String { fixtures.appendingPathComponent("balanced_train_segments_excerpt.csv").path }
    private var classesPath: String { fixtures.appendingPathComponent("class_labels_indices_excerpt.csv").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cola-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testParsesTheOfficialSegmentFormat() throws {
        let segments = try AudioSetManifest.parseSegments(path: segmentsPath)
        XCTAssertEqual(segments.count, 6)
        XCTAssertEqual(segments[0].ytid, "--PJHxphWEs")
        XCTAssertEqual(segments[0].start, 30)
        XCTAssertEqual(segments[0].end, 40)
        XCTAssertEqual(segments[0].labelIDs, ["/m/09x0r", "/t/dd00088"])
        XCTAssertEqual(segments[0].line, 4)
        XCTAssertEqual(segments[2].labelIDs, ["/m/03fwl", "/m/04rlf", "/m/09x0r"])
        XCTAssertEqual(segments[4].startText, "200.000")
        let classes = try AudioSetClassList(path: classesPath)
        XCTAssertEqual(classes.mids.count, 13)
        XCTAssertEqual(classes.names[1], "Male speech, man speaking", "quoted name with a comma")
        XCTAssertEqual(classes.index(of: "/t/dd00001"), 12)
    }

    func testBrokenSegmentLinesNameFileLineAndExpectation() throws {
        let header = "# YTID, start_seconds, end_seconds, positive_labels\n--PJHxphWEs, 30.000, 40.000, \"/m/09x0r\"\n"
        let broken: [(String, String)] = [
            ("--ZhevVpy1s, 50.000, 60.000, /m/012xff,/m/09x0r", "expected 4 fields"),
            ("--ZhevVpy1s, fifty, 60.000, \"/m/012xff\"", "expected start_seconds < end_seconds"),
            ("--ZhevVpy1s, 60.000, 50.000, \"/m/012xff\"", "expected start_seconds < end_seconds"),
            ("--ZhevVpy1s, 50.000, 60.000, \"/m/012xff", "unterminated quoted field"),
            ("--ZhevVpy1s, 50.000, 60.000, \"Speech\"", "expected label ids"),
            ("--ZhevVpy1s, 50.000, 60.000", "expected 4 fields"),
        ]
        for (index, (line, expectation)) in broken.enumerated() {
            let path = try write(header + line + "\n", to: "broken\(index).csv")
            XCTAssertThrowsError(try AudioSetManifest.parseSegments(path: path)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(path):3: "), text)
                XCTAssertTrue(text.contains(expectation), text)
            }
        }
        let onlyComments = try write("# nothing here\n", to: "empty.csv")
        XCTAssertThrowsError(try AudioSetManifest.parseSegments(path: onlyComments)) { XCTAssertTrue("\($0)".contains("no segments")) }
        let badClasses = try write("index,mid,display_name\n0,/m/09x0r,Speech\n2,/m/05zppz,Man\n", to: "classes.csv")
        XCTAssertThrowsError(try AudioSetClassList(path: badClasses)) { XCTAssertTrue("\($0)".hasPrefix("\(badClasses):3: expected class index 1")) }
    }

    func testResolvesByPatternsAndCountsMissingFiles() throws {
        let root = folder.appendingPathComponent("audio")
        _ = try write("x", to: "audio/--PJHxphWEs.wav")
        _ = try write("x", to: "audio/--/--aE2O5G5WE_0.flac")
        _ = try write("x", to: "audio/-0/-0BIyqJj9ZU_30.000_40.000.flac")
        let manifest = try AudioSetManifest(
            segmentsPath: segmentsPath, classes: AudioSetClassList(path: classesPath), audioRoot: root.path,
            patterns: ["{ytid}.wav", "{ytid_prefix2}/{ytid}_{start_int}.flac", "{ytid_prefix2}/{ytid}_{start}_{end}.flac"])
        XCTAssertEqual(manifest.foundCount, 3)
        XCTAssertEqual(manifest.missingCount, 3)
        XCTAssertEqual(manifest.items.map(\.index), [0, 1, 2])
        XCTAssertEqual(manifest.items[1].path, root.appendingPathComponent("--/--aE2O5G5WE_0.flac").path)
        XCTAssertEqual(manifest.items[1].labels, [3, 4, 0])
        XCTAssertEqual(manifest.missing.map(\.ytid), ["--ZhevVpy1s", "--aO5cdqSAg", "--aaILOrkII"])
        XCTAssertTrue(manifest.summary.contains("3 of 6 segments found, 3 missing"), manifest.summary)
        XCTAssertNil(manifest.items[0].start)

        let whole = try AudioSetManifest(segmentsPath: segmentsPath, classes: nil, audioRoot: root.path, patterns: ["{ytid}.wav"], filesAreSegments: false)
        XCTAssertEqual(whole.items.map { [$0.start, $0.end] }, [[30, 40]])

        XCTAssertThrowsError(try AudioSetManifest(segmentsPath: segmentsPath, classes: nil, audioRoot: root.path, patterns: ["{ytid}.mp3"])) {
            XCTAssertTrue("\($0)".contains("none of 6 segments has a file"), "\($0)")
        }
        XCTAssertThrowsError(try AudioSetManifest(segmentsPath: segmentsPath, classes: nil, audioRoot: root.path, patterns: ["{id}.wav"])) {
            XCTAssertTrue("\($0)".contains("unknown placeholder {id}"), "\($0)")
        }
    }

    func testTSVResolvesRelativePathsAndRejectsMalformedLines() throws {
        _ = try write("x", to: "set/clips/a.wav")
        _ = try write("x", to: "set/clips/b.wav")
        let tsv = try write("path\tlabel\nclips/a.wav\tdog\nclips/b.wav\tcat\nclips/gone.wav\tdog\n", to: "set/train.tsv")
        let manifest = try TSVManifest(path: tsv)
        XCTAssertEqual(manifest.items.map(\.path), [folder.appendingPathComponent("set/clips/a.wav").path, folder.appendingPathComponent("set/clips/b.wav").path])
        XCTAssertEqual(manifest.labelNames, ["cat", "dog"])
        XCTAssertEqual(manifest.items.map(\.labels), [[1], [0]])
        XCTAssertEqual(manifest.missingPaths.count, 1)

        let unlabeled = try TSVManifest(path: try write("path\nclips/a.wav\n", to: "set/unlabeled.tsv"))
        XCTAssertEqual(unlabeled.items.count, 1)

        let noHeader = try write("clips/a.wav\tdog\n", to: "set/noheader.tsv")
        XCTAssertThrowsError(try TSVManifest(path: noHeader)) { XCTAssertTrue("\($0)".hasPrefix("\(noHeader):1: expected the header"), "\($0)") }
        let ragged = try write("path\tlabel\nclips/a.wav\tdog\nclips/b.wav\n", to: "set/ragged.tsv")
        XCTAssertThrowsError(try TSVManifest(path: ragged)) { XCTAssertTrue("\($0)".hasPrefix("\(ragged):3: expected path<TAB>label"), "\($0)") }
        let nothing = try write("path\ngone.wav\n", to: "set/nothing.tsv")
        XCTAssertThrowsError(try TSVManifest(path: nothing)) { XCTAssertTrue("\($0)".contains("none of 1 listed files exists"), "\($0)") }
    }
}
