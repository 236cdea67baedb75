/// Reads one data set's on-disk layout into a ``TaskData``.
public protocol TaskImporter: Sendable {
    /// Reads the task whose files are in `folder` (the task's folder under `--data-root`).
    ///
    /// - Throws: ``TaskImportError/missing(path:expected:)`` when the layout's marker files are
    ///   absent, ``TaskImportError/malformed(file:line:reason:)`` for a bad metadata line.
    func load(from folder: String, name: String) throws -> TaskData
}
