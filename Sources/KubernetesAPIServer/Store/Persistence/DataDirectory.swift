import Foundation
import KubernetesModels
import Logging

/// The store's files: `snapshot.jsonl` (every object at one resourceVersion) and `journal.jsonl` (the changes
/// after it), plus a lock file so that two servers never share a directory.
///
/// Start-up reads the snapshot and replays the journal, then writes a fresh snapshot atomically (temporary
/// file, fsync, rename, fsync of the directory) and starts an empty journal. A crash at any point leaves
/// either the old snapshot with its journal or the new snapshot (journal lines it already contains are
/// skipped by resourceVersion), never a mix that loses objects.
struct DataDirectory {
    let path: String
    let logger: Logger
    private let lock: PosixFile

    static let snapshotName = "snapshot.jsonl"
    static let journalName = "journal.jsonl"
    static let snapshotFormat = "kube-vip-dev-store"

    var snapshotPath: String { "\(path)/\(Self.snapshotName)" }
    var journalPath: String { "\(path)/\(Self.journalName)" }

    init(path: String, logger: Logger) throws(StoreLoadError) {
        self.path = path
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreLoadError(file: path, reason: "cannot be created: \(error.localizedDescription)")
        }
        do {
            lock = try PosixFile(path: "\(path)/lock", mode: .append)
            try lock.lockExclusively()
        } catch {
            throw StoreLoadError(
                file: "\(path)/lock", reason: "is held by another process using this data directory (\(error))")
        }
    }

    /// Closes the lock file now rather than whenever the last copy of this value goes away, so the directory
    /// can be opened again (by a restart in the same process) the moment the store is closed.
    func releaseLock() {
        try? lock.close()
    }

    func load(historyLimit: Int) throws(StoreLoadError) -> LoadedState {
        var state = LoadedState(historyLimit: historyLimit)
        let files = FileManager.default
        if files.fileExists(atPath: snapshotPath) {
            try loadSnapshot(into: &state)
        }
        if files.fileExists(atPath: journalPath) {
            try replayJournal(into: &state)
        }
        logger.info(
            "Loaded \(state.objectCount) objects at resourceVersion \(state.resourceVersion) from \(path)")
        return state
    }

    private func loadSnapshot(into state: inout LoadedState) throws(StoreLoadError) {
        let file = snapshotPath
        let lines = try JSONLines(contentsOf: file).lines
        guard let first = lines.first else {
            throw StoreLoadError(file: file, reason: "is empty (a snapshot always has a header line)")
        }
        let header = try JSONLines.parse(first, file: file)
        guard header["format"]?.stringValue == Self.snapshotFormat, header["version"]?.intValue == 1,
            let text = header["resourceVersion"]?.stringValue, let version = UInt64(text)
        else {
            throw StoreLoadError(file: file, line: 1, reason: "is not a kube-vip dev snapshot header")
        }
        for line in lines.dropFirst() {
            guard line.complete else {
                throw StoreLoadError(file: file, line: line.number, reason: "is cut short (no newline)")
            }
            let json = try JSONLines.parse(line, file: file)
            do throws(PersistedFormatError) {
                let type = try PersistedFormat.resourceKey(json)
                guard let object = json["object"] else { throw PersistedFormatError("missing \"object\"") }
                let key = try PersistedFormat.storageKey(of: object, type: type)
                guard state.tables[type]?[key] == nil else {
                    throw PersistedFormatError("\(type) \(key) appears twice")
                }
                state.tables[type, default: [:]][key] = object
            } catch {
                throw StoreLoadError(file: file, line: line.number, reason: error.reason)
            }
        }
        state.resourceVersion = version
        state.history = ChangeHistory(limit: state.history.limit, horizon: version)
    }

    private func replayJournal(into state: inout LoadedState) throws(StoreLoadError) {
        let file = journalPath
        let lines = try JSONLines(contentsOf: file).lines
        for line in lines {
            let json: JSONValue
            do {
                json = try JSONLines.parse(line, file: file)
            } catch {
                guard !line.complete else { throw error }
                logger.warning(
                    "Ignoring the last line of the journal: it was cut short by a crash and holds no complete change",
                    metadata: ["file": "\(file)", "line": "\(line.number)"])
                continue
            }
            do throws(PersistedFormatError) {
                let entry = try JournalEntry(json)
                // Lines the snapshot already contains: the crash came after the snapshot, before the new journal.
                guard entry.resourceVersion > state.resourceVersion else { continue }
                guard entry.resourceVersion == state.resourceVersion + 1 else {
                    throw PersistedFormatError(
                        "resourceVersion \(entry.resourceVersion) follows \(state.resourceVersion): changes are "
                            + "missing (the snapshot or earlier journal lines are gone)")
                }
                try state.apply(entry)
            } catch {
                throw StoreLoadError(file: file, line: line.number, reason: error.reason)
            }
        }
    }

    func writeSnapshot(tables: [ResourceKey: [StorageKey: JSONValue]], resourceVersion: UInt64) throws(StoreLoadError) {
        let temporary = snapshotPath + ".tmp"
        do {
            let file = try PosixFile(path: temporary, mode: .truncate)
            let header: JSONValue = [
                "format": .string(Self.snapshotFormat), "version": 1,
                "resourceVersion": .string(String(resourceVersion)),
            ]
            var buffer = header.serialized()
            buffer.append(UInt8(ascii: "\n"))
            for (type, objects) in tables.sorted(by: { $0.key.description < $1.key.description }) {
                for key in objects.keys.sorted() {
                    guard let object = objects[key] else { continue }
                    let line: JSONValue = [
                        "group": .string(type.group), "resource": .string(type.resource), "object": object,
                    ]
                    buffer.append(line.serialized())
                    buffer.append(UInt8(ascii: "\n"))
                    if buffer.count > 1 << 20 {
                        try file.write(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            try file.write(buffer)
            try file.sync()
            try file.close()
            try PosixFile.rename(temporary, to: snapshotPath)
            try PosixFile.syncDirectory(path)
        } catch {
            throw StoreLoadError(file: snapshotPath, reason: "cannot be written: \(error)")
        }
    }

    func openFreshJournal(syncEvery: Int) throws(StoreLoadError) -> Journal {
        do {
            let file = try PosixFile(path: journalPath, mode: .truncate)
            try PosixFile.syncDirectory(path)
            return Journal(file: file, syncEvery: syncEvery)
        } catch {
            throw StoreLoadError(file: journalPath, reason: "cannot be opened for writing: \(error)")
        }
    }
}
