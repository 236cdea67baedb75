import Foundation

/// The fields of a HEAR task's `task_metadata.json` that Cola reads (hear-preprocess writes the
/// whole task configuration there; hear-eval-kit reads `split_mode`, `splits`,
/// `embedding_type` and `prediction_type`).
struct HEARTaskMetadata {
    /// How the task is predicted.
    enum Prediction: String {
        /// One label per clip: accuracy.
        case multiclass
        /// Any number of labels per clip: mAP.
        case multilabel
    }

    /// How the task's clips are split.
    enum SplitMode: String {
        /// Given train, valid and test splits.
        case trainValTest = "trainvaltest"
        /// Folds made by hear-preprocess.
        case newSplitKFold = "new_split_kfold"
        /// Folds the data set defines.
        case presplitKFold = "presplit_kfold"
    }

    /// `task_name`, when given.
    var taskName: String?
    /// `prediction_type`.
    var prediction: Prediction
    /// `split_mode`.
    var splitMode: SplitMode
    /// The split names (`train`, `valid`, `test` or `fold00`, `fold01`, …): `splits`, or made
    /// from `split_mode` and `nfolds` when the file has no `splits`.
    var splits: [String]

    /// Reads and checks `path`: only scene tasks with a known prediction type and split mode.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskImportError.missing(path: path, expected: "HEAR task_metadata.json")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "not a JSON object")
        }
        func text(_ key: String) throws -> String {
            guard let value = object[key] as? String else {
                throw TaskImportError.malformed(file: path, line: 0, reason: "expected a string \"\(key)\", found \(object[key].map { "\($0)" } ?? "none")")
            }
            return value
        }
        let embedding = try text("embedding_type")
        guard embedding == "scene" else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "embedding_type \"\(embedding)\": Cola scores scene tasks (one prediction per clip), not timestamp (event) tasks")
        }
        let predictionName = try text("prediction_type")
        guard let prediction = Prediction(rawValue: predictionName) else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "prediction_type \"\(predictionName)\" (expected multiclass or multilabel)")
        }
        let modeName = try text("split_mode")
        guard let splitMode = SplitMode(rawValue: modeName) else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "split_mode \"\(modeName)\" (expected trainvaltest, new_split_kfold or presplit_kfold)")
        }
        taskName = object["task_name"] as? String
        self.prediction = prediction
        self.splitMode = splitMode
        if let splits = object["splits"] as? [String], !splits.isEmpty {
            self.splits = splits
        } else if splitMode == .trainValTest {
            splits = ["train", "valid", "test"]
        } else if let folds = object["nfolds"] as? Int, folds > 0 {
            splits = (0..<folds).map { String(format: "fold%02d", $0) }
        } else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "a k-fold task needs \"splits\" or \"nfolds\"")
        }
    }
}
