import KubernetesModels
import Testing

@Suite("Strategic merge patch: lists")
struct StrategicMergeListTests {
    /// A schema like apimachinery's own test struct: `mergingList` by `name`, `mergingIntList` as a set,
    /// `nonMergingList` replaced.
    static let schema = StrategicMergeSchema(fields: [
        "mergingList": StrategicMergeSchema(listStrategy: .mergeByKey("name")),
        "mergingIntList": StrategicMergeSchema(listStrategy: .mergeAsSet),
    ])

    static func apply(_ patch: String, to live: String) throws -> JSONValue {
        try StrategicMergePatch.apply(json(patch), to: json(live), schema: schema)
    }

    static let cases: [(name: String, live: String, patch: String, result: String)] = [
        (
            "items merge by key, fields of a matched item merge",
            #"{"mergingList":[{"name":"1","value":"a","other":"x"},{"name":"2"}]}"#,
            #"{"mergingList":[{"name":"1","value":"b"}]}"#,
            #"{"mergingList":[{"name":"1","value":"b","other":"x"},{"name":"2"}]}"#
        ),
        (
            "a new item without $setElementOrder goes first",
            #"{"mergingList":[{"name":"1"},{"name":"2"}]}"#,
            #"{"mergingList":[{"name":"3"}]}"#,
            #"{"mergingList":[{"name":"3"},{"name":"1"},{"name":"2"}]}"#
        ),
        (
            "$patch: delete removes every item with the key",
            #"{"mergingList":[{"name":"1"},{"name":"2"},{"name":"1","dup":true}]}"#,
            #"{"mergingList":[{"name":"1","$patch":"delete"}]}"#,
            #"{"mergingList":[{"name":"2"}]}"#
        ),
        (
            "a $patch: replace item replaces the list with the other items",
            #"{"mergingList":[{"name":"1"},{"name":"2"}]}"#,
            #"{"mergingList":[{"name":"3","value":"c"},{"$patch":"replace"}]}"#,
            #"{"mergingList":[{"name":"3","value":"c"}]}"#
        ),
        (
            "primitive sets merge without duplicates",
            #"{"mergingIntList":[1,2]}"#,
            #"{"mergingIntList":[2,3,3]}"#,
            #"{"mergingIntList":[1,2,3]}"#
        ),
        (
            "$setElementOrder puts a new primitive where it says, live-only ones stay put",
            #"{"mergingIntList":[1,4,2]}"#,
            #"{"$setElementOrder/mergingIntList":[3,1,2],"mergingIntList":[3]}"#,
            #"{"mergingIntList":[3,1,4,2]}"#
        ),
        (
            "$setElementOrder with a live-only item after all patch items",
            #"{"mergingIntList":[1,2,4]}"#,
            #"{"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3]}"#,
            #"{"mergingIntList":[1,2,3,4]}"#
        ),
        (
            "$deleteFromPrimitiveList with a reorder",
            #"{"mergingIntList":[1,2,3]}"#,
            #"{"$setElementOrder/mergingIntList":[2,1],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            #"{"mergingIntList":[2,1]}"#
        ),
        (
            "$deleteFromPrimitiveList on an absent list does nothing",
            #"{}"#,
            #"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
            #"{}"#
        ),
        (
            "$setElementOrder reorders live items even when the patch has no list",
            #"{"mergingList":[{"name":"1"},{"name":"2"}]}"#,
            #"{"$setElementOrder/mergingList":[{"name":"2"},{"name":"1"}]}"#,
            #"{"mergingList":[{"name":"2"},{"name":"1"}]}"#
        ),
        (
            "merge keys compare as numbers: 80 and 80.0 are the same item",
            #"{"mergingList":[{"name":80,"v":1}]}"#,
            #"{"mergingList":[{"name":80.0,"w":2}]}"#,
            #"{"mergingList":[{"name":80,"v":1,"w":2}]}"#
        ),
        (
            "a list of a field with no strategy replaces, and directive items in it are dropped",
            #"{"nonMergingList":[{"name":"1"}]}"#,
            #"{"nonMergingList":[{"name":"2"},{"name":"1","$patch":"delete"}]}"#,
            #"{"nonMergingList":[{"name":"2"}]}"#
        ),
    ]

    @Test("list merging", arguments: cases.map(\.name))
    func table(name: String) throws {
        let testCase = try #require(Self.cases.first { $0.name == name })
        let result = try Self.apply(testCase.patch, to: testCase.live)
        // Compared as JSON text: a patch's `80.0` survives the merge as a double, which is written `80`.
        #expect(result.serialized() == (try json(testCase.result)).serialized(), "got \(text(result))")
    }

    @Test("an item without the merge key is an error")
    func missingMergeKey() {
        #expect(throws: PatchError.self) {
            try Self.apply(#"{"mergingList":[{"value":"x"}]}"#, to: #"{"mergingList":[{"name":"1"}]}"#)
        }
        #expect(throws: PatchError.self) {
            try Self.apply(#"{"mergingList":[{"$patch":"delete"}]}"#, to: #"{"mergingList":[]}"#)
        }
    }

    @Test("a non-map item in a list merged by key is an error")
    func nonMapItem() {
        #expect(throws: PatchError.self) { try Self.apply(#"{"mergingList":["x"]}"#, to: #"{"mergingList":[]}"#) }
    }

    @Test("$patch: merge in a list is refused like apimachinery does")
    func mergeDirectiveInList() {
        #expect(throws: PatchError("merging lists cannot yet be specified in the patch")) {
            try Self.apply(#"{"mergingList":[{"$patch":"merge"}]}"#, to: #"{"mergingList":[]}"#)
        }
    }

    @Test("a map in a primitive set is an error")
    func mapInSet() {
        #expect(throws: PatchError.self) {
            try Self.apply(#"{"mergingIntList":[{"a":1}]}"#, to: #"{"mergingIntList":[1]}"#)
        }
    }

    @Test("patch items out of $setElementOrder's order are an error")
    func inconsistentOrder() {
        #expect(throws: PatchError.self) {
            try Self.apply(
                #"{"$setElementOrder/mergingList":[{"name":"1"},{"name":"2"}],"mergingList":[{"name":"2"},{"name":"1"}]}"#,
                to: "{}")
        }
    }

    @Test("a $setElementOrder entry without the merge key is an error")
    func orderEntryWithoutKey() {
        #expect(throws: PatchError.self) {
            try Self.apply(#"{"$setElementOrder/mergingList":[{"value":"x"}]}"#, to: #"{"mergingList":[]}"#)
        }
    }
}
